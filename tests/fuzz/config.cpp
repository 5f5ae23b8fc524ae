// Fuzz target: YAML text -> lib/config's loader (parse, decode, validate), then for an accepted
// config what `run` and `check` derive from it: the fault specs (lib/control/cp/faults.cpp, as
// `run` parses faults[]), the plan on a fixed 2-node host (unprobed and with typical device
// limits) and its printed form. Input: a config file's bytes.
#include <algorithm>
#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "config/api.h"
#include "config/plan.h"
#include "control/cp/faults.h"
#include "tests/fuzz/fuzz.h"

namespace vfpath::fuzz {

namespace {

using namespace config;

// 64 online CPUs, 0-31 on node 0 and 32-63 on node 1: enough for the lcore lists fuzzed
// configs name, and two nodes so the planner's locality choices run.
const HostFacts& host() {
    static const HostFacts h = [] {
        HostFacts f;
        for (unsigned id = 0; id < 64; ++id) f.cpus.push_back({id, id < 32 ? 0 : 1});
        return f;
    }();
    return h;
}

void check_diags(const std::vector<Diag>& diags, std::string_view file) {
    for (const Diag& d : diags) {
        FUZZ_CHECK(d.file == file, d.str());
        FUZZ_CHECK(!d.message.empty(), d.str());
        FUZZ_CHECK(d.loc.line >= 0 && d.loc.col >= 0, d.str());
        FUZZ_CHECK(d.str().rfind(file, 0) == 0, d.str());
    }
}

// What the planner promises `run` when it returns a plan.
void check_plan(const Config& c, const Plan& p) {
    FUZZ_CHECK(p.ports.size() == c.ports.size(), format_plan(p));
    const auto lcores = parse_cpu_list(c.eal.lcores);
    FUZZ_CHECK(lcores && *lcores == p.eal_lcores, c.eal.lcores);
    std::map<std::pair<uint16_t, uint16_t>, unsigned> poller;    // (port, rxq) -> lcore
    std::map<std::pair<uint16_t, uint16_t>, unsigned> tx_owner;  // (port, txq) -> lcore
    for (const LcorePlan& lp : p.lcores) {
        FUZZ_CHECK(lp.lcore != p.main_lcore, "the main lcore polls queues");
        FUZZ_CHECK(std::binary_search(p.eal_lcores.begin(), p.eal_lcores.end(), lp.lcore),
                   "worker lcore " + std::to_string(lp.lcore) + " is not an EAL lcore");
        for (const RxAssign& a : lp.rx) {
            FUZZ_CHECK(a.port < p.ports.size(), "rx port out of range");
            if (a.port >= p.ports.size()) continue;
            const PortPlan& port = p.ports[a.port];
            FUZZ_CHECK(a.queue < port.rx_queues, "rx queue out of range on " + port.name);
            FUZZ_CHECK(poller.emplace(std::pair(a.port, a.queue), lp.lcore).second,
                       port.name + ":" + std::to_string(a.queue) + " polled twice");
            FUZZ_CHECK(a.tx_port == port.peer, "frames of " + port.name + " not sent to its peer");
            if (a.tx_port == k_no_port) continue;
            FUZZ_CHECK(a.tx_port < p.ports.size(), "tx port out of range");
            if (a.tx_port >= p.ports.size()) continue;
            FUZZ_CHECK(a.tx_queue < p.ports[a.tx_port].tx_queues,
                       "tx queue " + std::to_string(a.tx_queue) + " out of range");
            const auto [it, added] = tx_owner.emplace(std::pair(a.tx_port, a.tx_queue), lp.lcore);
            FUZZ_CHECK(added || it->second == lp.lcore, "two lcores share a tx queue");
        }
    }
    for (const PortPlan& port : p.ports) {
        for (uint16_t q = 0; q < port.rx_queues; ++q)
            FUZZ_CHECK(poller.count({port.index, q}) == 1,
                       port.name + ":" + std::to_string(q) + " is polled by nobody");
        FUZZ_CHECK(port.pool < p.pools.size() && p.pools[port.pool].socket == port.socket,
                   "port " + port.name + " has no pool on its socket");
        FUZZ_CHECK(port.peer == k_no_port || port.peer < p.ports.size(), "peer out of range");
    }
    FUZZ_CHECK(!format_plan(p).empty(), "empty plan text");
}

void plan_with(const Config& c, const std::vector<PortFacts>& facts) {
    const PlanResult r = build_plan(c, host(), facts);
    FUZZ_CHECK(r.plan.has_value() == r.errors.empty(), "a plan and errors, or neither");
    check_diags(r.errors, c.file);
    check_diags(r.warnings, c.file);
    if (r.plan) check_plan(c, *r.plan);
}

}  // namespace

bool fuzz_config(const uint8_t* data, size_t size) {
    constexpr std::string_view file = "fuzz.yaml";
    const LoadResult r =
        load_string(std::string_view(reinterpret_cast<const char*>(data), size), file);
    FUZZ_CHECK(r.config.has_value() == r.errors.empty(), "a config and errors, or neither");
    check_diags(r.errors, file);
    if (!r.config) return false;
    const Config& c = *r.config;

    FUZZ_CHECK(!c.ports.empty(), "a config without ports was accepted");
    std::set<std::string> names;
    for (const PortConfig& p : c.ports) {
        FUZZ_CHECK(names.insert(p.name).second, "duplicate port name " + p.name);
        FUZZ_CHECK(!p.device.empty(), "port " + p.name + " without a device");
        FUZZ_CHECK(p.rx_queues >= 1, "port " + p.name + " without rx queues");
    }
    // The report and `check --json` write these strings: JSON holds UTF-8 only.
    nlohmann::json strings = {c.eal.file_prefix, c.eal.extra_args, c.recovery.journal,
                              c.run.log_level};
    for (const PortConfig& p : c.ports)
        strings.push_back({p.name, p.device, p.standby.value_or("")});
    for (const FaultText& f : c.faults) strings.push_back(f.text);
    for (const VfMailboxPolicyConfig& v : c.vf_policy) strings.push_back(v.pf);
    try {
        (void)strings.dump();
    } catch (const nlohmann::json::exception& e) {
        FUZZ_CHECK(false, std::string("a string of the config is not UTF-8: ") + e.what());
    }
    // `run` parses faults[] the same way as --fault; a bad spec is an error with a message.
    for (const FaultText& f : c.faults) {
        auto spec = control::parse_fault(f.text);
        if (spec) {
            FUZZ_CHECK(!spec->port.empty() && spec->at_s >= 0 && spec->every_s >= 0,
                       "fault " + f.text);
        } else {
            FUZZ_CHECK(!spec.error().empty(), "fault " + f.text + " refused without a message");
        }
    }

    // Before probe: only sockets known. After probe: limits like a typical VF's.
    plan_with(c, std::vector<PortFacts>(c.ports.size()));
    PortFacts vf;
    vf.probed = true;
    vf.socket = 1;
    vf.max_rx_queues = vf.max_tx_queues = 16;
    vf.rx_desc_min = vf.tx_desc_min = 64;
    vf.rx_desc_max = vf.tx_desc_max = 4096;
    vf.rx_desc_align = vf.tx_desc_align = 32;
    vf.min_mtu = 68;
    vf.max_mtu = 9710;
    plan_with(c, std::vector<PortFacts>(c.ports.size(), vf));
    return true;
}

}  // namespace vfpath::fuzz

VFPATH_FUZZ_ENTRY(fuzz_config)
