#pragma once

#include <QStyledItemDelegate>

namespace sm {

// Draws Start / Stop / Restart buttons in a table cell and reports which one was clicked, so a
// Docker container can be controlled from its own row.
class ActionsDelegate final : public QStyledItemDelegate {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ActionsDelegate)
public:
    explicit ActionsDelegate(QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    bool editorEvent(QEvent *event, QAbstractItemModel *model, const QStyleOptionViewItem &option,
                     const QModelIndex &index) override;

    // The button rectangles inside a cell, in order Start, Stop, Restart.
    QList<QRect> buttonRects(const QStyleOptionViewItem &option) const;

Q_SIGNALS:
    // verb: 0 start, 1 stop, 2 restart (ControlActions::Verb).
    void clicked(const QModelIndex &index, int verb);
};

} // namespace sm
