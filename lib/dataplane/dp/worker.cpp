// The forwarding loop: rx burst -> transform -> tx burst, counters per queue, stop check every
// k_housekeeping_interval iterations. One template body, instantiated per mode.
#include "dataplane/dp/worker.h"

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

template <Mode M>
void poll_slot(LcoreCtx& ctx, uint16_t i, rte_mbuf** pkts) noexcept {
    const RxSlot& s = ctx.rx[i];
    // One predictable branch per poll: a port under recovery is not polled at all.
    const uint32_t rx_word = ctx.ports[s.port].word.load(std::memory_order_acquire);
    if (rx_word & k_rx_paused) [[unlikely]]
        return;
    const uint16_t nb = rte_eth_rx_burst(uint16_t(rx_word & k_port_id_mask), s.queue, pkts,
                                         ctx.burst);
    if (nb == 0) return;
    const uint64_t bytes_rx = transform<M>(pkts, nb, s);
    uint64_t bytes = bytes_rx;
    QueueCounters& rx = ctx.rx_stats[i];
    rx.packets.add(nb);
    rx.bytes.add(bytes_rx);
    if constexpr (M == Mode::sink) {
        rte_pktmbuf_free_bulk(pkts, nb);
        return;
    } else {
        QueueCounters& tx = ctx.tx_stats[s.tx_slot];
        const uint32_t tx_word = ctx.ports[s.tx_port].word.load(std::memory_order_acquire);
        if (tx_word & k_tx_blocked) [[unlikely]] {
            tx.drops.add(nb);
            tx.not_ready.add(nb);
            rte_pktmbuf_free_bulk(pkts, nb);
            return;
        }
        const uint16_t sent =
            rte_eth_tx_burst(uint16_t(tx_word & k_port_id_mask), s.tx_queue, pkts, nb);
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
    }
}

template <Mode M>
int loop(LcoreCtx& ctx) noexcept {
    rte_mbuf* pkts[k_max_burst];
    uint32_t iter = 0;
    rte_rcu_qsbr_thread_online(ctx.qsbr, ctx.qsbr_id);
    for (;;) {
        for (uint16_t i = 0; i < ctx.n_rx; ++i) poll_slot<M>(ctx, i, pkts);
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

}  // namespace

int worker_main(void* arg) noexcept {
    auto& ctx = *static_cast<LcoreCtx*>(arg);
    switch (ctx.mode) {
        case Mode::io: return loop<Mode::io>(ctx);
        case Mode::macswap: return loop<Mode::macswap>(ctx);
        case Mode::l2: return loop<Mode::l2>(ctx);
        case Mode::sink: return loop<Mode::sink>(ctx);
    }
    return 0;
}

}  // namespace vfpath::dp
