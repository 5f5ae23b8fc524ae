// lib/report's renderers for the run job: the JSON report (to_json, timeline_entry), the live
// table and the summary (format_table, format_summary) and the --stats-json line, on made-up
// snapshots (view_fixture.h). Pure code, no EAL.
#include <gtest/gtest.h>

#include <string>

#include "report/api.h"
#include "report/view.h"
#include "view_fixture.h"

namespace vfpath::report {
namespace {

using nlohmann::json;

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// One port "p0" whose counters read `rx` frames of 60 bytes (pkt_len: 64-byte frames) and `drops`
// at `t_s`; tx mirrors rx.
dataplane::Snapshot one_port_at(double t_s, uint64_t rx, uint64_t drops) {
    dataplane::Snapshot s;
    s.t_s = t_s;
    dataplane::PortSnapshot p;
    dataplane::QueueSnapshot q = test::queue(0, 1, 1, rx, rx, drops, 0);
    q.rx_bytes = q.tx_bytes = 60 * rx;
    p.queues = {q};
    p.hw.link_speed_mbps = 10'000;
    s.ports = {p};
    return s;
}

// The timeline, the --stats-json line and the live table give the same rates over an interval
// (2 Mpps of 64-byte frames over one second), and none when the counters went back.
TEST(ReportRates, TimelineStatsJsonAndTableAgree) {
    config::Plan plan;
    plan.ports = {test::port(0, "p0", 0, 1)};
    const dataplane::Snapshot prev = one_port_at(1.0, 1'000'000, 10);
    const dataplane::Snapshot now = one_port_at(2.0, 3'000'000, 30);
    const json t = timeline_entry(plan, prev, now)["ports"][0];
    EXPECT_DOUBLE_EQ(t["rx_pps"].get<double>(), 2e6) << t;
    EXPECT_DOUBLE_EQ(t["tx_pps"].get<double>(), 2e6) << t;
    EXPECT_DOUBLE_EQ(t["rx_bps"].get<double>(), 2e6 * 60 * 8) << "pkt_len bits: " << t;
    EXPECT_DOUBLE_EQ(t["drops_per_s"].get<double>(), 20) << t;
    const json l = stats_json(plan, prev, now, {}, {})["ports"][0];
    EXPECT_DOUBLE_EQ(l["rx_pps"].get<double>(), 2e6) << l;
    EXPECT_DOUBLE_EQ(l["tx_pps"].get<double>(), 2e6) << l;
    // rx/tx Mpps, rx/tx Gb/s of frames (FCS included), drops, rx wire Gb/s, % of the 10G link;
    // all of the interval: 20 drops in it (30 since the start).
    const std::string table = format_table(plan, prev, now);
    EXPECT_TRUE(has(table, "p0               all      2.000      2.000     1.024     1.024"
                           "           20       1.344    13.4"))
        << table;
    // The device's drops of the interval (imissed + ierrors + rx_nombuf + oerrors) in the last
    // column.
    dataplane::Snapshot dprev = prev, dnow = now;
    dprev.ports[0].hw.imissed = 5;
    dnow.ports[0].hw.imissed = 9, dnow.ports[0].hw.rx_nombuf = 3;
    const std::string dtable = format_table(plan, dprev, dnow);
    EXPECT_TRUE(has(dtable, "rx %lnk  dev drops\n")) << dtable;
    EXPECT_TRUE(has(dtable, "       1.344    13.4          7\n")) << dtable;
    // A vdev's link speed is nominal (net_null says 10G and forwards more): no share of it.
    dataplane::Snapshot vprev = prev, vnow = now;
    vprev.ports[0].hw.link_speed_nominal = vnow.ports[0].hw.link_speed_nominal = true;
    const std::string vtable = format_table(plan, vprev, vnow);
    EXPECT_TRUE(has(vtable, "           20       1.344     n/a")) << vtable;

    const json back = timeline_entry(plan, now, prev)["ports"][0];
    EXPECT_EQ(back["rx_pps"].get<double>(), 0.0) << back;
    EXPECT_EQ(stats_json(plan, now, prev, {}, {})["ports"][0]["rx_pps"].get<double>(), 0.0);
    EXPECT_TRUE(has(format_table(plan, now, prev), "p0               all      0.000      0.000"))
        << format_table(plan, now, prev);
}

// The JSON report and the summary line agree on the recovery median, also for an even count.
TEST(ReportRecovery, JsonAndSummaryGiveTheSameMedian) {
    const View v = test::two_port_view();
    RunInfo info;
    info.duration_s = v.snap.t_s;
    info.stop_reason = "duration";
    info.health = v.health;
    info.health[1].recovery_ms = {40, 10, 30, 20};
    const json j = to_json(*v.plan, v.snap, {}, info);
    const json& ms = j["ports"][1]["recovery"]["recovery_ms"];
    EXPECT_EQ(ms["min"], 10.0) << ms;
    EXPECT_EQ(ms["median"], 25.0) << ms;
    EXPECT_EQ(ms["max"], 40.0) << ms;
    EXPECT_EQ(ms["count"], 4u) << ms;
    EXPECT_TRUE(j["ports"][0]["recovery"]["recovery_ms"].is_null());
    const std::string summary = format_summary(*v.plan, v.snap, {}, info);
    EXPECT_TRUE(has(summary,
                    "vf-1           resetting: 2 events, 2 resets, 0 removals, "
                    "1 recovered, 0 failed, recovery median 25.000 ms"))
        << summary;
}

// The report names the DPDK vfpath was built against and the one it ran on, as they were given.
TEST(ReportVersions, JsonNamesBothDpdkVersions) {
    const View v = test::two_port_view();
    RunInfo info;
    info.duration_s = v.snap.t_s;
    info.dpdk = {"24.11.3", "24.11.8"};
    const json j = to_json(*v.plan, v.snap, {}, info);
    EXPECT_EQ(j["vfpath_version"], VFPATH_VERSION);
    EXPECT_EQ(j["dpdk"], json({{"built", "24.11.3"}, {"running", "24.11.8"}})) << j["dpdk"];
}

// The report's rx burst bins and the labels telemetry and /metrics use name the same sizes.
TEST(ReportLcores, BurstBinsInTheReportMatchTheLabels) {
    const View v = test::two_port_view();
    RunInfo info;
    info.duration_s = v.snap.t_s;
    const json bins = to_json(*v.plan, v.snap, {}, info)["lcores"][0]["rx_bursts"];
    ASSERT_EQ(bins.size(), dataplane::k_burst_bins) << bins;
    const std::pair<uint64_t, uint64_t> expect[] = {{0, 0},     {1, 1},    {2, 3},   {4, 7},
                                                    {8, 15},    {16, 31},  {32, 63}, {64, 127},
                                                    {128, 255}, {256, 511}};
    for (size_t k = 0; k < bins.size(); ++k) {
        EXPECT_EQ(bins[k]["min"], expect[k].first) << k;
        EXPECT_EQ(bins[k]["max"], expect[k].second) << k;
        EXPECT_EQ(bins[k]["polls"], v.snap.lcores[0].rx_bursts[k]) << k;
    }
    EXPECT_EQ(burst_bin_label(0), "0");
    EXPECT_EQ(burst_bin_label(1), "1");
    EXPECT_EQ(burst_bin_label(6), "32-63");
    EXPECT_EQ(burst_bin_label(9), "256") << "the last bin holds only the largest burst";
}

}  // namespace
}  // namespace vfpath::report
