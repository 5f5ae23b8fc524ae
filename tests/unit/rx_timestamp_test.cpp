// Hardware rx timestamps on real mbufs. No device here offers RTE_ETH_RX_OFFLOAD_TIMESTAMP, so
// the test plays the NIC: it registers the timestamp dynamic field and flag as a PMD does
// (glue::register_rx_timestamp), writes timestamps into mbufs it builds, and feeds them through
// net_ring ports (which pass mbufs through untouched) to the real lcore loops: the generator's
// analyzer and the forwarder's dwell-latency loop. EAL runs in this process: no hugepages, no
// shared files, lcores 0-1 (the loops run on lcore 1).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_rcu_qsbr.h>

#include "dataplane/dp/rx_timestamp.h"
#include "dataplane/dp/worker.h"
#include "drivers-glue/glue.h"
#include "gen/dp/gen_worker.h"
#include "measure/cp/histogram_stats.h"
#include "measure/dp/frame.h"

using namespace vfpath;

namespace {

constexpr unsigned k_worker_lcore = 1;

class RxTimestamps : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        const std::string prefix = "--file-prefix=vfpath_rxts_" + std::to_string(getpid());
        std::vector<std::string> args = {"rxts", "-l", "0-1", "--no-huge", "-m", "128",
                                         "--no-shconf", "--no-pci", "--vdev=net_ring0",
                                         "--vdev=net_ring1", "--log-level=3", prefix};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        if (rte_eal_init(int(argv.size()), argv.data()) < 0) {
            why_ = "rte_eal_init failed";
            return;
        }
        eal_ = true;
        auto f = glue::register_rx_timestamp();
        ASSERT_TRUE(f) << f.error();
        field_ = *f;
        pool_ = rte_pktmbuf_pool_create("rxts", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                        SOCKET_ID_ANY);
        ASSERT_NE(pool_, nullptr);
        for (uint16_t p = 0; p < 2; ++p) {
            rte_eth_conf conf{};
            ASSERT_EQ(rte_eth_dev_configure(p, 1, 1, &conf), 0);
            ASSERT_EQ(rte_eth_rx_queue_setup(p, 0, 256, SOCKET_ID_ANY, nullptr, pool_), 0);
            ASSERT_EQ(rte_eth_tx_queue_setup(p, 0, 256, SOCKET_ID_ANY, nullptr), 0);
            ASSERT_EQ(rte_eth_dev_start(p), 0);
        }
    }
    static void TearDownTestSuite() {
        if (!eal_) return;
        for (uint16_t p = 0; p < 2; ++p) {
            drain(p);
            rte_eth_dev_stop(p);
            rte_eth_dev_close(p);
        }
        rte_mempool_free(pool_);
        rte_eal_cleanup();
    }
    void SetUp() override {
        if (!eal_) GTEST_SKIP() << why_;
    }
    static bool have_worker() { return rte_lcore_is_enabled(k_worker_lcore); }
    static unsigned drain(uint16_t port) {
        rte_mbuf* m[32];
        unsigned n = 0;
        for (uint16_t got; (got = rte_eth_rx_burst(port, 0, m, 32)) != 0; n += got)
            rte_pktmbuf_free_bulk(m, got);
        return n;
    }
    // A frame of `size` bytes (FCS included) from a generator template, probe stamped with
    // (seq, tx_tsc); with `stamp`, the NIC's rx timestamp `ticks` and its flag.
    static rte_mbuf* frame(uint64_t seq, uint64_t tx_tsc, bool stamp, uint64_t ticks) {
        measure::FrameSpec fs{};
        fs.frame_size = 128;
        fs.probe = true;
        fs.stream_id = 0;
        const measure::FrameTemplate t = measure::make_template(fs);
        rte_mbuf* m = rte_pktmbuf_alloc(pool_);
        if (!m) return nullptr;
        uint8_t* d = rte_pktmbuf_mtod(m, uint8_t*);
        std::memset(d, 0, t.pkt_len);
        measure::build_frame(d, t, 0);
        measure::stamp_probe(d + t.probe_off, seq, tx_tsc);
        m->data_len = m->pkt_len = t.pkt_len;
        if (stamp) {
            *RTE_MBUF_DYNFIELD(m, field_.offset, rte_mbuf_timestamp_t*) = ticks;
            m->ol_flags |= field_.flag;
        }
        return m;
    }
    static void loop_back(uint16_t port, std::vector<rte_mbuf*>& ms) {
        ASSERT_EQ(rte_eth_tx_burst(port, 0, ms.data(), uint16_t(ms.size())), ms.size());
    }

    static inline bool eal_ = false;
    static inline std::string why_;
    static inline measure::RxTimestampField field_;
    static inline rte_mempool* pool_ = nullptr;
};

uint64_t cycles(double s) { return uint64_t(s * double(rte_get_tsc_hz())); }

// Histogram samples at or above `ns`.
uint64_t at_least(const measure::HistogramData& h, uint64_t ns) {
    uint64_t n = 0;
    for (const auto& b : measure::nonempty_buckets(h))
        if (b.lower_ns >= ns) n += b.count;
    return n;
}

}  // namespace

TEST_F(RxTimestamps, TheFieldAndFlagAreRegisteredOnceForEveryone) {
    EXPECT_GE(field_.offset, int(sizeof(rte_mbuf) / 2));  // a dynamic field, past the static ones
    EXPECT_NE(field_.flag, 0u);
    EXPECT_EQ(field_.flag & (field_.flag - 1), 0u) << "one ol_flags bit";
    // A PMD enabling the offload registers the same names: it gets the same field and flag.
    int offset = -1;
    uint64_t flag = 0;
    ASSERT_EQ(rte_mbuf_dyn_rx_timestamp_register(&offset, &flag), 0);
    EXPECT_EQ(offset, field_.offset);
    EXPECT_EQ(flag, field_.flag);
    EXPECT_EQ(rte_mbuf_dynfield_lookup(RTE_MBUF_DYNFIELD_TIMESTAMP_NAME, nullptr), field_.offset);
}

TEST_F(RxTimestamps, ReadsTheTimestampOnlyOfAFrameWhoseFlagIsSet) {
    rte_mbuf* with = frame(0, 1, true, 0x1122334455667788ull);
    rte_mbuf* without = frame(1, 1, false, 0);
    ASSERT_TRUE(with && without);
    uint64_t ticks = 0;
    EXPECT_TRUE(dp::rx_timestamp(with, field_, ticks));
    EXPECT_EQ(ticks, 0x1122334455667788ull);
    // The field holds a stale value, but without the flag the PMD did not fill it.
    *RTE_MBUF_DYNFIELD(without, field_.offset, rte_mbuf_timestamp_t*) = 42;
    EXPECT_FALSE(dp::rx_timestamp(without, field_, ticks));
    // Nothing registered (flag 0): never a timestamp.
    EXPECT_FALSE(dp::rx_timestamp(with, measure::RxTimestampField{}, ticks));
    rte_pktmbuf_free(with);
    rte_pktmbuf_free(without);
}

TEST_F(RxTimestamps, MapsATimestampOntoTheTscAndRefusesOneFromTheFuture) {
    // A NIC clock at half the TSC's rate: 2 cycles a tick, anchored at tick 5000 = TSC 10^9.
    const measure::ClockFit fit{5000, 1'000'000'000, uint64_t(2) << 32, ~uint64_t{0}};
    rte_mbuf* m = frame(0, 1, true, 5000 + 300);
    ASSERT_TRUE(m);
    uint64_t tsc = 0;
    EXPECT_TRUE(dp::rx_arrival_tsc(m, field_, fit, 1'000'000'600, tsc));
    EXPECT_EQ(tsc, 1'000'000'600u);
    // Later than a TSC read made after the frame was received: not a latency.
    EXPECT_FALSE(dp::rx_arrival_tsc(m, field_, fit, 1'000'000'599, tsc));
    rte_pktmbuf_free(m);
}

// The generator's analyzer on lcore 1: probes whose NIC timestamp says they arrived 1..4 us
// after they were sent are timed by it; probes without one, or with one from the future, fall
// back to the TSC read after their rx burst (10 ms after their tx stamp) and are counted.
TEST_F(RxTimestamps, TheAnalyzerTimesStampedProbesWithTheNicClock) {
    if (!have_worker()) GTEST_SKIP() << "lcore 1 is not available";
    const uint64_t hz = rte_get_tsc_hz();
    const uint64_t tx_tsc = rte_rdtsc() - cycles(0.010);
    // The NIC clock: ticks = TSC / 2 + 777 (anchor tick 777 at TSC 0).
    auto clock = std::make_unique<measure::PublishedClock>();
    clock->publish({777, 0, uint64_t(2) << 32, ~uint64_t{0}});
    auto ticks_at = [](uint64_t tsc) { return tsc / 2 + 777; };
    std::vector<rte_mbuf*> ms;
    for (uint64_t k = 0; k < 4; ++k)  // hw: 1, 2, 3, 4 us
        ms.push_back(frame(k, tx_tsc, true, ticks_at(tx_tsc + cycles((k + 1) * 1e-6))));
    ms.push_back(frame(4, tx_tsc, false, 0));                               // no timestamp
    ms.push_back(frame(5, tx_tsc, false, 0));                               // no timestamp
    ms.push_back(frame(6, tx_tsc, true, ticks_at(rte_rdtsc() + cycles(1))));  // 1 s ahead
    for (auto* m : ms) ASSERT_NE(m, nullptr);
    loop_back(0, ms);

    auto ctx = std::make_unique<gen::GenLcoreCtx>();
    auto rx = std::make_unique<gen::RxSlot>();
    auto stream = std::make_unique<measure::StreamRx>();
    auto rejects = std::make_unique<measure::RejectCounters>();
    std::vector<uint8_t> size_index(gen::k_size_index_len, 0);
    std::atomic<bool> stop{false};
    std::atomic<int> tx_active{1};  // this lcore, which counts itself out when it has no tx
    rx->port_id = 0;
    rx->queue = 0;
    rx->clock = clock.get();
    ctx->lcore = k_worker_lcore;
    ctx->burst = 32;
    ctx->n_rx = 1;
    ctx->rx = rx.get();
    ctx->quiet_cycles = cycles(0.02);
    ctx->max_drain_cycles = cycles(1);
    ctx->stop = &stop;
    ctx->tx_active = &tx_active;
    ctx->size_index = size_index.data();
    ctx->rx_ts = field_;
    ctx->an = {stream.get(), 1, tx_tsc - 1, measure::TscToNs::from_hz(hz), rejects.get()};
    ASSERT_EQ(rte_eal_remote_launch(gen::gen_lcore_main, ctx.get(), k_worker_lcore), 0);
    rte_eal_wait_lcore(k_worker_lcore);

    EXPECT_EQ(rx->packets.get(), 7u);
    EXPECT_EQ(stream->seq.counters().received.get(), 7u);
    EXPECT_EQ(stream->hw_timed.get(), 4u);
    EXPECT_EQ(stream->tsc_fallback.get(), 3u);
    const measure::HistogramData h = measure::snapshot(stream->latency);
    EXPECT_EQ(h.count, 7u);
    EXPECT_GE(h.min, 995u);  // 1 us, within the histogram's bucket error and TSC rounding
    EXPECT_LE(h.min, 1005u);
    EXPECT_EQ(at_least(h, 10'000'000), 3u) << "the fallbacks: 10 ms since their tx stamp";
    EXPECT_EQ(h.count - at_least(h, 4'100), 4u) << "the NIC-timed ones: 1..4 us";
}

// The forwarder's dwell loop (io, every burst timed) on lcore 1, from net_ring0 to net_ring1:
// frames stamped by the NIC 1 ms before they were put in the ring dwell at least 1 ms (the ring
// time counts), frames without a stamp are timed from their rx burst and counted apart.
TEST_F(RxTimestamps, TheForwarderStartsTheDwellAtTheNicTimestamp) {
    if (!have_worker()) GTEST_SKIP() << "lcore 1 is not available";
    auto clock = std::make_unique<measure::PublishedClock>();
    clock->publish({0, 0, uint64_t(1) << 32, ~uint64_t{0}});  // ticks == TSC
    const uint64_t arrived = rte_rdtsc() - cycles(0.001);
    std::vector<rte_mbuf*> ms;
    for (uint64_t k = 0; k < 5; ++k) ms.push_back(frame(k, 1, k < 3, arrived));
    for (auto* m : ms) ASSERT_NE(m, nullptr);
    loop_back(0, ms);

    void* mem = rte_zmalloc("rxts_ctx", sizeof(dp::LcoreCtx), 128);
    auto* ports = static_cast<dp::PortCtl*>(rte_zmalloc("rxts_ports", 2 * sizeof(dp::PortCtl), 64));
    const size_t qsz = rte_rcu_qsbr_get_memsize(1);
    auto* qsbr = static_cast<rte_rcu_qsbr*>(rte_zmalloc("rxts_qsbr", qsz, 64));
    auto hist = std::make_unique<measure::Histogram>();
    ASSERT_TRUE(mem && ports && qsbr);
    ASSERT_EQ(rte_rcu_qsbr_init(qsbr, 1), 0);
    ASSERT_EQ(rte_rcu_qsbr_thread_register(qsbr, 0), 0);
    for (uint16_t p = 0; p < 2; ++p) ports[p].word.store(p);
    std::atomic<bool> stop{false};
    const std::atomic<bool> timing{true};  // latency timed (ctl latency on)
    auto* ctx = new (mem) dp::LcoreCtx;
    ctx->stop = &stop;
    ctx->timing = &timing;
    ctx->ports = ports;
    ctx->qsbr = qsbr;
    ctx->mode = dp::Mode::io;
    ctx->burst = 32;
    ctx->n_rx = 1;
    ctx->n_tx = 1;
    ctx->lcore = k_worker_lcore;
    ctx->latency_sample = 1;
    ctx->tsc_ns = measure::TscToNs::from_hz(rte_get_tsc_hz());
    // port 0 queue 0 -> port 1 queue 0 (RxSlot holds atomics: set field by field).
    ctx->rx[0].port = 0;
    ctx->rx[0].queue = 0;
    ctx->rx[0].tx_port = 1;
    ctx->rx[0].tx_queue = 0;
    ctx->rx[0].tx_slot = 0;
    ctx->rx[0].l2_lo.store(0);
    ctx->rx[0].l2_hi.store(0);
    ctx->rx[0].prefetch = false;
    ctx->latency[0] = hist.get();
    ctx->rx_clock[0] = clock.get();
    ctx->rx_ts = field_;
    ASSERT_EQ(rte_eal_remote_launch(dp::worker_main, ctx, k_worker_lcore), 0);
    // Until the frames went through (at most 5 s), then stop.
    for (int i = 0; i < 500 && ctx->tx_stats[0].packets.get() < 5; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    stop.store(true);
    rte_eal_wait_lcore(k_worker_lcore);

    EXPECT_EQ(ctx->rx_stats[0].packets.get(), 5u);
    EXPECT_EQ(ctx->tx_stats[0].packets.get(), 5u);
    EXPECT_EQ(ctx->rx_hw_timed[0].get(), 3u);
    EXPECT_EQ(ctx->rx_tsc_fallback[0].get(), 2u);
    const measure::HistogramData h = measure::snapshot(*hist);
    EXPECT_EQ(h.count, 5u);
    EXPECT_GE(at_least(h, 995'000), 3u) << "the stamped frames dwelt from their NIC timestamp";
    EXPECT_EQ(drain(1), 5u);
    ctx->~LcoreCtx();
    rte_free(mem);
    rte_free(ports);
    rte_free(qsbr);
}
