// The traffic generator and analyzer (`vfpath gen`, RFC 2544 trials). A GenSession sets up EAL,
// ports and pools once from a config (the same eal:/ports: sections `vfpath run` takes, plus gen:),
// then runs phases: each phase sends at a fixed rate for a time or a frame count, waits for what is
// in flight (drain), and reports per-stream loss, reordering, duplicates and one-way latency.
// Control thread only; the lcore side is dp/gen_worker.h. No DPDK types in this header.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/plan.h"
#include "measure/cp/histogram_stats.h"
#include "measure/trial.h"
#include "util/result.h"

namespace vfpath::gen {

// --- cp/plan.cpp (pure: no DPDK)
// Checks that need the config only, before EAL: every size fits the mbufs and the MTU, the
// streams and lcores fit the lcore tables, a gen: section exists. file:line:col diagnostics.
std::vector<config::Diag> preflight(const config::Config& cfg);

// The config the planner sees for a generator job: its ports and pools as for a job that receives
// on every port and forwards nothing (sink mode, automatic assignment); the generator drives its
// own lcores. Plan it before EAL to report port and lcore errors as `run` does.
config::Config planning_config(const config::Config& cfg);

// Which worker lcore runs which tx slot (port, tx queue) and rx slot (port, rx queue). With one
// worker lcore it does both; with W >= 2, max(1, W/2) lcores transmit and the others receive
// (all transmit when nothing is received). Slots go round robin over their group.
struct SlotRef {
    uint16_t port = 0;  // plan port index
    uint16_t queue = 0;
};
struct LcoreAssign {
    unsigned lcore = 0;
    std::vector<SlotRef> tx, rx;
};
std::vector<LcoreAssign> assign_lcores(const std::vector<unsigned>& workers,
                                       const std::vector<SlotRef>& tx,
                                       const std::vector<SlotRef>& rx);

// --- cp/session.cpp
struct PhaseSpec {
    double rate_pps = 0;               // per tx port; <= 0: unpaced
    std::vector<uint32_t> sizes{64};   // frame sizes with FCS, sent round robin
    uint32_t flows = 1;
    double probe_share = 1;
    double seconds = 0;                // tx time limit; 0: none
    uint64_t count = 0;                // frames per tx port; 0: no limit
};

struct StreamStats {
    uint32_t id = 0;
    std::string port;
    uint16_t queue = 0;
    uint64_t frames = 0, bytes = 0;  // every frame this stream's tx queue accepted
    uint64_t sent = 0;               // probes among them (sequence numbers 0..sent-1)
    uint64_t received = 0, reordered = 0, duplicates = 0, too_old = 0;
    uint64_t lost = 0;               // sent - received (in flight included while running)
    uint64_t refused = 0, alloc_failures = 0, pacer_forfeited = 0;
    measure::HistogramData latency;
    // The clock of the rx ports that timed it: "tsc", "hw" (NIC rx timestamps mapped onto the
    // TSC) or "mixed" (gen.rx ports with different clocks). With hw: samples from a NIC timestamp
    // and samples from the burst's TSC because the frame carried none (or no fit was ready).
    std::string latency_clock = "tsc";
    uint64_t hw_timed = 0, tsc_fallback = 0;
};

struct PortStats {
    std::string name;
    uint64_t tx_packets = 0, tx_bytes = 0, rx_packets = 0, rx_bytes = 0;
};

struct PhaseStats {
    double elapsed_s = 0;  // since the phase started
    double tx_s = 0;       // from the first tx lcore's start to the last tx slot's stop (or now)
    bool sending = true;
    double drain_s = 0;    // how long rx waited for late frames after tx stopped
    bool stopped = false;  // request_stop() ended it
    bool analyzed = false; // some port receives (gen.rx); otherwise rx figures mean nothing
    uint64_t tx_packets = 0, tx_bytes = 0, rx_packets = 0, rx_bytes = 0;
    uint64_t non_probe = 0, unknown_stream = 0, future_tsc = 0, stale = 0;
    uint64_t flushed_before = 0;  // frames found in rx queues before the phase (not counted)
    std::vector<StreamStats> streams;
    std::vector<PortStats> ports;
    std::vector<uint32_t> size_values;  // distinct frame sizes of the phase
    std::vector<uint64_t> tx_sizes;     // frames sent per size_values[i] (from the sequence)
    std::vector<uint64_t> rx_sizes;     // frames received per size_values[i], measured
    uint64_t rx_other_sizes = 0;        // frames received of another size
    double probe_share = 1;
    measure::HistogramData latency;     // every stream merged
    std::string latency_clock = "tsc";  // as StreamStats::latency_clock
    // Distinct frames that belong to the phase: the probes received, plus non-probe frames when
    // probe_share < 1 (when every frame is a probe, a frame without one is not the generator's).
    uint64_t received() const;
    uint64_t duplicates() const;
    uint64_t reordered() const;
    uint64_t lost() const;  // tx_packets - received(), 0 when more came back
};

class GenSession : public measure::TrialSession {
public:
    // EAL init, probe, ports, pools, lcore contexts, then waits (at most 10 s) for every used
    // port's link. On failure everything is undone. The config must have a gen: section and pass
    // preflight(), which the caller runs before (open does not run it again). A config error
    // found only after probe (device limits) comes back as an Error of file:line:col lines and,
    // when config_errors is given, as those diagnostics in it (exit code 2 rather than 1).
    static Result<std::unique_ptr<GenSession>> open(
        const config::Config& cfg, const std::vector<std::string>& eal_cli_args,
        std::vector<config::Diag>* config_errors = nullptr);
    ~GenSession() override;
    GenSession(const GenSession&) = delete;
    GenSession& operator=(const GenSession&) = delete;

    // Frames per second per tx port for a rate as configured: % needs the link speed (an Error
    // names the port when it is unknown); bit/s counts frames with FCS at the mean size.
    Result<double> rate_pps(const config::RateSpec& rate, double mean_frame_size) const;
    // The link speed every tx port has, in bit/s; an Error when one is unknown or they differ.
    Result<double> tx_link_bps() const;

    // Runs one phase to its end (tx done, then drained). `tick` is called from this thread every
    // tick_s seconds (0: never) with live figures (every counter and histogram read); it may call
    // request_stop(). `stop_requested` is polled from this thread every few milliseconds and costs
    // no figures: when it returns true, tx ends as with request_stop().
    Result<PhaseStats> run_phase(const PhaseSpec& spec, double tick_s = 0,
                                 const std::function<void(const PhaseStats&)>& tick = {},
                                 const std::function<bool()>& stop_requested = {});
    // Ends the current phase's tx early (the drain still happens). Control thread only.
    void request_stop();

    // measure::TrialSession: a warm-up phase (when warmup_s > 0), then the measured phase.
    // Throws std::invalid_argument for a spec outside what the session can send.
    measure::TrialResult run_trial(const measure::TrialSpec& spec) override;

    // Stops ports, frees pools and EAL state; reports mbufs still in use (0 expected).
    struct Closed {
        nlohmann::json mempools;  // [{"name","socket","size","in_use_at_exit"}]
        bool clean = true;        // no pool leaked
    };
    Closed close();

    nlohmann::json ports_json() const;           // name, device, port_id, role, mac, link, hw

private:
    struct Impl;
    GenSession();
    std::unique_ptr<Impl> impl_;
};

// --- cp/report.cpp
// The stream's and the whole phase's JSON (the report contract's streams[] and totals), the
// final table and the live line.
nlohmann::json stream_json(const StreamStats& s, bool analyzed);
nlohmann::json phase_json(const PhaseStats& p);
// One line: rates over the interval since `prev` (since the start when null), what has not come
// back yet, latency so far.
// `rate_pps` (per tx port, 0: unpaced) adds a warning to a line whose interval sent less than
// 95% of it while sending (intervals of at least 1000 frames due).
std::string format_live(const PhaseStats& now, const PhaseStats* prev, double rate_pps = 0);
// The rate sent per tx port over the phase against `rate_pps` asked: when it is short by more
// than 1%, what was sent, the share, and the counters that say why (frames refused by a full tx
// ring, pacer credit forfeited while the lcore lagged); "" otherwise and when unpaced.
std::string rate_shortfall(const PhaseStats& p, double rate_pps);
std::string format_table(const PhaseStats& p);
measure::TrialResult trial_result(const PhaseStats& p);

}  // namespace vfpath::gen
