#include "BadgeDelegate.h"

#include "ServiceState.h"

#include <QApplication>
#include <QPainter>

namespace sm {

BadgeDelegate::BadgeDelegate(int badgeRole, QObject *parent)
    : QStyledItemDelegate(parent)
    , m_badgeRole(badgeRole) {}

void BadgeDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                          const QModelIndex &index) const {
    const QVariant badge = index.data(m_badgeRole);
    if (!badge.isValid()) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    // Selection and focus background first, as for any other cell, without the text.
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const QString text = index.data(Qt::DisplayRole).toString();
    const QColor color = badgeColor(BadgeState(badge.toInt()));
    QFont font = option.font;
    font.setBold(true);
    const QFontMetrics metrics(font);
    const int height = std::min(option.rect.height() - 4, metrics.height() + 4);
    const int width = metrics.horizontalAdvance(text) + 16;
    const QRect rect(option.rect.left() + 6, option.rect.center().y() - height / 2 + 1, width,
                     height);

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(Qt::NoPen);
    painter->setBrush(color);
    painter->drawRoundedRect(rect, height / 2.0, height / 2.0);
    painter->setFont(font);
    painter->setPen(Qt::white);
    painter->drawText(rect, Qt::AlignCenter, text);
    painter->restore();
}

QSize BadgeDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const {
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    QFont font = option.font;
    font.setBold(true);
    const QFontMetrics metrics(font);
    size.setWidth(std::max(size.width(), metrics.horizontalAdvance(index.data().toString()) + 28));
    size.setHeight(std::max(size.height(), metrics.height() + 8));
    return size;
}

} // namespace sm
