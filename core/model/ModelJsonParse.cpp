// The parsers of ModelJson.h: upstream JSON (the agent's, the daemon's) back into model values.
#include "ModelJson.h"

#include <QJsonArray>

#include <climits>
#include <cmath>

namespace sm {

namespace {

// Reads typed fields from an upstream JSON object and remembers the first problem, so a
// parser reads every field in a row and checks once at the end.
class FieldReader final {
public:
    FieldReader(const QJsonObject &object, const char *what)
        : m_object(object)
        , m_what(what) {}

    QString string(const char *key) {
        const QJsonValue v = m_object.value(QLatin1String(key));
        if (!v.isString())
            fail(key, "a string");
        return v.toString();
    }
    bool boolean(const char *key) {
        const QJsonValue v = m_object.value(QLatin1String(key));
        if (!v.isBool())
            fail(key, "a boolean");
        return v.toBool();
    }
    qint64 integer(const char *key) {
        const auto v = optInteger(key);
        if (!v)
            fail(key, "an integer");
        return v.value_or(0);
    }
    // Absent or null gives nullopt; anything else must be an integral number.
    std::optional<qint64> optInteger(const char *key) {
        const QJsonValue v = m_object.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull())
            return std::nullopt;
        const double d = v.toDouble(std::nan(""));
        if (!v.isDouble() || std::trunc(d) != d || std::abs(d) > 9.0e15) {
            fail(key, "an integer or null");
            return std::nullopt;
        }
        return static_cast<qint64>(d);
    }
    std::optional<int> optInt(const char *key) {
        const auto v = optInteger(key);
        if (v && (*v < INT_MIN || *v > INT_MAX)) {
            fail(key, "a 32-bit integer or null");
            return std::nullopt;
        }
        return v ? std::optional<int>(int(*v)) : std::nullopt;
    }
    std::optional<bool> optBool(const char *key) {
        const QJsonValue v = m_object.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull())
            return std::nullopt;
        if (!v.isBool())
            fail(key, "a boolean or null");
        return v.toBool();
    }
    std::optional<QString> optString(const char *key) {
        const QJsonValue v = m_object.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull())
            return std::nullopt;
        if (!v.isString())
            fail(key, "a string or null");
        return v.toString();
    }

    template <typename T> Result<T> finish(T value) const {
        if (m_error)
            return *m_error;
        return value;
    }

private:
    void fail(const char *key, const char *expected) {
        if (m_error)
            return;
        m_error = ApiError::badGateway(
            QStringLiteral("Invalid %1: field '%2' is not %3")
                .arg(QLatin1String(m_what), QLatin1String(key), QLatin1String(expected)));
        m_error->detail = QString::fromLatin1(key);
    }

    const QJsonObject &m_object;
    const char *m_what;
    std::optional<ApiError> m_error;
};

const char *const kStatusKeys[] = {"container",   "service", "service_label", "name",
                                   "raw",         "is_up",   "pid",           "uptime_seconds",
                                   "normally_up", "want_up", "ready",         "paused",
                                   "exit_code",   "signal",  "since"};

// Fills the agent-level fields shared by the agent's Status and the REST ServiceStatus.
void readStatusFields(FieldReader &r, const QJsonObject &object, ServiceStatus &s) {
    s.name = r.string("name");
    s.raw = r.string("raw");
    s.isUp = r.boolean("is_up");
    s.pid = r.optInteger("pid");
    s.uptimeSeconds = r.optInteger("uptime_seconds");
    s.normallyUp = r.optBool("normally_up");
    s.wantUp = r.optBool("want_up");
    s.ready = r.optBool("ready");
    s.paused = r.optBool("paused");
    s.exitCode = r.optInt("exit_code");
    s.signal = r.optString("signal");
    s.since = r.optString("since");
    for (auto it = object.begin(); it != object.end(); ++it) {
        bool known = false;
        for (const char *key : kStatusKeys)
            known = known || it.key() == QLatin1String(key);
        if (!known)
            s.otherFields.insert(it.key(), it.value());
    }
}

} // namespace

Result<ServiceStatus> serviceStatusFromAgent(const QJsonObject &object) {
    FieldReader r(object, "agent status");
    ServiceStatus s;
    readStatusFields(r, object, s);
    return r.finish(std::move(s));
}

Result<ServiceStatus> serviceStatusFromJson(const QJsonObject &object) {
    FieldReader r(object, "service status");
    ServiceStatus s;
    s.container = r.string("container");
    s.service = r.string("service");
    s.serviceLabel = r.string("service_label");
    readStatusFields(r, object, s);
    return r.finish(std::move(s));
}

Result<ContainerInfo> containerInfoFromJson(const QJsonObject &object) {
    FieldReader r(object, "container");
    ContainerInfo v{r.string("name"), r.string("socket_path")};
    return r.finish(std::move(v));
}

Result<ServiceInfo> serviceInfoFromJson(const QJsonObject &object) {
    FieldReader r(object, "service");
    ServiceInfo v{r.string("id"), r.string("label")};
    return r.finish(std::move(v));
}

Result<ControlResult> controlResultFromJson(const QJsonObject &object) {
    FieldReader r(object, "control result");
    ControlResult v{r.string("container"), r.string("service"), r.string("action"),
                    r.optString("result") != QStringLiteral("unconfirmed")};
    return r.finish(std::move(v));
}

Result<LogChunk> logChunkFromJson(const QJsonObject &object) {
    FieldReader r(object, "log chunk");
    LogChunk v;
    v.container = r.string("container");
    v.service = r.string("service");
    v.logs = r.string("logs");
    v.tail = r.optInt("tail");
    v.cursor = r.optInteger("cursor");
    v.logPath = r.string("log_path");
    return r.finish(std::move(v));
}

Result<RunScript> runScriptFromJson(const QJsonObject &object) {
    FieldReader r(object, "run script");
    RunScript v{r.string("container"), r.string("service"), r.string("path"), r.string("content")};
    return r.finish(std::move(v));
}

Result<LogsCleared> logsClearedFromJson(const QJsonObject &object) {
    FieldReader r(object, "log clearing");
    LogsCleared v{r.string("container"), r.string("service"), r.string("message"),
                  r.string("log_path")};
    return r.finish(std::move(v));
}

Result<DockerContainer> dockerContainerFromJson(const QJsonObject &object) {
    FieldReader r(object, "Docker container");
    DockerContainer v{r.string("id"), r.string("name"), r.string("status"), r.string("image"),
                      r.string("created")};
    return r.finish(std::move(v));
}

Result<DockerStatus> dockerStatusFromJson(const QJsonObject &object) {
    FieldReader r(object, "Docker status");
    DockerStatus v;
    v.id = r.string("id");
    v.name = r.string("name");
    v.status = r.string("status");
    v.state = r.string("state");
    v.running = r.boolean("running");
    v.restarting = r.boolean("restarting");
    v.paused = r.boolean("paused");
    v.image = r.string("image");
    v.created = r.string("created");
    v.startedAt = r.string("started_at");
    v.finishedAt = r.string("finished_at");
    v.exitCode = r.optInt("exit_code");
    return r.finish(std::move(v));
}

Result<DockerControlResult> dockerControlResultFromJson(const QJsonObject &object) {
    FieldReader r(object, "Docker control result");
    DockerControlResult v{r.string("name"), r.string("action")};
    return r.finish(std::move(v));
}

Result<DockerLogs> dockerLogsFromJson(const QJsonObject &object) {
    FieldReader r(object, "Docker logs");
    DockerLogs v;
    v.container = r.string("container");
    v.logs = r.string("logs");
    v.tail = int(r.integer("tail"));
    return r.finish(std::move(v));
}

Result<DockerEvent> dockerEventFromJson(const QJsonObject &object) {
    FieldReader r(object, "Docker event");
    DockerEvent v{r.string("container"), r.string("action"), r.string("time")};
    return r.finish(std::move(v));
}

Result<Health> healthFromJson(const QJsonObject &object) {
    FieldReader r(object, "health");
    Health v;
    const QString docker = r.string("docker");
    v.dockerAvailable = docker == QLatin1String("available");
    v.warning = r.optString("warning").value_or(QString());
    const QJsonValue agents = object.value(QLatin1String("agents"));
    if (!agents.isObject())
        return ApiError::badGateway(
            QStringLiteral("Invalid health: field 'agents' is not an object"));
    // QJsonObject sorts keys, so the order is by name here, not config order.
    const QJsonObject map = agents.toObject();
    for (auto it = map.begin(); it != map.end(); ++it)
        v.agents.append({it.key(), it.value().toString() == QLatin1String("reachable")});
    return r.finish(std::move(v));
}

ApiError apiErrorFromJson(int status, const QJsonObject &object) {
    ApiError e;
    e.status = status;
    e.message = object.value(QLatin1String("error")).toString();
    if (e.message.isEmpty())
        e.message = QStringLiteral("HTTP status %1").arg(status);
    e.detail = object.value(QLatin1String("detail"));
    if (e.detail.isUndefined())
        e.detail = QJsonValue::Null;
    return e;
}

} // namespace sm
