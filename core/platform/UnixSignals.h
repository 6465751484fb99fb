#pragma once

#include <QObject>

class QSocketNotifier;

namespace sm {

// Turns SIGTERM/SIGINT into a Qt signal through a self-pipe: the handler only writes one
// byte, the event loop reads it, so shutdown runs as ordinary event-loop code.
class UnixSignals final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UnixSignals)
public:
    explicit UnixSignals(QObject *parent = nullptr);
    ~UnixSignals() override;

Q_SIGNALS:
    void received(int signalNumber);

private:
    void drain();
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace sm
