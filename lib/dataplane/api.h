// Dataplane entry points for the control thread and app: EAL bootstrap, the runtime that owns
// pools, ports and workers, and lock-free snapshots of the workers' counters.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/plan.h"
#include "dataplane/cp/hw_guard.h"
#include "dataplane/dp/counters.h"
#include "drivers-glue/glue.h"
#include "measure/cp/histogram_stats.h"
#include "util/result.h"

namespace vfpath::dataplane {

// --- cp/eal.cpp
// The EAL argument vector for a config (lcores, memory, devices, then config extra_args, then
// `cli_args`, which come last so they win).
std::vector<std::string> eal_args(const config::Config& cfg,
                                  const std::vector<std::string>& cli_args);
// Routes DPDK's log into spdlog ("vfpath.dpdk"), then rte_eal_init. Once only per process.
Status init_eal(const std::vector<std::string>& args);
void cleanup_eal();

// --- cp/probe.cpp
// After EAL probe: finds every config port's DPDK id and re-plans with the devices' real limits.
// Errors are Diags in the same file:line:col style as config errors.
struct Probed {
    config::PlanResult plan;
    std::vector<uint16_t> port_ids;  // config order
};
Probed probe_and_plan(const config::Config& cfg, const config::HostFacts& host);

// --- cp/clocks.cpp: the clock that times frames received on a port (latency), as resolved at
// start: the plan's choice (ports[].latency_clock), confirmed by reading the NIC clock once the
// port runs.
struct PortClock {
    bool hw = false;      // the NIC's rx timestamps, mapped onto the TSC; else the TSC
    std::string why;      // with the TSC: why ("net_null0 does not offer RTE_ETH_RX_OFFLOAD_TIMESTAMP")
    double device_hz = 0;  // hw: the NIC clock's rate as calibrated against the TSC
    measure::CalibrationStats calibration;  // hw: samples taken, rejected, restarts
    uint64_t read_failures = 0;             // hw: rte_eth_read_clock calls that failed
};

// --- cp/runtime.cpp
struct QueueSnapshot {
    uint16_t queue = 0;
    int rx_lcore = -1, tx_lcore = -1;  // owner of the rx / tx queue with this index (-1: none)
    uint64_t rx_packets = 0, rx_bytes = 0, tx_packets = 0, tx_bytes = 0, drops = 0;
    uint64_t not_ready = 0;  // part of drops: the port was down or being recovered
    // Dwell latency of frames received on this queue (TSC after rx_burst -> TSC after tx_burst,
    // in ns); absent when the config's measure.latency is off.
    std::optional<measure::HistogramData> latency;
    // With the port's hardware clock: timed frames whose dwell started at their NIC timestamp,
    // and those timed from the rx burst instead (no timestamp flag, or no fit yet).
    uint64_t hw_timed = 0, tsc_fallback = 0;
};
struct PortSnapshot {
    uint16_t port_id = 0;
    std::string mac;  // the port's own MAC, as it transmits it in l2 mode
    std::vector<QueueSnapshot> queues;
    glue::PortHwStats hw;              // device counters (per queue where the PMD keeps them)
    std::vector<glue::Xstat> xstats;   // every extended stat the driver offers
    PortClock clock;  // which clock times its received frames
    uint64_t rx_packets() const;
    uint64_t tx_packets() const;
    uint64_t rx_bytes() const;
    uint64_t tx_bytes() const;
    uint64_t drops() const;
    uint64_t not_ready() const;
};
// rx burst sizes per poll: bin 0 counts empty polls, bin k (1..9) bursts of [2^(k-1), 2^k)
// frames (bin 9: 256, the largest burst).
inline constexpr size_t k_burst_bins = 10;
// One worker lcore's cycle accounting (as OVS's pmd-perf-show): each loop iteration polls every
// queue of the lcore once; its cycles count as busy when any poll returned frames, else idle.
struct LcoreSnapshot {
    unsigned lcore = 0;
    int socket = 0;
    uint64_t iterations = 0;
    uint64_t busy_cycles = 0, idle_cycles = 0;  // TSC cycles
    uint64_t rx_packets = 0;                    // frames received by this lcore
    std::array<uint64_t, k_burst_bins> rx_bursts{};  // per poll, see k_burst_bins
    uint64_t polls() const;       // sum of rx_bursts
    uint64_t busy_polls() const;  // polls that returned frames
    double busy_share() const;    // busy / (busy + idle) cycles, 0..1
    double cycles_per_packet() const;  // busy cycles / rx_packets (0 without packets)
};
struct Snapshot {
    double t_s = 0;  // seconds since launch
    uint64_t tsc_hz = 0;
    std::vector<PortSnapshot> ports;  // plan order
    std::vector<LcoreSnapshot> lcores;  // plan order
};
struct PoolReport {
    std::string name;
    int socket = 0;
    unsigned size = 0;
    unsigned cache_size = 0;
    uint64_t memory_bytes = 0;
    unsigned in_use_at_exit = 0;
};
struct ShutdownReport {
    std::vector<PoolReport> pools;
    std::vector<uint64_t> drained_at_stop;  // per plan port: frames left in rx rings at stop
    bool workers_stopped = true;
};

class Runtime {
public:
    // Creates pools, sets up and starts every port, prepares one context per worker lcore.
    // On failure everything created so far is undone.
    static Result<std::unique_ptr<Runtime>> create(const config::Plan& plan,
                                                   std::vector<uint16_t> port_ids);
    ~Runtime();
    Runtime(const Runtime&) = delete;
    Runtime& operator=(const Runtime&) = delete;

    Status launch();
    // Reads every worker's counters without locks. Copying the latency histograms costs 28 KiB
    // per timed queue: readers that only need counters pass false.
    Snapshot snapshot(bool with_latency = true) const;
    // Raises the stop flag and waits for every worker to return (each checks the flag every
    // dp::k_housekeeping_interval iterations). Idempotent.
    void stop_workers();
    // Stops workers, stops and closes ports, counts mbufs still in use per pool, frees pools.
    ShutdownReport shutdown();
    const config::Plan& plan() const { return plan_; }

    // Dwell-latency timing (ctl latency on|off): workers switch loops at their next
    // housekeeping. Only when the run started with latency measured (histograms exist);
    // otherwise turning it on fails, saying why. Any thread.
    bool latency_measured() const;
    bool latency_on() const;
    Status set_latency(bool on);

    // --- Recovery support, control thread only. `pidx` is a plan port index.
    uint16_t port_id(uint16_t pidx) const;
    rte_mempool* port_pool(uint16_t pidx) const;
    // Publishes what workers see of a port: its DPDK id, whether to poll it, whether to send to it.
    void set_port_state(uint16_t pidx, uint16_t port_id, bool rx_paused, bool tx_blocked);
    // Failover: the port stays unpolled and its own device untouched, but frames for it are sent
    // on `target_id` (its standby, set up with the same tx queue numbers).
    void redirect_tx(uint16_t pidx, uint16_t target_id);
    bool rx_paused(uint16_t pidx) const;
    bool tx_blocked(uint16_t pidx) const;
    // Waits until every worker has passed a quiescent state begun now, so none still polls a port
    // paused before the call. False after `timeout_ms` (the stuck lcores are logged).
    bool quiesce(unsigned timeout_ms);
    // The same without waiting: a token now, then whether every worker has passed a quiescent
    // state since (the control thread checks it on its next wake-ups).
    uint64_t quiesce_start();
    bool quiesced(uint64_t token) const;
    // The MAC the port transmits with in l2 mode and that reports show; set_port_mac changes it
    // (after a restart or re-attach gave the device a new one). Call it while no frame is sent
    // to the port (tx blocked), then quiesce before unblocking: workers read the l2 source MAC
    // without a lock.
    config::MacAddr port_mac(uint16_t pidx) const;
    // Reads every open port's device counters so jumps are found between close readings (call
    // it about once a second), and hands over the jumps found since the last call.
    void sample_hw();
    std::vector<HwJump> take_hw_jumps();
    void set_port_mac(uint16_t pidx, const config::MacAddr& mac);
    // Whether shutdown must stop and close the port (false once it was closed or detached).
    void set_port_open(uint16_t pidx, bool open);
    // Frames received on / dropped as not-ready towards a port, summed over workers (cheap reads).
    uint64_t port_rx_packets(uint16_t pidx) const;
    uint64_t port_not_ready(uint16_t pidx) const;
    uint64_t port_tx_packets(uint16_t pidx) const;
    uint64_t port_drops(uint16_t pidx) const;
    unsigned pool_in_use(uint16_t pool_index) const;

    // --- Hardware rx timestamps (cp/clocks.cpp), control thread.
    PortClock port_clock(uint16_t pidx) const;
    // The fit rx lcores read for a port whose latency clock is the NIC's; null for the TSC.
    const measure::PublishedClock* rx_clock(uint16_t pidx) const;
    measure::RxTimestampField rx_timestamp_field() const;
    // Takes a new (NIC clock, TSC) sample per hardware-clock port and republishes its fit, at
    // most every k_clock_refresh_s; cheap to call more often (the control loop's every wake-up).
    void tick_clocks();

private:
    uint64_t drain_rx();
    uint64_t slot_sum(uint16_t pidx, bool rx, dp::Counter dp::QueueCounters::*field) const;
    struct Impl;
    Runtime(const config::Plan& plan, std::vector<uint16_t> port_ids);
    config::Plan plan_;
    std::unique_ptr<Impl> impl_;
};

}  // namespace vfpath::dataplane
