#pragma once

#include "config/SystemConfig.h"

#include <QList>
#include <QString>
#include <QUrl>

#include <optional>

namespace sm {

// One robot of a fleet: its daemon's address and, when the daemon requires a token, the file
// that holds it. The token itself is read only when connecting, never kept in the fleet.
struct FleetRobot {
    QString name;
    QUrl url;
    QString tokenFile; // absolute; empty when the daemon needs no token
    bool operator==(const FleetRobot &) const = default;
};

struct FleetLoad {
    std::optional<QList<FleetRobot>> robots;
    ConfigError error; // meaningful only without robots
    QStringList warnings;
    bool ok() const { return robots.has_value(); }
};

// A fleet file (`robots: [{name, url, token_file}]`). Relative token_file paths are taken
// from the file's directory; names are unique; a robot's url is what normalizeDaemonUrl takes.
FleetLoad loadFleetText(const QByteArray &yaml, const QString &fileName);
FleetLoad loadFleetFile(const QString &path);

// The fleet as a fleet file; token files under `fileName`'s directory are written relative.
QByteArray fleetYaml(const QList<FleetRobot> &robots, const QString &fileName);
// Writes atomically (a crash leaves the old file); the error text, or empty on success.
QString saveFleetFile(const QString &path, const QList<FleetRobot> &robots);

// "robot:8081" or "http://robot:8081/" → "http://robot:8081"; not an http(s) URL → empty.
QUrl normalizeDaemonUrl(const QString &text);

} // namespace sm
