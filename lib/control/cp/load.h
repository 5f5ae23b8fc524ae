// Shared by the jobs: load a config (file or built-in), plan it against the host.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/plan.h"

namespace vfpath::control {

// Prints every diagnostic to stderr, one per line ("file:line:col: path: message").
void print_diags(const std::vector<config::Diag>& diags, const char* kind);

std::optional<config::Config> load_config(const std::optional<std::string>& path);
// load_config, then the CLI's --stats-interval and --log-level (checked, and applied to vfpath's
// loggers). Errors are printed; nullopt means exit code 2.
std::optional<config::Config> load_job_config(const std::optional<std::string>& path,
                                              std::optional<double> stats_interval_s,
                                              const std::optional<std::string>& log_level);

// Device facts knowable before EAL: the NUMA node of PCI ports from sysfs.
std::vector<config::PortFacts> pre_probe_facts(const config::Config& cfg,
                                               const std::string& sys_root);

}  // namespace vfpath::control
