#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <optional>

// The REST ServiceStatus built straight from the bytes of this project's agent's Status objects
// (agent-api.md), without reading them into values and writing them again. The agent sends its
// keys in one known order, compactly; the REST object is the same one with the place of the
// service (container, service, service_label) in front. Only an object whose every key, value
// and spelling is what the writer in ModelJson.cpp would send again for it is taken as is:
// anything else (another agent's shape, whitespace, escapes the writers spell differently,
// numbers in another form, malformed JSON) is not recognised here, and the caller reads and
// encodes it the general way, which also reports what is wrong with it.
namespace sm::statussplice {

// One recognised Status object, as views into the agent's answer.
struct AgentStatusBytes {
    QByteArrayView name;   // the "name" string's JSON text, between its quotes
    QByteArrayView fields; // the object after its opening brace: "name":...}
};

// `{"statuses":[...]}` (GET /services/status) with every object recognised; else nullopt.
std::optional<QList<AgentStatusBytes>> scanStatusList(QByteArrayView body);
// One Status object that is the whole answer (GET /services/{s}/status); else nullopt.
std::optional<AgentStatusBytes> scanStatus(QByteArrayView body);

// The text of a recognised name (its few escapes undone), e.g. to look up its label.
QString decodeName(QByteArrayView name);

// Appends the REST ServiceStatus: {"container":..,"service":..,"service_label":.., then the
// agent's fields as they came.
void appendRestStatus(QByteArray &out, const QString &container, const QString &service,
                      const QString &label, const AgentStatusBytes &status);
// The same with the service's name as the agent spelled it (GET .../services/status).
void appendRestStatus(QByteArray &out, const QString &container, const QString &label,
                      const AgentStatusBytes &status);

} // namespace sm::statussplice
