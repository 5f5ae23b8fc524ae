// The per-lcore worker: context layout and entry point. Runs on forwarding lcores; built with
// exceptions and RTTI off. The control thread fills an LcoreCtx before launch and only reads it
// (counters) afterwards; the lcore only writes its counters.
#pragma once

#include <atomic>
#include <cstdint>

#include <rte_ether.h>

#include "dataplane/dp/counters.h"
#include "measure/dp/histogram.h"
#include "measure/dp/hwclock.h"
#include "measure/dp/tsc.h"

struct rte_rcu_qsbr;

namespace vfpath::dp {

inline constexpr uint16_t k_max_burst = 256;
inline constexpr uint16_t k_max_rx_per_lcore = 64;
inline constexpr uint16_t k_max_tx_per_lcore = 64;
// Control checks (stop flag, RCU quiescent state) once every this many loop iterations
// (STYLE §4): a power of two so the test is a mask. ~256 us at full rate on two net_null ports,
// which bounds how long the control thread waits for quiescence.
inline constexpr uint32_t k_housekeeping_interval = 256;

enum class Mode : uint8_t { io, macswap, l2, sink };

// rx burst-size bins: bin 0 empty polls, bin k bursts of [2^(k-1), 2^k) frames; bit_width(n) is
// the bin of a burst of n <= k_max_burst frames.
inline constexpr unsigned k_burst_bins = 10;
static_assert((k_max_burst >> (k_burst_bins - 2)) == 1, "bin k_burst_bins-1 holds k_max_burst");

// What the control thread tells workers about one port, in one word so a poll costs one load:
// bits 0-15 the DPDK port id (it can change when a port is detached and re-attached), bit 16
// "do not poll" (the port is being recovered), bit 17 "do not transmit" (link down or being
// recovered: frames for it are dropped and counted, never queued forever).
inline constexpr uint32_t k_port_id_mask = 0xffff;
inline constexpr uint32_t k_rx_paused = 1u << 16;
inline constexpr uint32_t k_tx_blocked = 1u << 17;

struct alignas(64) PortCtl {
    std::atomic<uint32_t> word;  // dp: ro (acquire) / cp: rw (release)
};
static_assert(std::atomic<uint32_t>::is_always_lock_free);

// One polled (port, rx queue) and where its frames go. Immutable after launch.
struct RxSlot {
    uint16_t port;      // dp: ro, plan index into LcoreCtx::ports (not a DPDK id)
    uint16_t queue;     // dp: ro
    uint16_t tx_port;   // dp: ro, plan index
    uint16_t tx_queue;  // dp: ro
    uint16_t tx_slot;   // dp: ro, index into LcoreCtx::tx_stats
    // l2 mode: next hop + the egress port's own MAC as written (see L2Header). Atomic because
    // the control thread rewrites them when the port's MAC changes after a recovery (while the
    // port is not sent to, followed by a grace period); relaxed loads are plain loads.
    std::atomic<uint64_t> l2_lo;  // dp: ro / cp: rw while tx_port is blocked
    std::atomic<uint32_t> l2_hi;  // dp: ro / cp: rw while tx_port is blocked
    bool prefetch;      // dp: ro, prefetch headers before rewriting (PortPlan::prefetch_headers)
};

struct alignas(64) LcoreCtx {
    // Hot, read-only after launch.
    const std::atomic<bool>* stop;  // dp: ro / cp: writes the pointee
    // Dwell-latency timing wanted (ctl latency on|off): read at housekeeping only; the worker
    // then leaves its loop for the one with (or without) timing. Only acted on when the slots
    // have histograms (measure.latency on at start).
    const std::atomic<bool>* timing;  // dp: ro / cp: writes the pointee
    const PortCtl* ports;           // dp: ro / cp: writes the pointees (one per plan port)
    rte_rcu_qsbr* qsbr;             // dp: reports quiescent states / cp: waits on them
    unsigned qsbr_id;               // dp: ro, this worker's thread id in qsbr
    Mode mode;                      // dp: ro
    uint16_t burst;                 // dp: ro
    uint16_t n_rx;                  // dp: ro
    uint16_t n_tx;                  // dp: ro
    unsigned lcore;                 // dp: ro
    int socket;                     // dp: ro
    uint32_t latency_sample;        // dp: ro, time 1 burst in N (dwell-latency loops only)
    measure::TscToNs tsc_ns;        // dp: ro
    RxSlot rx[k_max_rx_per_lcore];  // dp: ro
    // Dwell-latency histogram per rx slot (allocated by the control thread; all null when
    // latency is off, and then the loop without timing runs).
    measure::Histogram* latency[k_max_rx_per_lcore];  // dp: ro pointer, rw pointee / cp: ro
    // Hardware rx timestamps: per rx slot, the NIC clock's fit onto the TSC when the slot's port
    // uses it for latency (null: the TSC times the slot's frames). Any non-null one, with
    // latency on, picks the loop that reads timestamps (chosen once per lcore).
    const measure::PublishedClock* rx_clock[k_max_rx_per_lcore];  // dp: ro / cp: publishes
    measure::RxTimestampField rx_ts;                                // dp: ro

    // Written by this lcore only, read by the control thread: a guard line apart from the
    // read-mostly part above so the reader's loads do not bounce the writer's lines.
    alignas(128) QueueCounters rx_stats[k_max_rx_per_lcore];  // dp: rw / cp: ro
    QueueCounters tx_stats[k_max_tx_per_lcore];               // dp: rw / cp: ro
    Counter loops;                                            // dp: rw / cp: ro
    // Cycle accounting, per loop iteration (every slot polled once): busy when any poll
    // returned frames.
    Counter busy_cycles;                                      // dp: rw / cp: ro
    Counter idle_cycles;                                      // dp: rw / cp: ro
    Counter rx_bursts[k_burst_bins];                          // dp: rw / cp: ro
    // Slots with a hardware clock: timed frames whose dwell started at their NIC timestamp, and
    // those timed from the rx burst instead (no timestamp flag, or no usable fit).
    Counter rx_hw_timed[k_max_rx_per_lcore];                  // dp: rw / cp: ro
    Counter rx_tsc_fallback[k_max_rx_per_lcore];              // dp: rw / cp: ro
    std::atomic<bool> exited;                                 // dp: w at exit / cp: ro
};

// rte_eal_remote_launch entry point; arg is an LcoreCtx*. Picks the pipeline once, then loops
// until *stop. Returns 0.
int worker_main(void* arg) noexcept;

}  // namespace vfpath::dp
