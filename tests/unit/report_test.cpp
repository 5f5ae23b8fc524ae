// lib/report's renderers for the run job: the JSON report (to_json, timeline_entry), the live
// table and the summary (format_table, format_summary) and the --stats-json line, on made-up
// snapshots (view_fixture.h). Pure code, no EAL.
#include <gtest/gtest.h>

#include <string>

#include "report/api.h"
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
    EXPECT_TRUE(has(summary, "vf-1           resetting: 2 events, 2 resets, 0 removals, "
                             "1 recovered, 0 failed, recovery median 25.000 ms"))
        << summary;
}

}  // namespace
}  // namespace vfpath::report
