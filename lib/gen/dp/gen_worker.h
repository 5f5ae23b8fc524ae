// The generator/analyzer lcore: context layout and entry point. Built with exceptions and RTTI
// off. The control thread fills a GenLcoreCtx before each phase and only reads it while the phase
// runs (Relaxed counters); the lcore writes its slots' state and counters. Between phases the lcore
// is not running, so the control thread may reset everything.
//
// One loop body (gen_worker.cpp) serves every lcore: it transmits on its tx slots, paced or not
// (chosen once per phase, STYLE §5), and analyzes what its rx slots receive. A lcore may have both
// (one worker lcore does everything on a 2-CPU machine), only tx, or only rx.
#pragma once

#include <atomic>
#include <cstdint>

#include "measure/dp/analyzer.h"
#include "measure/dp/frame.h"
#include "measure/dp/hwclock.h"
#include "measure/dp/pacer.h"
#include "measure/dp/relaxed.h"

struct rte_mempool;

namespace vfpath::gen {

using measure::Relaxed;

inline constexpr uint16_t k_max_burst = 256;
inline constexpr uint16_t k_max_tx_slots = 64;  // per lcore
inline constexpr uint16_t k_max_rx_slots = 64;  // per lcore
inline constexpr uint32_t k_max_pattern = 64;   // frame sizes in one period (imix: 12)
// rx frame-size histogram: index by frame size (pkt_len + FCS); sizes outside the pattern count
// in the last slot.
inline constexpr uint32_t k_size_index_len = 9216 + 1;

struct TxCounters {
    Relaxed packets;         // dp: rw / cp: ro, frames the tx queue accepted this phase (the
                             // next frame's position in the size, flow and probe sequence)
    Relaxed bytes;           // pkt_len, no FCS
    Relaxed probes;          // probe frames among them (the stream's next sequence number)
    Relaxed alloc_failures;  // bursts skipped because the mempool was empty
    Relaxed refused;         // frames built but not taken by a full tx ring (rebuilt later)
    Relaxed done_tsc;        // TSC when this slot stopped sending (0: still sending)
};

// One position of a stream's frame pattern: the frame's head, and the rte_mbuf fields the lcore
// writes for it in one 32-byte store: bytes [16, 48) of an mbuf that rte_pktmbuf_reset() left
// and that was sized for this frame (data_off, refcnt, nb_segs, port, ol_flags, packet_type,
// pkt_len, data_len, vlan_tci, hash.rss). The lcore takes mbufs with rte_mempool_get_bulk and
// writes these instead of resetting field by field: a generator is bound by stores. The fields
// it leaves are the ones a pool keeps as they are (next = NULL, nb_segs = 1 on every free) or that
// nobody sets in the tx pool (tx_offload, vlan_tci_outer: zero from rte_pktmbuf_init).
struct alignas(64) TxTemplate {
    measure::FrameTemplate frame;
    alignas(32) uint8_t mbuf_fields[32];
    uint16_t data_off;  // the frame starts at buf_addr + data_off
};
inline constexpr size_t k_mbuf_fields_off = 16;
// Fills t.mbuf_fields and t.data_off for t.frame on mbufs of `pool` (control thread).
void fill_mbuf_fields(TxTemplate& t, const rte_mempool* pool) noexcept;

// One (port, tx queue): one probe stream.
struct alignas(64) TxSlot {
    // Read-only during a phase.
    uint16_t port_id;                         // dp: ro
    uint16_t queue;                           // dp: ro
    uint32_t pattern_len;                     // dp: ro, frame sizes per period (1..k_max_pattern)
    uint32_t flows;                           // dp: ro, 1..65535
    rte_mempool* pool;                        // dp: ro, the tx pool of the port's socket
    const TxTemplate* probe_t;                // dp: ro, [pattern_len], frames with a probe
    const TxTemplate* plain_t;                // dp: ro, [pattern_len], frames without
    uint64_t limit;                           // dp: ro, frames to send this phase (~0: no limit)
    uint64_t rate_upps;                       // dp: ro, paced phases: micro-frames per second
    // Written by the lcore.
    measure::Pacer pacer;                     // dp: rw
    measure::ProbeShare share;                // dp: rw (num/den ro)
    uint32_t size_i;                          // dp: rw, c.packets % pattern_len
    uint32_t flow_i;                          // dp: rw, c.packets % flows
    bool done;                                // dp: rw
    alignas(64) TxCounters c;                 // dp: rw / cp: ro
};

struct alignas(64) RxSlot {
    uint16_t port_id;                          // dp: ro
    uint16_t queue;                            // dp: ro
    // The port's NIC clock fit when its latency uses hardware rx timestamps; null: the TSC.
    const measure::PublishedClock* clock;      // dp: ro / cp: publishes the pointee
    alignas(64) Relaxed packets;               // dp: rw / cp: ro, every frame received
    Relaxed bytes;                             // dp: rw / cp: ro, pkt_len
    Relaxed sizes[k_max_pattern + 1];          // dp: rw / cp: ro, by GenLcoreCtx::size_index
};

struct alignas(64) GenLcoreCtx {
    // Set by the control thread before each phase; read-only while it runs.
    unsigned lcore;                          // dp: ro
    uint16_t burst;                          // dp: ro
    bool paced;                              // dp: ro, picks the loop instantiation
    uint16_t n_tx, n_rx;                     // dp: ro
    uint64_t tx_cycles;                      // dp: ro, tx time from this lcore's start (0: none)
    uint64_t quiet_cycles;                   // dp: ro, rx quiet this long after tx ends: done
    uint64_t max_drain_cycles;               // dp: ro, and never drain longer than this
    const std::atomic<bool>* stop;           // dp: ro / cp: writes the pointee (Ctrl-C)
    std::atomic<int>* tx_active;             // dp: decrements once / cp: sets, lcores still sending
    measure::AnalyzerCtx an;                 // dp: ro (pointees rw)
    const uint8_t* size_index;               // dp: ro, [k_size_index_len] frame size -> sizes[]
    measure::RxTimestampField rx_ts;         // dp: ro, where mbufs carry rx timestamps
    TxSlot* tx;                              // dp: rw, [n_tx]
    RxSlot* rx;                              // dp: rw, [n_rx]
    // The lcore starts its clock (pacers, tx time) when it starts running, not when the control
    // thread launched it: waking a launched lcore can take milliseconds on a busy host, and that
    // wait must neither be forfeited credit nor count as tx time.
    alignas(128) Relaxed tx_start;           // dp: w once / cp: ro, TSC of its first iteration
    Relaxed drain_cycles;                    // dp: w at exit / cp: ro, how long rx drained
    std::atomic<bool> exited;                // dp: w at exit / cp: ro
};
static_assert(std::atomic<int>::is_always_lock_free);

// rte_eal_remote_launch entry point; arg is a GenLcoreCtx*. Runs one phase: sends until every
// tx slot is done (tx_cycles after the lcore started, its count, or stop), then keeps receiving until every lcore has stopped
// sending and rx has been quiet for quiet_cycles (at most max_drain_cycles). Returns 0.
int gen_lcore_main(void* arg) noexcept;

}  // namespace vfpath::gen
