// LocalBackend's Docker methods: without Docker (503), with an absent socket (503 while the
// rest keeps working), and over podman's Engine API with the docker.control allowlist.
#include "PodmanService.h"
#include "backend/LocalBackend.h"
#include "docker/DockerClient.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace sm;

namespace {

template <typename T> struct Answer {
    std::optional<Result<T>> result;
    auto callback() {
        return [this](Result<T> r) { result.emplace(std::move(r)); };
    }
    const Result<T> &wait() {
        if (!QTest::qWaitFor([this] { return result.has_value(); }, 20000))
            result.emplace(ApiError{0, QStringLiteral("no answer"), QJsonValue::Null});
        return *result;
    }
};

template <typename T> QByteArray why(const Result<T> &r) {
    return r.ok() ? QByteArray() : r.error().message.toUtf8();
}

} // namespace

class DockerBackendTest final : public QObject {
    Q_OBJECT
    PodmanService m_podman;

    // Every Docker method of a backend answers `status`.
    void expectAll(LocalBackend &backend, int status) {
        Answer<QList<DockerContainer>> list;
        backend.dockerContainers(this, true, list.callback());
        QCOMPARE(list.wait().error().status, status);
        Answer<DockerStatus> st;
        backend.dockerStatus(this, QStringLiteral("x"), st.callback());
        QCOMPARE(st.wait().error().status, status);
        Answer<DockerControlResult> ctl;
        backend.dockerControl(this, QStringLiteral("x"), QStringLiteral("start"), 1,
                              ctl.callback());
        QCOMPARE(ctl.wait().error().status, status);
        Answer<DockerLogs> logs;
        backend.dockerLogs(this, QStringLiteral("x"), 5, logs.callback());
        QCOMPARE(logs.wait().error().status, status);
        std::unique_ptr<LogStream> stream(backend.followDockerLogs(QStringLiteral("x"), 5));
        QSignalSpy finished(stream.get(), &LogStream::finished);
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.first().first().value<ApiError>().status, status);
        Answer<Health> health;
        backend.health(this, health.callback());
        QVERIFY(health.wait().ok());
        QVERIFY(!health.wait().value().dockerAvailable);
    }

private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<sm::ApiError>(); }

    void withoutDocker() {
        LocalBackend backend(SystemConfig{}, nullptr);
        expectAll(backend, 503);
    }

    void socketAbsent() {
        QTemporaryDir dir;
        DockerClient client(dir.filePath(QStringLiteral("docker.sock")));
        LocalBackend backend(SystemConfig{}, &client);
        expectAll(backend, 503);
        Answer<QList<DockerContainer>> list;
        backend.dockerContainers(this, false, list.callback());
        QVERIFY2(list.wait().error().message.contains(QLatin1String("not available")),
                 qPrintable(list.wait().error().message));
    }

    void overPodman() {
        if (!PodmanService::installed())
            QSKIP("podman is not installed (apt-get install podman runc busybox-static)");
        QVERIFY2(m_podman.start(), qPrintable(m_podman.errorString()));
        QVERIFY(
            !m_podman
                 .run(QStringLiteral("allowed"), QStringLiteral("echo hello; exec sleep 100000"))
                 .isEmpty());
        QVERIFY(!m_podman.run(QStringLiteral("guarded"), QStringLiteral("exec sleep 100000"))
                     .isEmpty());

        SystemConfig config;
        config.docker.control = QStringList{QStringLiteral("allowed")};
        DockerClient client(m_podman.socketPath());
        LocalBackend backend(config, &client);

        Answer<Health> health;
        backend.health(this, health.callback());
        QVERIFY(health.wait().ok());
        QVERIFY(health.wait().value().dockerAvailable);

        Answer<QList<DockerContainer>> list;
        backend.dockerContainers(this, false, list.callback());
        QVERIFY2(list.wait().ok(), why(list.wait()));
        QCOMPARE(list.wait().value().size(), 2);

        // Outside the allowlist: readable, not controllable, and left untouched.
        Answer<DockerStatus> guarded;
        backend.dockerStatus(this, QStringLiteral("guarded"), guarded.callback());
        QVERIFY2(guarded.wait().ok(), why(guarded.wait()));
        QCOMPARE(guarded.wait().value().status, QStringLiteral("running"));
        Answer<DockerControlResult> denied;
        backend.dockerControl(this, QStringLiteral("guarded"), QStringLiteral("stop"), 0,
                              denied.callback());
        QCOMPARE(denied.wait().error().status, 403);
        QVERIFY(denied.wait().error().message.contains(QLatin1String("docker.control")));
        Answer<DockerStatus> still;
        backend.dockerStatus(this, QStringLiteral("guarded"), still.callback());
        QCOMPARE(still.wait().value().status, QStringLiteral("running"));

        // An allowlisted name that is no container but a prefix of another one's id: the Engine
        // would resolve it to that container, which is not allowlisted.
        const QString prefix = still.wait().value().id.left(12);
        SystemConfig byPrefix;
        byPrefix.docker.control = QStringList{prefix};
        LocalBackend prefixed(byPrefix, &client);
        Answer<DockerControlResult> sneaky;
        prefixed.dockerControl(this, prefix, QStringLiteral("stop"), 0, sneaky.callback());
        QVERIFY(!sneaky.wait().ok());
        QCOMPARE(sneaky.wait().error().status, 403);
        QVERIFY2(sneaky.wait().error().message.contains(QLatin1String("'guarded'")),
                 why(sneaky.wait()));
        Answer<DockerStatus> untouched;
        backend.dockerStatus(this, QStringLiteral("guarded"), untouched.callback());
        QCOMPARE(untouched.wait().value().status, QStringLiteral("running"));

        Answer<DockerControlResult> stop;
        backend.dockerControl(this, QStringLiteral("allowed"), QStringLiteral("stop"), 0,
                              stop.callback());
        QVERIFY2(stop.wait().ok(), why(stop.wait()));
        QCOMPARE(stop.wait().value().name, QStringLiteral("allowed"));
        QCOMPARE(stop.wait().value().action, QStringLiteral("stop"));
        Answer<DockerStatus> stopped;
        backend.dockerStatus(this, QStringLiteral("allowed"), stopped.callback());
        QCOMPARE(stopped.wait().value().status, QStringLiteral("exited"));
        QCOMPARE(stopped.wait().value().running, false);

        Answer<DockerLogs> logs;
        backend.dockerLogs(this, QStringLiteral("allowed"), 10, logs.callback());
        QVERIFY2(logs.wait().ok(), why(logs.wait()));
        QCOMPARE(logs.wait().value().container, QStringLiteral("allowed"));
        QCOMPARE(logs.wait().value().tail, 10);
        QVERIFY(logs.wait().value().logs.endsWith(QLatin1String(" hello\n")));

        Answer<DockerStatus> unknown;
        backend.dockerStatus(this, QStringLiteral("ghost"), unknown.callback());
        QCOMPARE(unknown.wait().error().status, 404);
        QCOMPARE(unknown.wait().error().message,
                 QStringLiteral("Docker container 'ghost' not found"));

        m_podman.stop();
        QVERIFY(m_podman.mountsBelowRoot().isEmpty());
    }
};

QTEST_GUILESS_MAIN(DockerBackendTest)
#include "docker_backend.moc"
