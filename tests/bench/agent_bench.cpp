// bench_agent: load generator for the s6-agent, run by agent_bench.sh.
// N keep-alive connections (one thread each, sequential requests) send
// GET <path> over the Unix socket; it reports requests/s, median and p99
// latency, the agent's VmRSS after half and all requests, and the old way of
// answering the same question (one s6-svstat process per service) for comparison.

#include <http_parser.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
    std::string socket, scanDir, path = "/services/status";
    long pid = 0;
    int connections = 4;
    long requests = 100000;
    int oldRounds = 40;
};

long vmRssKb(long pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0)
            return std::atol(line.c_str() + 6);
    return -1;
}

int connectTo(const std::string &path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
        std::perror("connect");
        std::exit(1);
    }
    return fd;
}

struct ReplyReader {
    http_parser parser{};
    http_parser_settings settings{};
    bool done = false;
    unsigned status = 0;
    size_t bodyBytes = 0;

    ReplyReader() {
        http_parser_init(&parser, HTTP_RESPONSE);
        parser.data = this;
        http_parser_settings_init(&settings);
        settings.on_body = [](http_parser *p, const char *, size_t n) {
            static_cast<ReplyReader *>(p->data)->bodyBytes += n;
            return 0;
        };
        settings.on_message_complete = [](http_parser *p) {
            auto *self = static_cast<ReplyReader *>(p->data);
            self->done = true;
            self->status = p->status_code;
            http_parser_pause(p, 1);
            return 0;
        };
    }
    // One reply from fd (keep-alive, one request in flight: no leftovers).
    bool read(int fd) {
        done = false;
        char buffer[65536];
        while (!done) {
            const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n <= 0)
                return false;
            http_parser_execute(&parser, &settings, buffer, size_t(n));
            if (HTTP_PARSER_ERRNO(&parser) == HPE_PAUSED)
                http_parser_pause(&parser, 0);
            else if (HTTP_PARSER_ERRNO(&parser) != HPE_OK)
                return false;
        }
        return status == 200;
    }
};

// utime + stime of a process, in seconds.
double cpuSeconds(long pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t close = all.rfind(')');
    if (close == std::string::npos)
        return 0;
    std::vector<std::string> fields;
    size_t pos = close + 2;
    while (pos < all.size()) {
        const size_t space = all.find(' ', pos);
        fields.push_back(all.substr(pos, space - pos));
        if (space == std::string::npos)
            break;
        pos = space + 1;
    }
    // After "pid (comm)": state is field 3, utime 14, stime 15.
    if (fields.size() < 13)
        return 0;
    return double(std::atol(fields[11].c_str()) + std::atol(fields[12].c_str())) /
           double(sysconf(_SC_CLK_TCK));
}

double percentile(std::vector<double> &v, double p) {
    if (v.empty())
        return 0;
    const size_t k = std::min(v.size() - 1, size_t(p * double(v.size())));
    std::nth_element(v.begin(), v.begin() + long(k), v.end());
    return v[k];
}

} // namespace

int main(int argc, char **argv) {
    Args a;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i], v = argv[i + 1];
        if (k == "--socket")
            a.socket = v;
        else if (k == "--scandir")
            a.scanDir = v;
        else if (k == "--pid")
            a.pid = std::atol(v.c_str());
        else if (k == "--connections")
            a.connections = std::atoi(v.c_str());
        else if (k == "--requests")
            a.requests = std::atol(v.c_str());
        else if (k == "--old-rounds")
            a.oldRounds = std::atoi(v.c_str());
        else if (k == "--path")
            a.path = v;
        else {
            std::fprintf(stderr, "bench_agent: unknown option %s\n", k.c_str());
            return 2;
        }
    }
    if (a.socket.empty() || a.scanDir.empty() || a.pid <= 0) {
        std::fprintf(stderr, "usage: bench_agent --socket S --scandir D --pid AGENT_PID "
                             "[--connections N] [--requests N] [--old-rounds N] [--path P]\n");
        return 2;
    }
    const std::string request = "GET " + a.path + " HTTP/1.1\r\nHost: agent\r\n\r\n";
    std::vector<std::string> services;
    for (const auto &e : std::filesystem::directory_iterator(a.scanDir))
        if (e.is_directory() && e.path().filename().string()[0] != '.')
            services.push_back(e.path().string());
    std::sort(services.begin(), services.end());

    // Warm-up, and the size of one answer.
    size_t answerBytes = 0;
    {
        const int fd = connectTo(a.socket);
        ReplyReader r;
        for (int i = 0; i < 1000; ++i) {
            ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
            if (!r.read(fd)) {
                std::fprintf(stderr, "bad reply\n");
                return 1;
            }
            answerBytes = r.bodyBytes;
            r.bodyBytes = 0;
        }
        ::close(fd);
    }
    const long rssStart = vmRssKb(a.pid);
    const double cpuStart = cpuSeconds(a.pid);

    std::atomic<long> issued{0};
    std::atomic<long> rssHalf{-1};
    std::atomic<bool> failed{false};
    std::vector<std::vector<double>> latencies(size_t(a.connections));
    const auto start = Clock::now();
    std::vector<std::thread> threads;
    for (int c = 0; c < a.connections; ++c) {
        threads.emplace_back([&, c] {
            const int fd = connectTo(a.socket);
            ReplyReader r;
            auto &mine = latencies[size_t(c)];
            mine.reserve(size_t(a.requests / a.connections + 1));
            for (;;) {
                const long n = issued.fetch_add(1);
                if (n >= a.requests)
                    break;
                if (n == a.requests / 2)
                    rssHalf = vmRssKb(a.pid);
                const auto t0 = Clock::now();
                ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
                if (!r.read(fd)) {
                    failed = true;
                    break;
                }
                mine.push_back(
                    std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
            }
            ::close(fd);
        });
    }
    for (auto &t : threads)
        t.join();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const long rssEnd = vmRssKb(a.pid);
    const double cpuPerRequest = (cpuSeconds(a.pid) - cpuStart) / double(a.requests) * 1e6;
    if (failed) {
        std::fprintf(stderr, "a request failed\n");
        return 1;
    }
    std::vector<double> all;
    for (auto &v : latencies)
        all.insert(all.end(), v.begin(), v.end());
    const double rps = double(all.size()) / seconds;
    const double median = percentile(all, 0.5), p90 = percentile(all, 0.90),
                 p99 = percentile(all, 0.99);

    // The old way: one s6-svstat process per service, for every service = one answer.
    std::vector<double> oldLat;
    const auto oldStart = Clock::now();
    for (int round = 0; round < a.oldRounds; ++round) {
        const auto t0 = Clock::now();
        for (const auto &dir : services) {
            const pid_t pid = fork();
            if (pid == 0) {
                const int devnull = ::open("/dev/null", O_WRONLY);
                ::dup2(devnull, 1);
                ::execlp("s6-svstat", "s6-svstat", dir.c_str(), static_cast<char *>(nullptr));
                _exit(127);
            }
            int st = 0;
            ::waitpid(pid, &st, 0);
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                std::fprintf(stderr, "s6-svstat failed\n");
                return 1;
            }
        }
        oldLat.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    }
    const double oldSeconds = std::chrono::duration<double>(Clock::now() - oldStart).count();
    const double oldRps = double(a.oldRounds) / oldSeconds;

    std::printf("\nGET %s with %zu services, %ld requests over %d keep-alive connections "
                "(answer %zu bytes)\n\n",
                a.path.c_str(), services.size(), long(all.size()), a.connections, answerBytes);
    std::printf("| measure                          | value        | target        |\n");
    std::printf("|----------------------------------|--------------|---------------|\n");
    std::printf("| agent throughput                 | %9.0f /s | -             |\n", rps);
    std::printf("| agent latency median             | %9.3f ms | -             |\n", median / 1000);
    std::printf("| agent latency p90                | %9.3f ms | -             |\n", p90 / 1000);
    std::printf("| agent latency p99                | %9.3f ms | < 2 ms        |\n", p99 / 1000);
    std::printf("| agent CPU time per request       | %9.0f us | -             |\n", cpuPerRequest);
    std::printf("| old way (%zu x s6-svstat) / answer | %9.2f /s | -             |\n",
                services.size(), oldRps);
    std::printf("| old way latency median           | %9.3f ms | -             |\n",
                percentile(oldLat, 0.5) / 1000);
    std::printf("| speed-up agent / old way         | %9.0f x  | >= 50 x       |\n", rps / oldRps);
    std::printf("| agent VmRSS after warm-up        | %9ld kB | -             |\n", rssStart);
    std::printf("| agent VmRSS after %6ld requests | %9ld kB | < 4096 kB     |\n", a.requests / 2,
                rssHalf.load());
    std::printf("| agent VmRSS after %6ld requests | %9ld kB | < 4096 kB     |\n", a.requests,
                rssEnd);
    // Flat: RSS moves in 4 kB pages as the heap's top wanders, but a leak of even one 32-byte
    // allocation per 25 requests would pass 64 kB over the second half.
    const long growthKb = rssEnd - rssHalf.load();
    std::printf("| VmRSS growth second half         | %9ld kB | < 64 kB       |\n", growthKb);
    const bool ok = p99 < 2000 && rps / oldRps >= 50 && rssEnd < 4096 && growthKb < 64;
    std::printf("\n%s\n", ok ? "all targets met" : "SOME TARGETS MISSED");
    return ok ? 0 : 3;
}
