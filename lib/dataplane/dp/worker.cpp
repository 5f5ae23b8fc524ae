// The forwarding loop: rx burst -> transform -> tx burst, counters per queue, stop check every
// k_housekeeping_interval iterations. One template body, instantiated per mode.
#include "dataplane/dp/worker.h"

#include <bit>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "dataplane/dp/pipelines.h"

namespace vfpath::dp {

namespace {

// Sum of frame lengths in a burst. The lines read were just written by the PMD's rx, so they
// are in L1; the compiler turns this into gathers with -march=native (measured no slower than a
// hand-unrolled scalar sum, perf/RESULTS.md). It is the whole per-packet cost of io mode.
inline uint64_t burst_bytes(rte_mbuf* const* pkts, uint16_t nb) noexcept {
    uint64_t bytes = 0;
    for (uint16_t k = 0; k < nb; ++k) bytes += pkts[k]->pkt_len;
    return bytes;
}

// Transforms a burst as the mode says and returns its bytes (sum of pkt_len). io and sink touch
// no packet data, so for them the sum is the only read of the mbufs.
template <Mode M>
inline uint64_t transform(rte_mbuf* const* pkts, uint16_t n, const RxSlot& s) noexcept {
    if constexpr (M == Mode::macswap) return macswap_burst(pkts, n);
    else if constexpr (M == Mode::l2) return l2_burst(pkts, n, L2Header{s.l2_lo, s.l2_hi});
    else return (void)s, burst_bytes(pkts, n);
}

// Per-loop state that lives in registers rather than in the context.
struct LoopState {
    uint32_t sample_left[k_max_rx_per_lcore];  // dwell latency, per slot: bursts to the next timed one
};

// Polls one slot; returns how many frames it received. With Lat, one burst in
// ctx.latency_sample is timed from the return of rx_burst to the return of tx_burst, and that
// dwell time is recorded once for each frame the tx ring accepted.
template <Mode M, bool Lat>
uint16_t poll_slot(LcoreCtx& ctx, uint16_t i, rte_mbuf** pkts, LoopState& ls) noexcept {
    const RxSlot& s = ctx.rx[i];
    // One predictable branch per poll: a port under recovery is not polled at all.
    const uint32_t rx_word = ctx.ports[s.port].word.load(std::memory_order_acquire);
    if (rx_word & k_rx_paused) [[unlikely]]
        return 0;
    const uint16_t nb = rte_eth_rx_burst(uint16_t(rx_word & k_port_id_mask), s.queue, pkts,
                                         ctx.burst);
    ctx.rx_bursts[std::bit_width(nb)].add(1);
    if (nb == 0) return 0;
    bool timed = false;
    uint64_t t_rx = 0;
    if constexpr (Lat) {
        if (--ls.sample_left[i] == 0) {
            ls.sample_left[i] = ctx.latency_sample;
            timed = true;
            t_rx = rte_rdtsc();
        }
    }
    const uint64_t bytes_rx = transform<M>(pkts, nb, s);
    uint64_t bytes = bytes_rx;
    QueueCounters& rx = ctx.rx_stats[i];
    rx.packets.add(nb);
    rx.bytes.add(bytes_rx);
    if constexpr (M == Mode::sink) {
        rte_pktmbuf_free_bulk(pkts, nb);
        return nb;
    } else {
        QueueCounters& tx = ctx.tx_stats[s.tx_slot];
        const uint32_t tx_word = ctx.ports[s.tx_port].word.load(std::memory_order_acquire);
        if (tx_word & k_tx_blocked) [[unlikely]] {
            tx.drops.add(nb);
            tx.not_ready.add(nb);
            rte_pktmbuf_free_bulk(pkts, nb);
            return nb;
        }
        const uint16_t sent =
            rte_eth_tx_burst(uint16_t(tx_word & k_port_id_mask), s.tx_queue, pkts, nb);
        if constexpr (Lat) {
            if (timed && sent != 0) ctx.latency[i]->record_n(ctx.tsc_ns(rte_rdtsc() - t_rx), sent);
        }
        if (sent < nb) [[unlikely]] {
            // Sent mbufs may already be freed; the unsent ones are still ours to read and free.
            uint64_t unsent_bytes = 0;
            for (uint16_t k = sent; k < nb; ++k) unsent_bytes += pkts[k]->pkt_len;
            bytes -= unsent_bytes;
            tx.drops.add(nb - sent);
            rte_pktmbuf_free_bulk(pkts + sent, nb - sent);
        }
        tx.packets.add(sent);
        tx.bytes.add(bytes);
        return nb;
    }
}

template <Mode M, bool Lat>
int loop(LcoreCtx& ctx) noexcept {
    rte_mbuf* pkts[k_max_burst];
    uint32_t iter = 0;
    LoopState ls;
    for (uint32_t& n : ls.sample_left) n = 1;  // the first burst of each slot is timed
    rte_rcu_qsbr_thread_online(ctx.qsbr, ctx.qsbr_id);
    uint64_t t_prev = rte_rdtsc();
    for (;;) {
        uint32_t got = 0;
        for (uint16_t i = 0; i < ctx.n_rx; ++i) got |= poll_slot<M, Lat>(ctx, i, pkts, ls);
        // One TSC read per iteration: the whole iteration is busy when any poll returned frames.
        const uint64_t now = rte_rdtsc();
        (got ? ctx.busy_cycles : ctx.idle_cycles).add(now - t_prev);
        t_prev = now;
        if ((++iter & (k_housekeeping_interval - 1)) == 0) [[unlikely]] {
            ctx.loops.add(k_housekeeping_interval);
            // Between iterations this lcore holds no reference to any port: a quiescent state.
            rte_rcu_qsbr_quiescent(ctx.qsbr, ctx.qsbr_id);
            if (ctx.stop->load(std::memory_order_relaxed)) break;
        }
    }
    // Nothing is held between iterations: every received mbuf was sent or freed above.
    rte_rcu_qsbr_thread_offline(ctx.qsbr, ctx.qsbr_id);
    ctx.exited.store(true, std::memory_order_release);
    return 0;
}

// The loop for a mode, with or without dwell-latency timing (chosen once, STYLE §5). sink sends
// nothing, so it has no dwell time to measure.
template <Mode M>
int run_mode(LcoreCtx& ctx) noexcept {
    if constexpr (M != Mode::sink) {
        if (ctx.latency[0] != nullptr) return loop<M, true>(ctx);
    }
    return loop<M, false>(ctx);
}

}  // namespace

int worker_main(void* arg) noexcept {
    auto& ctx = *static_cast<LcoreCtx*>(arg);
    switch (ctx.mode) {
        case Mode::io: return run_mode<Mode::io>(ctx);
        case Mode::macswap: return run_mode<Mode::macswap>(ctx);
        case Mode::l2: return run_mode<Mode::l2>(ctx);
        case Mode::sink: return run_mode<Mode::sink>(ctx);
    }
    return 0;
}

}  // namespace vfpath::dp
