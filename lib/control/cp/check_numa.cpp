#include "control/cp/check_numa.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "check/api.h"

namespace vfpath::control {

namespace {

class NotLive final : public sriov::VfAttrSource {
public:
    Result<std::vector<sriov::VfAttrs>> vfs(std::string_view) override {
        return fail(
            "rtnetlink is not asked with --root other than / (it would answer for this "
            "kernel, not for the tree)");
    }
};

}  // namespace

bool numa_gate(const config::Config& cfg, const config::Plan& plan, const std::string& sys_root) {
    const topology::HostRoot root{"/", sys_root};
    const auto view = check::read_host_view(root);
    const auto report = check::check_numa(cfg, plan, view, check::read_port_views(root, cfg));
    const bool strict = cfg.numa == config::Config::Numa::strict;
    bool refuse = false;
    for (const auto& f : report.findings) {
        if (f.severity == check::Severity::info) continue;
        const bool blocking = strict && f.severity == check::Severity::error;
        refuse |= blocking;
        std::fprintf(stderr, "%s: numa: %s\n", blocking ? "error" : "warning", f.message.c_str());
    }
    if (refuse)
        std::fprintf(stderr,
                     "error: %s: numa: strict, so nothing was started (numa: warn starts "
                     "anyway; vfpath check -c %s --suggest prints a local placement)\n",
                     cfg.file.c_str(), cfg.file.c_str());
    return !refuse;
}

Result<std::string> read_config_text(const std::string& path) {
    std::ifstream in(path);
    if (!in) return fail("cannot read " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::unique_ptr<sriov::VfAttrSource> vf_attr_source(const topology::HostRoot& root) {
    if (root.live() && root.sys_dir.empty()) return std::make_unique<sriov::RtnlSource>();
    return std::make_unique<NotLive>();
}

}  // namespace vfpath::control
