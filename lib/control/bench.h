// `vfpath bench rfc2544`: the RFC 2544 throughput/latency search (lib/measure/cp/rfc2544.h) driven
// from the command line, against a trial backend (the traffic generator). Main thread.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "config/api.h"
#include "measure/trial.h"
#include "util/result.h"

namespace vfpath::control {

// What runs the trials: the generator on the config's ports. The runner owns whatever it needs
// (EAL, ports, lcores) through what it captures; destroying the backend releases it.
struct TrialBackend {
    measure::TrialRunner run;
    double link_bps = 0;  // speed of the link the trials are sent on; 0: unknown
};
using BackendFactory = std::function<Result<TrialBackend>(
    const config::Config& cfg, const std::vector<std::string>& eal_args)>;

// Command-line values, as typed (rates and speeds are parsed and checked by the job, so that
// every error names its option). Defaults are docs/bench.md's.
struct BenchOptions {
    std::optional<std::string> config_path;  // unset: the built-in default
    std::vector<uint32_t> sizes{64, 128, 256, 512, 1024, 1280, 1518};
    double trial_s = 10;
    double warmup_s = 1;
    double verify_trial_s = 60;
    double latency_trial_s = 10;
    unsigned latency_trials = 1;
    std::string resolution = "0.5%";
    std::string min_rate = "0pps";
    std::string max_rate = "100%";
    unsigned max_iter = 20;
    double pdr_loss = 0.001;
    std::optional<double> latency_p999_max_us;
    std::optional<std::string> link_speed;  // unset: as the backend reports it
    uint32_t flows = 1;
    double probe_share = 0.01;
    double tx_tolerance = 0.01;
    std::string report_path;            // empty: no JSON report
    std::vector<std::string> eal_args;  // after `--`
};

// Exit 0 when every frame size was searched, 1 when the backend could not start or a trial
// failed to run (the report then holds what was measured and "error"), 2 for a bad argument or
// config (nothing started). Progress and the table go to `out`, errors to `err`.
// The backend's own checks of the config (the generator's: a gen: section naming its ports),
// run before it starts: any diag is a config error (exit 2).
using Preflight = std::function<std::vector<config::Diag>(const config::Config&)>;
int bench_rfc2544_job(const BenchOptions& opt, const BackendFactory& make_backend,
                      std::ostream& out, std::ostream& err, const Preflight& preflight = {});
// The CLI's entry point: the generator backend (make_gen_runner), stdout and stderr.
int bench_rfc2544_job(const BenchOptions& opt);

// `vfpath bench mlrsearch`: RFC 9971 MLRsearch (lib/measure/cp/mlrsearch.h). Search goals come
// from --goal (repeatable) and --goals FILE (YAML); none given: NDR and PDR with FD.io's settings.
struct MlrOptions {
    std::optional<std::string> config_path;
    std::vector<uint32_t> sizes{64, 128, 256, 512, 1024, 1280, 1518};
    std::vector<std::string> goals;          // --goal texts (mlrsearch::parse_goal)
    std::optional<std::string> goals_file;   // --goals YAML file
    double warmup_s = 0;
    std::string min_rate = "0pps";  // 0: max rate / 1000
    std::string max_rate = "100%";
    std::optional<std::string> link_speed;
    uint32_t flows = 1;
    double probe_share = 0.01;
    double tx_tolerance = 0.01;
    unsigned max_trials = 1000;
    std::string report_path;
    std::vector<std::string> eal_args;
};
// Exit codes, streams and preflight as bench_rfc2544_job.
int bench_mlrsearch_job(const MlrOptions& opt, const BackendFactory& make_backend,
                        std::ostream& out, std::ostream& err, const Preflight& preflight = {});
int bench_mlrsearch_job(const MlrOptions& opt);

}  // namespace vfpath::control
