// The forwarding loop: rx burst -> transform -> tx burst, counters per queue, stop check every
// k_housekeeping_interval iterations. One template body, instantiated per mode.
#include "dataplane/dp/worker.h"

#include <bit>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>

#include "dataplane/dp/hot_loop.h"
#include "dataplane/dp/pipelines.h"
#include "dataplane/dp/rx_timestamp.h"

namespace vfpath::dp {

namespace {

// Transforms a burst as the mode says and returns its bytes (sum of pkt_len). io and sink touch
// no packet data, so for them the sum is the only read of the mbufs.
template <Mode M>
inline uint64_t transform(rte_mbuf* const* pkts, uint16_t n, const RxSlot& s) noexcept {
    if constexpr (M == Mode::macswap) return macswap_burst(pkts, n, s.prefetch);
    else if constexpr (M == Mode::l2)
        return l2_burst(pkts, n,
                        L2Header{s.l2_lo.load(std::memory_order_relaxed),
                                 s.l2_hi.load(std::memory_order_relaxed)},
                        s.prefetch);
    else return (void)s, burst_bytes(pkts, n);
}

// How a loop reads the TSC (chosen once per lcore, STYLE §5). A TSC read costs ~19-27 cycles on
// this VM, about what a whole io frame costs, so each variant reads it as little as it can.
//   none:    busy/idle cycles only. The TSC is read when an iteration's state (got frames or not)
//            differs from the previous one's and at housekeeping, so a loop that stays busy reads
//            it once per k_housekeeping_interval iterations. Each busy/idle transition is
//            attributed one iteration late: an error of one iteration per transition.
//   every:   dwell latency of every burst. One read after each poll; a burst's dwell time is from
//            the read before its rx_burst (the previous poll's) to the read after its tx_burst,
//            and each poll's cycles are busy or idle exactly.
//   sampled: dwell latency of one burst in latency_sample per slot: a read before the rx_burst of
//            a burst due for timing and one after its tx_burst; busy/idle cycles as in none.
// Dwell is therefore the same quantity in every variant: from the call of the rx_burst that
// returned the frames to the return of the tx_burst that took them.
//
// Hardware rx timestamps (a second template flag, Hw, also chosen once per lcore: some slot's
// port uses the NIC clock): on such a slot, a timed burst's frames each start their dwell at
// their own NIC timestamp mapped onto the TSC, so the time a frame waited in the rx ring before
// the rx_burst is included. Read before tx_burst (the mbufs are the PMD's afterwards), recorded
// per frame. Frames without a timestamp, or any while no fit is published, are timed from the
// burst as above and counted (rx_tsc_fallback). Slots without a hardware clock, and every loop
// with Hw false, do exactly what they did before: no per-frame work.
enum class Timing : uint8_t { none, every, sampled };

// Per-loop state that lives in registers and on the lcore's stack rather than in the context.
struct LoopState {
    uint64_t t_last;   // every: the last TSC read
    uint64_t t_mark;   // none/sampled: start of the current busy or idle run
    bool busy;         // none/sampled: state of the current run
    uint32_t sample_left[k_max_rx_per_lcore];  // sampled, per slot: bursts to the next timed one
    uint64_t arrival[k_max_burst];  // Hw: each frame's NIC timestamp on the TSC (0: none)
};

// Hw, a timed burst on a slot with a hardware clock: each frame's arrival on the TSC, 0 for a
// frame to time from the burst. Returns false when no fit is published (every frame falls back).
inline bool read_arrivals(const LcoreCtx& ctx, unsigned i, rte_mbuf* const* pkts, uint16_t nb,
                          LoopState& ls) noexcept {
    measure::ClockFit fit;
    if (!ctx.rx_clock[i]->read(fit)) return false;
    // No TSC read here: record_arrivals checks each stamp against the read after tx_burst.
    for (uint16_t k = 0; k < nb; ++k) {
        uint64_t t = 0;
        ls.arrival[k] = rx_arrival_tsc(pkts[k], ctx.rx_ts, fit, ~uint64_t{0}, t) ? t : 0;
    }
    return true;
}

// Hw: records the dwell of the `sent` frames of a timed burst that ended at `now`; frames with
// no arrival stamp, or one later than `now` (see rx_arrival_tsc), get `burst_dwell` (cycles), as
// without hardware timestamps.
inline void record_arrivals(LcoreCtx& ctx, unsigned i, uint16_t sent, bool have, uint64_t now,
                            uint64_t burst_dwell, const LoopState& ls) noexcept {
    uint32_t fallback = 0;
    for (uint16_t k = 0; k < sent; ++k) {
        if (have && ls.arrival[k] != 0 && ls.arrival[k] <= now)
            ctx.latency[i]->record(ctx.tsc_ns(now - ls.arrival[k]));
        else
            ++fallback;
    }
    if (fallback != 0) ctx.latency[i]->record_n(ctx.tsc_ns(burst_dwell), fallback);
    ctx.rx_hw_timed[i].add(sent - fallback);
    ctx.rx_tsc_fallback[i].add(fallback);
}

// Warms what the next slot's rx_burst and tx_burst will read first: the PMD's queue structures and
// ethdev's callback slots, one line each. rte_eth_rx_burst reaches them through rte_eth_fp_ops,
// the table its inline code reads. With many ports on one lcore these lines are spread over as
// many pages, and the wait for them grows with the number of ports; issued one slot ahead, it
// overlaps with the current slot's work (perf/flatness.py measures it). A port under recovery is
// skipped: its queues may be freed, and this slot's check of its word is what keeps the lcore
// off them until the next quiescent state.
// One queue's PMD structure and ethdev callback slot, through a port's rxq or txq entry of
// rte_eth_fp_ops.
inline void prefetch_queue(const rte_ethdev_qdata& q, uint16_t queue) noexcept {
    rte_prefetch0(q.data[queue]);
    rte_prefetch0(&q.clbk[queue]);
}

template <Mode M>
inline void prefetch_slot(const LcoreCtx& ctx, const RxSlot& s) noexcept {
    const uint32_t rx_word = ctx.ports[s.port].word.load(std::memory_order_acquire);
    if (rx_word & k_rx_paused) [[unlikely]]
        return;
    prefetch_queue(rte_eth_fp_ops[rx_word & k_port_id_mask].rxq, s.queue);
    if constexpr (M != Mode::sink) {
        const uint32_t tx_word = ctx.ports[s.tx_port].word.load(std::memory_order_acquire);
        if (tx_word & k_tx_blocked) [[unlikely]]
            return;
        prefetch_queue(rte_eth_fp_ops[tx_word & k_port_id_mask].txq, s.tx_queue);
    }
}

// Polls one slot; returns how many frames it received. A timed burst's dwell time is recorded
// once for each frame the tx ring accepted (frames dropped at tx have none).
template <Mode M, Timing T, bool Hw>
uint16_t poll_slot(LcoreCtx& ctx, unsigned i, rte_mbuf** pkts, LoopState& ls) noexcept {
    const RxSlot& s = ctx.rx[i];
    // One predictable branch per poll: a port under recovery is not polled at all.
    const uint32_t rx_word = ctx.ports[s.port].word.load(std::memory_order_acquire);
    if (rx_word & k_rx_paused) [[unlikely]]
        return 0;
    uint64_t t_before = 0;
    bool timed = false;
    if constexpr (T == Timing::sampled) {
        timed = ls.sample_left[i] == 1;
        if (timed) t_before = rte_rdtsc();
    }
    const uint16_t nb = rte_eth_rx_burst(uint16_t(rx_word & k_port_id_mask), s.queue, pkts,
                                         ctx.burst);
    ctx.rx_bursts[std::bit_width(unsigned{nb})].add(1);
    if (nb == 0) {
        if constexpr (T == Timing::every) {
            const uint64_t now = rte_rdtsc();
            ctx.idle_cycles.add(now - ls.t_last);
            ls.t_last = now;
        }
        return 0;
    }
    if constexpr (T == Timing::sampled) {
        if (--ls.sample_left[i] == 0) ls.sample_left[i] = ctx.latency_sample;
    }
    // Hw: one branch per burst picks the per-frame path for a slot whose port has a NIC clock.
    bool hw_slot = false, have_fit = false;
    if constexpr (Hw && T != Timing::none) {
        hw_slot = ctx.rx_clock[i] != nullptr && (T == Timing::every || timed);
        if (hw_slot) have_fit = read_arrivals(ctx, i, pkts, nb, ls);
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
        uint16_t sent = 0;
        if (tx_word & k_tx_blocked) [[unlikely]] {
            tx.drops.add(nb);
            tx.not_ready.add(nb);
            rte_pktmbuf_free_bulk(pkts, nb);
        } else {
            sent = rte_eth_tx_burst(uint16_t(tx_word & k_port_id_mask), s.tx_queue, pkts, nb);
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
        if constexpr (T == Timing::every) {
            const uint64_t now = rte_rdtsc();
            const uint64_t dwell = now - ls.t_last;
            ls.t_last = now;
            ctx.busy_cycles.add(dwell);
            if (hw_slot)
                record_arrivals(ctx, i, sent, have_fit, now, dwell, ls);
            else if (sent != 0)
                ctx.latency[i]->record_n(ctx.tsc_ns(dwell), sent);
        } else if constexpr (T == Timing::sampled) {
            if (timed && sent != 0) {
                const uint64_t now = rte_rdtsc();
                if (hw_slot)
                    record_arrivals(ctx, i, sent, have_fit, now, now - t_before, ls);
                else
                    ctx.latency[i]->record_n(ctx.tsc_ns(now - t_before), sent);
            }
        }
        return nb;
    }
}

// none/sampled: closes the current busy or idle run at `now`.
inline void close_run(LcoreCtx& ctx, LoopState& ls, uint64_t now) noexcept {
    (ls.busy ? ctx.busy_cycles : ctx.idle_cycles).add(now - ls.t_mark);
    ls.t_mark = now;
}

// loop()'s answer when it left because timing was switched on or off (0: stopped).
constexpr int k_loop_switch = 1;

template <Mode M, Timing T, bool Hw>
VFPATH_HOT_LOOP int loop(LcoreCtx& ctx) noexcept {
    rte_mbuf* pkts[k_max_burst];
    LoopState ls;
    ls.t_last = ls.t_mark = rte_rdtsc();
    ls.busy = true;
    for (uint32_t& n : ls.sample_left) n = 1;  // the first burst of each slot is timed
    rte_rcu_qsbr_thread_online(ctx.qsbr, ctx.qsbr_id);
    // One iteration polls every slot once. The slots are walked as a ring rather than by a loop
    // per iteration: such a loop ends in a branch taken n - 1 times in n, which the branch
    // predictor cannot tell apart (every slot runs the same code), so it missed once per
    // iteration. Here the index wraps without a branch, and the only branches between slots are
    // the rare ones: a busy/idle change at the end of an iteration, and housekeeping, counted in
    // slots. The empty asm statements hide where the values come from, so GCC cannot turn the
    // arithmetic back into branches on the slot index.
    const unsigned n = ctx.n_rx;  // >= 1 (worker_main)
    unsigned i = 0;
    uint32_t got = 0;
    uint32_t hk_left = k_housekeeping_interval * n;
    for (;;) {
        unsigned next = i + 1 == n ? 0 : i + 1;
        asm("" : "+r"(next));
        prefetch_slot<M>(ctx, ctx.rx[next]);
        got |= poll_slot<M, T, Hw>(ctx, i, pkts, ls);
        i = next;
        uint32_t end = -uint32_t{next == 0};  // all ones when this slot ended an iteration
        asm("" : "+r"(end));
        if constexpr (T != Timing::every) {
            if (end & (uint32_t{got != 0} ^ uint32_t{ls.busy})) [[unlikely]] {
                close_run(ctx, ls, rte_rdtsc());
                ls.busy = !ls.busy;
            }
        }
        got &= ~end;
        if (--hk_left == 0) [[unlikely]] {
            hk_left = k_housekeeping_interval * n;
            ctx.loops.add(k_housekeeping_interval);
            if constexpr (T != Timing::every) close_run(ctx, ls, rte_rdtsc());
            // Between polls this lcore holds no reference to any port: a quiescent state. (The
            // next slot's prefetch read its queue pointers before this; its poll reads its port
            // word again after it.)
            rte_rcu_qsbr_quiescent(ctx.qsbr, ctx.qsbr_id);
            if (ctx.stop->load(std::memory_order_relaxed)) break;
            // Timing switched on or off (ctl latency): leave for the other loop.
            if ((T != Timing::none) != ctx.timing->load(std::memory_order_relaxed)) [[unlikely]] {
                rte_rcu_qsbr_thread_offline(ctx.qsbr, ctx.qsbr_id);
                return k_loop_switch;
            }
        }
    }
    // Nothing is held between iterations: every received mbuf was sent or freed above.
    rte_rcu_qsbr_thread_offline(ctx.qsbr, ctx.qsbr_id);
    return 0;
}

// The loop for a mode and a timing. sink sends nothing, so it has no dwell time to measure.
template <Mode M, bool Hw>
int run_timed(LcoreCtx& ctx) noexcept {
    return ctx.latency_sample == 1 ? loop<M, Timing::every, Hw>(ctx)
                                   : loop<M, Timing::sampled, Hw>(ctx);
}

template <Mode M>
int run_once(LcoreCtx& ctx) noexcept {
    if constexpr (M != Mode::sink) {
        if (ctx.latency[0] != nullptr && ctx.timing->load(std::memory_order_relaxed)) {
            bool hw = false;
            for (uint16_t i = 0; i < ctx.n_rx; ++i) hw = hw || ctx.rx_clock[i] != nullptr;
            return hw ? run_timed<M, true>(ctx) : run_timed<M, false>(ctx);
        }
    }
    return loop<M, Timing::none, false>(ctx);
}

// The loop for the timing wanted now, again each time it is switched (ctl latency on|off).
template <Mode M>
int run_mode(LcoreCtx& ctx) noexcept {
    while (run_once<M>(ctx) == k_loop_switch) {
    }
    ctx.exited.store(true, std::memory_order_release);
    return 0;
}

}  // namespace

int worker_main(void* arg) noexcept {
    auto& ctx = *static_cast<LcoreCtx*>(arg);
    if (ctx.n_rx == 0) [[unlikely]] {  // the plan gives every worker a queue; nothing to poll
        ctx.exited.store(true, std::memory_order_release);
        return 0;
    }
    switch (ctx.mode) {
        case Mode::io: return run_mode<Mode::io>(ctx);
        case Mode::macswap: return run_mode<Mode::macswap>(ctx);
        case Mode::l2: return run_mode<Mode::l2>(ctx);
        case Mode::sink: return run_mode<Mode::sink>(ctx);
    }
    return 0;
}

}  // namespace vfpath::dp
