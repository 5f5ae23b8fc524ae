// DPDK telemetry and /metrics on a running `vfpath run`: every /vfpath command answers valid JSON
// with live counters that grow, /ethdev/* still works, the fault command drives a real recovery,
// /metrics is scraped over HTTP and passes promtool, and a public address is refused.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <functional>
#include <memory>
#include <set>
#include <regex>
#include <sstream>
#include <thread>

#include "harness.h"

namespace vfpt {
namespace {

// A telemetry client: connects to the SOCK_SEQPACKET socket and checks DPDK's greeting.
class TelemetryClient {
public:
    explicit TelemetryClient(const std::string& path) {
        fd_ = ::socket(AF_UNIX, SOCK_SEQPACKET, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
        if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return;
        hello_ = receive();
    }
    ~TelemetryClient() {
        if (fd_ >= 0) ::close(fd_);
    }
    const json& hello() const { return hello_; }
    // The reply's value under the command's name; null json when there was no valid reply.
    json query(const std::string& cmd) {
        if (::send(fd_, cmd.data(), cmd.size(), 0) < 0) return nullptr;
        const json r = receive();
        const std::string name = cmd.substr(0, cmd.find(','));
        return r.is_object() && r.contains(name) ? r[name] : json(nullptr);
    }

private:
    json receive() {
        std::string buf(65536, '\0');
        const ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
        if (n <= 0) return nullptr;
        buf.resize(size_t(n));
        return json::parse(buf, nullptr, false);  // discarded (invalid) on bad JSON
    }
    int fd_ = -1;
    json hello_;
};

struct HttpReply {
    int status = 0;
    std::string headers, body;
};

// One HTTP/1.0 request to 127.0.0.1:port.
HttpReply http(uint16_t port, const std::string& method, const std::string& target) {
    HttpReply r;
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return r;
    }
    const std::string req = method + " " + target + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    (void)!::send(fd, req.data(), req.size(), 0);
    std::string all;
    char buf[8192];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) all.append(buf, size_t(n));
    ::close(fd);
    const size_t end = all.find("\r\n\r\n");
    if (all.rfind("HTTP/1.", 0) != 0 || end == std::string::npos) return r;
    r.status = std::atoi(all.c_str() + 9);
    r.headers = all.substr(0, end);
    r.body = all.substr(end + 4);
    return r;
}

// The value of the sample `series` (name with its labels, as printed) in a scrape; -1 if absent.
double sample(const std::string& text, const std::string& series) {
    const size_t at = ("\n" + text).find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::strtod(text.c_str() + at + series.size() + 1, nullptr);
}

uint64_t counter(const json& j, std::initializer_list<const char*> path) {
    const json* p = &j;
    for (const char* k : path) {
        if (!p->is_object() || !p->contains(k)) return 0;
        p = &(*p)[k];
    }
    return p->is_number_unsigned() ? p->get<uint64_t>() : 0;
}

class TelemetryTest : public VfpathTest {
protected:
    void SetUp() override {
        VfpathTest::SetUp();
        // Our own EAL file prefix: our own runtime directory, so the socket is ours alone.
        prefix_ = "vfpt" + std::to_string(::getpid()) + "tel";
        runtime_dir_ = fs::path("/var/run/dpdk") / prefix_;
        socket_ = runtime_dir_ / "dpdk_telemetry.v2";
    }
    void TearDown() override {
        child_.reset();
        std::error_code ec;
        fs::remove_all(runtime_dir_, ec);  // DPDK removes the socket, not its directory
        VfpathTest::TearDown();
    }
    // Starts a 2 x net_null io job with our prefix; waits for the telemetry socket.
    void start(const std::string& extra_yaml = "", double duration = 60) {
        std::string eal = eal_yaml();
        eal += "  file_prefix: " + prefix_ + "\n";
        const auto cfg = write_config(eal +
                                      "ports:\n"
                                      "  - {name: p0, device: net_null0}\n"
                                      "  - {name: p1, device: net_null1}\n"
                                      "run: {stats_interval_s: 0}\n" +
                                      extra_yaml);
        child_ = std::make_unique<Child>(
            std::vector<std::string>{"run", "-c", cfg.string(), "--duration",
                                     std::to_string(duration), "--report",
                                     path("report.json").string()},
            dir_);
        ASSERT_TRUE(child_->wait_for_output("forwarding in io mode", 30)) << child_->err();
        ASSERT_TRUE(fs::exists(socket_)) << child_->err();
    }
    // Ends the job with SIGINT; returns its report.
    json stop() {
        child_->signal(SIGINT);
        const Outcome o = child_->wait(30);
        EXPECT_TRUE(o.exited()) << o.err;
        EXPECT_EQ(o.exit_code, 0) << o.err;
        return read_report(path("report.json"));
    }
    std::string prefix_;
    fs::path runtime_dir_, socket_;
    std::unique_ptr<Child> child_;
};

TEST_F(TelemetryTest, EveryVfpathCommandAnswersLiveJson) {
    start();
    TelemetryClient c(socket_.string());
    ASSERT_TRUE(c.hello().is_object()) << "no greeting on " << socket_;
    EXPECT_EQ(c.hello().value("pid", -1), child_->pid());  // our process's socket, not another's

    const json ports1 = c.query("/vfpath/ports");
    ASSERT_TRUE(ports1.is_object()) << ports1;
    ASSERT_FALSE(ports1.contains("error")) << ports1;
    EXPECT_EQ(ports1["mode"], "io");
    EXPECT_EQ(ports1["ports"]["p0"]["peer"], "p1");
    EXPECT_EQ(ports1["ports"]["p0"]["state"], "running");
    EXPECT_EQ(ports1["ports"]["p1"]["device"], "net_null1");
    EXPECT_GT(counter(ports1, {"mempools", "vfpath_s0", "size"}), 0u);
    const uint64_t rx1 = counter(ports1, {"ports", "p0", "rx_packets"});
    EXPECT_GT(rx1, 0u);

    const json queues = c.query("/vfpath/queues");
    ASSERT_TRUE(queues.is_object() && !queues.contains("error")) << queues;
    EXPECT_EQ(queues["ports"]["p1"]["0"]["rx_lcore"], 1);
    const json one = c.query("/vfpath/queues,p1");
    EXPECT_EQ(one["ports"].size(), 1u) << one;
    EXPECT_TRUE(one["ports"].contains("p1")) << one;

    const json lat = c.query("/vfpath/latency");
    ASSERT_TRUE(lat.is_object() && !lat.contains("error")) << lat;
    EXPECT_EQ(lat["unit"], "ns");
    const json lc = c.query("/vfpath/lcores");
    ASSERT_TRUE(lc.is_object() && !lc.contains("error")) << lc;
    EXPECT_EQ(lc["burst_bins"].size(), 10u);
    const json ev = c.query("/vfpath/events");
    ASSERT_TRUE(ev.is_object() && !ev.contains("error")) << ev;
    EXPECT_EQ(ev["ports"]["p0"]["state"], "running");
    EXPECT_EQ(counter(ev, {"ports", "p0", "resets"}), 0u);
    EXPECT_GE(counter(ev, {"journal_total"}), 2u);  // one "running" entry per port at start
    const json plan = c.query("/vfpath/plan");
    ASSERT_TRUE(plan.is_object() && !plan.contains("error")) << plan;
    EXPECT_EQ(plan["lcores"]["1"]["rx"], json({"p0:0 > p1:0", "p1:0 > p0:0"}));

    // Live: the counters of a later answer are larger.
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    const json ports2 = c.query("/vfpath/ports");
    EXPECT_GT(counter(ports2, {"ports", "p0", "rx_packets"}), rx1) << ports2;
    EXPECT_GT(counter(ports2, {"t_ms"}), counter(ports1, {"t_ms"}));
    // Per-lcore accounting and latency, when this build's workers fill them (lib/dataplane).
    const json lc2 = c.query("/vfpath/lcores");
    if (!lc["lcores"].empty()) {
        EXPECT_GT(counter(lc2, {"lcores", "1", "iterations"}),
                  counter(lc, {"lcores", "1", "iterations"}));
    }

    // Bad requests get an error object, and the process goes on.
    EXPECT_EQ(c.query("/vfpath/queues,nope")["error"], "no port named \"nope\" (ports: p0, p1)");
    EXPECT_EQ(c.query("/vfpath/ports,p0")["error"], "/vfpath/ports takes no parameter");

    // DPDK's own commands keep working.
    EXPECT_EQ(c.query("/ethdev/list"), json({0, 1}));
    EXPECT_GT(counter(c.query("/ethdev/stats,0"), {"ipackets"}), 0u);
    const json help = c.query("/help,/vfpath/fault");
    EXPECT_NE(help.dump().find("--fault"), std::string::npos) << help;

    // Least privilege: the socket is 0600 and its directory 0700.
    struct stat st {};
    ASSERT_EQ(::stat(socket_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ASSERT_EQ(::stat(runtime_dir_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    EXPECT_NE(child_->err().find("telemetry socket " + socket_.string() + " (mode 0600)"),
              std::string::npos);

    const json r = stop();
    expect_run_invariants(r);
}

TEST_F(TelemetryTest, FaultCommandDrivesARealRecovery) {
    start();
    TelemetryClient c(socket_.string());
    ASSERT_TRUE(c.hello().is_object());
    EXPECT_EQ(counter(c.query("/vfpath/events,p0"), {"ports", "p0", "resets"}), 0u);

    // Bad specs and unknown ports: an error object each, nothing injected.
    const json bad = c.query("/vfpath/fault,explode:p0@0");
    EXPECT_NE(bad.value("error", "").find("unknown kind \"explode\""), std::string::npos) << bad;
    EXPECT_NE(c.query("/vfpath/fault")["error"].get<std::string>().find("expected KIND:PORT@TIME"),
              std::string::npos);
    EXPECT_EQ(c.query("/vfpath/fault,reset:p9@0")["error"],
              "fault \"reset:p9@0\": no port named p9 (ports: p0, p1)");

    const json ok = c.query("/vfpath/fault,reset:p0@0");
    ASSERT_EQ(ok.value("accepted", 0), 1) << ok;
    EXPECT_EQ(ok["port"], "p0");
    EXPECT_EQ(ok["kind"], "reset");
    // The reset runs through DPDK's callback dispatch and the recovery ladder, as --fault does.
    json ev;
    for (double t0 = now_s(); now_s() - t0 < 10;) {
        ev = c.query("/vfpath/events,p0");
        if (counter(ev, {"ports", "p0", "recovered"}) >= 1) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(counter(ev, {"ports", "p0", "recovered"}), 1u) << ev;
    EXPECT_EQ(counter(ev, {"ports", "p0", "resets"}), 1u) << ev;
    EXPECT_EQ(counter(ev, {"ports", "p0", "events_by_type", "INTR_RESET"}), 1u) << ev;
    EXPECT_EQ(counter(ev, {"faults_requested"}), 1u);
    EXPECT_NE(ev["recent"].dump().find("requested over telemetry: reset:p0@0"), std::string::npos)
        << ev;
    // The other port saw nothing.
    EXPECT_EQ(counter(c.query("/vfpath/events,p1"), {"ports", "p1", "events"}), 0u);

    const json r = stop();
    const json* p0 = find_port(r, "p0");
    ASSERT_TRUE(p0);
    EXPECT_EQ((*p0)["recovery"]["resets"], 1);
    EXPECT_EQ((*p0)["recovery"]["recovered"], 1);
    expect_run_invariants(r);
}

TEST_F(TelemetryTest, DpdkTelemetryScriptReadsOurCommands) {
    if (std::system("command -v dpdk-telemetry.py >/dev/null 2>&1") != 0)
        GTEST_SKIP() << "dpdk-telemetry.py not installed (Debian package dpdk-dev)";
    start();
    // The script reads commands from stdin and prints one JSON reply per line.
    const std::string cmd =
        "printf '/vfpath/ports\\n/vfpath/plan\\n/vfpath/events,p1\\n' | "
        "dpdk-telemetry.py -f " +
        prefix_ + " > " + path("script.out").string() + " 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << read_text(path("script.out"));
    std::istringstream out(read_text(path("script.out")));
    std::vector<json> replies;
    for (std::string line; std::getline(out, line);)
        if (!line.empty() && line[0] == '{') replies.push_back(json::parse(line, nullptr, false));
    ASSERT_EQ(replies.size(), 3u) << read_text(path("script.out"));
    EXPECT_GT(counter(replies[0], {"/vfpath/ports", "ports", "p1", "tx_packets"}), 0u)
        << replies[0];
    EXPECT_EQ(replies[1]["/vfpath/plan"]["mode"], "io");
    EXPECT_EQ(replies[2]["/vfpath/events"]["ports"]["p1"]["state"], "running");
    stop();
}

// The port of "serving http://127.0.0.1:PORT/metrics" in the log; 0 when absent.
uint16_t served_port(const std::string& err) {
    std::smatch m;
    if (!std::regex_search(err, m, std::regex(R"(serving http://127\.0\.0\.1:(\d+)/metrics)")))
        return 0;
    return static_cast<uint16_t>(std::stoi(m[1]));
}

// Whether /proc/<pid>/net/tcp shows a socket listening on 127.0.0.1:port.
bool listens_on_loopback(pid_t pid, uint16_t port) {
    char want[32];
    std::snprintf(want, sizeof want, "0100007F:%04X",
                  port);  // little-endian hex, as the kernel prints
    std::istringstream in(read_text("/proc/" + std::to_string(pid) + "/net/tcp"));
    for (std::string line; std::getline(in, line);) {
        std::istringstream ls(line);
        std::string sl, local, remote, state;
        ls >> sl >> local >> remote >> state;
        if (local == want && state == "0A") return true;  // TCP_LISTEN
    }
    return false;
}

TEST_F(TelemetryTest, MetricsAreScrapedOverHttpAndPassPromtool) {
    start("metrics: {enabled: true, listen: \"127.0.0.1:0\"}\n");
    const uint16_t port = served_port(child_->err());
    ASSERT_NE(port, 0) << child_->err();
    EXPECT_TRUE(listens_on_loopback(child_->pid(), port));

    const HttpReply a = http(port, "GET", "/metrics");
    ASSERT_EQ(a.status, 200) << a.headers;
    EXPECT_NE(a.headers.find("Content-Type: text/plain; version=0.0.4"), std::string::npos)
        << a.headers;
    const std::string p0_rx = "vfpath_port_rx_packets_total{port=\"p0\"}";
    const double rx_a = sample(a.body, p0_rx);
    EXPECT_GT(rx_a, 0) << a.body.substr(0, 2000);
    EXPECT_EQ(sample(a.body, "vfpath_port_state{port=\"p0\",state=\"running\"}"), 1);
    EXPECT_GT(sample(a.body, "vfpath_mempool_size_mbufs{pool=\"vfpath_s0\",socket=\"0\"}"), 0);
    EXPECT_GE(sample(a.body, "vfpath_queue_rx_packets_total{port=\"p1\",queue=\"0\"}"), 0);
    // Device counters: the drops, every xstat the driver offers (labelled by name), and the
    // device's per-queue counters where the PMD keeps them (net_null does), by source.
    EXPECT_EQ(sample(a.body, "vfpath_port_device_drops_total{port=\"p0\"}"), 0);
    EXPECT_GT(sample(a.body, "vfpath_port_xstat{port=\"p0\",name=\"rx_good_packets\"}"), 0)
        << a.body.substr(0, 2000);
    EXPECT_EQ(sample(a.body, "vfpath_port_xstat{port=\"p0\",name=\"rx_errors\"}"), 0);
    EXPECT_GT(sample(a.body, "vfpath_queue_device_rx_packets_total{port=\"p0\",queue=\"0\","
                             "source=\"device\"}"),
              0);
    // Which DPDK: one build-info series naming the version built against and the one running.
    const std::string build_info = "vfpath_build_info{version=\"0.1.0\",dpdk_built=\"" +
                                   std::string(VFPATH_DPDK_VERSION) + "\",dpdk_running=\"";
    const size_t bi = a.body.find("\n" + build_info);
    ASSERT_NE(bi, std::string::npos) << a.body.substr(0, 2000);
    const std::string running = a.body.substr(bi + 1 + build_info.size(), 6);
    EXPECT_EQ(running, std::string(VFPATH_DPDK_VERSION).substr(0, 6)) << a.body.substr(bi, 200);

    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    const HttpReply b = http(port, "GET", "/metrics");
    ASSERT_EQ(b.status, 200);
    EXPECT_GT(sample(b.body, p0_rx), rx_a);
    EXPECT_GT(sample(b.body, "vfpath_uptime_seconds"), sample(a.body, "vfpath_uptime_seconds"));

    if (std::system("command -v promtool >/dev/null 2>&1") == 0) {
        write_text(path("scrape.txt"), b.body);
        const std::string cmd = "promtool check metrics < " + path("scrape.txt").string() + " > " +
                                path("promtool.out").string() + " 2>&1";
        EXPECT_EQ(std::system(cmd.c_str()), 0) << read_text(path("promtool.out"));
        EXPECT_EQ(read_text(path("promtool.out")), "");
    } else {
        ADD_FAILURE() << "promtool not installed (Debian package prometheus; scripts/setup.sh)";
    }
    // Nothing else is served.
    EXPECT_EQ(http(port, "POST", "/metrics").status, 405);
    EXPECT_EQ(http(port, "GET", "/").status, 404);
    EXPECT_EQ(http(port, "GET", "/etc/passwd").status, 404);
    expect_run_invariants(stop());
}

// deploy/grafana's dashboard asks only for metrics a live vfpath exposes: every vfpath_* name in
// its queries is a family of a real scrape (a histogram's _bucket, _sum and _count included).
TEST_F(TelemetryTest, DashboardQueriesOnlyExposedMetrics) {
    const json dash = json::parse(read_text(fs::path(VFPATH_DEPLOY) / "grafana" /
                                            "vfpath-dashboard.json"),
                                  nullptr, false);
    ASSERT_TRUE(dash.is_object()) << "deploy/grafana/vfpath-dashboard.json is not JSON";
    std::set<std::string> queried;
    const std::regex name_re(R"(vfpath_[a-z0-9_]+)");
    std::function<void(const json&)> walk = [&](const json& j) {
        if (j.is_object()) {
            for (const auto& [k, v] : j.items()) {
                if ((k == "expr" || k == "query") && v.is_string()) {
                    const std::string e = v.get<std::string>();
                    for (std::sregex_iterator it(e.begin(), e.end(), name_re), end; it != end; ++it)
                        queried.insert(it->str());
                }
                walk(v);
            }
        } else if (j.is_array()) {
            for (const json& e : j) walk(e);
        }
    };
    walk(dash);
    ASSERT_GE(queried.size(), 10u);

    start("metrics: {enabled: true, listen: \"127.0.0.1:0\"}\n");
    const uint16_t port = served_port(child_->err());
    ASSERT_NE(port, 0) << child_->err();
    const HttpReply r = http(port, "GET", "/metrics");
    ASSERT_EQ(r.status, 200);
    std::set<std::string> exposed;
    std::istringstream in(r.body);
    for (std::string line; std::getline(in, line);) {
        std::istringstream ls(line);
        std::string hash, what, name, type;
        if (!(ls >> hash >> what >> name >> type) || hash != "#" || what != "TYPE") continue;
        exposed.insert(name);
        if (type == "histogram")
            for (const char* s : {"_bucket", "_sum", "_count"}) exposed.insert(name + s);
    }
    for (const std::string& n : queried)
        EXPECT_TRUE(exposed.count(n)) << "the dashboard queries " << n << ", which vfpath does not expose";
    stop();
}

// Clients that connect and send nothing (half-open, or slow) do not hold up a scrape: with four
// of them connected, scrapes from two threads at once each answer within a second.
TEST_F(TelemetryTest, IdleClientsDoNotDelayAScrape) {
    start("metrics: {enabled: true, listen: \"127.0.0.1:0\"}\n");
    const uint16_t port = served_port(child_->err());
    ASSERT_NE(port, 0) << child_->err();
    ASSERT_EQ(http(port, "GET", "/metrics").status, 200);  // the first view is built
    std::vector<int> idle;
    for (int i = 0; i < 4; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        if (i % 2) (void)!::send(fd, "GET /met", 8, 0);  // half a request line, never finished
        idle.push_back(fd);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // accepted by the server
    double took[2] = {-1, -1};
    int status[2] = {0, 0};
    std::thread other([&] {
        const double t0 = now_s();
        status[1] = http(port, "GET", "/metrics").status;
        took[1] = now_s() - t0;
    });
    const double t0 = now_s();
    status[0] = http(port, "GET", "/metrics").status;
    took[0] = now_s() - t0;
    other.join();
    for (int k = 0; k < 2; ++k) {
        EXPECT_EQ(status[k], 200);
        EXPECT_LT(took[k], 1.0) << "scrape " << k << " took " << took[k] << " s";
    }
    for (int fd : idle) ::close(fd);
    expect_run_invariants(stop());
}

TEST_F(TelemetryTest, PublicListenAddressIsRefusedBeforeAnythingStarts) {
    const auto cfg = write_config(eal_yaml() +
                                  "ports:\n"
                                  "  - {name: p0, device: net_null0}\n"
                                  "metrics:\n"
                                  "  enabled: true\n"
                                  "  listen: \"0.0.0.0:9464\"\n");
    const Outcome o = run_vfpath({"run", "-c", cfg.string(), "--duration", "1"}, dir_, 30);
    ASSERT_TRUE(o.exited()) << o.err;
    EXPECT_EQ(o.exit_code, 2) << o.err;
    EXPECT_NE(o.err.find(cfg.string() + ":" + line_col(read_text(cfg), "\"0.0.0.0") +
                         ": metrics.listen: 0.0.0.0:9464 is not a loopback address"),
              std::string::npos)
        << o.err;
    EXPECT_NE(o.err.find("metrics.allow_public: true"), std::string::npos) << o.err;
    EXPECT_EQ(o.err.find("EAL args"), std::string::npos) << "EAL must not start:\n" << o.err;
}

TEST_F(TelemetryTest, PortInUseIsARuntimeErrorWithNothingLeft) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(::listen(fd, 1), 0);
    ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
    const std::string listen = "127.0.0.1:" + std::to_string(ntohs(a.sin_port));
    const auto cfg = write_config(eal_yaml() + "  file_prefix: " + prefix_ + "\n" +
                                  "ports:\n"
                                  "  - {name: p0, device: net_null0}\n"
                                  "metrics: {enabled: true, listen: \"" +
                                  listen + "\"}\n");
    const Outcome o = run_vfpath({"run", "-c", cfg.string(), "--duration", "5"}, dir_, 30);
    ::close(fd);
    ASSERT_TRUE(o.exited()) << o.err;
    EXPECT_EQ(o.exit_code, 1) << o.err;
    EXPECT_NE(o.err.find("metrics.listen " + listen + ": cannot serve /metrics: cannot bind"),
              std::string::npos)
        << o.err;
    EXPECT_EQ(o.err.find("forwarding in"), std::string::npos) << "no port may start:\n" << o.err;
    EXPECT_FALSE(fs::exists(socket_));  // EAL was cleaned up: the telemetry socket is gone
}

}  // namespace
}  // namespace vfpt
