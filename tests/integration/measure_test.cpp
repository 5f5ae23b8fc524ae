// What the forwarder measures besides its counters: dwell latency per queue, cycles and rx burst
// sizes per lcore, throughput per direction and over time (issue 3, issue 8).
#include "harness.h"

namespace vfpt {
namespace {

class MeasureTest : public VfpathTest {
protected:
    json run_null(const std::string& mode, const std::string& measure, double seconds,
                  std::string* out = nullptr) {
        const auto cfg = write_config(eal_yaml() +
                                      "ports:\n"
                                      "  - {name: p0, device: net_null0}\n"
                                      "  - {name: p1, device: net_null1}\n"
                                      "forward: {mode: " + mode + "}\n" + measure);
        const auto report = path("report.json");
        const Outcome o = run_vfpath({"run", "-c", cfg.string(), "--duration",
                                      std::to_string(seconds), "--report", report.string()},
                                     dir_, 60);
        EXPECT_TRUE(o.exited() && o.exit_code == 0) << o.err;
        if (out) *out = o.out;
        return read_report(report);
    }
};

TEST_F(MeasureTest, DwellLatencyOfEveryFrameWhenSampleIsOne) {
    std::string out;
    const json r = run_null("macswap", "measure: {latency: true}\n", 2, &out);
    ASSERT_TRUE(r.is_object());
    expect_run_invariants(r);
    EXPECT_EQ(r["measure"].value("latency", false), true);
    EXPECT_EQ(r["measure"].value("latency_clock", ""), "tsc");
    EXPECT_GT(u(r["measure"], "tsc_hz"), 0u);
    for (const auto& p : r["ports"]) {
        ASSERT_EQ(p["queues"].size(), 1u);
        const json& q = p["queues"][0];
        ASSERT_TRUE(q.contains("latency_ns")) << q.dump();
        const json& l = q["latency_ns"];
        // Every frame received was sent (net_null never refuses one), and each one is timed.
        EXPECT_EQ(u(l, "count"), u(q, "rx_packets")) << p["name"];
        EXPECT_GT(u(l, "min"), 0u);
        EXPECT_LE(u(l, "min"), u(l, "p50"));
        EXPECT_LE(u(l, "p50"), u(l, "p90"));
        EXPECT_LE(u(l, "p90"), u(l, "p99"));
        EXPECT_LE(u(l, "p99"), u(l, "p999"));
        EXPECT_LE(u(l, "p999"), u(l, "p9999"));
        EXPECT_LE(u(l, "p9999"), u(l, "max"));
        // A burst of 32 through macswap takes well under a millisecond when the lcore runs.
        EXPECT_LT(u(l, "p50"), 1'000'000u);
        // The full distribution is there and adds up.
        uint64_t in_buckets = 0;
        for (const auto& b : q["latency_hist"]["buckets"]) {
            EXPECT_LT(u(b, "lower_ns"), u(b, "upper_ns"));
            in_buckets += u(b, "count");
        }
        EXPECT_EQ(in_buckets, u(l, "count"));
    }
    EXPECT_NE(out.find("dwell ns: p50"), std::string::npos) << out;
}

TEST_F(MeasureTest, SamplingTimesOneBurstInN) {
    const json r = run_null("io", "measure: {latency: true, latency_sample: 4}\n", 1.5);
    ASSERT_TRUE(r.is_object());
    for (const auto& p : r["ports"]) {
        const json& q = p["queues"][0];
        const uint64_t rx = u(q, "rx_packets"), timed = u(q["latency_ns"], "count");
        // net_null fills every burst (32): the first burst and every 4th after it are timed.
        EXPECT_EQ(rx % 32, 0u);
        EXPECT_EQ(timed, 32 * ((rx / 32 - 1) / 4 + 1)) << "rx " << rx;
    }
}

TEST_F(MeasureTest, LatencyOffLeavesNoLatencyKeys) {
    const json r = run_null("io", "", 1);
    ASSERT_TRUE(r.is_object());
    EXPECT_EQ(r["measure"].value("latency", true), false);
    for (const auto& p : r["ports"])
        for (const auto& q : p["queues"]) EXPECT_FALSE(q.contains("latency_ns")) << q.dump();
}

TEST_F(MeasureTest, LcoreCyclesBurstSizesAndThroughput) {
    std::string out;
    const json r = run_null("io", "run: {stats_interval_s: 0.5}\n", 2, &out);
    ASSERT_TRUE(r.is_object());
    ASSERT_EQ(r["lcores"].size(), 1u);
    const json& l = r["lcores"][0];
    uint64_t rx_all = 0;
    for (const auto& p : r["ports"]) rx_all += u(p, "rx_packets");
    EXPECT_EQ(u(l, "rx_packets"), rx_all);
    EXPECT_NEAR(l.value("rx_pps", 0.0), double(rx_all) / r.value("duration_s", 1.0),
                1e-6 * double(rx_all));
    EXPECT_GT(u(l, "busy_cycles"), 0u);
    EXPECT_GT(l.value("busy_share", 0.0), 0.5);  // net_null always has frames
    EXPECT_LE(l.value("busy_share", 2.0), 1.0);
    const double cpp = l.value("cycles_per_packet", 0.0);
    EXPECT_GT(cpp, 0.0);
    EXPECT_DOUBLE_EQ(cpp, double(u(l, "busy_cycles")) / double(rx_all));
    // Burst bins: 10 of them, the polls add up, and every frame sits in a full burst of 32.
    ASSERT_EQ(l["rx_bursts"].size(), 10u);
    uint64_t polls = 0;
    for (const auto& b : l["rx_bursts"]) polls += u(b, "polls");
    EXPECT_EQ(polls, u(l, "polls"));
    EXPECT_EQ(u(l["rx_bursts"][6], "min"), 32u);
    EXPECT_EQ(u(l["rx_bursts"][6], "polls") * 32, rx_all);
    EXPECT_EQ(u(l, "busy_polls"), u(l["rx_bursts"][6], "polls"));
    // Throughput per direction: pps, frame and wire bit/s, % of net_null's 10G link.
    for (const auto& p : r["ports"]) {
        const json& rx = p["rx"];
        EXPECT_NEAR(rx.value("pps", 0.0), double(u(p, "rx_packets")) / r.value("duration_s", 1.0),
                    rx.value("pps", 0.0) * 0.01);
        // vfpath counts pkt_len (no FCS); a frame is that + 4 bytes of FCS, and on the wire
        // 20 more (preamble, SFD, inter-frame gap). net_null's frames are 64 bytes long.
        EXPECT_EQ(u(p, "rx_bytes"), 64 * u(p, "rx_packets"));
        EXPECT_NEAR(rx.value("bps", 0.0), rx.value("pps", 0.0) * 68 * 8, 1e-3 * rx.value("bps", 0.0));
        EXPECT_NEAR(rx.value("wire_bps", 0.0), rx.value("pps", 0.0) * 88 * 8,
                    1e-3 * rx.value("wire_bps", 0.0));
        if (!p["link_speed_mbps"].is_null()) {
            const double link = p.value("link_speed_mbps", 1.0) * 1e6;
            EXPECT_NEAR(rx.value("percent_of_link", 0.0), 100 * rx.value("wire_bps", 0.0) / link,
                        1e-6);
        }
    }
    // Over time: one entry per stats interval, with rates.
    ASSERT_GE(r["timeline"].size(), 3u);
    double last_t = 0;
    for (const auto& e : r["timeline"]) {
        EXPECT_GT(e.value("t_s", 0.0), last_t);
        last_t = e.value("t_s", 0.0);
        ASSERT_EQ(e["ports"].size(), 2u);
        EXPECT_GT(e["ports"][0].value("rx_pps", 0.0), 0.0);
    }
    EXPECT_NE(out.find("cycles/pkt"), std::string::npos) << out;
    EXPECT_NE(out.find("rx wire Gb"), std::string::npos) << out;
}

// Hardware rx timestamps (ports[].latency_clock). No vdev offers RTE_ETH_RX_OFFLOAD_TIMESTAMP:
// `hw` is refused right after probe, naming the port and the key, with nothing started; `auto`
// falls back to the TSC and says why, in the log at start and in the report.
TEST_F(MeasureTest, LatencyClockHwOnNetNullIsRefusedRightAfterProbe) {
    const std::string text = eal_yaml() +
                             "ports:\n"
                             "  - name: p0\n"
                             "    device: net_null0\n"
                             "    latency_clock: hw\n"
                             "  - {name: p1, device: net_null1}\n"
                             "measure: {latency: true}\n";
    const auto cfg = write_config(text);
    const auto report = path("report.json");
    const Outcome o = run_vfpath({"run", "-c", cfg.string(), "--duration", "1", "--report",
                                  report.string()},
                                 dir_, 60);
    EXPECT_EQ(o.exit_code, 2) << o.err;
    const std::string at = line_col(text, "hw\n");
    EXPECT_NE(o.err.find("error: " + cfg.string() + ":" + at +
                         ": ports[0].latency_clock: hw: net_null0 does not offer "
                         "RTE_ETH_RX_OFFLOAD_TIMESTAMP"),
              std::string::npos)
        << o.err;
    EXPECT_NE(o.err.find("EAL"), std::string::npos) << "the device is known after probe only";
    EXPECT_EQ(o.err.find(") started"), std::string::npos) << "no port was started: " << o.err;
    EXPECT_EQ(o.out.find("forwarding"), std::string::npos) << o.out;
    EXPECT_FALSE(fs::exists(report));
}

TEST_F(MeasureTest, LatencyClockAutoOnVdevsIsTheTscAndSaysWhy) {
    const auto cfg = write_config(eal_yaml() +
                                  "ports:\n"
                                  "  - {name: p0, device: net_null0}\n"
                                  "  - {name: p1, device: net_null1, latency_clock: tsc}\n"
                                  "measure: {latency: true}\n");
    const auto report = path("report.json");
    const Outcome o = run_vfpath({"run", "-c", cfg.string(), "--duration", "1", "--report",
                                  report.string(), "--stats-interval", "0"},
                                 dir_, 60);
    ASSERT_EQ(o.exit_code, 0) << o.err;
    // Once per port at start, with the reason.
    EXPECT_NE(o.err.find("port p0: latency clock tsc (net_null0 does not offer "
                         "RTE_ETH_RX_OFFLOAD_TIMESTAMP)"),
              std::string::npos)
        << o.err;
    EXPECT_NE(o.err.find("port p1: latency clock tsc (ports[1].latency_clock is tsc)"),
              std::string::npos)
        << o.err;
    const json r = read_report(report);
    ASSERT_TRUE(r.is_object());
    expect_run_invariants(r);
    EXPECT_EQ(r["measure"].value("latency_clock", ""), "tsc");
    const json* p0 = find_port(r, "p0");
    const json* p1 = find_port(r, "p1");
    ASSERT_TRUE(p0 && p1);
    EXPECT_EQ(p0->value("latency_clock", ""), "tsc");
    EXPECT_EQ(p0->value("latency_clock_reason", ""),
              "net_null0 does not offer RTE_ETH_RX_OFFLOAD_TIMESTAMP");
    EXPECT_EQ(p1->value("latency_clock_reason", ""), "ports[1].latency_clock is tsc");
    EXPECT_FALSE(p0->contains("nic_clock"));
    for (const json* p : {p0, p1}) {
        const json& q = (*p)["queues"][0];
        EXPECT_EQ(q.value("latency_clock", ""), "tsc") << q.dump();
        EXPECT_GT(u(q["latency_ns"], "count"), 0u);
        EXPECT_FALSE(q.contains("tsc_fallback")) << "counted only on a hardware-clock port";
    }
}

}  // namespace
}  // namespace vfpt
