#pragma once

#include <QSortFilterProxyModel>

namespace sm {

// Sorts by the source's sort role and keeps the rows where any column contains the filter
// text (case-insensitive), so one search box filters by label, id or state alike.
class TextFilterProxy final : public QSortFilterProxyModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TextFilterProxy)
public:
    explicit TextFilterProxy(int sortRole, QObject *parent = nullptr);

    void setFilterText(const QString &text);
    QString filterText() const { return m_text; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_text;
};

} // namespace sm
