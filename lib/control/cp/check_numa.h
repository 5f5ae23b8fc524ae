// Shared by check.cpp and run.cpp: the NUMA gate at the start of `run`, and small helpers of the
// check job.
#pragma once

#include <memory>
#include <string>

#include "config/plan.h"
#include "sriov/api.h"
#include "util/result.h"

namespace vfpath::control {

// Judges the plan's NUMA alignment before `run` starts EAL and prints what it finds to stderr.
// False when the config says `numa: strict` and something is misplaced: `run` must not start.
bool numa_gate(const config::Config& cfg, const config::Plan& plan, const std::string& sys_root);

// The config file's text (for --suggest, which rewrites it).
Result<std::string> read_config_text(const std::string& path);

// rtnetlink on the live root; on a fixture tree (--root other than /) a source that says why
// it was not asked, since rtnetlink would answer for this kernel, not for the tree.
std::unique_ptr<sriov::VfAttrSource> vf_attr_source(const topology::HostRoot& root);

}  // namespace vfpath::control
