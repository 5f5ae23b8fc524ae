// RFC 9971 MLRsearch (Multiple Loss Ratio Search): several Search Goals (e.g. NDR at 0 loss, PDR at
// 0.5%) found in one search, with several short trials per Trial Load, an exceed ratio that
// tolerates some high-loss trials, and results reported as relevant bounds plus a Conditional
// Throughput. Pure logic over a TrialRunner (lib/measure/trial.h): no DPDK, no I/O. Control thread.
//
// The RFC's normative parts, implemented as its appendices give them:
//   - Load Classification (Appendix A): load_stats() sums the Trial Effective Durations of the
//     full-length/short, high-loss/low-loss trials at one load and classifies the load for a goal
//     as an Upper Bound (even if every missing trial up to the Goal Duration Sum were low-loss,
//     the high-loss share would exceed the Goal Exceed Ratio: the "optimistic" exceed ratio is
//     above it), a Lower Bound (even if every missing trial were high-loss it would not: the
//     "pessimistic" exceed ratio is at most the Goal Exceed Ratio) or Undecided.
//   - Relevant Upper Bound: the smallest load classified Upper Bound. Relevant Lower Bound: the
//     largest Lower Bound below it. A Lower Bound above the Relevant Upper Bound (more loss at a
//     lower load: inconsistent results, "loss inversion") is reported but never used.
//   - Conditional Throughput (Appendix B): from the full-length trials at the Relevant Lower Bound
//     sorted by loss ratio, the loss ratio at the (1 - exceed ratio) quantile of the duration sum;
//     Conditional Throughput = load x (1 - that loss ratio).
// The load selection (which load and trial duration next) is this implementation's own (the RFC
// leaves it free); it is described in docs/mlrsearch.md and search_size() below.
//
// Loss accounting: a trial's loss ratio is lost / sent, frames the generator sent and the path did
// not deliver. Frames the generator failed to send (it offered less than the Trial Load) are
// counted apart, as the trial's generator shortfall, and never as loss. A trial whose offered load
// is more than tx_tolerance below the Trial Load does not measure that load: it is kept in the log
// but not classified, and the load is tried again; when the generator fails a load three times,
// loads from there up are out of reach and every goal's result says so (generator_limit_pps).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "measure/cp/rfc2544.h"
#include "measure/trial.h"
#include "util/result.h"

namespace vfpath::measure::mlrsearch {

using rfc2544::RateSpec;
using rfc2544::RateUnit;

// A Search Goal (RFC 9971 section 4.5). Width is relative: a Regular Goal Result needs
// (relevant upper - relevant lower) <= width x relevant upper.
struct Goal {
    std::string name;
    double loss_ratio = 0;       // Goal Loss Ratio, in [0, 1)
    double exceed_ratio = 0.5;   // Goal Exceed Ratio, in [0, 1)
    double initial_trial_s = 1;  // Goal Initial Trial Duration, > 0, <= final_trial_s
    double final_trial_s = 1;    // Goal Final Trial Duration, > 0
    double duration_sum_s = 21;  // Goal Duration Sum, > 0
    double width = 0.005;        // Goal Width (relative), in (0, 1)
};
// FD.io CSIT's published settings: NDR (loss 0) and PDR (loss 0.5%), 1 s trials, 21 s duration
// sum, exceed ratio 0.5, width 0.5%.
std::vector<Goal> default_goals();

// "ndr" / "pdr" (a default goal), or "name=x,loss=0.005,exceed=0.5,initial=1,final=1,sum=21,
// width=0.005" (keys in any order; those not given keep the defaults of a zero-loss goal).
// loss and width also take a percent: "loss=0.5%".
Result<Goal> parse_goal(std::string_view text);

// RFC 9971 section 4.10.2: loss 0 and exceed 0 make a goal conditionally compliant with RFC 2544
// section 24; with a final trial duration of at least 60 s, unconditionally.
enum class Compliance : uint8_t { none, conditional, unconditional };
Compliance rfc2544_compliance(const Goal& g);
std::string_view to_string(Compliance c);
// One sentence: why the goal is (or is not) compliant.
std::string compliance_reason(const Goal& g);

struct Params {
    std::vector<uint32_t> frame_sizes{64, 128, 256, 512, 1024, 1280, 1518};
    double link_bps = 0;  // the tx link's speed; 0: unknown (then no % units)
    std::vector<Goal> goals = default_goals();
    RateSpec min_rate{0, RateUnit::pps};        // Min Load; 0: max_rate / 1000
    RateSpec max_rate{100, RateUnit::percent};  // Max Load, the first trial
    double warmup_s = 0;  // traffic before each trial's counted part, not counted
    uint32_t flows = 1;
    double probe_share = 0.01;
    double tx_tolerance = 0.01;  // the generator offering less than (1 - this) x load: shortfall
    unsigned tx_ports = 1;       // tx ports: the Trial Load is per port, frames are over all
    unsigned max_trials = 1000;  // per frame size: a safety stop (results then irregular)
};

// Every problem with p, one message each, naming the CLI option (as rfc2544::check_params).
std::vector<std::string> check_params(const Params& p, bool link_pending = false);

// --- Load Classification and Conditional Throughput (the RFC's appendices)

// One trial as the classification sees it.
struct TrialOutcome {
    double duration_s = 0;            // Trial Duration
    double effective_duration_s = 0;  // Trial Effective Duration (= duration here)
    double loss_ratio = 0;            // Trial Loss Ratio
};

enum class Bound : uint8_t { undecided, lower, upper };
std::string_view to_string(Bound b);  // "undecided", "lower_bound", "upper_bound"

// The RFC's Load Classification Logic, every intermediate value kept for the report.
struct LoadStats {
    double full_length_low_loss_s = 0, full_length_high_loss_s = 0;
    double short_low_loss_s = 0, short_high_loss_s = 0;
    double effective_high_loss_s = 0, effective_full_length_s = 0, effective_whole_s = 0;
    double missing_s = 0;
    double optimistic_exceed_ratio = 0, pessimistic_exceed_ratio = 0;
    Bound bound = Bound::undecided;
};
// The trials at one load against goal parameters (loss ratio, exceed ratio, final trial duration,
// duration sum; initial duration and width play no part).
LoadStats load_stats(const std::vector<TrialOutcome>& trials, const Goal& g);
// Appendix B: the load x (1 - the quantile loss ratio of the full-length trials). With no
// full-length trial the quantile loss ratio is 1 (throughput 0), as the RFC's code gives.
double conditional_throughput(double load_pps, const std::vector<TrialOutcome>& trials,
                              const Goal& g);

// --- The search

struct Trial {
    unsigned index = 0;  // 1-based within the frame size
    std::string goal;    // the goal whose need chose this trial
    unsigned stage = 0;  // that goal's stage (0-based; the last is its final stage)
    bool final_stage = false;
    double line_rate_pps = 0;
    TrialSpec spec{};  // rate_pps is the Trial Load, seconds the Trial Duration
    TrialResult result{};
    uint64_t intended_frames = 0;    // load x duration x tx ports
    uint64_t shortfall_frames = 0;   // intended - sent (0 when the generator sent them all)
    double offered_pps = 0;          // per tx port: sent / (duration x tx ports)
    bool generator_short = false;    // offered < (1 - tx_tolerance) x load: not classified
    double loss_ratio = 0;           // Trial Loss Ratio: lost / sent
    double forwarding_rate_pps = 0;  // Trial Forwarding Rate: load x (1 - loss ratio)
    double end_s = 0;                // seconds since the frame size's search began (with a clock)
    // After this trial, this load's class for each goal's final parameters (goal order).
    std::vector<Bound> classes;
};

struct GoalResult {
    Goal goal;
    std::optional<double> relevant_lower_pps, relevant_upper_pps;
    // At the relevant lower bound; for an irregular result whose upper bound does not exist
    // (Max Load or the generator's limit is a Lower Bound), at that effective lower bound.
    std::optional<double> conditional_throughput_pps;
    bool regular = false;
    std::string irregular;               // why not regular ("" when regular)
    LoadStats lower_stats, upper_stats;  // at the two bounds (when they exist)
    unsigned trials_at_lower = 0, trials_at_upper = 0;
    // Lower Bounds above the relevant upper bound: inconsistent results, not used.
    std::vector<double> inverted_lower_bounds_pps;
    double generator_limit_pps = 0;  // lowest load the generator could not offer; 0: none
};

struct SizeResult {
    uint32_t frame_size = 0;
    double line_rate_pps = 0;
    double min_load_pps = 0, max_load_pps = 0;
    std::vector<GoalResult> goals;
    std::vector<Trial> trials;
    double trial_time_s = 0;  // sum of (warm-up + duration) over the trials
    double search_s = 0;      // wall-clock seconds (with a clock; else trial_time_s)
    bool trial_limit_hit = false;
};

using Progress = std::function<void(const Trial&, const SizeResult&)>;
using Clock = std::function<double()>;  // seconds, monotonic

// One frame size: trials until every goal has a result. Throws std::invalid_argument (every
// message of check_params, one per line) for bad params; what the runner throws passes through.
SizeResult search_size(const Params& p, uint32_t frame_size, const TrialRunner& run,
                       const Progress& progress = {}, const Clock& clock = {});

// --- Output (mlrsearch_format.cpp)
// "mlrsearch 64B #7 ndr final 4115 pps (27.65%) 1 s: sent .. received .. lost .. loss ratio ..
//  -> ndr lower_bound, pdr lower_bound".
std::string progress_line(const Trial& t, const std::vector<Goal>& goals);
// One row per frame size and goal, with a legend for flags.
std::string format_table(const std::vector<SizeResult>& results);
nlohmann::json to_json(const Goal& g);
nlohmann::json to_json(const Params& p);
nlohmann::json to_json(const Trial& t, const std::vector<Goal>& goals);
nlohmann::json to_json(const SizeResult& r);
// The whole --report document: {"bench":"mlrsearch","params",...,"results":[...]}.
nlohmann::json report_json(const Params& p, const std::vector<SizeResult>& results);

}  // namespace vfpath::measure::mlrsearch
