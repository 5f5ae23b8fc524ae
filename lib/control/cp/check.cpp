#include <cstdio>

#include "control/api.h"
#include "control/cp/load.h"
#include "topology/api.h"

namespace vfpath::control {

int check_job(const CheckOptions& opt) {
    auto cfg = load_config(opt.config_path);
    if (!cfg) return k_exit_usage;
    const auto host = topology::read_host(opt.sys_root);
    const auto facts = pre_probe_facts(*cfg, opt.sys_root);
    auto r = config::build_plan(*cfg, host, facts);
    print_diags(r.warnings, "warning");
    if (!r.plan) {
        print_diags(r.errors, "error");
        return k_exit_usage;
    }
    std::printf("%s: valid\n%s", cfg->file.c_str(), config::format_plan(*r.plan).c_str());
    return k_exit_ok;
}

}  // namespace vfpath::control
