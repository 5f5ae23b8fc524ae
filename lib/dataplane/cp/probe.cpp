// After probe: map config ports to DPDK port ids and re-check the plan against the devices.
#include "dataplane/api.h"

namespace vfpath::dataplane {

Probed probe_and_plan(const config::Config& cfg, const config::HostFacts& host) {
    Probed out;
    std::vector<config::PortFacts> facts;
    for (size_t i = 0; i < cfg.ports.size(); ++i) {
        const config::PortConfig& pc = cfg.ports[i];
        const std::string path = "ports[" + std::to_string(i) + "].device";
        auto id = glue::find_port(pc);
        if (!id) {
            out.plan.errors.push_back({cfg.file, pc.device_loc, path, id.error()});
            continue;
        }
        auto f = glue::port_facts(*id);
        if (!f) {
            out.plan.errors.push_back({cfg.file, pc.device_loc, path, f.error()});
            continue;
        }
        out.port_ids.push_back(*id);
        facts.push_back(*f);
    }
    if (!out.plan.errors.empty()) return out;
    out.plan = config::build_plan(cfg, host, facts);
    return out;
}

}  // namespace vfpath::dataplane
