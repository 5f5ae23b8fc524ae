// The Prometheus exposition (lib/report/cp/prometheus.cpp) of made-up views: names, labels and
// values a scraper reads, histogram buckets from the log-linear latency histogram, the format's
// structure, and `promtool check metrics` when Debian's prometheus package is installed.
#include "report/prometheus.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "view_fixture.h"

namespace vfpath::report {
namespace {

bool has_line(const std::string& text, const std::string& line) {
    return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

#define EXPECT_LINE(text, line) EXPECT_TRUE(has_line(text, line)) << "missing: " << (line)

View latency_view() {
    View v = test::two_port_view();
    // 50 ns x3 and 100 ns x1 (exact buckets), 150 ns x2, 800 us x4, 12 s x1 (beyond 10 s).
    v.snap.ports[0].queues[0].latency =
        test::histogram({{50, 3}, {100, 1}, {150, 2}, {800'000, 4}, {12'000'000'000, 1}});
    return v;
}

TEST(Prometheus, BoundsAre125From100nsTo10s) {
    const auto b = latency_bounds_ns();
    ASSERT_EQ(b.size(), 25u);
    EXPECT_EQ(b.front(), 100u);
    EXPECT_EQ(b[1], 200u);
    EXPECT_EQ(b[2], 500u);
    EXPECT_EQ(b[3], 1000u);
    EXPECT_EQ(b.back(), 10'000'000'000u);
}

TEST(Prometheus, CumulativeCountsFromTheLogLinearHistogram) {
    const auto h =
        test::histogram({{50, 3}, {100, 1}, {150, 2}, {800'000, 4}, {12'000'000'000, 1}});
    const uint64_t bounds[] = {100, 200, 1'000'000, 10'000'000'000};
    const auto c = cumulative_counts(h, bounds);
    ASSERT_EQ(c.size(), 4u);
    EXPECT_EQ(c[0], 4u);   // 50 x3 and 100 x1: le is "less or equal"
    EXPECT_EQ(c[1], 6u);   // + 150 x2
    EXPECT_EQ(c[2], 10u);  // + 800 us x4
    EXPECT_EQ(c[3], 10u);  // 12 s is above the last bound: only in +Inf (count)
    EXPECT_EQ(h.count, 11u);
    // An empty histogram has empty buckets.
    const auto e = cumulative_counts(measure::HistogramData{}, bounds);
    EXPECT_EQ(e, std::vector<uint64_t>(4, 0));
}

TEST(Prometheus, PortAndQueueCounters) {
    const std::string t = prometheus_text(test::two_port_view());
    EXPECT_LINE(t, "# TYPE vfpath_port_rx_packets_total counter");
    EXPECT_LINE(t, "vfpath_port_rx_packets_total{port=\"p0\"} 3000");
    EXPECT_LINE(t, "vfpath_port_tx_bytes_total{port=\"p0\"} 64000");
    EXPECT_LINE(t, "vfpath_port_drops_total{port=\"p0\"} 7");
    EXPECT_LINE(t, "vfpath_port_not_ready_drops_total{port=\"p0\"} 5");
    EXPECT_LINE(t, "vfpath_port_hw_rx_missed_total{port=\"p0\"} 3");
    EXPECT_LINE(t, "vfpath_port_rx_packets_total{port=\"vf-1\"} 500");
    EXPECT_LINE(t, "vfpath_queue_rx_packets_total{port=\"p0\",queue=\"1\"} 2000");
    EXPECT_LINE(t, "vfpath_queue_tx_packets_total{port=\"vf-1\",queue=\"0\"} 3000");
    EXPECT_LINE(t, "vfpath_info{version=\"" VFPATH_VERSION "\",mode=\"io\"} 1");
    EXPECT_LINE(t, "vfpath_uptime_seconds 2.5");
    EXPECT_LINE(t, "vfpath_tsc_frequency_hertz 2000000000");
}

// Device counters: the drops summed, every xstat as one series labelled by its name, the
// device's per-queue counters labelled source="device", and operator actions apart.
TEST(Prometheus, DeviceCountersXstatsAndAdminActions) {
    View v = test::two_port_view();
    auto& hw = v.snap.ports[0].hw;
    hw.imissed = 3, hw.ierrors = 2, hw.rx_nombuf = 1, hw.oerrors = 4;
    hw.queues = {{100, 90, 6400, 5760, 1}, {200, 0, 12800, 0, 0}};
    v.snap.ports[0].xstats = {{"rx_good_packets", 300}, {"rx_q0_errors", 0}};
    v.health[0].admin_stops = 2;
    v.health[0].admin_restarts = 1;
    const std::string t = prometheus_text(v);
    EXPECT_LINE(t, "vfpath_port_device_drops_total{port=\"p0\"} 10");
    EXPECT_LINE(t, "# TYPE vfpath_port_xstat gauge");
    EXPECT_LINE(t, "vfpath_port_xstat{port=\"p0\",name=\"rx_good_packets\"} 300");
    EXPECT_LINE(t, "vfpath_port_xstat{port=\"p0\",name=\"rx_q0_errors\"} 0");
    EXPECT_LINE(t, "vfpath_queue_device_rx_packets_total{port=\"p0\",queue=\"1\",source=\"device\"} 200");
    EXPECT_LINE(t, "vfpath_queue_device_errors_total{port=\"p0\",queue=\"0\",source=\"device\"} 1");
    EXPECT_EQ(t.find("vfpath_queue_device_rx_packets_total{port=\"vf-1\""), std::string::npos)
        << "a port whose driver keeps no per-queue counters has no device series";
    EXPECT_LINE(t, "vfpath_port_admin_stops_total{port=\"p0\"} 2");
    EXPECT_LINE(t, "vfpath_port_admin_restarts_total{port=\"p0\"} 1");
    EXPECT_LINE(t, "vfpath_port_admin_starts_total{port=\"p0\"} 0");
}

TEST(Prometheus, BuildInfoNamesBothDpdkVersions) {
    View v = test::two_port_view();
    v.dpdk = {"24.11.3", "24.11.8"};
    const std::string t = prometheus_text(v);
    EXPECT_LINE(t, "# TYPE vfpath_build_info gauge");
    EXPECT_LINE(t, "vfpath_build_info{version=\"" VFPATH_VERSION
                   "\",dpdk_built=\"24.11.3\",dpdk_running=\"24.11.8\"} 1");
}

TEST(Prometheus, StateRecoveryLcoresAndPools) {
    const std::string t = prometheus_text(test::two_port_view());
    // One series per state, 1 for the current one.
    EXPECT_LINE(t, "vfpath_port_state{port=\"vf-1\",state=\"resetting\"} 1");
    EXPECT_LINE(t, "vfpath_port_state{port=\"vf-1\",state=\"running\"} 0");
    EXPECT_LINE(t, "vfpath_port_state{port=\"p0\",state=\"running\"} 1");
    EXPECT_LINE(t, "vfpath_port_events_total{port=\"vf-1\",type=\"INTR_RESET\"} 2");
    EXPECT_LINE(t, "vfpath_port_resets_total{port=\"vf-1\"} 2");
    EXPECT_LINE(t, "vfpath_port_recoveries_total{port=\"vf-1\"} 1");
    EXPECT_LINE(t, "vfpath_port_recovery_seconds_bucket{port=\"vf-1\",le=\"0.02\"} 0");
    EXPECT_LINE(t, "vfpath_port_recovery_seconds_bucket{port=\"vf-1\",le=\"0.05\"} 1");
    EXPECT_LINE(t, "vfpath_port_recovery_seconds_count{port=\"vf-1\"} 1");
    const std::string sum = "vfpath_port_recovery_seconds_sum{port=\"vf-1\"} ";
    const size_t at = t.find(sum);
    ASSERT_NE(at, std::string::npos);
    EXPECT_NEAR(std::strtod(t.c_str() + at + sum.size(), nullptr), 0.031885, 1e-12);
    EXPECT_LINE(t, "vfpath_lcore_busy_cycles_total{lcore=\"1\"} 300");
    EXPECT_LINE(t, "vfpath_lcore_busy_ratio{lcore=\"1\"} 0.75");
    EXPECT_LINE(t, "vfpath_lcore_cycles_per_packet{lcore=\"1\"} 2");
    EXPECT_LINE(t, "vfpath_lcore_rx_polls_total{lcore=\"1\",burst=\"0\"} 10");
    EXPECT_LINE(t, "vfpath_lcore_rx_polls_total{lcore=\"1\",burst=\"32-63\"} 4");
    EXPECT_LINE(t, "vfpath_mempool_in_use_mbufs{pool=\"vfpath_s0\",socket=\"0\"} 900");
    EXPECT_LINE(t, "vfpath_mempool_size_mbufs{pool=\"vfpath_s0\",socket=\"0\"} 4928");
    EXPECT_LINE(t, "vfpath_journal_entries_total 40");
    EXPECT_LINE(t, "vfpath_faults_requested_total 1");
}

TEST(Prometheus, LatencyHistogramInSeconds) {
    const std::string t = prometheus_text(latency_view());
    EXPECT_LINE(t, "# TYPE vfpath_queue_latency_seconds histogram");
    const std::string q = "vfpath_queue_latency_seconds_bucket{port=\"p0\",queue=\"0\",";
    EXPECT_LINE(t, q + "le=\"1e-07\"} 4");
    EXPECT_LINE(t, q + "le=\"2e-07\"} 6");
    EXPECT_LINE(t, q + "le=\"5e-04\"} 6");  // shortest form (std::to_chars)
    EXPECT_LINE(t, q + "le=\"0.001\"} 10");
    EXPECT_LINE(t, q + "le=\"10\"} 10");
    EXPECT_LINE(t, q + "le=\"+Inf\"} 11");
    EXPECT_LINE(t, "vfpath_queue_latency_seconds_count{port=\"p0\",queue=\"0\"} 11");
    // sum: 3*50 + 100 + 2*150 + 4*800000 + 12e9 ns
    EXPECT_LINE(t, "vfpath_queue_latency_seconds_sum{port=\"p0\",queue=\"0\"} 12.00320055");
    // Queues without latency have no series.
    EXPECT_EQ(t.find("vfpath_queue_latency_seconds_count{port=\"p0\",queue=\"1\"}"),
              std::string::npos);
}

TEST(Prometheus, LabelValuesAreEscaped) {
    View v = test::two_port_view();
    v.health[1].events_by_type = {{"we\"ird\\type\nx", 1}};
    const std::string t = prometheus_text(v);
    EXPECT_LINE(t, "vfpath_port_events_total{port=\"vf-1\",type=\"we\\\"ird\\\\type\\nx\"} 1");
}

// The text format's structure: every sample belongs to the family of the HELP/TYPE lines above
// it (histograms: _bucket/_sum/_count), no family is declared twice, each line is NAME[{..}] VALUE.
TEST(Prometheus, EverySampleBelongsToOneDeclaredFamily) {
    const std::string t = prometheus_text(latency_view());
    std::istringstream in(t);
    std::string line, family, type;
    std::set<std::string> declared;
    size_t samples = 0;
    while (std::getline(in, line)) {
        ASSERT_FALSE(line.empty());
        if (line.rfind("# HELP ", 0) == 0) {
            family = line.substr(7, line.find(' ', 7) - 7);
            EXPECT_TRUE(declared.insert(family).second) << "declared twice: " << family;
            continue;
        }
        if (line.rfind("# TYPE ", 0) == 0) {
            std::istringstream ls(line.substr(7));
            std::string name;
            ls >> name >> type;
            EXPECT_EQ(name, family);
            EXPECT_TRUE(type == "counter" || type == "gauge" || type == "histogram") << line;
            EXPECT_EQ(type == "counter", name.ends_with("_total")) << line;
            continue;
        }
        const std::string name = line.substr(0, line.find_first_of("{ "));
        if (type == "histogram")
            EXPECT_TRUE(name == family + "_bucket" || name == family + "_sum" ||
                        name == family + "_count")
                << line;
        else
            EXPECT_EQ(name, family) << line;
        const std::string value = line.substr(line.rfind(' ') + 1);
        char* end = nullptr;
        std::strtod(value.c_str(), &end);
        EXPECT_TRUE(*end == '\0' || value == "+Inf") << line;
        ++samples;
    }
    EXPECT_GT(samples, 100u);
}

TEST(Prometheus, PromtoolAcceptsIt) {
    if (std::system("command -v promtool >/dev/null 2>&1") != 0)
        GTEST_SKIP() << "promtool not installed (Debian package prometheus)";
    const auto path = std::filesystem::temp_directory_path() /
                      ("vfpath_metrics_" + std::to_string(::getpid()) + ".txt");
    std::ofstream(path) << prometheus_text(latency_view());
    const std::string out_path = path.string() + ".out";
    const int rc = std::system(
        ("promtool check metrics < " + path.string() + " > " + out_path + " 2>&1").c_str());
    std::ifstream o(out_path);
    const std::string out((std::istreambuf_iterator<char>(o)), {});
    std::filesystem::remove(path);
    std::filesystem::remove(out_path);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_EQ(out, "") << "promtool lint findings";
}

}  // namespace
}  // namespace vfpath::report
