// `vfpath ctl` against a live `vfpath run` on net_null ports: every command, as a table and as
// --json, the port state machine's stop/start/restart as the instance and its report see them,
// and the error exits (no instance: 1, naming the prefix and the socket; an unknown port: 2,
// listing the ports).
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <memory>
#include <sstream>
#include <thread>

#include "harness.h"

namespace vfpt {
namespace {

// One telemetry query, for what ctl does not show (the latency histogram's count).
json telemetry(const std::string& socket, const std::string& cmd) {
    const int fd = ::socket(AF_UNIX, SOCK_SEQPACKET, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", socket.c_str());
    json out;
    std::string buf(65536, '\0');
    if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::recv(fd, buf.data(), buf.size(), 0) > 0 &&
        ::send(fd, cmd.data(), cmd.size(), 0) == ssize_t(cmd.size())) {
        const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
        if (n > 0) out = json::parse(buf.substr(0, size_t(n)), nullptr, false);
    }
    if (fd >= 0) ::close(fd);
    const std::string name = cmd.substr(0, cmd.find(','));
    return out.is_object() && out.contains(name) ? out[name] : json(nullptr);
}

class CtlTest : public VfpathTest {
protected:
    void SetUp() override {
        VfpathTest::SetUp();
        prefix_ = "vfpt" + std::to_string(::getpid()) + "ctl";
        runtime_dir_ = fs::path("/var/run/dpdk") / prefix_;
        socket_ = runtime_dir_ / "dpdk_telemetry.v2";
    }
    void TearDown() override {
        child_.reset();
        std::error_code ec;
        fs::remove_all(runtime_dir_, ec);
        VfpathTest::TearDown();
    }
    void start(const std::string& extra_yaml = "") {
        const auto cfg = write_config(eal_yaml() + "  file_prefix: " + prefix_ +
                                      "\n"
                                      "ports:\n"
                                      "  - {name: p0, device: net_null0}\n"
                                      "  - {name: p1, device: net_null1}\n"
                                      "run: {stats_interval_s: 0}\n" +
                                      extra_yaml);
        child_ = std::make_unique<Child>(
            std::vector<std::string>{"run", "-c", cfg.string(), "--duration", "90", "--report",
                                     path("report.json").string()},
            dir_);
        ASSERT_TRUE(child_->wait_for_output("forwarding in io mode", 30)) << child_->err();
        ASSERT_TRUE(fs::exists(socket_)) << child_->err();
    }
    json stop() {
        child_->signal(SIGINT);
        const Outcome o = child_->wait(30);
        EXPECT_TRUE(o.exited()) << o.err;
        EXPECT_EQ(o.exit_code, 0) << o.err;
        return read_report(path("report.json"));
    }
    // `vfpath ctl --file-prefix PREFIX ARGS...`
    Outcome ctl(std::vector<std::string> args) {
        args.insert(args.begin(), {"ctl", "--file-prefix", prefix_});
        return run_vfpath(args, dir_, 30, "ctl");
    }
    // The same with --json, its stdout parsed (a test failure when it is not JSON).
    json ctl_json(std::vector<std::string> args) {
        args.push_back("--json");
        const Outcome o = ctl(args);
        EXPECT_EQ(o.exit_code, 0) << o.err;
        const json j = json::parse(o.out, nullptr, false);
        EXPECT_FALSE(j.is_discarded()) << o.out;
        return j;
    }
    json port_of(const json& ports, const std::string& name) {
        for (const json& p : ports["ports"])
            if (p["name"] == name) return p;
        ADD_FAILURE() << "no port " << name << " in " << ports;
        return json::object();
    }
    std::string prefix_;
    fs::path runtime_dir_, socket_;
    std::unique_ptr<Child> child_;
};

TEST_F(CtlTest, PortsAndXstatsAsTablesAndJson) {
    start();
    const Outcome t = ctl({"ports"});
    ASSERT_EQ(t.exit_code, 0) << t.err;
    EXPECT_NE(t.out.find("DEV_DROPS"), std::string::npos) << t.out;
    EXPECT_NE(t.out.find("p0"), std::string::npos) << t.out;
    EXPECT_NE(t.out.find("running"), std::string::npos) << t.out;

    const json ports = ctl_json({"ports"});
    ASSERT_EQ(ports["ports"].size(), 2u) << ports;
    const json p0 = port_of(ports, "p0");
    EXPECT_EQ(p0["state"], "running");
    EXPECT_EQ(p0["device"], "net_null0");
    EXPECT_EQ(p0["peer"], "p1");
    EXPECT_EQ(p0["link"]["up"], true) << p0;
    EXPECT_GT(p0["rx_pps"].get<double>(), 0) << p0;
    EXPECT_GT(u(p0, "rx_packets"), 0u);
    for (const char* k : {"imissed", "ierrors", "rx_nombuf", "oerrors"})
        EXPECT_TRUE(p0["device_counters"].contains(k)) << k << " " << p0;

    const json q = ctl_json({"ports", "--queues"});
    const json q0 = port_of(q, "p0")["queues"][0];
    EXPECT_EQ(q0["queue"], 0);
    EXPECT_EQ(q0["counters"][0]["source"], "software");
    EXPECT_GT(u(q0["counters"][0], "rx_packets"), 0u) << q0;
    const Outcome tq = ctl({"ports", "--queues"});
    EXPECT_NE(tq.out.find("software"), std::string::npos) << tq.out;

    // Non-zero extended stats by default, all of them with --all.
    const json x = ctl_json({"xstats", "p0"});
    ASSERT_TRUE(x["xstats"].is_object()) << x;
    EXPECT_GT(u(x["xstats"], "rx_good_packets"), 0u) << x;
    for (const auto& [k, v] : x["xstats"].items()) EXPECT_NE(v, 0) << k;
    const json all = ctl_json({"xstats", "p0", "--all"});
    EXPECT_GT(all["xstats"].size(), x["xstats"].size()) << all;
    EXPECT_TRUE(all["xstats"].contains("rx_errors")) << all;
    const Outcome xt = ctl({"xstats", "p1"});
    EXPECT_EQ(xt.exit_code, 0) << xt.err;
    EXPECT_NE(xt.out.find("tx_good_packets"), std::string::npos) << xt.out;
    const json r = stop();
    expect_run_invariants(r);
    // The report has the device's counters too: every xstat, the device's drops, per-queue
    // device counters where the PMD keeps them (net_null does), and whether vfpath's counts and
    // the device's agree (on net_null nothing is in flight).
    for (const char* name : {"p0", "p1"}) {
        const json* p = find_port(r, name);
        ASSERT_TRUE(p);
        EXPECT_GT(u((*p)["hw"]["xstats"], "rx_good_packets"), 0u) << (*p)["hw"];
        EXPECT_EQ(u((*p)["hw"], "device_drops"), 0u);
        EXPECT_EQ((*p)["counter_check"]["agree"], true) << (*p)["counter_check"];
        EXPECT_EQ((*p)["queues"][0]["source"], "software");
        EXPECT_EQ((*p)["queues"][0]["device"]["source"], "device") << (*p)["queues"][0];
        EXPECT_EQ(u((*p)["queues"][0]["device"], "rx_packets"), u((*p)["hw"], "ipackets"));
    }
}

TEST_F(CtlTest, PortStopStartRestartGoThroughTheStateMachine) {
    start();
    const json s = ctl_json({"port", "stop", "p0"});
    EXPECT_EQ(s["state"], "stopped") << s;
    EXPECT_EQ(s["state_before"], "running") << s;
    EXPECT_EQ(u(s, "admin_stops"), 1u);
    // Stopped: not polled, and the instance says so.
    const json a = ctl_json({"ports"});
    EXPECT_EQ(port_of(a, "p0")["state"], "stopped") << a;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const json b = ctl_json({"ports"});
    EXPECT_EQ(u(port_of(b, "p0"), "rx_packets"), u(port_of(a, "p0"), "rx_packets"));
    EXPECT_EQ(port_of(b, "p0")["rx_pps"], 0.0);
    EXPECT_GT(u(port_of(b, "p0"), "not_ready_drops"), u(port_of(a, "p0"), "not_ready_drops"))
        << "frames towards the stopped p0 are dropped and counted";
    // Stopped stays stopped: the watchdog and the link poll leave it be.
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    EXPECT_EQ(port_of(ctl_json({"ports"}), "p0")["state"], "stopped");

    const Outcome again = ctl({"port", "stop", "p0"});
    EXPECT_EQ(again.exit_code, 1) << again.err;
    EXPECT_NE(again.err.find("port p0 is already stopped"), std::string::npos) << again.err;
    const Outcome not_stopped = ctl({"port", "start", "p1"});
    EXPECT_EQ(not_stopped.exit_code, 1);
    EXPECT_NE(not_stopped.err.find("port p1 is not stopped (state: running)"), std::string::npos)
        << not_stopped.err;

    const Outcome st = ctl({"port", "start", "p0"});
    EXPECT_EQ(st.exit_code, 0) << st.err;
    EXPECT_EQ(st.out, "p0: start: stopped -> running\n");
    const json r = ctl_json({"port", "restart", "p1"});
    EXPECT_EQ(r["state"], "running") << r;
    EXPECT_EQ(u(r, "admin_restarts"), 1u);
    const json c = ctl_json({"ports"});
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const json d = ctl_json({"ports"});
    EXPECT_GT(u(port_of(d, "p0"), "rx_packets"), u(port_of(c, "p0"), "rx_packets"));

    // Journaled as an operator's, with the state changes.
    const Outcome j = ctl({"journal"});
    EXPECT_EQ(j.exit_code, 0) << j.err;
    EXPECT_NE(j.out.find("p0 admin: stop requested by an operator"), std::string::npos) << j.out;
    EXPECT_NE(j.out.find("quiescing -> stopped"), std::string::npos) << j.out;
    EXPECT_NE(j.out.find("p1 admin: restart requested by an operator"), std::string::npos);

    const json rep = stop();
    const json* rp0 = find_port(rep, "p0");
    const json* rp1 = find_port(rep, "p1");
    ASSERT_TRUE(rp0 && rp1);
    // Counted apart from faults: no event, no reset, no recovery.
    EXPECT_EQ((*rp0)["recovery"]["admin_stops"], 1);
    EXPECT_EQ((*rp0)["recovery"]["admin_starts"], 1);
    EXPECT_EQ((*rp1)["recovery"]["admin_restarts"], 1);
    for (const json* p : {rp0, rp1}) {
        EXPECT_EQ((*p)["recovery"]["events"], 0);
        EXPECT_EQ((*p)["recovery"]["recovered"], 0);
        EXPECT_EQ((*p)["recovery"]["failed"], 0);
    }
    EXPECT_EQ((*rp1)["recovery"]["admin_stops"], 0);
}

TEST_F(CtlTest, JournalFaultLogLevelAndLatency) {
    start("measure: {latency: true}\n");
    // fault replaces the raw telemetry call; the recovery shows in the journal.
    const Outcome f = ctl({"fault", "reset:p1@0"});
    ASSERT_EQ(f.exit_code, 0) << f.err;
    EXPECT_NE(f.out.find("fault reset:p1@0 accepted: reset on p1"), std::string::npos) << f.out;
    std::string journal;
    for (double t0 = now_s(); now_s() - t0 < 10;) {
        journal = ctl({"journal"}).out;
        if (journal.find("recovered in") != std::string::npos) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_NE(journal.find("requested over telemetry: reset:p1@0"), std::string::npos) << journal;
    EXPECT_NE(journal.find("p1 state: awaiting_traffic -> running"), std::string::npos) << journal;
    // --json: one object per entry.
    const Outcome jj = ctl({"journal", "--json"});
    std::istringstream lines(jj.out);
    size_t n = 0;
    bool saw_fault = false;
    for (std::string line; std::getline(lines, line); ++n) {
        const json e = json::parse(line, nullptr, false);
        ASSERT_TRUE(e.is_object()) << line;
        saw_fault = saw_fault || (e["kind"] == "fault" && e["port"] == "p1");
    }
    EXPECT_GE(n, 4u);
    EXPECT_TRUE(saw_fault) << jj.out;
    const json fj = ctl_json({"fault", "link-down:p0@0,for=100ms"});
    EXPECT_EQ(fj["accepted"], 1) << fj;
    EXPECT_EQ(fj["kind"], "link-down");
    const Outcome bad = ctl({"fault", "explode:p0@0"});
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_NE(bad.err.find("unknown kind \"explode\""), std::string::npos) << bad.err;

    // log-level: the instance logs at debug from now on, and says it was asked.
    const Outcome ll = ctl({"log-level", "debug"});
    EXPECT_EQ(ll.exit_code, 0) << ll.err;
    EXPECT_EQ(ll.out, "log level: debug\n");
    EXPECT_TRUE(child_->wait_for_output("log level set to debug over telemetry", 5));
    EXPECT_EQ(ctl_json({"log-level", "info"})["log_level"], "info");
    EXPECT_EQ(ctl({"log-level", "loud"}).exit_code, 2);

    // latency off: the histograms stop growing; on: they grow again.
    EXPECT_EQ(ctl({"latency", "off"}).out, "latency measurement: off\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // views copy latency 1/s
    const auto count = [&] {
        const json l = telemetry(socket_.string(), "/vfpath/latency,p0");
        return u(l["ports"]["p0"]["all"], "count");
    };
    EXPECT_EQ(telemetry(socket_.string(), "/vfpath/latency")["sampling"], "off");
    const uint64_t off1 = count();
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    EXPECT_EQ(count(), off1);
    EXPECT_EQ(ctl_json({"latency", "on"})["latency"], "on");
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    EXPECT_GT(count(), off1);
    EXPECT_EQ(telemetry(socket_.string(), "/vfpath/latency")["sampling"], "on");
    EXPECT_EQ(ctl({"latency", "maybe"}).exit_code, 2);

    // --follow prints entries as they come, until interrupted.
    Child follow({"ctl", "--file-prefix", prefix_, "journal", "--follow"}, dir_, "follow");
    ASSERT_TRUE(follow.wait_for_output("state", 10)) << follow.err();
    EXPECT_EQ(ctl({"port", "restart", "p0"}).exit_code, 0);
    EXPECT_TRUE(follow.wait_for_output("p0 admin: restart requested by an operator", 10))
        << follow.out();
    follow.signal(SIGINT);
    const Outcome fo = follow.wait(10);
    EXPECT_TRUE(fo.exited());
    EXPECT_EQ(fo.exit_code, 0) << fo.err;
    const json rep = stop();
    EXPECT_EQ((*find_port(rep, "p1"))["recovery"]["recovered"], 1);
}

TEST_F(CtlTest, LatencyCannotBeTurnedOnWithoutHistograms) {
    start();  // measure.latency off
    const Outcome o = ctl({"latency", "on"});
    EXPECT_EQ(o.exit_code, 1);
    EXPECT_NE(o.err.find("this run started with measure.latency off"), std::string::npos) << o.err;
    EXPECT_EQ(ctl({"latency", "off"}).exit_code, 0);
    stop();
}

TEST_F(CtlTest, UnknownPortExits2ListingThePorts) {
    start();
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"xstats", "nope"}, {"port", "stop", "nope"}, {"fault", "reset:nope@0"}}) {
        const Outcome o = ctl(args);
        EXPECT_EQ(o.exit_code, 2) << args[0] << ": " << o.err;
        EXPECT_NE(o.err.find("no port named \"nope\" (ports: p0, p1)"), std::string::npos) << o.err;
    }
    // Nothing was done to the ports.
    const json p = ctl_json({"ports"});
    EXPECT_EQ(port_of(p, "p0")["state"], "running");
    EXPECT_EQ(ctl({"port", "halt", "p0"}).exit_code, 2);  // not an operation
    stop();
}

TEST_F(CtlTest, NoInstanceExits1NamingPrefixAndSocket) {
    const Outcome o = ctl({"ports"});
    EXPECT_EQ(o.exit_code, 1) << o.err;
    EXPECT_NE(o.err.find("no vfpath instance with file prefix \"" + prefix_ + "\""),
              std::string::npos)
        << o.err;
    EXPECT_NE(o.err.find("(socket looked for: " + socket_.string() + ")"), std::string::npos)
        << o.err;
    // Without --file-prefix: EAL's default prefix, which the built-in default job uses.
    const Outcome d = run_vfpath({"ctl", "--json", "ports"}, dir_, 30, "ctl-default");
    if (!fs::exists("/var/run/dpdk/rte/dpdk_telemetry.v2")) {
        EXPECT_EQ(d.exit_code, 1);
        EXPECT_NE(d.err.find("/var/run/dpdk/rte/dpdk_telemetry.v2"), std::string::npos) << d.err;
    }
}

}  // namespace
}  // namespace vfpt
