// net_null: the default job, an explicit config, multi-queue, sink mode.
#include <map>
#include <sstream>
#include <set>
#include <thread>

#include "harness.h"

namespace vfpt {
namespace {

class NullTest : public VfpathTest {
protected:
    // Runs `vfpath run -c` on eal_yaml(lcores) + `yaml` to the end and returns its report, with
    // the run invariants checked; a failure and a null json when it did not exit 0 with a report.
    // `out`, when given, receives the process outcome.
    json run_config(const std::string& yaml, const std::string& lcores = "0-1",
                    Outcome* out = nullptr) {
        const auto cfg = write_config(eal_yaml(lcores) + yaml);
        const auto report = path("report.json");
        const Outcome o =
            run_vfpath({"run", "-c", cfg.string(), "--report", report.string()}, dir_, 60);
        if (out) *out = o;
        if (!o.exited() || o.exit_code != 0) {
            ADD_FAILURE() << "vfpath run: exit " << o.exit_code << "\n" << o.err;
            return json();
        }
        json r = read_report(report);
        if (!r.is_object()) {
            ADD_FAILURE() << "no report at " << report;
            return json();
        }
        expect_run_invariants(r);
        return r;
    }
};

void expect_forwarded_both_ways(const json& r) {
    for (const char* name : {"p0", "p1"}) {
        const json* p = find_port(r, name);
        ASSERT_NE(p, nullptr);
        EXPECT_GT(p->value("rx_packets", 0ull), 0u) << name;
        EXPECT_GT(p->value("tx_packets", 0ull), 0u) << name;
        EXPECT_GT(p->value("rx_bytes", 0ull), 0u) << name;
        // net_null's tx never refuses a frame.
        EXPECT_EQ(p->value("drops", 1ull), 0u) << name;
        // The device's own counters agree with ours once the workers have stopped.
        EXPECT_EQ((*p)["hw"].value("ipackets", 0ull), p->value("rx_packets", 1ull)) << name;
        EXPECT_EQ((*p)["hw"].value("opackets", 0ull), p->value("tx_packets", 1ull)) << name;
    }
    const json *p0 = find_port(r, "p0"), *p1 = find_port(r, "p1");
    ASSERT_TRUE(p0 && p1);
    EXPECT_EQ((*p0)["peer"], "p1");
    EXPECT_EQ((*p1)["peer"], "p0");
    EXPECT_EQ(p0->value("rx_packets", 0ull),
              p1->value("tx_packets", 0ull) + p1->value("drops", 0ull));
    EXPECT_EQ(p1->value("rx_packets", 0ull),
              p0->value("tx_packets", 0ull) + p0->value("drops", 0ull));
}

TEST_F(NullTest, DefaultConfigForwardsBothWays) {
    const auto report = path("report.json");
    const Outcome o = run_vfpath({"run", "--duration", "2", "--report", report.string()}, dir_, 60);
    ASSERT_TRUE(o.exited()) << "signal " << o.term_signal << " timed_out " << o.timed_out
                            << "\nstderr:\n" << o.err;
    ASSERT_EQ(o.exit_code, 0) << o.err;
    EXPECT_GE(o.elapsed_s, 2.0);
    // Live table (default stats interval 1 s) and the summary.
    EXPECT_NE(o.out.find("--- t="), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("rx Mpps"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("=== summary: io mode"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("stopped by duration"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("in use at exit: 0"), std::string::npos) << o.out;
    EXPECT_EQ(o.out.find("LEAK"), std::string::npos) << o.out;

    const json r = read_report(report);
    ASSERT_TRUE(r.is_object());
    expect_run_invariants(r);
    expect_forwarded_both_ways(r);
    EXPECT_EQ(r.value("mode", ""), "io");
    EXPECT_EQ(r.value("stop_reason", ""), "duration");
    // Which DPDK: built against (pkg-config's version) and running on (same year.month).
    ASSERT_TRUE(r.contains("dpdk")) << r.dump();
    EXPECT_EQ(r["dpdk"].value("built", ""), VFPATH_DPDK_VERSION);
    EXPECT_EQ(r["dpdk"].value("running", "").substr(0, 6),
              std::string(VFPATH_DPDK_VERSION).substr(0, 6));
    EXPECT_GE(r.value("duration_s", 0.0), 1.9);
    EXPECT_LT(r.value("duration_s", 0.0), 10.0);
    ASSERT_EQ(r["ports"].size(), 2u);
    EXPECT_EQ(r["ports"][0].value("device", ""), "net_null0");
    EXPECT_EQ(r["ports"][1].value("device", ""), "net_null1");
    // One worker (lcore 1) polls both ports' queue 0.
    ASSERT_EQ(r["lcores"].size(), 1u);
    EXPECT_EQ(r["lcores"][0].value("lcore", -1), 1);
    EXPECT_EQ(r["lcores"][0]["queues"].size(), 2u);
}

TEST_F(NullTest, ExplicitConfigFile) {
    Outcome o;
    const json r = run_config("ports:\n"
                              "  - name: a\n"
                              "    device: net_null0\n"
                              "  - name: b\n"
                              "    device: net_null1\n"
                              "forward:\n"
                              "  mode: macswap\n"
                              "  pairs: [[a, b]]\n"
                              "  burst: 64\n"
                              "run:\n"
                              "  duration_s: 1\n"
                              "  stats_interval_s: 0\n", "0-1", &o);
    ASSERT_TRUE(r.is_object());
    EXPECT_EQ(o.out.find("--- t="), std::string::npos) << "stats_interval_s: 0 prints no table";
    EXPECT_NE(o.out.find("=== summary: macswap mode"), std::string::npos) << o.out;
    EXPECT_EQ(r.value("mode", ""), "macswap");
    EXPECT_EQ(r.value("stop_reason", ""), "duration");
    const json *a = find_port(r, "a"), *b = find_port(r, "b");
    ASSERT_TRUE(a && b);
    EXPECT_EQ((*a)["peer"], "b");
    EXPECT_GT(a->value("rx_packets", 0ull), 0u);
    EXPECT_GT(b->value("tx_packets", 0ull), 0u);
    EXPECT_GT(b->value("rx_packets", 0ull), 0u);
    EXPECT_GT(a->value("tx_packets", 0ull), 0u);
}

TEST_F(NullTest, MultiQueueEveryQueueIsPolled) {
    const bool three = std::thread::hardware_concurrency() >= 3;
    const std::string lcores = three ? "0-2" : "0-1";
    const size_t workers = three ? 2 : 1;
    const json r = run_config("ports:\n"
                              "  - name: p0\n"
                              "    device: net_null0\n"
                              "    rx_queues: 2\n"
                              "  - name: p1\n"
                              "    device: net_null1\n"
                              "    rx_queues: 2\n"
                              "forward:\n"
                              "  mode: io\n"
                              "run:\n"
                              "  duration_s: 1.5\n"
                              "  stats_interval_s: 0\n", lcores);
    ASSERT_TRUE(r.is_object());
    expect_forwarded_both_ways(r);

    ASSERT_EQ(r["lcores"].size(), workers) << r["lcores"].dump();
    std::set<int> worker_ids;
    std::map<std::pair<std::string, int>, int> owner;  // (port, queue) -> number of lcores
    for (const auto& l : r["lcores"]) {
        const int id = l.value("lcore", -1);
        EXPECT_NE(id, 0) << "the main lcore must not poll";
        worker_ids.insert(id);
        for (const auto& q : l["queues"]) ++owner[{q.value("port", ""), q.value("queue", -1)}];
    }
    EXPECT_EQ(worker_ids.size(), workers);
    for (const char* name : {"p0", "p1"}) {
        const json* p = find_port(r, name);
        ASSERT_NE(p, nullptr);
        ASSERT_EQ((*p)["queues"].size(), 2u) << name;
        for (const auto& q : (*p)["queues"]) {
            const int qi = q.value("queue", -1);
            EXPECT_GT(q.value("rx_packets", 0ull), 0u) << name << " queue " << qi;
            EXPECT_EQ((owner[{name, qi}]), 1) << name << " queue " << qi
                                              << " must be polled by exactly one lcore";
            EXPECT_TRUE(worker_ids.count(q.value("rx_lcore", -1)))
                << name << " queue " << qi << " rx_lcore " << q.value("rx_lcore", -1);
            EXPECT_TRUE(worker_ids.count(q.value("lcore", -1))) << name << " queue " << qi;
        }
    }
}

TEST_F(NullTest, ExplicitWorkers) {
    const json r = run_config("ports:\n"
                              "  - name: p0\n"
                              "    device: net_null0\n"
                              "  - name: p1\n"
                              "    device: net_null1\n"
                              "workers:\n"
                              "  - lcore: 1\n"
                              "    queues: [\"p1:0\", \"p0:0\"]\n"
                              "run:\n"
                              "  duration_s: 1\n"
                              "  stats_interval_s: 0\n");
    ASSERT_TRUE(r.is_object());
    expect_forwarded_both_ways(r);  // default pairs: p0 <-> p1
    ASSERT_EQ(r["lcores"].size(), 1u);
    const json& l = r["lcores"][0];
    EXPECT_EQ(l.value("lcore", -1), 1);
    ASSERT_EQ(l["queues"].size(), 2u);
    std::set<std::string> polled;
    for (const auto& q : l["queues"]) polled.insert(q.value("port", "") + ":" +
                                                    std::to_string(q.value("queue", -1)));
    EXPECT_EQ(polled, (std::set<std::string>{"p0:0", "p1:0"}));
}

// One lcore walks its slots as a ring (five here: two cross-connected pairs and a port that
// reflects to itself). Every iteration polls each slot once, and net_null always fills a burst,
// so every port receives exactly as many frames as the others and each poll is counted once.
TEST_F(NullTest, OneLcorePollsEveryPortOfItsRingOncePerIteration) {
    std::string ports;
    for (int i = 0; i < 5; ++i)
        ports += "  - {name: p" + std::to_string(i) + ", device: net_null" + std::to_string(i) + "}\n";
    const json r = run_config("ports:\n" + ports +
                              "forward:\n"
                              "  mode: io\n"
                              "  pairs: [[p0, p1], [p2, p3], [p4, p4]]\n"
                              "workers:\n"
                              "  - {lcore: 1, queues: [p0, p1, p2, p3, p4]}\n"
                              "run:\n"
                              "  duration_s: 1\n"
                              "  stats_interval_s: 0\n");
    ASSERT_TRUE(r.is_object());
    ASSERT_EQ(r["lcores"].size(), 1u);
    const json& l = r["lcores"][0];
    const uint64_t iterations = l.value("iterations", 0ull);
    EXPECT_GT(iterations, 0u);
    EXPECT_EQ(l.value("polls", 0ull), iterations * 5) << l.dump();
    const json* p0 = find_port(r, "p0");
    ASSERT_NE(p0, nullptr);
    const uint64_t each = p0->value("rx_packets", 0ull);
    EXPECT_EQ(each, iterations * 32);  // the default burst, always full on net_null
    const std::map<std::string, std::string> peer{
        {"p0", "p1"}, {"p1", "p0"}, {"p2", "p3"}, {"p3", "p2"}, {"p4", "p4"}};
    for (const auto& [name, to] : peer) {
        const json* p = find_port(r, name);
        ASSERT_NE(p, nullptr) << name;
        EXPECT_EQ(p->value("rx_packets", 0ull), each) << name;
        EXPECT_EQ(p->value("tx_packets", 0ull), each) << name << " sends what " << to << " received";
        EXPECT_EQ(p->value("drops", 1ull), 0u) << name;
        EXPECT_EQ((*p)["peer"], to) << name;
    }
}

TEST_F(NullTest, SinkReceivesAndTransmitsNothing) {
    const json r = run_config("ports:\n"
                              "  - name: s0\n"
                              "    device: net_null0\n"
                              "forward:\n"
                              "  mode: sink\n"
                              "run:\n"
                              "  duration_s: 1\n"
                              "  stats_interval_s: 0\n");
    ASSERT_TRUE(r.is_object());
    EXPECT_EQ(r.value("mode", ""), "sink");
    const json* s = find_port(r, "s0");
    ASSERT_NE(s, nullptr);
    EXPECT_TRUE((*s)["peer"].is_null()) << (*s)["peer"].dump();
    EXPECT_GT(s->value("rx_packets", 0ull), 0u);
    EXPECT_EQ(s->value("tx_packets", 1ull), 0u);
    EXPECT_EQ(s->value("tx_bytes", 1ull), 0u);
    EXPECT_EQ(s->value("drops", 1ull), 0u);
}

// --stats-json: one object per interval, counters growing, the link flap seen in "state", the
// pool's in-use count within its size, and the last line consistent with the final report.
TEST_F(NullTest, StatsJsonOneLinePerInterval) {
    const auto report = path("report.json");
    const auto stats = path("stats.jsonl");
    const Outcome o = run_vfpath({"run", "--duration", "3", "--stats-interval", "0.5",
                                  "--stats-json", stats.string(), "--report", report.string(),
                                  "--fault", "link-down:p1@0.9s,for=1s"},
                                 dir_, 60);
    ASSERT_TRUE(o.exited()) << o.err;
    ASSERT_EQ(o.exit_code, 0) << o.err;
    const json r = read_report(report);
    ASSERT_TRUE(r.is_object());
    expect_run_invariants(r);
    std::vector<json> lines;
    std::istringstream in(read_text(stats));
    for (std::string line; std::getline(in, line);) {
        ASSERT_NO_THROW(lines.push_back(json::parse(line))) << line;
    }
    // 3 s at 0.5 s: a line at 0.5, 1.0, ... 2.5 (and 3.0 unless the duration ends the loop first).
    ASSERT_GE(lines.size(), 5u);
    ASSERT_LE(lines.size(), 6u);
    std::set<std::string> p1_states;
    for (size_t i = 0; i < lines.size(); ++i) {
        const json& l = lines[i];
        EXPECT_NEAR(l.value("t_s", 0.0), 0.5 * double(i + 1), 0.25) << l.dump();
        ASSERT_EQ(l["ports"].size(), 2u) << l.dump();
        ASSERT_EQ(l["pools"].size(), 1u) << l.dump();
        const json& pool = l["pools"][0];
        EXPECT_EQ(pool.value("name", ""), "vfpath_s0");
        EXPECT_LE(pool.value("in_use", 1u << 30), pool.value("size", 0u)) << l.dump();
        for (const json& p : l["ports"]) {
            EXPECT_GT(p.value("rx_packets", 0ull), 0u) << l.dump();
            EXPECT_GT(p.value("rx_pps", 0.0), 0.0) << l.dump();
            if (i == 0) continue;
            const json& before = lines[i - 1]["ports"][p.value("name", "") == "p0" ? 0 : 1];
            EXPECT_GE(p.value("rx_packets", 0ull), before.value("rx_packets", 0ull));
            EXPECT_GE(p.value("tx_packets", 0ull), before.value("tx_packets", 0ull));
        }
        p1_states.insert(l["ports"][1].value("state", ""));
    }
    EXPECT_TRUE(p1_states.count("link_down")) << "the flap at 0.9..1.9 s is in some line";
    EXPECT_TRUE(p1_states.count("running"));
    // Frames towards p1 while its link was down are counted as not ready.
    EXPECT_GT(lines.back()["ports"][0].value("not_ready_drops", 0ull) +
                  lines.back()["ports"][1].value("not_ready_drops", 0ull),
              0u);
    for (const json& p : lines.back()["ports"]) {
        const json* fin = find_port(r, p.value("name", ""));
        ASSERT_NE(fin, nullptr);
        EXPECT_LE(p.value("rx_packets", 0ull), fin->value("rx_packets", 0ull));
        EXPECT_LE(p.value("drops", 0ull), fin->value("drops", 0ull));
    }
}

}  // namespace
}  // namespace vfpt
