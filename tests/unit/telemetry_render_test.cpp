// The /vfpath/... telemetry answers (lib/report/cp/telemetry.cpp) rendered from made-up views: the
// values a user reads, the filters, the errors, and that every answer fits what DPDK 22.11's
// telemetry can carry (tel::unrepresentable, whose rules are tested here too).
#include <gtest/gtest.h>

#include <string>

#include "report/telemetry.h"
#include "view_fixture.h"

namespace vfpath::report {
namespace {

using nlohmann::json;

void expect_sendable(const json& j) {
    const auto why = tel::unrepresentable(j);
    EXPECT_FALSE(why) << *why << "\n" << j.dump();
}

TEST(TelemetryRender, PortsCarryCountersStateAndPools) {
    const View v = test::two_port_view();
    const json j = tel::ports(v);
    expect_sendable(j);
    EXPECT_EQ(j["t_ms"], 2500u);
    EXPECT_EQ(j["mode"], "io");
    const json& p0 = j["ports"]["p0"];
    EXPECT_EQ(p0["name"], "p0");
    EXPECT_EQ(p0["device"], "net_null0");
    EXPECT_EQ(p0["peer"], "vf-1");
    EXPECT_EQ(p0["rx_packets"], 1000u + 2000u);
    EXPECT_EQ(p0["tx_bytes"], 64u * 1000u);
    EXPECT_EQ(p0["drops"], 7u);
    EXPECT_EQ(p0["not_ready_drops"], 5u);
    EXPECT_EQ(p0["hw"]["imissed"], 3u);
    EXPECT_EQ(p0["state"], "running");
    // A name with '-' is not a valid dict key for DPDK: the key changes, the name does not.
    const json& p1 = j["ports"]["vf_1"];
    EXPECT_EQ(p1["name"], "vf-1");
    EXPECT_EQ(p1["state"], "resetting");
    EXPECT_EQ(j["mempools"]["vfpath_s0"]["in_use"], 900u);
    EXPECT_EQ(j["mempools"]["vfpath_s0"]["size"], 4928u);
}

TEST(TelemetryRender, QueuesFilterByPortAndNameUnknownOnes) {
    const View v = test::two_port_view();
    const json all = tel::queues(v, "");
    expect_sendable(all);
    EXPECT_EQ(all["ports"].size(), 2u);
    EXPECT_EQ(all["ports"]["p0"]["1"]["rx_packets"], 2000u);
    EXPECT_EQ(all["ports"]["p0"]["0"]["rx_lcore"], 1);
    EXPECT_EQ(all["ports"]["p0"]["1"]["tx_lcore"], -1);
    const json one = tel::queues(v, "vf-1");
    EXPECT_EQ(one["ports"].size(), 1u);
    EXPECT_TRUE(one["ports"].contains("vf_1"));
    const json bad = tel::queues(v, "p9");
    EXPECT_EQ(bad["error"], "no port named \"p9\" (ports: p0, vf-1)");
    expect_sendable(bad);
}

TEST(TelemetryRender, LatencySummariesPerQueueAndMerged) {
    View v = test::two_port_view();
    // p0 queue 0: 100 samples of 200 ns, queue 1: 100 of 1000 ns; vf-1 measures nothing.
    v.snap.ports[0].queues[0].latency = test::histogram({{200, 100}});
    v.snap.ports[0].queues[1].latency = test::histogram({{1000, 100}});
    const json j = tel::latency(v, "");
    expect_sendable(j);
    EXPECT_EQ(j["measured"], 1);
    EXPECT_EQ(j["unit"], "ns");
    const json& q0 = j["ports"]["p0"]["0"];
    EXPECT_EQ(q0["count"], 100u);
    EXPECT_EQ(q0["p50"], 200u);
    EXPECT_EQ(q0["p9999"], 200u);
    EXPECT_EQ(q0["mean"], 200u);
    const json& merged = j["ports"]["p0"]["all"];
    EXPECT_EQ(merged["count"], 200u);
    EXPECT_EQ(merged["min"], 200u);
    EXPECT_EQ(merged["max"], 1000u);
    EXPECT_EQ(merged["p50"], 200u);
    EXPECT_EQ(merged["p90"], 1000u);
    EXPECT_EQ(merged["mean"], 600u);
    EXPECT_FALSE(j["ports"].contains("vf_1"));

    const json none = tel::latency(test::two_port_view(), "");
    EXPECT_EQ(none["measured"], 0);
    EXPECT_TRUE(none["ports"].empty());
    EXPECT_EQ(none["note"], "no queue measures latency in this run");
    EXPECT_TRUE(tel::latency(v, "nope").contains("error"));
}

TEST(TelemetryRender, LcoresShareCyclesAndBursts) {
    const View v = test::two_port_view();
    const json j = tel::lcores(v);
    expect_sendable(j);
    EXPECT_EQ(j["tsc_hz"], 2'000'000'000u);
    EXPECT_EQ(j["burst_bins"],
              json({"0", "1", "2-3", "4-7", "8-15", "16-31", "32-63", "64-127", "128-255", "256"}));
    const json& l = j["lcores"]["1"];
    EXPECT_EQ(l["busy_cycles"], 300u);
    EXPECT_EQ(l["idle_cycles"], 100u);
    EXPECT_EQ(l["busy_share"], "0.7500");   // telemetry has no floats: 4 decimals as a string
    EXPECT_EQ(l["cycles_per_packet"], 2u);  // 300 cycles / 150 frames
    EXPECT_EQ(l["polls"], 10u + 4u + 1u);
    EXPECT_EQ(l["busy_polls"], 5u);
    EXPECT_EQ(l["rx_bursts"][0], 10u);
    EXPECT_EQ(l["rx_bursts"][6], 4u);
}

TEST(TelemetryRender, EventsCountersAndRecentJournal) {
    const View v = test::two_port_view();
    const json j = tel::events(v, "");
    expect_sendable(j);
    const json& p1 = j["ports"]["vf_1"];
    EXPECT_EQ(p1["resets"], 2u);
    EXPECT_EQ(p1["recovered"], 1u);
    EXPECT_EQ(p1["events_by_type"]["INTR_RESET"], 2u);
    EXPECT_EQ(p1["recovery_us"]["count"], 1u);
    EXPECT_EQ(p1["recovery_us"]["min"], 31885u);
    EXPECT_EQ(p1["on_standby"], 0);
    EXPECT_EQ(j["journal_total"], 40u);
    EXPECT_EQ(j["faults_requested"], 1u);
    ASSERT_EQ(j["recent"].size(), 2u);
    EXPECT_EQ(j["recent"][0], "1.500 vf-1 fault: injected INTR_RESET");
    // Filtered by port: only that port's counters and journal lines.
    const json f = tel::events(v, "p0");
    EXPECT_EQ(f["ports"].size(), 1u);
    EXPECT_TRUE(f["recent"].empty());
}

TEST(TelemetryRender, LongJournalLinesAreCutOnACharacterBoundary) {
    View v = test::two_port_view();
    std::string detail;
    for (int i = 0; i < 100; ++i) detail += "é";  // 2 bytes each
    v.recent = {{2.0, "p0", "state", detail}};
    const json j = tel::events(v, "");
    expect_sendable(j);
    const std::string line = j["recent"][0];
    EXPECT_LE(line.size(), tel::k_max_string);
    EXPECT_NO_THROW((void)j.dump());  // valid UTF-8: a cut inside "é" would throw here
    EXPECT_EQ(line.substr(0, 14), "2.000 p0 state");
}

TEST(TelemetryRender, PlanListsPortsLcoresAndPools) {
    const View v = test::two_port_view();
    const json j = tel::plan(v);
    expect_sendable(j);
    EXPECT_EQ(j["mode"], "io");
    EXPECT_EQ(j["ports"]["vf_1"]["peer"], "p0");
    EXPECT_EQ(j["ports"]["p0"]["rx_queues"], 2u);
    EXPECT_EQ(j["lcores"]["1"]["rx"], json({"p0:0 > vf-1:0", "p0:1 > vf-1:1", "vf-1:0 > p0:0"}));
    EXPECT_EQ(j["mempools"]["vfpath_s0"]["size"], 4928u);
}

TEST(TelemetryRender, ClashingKeysStayApart) {
    View v = test::two_port_view();
    auto plan = std::make_shared<config::Plan>(*v.plan);
    plan->ports[0].name = "a_b";
    plan->ports[1].name = "a-b";
    v.plan = plan;
    const json j = tel::ports(v);
    EXPECT_EQ(j["ports"]["a_b"]["name"], "a_b");
    EXPECT_EQ(j["ports"]["a_b_1"]["name"], "a-b");
}

TEST(TelemetryRender, TooLargeAnswerSaysHowToNarrowIt) {
    const View v = test::many_queue_view(8, 64);
    const json all = tel::queues(v, "");
    ASSERT_TRUE(all.contains("error")) << all.dump().size();
    EXPECT_NE(all["error"].get<std::string>().find("/vfpath/queues,PORT"), std::string::npos)
        << all["error"];
    const json one = tel::queues(v, "p3");
    expect_sendable(one);
    EXPECT_EQ(one["ports"]["p3"].size(), 64u);
}

TEST(TelemetryShape, RulesOfDpdk2211) {
    EXPECT_FALSE(tel::unrepresentable(json{{"a", 1u}, {"b", {{"c", json::array({1u, 2u})}}}}));
    EXPECT_FALSE(tel::unrepresentable(json{{"deep", {{"er", {{"est", "x"}}}}}}));
    EXPECT_FALSE(
        tel::unrepresentable(json{{"neg", -5}, {"arrs", json::array({json::array({1u})})}}));
    EXPECT_TRUE(tel::unrepresentable(json{{"a-b", 1u}}));
    EXPECT_TRUE(tel::unrepresentable(json{{"", 1u}}));
    EXPECT_TRUE(tel::unrepresentable(json{{"f", 0.5}}));
    EXPECT_TRUE(tel::unrepresentable(json{{"b", true}}));
    EXPECT_TRUE(tel::unrepresentable(json{{"n", nullptr}}));
    EXPECT_TRUE(
        tel::unrepresentable(json{{"a", json::array({json{{"x", 1u}}})}}));  // dict in array
    EXPECT_TRUE(tel::unrepresentable(json{{"a", json::array({1u, "x"})}}));  // mixed
    EXPECT_TRUE(tel::unrepresentable(json{{"a", json::array({json::array({json::array()})})}}));
    EXPECT_TRUE(tel::unrepresentable(json{{"s", std::string(128, 'x')}}));
    EXPECT_FALSE(tel::unrepresentable(json{{"s", std::string(127, 'x')}}));
    EXPECT_TRUE(tel::unrepresentable(json{{"i", int64_t{-3'000'000'000}}}));
    json big = json::object();
    for (int i = 0; i < 257; ++i) big[std::string("k").append(std::to_string(i))] = 1u;
    EXPECT_TRUE(tel::unrepresentable(big));
    json wide = json::object();
    for (int i = 0; i < 200; ++i)
        wide[std::string("k").append(std::to_string(i))] = std::string(100, 'x');
    const auto why = tel::unrepresentable(wide);
    ASSERT_TRUE(why);
    EXPECT_NE(why->find("telemetry sends at most"), std::string::npos) << *why;
    const json e = tel::checked(json{{"f", 0.5}}, "try less");
    EXPECT_EQ(e["error"], "reply.f: number has no telemetry type; try less");
}

// The telemetry commands send error objects without checking them again: any message fits.
TEST(TelemetryShape, ErrorObjectsAlwaysFit) {
    EXPECT_FALSE(tel::unrepresentable(tel::error(std::string(20000, 'x'))));
    std::string multibyte;
    for (int i = 0; i < 100; ++i) multibyte += "\u00e9";  // 2 bytes each: the cut keeps whole ones
    const json e = tel::error(multibyte);
    EXPECT_FALSE(tel::unrepresentable(e));
    EXPECT_EQ(e["error"].get<std::string>().size(), 126u);
}

TEST(TelemetryShape, Keys) {
    EXPECT_EQ(tel::key("vf-0"), "vf_0");
    EXPECT_EQ(tel::key("p0"), "p0");
    EXPECT_EQ(tel::key("a/b_C9"), "a/b_C9");
    EXPECT_EQ(tel::key(""), "_");
    EXPECT_EQ(tel::key("x.y z"), "x_y_z");
}

}  // namespace
}  // namespace vfpath::report
