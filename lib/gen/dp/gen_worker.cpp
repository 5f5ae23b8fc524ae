// The generator/analyzer loop. Per tx slot and iteration: how many frames may go (the pacer, or a
// whole burst when unpaced), one bulk get from the mempool, the frames and their mbuf fields
// written from templates, one TSC read to
// stamp the burst's probes, one tx burst. Per rx slot: one rx burst, one TSC read, each frame
// analyzed, one bulk free. No allocation beyond the mempool, no locks, no per-packet branch on
// configuration.
#include "gen/dp/gen_worker.h"
#include "dataplane/dp/hot_loop.h"
#include "dataplane/dp/rx_timestamp.h"

#include <cstddef>
#include <cstring>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_prefetch.h>

namespace vfpath::gen {

namespace {

// How far ahead the analyzer prefetches frame data: it reads the first 74 bytes of each frame.
constexpr uint16_t k_prefetch_ahead = 4;

template <bool Paced>
inline void tx_step(const GenLcoreCtx& ctx, TxSlot& s, uint64_t now, rte_mbuf** m) noexcept {
    uint32_t n = ctx.burst;
    if constexpr (Paced) {
        n = s.pacer.ready(now);
        if (n == 0) return;
    }
    const uint64_t k = s.c.packets.get();  // frames sent this phase
    const uint64_t left = s.limit - k;
    if (left < n) n = static_cast<uint32_t>(left);
    if (rte_mempool_get_bulk(s.pool, reinterpret_cast<void**>(m), n) != 0) [[unlikely]] {
        s.c.alloc_failures.add(1);
        return;
    }
    uint8_t* probes[k_max_burst];
    uint16_t probe_pos[k_max_burst];
    uint32_t np = 0;
    uint64_t bytes = 0;
    // The slot's positions live in registers for the burst: the frame writes below go through
    // uint8_t*, which may alias anything, so fields of `s` would be stored and reloaded per frame
    // (a store-to-load chain through memory that cost ~10% of the unpaced rate, perf record).
    measure::ProbeShare share = s.share;
    uint32_t size_i = s.size_i, flow_i = s.flow_i;
    const uint32_t pattern_len = s.pattern_len, flows = s.flows;
    const TxTemplate* const probe_t = s.probe_t;
    const TxTemplate* const plain_t = s.plain_t;
    for (uint32_t i = 0; i < n; ++i) {
        const bool probe = share.next();
        const TxTemplate& t = (probe ? probe_t : plain_t)[size_i];
        rte_mbuf* mb = m[i];
        std::memcpy(reinterpret_cast<uint8_t*>(mb) + k_mbuf_fields_off, t.mbuf_fields,
                    sizeof t.mbuf_fields);
        uint8_t* d = static_cast<uint8_t*>(mb->buf_addr) + t.data_off;
        measure::build_frame(d, t.frame, flow_i);
        bytes += t.frame.pkt_len;
        if (probe) {
            probes[np] = d + t.frame.probe_off;
            probe_pos[np] = static_cast<uint16_t>(i);
            ++np;
        }
        if (++size_i == pattern_len) size_i = 0;
        if (++flow_i == flows) flow_i = 0;
    }
    s.share = share;
    s.size_i = size_i;
    s.flow_i = flow_i;
    // One stamp for the whole burst, read as late as possible: just before it is handed to tx.
    if (np != 0) {
        const uint64_t tsc = rte_rdtsc();
        const uint64_t seq = s.c.probes.get();  // the next probe's sequence number
        for (uint32_t j = 0; j < np; ++j) measure::stamp_probe(probes[j], seq + j, tsc);
    }
    const uint16_t sent = rte_eth_tx_burst(s.port_id, s.queue, m, static_cast<uint16_t>(n));
    uint32_t probes_sent = np;
    if (sent < n) [[unlikely]] {
        // The ring took a prefix. The rest are ours again: freed, and their positions in the
        // frame sequence (size, flow, probe, sequence number) are handed out again next time, so
        // the stream stays gap-free and the size mix exact.
        for (uint32_t i = sent; i < n; ++i) bytes -= m[i]->pkt_len;
        rte_pktmbuf_free_bulk(m + sent, n - sent);
        while (probes_sent > 0 && probe_pos[probes_sent - 1] >= sent) --probes_sent;
        s.share.rewind(k + sent);
        s.size_i = static_cast<uint32_t>((k + sent) % s.pattern_len);
        s.flow_i = static_cast<uint32_t>((k + sent) % s.flows);
        s.c.refused.add(n - sent);
    }
    if constexpr (Paced) s.pacer.consume(sent);
    s.c.packets.add(sent);
    s.c.bytes.add(bytes);
    s.c.probes.add(probes_sent);
}

// Hw: the slot's port times frames with their NIC timestamps (chosen per slot and burst by one
// branch in loop(); the TSC-only instantiation does no per-frame work for it).
template <bool Hw>
inline uint16_t rx_poll(const GenLcoreCtx& ctx, RxSlot& r, rte_mbuf** m) noexcept {
    const uint16_t nb = rte_eth_rx_burst(r.port_id, r.queue, m, ctx.burst);
    if (nb == 0) return 0;
    const uint64_t tsc = rte_rdtsc();
    [[maybe_unused]] measure::ClockFit fit;
    [[maybe_unused]] bool have_fit = false;
    if constexpr (Hw) have_fit = r.clock->read(fit);
    const uint16_t first = nb < k_prefetch_ahead ? nb : k_prefetch_ahead;
    for (uint16_t i = 0; i < first; ++i) rte_prefetch0(rte_pktmbuf_mtod(m[i], void*));
    uint64_t bytes = 0;
    for (uint16_t i = 0; i < nb; ++i) {
        if (i + k_prefetch_ahead < nb) rte_prefetch0(rte_pktmbuf_mtod(m[i + k_prefetch_ahead], void*));
        const rte_mbuf* mb = m[i];
        bytes += mb->pkt_len;
        const uint32_t size = mb->pkt_len + 4;
        r.sizes[ctx.size_index[size < k_size_index_len ? size : k_size_index_len - 1]].add(1);
        if constexpr (Hw) {
            uint64_t at = 0;
            const bool stamped = have_fit && dp::rx_arrival_tsc(mb, ctx.rx_ts, fit, tsc, at);
            measure::analyze_frame(ctx.an, rte_pktmbuf_mtod(mb, const uint8_t*), mb->data_len,
                                   stamped ? at : tsc,
                                   stamped ? measure::RxTime::hw : measure::RxTime::fallback);
        } else {
            measure::analyze_frame(ctx.an, rte_pktmbuf_mtod(mb, const uint8_t*), mb->data_len,
                                   tsc);
        }
    }
    rte_pktmbuf_free_bulk(m, nb);
    r.packets.add(nb);
    r.bytes.add(bytes);
    return nb;
}

template <bool Paced>
VFPATH_HOT_LOOP int loop(GenLcoreCtx& ctx) noexcept {
    rte_mbuf* m[k_max_burst];
    const uint64_t start = rte_rdtsc();
    ctx.tx_start.set(start);
    const uint64_t end_tsc = ctx.tx_cycles ? start + ctx.tx_cycles : ~uint64_t{0};
    if constexpr (Paced) {
        const uint64_t hz = rte_get_tsc_hz();
        for (uint16_t i = 0; i < ctx.n_tx; ++i)
            ctx.tx[i].pacer.start(hz, ctx.tx[i].rate_upps, ctx.burst, start);
    }
    uint16_t tx_live = ctx.n_tx;
    bool tx_reported = false;
    uint64_t drain_start = 0, last_rx = 0;
    for (;;) {
        const uint64_t now = rte_rdtsc();
        if (tx_live != 0) {
            const bool end = now >= end_tsc || ctx.stop->load(std::memory_order_relaxed);
            for (uint16_t i = 0; i < ctx.n_tx; ++i) {
                TxSlot& s = ctx.tx[i];
                if (s.done) continue;
                if (!end) tx_step<Paced>(ctx, s, now, m);
                if (end || s.c.packets.get() >= s.limit) {
                    s.done = true;
                    s.c.done_tsc.set(rte_rdtsc());
                    --tx_live;
                }
            }
        }
        uint32_t got = 0;
        for (uint16_t i = 0; i < ctx.n_rx; ++i)
            got += ctx.rx[i].clock ? rx_poll<true>(ctx, ctx.rx[i], m)
                                   : rx_poll<false>(ctx, ctx.rx[i], m);
        if (tx_live != 0) continue;
        if (!tx_reported) {
            tx_reported = true;
            ctx.tx_active->fetch_sub(1, std::memory_order_acq_rel);
        }
        if (ctx.n_rx == 0) break;
        // Every lcore has stopped sending: wait until rx has been quiet for quiet_cycles.
        if (ctx.tx_active->load(std::memory_order_acquire) != 0) continue;
        const uint64_t t = rte_rdtsc();
        if (drain_start == 0) drain_start = last_rx = t;
        if (got != 0) last_rx = t;
        if (t - last_rx >= ctx.quiet_cycles || t - drain_start >= ctx.max_drain_cycles) {
            ctx.drain_cycles.set(t - drain_start);
            break;
        }
    }
    ctx.exited.store(true, std::memory_order_release);
    return 0;
}

}  // namespace

// The 32 bytes TxTemplate::mbuf_fields covers, in this DPDK's rte_mbuf.
static_assert(offsetof(rte_mbuf, data_off) == k_mbuf_fields_off);
static_assert(offsetof(rte_mbuf, ol_flags) == k_mbuf_fields_off + 8);
static_assert(offsetof(rte_mbuf, packet_type) == k_mbuf_fields_off + 16);
static_assert(offsetof(rte_mbuf, pkt_len) == k_mbuf_fields_off + 20);
static_assert(offsetof(rte_mbuf, data_len) == k_mbuf_fields_off + 24);
static_assert(offsetof(rte_mbuf, vlan_tci) == k_mbuf_fields_off + 26);
static_assert(offsetof(rte_mbuf, hash) == k_mbuf_fields_off + 28);

void fill_mbuf_fields(TxTemplate& t, const rte_mempool* pool) noexcept {
    // What rte_pktmbuf_alloc() leaves in an mbuf of this pool (refcnt 1 as the pool keeps it,
    // then rte_pktmbuf_reset()), sized for the frame.
    alignas(RTE_CACHE_LINE_SIZE) rte_mbuf mb{};
    mb.pool = const_cast<rte_mempool*>(pool);
    mb.buf_len = rte_pktmbuf_data_room_size(mb.pool);
    rte_mbuf_refcnt_set(&mb, 1);
    rte_pktmbuf_reset(&mb);
    mb.data_len = t.frame.pkt_len;
    mb.pkt_len = t.frame.pkt_len;
    std::memcpy(t.mbuf_fields, reinterpret_cast<const uint8_t*>(&mb) + k_mbuf_fields_off,
                sizeof t.mbuf_fields);
    t.data_off = mb.data_off;
}

int gen_lcore_main(void* arg) noexcept {
    auto& ctx = *static_cast<GenLcoreCtx*>(arg);
    return ctx.paced ? loop<true>(ctx) : loop<false>(ctx);
}

}  // namespace vfpath::gen
