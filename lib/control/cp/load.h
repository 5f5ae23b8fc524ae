// Shared by the jobs: load a config (file or built-in), plan it against the host.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/plan.h"

namespace vfpath::control {

// Prints every diagnostic to stderr, one per line ("file:line:col: path: message").
void print_diags(const std::vector<config::Diag>& diags, const char* kind);

// --sys-root (tests): an empty value is the default; anything else must be a directory. False
// after printing the error.
bool sys_root_ok(const std::string& dir);

std::optional<config::Config> load_config(const std::optional<std::string>& path);

// Device facts knowable before EAL: the NUMA node of PCI ports from sysfs.
std::vector<config::PortFacts> pre_probe_facts(const config::Config& cfg,
                                               const std::string& sys_root);

}  // namespace vfpath::control
