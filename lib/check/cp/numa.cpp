// NUMA alignment of a plan: device node vs lcore nodes vs pool node, hugepages on the pool's
// node, lcores online / allowed / isolated.
#include <algorithm>
#include <map>
#include <set>

#include "check/api.h"

namespace vfpath::check {

namespace {

std::string node_cpus(const HostView& h, int node) {
    for (const auto& n : h.nodes)
        if (n.id == node) return topology::format_cpu_list(n.cpus);
    return "?";
}

const topology::NodeInfo* find_node(const HostView& h, int node) {
    for (const auto& n : h.nodes)
        if (n.id == node) return &n;
    return nullptr;
}

bool same_package(const HostView& h, int a, int b) {
    const auto *na = find_node(h, a), *nb = find_node(h, b);
    return na && nb && na->package && nb->package && *na->package == *nb->package;
}

bool allowed(const HostView& h, unsigned cpu) {
    if (!h.affinity) return true;
    return std::binary_search(h.affinity->begin(), h.affinity->end(), cpu);
}

// A CPU of `node` this process may use, other than the main lcore: misplacement is then a choice,
// not a fact of the machine.
bool node_has_usable_cpu(const HostView& h, int node, unsigned main_lcore) {
    for (const auto& c : h.cpus.cpus)
        if (c.node == node && c.id != main_lcore && allowed(h, c.id)) return true;
    return false;
}

std::string list(const std::vector<unsigned>& v) {
    return topology::format_cpu_list(v);
}

// "lcore 3 is" / "lcores 3-4 are"
std::string lcores_are(const std::vector<unsigned>& v) {
    return v.size() == 1 ? "lcore " + list(v) + " is" : "lcores " + list(v) + " are";
}

struct Ctx {
    const config::Config& cfg;
    const HostView& host;
    NumaReport& out;
    bool strict() const { return cfg.numa == config::Config::Numa::strict; }
    void add(Severity s, std::string port, std::string check, std::string msg) {
        out.findings.push_back({s, std::move(port), std::move(check), std::move(msg)});
    }
    // A misplacement: an error when it could be avoided or under `numa: strict`.
    Severity misplaced(bool avoidable) const {
        return strict() || avoidable ? Severity::error : Severity::warning;
    }
};

void check_port(Ctx& c, const config::Plan& plan, const config::PortPlan& pp, const PortView& v,
                NumaRow& row) {
    const config::PortConfig& pc = c.cfg.ports[pp.index];
    if (v.pci) {
        row.device_node = v.locality.node;
        if (v.locality.minus_one)
            c.add(
                Severity::warning, pp.name, "numa.unknown",
                pp.name + " (" + pc.device +
                    "): numa_node is -1, the platform reports no "
                    "locality for it (usual in VMs, or with NUMA off in the firmware); its pool is "
                    "placed on node " +
                    std::to_string(pp.socket) +
                    " and the placement cannot be "
                    "verified. Set `socket:` on the port if you know its node");
        else if (!v.locality.problem.empty())
            c.add(Severity::warning, pp.name, "numa.unknown", pp.name + ": " + v.locality.problem);
    } else if (pc.socket) {
        row.device_node = *pc.socket;
    }
    row.pool = plan.pools[pp.pool].name;
    const int pool_node = plan.pools[pp.pool].socket;
    if (!row.device_node) return;
    const int dev = *row.device_node;
    // Which lcores poll this port, and its queues per lcore.
    std::map<unsigned, std::vector<unsigned>> queues;
    for (const auto& lp : plan.lcores)
        for (const auto& a : lp.rx)
            if (a.port == pp.index) queues[lp.lcore].push_back(a.queue);
    for (const auto& [lcore, qs] : queues) {
        const config::CpuFacts* cpu = c.host.cpus.find_cpu(lcore);
        if (!cpu || cpu->node == dev) continue;
        const bool avoidable = node_has_usable_cpu(c.host, dev, plan.main_lcore);
        std::string msg = "lcore " + std::to_string(lcore) + " (node " + std::to_string(cpu->node) +
                          ") polls rx queue" + (qs.size() > 1 ? "s " : " ") + list(qs) + " of " +
                          pp.name + ", whose device " + pc.device + " is on node " +
                          std::to_string(dev);
        if (same_package(c.host, cpu->node, dev))
            msg +=
                ": same socket, another NUMA node (AMD NPS / Intel SNC): every packet and "
                "descriptor crosses the socket's internal fabric, with higher latency";
        else
            msg +=
                ": every packet and descriptor crosses the inter-socket link (cross-socket "
                "DMA), and the device's interrupts and PCIe completions land on a remote node";
        msg += avoidable ? ". Poll it from node " + std::to_string(dev) + " (CPUs " +
                               node_cpus(c.host, dev) + "); vfpath check --suggest prints a fix"
                         : ". No CPU of node " + std::to_string(dev) +
                               " is available to this process, so this cannot be avoided here";
        const Severity s = same_package(c.host, cpu->node, dev) && !c.strict()
                               ? Severity::warning
                               : c.misplaced(avoidable);
        c.add(s, pp.name, "numa.lcore", msg);
    }
    if (pool_node != dev)
        c.add(c.misplaced(true), pp.name, "numa.pool",
              "mempool " + row.pool + " serving " + pp.name + " is on node " +
                  std::to_string(pool_node) + ", its device " + pc.device + " on node " +
                  std::to_string(dev) +
                  ": the NIC DMAs every packet into remote memory "
                  "(cross-socket DMA). Drop `socket:` from the port or set it to " +
                  std::to_string(dev));
}

void check_hugepages(Ctx& c, const config::Plan& plan, std::vector<NumaRow>& rows) {
    for (const auto& pool : plan.pools) {
        const auto* node = find_node(c.host, pool.socket);
        long free_kb = -1;
        if (node) {
            free_kb = 0;
            for (const auto& hp : node->hugepages) free_kb += hp.free * long(hp.size_kb);
        }
        for (auto& r : rows)
            if (r.pool == pool.name) r.free_hugepages_kb = free_kb;
        if (!c.cfg.eal.hugepages || !node) continue;
        const unsigned long bytes =
            static_cast<unsigned long>(pool.size) * (pool.data_room + config::k_mbuf_overhead);
        const unsigned long need_kb = (bytes + 1023) / 1024;
        if (static_cast<unsigned long>(free_kb) >= need_kb) continue;
        c.add(Severity::error, "", "numa.hugepages",
              "mempool " + pool.name + " needs about " + std::to_string(need_kb / 1024 + 1) +
                  " MiB of hugepages on node " + std::to_string(pool.socket) + ", which has " +
                  std::to_string(free_kb / 1024) +
                  " MiB free: creating it fails (DPDK does not "
                  "take socket memory from another node for it). Reserve more: echo N > " +
                  (c.host.root.sys() / ("devices/system/node/node" + std::to_string(pool.socket)) /
                   "hugepages/hugepages-2048kB/nr_hugepages")
                      .string());
    }
    if (!c.cfg.eal.hugepages)
        c.add(Severity::info, "", "numa.hugepages",
              "eal.hugepages is false: pools live in ordinary pages (--no-huge) on whatever node "
              "the kernel picks; fine for tests, not for performance");
}

void check_lcores(Ctx& c, const config::Plan& plan) {
    std::vector<unsigned> offline, outside, workers;
    for (unsigned l : plan.eal_lcores) {
        if (!c.host.cpus.cpus.empty() && !c.host.cpus.find_cpu(l)) offline.push_back(l);
        if (!allowed(c.host, l)) outside.push_back(l);
    }
    for (const auto& lp : plan.lcores) workers.push_back(lp.lcore);
    std::vector<unsigned> online;
    for (const auto& cpu : c.host.cpus.cpus) online.push_back(cpu.id);
    if (!offline.empty())
        c.add(Severity::error, "", "cpu.offline",
              lcores_are(offline) + " not online (online CPUs: " + list(online) + ", " +
                  (c.host.root.sys() / "devices/system/cpu/online").string() + ")");
    if (!outside.empty())
        // A warning, not an error: a taskset mask can be widened again by the lcore threads,
        // a container's cgroup cpuset cannot, and the two look the same from here.
        c.add(Severity::warning, "", "cpu.affinity",
              lcores_are(outside) + " outside this process's CPU affinity (" +
                  list(*c.host.affinity) + ", Cpus_allowed_list in " +
                  (c.host.root.proc() / "self/status").string() +
                  "): in a container (cgroup cpuset) DPDK cannot pin an lcore thread there. Use "
                  "the CPUs the CPU manager gave it; vfpath check --suggest picks them");
    const auto& iso = c.host.isolation;
    if (iso.isolated.empty() && iso.nohz_full.empty()) {
        c.add(Severity::info, "", "cpu.isolation",
              "no CPU is isolated (isolcpus/nohz_full): the scheduler may run other tasks on "
              "worker lcores " +
                  list(workers) + " and cause latency spikes");
        return;
    }
    std::vector<unsigned> exposed;
    for (unsigned l : workers)
        if (!std::binary_search(iso.isolated.begin(), iso.isolated.end(), l) &&
            !std::binary_search(iso.nohz_full.begin(), iso.nohz_full.end(), l))
            exposed.push_back(l);
    if (!exposed.empty())
        c.add(Severity::warning, "", "cpu.isolation",
              "worker " + lcores_are(exposed) + " neither in isolcpus (" + list(iso.isolated) +
                  ") nor in nohz_full (" + list(iso.nohz_full) + "), from " + iso.source +
                  ": other tasks and the scheduler tick can preempt them");
}

}  // namespace

NumaReport check_numa(const config::Config& cfg, const config::Plan& plan, const HostView& host,
                      const std::vector<PortView>& ports) {
    NumaReport out;
    Ctx c{cfg, host, out};
    for (const auto& pp : plan.ports) {
        NumaRow row;
        row.port = pp.name;
        row.device = pp.device;
        row.plan_socket = pp.socket;
        for (const auto& lp : plan.lcores)
            for (const auto& a : lp.rx)
                if (a.port == pp.index &&
                    std::find_if(row.lcores.begin(), row.lcores.end(), [&](const auto& x) {
                        return x.first == lp.lcore;
                    }) == row.lcores.end())
                    row.lcores.push_back({lp.lcore, lp.socket});
        static const PortView k_vdev;
        check_port(c, plan, pp, pp.index < ports.size() ? ports[pp.index] : k_vdev, row);
        out.rows.push_back(std::move(row));
    }
    // Frames forwarded between ports on different nodes cross once, whatever the placement.
    for (const auto& r : out.rows) {
        const auto& pp = plan.ports[&r - out.rows.data()];
        if (pp.peer == config::k_no_port || pp.peer <= pp.index) continue;
        const auto& peer = out.rows[pp.peer];
        if (r.device_node && peer.device_node && *r.device_node != *peer.device_node)
            c.add(Severity::info, r.port, "numa.forward",
                  r.port + " (node " + std::to_string(*r.device_node) + ") and its peer " +
                      peer.port + " (node " + std::to_string(*peer.device_node) +
                      ") are on different nodes: forwarded frames cross sockets once, whatever "
                      "the placement");
    }
    check_hugepages(c, plan, out.rows);
    check_lcores(c, plan);
    return out;
}

}  // namespace vfpath::check
