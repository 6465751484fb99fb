#pragma once

#include <QStyledItemDelegate>

namespace sm {

// Draws a state cell as a rounded, colored badge (green up, grey down, red crash loop, purple
// failed, amber paused) from the model's badge role, with the state text inside.
class BadgeDelegate final : public QStyledItemDelegate {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BadgeDelegate)
public:
    explicit BadgeDelegate(int badgeRole, QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    int m_badgeRole;
};

} // namespace sm
