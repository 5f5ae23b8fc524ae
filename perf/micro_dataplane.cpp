// Microbenchmarks of the forwarder's hot functions (issue 8): the pipeline bodies on a burst of 32
// frames, the per-queue counter publish, and a reader's counter snapshot. mbufs are plain memory
// laid out as DPDK's (no EAL needed: the bodies only read buf_addr/data_off/pkt_len/data_len).
// Not a test. Build: ninja -C <build> lib/dataplane/micro_dataplane (needs libbenchmark-dev).
// Run:   <build>/lib/dataplane/micro_dataplane      (per-burst ns = "Time"; divide by 32 per frame)
#include <benchmark/benchmark.h>

#include <array>
#include <bit>
#include <cstring>
#include <vector>

#include "dataplane/dp/counters.h"
#include "dataplane/dp/pipelines.h"
#include "dataplane/dp/worker.h"

using namespace vfpath::dp;

namespace {

constexpr uint16_t k_burst = 32;

// 32 mbufs with 64-byte frames in their data rooms, like a PMD's rx leaves them.
struct Burst {
    static constexpr size_t k_room = 2048;
    std::vector<rte_mbuf> mbufs = std::vector<rte_mbuf>(k_burst);
    std::vector<uint8_t> data = std::vector<uint8_t>(k_burst * k_room);
    std::array<rte_mbuf*, k_burst> pkts{};
    Burst() {
        for (uint16_t i = 0; i < k_burst; ++i) {
            rte_mbuf& m = mbufs[i];
            std::memset(&m, 0, sizeof m);
            m.buf_addr = data.data() + i * k_room;
            m.data_off = RTE_PKTMBUF_HEADROOM;
            m.pkt_len = m.data_len = 64;
            m.nb_segs = 1;
            for (int b = 0; b < 64; ++b) data[i * k_room + RTE_PKTMBUF_HEADROOM + b] = uint8_t(b);
            pkts[i] = &m;
        }
    }
};

void BM_BurstBytes(benchmark::State& st) {
    Burst b;
    for (auto _ : st) {
        benchmark::DoNotOptimize(burst_bytes(b.pkts.data(), k_burst));
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(st.iterations() * k_burst);
}
BENCHMARK(BM_BurstBytes);

void BM_MacswapBurst(benchmark::State& st) {
    Burst b;
    for (auto _ : st) {
        benchmark::DoNotOptimize(macswap_burst(b.pkts.data(), k_burst, st.range(0) != 0));
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(st.iterations() * k_burst);
}
BENCHMARK(BM_MacswapBurst)->ArgName("prefetch")->Arg(0)->Arg(1);

void BM_L2Burst(benchmark::State& st) {
    Burst b;
    rte_ether_addr src{{2, 0, 0, 0, 0, 1}}, dst{{2, 0, 0, 0, 0, 2}};
    const L2Header h = make_l2_header(src, dst);
    for (auto _ : st) {
        benchmark::DoNotOptimize(l2_burst(b.pkts.data(), k_burst, h, st.range(0) != 0));
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(st.iterations() * k_burst);
}
BENCHMARK(BM_L2Burst)->ArgName("prefetch")->Arg(0)->Arg(1);

// What a worker publishes per poll: rx packets/bytes, tx packets/bytes, one burst-size bin.
void BM_CounterPublish(benchmark::State& st) {
    static QueueCounters rx, tx;
    static Counter bins[k_burst_bins];
    for (auto _ : st) {
        rx.packets.add(k_burst);
        rx.bytes.add(k_burst * 64);
        tx.packets.add(k_burst);
        tx.bytes.add(k_burst * 64);
        bins[std::bit_width(k_burst)].add(1);
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(st.iterations() * k_burst);
}
BENCHMARK(BM_CounterPublish);

// A reader's side: one lcore context's counters for 64 slots, as Runtime::snapshot reads them.
void BM_CounterSnapshot(benchmark::State& st) {
    static QueueCounters slots[k_max_rx_per_lcore];
    for (auto _ : st) {
        uint64_t sum = 0;
        for (const auto& q : slots) sum += q.packets.get() + q.bytes.get() + q.drops.get();
        benchmark::DoNotOptimize(sum);
    }
}
BENCHMARK(BM_CounterSnapshot);

}  // namespace

BENCHMARK_MAIN();
