// RFC 2544 throughput search (section 26.1), with RFC 8219's latency figures: for each frame size,
// a binary search for the highest offered rate with zero loss (NDR) and for the highest with a loss
// ratio at most a limit (PDR), each confirmed by a verification trial, then latency at the NDR.
// Pure logic over a TrialRunner (lib/measure/trial.h): no DPDK, no clock, no I/O. Control thread.
//
// The search, per criterion (NDR: loss 0; PDR: loss ratio <= pdr_loss_ratio; both: every
// latency limit and the generator actually offering the rate, see judge()):
//   - every trial is an observation (rate, pass/fail). The ceiling is the lowest failing rate
//     (max_rate while none failed); the floor is the highest passing rate *below the ceiling*
//     (min_rate while none did). A failure anywhere lowers the ceiling, so a pass above a failure
//     (noise) never raises the result.
//   - the first trial is at max_rate; then each trial is at (floor + ceiling) / 2 until
//     ceiling - floor <= resolution.
//   - then the floor is verified: one trial of verify_trial_s at that rate. If it passes, that is
//     the result. If it fails, it is a failing observation like any other (the ceiling drops to
//     it), and from then on shorter trials are not trusted: the floor is the highest rate that
//     passed a verification-length trial (or min_rate), and the search goes on downward with
//     verification-length trials only, so the rate it converges on is verified by construction.
//   - when nothing passed, min_rate is tried once (if > 0); the result is 0 pps ("none").
//   - max_iterations bounds the trials of one criterion, verifications included. When it runs
//     out, the result is the floor as it stands, flagged converged/verified as it is.
// The PDR search starts from every NDR trial, judged again under the PDR criterion (an NDR pass is
// a PDR pass), so it costs only the trials above the NDR and PDR >= NDR.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "measure/trial.h"
#include "util/result.h"

namespace vfpath::measure::rfc2544 {

// A rate as the user writes it: absolute (pps) or relative to the line rate of the frame size.
enum class RateUnit : uint8_t { pps, percent };
struct RateSpec {
    double value = 0;
    RateUnit unit = RateUnit::pps;
    // pps for a frame size whose line rate is line_pps (percent needs line_pps > 0).
    double to_pps(double line_pps) const;
    std::string str() const;  // "0.5%", "10000pps"
};
// "0.5%", "10000pps", "250kpps", "1.5Mpps" (units case-insensitive). A bare number is refused:
// the unit is what tells 0.5% from 0.5 pps.
Result<RateSpec> parse_rate(std::string_view text);
// Link speed in bit/s: "10G", "25Gbps", "100000M", "1000Mbit/s", "1e10" (bit/s). At least 1 Mbit/s.
Result<double> parse_link_speed(std::string_view text);

// A latency criterion: the trial's latency_ns[key] (e.g. "p999") must be <= max_ns.
struct LatencyLimit {
    std::string key;
    double max_ns = 0;
};

struct Params {
    std::vector<uint32_t> frame_sizes{64, 128, 256, 512, 1024, 1280, 1518};
    double link_bps = 0;          // the tx link's speed; 0: unknown (then no % units)
    double trial_s = 10;          // each search trial
    double warmup_s = 1;          // traffic before each trial's counted part (RFC 2544 s. 23)
    double verify_trial_s = 60;   // the verification trial (RFC 2544 s. 24: at least 60 s)
    double latency_trial_s = 10;  // each latency trial (RFC 8219 s. 7.2 asks 120 s)
    unsigned latency_trials = 1;  // RFC 8219 asks 20; figures are the median over them
    RateSpec resolution{0.5, RateUnit::percent};
    RateSpec min_rate{0, RateUnit::pps};
    RateSpec max_rate{100, RateUnit::percent};
    unsigned max_iterations = 20;   // per criterion and frame size, verifications included
    double pdr_loss_ratio = 0.001;  // in [0, 1)
    std::vector<LatencyLimit> latency_limits;
    uint32_t flows = 1;
    double probe_share = 0.01;   // share of frames carrying a latency probe, in [0, 1]
    double tx_tolerance = 0.01;  // a trial that offered less than (1 - this) x rate fails
};

// Largest frame accepted: 9216 bytes, the jumbo limit common to the NICs vfpath targets.
inline constexpr uint32_t k_min_frame = 64, k_max_frame = 9216;

// Every problem with p, one message each, naming the option. With link_pending, checks that need
// the link speed (percent units, min/max per frame size) are skipped when link_bps is 0: the
// caller learns it from the device later and checks again.
std::vector<std::string> check_params(const Params& p, bool link_pending = false);

enum class Phase : uint8_t { ndr, pdr, latency };
enum class Kind : uint8_t { search, verify, latency };
std::string_view to_string(Phase p);
std::string_view to_string(Kind k);

// One trial as the log keeps it.
struct Trial {
    Phase phase = Phase::ndr;
    Kind kind = Kind::search;
    unsigned iteration = 0;    // 1-based within its phase and frame size
    double line_rate_pps = 0;  // 0: unknown
    TrialSpec spec{};
    TrialResult result{};
    double loss_ratio = 0;  // lost / sent (0 when nothing was sent)
    bool pass = false;
    bool short_tx = false;  // failed because the generator offered less than the rate
    std::string reason;     // why it failed ("" when it passed)
};

struct Verdict {
    bool pass = false;
    bool short_tx = false;
    double loss_ratio = 0;
    std::string reason;
};
// A trial against a criterion. Fails when nothing was sent, when tx_pps < rate x (1 - tol), when
// lost / sent > loss_limit (for NDR: lost > 0), and when a latency limit is exceeded or there are
// no latency samples to judge. Every failed check is named in reason ("; "-joined).
Verdict judge(const TrialSpec& spec, const TrialResult& r, double loss_limit,
              const std::vector<LatencyLimit>& limits, double tx_tolerance);

// An NDR or PDR outcome.
struct RateResult {
    double rate_pps = 0;    // 0: no rate >= min_rate passed
    double loss_ratio = 0;  // measured at rate_pps (its verification trial when verified)
    double loss_limit = 0;
    unsigned iterations = 0;            // trials this criterion ran (PDR: beyond the NDR's)
    bool verified = false;              // a verification trial passed at rate_pps
    bool converged = false;             // ceiling - floor <= resolution
    bool limited_by_generator = false;  // the ceiling is a trial the generator could not offer
};

struct LatencyResult {
    double rate_pps = 0;        // 0: not measured (no NDR)
    nlohmann::json latency_ns;  // the report's object; over several trials, the per-key median
    std::vector<nlohmann::json> per_trial;  // each trial's latency_ns
    std::optional<double> typical_ns;       // RFC 8219 Typical Latency: the median (p50)
    std::optional<double> worst_case_ns;    // RFC 8219 Worst Case Latency: the 99.9th percentile
};

struct SizeResult {
    uint32_t frame_size = 0;
    double line_rate_pps = 0;  // 0: link speed unknown
    double resolution_pps = 0, min_rate_pps = 0, max_rate_pps = 0;
    RateResult ndr, pdr;
    LatencyResult latency;
    std::vector<Trial> log;
};

using Progress = std::function<void(const Trial&)>;

// One frame size: NDR, PDR, latency. Throws std::invalid_argument (every message of
// check_params, one per line) for bad params; what the runner throws passes through.
SizeResult search_size(const Params& p, uint32_t frame_size, const TrialRunner& run,
                       const Progress& progress = {});
// Every frame size in order.
std::vector<SizeResult> search_all(const Params& p, const TrialRunner& run,
                                   const Progress& progress = {});

// Output (rfc2544_format.cpp).
// "64B ndr #3 search 7440476 pps (50.00%) sent .. received .. lost .. ratio .. pass".
std::string progress_line(const Trial& t);
// The final table, one row per frame size, and a legend for flags.
std::string format_table(const std::vector<SizeResult>& results);
nlohmann::json to_json(const Params& p);
nlohmann::json to_json(const SizeResult& r);
nlohmann::json to_json(const Trial& t);
// The whole --report document: {"bench":"rfc2544","params",...,"results":[...]}.
nlohmann::json report_json(const Params& p, const std::vector<SizeResult>& results);

}  // namespace vfpath::measure::rfc2544
