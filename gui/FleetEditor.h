#pragma once

#include "config/FleetFile.h"

#include <QWidget>

class QPushButton;
class QTableWidget;

namespace sm {

// A table of robots (name, address, token file) that can be typed in, or opened from and
// saved to a fleet file. File choosers open window-modal, so the event loop keeps running.
class FleetEditor final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FleetEditor)
public:
    enum Column { Name, Address, TokenFile, ColumnCount };

    explicit FleetEditor(QWidget *parent = nullptr);

    // Urls normalized (empty when the address is not one); token files absolute.
    QList<FleetRobot> fleet() const;
    void setFleet(const QList<FleetRobot> &robots);
    // What is wrong with the rows, naming the first bad one; empty when they can be used.
    QString problem() const;
    QTableWidget *table() const { return m_table; }

Q_SIGNALS:
    // A fleet file could not be opened or saved, or opened with warnings; empty clears it.
    void errorChanged(const QString &text);

private:
    QString text(int row, int column) const;
    int appendRow(const QStringList &cells);
    void addRow();
    void removeRow();
    void pickTokenFile();
    void openFile();
    void saveFile();
    void updateButtons();
    QString tokenPath(const QString &typed) const;

    QTableWidget *m_table;
    QPushButton *m_remove;
    QPushButton *m_tokenFile;
    QString m_path; // the fleet file last opened or saved, where the next save starts
};

} // namespace sm
