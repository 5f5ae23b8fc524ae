// Checks between keys that need neither the host nor the devices: names that must be unique,
// references from pairs and workers to ports, lcores against the EAL list, the mempool against the
// descriptors it must fill. Each check skips values that already failed to decode (has_error), so
// one mistake gives one message rather than a cascade.
#include <map>
#include <set>

#include "config/cp/load_internal.h"

namespace vfpath::config::detail {

namespace {

std::string port_path(size_t i) {
    return "ports[" + std::to_string(i) + "]";
}

// " (line 12)" to point at the first of two clashing entries; empty when it has no position.
std::string at_line(Loc loc) {
    return loc.line ? " (line " + std::to_string(loc.line) + ")" : std::string();
}

Loc first_known(Loc a, Loc b) {
    return a.line ? a : b;
}

// What the reference checks need to know about the ports.
struct PortIndex {
    std::map<std::string, size_t, std::less<>> by_name;
    // False when some port name failed to decode: a reference to an unknown name may then be
    // a reference to the broken one, so "unknown port" errors are not reported.
    bool names_complete = true;

    const size_t* find(std::string_view name) const {
        const auto it = by_name.find(name);
        return it == by_name.end() ? nullptr : &it->second;
    }
    std::string known_names() const {
        std::string out;
        for (const auto& [name, index] : by_name) out += (out.empty() ? "" : ", ") + name;
        return out;
    }
};

PortIndex check_ports(Reader& r, const Config& c) {
    PortIndex index;
    std::map<std::string, size_t> by_device;
    for (size_t i = 0; i < c.ports.size(); ++i) {
        const PortConfig& p = c.ports[i];
        const std::string path = port_path(i);
        if (r.has_error(path + ".name")) {
            index.names_complete = false;
        } else if (auto [it, added] = index.by_name.emplace(p.name, i); !added) {
            const PortConfig& first = c.ports[it->second];
            r.error(first_known(p.name_loc, p.loc), path + ".name",
                    "duplicate port name '" + p.name + "'" +
                        (p.name_loc.line ? "" : " (the default name of " + path + ")") + "; " +
                        port_path(it->second) + at_line(first.loc) + " already has it" +
                        (first.name_loc.line ? "" : " as its default name") +
                        "; port names must be unique");
        }
        if (p.device.empty()) continue;  // missing or invalid: reported while decoding
        const std::string id = device_identity(p.device);
        if (auto [it, added] = by_device.emplace(id, i); !added)
            r.error(p.device_loc, path + ".device",
                    "device '" + p.device + "' is already used by " + port_path(it->second) +
                        at_line(c.ports[it->second].device_loc) +
                        "; each device can back only one port");
    }
    return index;
}

void check_pairs(Reader& r, const Config& c, const PortIndex& ports) {
    const ForwardConfig& f = c.forward;
    if (!f.pairs) return;
    const bool sink = f.mode == FwdMode::sink;
    if (f.pairs->empty() && !sink) {
        r.error(f.pairs_loc, "forward.pairs",
                "empty list; list at least one pair like [p0, p1], or omit pairs to pair ports "
                "in order");
        return;
    }
    std::map<std::string, size_t> pair_of;  // port name -> the pair it is in
    for (size_t i = 0; i < f.pairs->size(); ++i) {
        const auto& pair = (*f.pairs)[i];
        const std::string path = "forward.pairs[" + std::to_string(i) + "]";
        if (r.has_error(path)) continue;
        for (size_t side = 0; side < 2; ++side) {
            const std::string& name = pair[side];
            const std::string side_path = path + "[" + std::to_string(side) + "]";
            const Loc loc = f.pair_locs[i][side];
            if (!ports.find(name)) {
                if (ports.names_complete)
                    r.error(loc, side_path,
                            "no port named '" + name + "'; ports are: " + ports.known_names());
                continue;
            }
            // `sink` ignores pairs; a port paired with itself ([p0, p0]) is in one pair.
            if (sink || (side == 1 && name == pair[0])) continue;
            if (auto [it, added] = pair_of.emplace(name, i); !added)
                r.error(loc, side_path,
                        "port '" + name + "' is already in forward.pairs[" +
                            std::to_string(it->second) + "]" + at_line(f.pair_locs[it->second][0]) +
                            "; a port can be in only one pair");
        }
    }
}

// A standby takes over one port's traffic: it must exist, be another port, serve one port only,
// have no standby itself and be in no pair (its peer is the peer of the port it stands in for).
void check_standby(Reader& r, const Config& c, const PortIndex& ports) {
    std::map<std::string, size_t> standby_of;
    for (size_t i = 0; i < c.ports.size(); ++i) {
        const PortConfig& p = c.ports[i];
        if (!p.standby) continue;
        const std::string path = "ports[" + std::to_string(i) + "].standby";
        const std::string& s = *p.standby;
        if (!ports.find(s)) {
            if (ports.names_complete)
                r.error(p.standby_loc, path,
                        "no port named '" + s + "'; ports are: " + ports.known_names());
            continue;
        }
        if (s == p.name) {
            r.error(p.standby_loc, path, "a port cannot be its own standby");
            continue;
        }
        if (auto [it, added] = standby_of.emplace(s, i); !added) {
            r.error(p.standby_loc, path,
                    "port '" + s + "' is already the standby of ports[" +
                        std::to_string(it->second) + "]; a standby serves one port");
            continue;
        }
        for (const PortConfig& q : c.ports)
            if (q.name == s && q.standby)
                r.error(p.standby_loc, path, "port '" + s + "' has a standby of its own");
        if (c.forward.pairs)
            for (const auto& pair : *c.forward.pairs)
                if (pair[0] == s || pair[1] == s)
                    r.error(p.standby_loc, path,
                            "port '" + s + "' is in forward.pairs; a standby must not be: it "
                            "forwards to the peer of the port it stands in for");
    }
}

// l2 rewrites the destination MAC of every frame a port sends, so a transmitting port without
// next_hop would have nothing to write.
void check_l2(Reader& r, const Config& c) {
    const ForwardConfig& f = c.forward;
    // Pairs that failed as a whole leave no pairing to judge; a broken entry still names ports.
    if (f.mode != FwdMode::l2 || (!f.pairs && r.has_error("forward.pairs"))) return;
    std::set<std::string, std::less<>> transmitting;
    if (f.pairs)
        for (const auto& pair : *f.pairs) transmitting.insert(pair.begin(), pair.end());
    for (size_t i = 0; i < c.ports.size(); ++i) {
        const PortConfig& p = c.ports[i];
        const std::string path = port_path(i) + ".next_hop";
        const bool transmits = !f.pairs || transmitting.count(p.name) != 0;
        if (!transmits || p.next_hop || r.has_error(path) || r.has_error(port_path(i) + ".name"))
            continue;
        r.error(p.loc, path,
                "forward.mode is l2" + at_line(f.mode_loc) + " and port '" + p.name +
                    "' transmits, so it needs next_hop: the destination MAC of the frames it "
                    "sends");
    }
}

// The parsed EAL lcore list, or nullopt when it failed to decode.
std::optional<std::vector<unsigned>> check_eal(Reader& r, const Config& c) {
    const EalConfig& e = c.eal;
    if (r.has_error("eal.lcores")) return std::nullopt;
    auto lcores = parse_cpu_list(e.lcores);
    if (!lcores) return std::nullopt;  // the default always parses; a written one was checked
    const bool listed = std::binary_search(lcores->begin(), lcores->end(), e.main_lcore);
    if (!listed && !r.has_error("eal.main_lcore")) {
        if (e.main_lcore_loc.line)
            r.error(e.main_lcore_loc, "eal.main_lcore",
                    "main lcore " + std::to_string(e.main_lcore) + " is not in eal.lcores '" +
                        e.lcores + "'; the main lcore must be one of the EAL lcores");
        else
            r.error(e.lcores_loc, "eal.lcores",
                    "'" + e.lcores + "' does not include lcore " + std::to_string(e.main_lcore) +
                        ", the default main_lcore; add it or set eal.main_lcore");
    }
    return lcores;
}

void check_workers(Reader& r, const Config& c, const PortIndex& ports,
                   const std::optional<std::vector<unsigned>>& lcores) {
    if (!c.workers) return;
    const bool main_ok = !r.has_error("eal.main_lcore");
    std::map<unsigned, size_t> worker_of_lcore;
    std::map<std::pair<size_t, uint16_t>, size_t> worker_of_queue;  // (port, queue) -> worker
    for (size_t i = 0; i < c.workers->size(); ++i) {
        const WorkerConfig& w = (*c.workers)[i];
        const std::string path = "workers[" + std::to_string(i) + "]";
        if (!r.has_error(path + ".lcore") && w.lcore_loc.line) {
            const std::string lcore = "lcore " + std::to_string(w.lcore);
            if (lcores && !std::binary_search(lcores->begin(), lcores->end(), w.lcore))
                r.error(w.lcore_loc, path + ".lcore",
                        lcore + " is not in eal.lcores '" + c.eal.lcores +
                            "'; workers run only on EAL lcores");
            else if (main_ok && w.lcore == c.eal.main_lcore)
                r.error(w.lcore_loc, path + ".lcore",
                        lcore +
                            " is eal.main_lcore; the main lcore runs the control thread and "
                            "cannot be a worker");
            else if (auto [it, added] = worker_of_lcore.emplace(w.lcore, i); !added)
                r.error(w.lcore_loc, path + ".lcore",
                        lcore + " already has a worker: workers[" + std::to_string(it->second) +
                            "]" + at_line((*c.workers)[it->second].lcore_loc) +
                            "; give one worker all the queues of its lcore");
        }
        for (size_t j = 0; j < w.queues.size(); ++j) {
            const QueueRef& q = w.queues[j];
            const std::string q_path = path + ".queues[" + std::to_string(j) + "]";
            if (r.has_error(q_path)) continue;
            const size_t* port = ports.find(q.port);
            if (!port) {
                if (ports.names_complete)
                    r.error(q.loc, q_path,
                            "no port named '" + q.port + "'; ports are: " + ports.known_names());
                continue;
            }
            const PortConfig& p = c.ports[*port];
            if (r.has_error(port_path(*port) + ".rx_queues")) continue;
            const std::string ref = q.port + ":" + std::to_string(q.queue);
            if (q.queue >= p.rx_queues) {
                r.error(q.loc, q_path,
                        "rx queue " + std::to_string(q.queue) + " does not exist: port '" + q.port +
                            "' has rx_queues " + std::to_string(p.rx_queues) + " (queues 0.." +
                            std::to_string(p.rx_queues - 1) + ")");
            } else if (auto [it, added] = worker_of_queue.emplace(std::pair(*port, q.queue), i);
                       !added) {
                r.error(q.loc, q_path,
                        ref + " is already polled by workers[" + std::to_string(it->second) + "]" +
                            at_line((*c.workers)[it->second].loc) +
                            "; an rx queue can have only one worker");
            }
        }
    }
}

// Every rx and tx descriptor holds an mbuf while the port runs, so a pool smaller than the
// descriptors cannot even start the ports.
void check_mempool(Reader& r, const Config& c) {
    const MempoolConfig& m = c.mempool;
    if (!m.size || r.has_error("mempool.size")) return;
    uint64_t needed = 0;
    for (size_t i = 0; i < c.ports.size(); ++i) {
        const PortConfig& p = c.ports[i];
        const std::string path = port_path(i);
        for (const char* key : {".rx_queues", ".tx_queues", ".rx_desc", ".tx_desc"})
            if (r.has_error(path + key)) return;  // the sum would be a guess
        needed += uint64_t{p.rx_queues} * p.rx_desc +
                  uint64_t{p.tx_queues.value_or(p.rx_queues)} * p.tx_desc;
    }
    if (*m.size < needed) {
        r.error(m.size_loc, "mempool.size",
                "size " + std::to_string(*m.size) + " is below " + std::to_string(needed) +
                    ", the mbufs the ports' descriptors hold (sum of rx_queues*rx_desc + "
                    "tx_queues*tx_desc); set at least " +
                    std::to_string(needed) + " or omit size to have it computed");
        return;
    }
    // rte_mempool_create() fails with EINVAL when cache_size * 1.5 exceeds the pool size
    // (CALC_CACHE_FLUSHTHRESH in rte_mempool.c).
    const uint64_t cache_needs = uint64_t{m.cache_size} * 3 / 2;
    if (!r.has_error("mempool.cache_size") && *m.size < cache_needs)
        r.error(first_known(m.cache_size_loc, m.size_loc), "mempool.cache_size",
                "cache_size " + std::to_string(m.cache_size) + " needs a pool of at least " +
                    std::to_string(cache_needs) + " mbufs (1.5 x cache_size); size is " +
                    std::to_string(*m.size) + ": lower cache_size or raise size");
}

// vf_policy: each entry names a port, and a PF has at most one entry per VF and one "all".
void check_vf_policy(Reader& r, const Config& c, const PortIndex& ports) {
    std::map<std::pair<std::string, int>, size_t> entry_of;  // (pf, vf or -1 for all) -> index
    for (size_t i = 0; i < c.vf_policy.size(); ++i) {
        const VfMailboxPolicyConfig& p = c.vf_policy[i];
        const std::string path = "vf_policy[" + std::to_string(i) + "]";
        if (r.has_error(path + ".pf")) continue;
        if (!ports.find(p.pf)) {
            if (ports.names_complete)
                r.error(p.pf_loc, path + ".pf",
                        "no port named '" + p.pf + "'; ports are: " + ports.known_names());
            continue;
        }
        if (r.has_error(path + ".vf")) continue;
        const int vf = p.vf ? int{*p.vf} : -1;
        if (auto [it, added] = entry_of.emplace(std::pair(p.pf, vf), i); !added)
            r.error(first_known(p.vf_loc, p.loc), path + ".vf",
                    (p.vf ? "VF " + std::to_string(*p.vf) : std::string("'all'")) + " of port '" +
                        p.pf + "' already has a policy: vf_policy[" + std::to_string(it->second) +
                        "]" + at_line(c.vf_policy[it->second].loc) + "; give each VF one entry");
    }
}

}  // namespace

void validate_config(Reader& r, const Config& c) {
    const PortIndex ports = check_ports(r, c);
    check_pairs(r, c, ports);
    check_standby(r, c, ports);
    check_l2(r, c);
    const auto lcores = check_eal(r, c);
    check_workers(r, c, ports, lcores);
    check_mempool(r, c);
    check_vf_policy(r, c, ports);
    validate_gen(r, c);
}

}  // namespace vfpath::config::detail
