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
