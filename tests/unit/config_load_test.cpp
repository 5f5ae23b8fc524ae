// YAML loading and validation (lib/config/cp/{load,reader,schema,validate}.cpp): good configs
// decode to the right values and positions; each bad config gives exactly one Diag with the
// right key path, line and column; several errors are all reported; no input crashes.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <sstream>
#include <string>

#include "config/api.h"

#ifndef VFPATH_FIXTURES
#error "VFPATH_FIXTURES must name tests/fixtures (tests/unit/meson.build sets it)"
#endif

namespace vfpath::config {
namespace {

const std::string k_fixtures = VFPATH_FIXTURES;
constexpr std::string_view k_file = "test.yaml";

std::string dump(const std::vector<Diag>& diags) {
    std::string out;
    for (const Diag& d : diags) out += "\n  " + d.str();
    return out;
}

LoadResult load(std::string_view text) {
    return load_string(text, k_file);
}

// A string literal with its embedded NULs kept.
template <size_t N>
std::string bytes(const char (&s)[N]) {
    return std::string(s, N - 1);
}

// Loads text that must be valid and returns the config.
Config load_ok(std::string_view text) {
    LoadResult r = load(text);
    EXPECT_TRUE(r.errors.empty()) << dump(r.errors);
    EXPECT_TRUE(r.config.has_value());
    return r.config.value_or(Config{});
}

::testing::AssertionResult at(const Loc& loc, int line, int col) {
    if (loc.line == line && loc.col == col) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "at " << loc.line << ":" << loc.col << ", want " << line << ":" << col;
}

// ---- the built-in default ---------------------------------------------------------------

TEST(LoadDefault, BuiltInTextLoadsWithExpectedValues) {
    const LoadResult r = load_string(default_config_text(), k_default_config_name);
    ASSERT_TRUE(r.errors.empty()) << dump(r.errors);
    ASSERT_TRUE(r.config.has_value());
    const Config& c = *r.config;
    EXPECT_EQ(c.file, k_default_config_name);
    EXPECT_EQ(c.eal.lcores, "0-1");
    EXPECT_EQ(c.eal.main_lcore, 0u);
    EXPECT_EQ(c.eal.memory_mb, 256u);
    EXPECT_FALSE(c.eal.hugepages);
    EXPECT_TRUE(c.eal.in_memory);
    ASSERT_EQ(c.ports.size(), 2u);
    EXPECT_EQ(c.ports[0].name, "p0");
    EXPECT_EQ(c.ports[0].device, "net_null0");
    EXPECT_EQ(c.ports[1].name, "p1");
    EXPECT_EQ(c.ports[1].device, "net_null1");
    for (const PortConfig& p : c.ports) {
        EXPECT_FALSE(p.is_pci());
        EXPECT_EQ(p.rx_queues, 1);
        EXPECT_FALSE(p.tx_queues.has_value());
    }
    EXPECT_EQ(c.forward.mode, FwdMode::io);
    ASSERT_TRUE(c.forward.pairs.has_value());
    ASSERT_EQ(c.forward.pairs->size(), 1u);
    EXPECT_EQ((*c.forward.pairs)[0], (std::array<std::string, 2>{"p0", "p1"}));
    EXPECT_FALSE(c.workers.has_value());
    EXPECT_FALSE(c.mempool.size.has_value());
    EXPECT_EQ(c.run.stats_interval_s, 1.0);
    EXPECT_EQ(c.run.duration_s, 0.0);
    EXPECT_EQ(c.run.log_level, "info");
}

TEST(LoadDefault, BuiltInTextIsConfigDefaultYaml) {
    const LoadResult r = load_file(k_fixtures + "/../../config/default.yaml");
    ASSERT_TRUE(r.errors.empty()) << dump(r.errors);
    ASSERT_TRUE(r.config.has_value());
    const LoadResult built_in = load_string(default_config_text(), "x");
    ASSERT_TRUE(built_in.config.has_value());
    EXPECT_EQ(r.config->ports.size(), built_in.config->ports.size());
    EXPECT_EQ(r.config->eal.lcores, built_in.config->eal.lcores);
}

// ---- a config with every key ------------------------------------------------------------

TEST(LoadFull, EveryKeyDecodes) {
    const std::string path = k_fixtures + "/configs/full.yaml";
    const LoadResult r = load_file(path);
    ASSERT_TRUE(r.errors.empty()) << dump(r.errors);
    ASSERT_TRUE(r.config.has_value());
    const Config& c = *r.config;
    EXPECT_EQ(c.file, path);

    EXPECT_EQ(c.eal.lcores, "0-3,8");
    EXPECT_EQ(c.eal.main_lcore, 8u);
    EXPECT_EQ(c.eal.memory_mb, 1024u);
    EXPECT_TRUE(c.eal.hugepages);
    EXPECT_FALSE(c.eal.in_memory);
    EXPECT_EQ(c.eal.file_prefix, "vfpath_test");
    EXPECT_EQ(c.eal.extra_args,
              (std::vector<std::string>{"--log-level=pmd.net.iavf:debug", "--no-telemetry"}));

    ASSERT_EQ(c.ports.size(), 2u);
    const PortConfig& up = c.ports[0];
    EXPECT_EQ(up.name, "up");
    EXPECT_EQ(up.device, "0000:3b:02.0");
    EXPECT_TRUE(up.is_pci());
    EXPECT_EQ(up.rx_queues, 2);
    EXPECT_EQ(up.tx_queues, std::optional<uint16_t>(3));
    EXPECT_EQ(up.rx_desc, 512);
    EXPECT_EQ(up.tx_desc, 2048);
    EXPECT_EQ(up.mtu, std::optional<uint16_t>(9000));
    EXPECT_EQ(up.mac, parse_mac("02:00:00:00:00:01"));
    EXPECT_FALSE(up.promiscuous);
    EXPECT_EQ(up.rss, std::optional<bool>(true));
    EXPECT_EQ(up.socket, std::optional<int>(1));
    EXPECT_EQ(up.next_hop, parse_mac("02:00:00:00:00:ff"));
    const PortConfig& down = c.ports[1];
    EXPECT_EQ(down.name, "down");
    EXPECT_EQ(down.device, "net_tap0,iface=vf0");
    EXPECT_FALSE(down.is_pci());
    EXPECT_EQ(down.next_hop, parse_mac("02:00:00:00:00:fe"));
    EXPECT_EQ(c.find_port("down"), &down);

    EXPECT_EQ(c.forward.mode, FwdMode::l2);
    ASSERT_TRUE(c.forward.pairs.has_value());
    EXPECT_EQ(*c.forward.pairs, (std::vector<std::array<std::string, 2>>{{"up", "down"}}));
    EXPECT_EQ(c.forward.burst, 64);

    ASSERT_TRUE(c.workers.has_value());
    ASSERT_EQ(c.workers->size(), 2u);
    const WorkerConfig& w0 = (*c.workers)[0];
    EXPECT_EQ(w0.lcore, 1u);
    ASSERT_EQ(w0.queues.size(), 2u);
    EXPECT_EQ(w0.queues[0].port, "up");
    EXPECT_EQ(w0.queues[0].queue, 0);
    EXPECT_EQ(w0.queues[1].port, "down");
    EXPECT_EQ(w0.queues[1].queue, 0);
    const WorkerConfig& w1 = (*c.workers)[1];
    EXPECT_EQ(w1.lcore, 2u);
    ASSERT_EQ(w1.queues.size(), 1u);
    EXPECT_EQ(w1.queues[0].port, "up");
    EXPECT_EQ(w1.queues[0].queue, 1);

    EXPECT_EQ(c.mempool.size, std::optional<unsigned>(16384));
    EXPECT_EQ(c.mempool.cache_size, 128u);
    EXPECT_EQ(c.mempool.data_room, 9344);
    EXPECT_EQ(c.run.duration_s, 2.5);
    EXPECT_EQ(c.run.stats_interval_s, 0.5);
    EXPECT_EQ(c.run.log_level, "debug");
}

TEST(LoadFull, EveryLocPointsAtItsValue) {
    const LoadResult r = load_file(k_fixtures + "/configs/full.yaml");
    ASSERT_TRUE(r.config.has_value()) << dump(r.errors);
    const Config& c = *r.config;
    EXPECT_TRUE(at(c.eal.lcores_loc, 4, 11));
    EXPECT_TRUE(at(c.eal.main_lcore_loc, 5, 15));
    const PortConfig& up = c.ports[0];
    EXPECT_TRUE(at(up.loc, 12, 5));
    EXPECT_TRUE(at(up.name_loc, 12, 11));
    EXPECT_TRUE(at(up.device_loc, 13, 13));
    EXPECT_TRUE(at(up.rx_queues_loc, 14, 16));
    EXPECT_TRUE(at(up.tx_queues_loc, 15, 16));
    EXPECT_TRUE(at(up.rx_desc_loc, 16, 14));
    EXPECT_TRUE(at(up.tx_desc_loc, 17, 14));
    EXPECT_TRUE(at(up.mtu_loc, 18, 10));
    EXPECT_TRUE(at(up.socket_loc, 22, 13));
    EXPECT_TRUE(at(c.ports[1].loc, 24, 5));
    EXPECT_TRUE(at(c.ports[1].device_loc, 25, 13));
    EXPECT_TRUE(at(c.ports[1].rx_queues_loc, 0, 0));  // defaulted: no position
    EXPECT_TRUE(at(c.forward.mode_loc, 28, 9));
    EXPECT_TRUE(at(c.forward.pairs_loc, 30, 5));
    ASSERT_EQ(c.forward.pair_locs.size(), 1u);
    EXPECT_TRUE(at(c.forward.pair_locs[0][0], 30, 8));
    EXPECT_TRUE(at(c.forward.pair_locs[0][1], 30, 12));
    EXPECT_TRUE(at(c.forward.burst_loc, 31, 10));
    const WorkerConfig& w0 = (*c.workers)[0];
    EXPECT_TRUE(at(w0.loc, 33, 5));
    EXPECT_TRUE(at(w0.lcore_loc, 33, 12));
    EXPECT_TRUE(at(w0.queues[0].loc, 34, 14));
    EXPECT_TRUE(at(w0.queues[1].loc, 34, 22));
    EXPECT_TRUE(at((*c.workers)[1].queues[0].loc, 36, 14));
    EXPECT_TRUE(at(c.mempool.size_loc, 38, 9));
    EXPECT_TRUE(at(c.mempool.cache_size_loc, 39, 15));
    EXPECT_TRUE(at(c.mempool.data_room_loc, 40, 14));
    EXPECT_TRUE(at(c.run.log_level_loc, 44, 14));
}

TEST(LoadGood, ReflectFixture) {
    const LoadResult r = load_file(k_fixtures + "/configs/reflect.yaml");
    ASSERT_TRUE(r.config.has_value()) << dump(r.errors);
    EXPECT_EQ(r.config->forward.mode, FwdMode::macswap);
    EXPECT_EQ(*r.config->forward.pairs,
              (std::vector<std::array<std::string, 2>>{{"loop", "loop"}}));
}

TEST(LoadGood, AnnotatedExampleOfTheReference) {
    // README.config.md shows this file; it must stay valid.
    const LoadResult r = load_file(k_fixtures + "/configs/annotated.yaml");
    ASSERT_TRUE(r.config.has_value()) << dump(r.errors);
    EXPECT_EQ(r.config->ports.size(), 2u);
    EXPECT_EQ(r.config->forward.mode, FwdMode::l2);
    EXPECT_EQ(r.config->workers->size(), 2u);
    EXPECT_EQ(r.config->mempool.size, std::optional<unsigned>(16384));
}

TEST(LoadGood, MinimalConfigKeepsEveryDefault) {
    const Config c = load_ok("ports:\n  - device: net_null0\n");
    const Config defaults;
    EXPECT_EQ(c.eal.lcores, defaults.eal.lcores);
    EXPECT_EQ(c.eal.main_lcore, defaults.eal.main_lcore);
    EXPECT_EQ(c.eal.memory_mb, defaults.eal.memory_mb);
    EXPECT_EQ(c.eal.hugepages, defaults.eal.hugepages);
    EXPECT_EQ(c.eal.in_memory, defaults.eal.in_memory);
    EXPECT_TRUE(c.eal.file_prefix.empty());
    EXPECT_TRUE(c.eal.extra_args.empty());
    EXPECT_TRUE(at(c.eal.lcores_loc, 0, 0));
    ASSERT_EQ(c.ports.size(), 1u);
    const PortConfig& p = c.ports[0];
    const PortConfig pd;
    EXPECT_EQ(p.name, "p0");
    EXPECT_TRUE(at(p.name_loc, 0, 0));
    EXPECT_EQ(p.rx_queues, pd.rx_queues);
    EXPECT_EQ(p.tx_queues, pd.tx_queues);
    EXPECT_EQ(p.rx_desc, pd.rx_desc);
    EXPECT_EQ(p.tx_desc, pd.tx_desc);
    EXPECT_EQ(p.mtu, pd.mtu);
    EXPECT_EQ(p.mac, pd.mac);
    EXPECT_EQ(p.promiscuous, pd.promiscuous);
    EXPECT_EQ(p.rss, pd.rss);
    EXPECT_EQ(p.socket, pd.socket);
    EXPECT_EQ(p.next_hop, pd.next_hop);
    EXPECT_EQ(c.forward.mode, FwdMode::io);
    EXPECT_FALSE(c.forward.pairs.has_value());
    EXPECT_EQ(c.forward.burst, defaults.forward.burst);
    EXPECT_FALSE(c.workers.has_value());
    EXPECT_FALSE(c.mempool.size.has_value());
    EXPECT_EQ(c.mempool.cache_size, defaults.mempool.cache_size);
    EXPECT_EQ(c.mempool.data_room, defaults.mempool.data_room);
    EXPECT_EQ(c.run.duration_s, defaults.run.duration_s);
    EXPECT_EQ(c.run.stats_interval_s, defaults.run.stats_interval_s);
    EXPECT_EQ(c.run.log_level, defaults.run.log_level);
}

TEST(LoadGood, RecoveryOutcomeStormAndLinkKeys) {
    const Config d = load_ok("ports:\n  - device: net_null0\n");
    const RecoveryConfig def;
    EXPECT_EQ(d.recovery.restart_on_link_up, "auto");
    EXPECT_EQ(d.recovery.first_frame_timeout_ms, def.first_frame_timeout_ms);
    EXPECT_EQ(d.recovery.recurrence_window_ms, 10000u);
    EXPECT_EQ(d.recovery.escalate_after, 3u);
    EXPECT_EQ(d.recovery.storm_resets, 10u);
    const Config c = load_ok(
        "ports:\n  - device: net_null0\n"
        "recovery:\n"
        "  restart_on_link_up: always\n"
        "  first_frame_timeout_ms: 250\n"
        "  recurrence_window_ms: 5000\n"
        "  recurrence_backoff_ms: 100\n"
        "  escalate_after: 2\n"
        "  storm_resets: 0\n"
        "  storm_window_ms: 30000\n"
        "  storm_hold_ms: 2000\n"
        "  removed_poll_ms: 250\n"
        "  removed_wait_ms: 60000\n"
        "  link_up_settle_ms: 0\n"
        "  pf_watch_ms: 0\n");
    EXPECT_EQ(d.recovery.link_up_settle_ms, 1000u);
    EXPECT_EQ(c.recovery.link_up_settle_ms, 0u);
    EXPECT_EQ(d.recovery.pf_watch_ms, 1000u);
    EXPECT_EQ(c.recovery.pf_watch_ms, 0u);
    EXPECT_EQ(d.recovery.removed_poll_ms, 1000u);
    EXPECT_EQ(d.recovery.removed_wait_ms, 0u);
    EXPECT_EQ(c.recovery.removed_poll_ms, 250u);
    EXPECT_EQ(c.recovery.removed_wait_ms, 60000u);
    EXPECT_EQ(c.recovery.restart_on_link_up, "always");
    EXPECT_EQ(c.recovery.first_frame_timeout_ms, 250u);
    EXPECT_EQ(c.recovery.recurrence_window_ms, 5000u);
    EXPECT_EQ(c.recovery.recurrence_backoff_ms, 100u);
    EXPECT_EQ(c.recovery.escalate_after, 2u);
    EXPECT_EQ(c.recovery.storm_resets, 0u);
    EXPECT_EQ(c.recovery.storm_window_ms, 30000u);
    EXPECT_EQ(c.recovery.storm_hold_ms, 2000u);
    EXPECT_EQ(load_ok("ports:\n  - device: net_null0\nrecovery: {restart_on_link_up: never}\n")
                  .recovery.restart_on_link_up,
              "never");
}

TEST(LoadGood, LatencyClockWords) {
    const Config c = load_ok(
        "ports:\n  - device: net_null0\n  - device: net_null1\n    latency_clock: tsc\n"
        "  - device: net_null2\n    latency_clock: hw\n  - device: net_null3\n"
        "    latency_clock: auto\n");
    ASSERT_EQ(c.ports.size(), 4u);
    EXPECT_EQ(c.ports[0].latency_clock, LatencyClock::automatic);  // the default
    EXPECT_EQ(c.ports[1].latency_clock, LatencyClock::tsc);
    EXPECT_EQ(c.ports[2].latency_clock, LatencyClock::hw);
    EXPECT_TRUE(at(c.ports[2].latency_clock_loc, 6, 20));
    EXPECT_EQ(c.ports[3].latency_clock, LatencyClock::automatic);
    EXPECT_EQ(to_string(LatencyClock::automatic), "auto");
    EXPECT_EQ(parse_latency_clock("hw"), LatencyClock::hw);
    EXPECT_FALSE(parse_latency_clock("HW"));
}

TEST(LoadGood, DefaultNamesFollowListIndex) {
    const Config c = load_ok(
        "ports: [{device: net_null0}, {name: mid, device: net_null1}, {device: net_null2}]\n");
    ASSERT_EQ(c.ports.size(), 3u);
    EXPECT_EQ(c.ports[0].name, "p0");
    EXPECT_EQ(c.ports[1].name, "mid");
    EXPECT_EQ(c.ports[2].name, "p2");
}

TEST(LoadGood, LenientSpellingsAreAccepted) {
    const Config c = load_ok(R"y(eal:
  lcores: 3
  main_lcore: 3
  hugepages: yes
  in_memory: off
ports:
  - device: 3B:02.7
    rx_queues: "4"
    tx_desc: 0x400
    promiscuous: False
    mac: 02-AA-bb-CC-dd-EE
  - device: net_pcap0,rx_pcap=/tmp/in.pcap
run:
  duration_s: 10
  stats_interval_s: 1e1
)y");
    EXPECT_EQ(c.eal.lcores, "3");
    EXPECT_TRUE(c.eal.hugepages);
    EXPECT_FALSE(c.eal.in_memory);
    EXPECT_EQ(c.ports[0].device, "3B:02.7");
    EXPECT_TRUE(c.ports[0].is_pci());
    EXPECT_EQ(c.ports[0].rx_queues, 4);
    EXPECT_EQ(c.ports[0].tx_desc, 1024);
    EXPECT_FALSE(c.ports[0].promiscuous);
    EXPECT_EQ(c.ports[0].mac, (MacAddr{0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee}));
    EXPECT_EQ(c.run.duration_s, 10.0);
    EXPECT_EQ(c.run.stats_interval_s, 10.0);
}

TEST(LoadGood, EmptySectionsKeepDefaults) {
    const Config c = load_ok("eal:\nports: [{device: net_null0}]\nforward:\nmempool:\nrun: {}\n");
    EXPECT_EQ(c.eal.lcores, "0-1");
    EXPECT_EQ(c.forward.mode, FwdMode::io);
}

TEST(LoadGood, QueueRefForms) {
    // "- p0: 1" is what YAML makes of "p0:1" with a space; it means the same thing.
    const Config c = load_ok(R"y(eal: {lcores: "0-2"}
ports: [{device: net_null0, rx_queues: 4}]
workers:
  - lcore: 1
    queues: [p0, "p0:1"]
  - lcore: 2
    queues:
      - p0:2
      - p0: 3
)y");
    ASSERT_TRUE(c.workers.has_value());
    std::vector<std::pair<std::string, int>> got;
    for (const WorkerConfig& w : *c.workers)
        for (const QueueRef& q : w.queues) got.emplace_back(q.port, q.queue);
    EXPECT_EQ(got, (std::vector<std::pair<std::string, int>>{
                       {"p0", 0}, {"p0", 1}, {"p0", 2}, {"p0", 3}}));
}

TEST(LoadGood, SinkIgnoresPairingRulesButL2OnlyNeedsTransmitters) {
    // sink: a port may appear in several pairs (pairs are ignored), names must still exist.
    load_ok(
        "ports: [{device: net_null0}, {device: net_null1}]\n"
        "forward: {mode: sink, pairs: [[p0, p1], [p1, p0]]}\n");
    load_ok("ports: [{device: net_null0}]\nforward: {mode: sink, pairs: []}\n");
    // l2: p2 is in no pair, so it sends nothing and needs no next_hop.
    load_ok(R"y(ports:
  - {device: net_null0, next_hop: "02:00:00:00:00:01"}
  - {device: net_null1, next_hop: "02:00:00:00:00:02"}
  - {device: net_null2}
forward: {mode: l2, pairs: [[p0, p1]]}
)y");
    // l2 with a reflecting pair: one next_hop.
    load_ok(
        "ports: [{device: net_null0, next_hop: 'ff:ff:ff:ff:ff:ff'}]\n"
        "forward: {mode: l2, pairs: [[p0, p0]]}\n");
}

TEST(LoadGood, MempoolAtExactlyTheDescriptorCount) {
    // 2 rx * 512 + (tx_queues unset -> rx_queues) 2 * 256 = 1536.
    const Config c = load_ok(
        "ports: [{device: net_null0, rx_queues: 2, rx_desc: 512, "
        "tx_desc: 256}]\nmempool: {size: 1536, cache_size: 64}\n");
    EXPECT_EQ(c.mempool.size, std::optional<unsigned>(1536));
}

TEST(LoadGood, VfPolicyEntries) {
    const Config c = load_ok(R"y(ports: [{name: pf0, device: "0000:3b:00.0"}]
vf_policy:
  - {pf: pf0, vf: all, allow_vlan: true}
  - pf: pf0
    vf: 0x1f
    trusted: yes
    allow_mac_change: true
    allow_promisc: true
    allow_multicast: false
    allow_mtu_change: true
)y");
    ASSERT_EQ(c.vf_policy.size(), 2u);
    const VfMailboxPolicyConfig& all = c.vf_policy[0];
    EXPECT_EQ(all.pf, "pf0");
    EXPECT_FALSE(all.vf.has_value());
    EXPECT_TRUE(all.allow_vlan);
    EXPECT_FALSE(all.trusted);
    EXPECT_TRUE(all.allow_multicast);  // default
    EXPECT_TRUE(at(all.loc, 3, 5));
    const VfMailboxPolicyConfig& one = c.vf_policy[1];
    EXPECT_EQ(one.vf, std::optional<uint16_t>(31));
    EXPECT_TRUE(one.trusted);
    EXPECT_TRUE(one.allow_mac_change);
    EXPECT_FALSE(one.allow_vlan);
    EXPECT_TRUE(one.allow_promisc);
    EXPECT_FALSE(one.allow_multicast);
    EXPECT_TRUE(one.allow_mtu_change);
    EXPECT_TRUE(at(one.vf_loc, 5, 9));
    EXPECT_TRUE(load_ok("ports: [{device: net_null0}]\nvf_policy: []\n").vf_policy.empty());
}

// ---- bad configs: one mistake each, one Diag each -----------------------------------------

struct BadCase {
    const char* name;  // test name
    const char* yaml;
    const char* path;     // the exact Diag::path
    int line, col;        // the exact Diag::loc (0, 0: no position)
    const char* message;  // a fragment the message must contain
};

void PrintTo(const BadCase& c, std::ostream* os) {
    *os << c.name;
}

class BadConfig : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadConfig, GivesOneDiagWithPathAndPosition) {
    const BadCase& c = GetParam();
    SCOPED_TRACE(std::string("config:\n") + c.yaml);
    const LoadResult r = load(c.yaml);
    EXPECT_FALSE(r.config.has_value());
    ASSERT_EQ(r.errors.size(), 1u) << dump(r.errors);
    const Diag& d = r.errors[0];
    EXPECT_EQ(d.file, k_file);
    EXPECT_EQ(d.path, c.path);
    EXPECT_TRUE(at(d.loc, c.line, c.col)) << d.str();
    EXPECT_NE(d.message.find(c.message), std::string::npos) << d.str();
    // str() carries all of it, the way users see it.
    EXPECT_EQ(d.str().rfind(std::string(k_file), 0), 0u);
    EXPECT_NE(d.str().find(d.message), std::string::npos);
}

// Shorthand for the one valid port most cases need.
#define P0 "ports:\n  - device: net_null0\n"

const BadCase k_bad_cases[] = {
    // -- document shape
    {"EmptyText", "", "", 0, 0, "empty"},
    {"OnlyComments", "# nothing\n", "", 0, 0, "empty"},
    {"TopLevelScalar", "42\n", "", 1, 1, "expected a map with keys eal, ports"},
    {"TopLevelList", "- ports\n", "", 1, 1, "got a list of 1 item"},
    {"SyntaxError", "ports:\n  - device: [net_null0\n", "", 3, 1, "YAML syntax error"},
    {"TabIndent", "ports:\n\t- device: net_null0\n", "", 2, 2, "YAML syntax error"},
    {"SecondDocument", P0 "---\nports: []\n", "", 3, 1, "second YAML document"},
    // yaml-cpp 0.7 alone would loop forever on this one (see scan_documents in load.cpp).
    {"StrayCommaAtDocumentStart", "# c\n , ports: []\n", "", 2, 2, "unexpected ','"},
    {"UnknownTopKey", P0 "forwad: {mode: io}\n", "forwad", 3, 1, "did you mean 'forward'"},
    {"MergeKey", P0 "<<: {a: 1}\n", "<<", 3, 1, "merge keys are not supported"},
    {"ComplexKey", P0 "[a, b]: 1\n", "", 3, 1, "keys must be plain names"},
    {"MissingPorts", "eal: {memory_mb: 64}\n", "ports", 1, 1, "missing required key 'ports'"},
    {"DuplicateTopKey", P0 "ports:\n  - device: net_null1\n", "ports", 3, 1,
     "duplicate key; already given at line 1"},
    // -- eal
    {"EalNotAMap", "eal: [a]\n" P0, "eal", 1, 6, "expected a map with keys lcores"},
    {"LcoresGarbage", "eal:\n  lcores: 0-x\n" P0, "eal.lcores", 2, 11, "CPU list"},
    {"LcoresReversed", "eal: {lcores: 3-1}\n" P0, "eal.lcores", 1, 15, "got '3-1'"},
    {"LcoresTooHigh", "eal: {lcores: \"0-1024\"}\n" P0, "eal.lcores", 1, 15, "ids 0..1023"},
    {"LcoresList", "eal: {lcores: [0, 1]}\n" P0, "eal.lcores", 1, 15, "got a list of 2 items"},
    {"MainLcoreNotListed", "eal: {lcores: 0-1, main_lcore: 2}\n" P0, "eal.main_lcore", 1, 32,
     "main lcore 2 is not in eal.lcores '0-1'"},
    {"DefaultMainLcoreNotListed", "eal:\n  lcores: 1-2\n" P0, "eal.lcores", 2, 11,
     "does not include lcore 0, the default main_lcore"},
    {"MainLcoreNegative", "eal: {main_lcore: -1}\n" P0, "eal.main_lcore", 1, 19,
     "expected an integer in 0..1023, got '-1'"},
    {"MemoryZero", "eal: {memory_mb: 0}\n" P0, "eal.memory_mb", 1, 18, "1..4294967295"},
    {"MemoryHuge", "eal: {memory_mb: 4294967296}\n" P0, "eal.memory_mb", 1, 18, "4294967296"},
    {"HugepagesNotBool", "eal: {hugepages: maybe}\n" P0, "eal.hugepages", 1, 18,
     "expected true or false, got 'maybe'"},
    {"InMemoryNull", "eal:\n  in_memory:\n" P0, "eal.in_memory", 2, 3, "got null"},
    {"FilePrefixSlash", "eal: {file_prefix: a/b}\n" P0, "eal.file_prefix", 1, 20, "'/'"},
    {"ExtraArgsString", "eal: {extra_args: --no-pci}\n" P0, "eal.extra_args", 1, 19,
     "expected a list of EAL arguments"},
    {"ExtraArgsMapItem", "eal:\n  extra_args: [--no-pci, {a: 1}]\n" P0, "eal.extra_args[1]", 2, 26,
     "got a map"},
    {"EalUnknownKey", "eal: {lcore: 1}\n" P0, "eal.lcore", 1, 7, "did you mean 'lcores'"},
    // -- ports
    {"PortsEmpty", "ports: []\n", "ports", 1, 8, "at least one port"},
    {"PortsMap", "ports:\n  device: net_null0\n", "ports", 2, 3, "expected a list of ports"},
    {"PortScalar", "ports:\n  - net_null0\n", "ports[0]", 2, 5, "got 'net_null0'"},
    {"PortNull", "ports:\n  -\n  - device: net_null1\n", "ports[0].device", 2, 3,
     "missing required key 'device'"},
    {"DeviceMissing", "ports:\n  - device: net_null0\n  - name: b\n    rss: true\n",
     "ports[1].device", 3, 5, "missing required key 'device'"},
    {"DeviceNotPciNorVdev", "ports:\n  - device: eth0\n", "ports[0].device", 2, 13,
     "PCI address (0000:3b:02.0 or 3b:02.0) or a vdev spec starting with 'net_'"},
    {"DeviceEmpty", "ports: [{device: ''}]\n", "ports[0].device", 1, 18, "got an empty string"},
    {"DeviceBadPciSlot", "ports: [{device: '0000:3b:20.0'}]\n", "ports[0].device", 1, 18,
     "got '0000:3b:20.0'"},
    {"DeviceNetOnly", "ports: [{device: net_}]\n", "ports[0].device", 1, 18, "got 'net_'"},
    {"DeviceDuplicatePci", "ports:\n  - device: 3b:02.0\n  - device: 0000:3B:02.0\n",
     "ports[1].device", 3, 13, "already used by ports[0] (line 2)"},
    {"DeviceDuplicateVdevName", "ports:\n  - device: net_null0\n  - device: net_null0,size=64\n",
     "ports[1].device", 3, 13, "already used by ports[0]"},
    {"NameDuplicate",
     "ports:\n  - {name: a, device: net_null0}\n  - {name: a, device: net_null1}\n",
     "ports[1].name", 3, 12, "duplicate port name 'a'"},
    {"NameClashesWithDefault",
     "ports:\n  - name: p1\n    device: net_null0\n  - device: net_null1\n", "ports[1].name", 4, 5,
     "(the default name of ports[1])"},
    {"NameWithBlank", "ports: [{name: p 0, device: net_null0}]\n", "ports[0].name", 1, 16,
     "letters, digits, '_' and '-'"},
    {"NameWithColon", "ports: [{name: 'a:b', device: net_null0}]\n", "ports[0].name", 1, 16,
     "got 'a:b'"},
    {"RxQueuesZero", "ports:\n  - device: net_null0\n    rx_queues: 0\n", "ports[0].rx_queues", 3,
     16, "expected an integer in 1..1024, got '0'"},
    {"RxQueuesTooMany", "ports: [{device: net_null0, rx_queues: 1025}]\n", "ports[0].rx_queues", 1,
     40, "1..1024"},
    {"TxQueuesNegative", "ports: [{device: net_null0, tx_queues: -1}]\n", "ports[0].tx_queues", 1,
     40, "got '-1'"},
    {"TxQueuesHugeInteger", "ports: [{device: net_null0, tx_queues: 99999999999999999999999}]\n",
     "ports[0].tx_queues", 1, 40, "got '99999999999999999999999'"},
    {"RxDescTooFew", "ports: [{device: net_null0, rx_desc: 32}]\n", "ports[0].rx_desc", 1, 38,
     "64..32768"},
    {"TxDescFloat", "ports: [{device: net_null0, tx_desc: 512.5}]\n", "ports[0].tx_desc", 1, 38,
     "got '512.5'"},
    {"MtuTooSmall", "ports: [{device: net_null0, mtu: 67}]\n", "ports[0].mtu", 1, 34, "68..16000"},
    {"MtuNull", "ports:\n  - device: net_null0\n    mtu:\n", "ports[0].mtu", 3, 5, "got null"},
    {"MacMulticast", "ports: [{device: net_null0, mac: '01:00:5e:00:00:01'}]\n", "ports[0].mac", 1,
     34, "multicast"},
    {"MacZero", "ports: [{device: net_null0, mac: '00:00:00:00:00:00'}]\n", "ports[0].mac", 1, 34,
     "not a usable MAC"},
    {"MacShort", "ports: [{device: net_null0, mac: '02:00:00:00:00'}]\n", "ports[0].mac", 1, 34,
     "MAC address like"},
    {"NextHopGarbage", "ports: [{device: net_null0, next_hop: gateway}]\n", "ports[0].next_hop", 1,
     39, "got 'gateway'"},
    {"SocketTooHigh", "ports: [{device: net_null0, socket: 64}]\n", "ports[0].socket", 1, 37,
     "0..63"},
    {"PromiscuousNotBool", "ports: [{device: net_null0, promiscuous: 2}]\n", "ports[0].promiscuous",
     1, 42, "true or false"},
    {"RssList", "ports: [{device: net_null0, rss: [on]}]\n", "ports[0].rss", 1, 34, "got a list"},
    {"LatencyClockUnknown", "ports: [{device: net_null0, latency_clock: nic}]\n",
     "ports[0].latency_clock", 1, 44, "one of auto, tsc, hw, got 'nic'"},
    {"PortUnknownKey", "ports:\n  - device: net_null0\n    rx_queue: 2\n", "ports[0].rx_queue", 3,
     5, "did you mean 'rx_queues'"},
    {"PortDuplicateKey", "ports:\n  - device: net_null0\n    mtu: 1500\n    mtu: 9000\n",
     "ports[0].mtu", 4, 5, "already given at line 3"},
    // -- forward
    {"ModeUnknown", P0 "forward: {mode: bridge}\n", "forward.mode", 3, 17,
     "one of io, macswap, l2, sink, got 'bridge'"},
    {"ModeWrongCase", P0 "forward:\n  mode: IO\n", "forward.mode", 4, 9, "got 'IO'"},
    {"BurstZero", P0 "forward: {burst: 0}\n", "forward.burst", 3, 18, "1..256"},
    {"BurstTooBig", P0 "forward: {burst: 257}\n", "forward.burst", 3, 18, "1..256"},
    {"PairsScalar", P0 "forward: {pairs: p0}\n", "forward.pairs", 3, 18, "list of port pairs"},
    {"PairOfThree", P0 "forward:\n  pairs: [[p0, p0, p0]]\n", "forward.pairs[0]", 4, 11,
     "got a list of 3 items"},
    {"PairNotAList", P0 "forward:\n  pairs: [p0]\n", "forward.pairs[0]", 4, 11, "got 'p0'"},
    {"PairNameNotScalar", P0 "forward:\n  pairs: [[{a: 1}, p0]]\n", "forward.pairs[0][0]", 4, 12,
     "expected a port name"},
    {"PairUnknownPort", P0 "forward:\n  pairs:\n    - [p0, p9]\n", "forward.pairs[0][1]", 5, 12,
     "no port named 'p9'; ports are: p0"},
    {"SinkPairUnknownPort", P0 "forward: {mode: sink, pairs: [[p9, p0]]}\n", "forward.pairs[0][0]",
     3, 32, "no port named 'p9'"},
    {"PortInTwoPairs",
     "ports: [{device: net_null0}, {device: net_null1}]\nforward:\n  pairs:\n"
     "    - [p0, p1]\n    - [p1, p1]\n",
     "forward.pairs[1][0]", 5, 8, "already in forward.pairs[0] (line 4)"},
    {"PairsEmpty", P0 "forward: {pairs: []}\n", "forward.pairs", 3, 18, "omit pairs"},
    {"L2WithoutNextHop", P0 "forward: {mode: l2}\n", "ports[0].next_hop", 2, 5,
     "forward.mode is l2 (line 3)"},
    {"L2PairedPortWithoutNextHop",
     "ports:\n  - {device: net_null0, next_hop: '02:00:00:00:00:01'}\n"
     "  - {device: net_null1}\nforward: {mode: l2, pairs: [[p0, p1]]}\n",
     "ports[1].next_hop", 3, 5, "port 'p1' transmits"},
    // -- workers
    {"WorkersMap", P0 "workers: {lcore: 1}\n", "workers", 3, 10, "expected a list of workers"},
    {"WorkersEmpty", P0 "workers: []\n", "workers", 3, 10, "omit workers"},
    {"WorkerMissingLcore", P0 "workers:\n  - queues: [p0]\n", "workers[0].lcore", 4, 5,
     "missing required key 'lcore'"},
    {"WorkerMissingQueues", P0 "workers:\n  - lcore: 1\n", "workers[0].queues", 4, 5,
     "missing required key 'queues'"},
    {"WorkerEmptyQueues", P0 "workers:\n  - lcore: 1\n    queues: []\n", "workers[0].queues", 5, 13,
     "at least one queue"},
    {"WorkerUnknownKey", P0 "workers:\n  - lcore: 1\n    queue: [p0]\n", "workers[0].queue", 5, 5,
     "did you mean 'queues'"},
    {"WorkerLcoreNegative", P0 "workers: [{lcore: -1, queues: [p0]}]\n", "workers[0].lcore", 3, 19,
     "0..1023"},
    {"WorkerLcoreNotInEal", P0 "workers:\n  - lcore: 5\n    queues: [p0]\n", "workers[0].lcore", 4,
     12, "lcore 5 is not in eal.lcores '0-1'"},
    {"WorkerOnMainLcore", P0 "workers:\n  - lcore: 0\n    queues: [p0]\n", "workers[0].lcore", 4,
     12, "the main lcore runs the control thread and cannot be a worker"},
    {"WorkerLcoreTwice",
     "eal: {lcores: 0-2}\nports: [{device: net_null0, rx_queues: 2}]\nworkers:\n"
     "  - {lcore: 1, queues: ['p0:0']}\n  - {lcore: 1, queues: ['p0:1']}\n",
     "workers[1].lcore", 5, 13, "lcore 1 already has a worker: workers[0] (line 4)"},
    {"QueueUnknownPort", P0 "workers: [{lcore: 1, queues: [p0, 'p1:0']}]\n", "workers[0].queues[1]",
     3, 35, "no port named 'p1'"},
    {"QueueIndexTooHigh", P0 "workers:\n  - lcore: 1\n    queues: [p0:0, p0:1]\n",
     "workers[0].queues[1]", 5, 20, "rx queue 1 does not exist: port 'p0' has rx_queues 1"},
    {"QueueTwiceInOneWorker", P0 "workers:\n  - lcore: 1\n    queues: [p0, p0:0]\n",
     "workers[0].queues[1]", 5, 18, "p0:0 is already polled by workers[0]"},
    {"QueueTwiceAcrossWorkers",
     "eal: {lcores: 0-2}\n" P0 "workers:\n  - {lcore: 1, queues: [p0]}\n"
     "  - {lcore: 2, queues: [p0]}\n",
     "workers[1].queues[0]", 6, 25, "already polled by workers[0] (line 5)"},
    {"QueueIndexGarbage", P0 "workers: [{lcore: 1, queues: ['p0:x']}]\n", "workers[0].queues[0]", 3,
     31, "expected a queue like \"p0:1\""},
    {"QueuePortEmpty", P0 "workers: [{lcore: 1, queues: [':1']}]\n", "workers[0].queues[0]", 3, 31,
     "got ':1'"},
    {"QueueIndexHuge", P0 "workers: [{lcore: 1, queues: ['p0:70000']}]\n", "workers[0].queues[0]",
     3, 31, "got 'p0:70000'"},
    {"QueueAsList", P0 "workers: [{lcore: 1, queues: [[p0, 0]]}]\n", "workers[0].queues[0]", 3, 31,
     "got a list of 2 items"},
    {"QueuesScalar", P0 "workers: [{lcore: 1, queues: p0}]\n", "workers[0].queues", 3, 30,
     "expected a list of queues"},
    // -- mempool
    {"MempoolSizeZero", P0 "mempool: {size: 0}\n", "mempool.size", 3, 17, "1..4294967295"},
    {"MempoolBelowDescriptors", P0 "mempool:\n  size: 2047\n", "mempool.size", 4, 9, "below 2048"},
    {"MempoolBelowDescriptorsMultiQueue",
     "ports:\n  - {device: net_null0, rx_queues: 4, tx_queues: 2, rx_desc: 512, tx_desc: 256}\n"
     "  - {device: net_null1}\nmempool: {size: 4000, cache_size: 64}\n",
     "mempool.size", 4, 17, "set at least 4608"},
    {"MempoolCacheTooBig", P0 "mempool: {cache_size: 513}\n", "mempool.cache_size", 3, 23,
     "0..512"},
    {"MempoolCacheTooBigForSize",
     "ports: [{device: net_null0, rx_desc: 64, tx_desc: 64}]\n"
     "mempool: {size: 500, cache_size: 512}\n",
     "mempool.cache_size", 2, 34, "at least 768 mbufs"},
    {"MempoolDataRoomTooSmall", P0 "mempool: {data_room: 383}\n", "mempool.data_room", 3, 22,
     "384..65535"},
    {"MempoolDataRoomOverflow", P0 "mempool: {data_room: 65536}\n", "mempool.data_room", 3, 22,
     "384..65535"},
    // -- run
    {"DurationNegative", P0 "run: {duration_s: -1}\n", "run.duration_s", 3, 19,
     "expected a number >= 0, got '-1'"},
    {"DurationInfinite", P0 "run: {duration_s: .inf}\n", "run.duration_s", 3, 19, "got '.inf'"},
    {"DurationNan", P0 "run: {duration_s: nan}\n", "run.duration_s", 3, 19, "got 'nan'"},
    {"MeasureLatencyNotBool", P0 "measure: {latency: sometimes}\n", "measure.latency", 3, 20,
     "true or false"},
    {"MeasureSampleZero", P0 "measure: {latency: true, latency_sample: 0}\n",
     "measure.latency_sample", 3, 42, "1"},
    {"MeasureSampleHuge", P0 "measure: {latency_sample: 99999999}\n", "measure.latency_sample",
     3, 27, "1048576"},
    {"MeasureUnknownKey", P0 "measure: {latncy: true}\n", "measure.latncy", 3, 11,
     "did you mean 'latency'"},
    {"StatsIntervalWord", P0 "run:\n  stats_interval_s: fast\n", "run.stats_interval_s", 4, 21,
     "a number >= 0"},
    {"LogLevelUnknown", P0 "run: {log_level: verbose}\n", "run.log_level", 3, 18,
     "one of trace, debug, info, warn, error, critical, off"},
    {"RunUnknownKey", P0 "run: {duration: 5}\n", "run.duration", 3, 7, "did you mean 'duration_s'"},
    // -- vf_policy
    {"VfPolicyNotAList", P0 "vf_policy: {pf: p0, vf: 1}\n", "vf_policy", 3, 12,
     "expected a list of VF policies"},
    {"VfPolicyUnknownPf", P0 "vf_policy:\n  - {pf: nope, vf: 1}\n", "vf_policy[0].pf", 4, 10,
     "no port named 'nope'; ports are: p0"},
    {"VfPolicyMissingPf", P0 "vf_policy:\n  - vf: 1\n", "vf_policy[0].pf", 4, 5,
     "missing required key 'pf'"},
    {"VfPolicyMissingVf", P0 "vf_policy:\n  - {pf: p0, trusted: true}\n", "vf_policy[0].vf", 4, 5,
     "missing required key 'vf'"},
    {"VfPolicyVfTooHigh", P0 "vf_policy:\n  - {pf: p0, vf: 256}\n", "vf_policy[0].vf", 4, 18,
     "expected a VF index 0..255 or \"all\", got '256'"},
    {"VfPolicyVfWord", P0 "vf_policy:\n  - pf: p0\n    vf: every\n", "vf_policy[0].vf", 5, 9,
     "got 'every'"},
    {"VfPolicyDuplicateVf", P0 "vf_policy:\n  - {pf: p0, vf: 3}\n  - {pf: p0, vf: 0x3, trusted: true}\n",
     "vf_policy[1].vf", 5, 18, "VF 3 of port 'p0' already has a policy: vf_policy[0] (line 4)"},
    {"VfPolicyDuplicateAll",
     P0 "vf_policy:\n  - {pf: p0, vf: all}\n  - {pf: p0, vf: all, allow_vlan: true}\n",
     "vf_policy[1].vf", 5, 18, "'all' of port 'p0' already has a policy"},
    {"VfPolicyTrustedNotBool", P0 "vf_policy: [{pf: p0, vf: 1, trusted: sometimes}]\n",
     "vf_policy[0].trusted", 3, 38, "expected true or false, got 'sometimes'"},
    {"VfPolicyUnknownKey", P0 "vf_policy:\n  - {pf: p0, vf: 1, allow_vlans: true}\n",
     "vf_policy[0].allow_vlans", 4, 21, "did you mean 'allow_vlan'"},
    // -- recovery, faults
    {"RecoveryUnknownStep", P0 "recovery:\n  ladder: [reset, reboot]\n", "recovery.ladder[1]", 4, 19,
     "got 'reboot'"},
    {"RecoveryStepTwice", P0 "recovery:\n  ladder: [reset, reset]\n", "recovery.ladder[1]", 4, 19,
     "listed twice"},
    {"RecoveryZeroAttempts", P0 "recovery: {max_attempts: 0}\n", "recovery.max_attempts", 3, 26,
     "got '0'"},
    {"RecoveryLinkPollTooFast", P0 "recovery: {link_poll_ms: 1}\n", "recovery.link_poll_ms", 3, 26,
     "got '1'"},
    {"RecoveryUnknownKey", P0 "recovery: {tx_stall: 100}\n", "recovery.tx_stall", 3, 12,
     "did you mean 'tx_stall_ms'"},
    {"RecoveryRestartOnLinkUpWord", P0 "recovery: {restart_on_link_up: sometimes}\n",
     "recovery.restart_on_link_up", 3, 32, "got 'sometimes'"},
    {"RecoveryEscalateAfterZero", P0 "recovery: {escalate_after: 0}\n", "recovery.escalate_after", 3,
     28, "got '0'"},
    {"RecoveryStormWindowZero", P0 "recovery: {storm_window_ms: 0}\n", "recovery.storm_window_ms", 3,
     29, "got '0'"},
    {"RecoveryFirstFrameTimeoutZero", P0 "recovery: {first_frame_timeout_ms: 0}\n",
     "recovery.first_frame_timeout_ms", 3, 36, "got '0'"},
    {"RecoveryBackoffTooLong", P0 "recovery: {recurrence_backoff_ms: 600000}\n",
     "recovery.recurrence_backoff_ms", 3, 35, "got '600000'"},
    {"StandbyUnknown", "ports:\n  - {name: p0, device: net_null0, standby: s9}\n", "ports[0].standby",
     2, 44, "no port named 's9'"},
    {"StandbySelf", "ports:\n  - {name: p0, device: net_null0, standby: p0}\n", "ports[0].standby",
     2, 44, "its own standby"},
    {"StandbyInPair",
     "ports:\n  - {name: p0, device: net_null0, standby: s0}\n  - {name: s0, device: net_null1}\n"
     "forward: {pairs: [[p0, s0]]}\n",
     "ports[0].standby", 2, 44, "is in forward.pairs"},
    {"FaultsNotAList", P0 "faults: reset:p0@1s\n", "faults", 3, 9, "expected a list of fault specs"},
};

#undef P0

INSTANTIATE_TEST_SUITE_P(Table, BadConfig, ::testing::ValuesIn(k_bad_cases),
                         [](const ::testing::TestParamInfo<BadCase>& info) {
                             return std::string(info.param.name);
                         });

TEST(BadConfigTable, HasManyDistinctCases) {
    // The brief asks for at least 35 distinct bad configs; keep the table from shrinking.
    std::vector<std::string> texts;
    for (const BadCase& c : k_bad_cases) texts.emplace_back(c.yaml);
    std::sort(texts.begin(), texts.end());
    EXPECT_EQ(std::adjacent_find(texts.begin(), texts.end()), texts.end());
    EXPECT_GE(texts.size(), 35u);
}

// ---- several errors at once ---------------------------------------------------------------

TEST(LoadSeveral, AllErrorsReportedInFileOrder) {
    const std::string path = k_fixtures + "/configs/several_errors.yaml";
    const LoadResult r = load_file(path);
    EXPECT_FALSE(r.config.has_value());
    struct Want {
        std::string path;
        int line, col;
    };
    const std::vector<Want> want = {
        {"eal.main_lcore", 4, 15}, {"ports[0].rx_queues", 8, 16},    {"ports[1].device", 10, 13},
        {"forward.mode", 12, 9},   {"workers[0].queues[1]", 15, 18}, {"run.log_level", 17, 14},
    };
    ASSERT_EQ(r.errors.size(), want.size()) << dump(r.errors);
    for (size_t i = 0; i < want.size(); ++i) {
        SCOPED_TRACE(r.errors[i].str());
        EXPECT_EQ(r.errors[i].file, path);
        EXPECT_EQ(r.errors[i].path, want[i].path);
        EXPECT_TRUE(at(r.errors[i].loc, want[i].line, want[i].col));
    }
}

TEST(LoadSeveral, OneBadValueDoesNotCascade) {
    // The broken rx_queues must not also produce "queue does not exist" or a mempool error.
    const LoadResult r = load(R"y(eal: {lcores: 0-1}
ports: [{device: net_null0, rx_queues: many}]
workers: [{lcore: 1, queues: ['p0:3']}]
mempool: {size: 1}
)y");
    ASSERT_EQ(r.errors.size(), 1u) << dump(r.errors);
    EXPECT_EQ(r.errors[0].path, "ports[0].rx_queues");
    // A misspelt key leaves its real key at the default; that default must not be judged either.
    const LoadResult typo = load(
        "ports: [{device: net_null0, rx_queue: 4}]\n"
        "workers: [{lcore: 1, queues: ['p0:3']}]\n");
    ASSERT_EQ(typo.errors.size(), 1u) << dump(typo.errors);
    EXPECT_EQ(typo.errors[0].path, "ports[0].rx_queue");
    // A broken port name must not make every reference to it "unknown".
    const LoadResult names = load(
        "ports: [{name: 'bad name', device: net_null0}]\n"
        "forward: {pairs: [['bad name', 'bad name']]}\n");
    ASSERT_EQ(names.errors.size(), 1u) << dump(names.errors);
    EXPECT_EQ(names.errors[0].path, "ports[0].name");
}

TEST(LoadSeveral, ErrorsInEverySection) {
    const LoadResult r = load(R"y(eal: {memory_mb: 0}
ports: [{device: x}, {device: net_null1, mtu: 1}]
forward: {burst: 0}
workers: [{lcore: 9999, queues: [p0]}]
mempool: {cache_size: 9999}
run: {stats_interval_s: -2}
extra: 1
)y");
    EXPECT_FALSE(r.config.has_value());
    std::vector<std::string> paths;
    for (const Diag& d : r.errors) paths.push_back(d.path);
    EXPECT_EQ(paths,
              (std::vector<std::string>{"eal.memory_mb", "ports[0].device", "ports[1].mtu",
                                        "forward.burst", "workers[0].lcore", "mempool.cache_size",
                                        "run.stats_interval_s", "extra"}));
}

// ---- files --------------------------------------------------------------------------------

TEST(LoadFile, MissingFileNamesIt) {
    const std::string path = k_fixtures + "/configs/does-not-exist.yaml";
    const LoadResult r = load_file(path);
    EXPECT_FALSE(r.config.has_value());
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].file, path);
    EXPECT_EQ(r.errors[0].loc.line, 0);
    EXPECT_NE(r.errors[0].message.find("cannot open"), std::string::npos);
    EXPECT_NE(r.errors[0].message.find("No such file"), std::string::npos);
    EXPECT_EQ(r.errors[0].str().rfind(path + ": ", 0), 0u) << r.errors[0].str();
}

TEST(LoadFile, DirectoryIsAnError) {
    const LoadResult r = load_file(k_fixtures + "/configs");
    EXPECT_FALSE(r.config.has_value());
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_NE(r.errors[0].message.find("cannot"), std::string::npos) << r.errors[0].str();
}

// ---- robustness: nothing crashes, every result is a config or errors ----------------------

void expect_consistent(const LoadResult& r, std::string_view file) {
    EXPECT_EQ(r.config.has_value(), r.errors.empty()) << dump(r.errors);
    for (const Diag& d : r.errors) {
        EXPECT_EQ(d.file, file);
        EXPECT_FALSE(d.message.empty());
        EXPECT_GE(d.loc.line, 0);
        EXPECT_GE(d.loc.col, 0);
    }
}

std::string read_fixture(const std::string& name) {
    const LoadResult probe = load_file(k_fixtures + "/configs/" + name);
    EXPECT_TRUE(probe.config.has_value()) << dump(probe.errors);
    FILE* f = std::fopen((k_fixtures + "/configs/" + name).c_str(), "rb");
    std::string text;
    if (!f) return text;
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
    std::fclose(f);
    return text;
}

TEST(Robustness, EveryTruncationOfAFullConfig) {
    const std::string text = read_fixture("full.yaml");
    ASSERT_FALSE(text.empty());
    for (size_t len = 0; len <= text.size(); ++len) {
        const LoadResult r = load_string(std::string_view(text).substr(0, len), "cut.yaml");
        expect_consistent(r, "cut.yaml");
        if (::testing::Test::HasFailure()) {
            ADD_FAILURE() << "at length " << len;
            break;
        }
    }
}

TEST(Robustness, RandomMutationsOfAFullConfig) {
    const std::string text = read_fixture("full.yaml");
    ASSERT_FALSE(text.empty());
    // Fixed seed: a failure reproduces. The alphabet favours YAML's structural characters.
    std::mt19937 rng(20240521);
    const std::string alphabet = bytes(":-[]{},#&*!|>'\"%@` \n\t0123456789abcxyz~.?\\\0\xff");
    for (int iter = 0; iter < 3000; ++iter) {
        std::string s = text;
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits && !s.empty(); ++e) {
            const size_t pos = rng() % s.size();
            const char c = alphabet[rng() % alphabet.size()];
            switch (rng() % 4) {
                case 0:
                    s[pos] = c;
                    break;
                case 1:
                    s.insert(pos, 1, c);
                    break;
                case 2:
                    s.erase(pos, 1 + rng() % 8);
                    break;
                default:
                    s.insert(pos, s.substr(rng() % s.size(), rng() % 40));
                    break;
            }
        }
        expect_consistent(load_string(s, "fuzz.yaml"), "fuzz.yaml");
        if (::testing::Test::HasFailure()) {
            ADD_FAILURE() << "iteration " << iter << ", input:\n" << s;
            break;
        }
    }
}

TEST(Robustness, HostileInputs) {
    const std::string deep_list(5000, '[');
    const std::string deep_map = [] {
        std::string s;
        for (int i = 0; i < 3000; ++i) s += "{a: ";
        return s;
    }();
    const std::string long_key = std::string(100000, 'k') + ": 1\n";
    const std::vector<std::string> inputs = {
        "",
        bytes("\0"),
        bytes("ports:\0\n  - device: net_null0\n"),
        "~\n",
        "null\n",
        "[]\n",
        "{}\n",
        "'just a string'\n",
        "---\n...\n",
        "--- |\n  text\n",
        "ports: !!binary aGVsbG8=\n",
        "ports: !custom [1]\n",
        "\xef\xbb\xbfports: [{device: net_null0}]\n",  // UTF-8 BOM
        bytes("\xff\xfe\0p\0o\n"),
        "x: &a [*a]\nports: *a\n",
        ",",
        "ports: [{device: net_null0}]\n---\n,\n",
        "ports: &a [{device: net_null0, rx_queues: *a}]\n",
        "ports: [{device: *undefined}]\n",
        "ports:\n  - &p {device: net_null0}\n  - *p\n",
        "? ports\n: - device: net_null0\n",
        "? [ports]\n: 1\n",
        "ports: [{device: net_null0, rx_queues: 18446744073709551616}]\n",
        "ports: [{device: net_null0, rx_queues: -9223372036854775809}]\n",
        "ports: [{device: net_null0}]\nrun: {duration_s: 1e999}\n",
        "ports: [{device: net_null0}]\nrun: {duration_s: -0}\n",
        "ports: [{device: net_null0}]\neal: {lcores: '" + std::string(5000, '1') + "'}\n",
        "ports: [{device: net_null0}]\nworkers: [{lcore: 1, queues: [{p0: 1, p1: 2}]}]\n",
        "ports: [{device: net_null0}]\nworkers: [{lcore: 1, queues: [{[p0]: 1}]}]\n",
        "ports: [{device: net_null0}]\nforward: {pairs: [[[p0], p0]]}\n",
        "ports: [{device: net_null0}]\nforward: {pairs: [[~, ~]]}\n",
        "ports: [{device: net_null0}]\nforward: {pairs: [~]}\n",
        "ports: [{device: net_null0}]\nworkers: [~]\n",
        "ports: [{device: net_null0}]\nworkers: [{lcore: 1, queues: [~]}]\n",
        deep_list,
        deep_map,
        long_key,
        "ports:\n" + std::string(2000, ' ') + "- device: net_null0\n",
    };
    for (const std::string& in : inputs) {
        SCOPED_TRACE(in.substr(0, 80));
        const LoadResult r = load_string(in, "hostile.yaml");
        expect_consistent(r, "hostile.yaml");
    }
}

TEST(Robustness, ManyPortsAndWorkers) {
    // Scale: 512 ports and 500 workers decode and cross-check in one go.
    std::string text = "eal: {lcores: 0-511}\nports:\n";
    for (int i = 0; i < 512; ++i) text += "  - device: net_null" + std::to_string(i) + "\n";
    text += "workers:\n";
    for (int i = 1; i <= 500; ++i)
        text += "  - {lcore: " + std::to_string(i) + ", queues: [p" + std::to_string(i) + "]}\n";
    const Config c = load_ok(text);
    EXPECT_EQ(c.ports.size(), 512u);
    EXPECT_EQ(c.workers->size(), 500u);
}

}  // namespace
}  // namespace vfpath::config

namespace vfpath::config {
namespace {

// A FIFO as the config path used to block in open() until a writer came; a device node was read
// as if it were YAML. Only regular files are read, and the error says what the path is.
TEST(LoadFile, RefusesFifoAndDirectoryWithoutWaiting) {
    const std::string dir = ::testing::TempDir() + "vfpath_load_fifo_" + std::to_string(::getpid());
    ::mkdir(dir.c_str(), 0700);
    const std::string fifo = dir + "/config.fifo";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0) << std::strerror(errno);
    const LoadResult r = load_file(fifo);
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].file, fifo);
    EXPECT_NE(r.errors[0].message.find("FIFO"), std::string::npos) << r.errors[0].message;
    const LoadResult d = load_file(dir);
    ASSERT_EQ(d.errors.size(), 1u);
    EXPECT_NE(d.errors[0].message.find("directory"), std::string::npos) << d.errors[0].message;
    const LoadResult n = load_file("/dev/null");
    ASSERT_EQ(n.errors.size(), 1u);
    EXPECT_NE(n.errors[0].message.find("character device"), std::string::npos)
        << n.errors[0].message;
    ::unlink(fifo.c_str());
    ::rmdir(dir.c_str());
}

}  // namespace
}  // namespace vfpath::config

namespace vfpath::config {
namespace {

std::string read_all(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    std::string out;
    if (!f) return out;
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
    std::fclose(f);
    return out;
}

// The README's list of top-level keys names every key the loader takes (it left out measure and
// gen), and the loader's own list comes from its unknown-key error.
TEST(LoadDocs, ReadmeNamesEveryTopLevelKey) {
    const LoadResult r = load_string("bogus_section: 1\nports: [{device: net_null0}]\n", "t.yaml");
    ASSERT_EQ(r.errors.size(), 1u);
    const std::string& m = r.errors[0].message;
    const std::string readme = read_all(k_fixtures + "/../../README.md");
    const size_t at = readme.find("Top-level keys:");
    ASSERT_NE(at, std::string::npos);
    const std::string para = readme.substr(at, readme.find("\n\n", at) - at);
    size_t keys = 0;
    const size_t list = m.find("allowed keys: ");
    ASSERT_NE(list, std::string::npos) << m;
    std::istringstream words(m.substr(list + 14));
    for (std::string key; std::getline(words, key, ',');) {
        while (!key.empty() && key.front() == ' ') key.erase(0, 1);
        ++keys;
        EXPECT_NE(para.find("`" + key + "`"), std::string::npos)
            << "README's top-level keys lack " << key << ":\n" << para;
    }
    EXPECT_GE(keys, 12u) << m;
    EXPECT_NE(para.find("1 MiB"), std::string::npos) << "the size limit:\n" << para;
    // The memif example's header tells how to run gen with --hold (and in which order to stop).
    EXPECT_NE(read_all(k_fixtures + "/../../config/gen-memif.yaml").find("--hold"),
              std::string::npos);
}

}  // namespace
}  // namespace vfpath::config
