#pragma once

#include <QString>

class QHBoxLayout;
class QLabel;
class QToolButton;
class QWidget;

namespace sm {

// The title bar of a docked panel (log, history): the title in bold, a status label beside
// it, then the panel's buttons, right-aligned.
QHBoxLayout *panelBar(QLabel *title, QLabel *status);
// A flat text-and-icon button at the end of such a bar.
QToolButton *addPanelButton(QHBoxLayout *bar, QWidget *owner, const QString &text,
                            const QString &icon, const QString &tip);

} // namespace sm
