// Control: the jobs the CLI starts. `run` owns the whole life of a forwarding job on the main
// (control) thread: config -> plan -> EAL -> probe -> re-plan -> runtime -> live stats -> report.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace vfpath::control {

// Exit codes shared by every subcommand.
inline constexpr int k_exit_ok = 0;
inline constexpr int k_exit_runtime = 1;  // something failed at run time (EAL, device, pool)
inline constexpr int k_exit_usage = 2;    // bad CLI argument or config: nothing was started

struct RunOptions {
    std::optional<std::string> config_path;  // unset: the built-in default
    std::optional<double> duration_s;        // override run.duration_s
    std::optional<double> stats_interval_s;  // override run.stats_interval_s
    std::optional<std::string> log_level;    // override run.log_level
    std::string report_path;                 // empty: no JSON report
    std::vector<std::string> eal_args;       // after `--`
    std::string sys_root = "/sys";
};

// Returns the process exit code.
int run_job(const RunOptions& opt);

struct CheckOptions {
    std::optional<std::string> config_path;
    std::string sys_root = "/sys";
};
// Loads, validates and plans without starting EAL; prints the plan. Returns the exit code.
int check_job(const CheckOptions& opt);

}  // namespace vfpath::control
