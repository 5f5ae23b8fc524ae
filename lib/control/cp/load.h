// Shared by the jobs: load a config (file or built-in), plan it against the host.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/plan.h"
#include "report/api.h"

namespace vfpath::control {

// The DPDK vfpath was built against and the one it runs on, for reports and /metrics.
report::DpdkVersions dpdk_versions();

// Prints every diagnostic to stderr, one per line ("file:line:col: path: message").
void print_diags(const std::vector<config::Diag>& diags, const char* kind);

// --sys-root (tests): an empty value is the default; anything else must be a directory. False
// after printing the error.
bool sys_root_ok(const std::string& dir);

std::optional<config::Config> load_config(const std::optional<std::string>& path);
// load_config, then the CLI's --stats-interval and --log-level (checked, and applied to vfpath's
// loggers). Errors are printed; nullopt means exit code 2.
std::optional<config::Config> load_job_config(const std::optional<std::string>& path,
                                              std::optional<double> stats_interval_s,
                                              const std::optional<std::string>& log_level);

// A --report FILE that cannot be written is found out before the job, not after it: false (and
// an error on stderr naming the file) when FILE cannot be created. An empty path is fine.
bool check_report_path(const std::string& path);
// A file a job will write (report, journal, stats) is checked now, so a bad path is a usage error
// before EAL starts, not a failure after the run: an existing path must be a regular file (never
// a device node, directory or FIFO), and its directory must be writable (tried with FILE.tmp,
// which is removed again).
// `flag` names the option in the error.
bool check_writable(const std::string& path, const char* flag);

// Device facts knowable before EAL: the NUMA node of PCI ports from sysfs.
std::vector<config::PortFacts> pre_probe_facts(const config::Config& cfg,
                                               const std::string& sys_root);

}  // namespace vfpath::control
