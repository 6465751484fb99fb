#include "PanelBar.h"

#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QToolButton>

namespace sm {

QHBoxLayout *panelBar(QLabel *title, QLabel *status) {
    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(4, 2, 4, 2);
    QFont titleFont = title->font();
    titleFont.setBold(true);
    title->setFont(titleFont);
    bar->addWidget(title);
    bar->addSpacing(8);
    bar->addWidget(status);
    bar->addStretch();
    return bar;
}

QToolButton *addPanelButton(QHBoxLayout *bar, QWidget *owner, const QString &text,
                            const QString &icon, const QString &tip) {
    auto *button = new QToolButton(owner);
    bar->addWidget(button);
    button->setText(text);
    button->setIcon(QIcon(icon));
    button->setToolTip(tip);
    button->setAutoRaise(true);
    button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    return button;
}

} // namespace sm
