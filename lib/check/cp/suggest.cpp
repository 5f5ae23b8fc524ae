// `check --suggest`: a placement where every port's queues are polled from its device's node,
// with lcores this process may use (a container's CPU set), isolated CPUs first. Pools follow
// the ports (one per socket that has ports), so placing lcores and ports places the pools.
#include <algorithm>
#include <map>
#include <set>

#include "check/api.h"

namespace vfpath::check {

namespace {

bool contains(const std::vector<unsigned>& v, unsigned x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

Suggestion suggest(const config::Config& cfg, const config::Plan& plan, const HostView& host,
                   const std::vector<PortView>& ports) {
    Suggestion s;
    // CPUs we may use: online and in this process's affinity.
    std::vector<unsigned> usable;
    for (const auto& c : host.cpus.cpus)
        if (!host.affinity || contains(*host.affinity, c.id)) usable.push_back(c.id);
    if (usable.empty()) usable = plan.eal_lcores;  // nothing known: keep what the config has
    // The main lcore and a worker need a CPU each. With one, the suggestion used to name it for
    // both ("lcores: 3,3"), which `check` then refused (found by fuzzing).
    if (usable.size() < 2) {
        s.error = "no placement to suggest: this process may use only CPU " +
                  topology::format_cpu_list(usable) +
                  ", and vfpath needs two (the main lcore and at least one worker)";
        return s;
    }
    const auto& iso = host.isolation;
    auto isolated = [&](unsigned c) {
        return contains(iso.isolated, c) || contains(iso.nohz_full, c);
    };
    auto node_of = [&](unsigned c) {
        const auto* f = host.cpus.find_cpu(c);
        return f ? f->node : 0;
    };
    // The main lcore runs the control thread: keep the configured one when allowed, else the
    // first usable CPU that is not isolated (isolated ones are worth more as workers).
    s.main_lcore = plan.main_lcore;
    if (!contains(usable, s.main_lcore)) {
        auto it =
            std::find_if(usable.begin(), usable.end(), [&](unsigned c) { return !isolated(c); });
        s.main_lcore = it != usable.end() ? *it : usable.front();
    }
    // Queues per device node; ports whose node is unknown go wherever there is room.
    std::map<int, unsigned> demand;
    std::vector<std::optional<int>> port_node(plan.ports.size());
    for (const auto& pp : plan.ports) {
        const PortView* v = pp.index < ports.size() ? &ports[pp.index] : nullptr;
        if (v && v->pci && v->locality.node)
            port_node[pp.index] = *v->locality.node;
        else if (cfg.ports[pp.index].socket)
            port_node[pp.index] = *cfg.ports[pp.index].socket;
        if (port_node[pp.index]) demand[*port_node[pp.index]] += pp.rx_queues;
    }
    // Pools follow their ports' nodes: say where that puts a pool on a node without free
    // hugepages (it could not be created there).
    if (cfg.eal.hugepages) {
        std::set<int> told;
        for (const auto& pp : plan.ports) {
            const auto n = port_node[pp.index];
            if (!n || told.count(*n)) continue;
            const auto node = std::find_if(host.nodes.begin(), host.nodes.end(),
                                           [&](const topology::NodeInfo& x) { return x.id == *n; });
            if (node == host.nodes.end()) continue;  // not read: nothing to say
            uint64_t free_kb = 0;
            for (const auto& h : node->hugepages) free_kb += uint64_t(h.free) * h.size_kb;
            if (free_kb > 0) continue;
            told.insert(*n);
            s.notes.push_back("the pool of port " + pp.name + " goes to node " +
                              std::to_string(*n) +
                              " (its device's node), which has no free hugepages: reserve "
                              "some there (" + host.root.sys().string() + "/devices/system/node/node" +
                              std::to_string(*n) +
                              "/hugepages/hugepages-2048kB/nr_hugepages) before running this");
        }
    }
    unsigned total_queues = 0;
    for (const auto& pp : plan.ports) total_queues += pp.rx_queues;
    // As many workers as the plan had (at least one per node with ports), no more than queues.
    const size_t budget = std::max<size_t>({plan.lcores.size(), demand.size(), size_t(1)});
    auto candidates = [&](std::optional<int> node) {
        std::vector<unsigned> c;
        for (unsigned cpu : usable)
            if (cpu != s.main_lcore && (!node || node_of(cpu) == *node)) c.push_back(cpu);
        std::stable_sort(c.begin(), c.end(),
                         [&](unsigned a, unsigned b) { return isolated(a) && !isolated(b); });
        return c;
    };
    std::map<int, std::vector<unsigned>> picked;  // node -> its worker lcores
    std::set<unsigned> used;
    size_t left = std::min<size_t>(budget, std::max(total_queues, 1u));
    for (const auto& [node, queues] : demand) {
        const auto c = candidates(node);
        if (c.empty()) {
            s.notes.push_back("node " + std::to_string(node) +
                              " has no CPU this process may use "
                              "(affinity " +
                              topology::format_cpu_list(usable) +
                              "): its ports "
                              "stay polled from another node");
            continue;
        }
        // A share of the budget in proportion to the node's queues, at least one.
        const size_t share = std::max<size_t>(1, budget * queues / std::max(total_queues, 1u));
        for (size_t i = 0; i < std::min({share, c.size(), size_t(queues)}) && left > 0; ++i) {
            picked[node].push_back(c[i]);
            used.insert(c[i]);
            --left;
        }
    }
    std::vector<unsigned> spare;  // for ports of unknown or CPU-less nodes
    for (const auto& [node, l] : picked) spare.insert(spare.end(), l.begin(), l.end());
    if (spare.empty()) {
        for (unsigned c : candidates(std::nullopt))
            if (spare.size() < budget) spare.push_back(c);
        if (spare.empty())
            spare.push_back(s.main_lcore == usable.front() && usable.size() > 1 ? usable[1]
                                                                                : usable.front());
    }
    std::map<unsigned, config::WorkerConfig> workers;
    std::map<unsigned, size_t> load;
    auto assign = [&](const std::vector<unsigned>& from, const config::PortPlan& pp, uint16_t q) {
        unsigned best = from.front();
        for (unsigned l : from)
            if (load[l] < load[best]) best = l;
        ++load[best];
        workers[best].lcore = best;
        workers[best].queues.push_back({pp.name, q, {}});
    };
    for (const auto& pp : plan.ports) {
        const auto n = port_node[pp.index];
        const auto it = n ? picked.find(*n) : picked.end();
        for (uint16_t q = 0; q < pp.rx_queues; ++q)
            assign(it != picked.end() ? it->second : spare, pp, q);
    }
    s.lcores.push_back(s.main_lcore);
    for (auto& [l, w] : workers) {
        s.lcores.push_back(l);
        s.workers.push_back(std::move(w));
    }
    std::sort(s.lcores.begin(), s.lcores.end());
    return s;
}

}  // namespace vfpath::check
