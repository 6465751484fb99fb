#include "ActionsDelegate.h"

#include <QApplication>
#include <QMouseEvent>
#include <QPainter>

namespace sm {

namespace {
QStringList labels() {
    return {QObject::tr("Start"), QObject::tr("Stop"), QObject::tr("Restart")};
}
} // namespace

ActionsDelegate::ActionsDelegate(QObject *parent)
    : QStyledItemDelegate(parent) {}

QList<QRect> ActionsDelegate::buttonRects(const QStyleOptionViewItem &option) const {
    const QFontMetrics metrics(option.font);
    const int height = std::min(option.rect.height() - 4, metrics.height() + 6);
    int x = option.rect.left() + 4;
    QList<QRect> rects;
    for (const QString &label : labels()) {
        const int width = metrics.horizontalAdvance(label) + 14;
        rects.append(QRect(x, option.rect.center().y() - height / 2 + 1, width, height));
        x += width + 4;
    }
    return rects;
}

void ActionsDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                            const QModelIndex &index) const {
    QStyleOptionViewItem background = option;
    initStyleOption(&background, index);
    background.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &background, painter, widget);

    const QList<QRect> rects = buttonRects(option);
    const QStringList texts = labels();
    for (int i = 0; i < rects.size(); ++i) {
        QStyleOptionButton button;
        button.rect = rects.at(i);
        button.text = texts.at(i);
        button.state = QStyle::State_Enabled | QStyle::State_Raised;
        button.fontMetrics = option.fontMetrics;
        style->drawControl(QStyle::CE_PushButton, &button, painter, widget);
    }
}

QSize ActionsDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const {
    const QList<QRect> rects = buttonRects(option);
    return {rects.last().right() - option.rect.left() + 6, option.fontMetrics.height() + 10};
}

bool ActionsDelegate::editorEvent(QEvent *event, QAbstractItemModel *model,
                                  const QStyleOptionViewItem &option, const QModelIndex &index) {
    if (event->type() == QEvent::MouseButtonRelease) {
        const auto *mouse = static_cast<QMouseEvent *>(event);
        const QList<QRect> rects = buttonRects(option);
        for (int i = 0; i < rects.size(); ++i) {
            if (rects.at(i).contains(mouse->position().toPoint())) {
                Q_EMIT clicked(index, i);
                return true;
            }
        }
    }
    return QStyledItemDelegate::editorEvent(event, model, option, index);
}

} // namespace sm
