// bench_push: the client of push_bench.sh, run once against a daemon of each design (push, or
// `monitor.push: false`). In this order it measures
//   1. state change -> /events: `s6-svc -k` on one service, until each of three /events
//      subscribers has that service's changed `service` event;
//   2. log line -> follower: a line written to the log service's input (s6-log writes it to
//      `current`), until a `log` event (SSE follow) and a `logs` frame (WebSocket) carry it;
//   3. the idle CPU of the daemon and the agent while nothing changes, subscribers connected
//      (before the flapping: its services stay in a crash loop for a minute afterwards, and the
//      daemon polls while a crash loop may end with time alone);
//   4. 1,000 changes (services flapping down/up in parallel): at each subscriber the events of a
//      service come in the order s6 made them and the last one is the final state;
// and prints one `key value` line per figure (progress and failures go to stderr).
// Plain POSIX: an independent client, sharing no parser with the daemon it measures.

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <random>
#include <signal.h>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char **environ;

namespace {

using Clock = std::chrono::steady_clock;

double msBetween(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

[[noreturn]] void die(const std::string &why) {
    std::fprintf(stderr, "bench_push: %s\n", why.c_str());
    std::exit(1);
}

// --- processes ----------------------------------------------------------------------------

// Starts argv[0] from PATH; its stdout goes to `outFd` when given, else to /dev/null.
pid_t spawn(const std::vector<std::string> &args, int outFd = -1) {
    std::vector<char *> argv;
    for (const std::string &a : args)
        argv.push_back(const_cast<char *>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (outFd >= 0)
        posix_spawn_file_actions_adddup2(&actions, outFd, 1);
    else
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0)
        die("cannot run " + args[0] + ": " + std::strerror(rc));
    return pid;
}

bool reap(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

std::string capture(const std::vector<std::string> &args) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        die("pipe");
    const pid_t pid = spawn(args, fds[1]);
    ::close(fds[1]);
    std::string out;
    char buf[256];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) != 0;) {
        if (n > 0)
            out.append(buf, size_t(n));
        else if (errno != EINTR)
            break;
    }
    ::close(fds[0]);
    reap(pid);
    return out;
}

// Seconds of CPU of a process: utime + stime from /proc/<pid>/stat (clock ticks), and the
// scheduler's nanosecond count summed over its threads (/proc/<pid>/task/*/schedstat).
double statCpuSeconds(long pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::istringstream fields(all.substr(all.rfind(')') + 2));
    std::string field;
    long ticks = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) // after "pid (comm)": utime 14, stime 15
        if (i >= 14)
            ticks += std::atol(field.c_str());
    return double(ticks) / double(sysconf(_SC_CLK_TCK));
}

double schedCpuSeconds(long pid) {
    const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
    DIR *dir = ::opendir(tasks.c_str());
    if (!dir)
        die("cannot read " + tasks);
    double total = 0;
    while (const dirent *e = ::readdir(dir)) {
        if (e->d_name[0] == '.')
            continue;
        std::ifstream in(tasks + '/' + e->d_name + "/schedstat");
        unsigned long long ns = 0;
        in >> ns;
        total += double(ns) / 1e9;
    }
    ::closedir(dir);
    return total;
}

// --- flat JSON ------------------------------------------------------------------------------

// The value of "key" in a flat object: a string unescaped, anything else as written.
std::string jsonValue(const std::string &json, const std::string &key) {
    const std::string needle = '"' + key + "\":";
    size_t at = json.find(needle);
    if (at == std::string::npos)
        return {};
    at += needle.size();
    std::string value;
    if (json[at] != '"')
        return json.substr(at, json.find_first_of(",}", at) - at);
    for (size_t i = at + 1; i < json.size() && json[i] != '"'; ++i)
        value += json[i] == '\\' ? json[++i] : json[i];
    return value;
}

// What s6 recorded for a service, as far as an event tells: the time passing (uptime_seconds,
// the seconds in raw) is left out, as the daemon leaves it out when it decides what changed.
struct Status {
    std::string service;
    bool up = false;
    long pid = 0; // 0 when down
    std::string since;
    std::string rest; // want_up, normally_up, ready, paused, exit_code, signal
    bool operator==(const Status &o) const = default;
};

Status parseStatus(const std::string &json) {
    std::string rest;
    for (const char *key : {"want_up", "normally_up", "ready", "paused", "exit_code", "signal"})
        rest += jsonValue(json, key) + ' ';
    return {jsonValue(json, "service"), jsonValue(json, "is_up") == "true",
            std::atol(jsonValue(json, "pid").c_str()), jsonValue(json, "since"), rest};
}

// Tokens the bench wrote (`line-...`, `warm-...`) found anywhere in a text.
std::vector<std::string> tokensIn(const std::string &text) {
    std::vector<std::string> found;
    for (const char *prefix : {"line-", "warm-"}) {
        for (size_t at = text.find(prefix); at != std::string::npos;
             at = text.find(prefix, at + 1)) {
            size_t end = at;
            while (end < text.size() && (std::isalnum(uint8_t(text[end])) || text[end] == '-'))
                ++end;
            found.push_back(text.substr(at, end - at));
        }
    }
    return found;
}

// --- connections ------------------------------------------------------------------------------

int connectTcp(const std::string &host, int port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(port));
    ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0)
        die("cannot connect to the daemon: " + std::string(std::strerror(errno)));
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

void sendAll(int fd, const std::string &bytes) {
    if (::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) != ssize_t(bytes.size()))
        die("cannot send a request");
}

// One connection to the daemon; `arrival` is when the bytes being fed were read.
class Connection {
public:
    Connection(const std::string &host, int port, const std::string &request)
        : m_fd(connectTcp(host, port)) {
        sendAll(m_fd, request);
    }
    virtual ~Connection() { ::close(m_fd); }
    int fd() const { return m_fd; }
    bool closed() const { return m_closed; }
    void readAvailable(Clock::time_point arrival) {
        char buf[65536];
        for (;;) {
            const ssize_t n = ::recv(m_fd, buf, sizeof buf, MSG_DONTWAIT);
            if (n > 0) {
                feed(std::string_view(buf, size_t(n)), arrival);
                continue;
            }
            if (n == 0 || (errno != EAGAIN && errno != EINTR))
                m_closed = true;
            if (n == 0 || errno != EINTR)
                return;
        }
    }

protected:
    virtual void feed(std::string_view bytes, Clock::time_point arrival) = 0;

private:
    int m_fd;
    bool m_closed = false;
};

// An HTTP response: status line and headers, then the body (chunked or not) handed on.
class HttpReader {
public:
    std::function<void(std::string_view)> onBody;
    int status = 0;
    bool headersDone = false;
    bool complete = false; // the whole body arrived

    void feed(std::string_view bytes) {
        m_in.append(bytes);
        if (!headersDone) {
            const size_t end = m_in.find("\r\n\r\n");
            if (end == std::string::npos)
                return;
            std::string head = m_in.substr(0, end);
            m_in.erase(0, end + 4);
            status = std::atoi(head.c_str() + head.find(' ') + 1);
            for (char &c : head)
                c = char(std::tolower(uint8_t(c)));
            m_chunked = head.find("transfer-encoding: chunked") != std::string::npos;
            const size_t length = head.find("content-length:");
            if (length != std::string::npos)
                m_left = std::atol(head.c_str() + length + 15);
            headersDone = true;
        }
        if (!m_chunked) {
            onBody(m_in);
            m_left -= long(m_in.size());
            complete = m_left == 0;
            m_in.clear();
            return;
        }
        for (;;) {
            if (m_chunkLeft == 0) {
                const size_t eol = m_in.find("\r\n", m_skipCrlf ? 2 : 0);
                if (eol == std::string::npos || (m_skipCrlf && m_in.size() < 2))
                    return;
                m_chunkLeft = std::strtoul(m_in.c_str() + (m_skipCrlf ? 2 : 0), nullptr, 16);
                m_in.erase(0, eol + 2);
                m_skipCrlf = false;
                if (m_chunkLeft == 0) {
                    complete = true; // the last chunk
                    return;
                }
            }
            const size_t n = std::min(m_chunkLeft, m_in.size());
            if (n == 0)
                return;
            onBody(std::string_view(m_in).substr(0, n));
            m_in.erase(0, n);
            m_chunkLeft -= n;
            m_skipCrlf = m_chunkLeft == 0;
        }
    }

private:
    std::string m_in;
    bool m_chunked = false;
    long m_left = -1; // of a body with Content-Length
    size_t m_chunkLeft = 0;
    bool m_skipCrlf = false; // the CRLF that ends a chunk's data
};

// A server-sent events stream over HTTP; every complete event goes to onEvent().
class EventStream : public Connection {
public:
    EventStream(const std::string &host, int port, const std::string &path)
        : Connection(host, port,
                     "GET " + path + " HTTP/1.1\r\nHost: " + host +
                         "\r\nAccept: text/event-stream\r\n\r\n") {
        m_http.onBody = [this](std::string_view body) { parse(body); };
    }
    bool open() const { return m_http.headersDone && m_http.status == 200; }

protected:
    virtual void onEvent(const std::string &name, const std::string &data) = 0;
    void feed(std::string_view bytes, Clock::time_point arrival) override {
        m_arrival = arrival;
        m_http.feed(bytes);
    }
    Clock::time_point m_arrival;

private:
    void parse(std::string_view body) {
        m_body.append(body);
        size_t start = 0;
        for (size_t eol; (eol = m_body.find('\n', start)) != std::string::npos; start = eol + 1) {
            const std::string line = m_body.substr(start, eol - start);
            if (line.empty()) {
                if (!m_data.empty() || !m_name.empty())
                    onEvent(m_name, m_data);
                m_name.clear();
                m_data.clear();
            } else if (line.rfind("event:", 0) == 0) {
                m_name = line.substr(line.size() > 6 && line[6] == ' ' ? 7 : 6);
            } else if (line.rfind("data:", 0) == 0) {
                m_data += (m_data.empty() ? "" : "\n") +
                          line.substr(line.size() > 5 && line[5] == ' ' ? 6 : 5);
            }
        }
        m_body.erase(0, start);
    }
    HttpReader m_http;
    std::string m_body, m_name, m_data;
};

// A /events subscriber: the latest state of every service, and each `service` event in turn.
class Subscriber final : public EventStream {
public:
    struct Record {
        Status status;
        Clock::time_point arrival;
    };
    Subscriber(const std::string &host, int port)
        : EventStream(host, port, "/events") {}
    std::map<std::string, Status> latest;
    std::vector<Record> records;

protected:
    void onEvent(const std::string &name, const std::string &data) override {
        if (name != "service")
            return;
        Status s = parseStatus(data);
        latest[s.service] = s;
        records.push_back({std::move(s), m_arrival});
    }
};

// When each bench token first arrived at one log follower.
struct TokenArrivals {
    std::map<std::string, Clock::time_point> first;
    void note(const std::string &text, Clock::time_point arrival) {
        for (const std::string &token : tokensIn(text))
            first.emplace(token, arrival);
    }
    bool sawPrefix(const std::string &prefix) const {
        const auto it = first.lower_bound(prefix);
        return it != first.end() && it->first.rfind(prefix, 0) == 0;
    }
};

class SseLogFollower final : public EventStream {
public:
    SseLogFollower(const std::string &host, int port, const std::string &path)
        : EventStream(host, port, path) {}
    TokenArrivals tokens;

protected:
    void onEvent(const std::string &name, const std::string &data) override {
        if (name == "log")
            tokens.note(data, m_arrival);
    }
};

// The log WebSocket: the handshake's 101, then server frames (never masked), messages joined.
class WsLogFollower final : public Connection {
public:
    WsLogFollower(const std::string &host, int port, const std::string &path)
        : Connection(host, port,
                     "GET " + path + " HTTP/1.1\r\nHost: " + host +
                         "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                         "Sec-WebSocket-Key: cHVzaGJlbmNoLXdzLWtleQ==\r\n"
                         "Sec-WebSocket-Version: 13\r\n\r\n") {}
    bool open() const { return m_status == 101; }
    TokenArrivals tokens;

protected:
    void feed(std::string_view bytes, Clock::time_point arrival) override {
        m_in.append(bytes);
        if (m_status == 0) {
            const size_t end = m_in.find("\r\n\r\n");
            if (end == std::string::npos)
                return;
            m_status = std::atoi(m_in.c_str() + m_in.find(' ') + 1);
            m_in.erase(0, end + 4);
        }
        for (;;) {
            if (m_in.size() < 2)
                return;
            const auto *b = reinterpret_cast<const uint8_t *>(m_in.data());
            uint64_t length = b[1] & 0x7f;
            size_t header = 2;
            if (length >= 126) {
                header = length == 126 ? 4 : 10;
                if (m_in.size() < header)
                    return;
                length = 0;
                for (size_t i = 2; i < header; ++i)
                    length = length << 8 | b[i];
            }
            if (m_in.size() < header + length)
                return;
            const int opcode = b[0] & 0x0f;
            const bool fin = b[0] & 0x80;
            if (opcode == 0 || opcode == 1)
                m_message.append(m_in, header, length);
            m_in.erase(0, header + length);
            if (fin && (opcode == 0 || opcode == 1)) {
                if (m_message.find("\"type\":\"logs\"") != std::string::npos)
                    tokens.note(m_message, arrival);
                m_message.clear();
            }
        }
    }

private:
    int m_status = 0;
    std::string m_in, m_message;
};

// One GET answered whole (Connection: close).
std::string httpGet(const std::string &host, int port, const std::string &path) {
    const int fd = connectTcp(host, port);
    sendAll(fd, "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
    HttpReader reader;
    std::string body;
    reader.onBody = [&body](std::string_view b) { body.append(b); };
    const timeval timeout{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    char buf[65536];
    for (ssize_t n; !reader.complete && (n = ::recv(fd, buf, sizeof buf, 0)) != 0;) {
        if (n > 0)
            reader.feed(std::string_view(buf, size_t(n)));
        else if (errno != EINTR)
            break;
    }
    ::close(fd);
    if (reader.status != 200 || !reader.complete)
        die("GET " + path + " answered " + std::to_string(reader.status));
    return body;
}

// --- the event loop ---------------------------------------------------------------------------

std::vector<Connection *> g_connections;

// Reads whatever arrives within `timeoutMs` on every connection.
void pump(int timeoutMs) {
    std::vector<pollfd> fds;
    for (Connection *c : g_connections)
        fds.push_back({c->fd(), POLLIN, 0});
    const int n = ::poll(fds.data(), nfds_t(fds.size()), timeoutMs);
    if (n <= 0)
        return;
    const Clock::time_point arrival = Clock::now();
    for (size_t i = 0; i < fds.size(); ++i) {
        if (!fds[i].revents)
            continue;
        g_connections[i]->readAvailable(arrival);
        if (g_connections[i]->closed())
            die("the daemon closed a stream");
    }
}

// Pumps until `done()` holds; false when `timeoutMs` passed first.
bool waitFor(const std::function<bool()> &done, double timeoutMs) {
    const Clock::time_point deadline =
        Clock::now() + std::chrono::microseconds(long(timeoutMs * 1000));
    while (!done()) {
        const double left = msBetween(Clock::now(), deadline);
        if (left <= 0)
            return false;
        pump(int(std::ceil(std::min(left, 100.0))));
    }
    return true;
}

void pumpFor(double ms) {
    waitFor([] { return false; }, ms);
}

// Nearest rank.
double percentile(std::vector<double> v, double p) {
    if (v.empty())
        return NAN;
    std::sort(v.begin(), v.end());
    return v[size_t(std::max(1.0, std::ceil(p * double(v.size())))) - 1];
}

void printLatencies(const std::string &key, const std::vector<double> &v) {
    if (std::getenv("PUSH_BENCH_DEBUG")) {
        std::fprintf(stderr, "%s:", key.c_str());
        for (double x : v)
            std::fprintf(stderr, " %.2f", x);
        std::fprintf(stderr, "\n");
    }
    std::printf("%s_samples %zu\n%s_p50_ms %.2f\n%s_p99_ms %.2f\n%s_max_ms %.2f\n", key.c_str(),
                v.size(), key.c_str(), percentile(v, 0.5), key.c_str(), percentile(v, 0.99),
                key.c_str(), percentile(v, 1.0));
}

std::vector<std::string> words(const std::string &text) {
    std::istringstream in(text);
    return {std::istream_iterator<std::string>(in), std::istream_iterator<std::string>()};
}

struct Options {
    std::map<std::string, std::string> values;
    std::string operator[](const std::string &key) const {
        const auto it = values.find(key);
        if (it == values.end())
            die("missing --" + key);
        return it->second;
    }
    double number(const std::string &key) const { return std::atof((*this)[key].c_str()); }
};

// --- the phases -------------------------------------------------------------------------------

class Bench {
public:
    explicit Bench(Options options)
        : m_opt(std::move(options)) {
        const std::string url = m_opt["url"]; // http://HOST:PORT
        const size_t colon = url.rfind(':');
        m_host = url.substr(url.find("//") + 2, colon - url.find("//") - 2);
        m_port = std::atoi(url.c_str() + colon + 1);
        m_container = m_opt["container"];
        m_label = m_opt["label"];
    }
    void subscribe();
    void stateChanges();
    void logLines();
    void flapping();
    void idleCpu();

private:
    std::string dir(const std::string &service) const { return m_opt["scandir"] + '/' + service; }
    double uniformMs(double maxMs) {
        return std::uniform_real_distribution<double>(0, maxMs)(m_random);
    }
    std::vector<size_t> marks() const {
        std::vector<size_t> at;
        for (const auto &s : m_subscribers)
            at.push_back(s->records.size());
        return at;
    }
    void progress(const char *what) const {
        std::fprintf(stderr, "bench_push [%s]: %s\n", m_label.c_str(), what);
    }

    Options m_opt;
    std::string m_host, m_container, m_label;
    int m_port = 0;
    std::vector<std::unique_ptr<Subscriber>> m_subscribers;
    std::mt19937 m_random{std::random_device{}()};
};

// Three /events subscribers, each with the state of every service.
void Bench::subscribe() {
    progress("three /events subscribers");
    const size_t services = size_t(m_opt.number("services"));
    for (int i = 0; i < 3; ++i) {
        m_subscribers.push_back(std::make_unique<Subscriber>(m_host, m_port));
        g_connections.push_back(m_subscribers.back().get());
    }
    const bool ready = waitFor(
        [&] {
            return std::all_of(m_subscribers.begin(), m_subscribers.end(), [&](const auto &s) {
                return s->open() && s->latest.size() >= services;
            });
        },
        15000);
    if (!ready)
        die("the /events subscribers did not get " + std::to_string(services) +
            " services within 15 s");
}

// `s6-svc -k` on one service after another: the time from the command to the first event of
// that service, at each subscriber, that no longer shows the killed process.
void Bench::stateChanges() {
    progress("state change -> /events (s6-svc -k)");
    const double phaseMs = m_opt.number("phase-ms");
    const std::vector<std::string> services = words(m_opt["trial-services"]);
    std::vector<double> latencies;
    int missed = 0;
    std::map<std::string, long> killed;
    for (const std::string &service : services) {
        // A random phase: the polling design's delay depends on where in its cycle a change
        // falls, so trials must not start in step with it.
        pumpFor(uniformMs(phaseMs));
        const Status before = m_subscribers[0]->latest[service];
        if (!before.up)
            die(service + " is not up before its trial");
        killed[service] = before.pid;
        std::vector<size_t> from = marks();
        std::vector<double> got(m_subscribers.size(), -1);
        const Clock::time_point t0 = Clock::now();
        const pid_t child = spawn({"s6-svc", "-k", dir(service)});
        waitFor(
            [&] {
                bool all = true;
                for (size_t i = 0; i < m_subscribers.size(); ++i) {
                    const auto &records = m_subscribers[i]->records;
                    for (; got[i] < 0 && from[i] < records.size(); ++from[i]) {
                        const Status &s = records[from[i]].status;
                        if (s.service == service && !(s.up && s.pid == before.pid))
                            got[i] = msBetween(t0, records[from[i]].arrival);
                    }
                    all = all && got[i] >= 0;
                }
                return all;
            },
            5000 + phaseMs);
        if (!reap(child))
            die("s6-svc -k " + service + " failed");
        for (double ms : got) {
            if (ms < 0)
                ++missed;
            else
                latencies.push_back(ms);
        }
    }
    // Every killed service back up (s6-supervise restarts it) before anything else is measured.
    const bool back = waitFor(
        [&] {
            for (const auto &[service, pid] : killed) {
                for (const auto &s : m_subscribers) {
                    const Status &now = s->latest[service];
                    if (!now.up || now.pid == pid)
                        return false;
                }
            }
            return true;
        },
        10000);
    if (!back)
        die("the killed services did not come back within 10 s");
    printLatencies("state", latencies);
    std::printf("state_missed %d\n", missed);
    std::fflush(stdout);
}

void writeLine(int fd, const std::string &line) {
    const std::string bytes = line + '\n';
    if (::write(fd, bytes.data(), bytes.size()) != ssize_t(bytes.size()))
        die("cannot write to the log service's fifo");
}

// A line into the log service's input (it copies it to s6-log): the time until a follower over
// SSE and one over the WebSocket have it.
void Bench::logLines() {
    progress("log line -> SSE and WebSocket followers");
    const std::string service = m_opt["log-service"];
    const int fifo = ::open(m_opt["fifo"].c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fifo < 0)
        die("cannot open " + m_opt["fifo"]);
    const std::string logs = "/containers/" + m_container + "/services/" + service + "/logs";
    SseLogFollower sse(m_host, m_port, logs + "?follow=true&tail=0");
    WsLogFollower ws(m_host, m_port, "/ws" + logs);
    g_connections.push_back(&sse);
    g_connections.push_back(&ws);
    // Both followers are in place once a warm-up line reaches them: one every 100 ms until then.
    const std::string warm = "warm-" + m_label + "-";
    bool ready = false;
    for (int i = 0; i < 100 && !ready; ++i) {
        writeLine(fifo, warm + std::to_string(i));
        ready =
            waitFor([&] { return sse.tokens.sawPrefix(warm) && ws.tokens.sawPrefix(warm); }, 100);
    }
    if (!ready)
        die("no warm-up line reached both log followers within 10 s");
    std::vector<double> viaSse, viaWs;
    int missed = 0;
    const int lines = int(m_opt.number("lines"));
    for (int i = 0; i < lines; ++i) {
        // A random phase against the old agent's 100 ms log tick (see stateChanges()).
        pumpFor(uniformMs(100));
        const std::string token = "line-" + m_label + "-" + std::to_string(i);
        const Clock::time_point t0 = Clock::now();
        writeLine(fifo, token);
        waitFor([&] { return sse.tokens.first.count(token) && ws.tokens.first.count(token); },
                3000);
        const std::pair<TokenArrivals *, std::vector<double> *> followers[] = {
            {&sse.tokens, &viaSse}, {&ws.tokens, &viaWs}};
        for (auto [tokens, into] : followers) {
            const auto it = tokens->first.find(token);
            if (it == tokens->first.end())
                ++missed;
            else
                into->push_back(msBetween(t0, it->second));
        }
    }
    g_connections.resize(g_connections.size() - 2);
    ::close(fifo);
    printLatencies("log_sse", viaSse);
    printLatencies("log_ws", viaWs);
    std::printf("log_missed %d\n", missed);
    std::fflush(stdout);
}

// Services flapping in parallel, each `s6-svc -wd -d` then `-wu -u` until it made its share of
// the changes; after each up the new pid is noted, which gives the order s6 made them in.
void Bench::flapping() {
    progress("flapping");
    struct Flapper {
        std::string service, dir;
        std::vector<long> pids; // the up states in order, the one before the first change first
        int failures = 0;
    };
    const int perService = int(m_opt.number("flap-changes"));
    std::vector<Flapper> flappers;
    for (const std::string &service : words(m_opt["flap-services"]))
        flappers.push_back({service, dir(service), {}, 0});
    const std::vector<size_t> from = marks();
    std::atomic<size_t> finished{0};
    std::vector<std::thread> threads;
    const Clock::time_point t0 = Clock::now();
    for (Flapper &f : flappers) {
        threads.emplace_back([&f, perService, &finished] {
            const auto pid = [&f] {
                return std::atol(capture({"s6-svstat", "-o", "pid", f.dir}).c_str());
            };
            f.pids.push_back(pid());
            for (int k = 0; k < perService; k += 2) {
                f.failures += !reap(spawn({"s6-svc", "-T", "5000", "-wd", "-d", f.dir}));
                f.failures += !reap(spawn({"s6-svc", "-T", "5000", "-wu", "-u", f.dir}));
                f.pids.push_back(pid());
            }
            ++finished;
        });
    }
    waitFor([&] { return finished == flappers.size(); }, 120000);
    for (std::thread &t : threads)
        t.join();
    const double flapSeconds = msBetween(t0, Clock::now()) / 1000;

    // The final state, as the agent reads it now.
    const std::string body =
        httpGet(m_host, m_port, "/containers/" + m_container + "/services/status");
    std::map<std::string, Status> final;
    for (size_t at = body.find('{', body.find("\"statuses\"")); at != std::string::npos;
         at = body.find('{', at + 1)) {
        const Status s = parseStatus(body.substr(at, body.find('}', at) - at + 1));
        final[s.service] = s;
    }
    int failures = 0;
    for (const Flapper &f : flappers) {
        failures += f.failures;
        if (final[f.service].pid != f.pids.back())
            die(f.service + ": the agent's final pid is not the one s6-svstat gave");
    }
    const bool settled = waitFor(
        [&] {
            for (const auto &s : m_subscribers)
                for (const Flapper &f : flappers)
                    if (!(s->latest[f.service] == final[f.service]))
                        return false;
            return true;
        },
        5000 + m_opt.number("phase-ms"));
    if (!settled)
        progress("some subscriber does not show the final state 5 s after the last change");

    long eventsMin = LONG_MAX, eventsMax = 0, seenMin = LONG_MAX;
    int reordered = 0, unknown = 0, duplicates = 0, wrongFinal = 0;
    for (size_t i = 0; i < m_subscribers.size(); ++i) {
        const auto &records = m_subscribers[i]->records;
        long events = 0, seen = 0; // changes seen: up states, and downs after an up
        for (const Flapper &f : flappers) {
            std::map<long, size_t> order;
            for (size_t k = 0; k < f.pids.size(); ++k)
                order[f.pids[k]] = k;
            size_t last = 0; // f.pids[0] is the state before the first change
            const Status *previous = nullptr;
            bool wasUp = true;
            for (size_t k = from[i]; k < records.size(); ++k) {
                const Status &s = records[k].status;
                if (s.service != f.service)
                    continue;
                ++events;
                if (previous && s.since < previous->since)
                    ++reordered;
                if (previous && s == *previous)
                    ++duplicates;
                previous = &s;
                seen += !s.up && wasUp;
                wasUp = s.up;
                if (!s.up)
                    continue;
                // The same up state again (its want up/down changed) is no step back.
                const auto it = order.find(s.pid);
                if (it == order.end())
                    ++unknown;
                else if (it->second < last)
                    ++reordered;
                else if (it->second > last)
                    last = it->second, ++seen;
            }
            if (!previous || !(*previous == final[f.service]))
                ++wrongFinal;
        }
        eventsMin = std::min(eventsMin, events);
        eventsMax = std::max(eventsMax, events);
        seenMin = std::min(seenMin, seen);
    }
    std::printf("flap_services %zu\nflap_changes %d\nflap_seconds %.1f\n", flappers.size(),
                int(flappers.size()) * perService, flapSeconds);
    std::printf("flap_command_failures %d\nflap_events_min %ld\nflap_events_max %ld\n", failures,
                eventsMin, eventsMax);
    std::printf("flap_seen_min %ld\n", seenMin);
    std::printf("flap_reordered %d\nflap_unknown_pid %d\nflap_duplicates %d\n", reordered, unknown,
                duplicates);
    std::printf("flap_final_wrong %d\nflap_final_checked %zu\n", wrongFinal,
                flappers.size() * m_subscribers.size());
    std::fflush(stdout);
}

// CPU of the daemon and the agent while nothing changes and the subscribers stay connected.
void Bench::idleCpu() {
    progress("idle CPU");
    const long daemon = long(m_opt.number("daemon-pid")), agent = long(m_opt.number("agent-pid"));
    const std::vector<size_t> from = marks();
    const Clock::time_point t0 = Clock::now();
    const double d0 = statCpuSeconds(daemon), a0 = statCpuSeconds(agent);
    const double ds0 = schedCpuSeconds(daemon), as0 = schedCpuSeconds(agent);
    pumpFor(m_opt.number("idle-seconds") * 1000);
    const double d1 = statCpuSeconds(daemon), a1 = statCpuSeconds(agent);
    const double ds1 = schedCpuSeconds(daemon), as1 = schedCpuSeconds(agent);
    const double wall = msBetween(t0, Clock::now()) / 1000;
    size_t events = 0;
    for (size_t i = 0; i < m_subscribers.size(); ++i)
        events += m_subscribers[i]->records.size() - from[i];
    const auto pct = [wall](double a, double b) { return 100 * (b - a) / wall; };
    std::printf("idle_seconds %.1f\nidle_events %zu\n", wall, events);
    std::printf("idle_daemon_pct %.4f\nidle_agent_pct %.4f\n", pct(ds0, ds1), pct(as0, as1));
    std::printf("idle_daemon_stat_pct %.3f\nidle_agent_stat_pct %.3f\n", pct(d0, d1), pct(a0, a1));
    std::fflush(stdout);
}

} // namespace

int main(int argc, char **argv) {
    ::signal(SIGPIPE, SIG_IGN);
    Options options;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strncmp(argv[i], "--", 2) != 0)
            die(std::string("unexpected argument ") + argv[i]);
        options.values[argv[i] + 2] = argv[i + 1];
    }
    if (argc % 2 == 0)
        die("usage: bench_push --url http://HOST:PORT --container C --scandir D --services N "
            "--trial-services \"S...\" --flap-services \"S...\" --flap-changes N --log-service S "
            "--fifo F --lines N --phase-ms MS --idle-seconds S --daemon-pid P --agent-pid P "
            "--label L [--phases all|state,logs,flap,idle]");
    const std::string phases = options.values.count("phases") ? options.values["phases"] : "all";
    const auto wanted = [&phases](const char *phase) {
        return phases == "all" || phases.find(phase) != std::string::npos;
    };
    Bench bench(std::move(options));
    if (wanted("state") || wanted("flap") || wanted("idle"))
        bench.subscribe();
    if (wanted("state"))
        bench.stateChanges();
    if (wanted("logs"))
        bench.logLines();
    if (wanted("idle"))
        bench.idleCpu();
    if (wanted("flap"))
        bench.flapping();
    return 0;
}
