// Planner: automatic assignment, tx queue ownership, peers, pool sizing, device-limit errors.
#include <set>

#include <gtest/gtest.h>

#include "config/plan.h"

using namespace vfpath::config;

namespace {

Config load_ok(const std::string& yaml) {
    LoadResult r = load_string(yaml, "t.yaml");
    for (const auto& e : r.errors) ADD_FAILURE() << e.str();
    return r.config.value_or(Config{});
}

HostFacts host(unsigned ncpu, unsigned per_node = 0) {
    HostFacts h;
    for (unsigned i = 0; i < ncpu; ++i)
        h.cpus.push_back({i, per_node ? int(i / per_node) : 0});
    return h;
}

const std::string k_two_null = R"(
eal: {lcores: "0-1", main_lcore: 0}
ports:
  - {name: p0, device: net_null0}
  - {name: p1, device: net_null1}
)";

// Device strings and what the planner must make of them: may the device DMA into the pool, and
// does its rx burst leave frames in the polling core's cache. "net_nullx0" is not net_null: only
// the driver name itself matches.
struct DeviceClass {
    const char* device;
    bool needs_iova, rx_in_cache;
};
constexpr DeviceClass k_device_classes[] = {
    {"net_null0", false, true},
    {"net_ring3", false, false},
    {"net_ring0", false, false},
    {"net_tap0,iface=x", false, true},
    {"net_pcap0,rx_pcap=a.pcap,tx_pcap=b.pcap", false, true},
    {"net_pcap0,rx_pcap=a.pcap", false, true},
    {"net_memif0,role=client,id=0", false, true},
    {"net_memif0,role=client,zero-copy=yes", true, false},
    {"0000:3b:02.0", true, false},
    {"net_af_xdp0,iface=eth0", true, false},
    {"net_virtio_user0,path=/dev/vhost-net", true, false},
    {"net_nullx0", true, false},
};

}  // namespace

TEST(Plan, DefaultConfigPlansOneWorkerCrossConnected) {
    Config c = load_ok(std::string(default_config_text()));
    PlanResult r = build_plan(c, host(2), std::vector<PortFacts>(2));
    ASSERT_TRUE(r.plan) << (r.errors.empty() ? "" : r.errors[0].str());
    const Plan& p = *r.plan;
    ASSERT_EQ(p.lcores.size(), 1u);
    EXPECT_EQ(p.lcores[0].lcore, 1u);
    ASSERT_EQ(p.lcores[0].rx.size(), 2u);
    EXPECT_EQ(p.ports[0].peer, 1);
    EXPECT_EQ(p.ports[1].peer, 0);
    EXPECT_EQ(p.lcores[0].rx[0].tx_port, 1);
    EXPECT_EQ(p.lcores[0].rx[1].tx_port, 0);
    EXPECT_EQ(p.ports[0].tx_queues, 1);
    ASSERT_EQ(p.pools.size(), 1u);
}

TEST(Plan, PoolSizeCoversRingsCachesAndBursts) {
    Config c = load_ok(k_two_null);
    PlanResult r = build_plan(c, host(2), std::vector<PortFacts>(2));
    ASSERT_TRUE(r.plan);
    // 2 ports x (1024 rx + 1024 tx) + 2 lcores x 384 (cache 256 x 1.5) + 2 queues x 32 burst.
    EXPECT_EQ(r.plan->pools[0].size, 2u * 2048 + 2 * 384 + 2 * 32);
    EXPECT_TRUE(r.plan->pools[0].automatic);
}

// Pools that only CPU-copying vdevs use are packed (no IOVA contiguity); a port that may DMA
// (PCI, an unknown vdev, memif zero-copy) on the socket keeps the pool DMA-safe.
TEST(Plan, PoolsOfCpuCopyVdevsArePacked) {
    for (const DeviceClass& d : k_device_classes)
        EXPECT_EQ(device_needs_iova(d.device), d.needs_iova) << d.device;

    PlanResult r = build_plan(load_ok(k_two_null), host(2), std::vector<PortFacts>(2));
    ASSERT_TRUE(r.plan);
    EXPECT_FALSE(r.plan->pools[0].iova_contig);
    EXPECT_NE(format_plan(*r.plan).find("packed (no DMA)"), std::string::npos);
    Config mixed = load_ok(R"(
eal: {lcores: "0-1", main_lcore: 0}
ports:
  - {name: p0, device: net_null0}
  - {name: vf, device: "0000:3b:02.0"}
)");
    r = build_plan(mixed, host(2), std::vector<PortFacts>(2));
    ASSERT_TRUE(r.plan);
    EXPECT_TRUE(r.plan->pools[0].iova_contig);
}

// Headers are prefetched before a rewrite only where the frame is not already in the polling
// core's cache: not for net_null or vdevs that copy the frame in, yes for DMA, net_ring (another
// core may have written the frame) and memif zero-copy (the peer's core did).
TEST(Plan, HeadersArePrefetchedOnlyWhereFramesArriveOutOfCache) {
    for (const DeviceClass& d : k_device_classes)
        EXPECT_EQ(device_rx_in_cache(d.device), d.rx_in_cache) << d.device;

    Config mixed = load_ok(R"(
eal: {lcores: "0-1", main_lcore: 0}
ports:
  - {name: p0, device: net_null0}
  - {name: vf, device: "0000:3b:02.0"}
forward: {mode: macswap}
)");
    PlanResult r = build_plan(mixed, host(2), std::vector<PortFacts>(2));
    ASSERT_TRUE(r.plan);
    EXPECT_FALSE(r.plan->ports[0].prefetch_headers);
    EXPECT_TRUE(r.plan->ports[1].prefetch_headers);
    const std::string text = format_plan(*r.plan);
    const auto port_line = [&](const std::string& head) {
        const size_t at = text.find(head);
        return at == std::string::npos ? std::string() : text.substr(at, text.find('\n', at) - at);
    };
    EXPECT_NE(port_line("p0 (net_null0)").find("frames arrive in cache (no prefetch)"),
              std::string::npos) << text;
    const std::string vf = port_line("vf (0000:3b:02.0)");
    ASSERT_FALSE(vf.empty()) << text;
    EXPECT_EQ(vf.find("no prefetch"), std::string::npos) << text;
}

TEST(Plan, ExplicitPoolBelowNeedWarns) {
    Config c = load_ok(k_two_null + "mempool: {size: 4200}\n");
    PlanResult r = build_plan(c, host(2), std::vector<PortFacts>(2));
    ASSERT_TRUE(r.plan);
    EXPECT_EQ(r.plan->pools[0].size, 4200u);
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_EQ(r.warnings[0].path, "mempool.size");
}

TEST(Plan, AutoAssignmentBalancesQueuesOverWorkers) {
    Config c = load_ok(R"(
eal: {lcores: "0-2", main_lcore: 0}
ports:
  - {name: p0, device: net_null0, rx_queues: 2}
  - {name: p1, device: net_null1, rx_queues: 2}
)");
    PlanResult r = build_plan(c, host(3), std::vector<PortFacts>(2));
    ASSERT_TRUE(r.plan);
    ASSERT_EQ(r.plan->lcores.size(), 2u);
    EXPECT_EQ(r.plan->lcores[0].rx.size(), 2u);
    EXPECT_EQ(r.plan->lcores[1].rx.size(), 2u);
    // Two lcores transmit on each port: each needs its own tx queue.
    EXPECT_EQ(r.plan->ports[0].tx_queues, 2);
    EXPECT_EQ(r.plan->ports[1].tx_queues, 2);
    std::set<std::pair<unsigned, uint16_t>> owners;
    for (const auto& lp : r.plan->lcores)
        for (const auto& a : lp.rx) EXPECT_TRUE(owners.insert({lp.lcore * 100 + a.tx_port, a.tx_queue}).second);
    EXPECT_TRUE(r.plan->ports[0].rss);  // on by default with several rx queues
}

TEST(Plan, AutoAssignmentPrefersLcoresOnThePortsNode) {
    Config c = load_ok(R"(
eal: {lcores: "0-7", main_lcore: 0}
ports:
  - {name: p0, device: "0000:3b:02.0", rx_queues: 3}
  - {name: p1, device: "0000:af:00.1", rx_queues: 3}
)");
    std::vector<PortFacts> f(2);
    f[0].socket = 0;
    f[1].socket = 1;
    PlanResult r = build_plan(c, host(8, 4), f);
    ASSERT_TRUE(r.plan) << r.errors[0].str();
    for (const auto& lp : r.plan->lcores)
        for (const auto& a : lp.rx)
            EXPECT_EQ(lp.socket, r.plan->ports[a.port].socket) << "lcore " << lp.lcore;
    EXPECT_TRUE(r.warnings.empty());
    ASSERT_EQ(r.plan->pools.size(), 2u);  // one pool per socket with ports
    EXPECT_EQ(r.plan->pools[r.plan->ports[1].pool].socket, 1);
}

TEST(Plan, RemoteLcoreIsWarnedAbout) {
    Config c = load_ok(R"(
eal: {lcores: "0,4", main_lcore: 0}
ports:
  - {name: p0, device: "0000:3b:02.0"}
)");
    std::vector<PortFacts> f(1);
    f[0].socket = 0;
    PlanResult r = build_plan(c, host(8, 4), f);
    ASSERT_TRUE(r.plan);
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_NE(r.warnings[0].message.find("crosses sockets"), std::string::npos);
}

TEST(Plan, LoneOddPortReflectsAndSinkHasNoPeer) {
    Config c = load_ok(R"(
eal: {lcores: "0-1", main_lcore: 0}
ports:
  - {name: a, device: net_null0}
  - {name: b, device: net_null1}
  - {name: c, device: net_null2}
)");
    PlanResult r = build_plan(c, host(2), std::vector<PortFacts>(3));
    ASSERT_TRUE(r.plan);
    EXPECT_EQ(r.plan->ports[2].peer, 2);
    c.forward.mode = FwdMode::sink;
    r = build_plan(c, host(2), std::vector<PortFacts>(3));
    ASSERT_TRUE(r.plan);
    for (const auto& p : r.plan->ports) EXPECT_EQ(p.peer, k_no_port);
}

TEST(Plan, LcoreMissingOnHostIsAnErrorAtEalLcores) {
    Config c = load_ok(R"(
eal: {lcores: "0-5", main_lcore: 0}
ports:
  - {name: p0, device: net_null0}
)");
    PlanResult r = build_plan(c, host(2), std::vector<PortFacts>(1));
    ASSERT_FALSE(r.plan);
    ASSERT_FALSE(r.errors.empty());
    EXPECT_EQ(r.errors[0].path, "eal.lcores");
    EXPECT_EQ(r.errors[0].loc.line, 2);
    EXPECT_NE(r.errors[0].message.find("lcore 2 does not exist"), std::string::npos);
}

TEST(Plan, NoWorkerLcoreIsAnError) {
    Config c = load_ok(R"(
eal: {lcores: "0", main_lcore: 0}
ports:
  - {name: p0, device: net_null0}
)");
    PlanResult r = build_plan(c, host(2), std::vector<PortFacts>(1));
    ASSERT_FALSE(r.plan);
    EXPECT_EQ(r.errors[0].path, "eal.lcores");
}

TEST(Plan, UnpolledQueueInExplicitAssignmentIsAnError) {
    Config c = load_ok(R"(
eal: {lcores: "0-1", main_lcore: 0}
ports:
  - {name: p0, device: net_null0, rx_queues: 2}
workers:
  - {lcore: 1, queues: ["p0:0"]}
)");
    PlanResult r = build_plan(c, host(2), std::vector<PortFacts>(1));
    ASSERT_FALSE(r.plan);
    EXPECT_EQ(r.errors[0].path, "workers");
    EXPECT_EQ(r.errors[0].loc.line, 4);
    EXPECT_NE(r.errors[0].message.find("\"p0:1\""), std::string::npos);
}

TEST(Plan, TooFewExplicitTxQueuesIsAnError) {
    Config c = load_ok(R"(
eal: {lcores: "0-2", main_lcore: 0}
ports:
  - {name: p0, device: net_null0, rx_queues: 2, tx_queues: 1}
forward: {pairs: [[p0, p0]]}
)");
    PlanResult r = build_plan(c, host(3), std::vector<PortFacts>(1));
    ASSERT_FALSE(r.plan);
    EXPECT_EQ(r.errors[0].path, "ports[0].tx_queues");
    EXPECT_EQ(r.errors[0].loc.line, 4);
}

TEST(Plan, DeviceLimitsAfterProbeNameTheKeyAndLine) {
    Config c = load_ok(R"(
eal: {lcores: "0-1", main_lcore: 0}
ports:
  - name: r0
    device: net_ring0
    rx_queues: 32
    rx_desc: 100
)");
    std::vector<PortFacts> f(1);
    f[0].probed = true;
    f[0].max_rx_queues = 16;
    f[0].rx_desc_align = 8;
    PlanResult r = build_plan(c, host(2), f);
    ASSERT_FALSE(r.plan);
    ASSERT_GE(r.errors.size(), 2u);
    EXPECT_EQ(r.errors[0].path, "ports[0].rx_queues");
    EXPECT_EQ(r.errors[0].loc.line, 6);
    EXPECT_NE(r.errors[0].message.find("(16)"), std::string::npos);
    EXPECT_EQ(r.errors[1].path, "ports[0].rx_desc");
    EXPECT_EQ(r.errors[1].loc.line, 7);
}

TEST(Plan, RssRequestedOnDeviceWithoutRssIsAnError) {
    Config c = load_ok(k_two_null);
    c.ports[0].rss = true;
    std::vector<PortFacts> f(2);
    f[0].rss_offloads = 0;
    PlanResult r = build_plan(c, host(2), f);
    ASSERT_FALSE(r.plan);
    EXPECT_EQ(r.errors[0].path, "ports[0].rss");
}

// Two net_null ports, p0 with MTU 9000 (9026-byte frames), planned against `facts`.
PlanResult jumbo_plan(const std::vector<PortFacts>& facts, unsigned data_room = 2176) {
    Config c = load_ok(k_two_null);
    c.ports[0].mtu = 9000;
    c.mempool.data_room = static_cast<uint16_t>(data_room);
    return build_plan(c, host(2), facts);
}

// The plan is refused with one error on ports[0].mtu whose message holds `needle`.
void expect_mtu_error(const PlanResult& r, const std::string& needle) {
    ASSERT_FALSE(r.plan);
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].path, "ports[0].mtu");
    EXPECT_NE(r.errors[0].message.find(needle), std::string::npos) << r.errors[0].message;
}

TEST(Plan, JumboMtuNeedsLargerDataRoomWithoutScatter) {
    std::vector<PortFacts> f(2);
    f[0].rx_scatter = false;
    f[1].tx_multi_seg = false;  // one mistake, one message: the rx error only
    expect_mtu_error(jumbo_plan(f), "frames of 9026 bytes do not fit the mbuf data room (2048 "
                                    "bytes after headroom) and device net_null0 cannot receive a "
                                    "frame into several mbufs (no rx scatter); raise "
                                    "mempool.data_room to at least 9154");
    // A data room that holds the whole frame needs no scatter.
    PlanResult r = jumbo_plan(f, 9154);
    ASSERT_TRUE(r.plan) << r.errors[0].str();
    EXPECT_FALSE(r.plan->ports[0].scatter);
    EXPECT_EQ(r.plan->ports[0].segs, 1);
}

// MTU 9000 with the default 2176-byte mbufs: a frame takes 5 mbufs, scattered on rx, sent
// multi-segment by the peer; the pool holds 5 mbufs per frame of each burst in flight.
TEST(Plan, JumboMtuScattersWhenTheDevicesCan) {
    PlanResult base = build_plan(load_ok(k_two_null), host(2), std::vector<PortFacts>(2));
    ASSERT_TRUE(base.plan);
    PlanResult r = jumbo_plan(std::vector<PortFacts>(2));
    ASSERT_TRUE(r.plan) << r.errors[0].str();
    const PortPlan &p0 = r.plan->ports[0], &p1 = r.plan->ports[1];
    EXPECT_TRUE(p0.scatter);
    EXPECT_EQ(p0.segs, 5);  // ceil(9026 / 2048)
    EXPECT_FALSE(p0.tx_multi_seg);
    EXPECT_FALSE(p1.scatter);
    EXPECT_TRUE(p1.tx_multi_seg);
    EXPECT_EQ(r.plan->pools[0].needed, base.plan->pools[0].needed + 4 * 32);
    EXPECT_NE(format_plan(*r.plan).find("p0 (net_null0) socket 0, rxq 1x1024, txq 1x1024, "
                                        "scatter (up to 5 mbufs per frame)"),
              std::string::npos)
        << format_plan(*r.plan);
}

TEST(Plan, ScatteredFramesNeedAPeerThatSendsChains) {
    std::vector<PortFacts> f(2);
    f[1].tx_multi_seg = false;
    expect_mtu_error(jumbo_plan(f), "port p1 (device net_null1), where they are sent, cannot "
                                    "send multi-segment frames");
}

TEST(Plan, FormatPlanShowsWorkersAndPools) {
    Config c = load_ok(std::string(default_config_text()));
    PlanResult r = build_plan(c, host(2), std::vector<PortFacts>(2));
    ASSERT_TRUE(r.plan);
    const std::string s = format_plan(*r.plan);
    EXPECT_NE(s.find("lcore 1 (node 0): p0:0->p1:0 p1:0->p0:0"), std::string::npos) << s;
    EXPECT_NE(s.find("vfpath_s0"), std::string::npos);
}

// --- ports[].latency_clock: which clock times received frames (hardware rx timestamps) --------

namespace {

PortFacts probed(bool rx_timestamp, bool read_clock) {
    PortFacts f;
    f.probed = true;
    f.rx_timestamp = rx_timestamp;
    f.read_clock = read_clock;
    return f;
}

const std::string k_timed = R"(
eal: {lcores: "0-1", main_lcore: 0}
ports:
  - {name: p0, device: net_null0}
  - {name: p1, device: "0000:3b:02.0", latency_clock: hw}
measure: {latency: true}
)";

}  // namespace

TEST(Plan, LatencyClockHwOnADeviceWithoutTheOffloadIsAnErrorAfterProbe) {
    Config c = load_ok(k_timed);
    // Before probe nothing is known: no error, and `check` says it is decided after probe.
    PlanResult pre = build_plan(c, host(2), std::vector<PortFacts>(2));
    ASSERT_TRUE(pre.plan);
    EXPECT_EQ(pre.plan->ports[0].latency_clock_why, "not probed yet (decided after probe)");
    EXPECT_TRUE(pre.plan->ports[1].rx_timestamp);
    // After probe: the device lacks the offload.
    PlanResult r = build_plan(c, host(2), std::vector<PortFacts>{probed(false, false),
                                                                 probed(false, false)});
    ASSERT_FALSE(r.plan);
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].str(),
              "t.yaml:5:55: ports[1].latency_clock: hw: 0000:3b:02.0 does not offer "
              "RTE_ETH_RX_OFFLOAD_TIMESTAMP (no hardware rx timestamps); use auto or tsc");
    // The offload without rte_eth_read_clock cannot be mapped onto the TSC either.
    r = build_plan(c, host(2), std::vector<PortFacts>{probed(false, false), probed(true, false)});
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_NE(r.errors[0].message.find("does not implement rte_eth_read_clock"), std::string::npos)
        << r.errors[0].message;
    // Both: the offload is enabled.
    r = build_plan(c, host(2), std::vector<PortFacts>{probed(false, false), probed(true, true)});
    ASSERT_TRUE(r.plan);
    EXPECT_TRUE(r.plan->ports[1].rx_timestamp);
    EXPECT_EQ(r.plan->ports[1].latency_clock, LatencyClock::hw);
}

TEST(Plan, LatencyClockAutoTakesTheNicClockWhereOfferedAndSaysWhyNot) {
    Config c = load_ok(k_two_null + "measure: {latency: true}\n");
    PlanResult r = build_plan(c, host(2), std::vector<PortFacts>{probed(false, false),
                                                                 probed(true, true)});
    ASSERT_TRUE(r.plan);
    EXPECT_EQ(r.plan->ports[0].latency_clock, LatencyClock::automatic);
    EXPECT_FALSE(r.plan->ports[0].rx_timestamp);
    EXPECT_EQ(r.plan->ports[0].latency_clock_why,
              "net_null0 does not offer RTE_ETH_RX_OFFLOAD_TIMESTAMP");
    EXPECT_TRUE(r.plan->ports[1].rx_timestamp);
    EXPECT_EQ(r.plan->ports[1].latency_clock_why, "");
    r = build_plan(c, host(2), std::vector<PortFacts>{probed(true, false), probed(true, true)});
    ASSERT_TRUE(r.plan);
    EXPECT_FALSE(r.plan->ports[0].rx_timestamp);
    EXPECT_NE(r.plan->ports[0].latency_clock_why.find("rte_eth_read_clock"), std::string::npos);
}

TEST(Plan, LatencyClockAutoLeavesTheOffloadOffWhereNothingIsTimed) {
    // Latency off, or sink mode (nothing is sent, so no dwell): the offload would only cost.
    for (const char* extra : {"", "measure: {latency: true}\nforward: {mode: sink}\n"}) {
        Config c = load_ok(k_two_null + extra);
        PlanResult r = build_plan(c, host(2), std::vector<PortFacts>(2, probed(true, true)));
        ASSERT_TRUE(r.plan);
        for (const auto& p : r.plan->ports) {
            EXPECT_FALSE(p.rx_timestamp) << extra;
            EXPECT_EQ(p.latency_clock_why, "no latency is measured on the frames it receives");
        }
    }
    // lib/gen names the ports it analyzes: only those.
    Config c = load_ok(k_two_null);
    c.measure.timed_rx_ports = std::vector<std::string>{"p1"};
    PlanResult r = build_plan(c, host(2), std::vector<PortFacts>(2, probed(true, true)));
    ASSERT_TRUE(r.plan);
    EXPECT_FALSE(r.plan->ports[0].rx_timestamp);
    EXPECT_TRUE(r.plan->ports[1].rx_timestamp);
}

TEST(Plan, LatencyClockTscIsKeptAndSaysSo) {
    Config c = load_ok(k_two_null + "measure: {latency: true}\n");
    c.ports[0].latency_clock = LatencyClock::tsc;
    PlanResult r = build_plan(c, host(2), std::vector<PortFacts>(2, probed(true, true)));
    ASSERT_TRUE(r.plan);
    EXPECT_FALSE(r.plan->ports[0].rx_timestamp);
    EXPECT_EQ(r.plan->ports[0].latency_clock_why, "ports[0].latency_clock is tsc");
    EXPECT_NE(format_plan(*r.plan).find("rx timestamps"), std::string::npos);
}
