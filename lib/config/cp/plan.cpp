// The planner: resolves who polls what, which tx queue each lcore owns, and how large each
// per-socket mempool must be. Pure function of (config, host facts, device facts).
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "config/plan.h"
#include "config/cp/load_internal.h"

namespace vfpath::config {

namespace {

// A mempool cache may hold up to 1.5x its size before flushing (rte_mempool.h,
// CALC_CACHE_FLUSHTHRESH), so that is what each lcore can keep away from the other lcores.
unsigned cache_hold(unsigned cache_size) { return cache_size + (cache_size + 1) / 2; }

struct Ctx {
    const Config& cfg;
    PlanResult& out;
    void error(Loc loc, std::string path, std::string msg) {
        out.errors.push_back({cfg.file, loc, std::move(path), std::move(msg)});
    }
    void warn(Loc loc, std::string path, std::string msg) {
        out.warnings.push_back({cfg.file, loc, std::move(path), std::move(msg)});
    }
};

std::string port_path(size_t i) { return "ports[" + std::to_string(i) + "]"; }

// The largest frame a port takes: MTU (1500 unless set) + Ethernet header (14) + two VLAN tags
// (8) + FCS (4), the frame size DPDK PMDs size their rx buffers for.
unsigned max_frame(const PortConfig& pc) { return (pc.mtu ? *pc.mtu : 1500u) + 14 + 8 + 4; }

// Checks one descriptor count against the device's range and alignment.
void check_desc(Ctx& c, size_t i, const char* key, Loc loc, uint16_t v, uint16_t lo, uint16_t hi,
                uint16_t align, const std::string& dev) {
    if (v < lo || v > hi || (align > 1 && v % align != 0)) {
        c.error(loc, port_path(i) + "." + key,
                std::to_string(v) + " is not accepted by device " + dev + " (allowed " +
                    std::to_string(lo) + ".." + std::to_string(hi) + ", multiple of " +
                    std::to_string(align) + ")");
    }
}

// Whether the latency of frames received on a port is measured: the ports lib/gen analyzes, or
// every port of a forwarder that measures dwell latency (sink sends nothing, so it has none).
bool rx_timed(const Config& cfg, const std::string& port) {
    const MeasureConfig& m = cfg.measure;
    if (m.timed_rx_ports)
        return std::find(m.timed_rx_ports->begin(), m.timed_rx_ports->end(), port) !=
               m.timed_rx_ports->end();
    return m.latency && cfg.forward.mode != FwdMode::sink;
}

// ports[].latency_clock against what the device offers. `hw` is a promise the device must keep:
// an error after probe (file:line:col, exit 2, nothing started). `auto` takes the hardware clock
// where it is there and used, and otherwise says why not.
void plan_latency_clock(Ctx& c, size_t i, const PortFacts& f, PortPlan& pp) {
    const PortConfig& pc = c.cfg.ports[i];
    const std::string dev = detail::device_identity(pc.device);
    pp.latency_clock = pc.latency_clock;
    const char* no_offload = " does not offer RTE_ETH_RX_OFFLOAD_TIMESTAMP";
    const char* no_clock = " offers RTE_ETH_RX_OFFLOAD_TIMESTAMP but its driver does not implement "
                           "rte_eth_read_clock, so its timestamps cannot be mapped to the TSC";
    switch (pc.latency_clock) {
        case LatencyClock::tsc:
            pp.latency_clock_why = "ports[" + std::to_string(i) + "].latency_clock is tsc";
            return;
        case LatencyClock::hw:
            if (f.probed && !f.rx_timestamp)
                c.error(pc.latency_clock_loc, port_path(i) + ".latency_clock",
                        "hw: " + dev + no_offload + " (no hardware rx timestamps); use auto or tsc");
            else if (f.probed && !f.read_clock)
                c.error(pc.latency_clock_loc, port_path(i) + ".latency_clock",
                        "hw: " + dev + no_clock + "; use auto or tsc");
            pp.rx_timestamp = true;
            return;
        case LatencyClock::automatic:
            if (!rx_timed(c.cfg, pc.name))
                pp.latency_clock_why = "no latency is measured on the frames it receives";
            else if (!f.probed)
                pp.latency_clock_why = "not probed yet (decided after probe)";
            else if (!f.rx_timestamp)
                pp.latency_clock_why = dev + no_offload;
            else if (!f.read_clock)
                pp.latency_clock_why = dev + no_clock;
            else
                pp.rx_timestamp = true;
            return;
    }
}

void plan_ports(Ctx& c, const HostFacts& host, std::span<const PortFacts> facts, Plan& plan) {
    const int first_node = host.cpus.empty() ? 0 : host.cpus.front().node;
    for (size_t i = 0; i < c.cfg.ports.size(); ++i) {
        const PortConfig& pc = c.cfg.ports[i];
        const PortFacts f = i < facts.size() ? facts[i] : PortFacts{};
        PortPlan pp;
        pp.index = static_cast<uint16_t>(i);
        pp.name = pc.name;
        pp.device = pc.device;
        pp.prefetch_headers = !device_rx_in_cache(pc.device);
        if (pc.device_ref) pp.device_source = pc.device_ref->str();
        pp.socket = pc.socket ? *pc.socket : (f.socket >= 0 ? f.socket : first_node);
        pp.rx_queues = pc.rx_queues;
        pp.rx_desc = pc.rx_desc;
        pp.tx_desc = pc.tx_desc;
        pp.mtu = pc.mtu;
        pp.mac = pc.mac;
        pp.promiscuous = pc.promiscuous;
        pp.next_hop = pc.next_hop;
        pp.rss = pc.rss.value_or(pc.rx_queues > 1);
        if (pp.rss && f.rss_offloads == 0) {
            if (pc.rss.has_value()) {
                c.error(pc.loc, port_path(i) + ".rss",
                        "device " + pc.device + " cannot spread frames over queues (no RSS)");
            }
            pp.rss = false;
        }
        if (pc.rx_queues > f.max_rx_queues) {
            c.error(pc.rx_queues_loc, port_path(i) + ".rx_queues",
                    std::to_string(pc.rx_queues) + " exceeds the maximum of device " + pc.device +
                        " (" + std::to_string(f.max_rx_queues) + ")");
        }
        check_desc(c, i, "rx_desc", pc.rx_desc_loc, pc.rx_desc, f.rx_desc_min, f.rx_desc_max,
                   f.rx_desc_align, pc.device);
        check_desc(c, i, "tx_desc", pc.tx_desc_loc, pc.tx_desc, f.tx_desc_min, f.tx_desc_max,
                   f.tx_desc_align, pc.device);
        if (pc.mtu && (*pc.mtu > f.max_mtu || *pc.mtu < f.min_mtu)) {
            c.error(pc.mtu_loc, port_path(i) + ".mtu",
                    std::to_string(*pc.mtu) + " is outside what device " + pc.device +
                        " accepts (" + std::to_string(f.min_mtu) + ".." +
                        std::to_string(f.max_mtu) + ")");
        }
        // A frame larger than one mbuf is received into a chain of them (scatter), which the
        // device must be able to do; the pool must then hold more mbufs per burst in flight.
        const unsigned frame = max_frame(pc);
        const unsigned dr = c.cfg.mempool.data_room;  // >= 384 from the loader
        const unsigned room = dr > k_mbuf_headroom ? dr - k_mbuf_headroom : 1;
        pp.segs = static_cast<uint16_t>((frame + room - 1) / room);
        pp.scatter = pp.segs > 1;
        if (pp.scatter && !f.rx_scatter) {
            c.error(pc.mtu_loc.line ? pc.mtu_loc : pc.loc, port_path(i) + ".mtu",
                    "frames of " + std::to_string(frame) + " bytes do not fit the mbuf data room (" +
                        std::to_string(room) + " bytes after headroom) and device " + pc.device +
                        " cannot receive a frame into several mbufs (no rx scatter); raise "
                        "mempool.data_room to at least " + std::to_string(frame + k_mbuf_headroom));
        }
        plan_latency_clock(c, i, f, pp);
        plan.ports.push_back(std::move(pp));
    }
}

void plan_standbys(Ctx& c, Plan& plan) {
    for (size_t i = 0; i < c.cfg.ports.size(); ++i) {
        const auto& sb = c.cfg.ports[i].standby;
        if (!sb) continue;
        for (auto& q : plan.ports) {
            if (q.name != *sb) continue;
            plan.ports[i].standby = q.index;
            q.standby_for = static_cast<uint16_t>(i);
        }
    }
}

// A standby forwards what it receives to the peer of the port it stands in for.
void plan_standby_peers(Plan& plan) {
    for (auto& s : plan.ports)
        if (s.standby_for != k_no_port) s.peer = plan.ports[s.standby_for].peer;
}

void plan_peers(Ctx& c, Plan& plan) {
    if (c.cfg.forward.mode == FwdMode::sink) return;
    auto index_of = [&](const std::string& name) -> uint16_t {
        for (const auto& p : plan.ports)
            if (p.name == name) return p.index;
        return k_no_port;
    };
    if (c.cfg.forward.pairs) {
        for (const auto& pr : *c.cfg.forward.pairs) {
            const uint16_t a = index_of(pr[0]), b = index_of(pr[1]);
            if (a == k_no_port || b == k_no_port) continue;  // reported by the loader
            plan.ports[a].peer = b;
            plan.ports[b].peer = a;
        }
        plan_standby_peers(plan);
        for (const auto& p : plan.ports) {
            if (p.peer == k_no_port) {
                c.error(c.cfg.forward.pairs_loc, "forward.pairs",
                        "port " + p.name + " is in no pair: frames it receives would have nowhere "
                                           "to go (pair it with another port, or with itself to "
                                           "reflect)");
            }
        }
        return;
    }
    // Ports in order, standbys left out: 0<->1, 2<->3, a last odd one reflects.
    std::vector<uint16_t> order;
    for (const auto& p : plan.ports)
        if (p.standby_for == k_no_port) order.push_back(p.index);
    for (size_t i = 0; i + 1 < order.size(); i += 2) {
        plan.ports[order[i]].peer = order[i + 1];
        plan.ports[order[i + 1]].peer = order[i];
    }
    if (order.size() % 2 == 1) plan.ports[order.back()].peer = order.back();
    plan_standby_peers(plan);
}

int node_of(const HostFacts& host, unsigned lcore) {
    const CpuFacts* cpu = host.find_cpu(lcore);
    return cpu ? cpu->node : 0;
}

// Spreads every rx queue over the worker lcores, preferring lcores on the port's node, then the
// least loaded, then the lowest id: a deterministic, balanced assignment.
void assign_auto(Ctx& c, const HostFacts& host, Plan& plan) {
    std::vector<unsigned> workers;
    for (unsigned l : plan.eal_lcores)
        if (l != plan.main_lcore) workers.push_back(l);
    if (workers.empty()) {
        const std::string& src = c.cfg.eal.lcores_source;
        c.error(c.cfg.eal.lcores_loc, "eal.lcores",
                "no worker lcore: list at least one lcore besides main_lcore " +
                    std::to_string(plan.main_lcore) +
                    (src.empty() ? std::string()
                                 : " (eal.lcores is not set, so it is the " + src +
                                       ": give the container at least 2 CPUs)"));
        return;
    }
    std::map<unsigned, size_t> load;
    for (unsigned l : workers) {
        load[l] = 0;
        plan.lcores.push_back({l, node_of(host, l), {}});
    }
    for (const PortPlan& p : plan.ports) {
        for (uint16_t q = 0; q < p.rx_queues; ++q) {
            bool local_exists = std::any_of(workers.begin(), workers.end(), [&](unsigned l) {
                return node_of(host, l) == p.socket;
            });
            unsigned best = 0;
            bool found = false;
            for (unsigned l : workers) {
                if (local_exists && node_of(host, l) != p.socket) continue;
                if (!found || load[l] < load[best]) {
                    best = l;
                    found = true;
                }
            }
            ++load[best];
            for (auto& lp : plan.lcores)
                if (lp.lcore == best) lp.rx.push_back({p.index, q, p.peer, 0});
        }
    }
    std::erase_if(plan.lcores, [](const LcorePlan& lp) { return lp.rx.empty(); });
}

void assign_explicit(Ctx& c, const HostFacts& host, Plan& plan) {
    std::set<std::pair<uint16_t, uint16_t>> polled;
    for (const WorkerConfig& w : *c.cfg.workers) {
        LcorePlan lp{w.lcore, node_of(host, w.lcore), {}};
        for (const QueueRef& q : w.queues) {
            const PortConfig* pc = c.cfg.find_port(q.port);
            if (!pc) continue;  // reported by the loader
            const auto idx = static_cast<uint16_t>(pc - c.cfg.ports.data());
            lp.rx.push_back({idx, q.queue, plan.ports[idx].peer, 0});
            polled.insert({idx, q.queue});
        }
        plan.lcores.push_back(std::move(lp));
    }
    for (const PortPlan& p : plan.ports) {
        for (uint16_t q = 0; q < p.rx_queues; ++q) {
            if (!polled.count({p.index, q})) {
                c.error(c.cfg.ports[p.index].loc, "workers",
                        "rx queue " + std::to_string(q) + " of port " + p.name +
                            " is polled by no worker (add \"" + p.name + ":" + std::to_string(q) +
                            "\" to a workers[].queues list)");
            }
        }
    }
    std::sort(plan.lcores.begin(), plan.lcores.end(),
              [](const LcorePlan& a, const LcorePlan& b) { return a.lcore < b.lcore; });
}

// Each lcore that transmits on a port owns one tx queue there (no locks on the tx path).
void plan_tx_queues(Ctx& c, std::span<const PortFacts> facts, Plan& plan) {
    std::vector<uint16_t> used(plan.ports.size(), 0);
    for (LcorePlan& lp : plan.lcores) {
        std::map<uint16_t, uint16_t> mine;  // tx port -> my queue there
        for (RxAssign& a : lp.rx) {
            if (a.tx_port == k_no_port) continue;
            auto it = mine.find(a.tx_port);
            if (it == mine.end()) it = mine.emplace(a.tx_port, used[a.tx_port]++).first;
            a.tx_queue = it->second;
        }
    }
    for (size_t i = 0; i < plan.ports.size(); ++i) {
        const PortConfig& pc = c.cfg.ports[i];
        const uint16_t needed = std::max<uint16_t>(1, used[i]);
        if (pc.tx_queues && *pc.tx_queues < needed) {
            c.error(pc.tx_queues_loc, port_path(i) + ".tx_queues",
                    std::to_string(*pc.tx_queues) + " is too few: " + std::to_string(needed) +
                        " worker lcores transmit on port " + pc.name +
                        " and each needs a tx queue of its own");
        }
        plan.ports[i].tx_queues = pc.tx_queues ? *pc.tx_queues : needed;
    }
    // A standby receives its primary's traffic with the same tx queue numbers the lcores use on
    // the primary, so the redirect changes nothing on the workers but the port id.
    for (auto& s : plan.ports) {
        if (s.standby_for == k_no_port) continue;
        const uint16_t need = plan.ports[s.standby_for].tx_queues;
        if (s.tx_queues < need) s.tx_queues = need;
    }
    for (size_t i = 0; i < plan.ports.size(); ++i) {
        const PortConfig& pc = c.cfg.ports[i];
        const uint16_t max_tx = i < facts.size() ? facts[i].max_tx_queues : 0xffff;
        if (plan.ports[i].tx_queues > max_tx) {
            c.error(pc.tx_queues_loc.line ? pc.tx_queues_loc : pc.loc, port_path(i) + ".tx_queues",
                    std::to_string(plan.ports[i].tx_queues) + " exceeds the maximum of device " +
                        pc.device + " (" + std::to_string(max_tx) + ")");
        }
    }
}

// A frame received in several mbufs leaves whole on the port it is forwarded to (and on that
// port's standby): those must send multi-segment frames.
void plan_multi_seg(Ctx& c, std::span<const PortFacts> facts, Plan& plan) {
    for (const PortPlan& p : plan.ports) {
        if (!p.scatter || p.peer == k_no_port) continue;
        if (p.index < facts.size() && !facts[p.index].rx_scatter) continue;  // reported already
        for (const uint16_t dst : {p.peer, plan.ports[p.peer].standby}) {
            if (dst == k_no_port) continue;
            PortPlan& d = plan.ports[dst];
            d.tx_multi_seg = true;
            if (dst >= facts.size() || facts[dst].tx_multi_seg) continue;
            const PortConfig& pc = c.cfg.ports[p.index];
            c.error(pc.mtu_loc.line ? pc.mtu_loc : pc.loc, port_path(p.index) + ".mtu",
                    "frames of " + std::to_string(max_frame(pc)) + " bytes arrive in several "
                    "mbufs, and port " + d.name + " (device " + d.device + "), where they are "
                    "sent, cannot send multi-segment frames; raise mempool.data_room to at least " +
                        std::to_string(max_frame(pc) + k_mbuf_headroom));
        }
    }
}

// One pool per socket that has ports. It must fill every rx ring, every tx ring that frames
// from it can sit in, every lcore cache that can hold them, and one burst per polled queue (of
// `segs` mbufs per frame when frames are scattered).
void plan_pools(Ctx& c, Plan& plan) {
    const MempoolConfig& mc = c.cfg.mempool;
    std::map<int, unsigned> needed;
    std::map<int, std::set<unsigned>> users;
    for (const PortPlan& p : plan.ports) {
        unsigned n = unsigned(p.rx_queues) * p.rx_desc;
        if (p.peer != k_no_port) {
            const PortPlan& dst = plan.ports[p.peer];
            n += unsigned(dst.tx_queues) * dst.tx_desc;
        }
        if (p.peer != k_no_port && plan.ports[p.peer].standby != k_no_port) {
            const PortPlan& sb = plan.ports[plan.ports[p.peer].standby];
            n += unsigned(sb.tx_queues) * sb.tx_desc;  // frames for the peer go there on failover
        }
        needed[p.socket] += n;
        users[p.socket].insert(plan.main_lcore);
    }
    for (const LcorePlan& lp : plan.lcores) {
        for (const RxAssign& a : lp.rx) {
            const int s = plan.ports[a.port].socket;
            needed[s] += unsigned(plan.burst) * plan.ports[a.port].segs;
            users[s].insert(lp.lcore);
        }
    }
    for (auto& [socket, n] : needed) {
        PoolPlan pool;
        pool.socket = socket;
        pool.name = "vfpath_s" + std::to_string(socket);
        pool.cache_size = mc.cache_size;
        pool.data_room = mc.data_room;
        pool.needed = n + unsigned(users[socket].size()) * cache_hold(mc.cache_size);
        pool.automatic = !mc.size.has_value();
        pool.size = mc.size ? *mc.size : pool.needed;
        if (mc.size && *mc.size < pool.needed) {
            c.warn(mc.size_loc, "mempool.size",
                   std::to_string(*mc.size) + " mbufs on socket " + std::to_string(socket) +
                       " is below the " + std::to_string(pool.needed) +
                       " that rings, lcore caches and bursts can hold: expect rx_nombuf drops");
        }
        if (cache_hold(pool.cache_size) > pool.size) pool.cache_size = 0;  // DPDK refuses it
        pool.iova_contig = pool_needs_iova(plan.ports, socket);
        plan.pools.push_back(pool);
    }
    for (PortPlan& p : plan.ports) {
        for (size_t k = 0; k < plan.pools.size(); ++k)
            if (plan.pools[k].socket == p.socket) p.pool = static_cast<uint16_t>(k);
    }
}

void check_locality(Ctx& c, Plan& plan) {
    for (const LcorePlan& lp : plan.lcores) {
        for (const RxAssign& a : lp.rx) {
            const PortPlan& p = plan.ports[a.port];
            if (p.socket != lp.socket) {
                c.warn(c.cfg.ports[a.port].loc, port_path(a.port),
                       "lcore " + std::to_string(lp.lcore) + " on node " +
                           std::to_string(lp.socket) + " polls port " + p.name + " on node " +
                           std::to_string(p.socket) + ": every packet crosses sockets");
            }
        }
    }
}

std::string mib(uint64_t bytes) { return std::to_string((bytes + (1u << 20) - 1) >> 20) + " MiB"; }

// With hugepages, EAL maps eal.memory_mb at start and the pools may need more; both must fit the
// cgroup's hugetlb limit. Past it the kernel does not fail the allocation: the process dies of
// SIGBUS on first touch, so the check is made here, before EAL starts.
void check_hugepage_limit(Ctx& c, const HostFacts& host, const Plan& plan) {
    if (!c.cfg.eal.hugepages || host.hugepage_limits.empty()) return;
    uint64_t limit = 0;
    std::string sources;
    for (const HugepageLimit& l : host.hugepage_limits) {
        if (!l.bytes) return;  // a page size without limit: EAL may take what it needs there
        limit += *l.bytes;
        sources += (sources.empty() ? "" : ", ") + l.source + " = " + mib(*l.bytes);
    }
    uint64_t pools = 0;
    for (const PoolPlan& p : plan.pools) pools += uint64_t(p.size) * (p.data_room + k_mbuf_overhead);
    const uint64_t eal = uint64_t(c.cfg.eal.memory_mb) << 20;
    if (eal <= limit && pools <= limit) return;
    const bool pools_over = pools > limit;
    c.error(pools_over ? c.cfg.mempool.size_loc : c.cfg.eal.memory_mb_loc,
            pools_over ? "mempool.size" : "eal.memory_mb",
            (pools_over ? "the mempools need at least " + mib(pools) + " of hugepages"
                        : "EAL reserves " + mib(eal) + " of hugepages at start") +
                ", but this cgroup's hugetlb limit allows only " + mib(limit) + " (" + sources +
                "): DPDK would die of SIGBUS. Raise the pod's hugepages-2Mi/hugepages-1Gi "
                "limit, or lower " + (pools_over ? "mempool.size" : "eal.memory_mb"));
}

}  // namespace

std::optional<std::vector<unsigned>> HostFacts::restricted_cpus() const {
    if (!cgroup_cpus || cgroup_cpus->empty()) return std::nullopt;
    std::vector<unsigned> allowed;
    for (unsigned id : *cgroup_cpus)
        if (find_cpu(id)) allowed.push_back(id);
    if (allowed.empty() || allowed.size() == cpus.size()) return std::nullopt;
    return allowed;
}

void apply_host_defaults(Config& cfg, const HostFacts& host) {
    // A config that names any CPU (lcores, main lcore, workers) manages them itself; the loader
    // has already checked those against eal.lcores as written or defaulted.
    if (cfg.eal.lcores_loc.line != 0 || cfg.eal.main_lcore_loc.line != 0 || cfg.workers) return;
    const auto cpus = host.restricted_cpus();
    if (!cpus) return;
    std::string list;
    for (unsigned id : *cpus) {
        if (!list.empty()) list += ',';
        list += std::to_string(id);
    }
    cfg.eal.lcores = list;
    cfg.eal.lcores_source = "cgroup cpuset " + host.cgroup_cpus_source + " (" + list + ")";
    cfg.eal.main_lcore = cpus->front();
}

const CpuFacts* HostFacts::find_cpu(unsigned id) const {
    for (const auto& c : cpus)
        if (c.id == id) return &c;
    return nullptr;
}

PlanResult build_plan(const Config& cfg, const HostFacts& host, std::span<const PortFacts> facts) {
    PlanResult out;
    Ctx c{cfg, out};
    Plan plan;
    plan.mode = cfg.forward.mode;
    plan.burst = cfg.forward.burst;
    plan.latency = cfg.measure.latency;
    plan.latency_sample = cfg.measure.latency_sample;
    plan.main_lcore = cfg.eal.main_lcore;
    auto lcores = parse_cpu_list(cfg.eal.lcores);
    if (!lcores) {
        c.error(cfg.eal.lcores_loc, "eal.lcores", "not a CPU list: \"" + cfg.eal.lcores + "\"");
        return out;
    }
    plan.eal_lcores = *lcores;
    for (unsigned l : plan.eal_lcores) {
        if (!host.find_cpu(l)) {
            std::string online;
            for (const auto& cpu : host.cpus) {
                if (!online.empty()) online += ',';
                online += std::to_string(cpu.id);
            }
            c.error(cfg.eal.lcores_loc, "eal.lcores",
                    "lcore " + std::to_string(l) + " does not exist on this machine (online CPUs: " +
                        online + ")");
        }
    }
    plan_ports(c, host, facts, plan);
    plan_standbys(c, plan);
    plan_peers(c, plan);
    if (cfg.workers)
        assign_explicit(c, host, plan);
    else
        assign_auto(c, host, plan);
    plan_tx_queues(c, facts, plan);
    plan_multi_seg(c, facts, plan);
    plan_pools(c, plan);
    check_hugepage_limit(c, host, plan);
    check_locality(c, plan);
    if (out.errors.empty()) out.plan = std::move(plan);
    return out;
}

std::string format_plan(const Plan& plan) {
    std::ostringstream o;
    o << "mode " << to_string(plan.mode) << ", burst " << plan.burst;
    if (plan.latency) o << ", dwell latency 1 burst in " << plan.latency_sample;
    o << ", main lcore "
      << plan.main_lcore << "\n";
    o << "ports:\n";
    const bool touches_headers = plan.mode == FwdMode::macswap || plan.mode == FwdMode::l2;
    for (const PortPlan& p : plan.ports) {
        o << "  " << p.index << " " << p.name << " (" << p.device
          << (p.device_source.empty() ? "" : " from " + p.device_source) << ") socket " << p.socket
          << ", rxq " << p.rx_queues << "x" << p.rx_desc << ", txq " << p.tx_queues << "x"
          << p.tx_desc << (p.rss ? ", rss" : "")
          << (p.scatter ? ", scatter (up to " + std::to_string(p.segs) + " mbufs per frame)"
                        : std::string())
          << (p.rx_timestamp ? ", rx timestamps" : "")
          << (touches_headers && !p.prefetch_headers ? ", frames arrive in cache (no prefetch)" : "")
          << ", to "
          << (p.peer == k_no_port ? std::string("-") : plan.ports[p.peer].name)
          << (p.standby != k_no_port ? ", standby " + plan.ports[p.standby].name : std::string())
          << ", pool " << plan.pools[p.pool].name << "\n";
    }
    o << "workers:\n";
    for (const LcorePlan& lp : plan.lcores) {
        o << "  lcore " << lp.lcore << " (node " << lp.socket << "):";
        for (const RxAssign& a : lp.rx) {
            o << " " << plan.ports[a.port].name << ":" << a.queue;
            if (a.tx_port != k_no_port)
                o << "->" << plan.ports[a.tx_port].name << ":" << a.tx_queue;
        }
        o << "\n";
    }
    o << "mempools:\n";
    for (const PoolPlan& pool : plan.pools) {
        o << "  " << pool.name << " socket " << pool.socket << ": " << pool.size << " mbufs x "
          << pool.data_room << " B (" << (pool.automatic ? "computed" : "configured")
          << ", needed " << pool.needed << "), cache " << pool.cache_size
          << (pool.iova_contig ? "" : ", packed (no DMA)") << "\n";
    }
    return o.str();
}

namespace {

// Where a port's received frames come from, by device: the one table behind device_needs_iova
// and device_rx_in_cache.
enum class RxSource {
    this_core,   // the PMD copies the frame into the mbuf on the polling core (net_null hands
                 // out buffers that core just freed)
    other_core,  // mbufs handed over by another core, never DMA (net_ring)
    dma,         // a device, the peer of memif zero-copy, or a vdev not known here
};

RxSource rx_source(std::string_view device) {
    static constexpr std::pair<std::string_view, RxSource> k_vdevs[] = {
        {"net_null", RxSource::this_core}, {"net_pcap", RxSource::this_core},
        {"net_tap", RxSource::this_core},  {"net_memif", RxSource::this_core},
        {"net_ring", RxSource::other_core},
    };
    for (const auto& [driver, source] : k_vdevs) {
        if (device.substr(0, driver.size()) != driver) continue;
        // The driver name ends at the instance number or the first argument.
        const std::string_view rest = device.substr(driver.size());
        if (!rest.empty() && rest[0] != ',' && (rest[0] < '0' || rest[0] > '9')) continue;
        // memif zero-copy hands the pool's own memory to the peer, which writes the frames.
        if (driver == "net_memif" && device.find("zero-copy=yes") != std::string_view::npos)
            return RxSource::dma;
        return source;
    }
    return RxSource::dma;
}

}  // namespace

bool device_needs_iova(std::string_view device) { return rx_source(device) == RxSource::dma; }

bool device_rx_in_cache(std::string_view device) {
    return rx_source(device) == RxSource::this_core;
}

bool pool_needs_iova(const std::vector<PortPlan>& ports, int socket) {
    for (const PortPlan& p : ports)
        if (p.socket == socket && device_needs_iova(p.device)) return true;
    return false;
}

}  // namespace vfpath::config
