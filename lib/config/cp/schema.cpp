// The configuration schema: one key table per YAML map. Each table is the only place its keys
// are listed; decode_map uses it for decoding, unknown-key errors and "allowed keys" (STYLE §7).
// Checks here look at one value at a time; checks between keys are in validate.cpp.
#include <algorithm>
#include <charconv>
#include <limits>

#include "config/cp/load_internal.h"

namespace vfpath::config::detail {

namespace {

constexpr uint64_t k_max_unsigned = std::numeric_limits<unsigned>::max();
// Largest CPU id parse_cpu_list accepts; lcore numbers use the same bound.
constexpr uint64_t k_max_lcore = 1023;
// Per-port queue and descriptor bounds: wide enough for any NIC we know (ixgbe/i40e/ice/mlx5 top
// out at 4096..32768 descriptors and 1024 queues); the planner narrows them to what the device
// reports in rte_eth_dev_info.
constexpr uint64_t k_max_queues = 1024;
constexpr uint64_t k_min_desc = 64, k_max_desc = 32768;
// 68 is the IPv4 minimum MTU (RFC 791); 16000 is above every jumbo limit of the PMDs we target.
constexpr uint64_t k_min_mtu = 68, k_max_mtu = 16000;
// rte_lcore_to_socket_id() values; RTE_MAX_NUMA_NODES is 32 by default, 64 at most.
constexpr uint64_t k_max_socket = 63;
// The dataplane's k_max_burst (lib/dataplane/dp/worker.h): the size of its per-lcore burst
// arrays. Config sits below the dataplane, so the number is repeated, not included.
constexpr uint64_t k_max_burst = 256;
// RTE_MEMPOOL_CACHE_MAX_SIZE (rte_mempool.h).
constexpr uint64_t k_max_cache = 512;
// A buffer must hold the headroom plus a minimal 256-byte frame area.
constexpr uint64_t k_min_data_room = 256 + k_mbuf_headroom;

constexpr std::string_view k_log_levels[] = {"trace", "debug",    "info", "warn",
                                             "error", "critical", "off"};

// ---- eal ----------------------------------------------------------------------------------

const Key<EalConfig> k_eal_keys[] = {
    {"lcores",
     [](Reader& r, const In& in, EalConfig& e) {
         e.lcores_loc = in.loc;
         // An integer ("lcores: 3") is one CPU; yaml-cpp hands us its text either way.
         auto s = in.node.IsScalar() ? std::optional(in.node.Scalar()) : std::nullopt;
         if (s && parse_cpu_list(*s))
             e.lcores = *s;
         else
             r.expected(in, "a CPU list like \"0-1,4\" (ids 0..1023)");
     }},
    {"main_lcore",
     [](Reader& r, const In& in, EalConfig& e) {
         e.main_lcore_loc = in.loc;
         r.set(in, 0, k_max_lcore, e.main_lcore);
     }},
    {"memory_mb",
     [](Reader& r, const In& in, EalConfig& e) {
         e.memory_mb_loc = in.loc;
         r.set(in, 1, k_max_unsigned, e.memory_mb);
     }},
    {"hugepages", [](Reader& r, const In& in, EalConfig& e) { r.set(in, e.hugepages); }},
    {"in_memory", [](Reader& r, const In& in, EalConfig& e) { r.set(in, e.in_memory); }},
    {"file_prefix",
     [](Reader& r, const In& in, EalConfig& e) {
         // EAL builds /var/run/dpdk/<prefix>/ from it: a '/' or a blank would escape or break
         // that path.
         auto s = r.text(in);
         if (s && s->find_first_of("/ \t") != std::string::npos)
             r.error(in, "'" + *s + "' cannot be a file prefix; '/' and blanks are not allowed");
         else if (s)
             e.file_prefix = *s;
     }},
    {"extra_args",
     [](Reader& r, const In& in, EalConfig& e) {
         r.each_item(in, "a list of EAL arguments", [&](const In& arg) {
             if (auto s = r.text(arg, "an EAL argument string")) e.extra_args.push_back(*s);
         });
     }},
};

// ---- ports --------------------------------------------------------------------------------

// ports[].vf: what the PF should hold for this VF; `vfpath check` reports drift from it.
const Key<VfPolicy> k_vf_keys[] = {
    {"mac",
     [](Reader& r, const In& in, VfPolicy& v) {
         if (auto m = r.mac(in, true)) v.mac = m;
     }},
    {"vlan", [](Reader& r, const In& in, VfPolicy& v) { r.set(in, 0, 4095, v.vlan); }},
    {"qos", [](Reader& r, const In& in, VfPolicy& v) { r.set(in, 0, 7, v.qos); }},
    {"spoofchk", [](Reader& r, const In& in, VfPolicy& v) { r.set(in, v.spoofchk); }},
    {"trust", [](Reader& r, const In& in, VfPolicy& v) { r.set(in, v.trust); }},
    {"max_rate",
     [](Reader& r, const In& in, VfPolicy& v) { r.set(in, 0, k_max_unsigned, v.max_tx_rate); }},
};

const Key<PortConfig> k_port_keys[] = {
    {"name",
     [](Reader& r, const In& in, PortConfig& p) {
         p.name_loc = in.loc;
         auto s = r.text(in);
         if (s && is_port_name(*s))
             p.name = *s;
         else if (s)
             r.expected(in, "a port name of letters, digits, '_' and '-'");
     }},
    {"device",
     [](Reader& r, const In& in, PortConfig& p) {
         p.device_loc = in.loc;
         if (in.node.IsMap()) {  // {resource: R, index: N}: the SR-IOV device plugin's VF
             DeviceRef ref;
             if (auto bdf = decode_device_ref(r, in, ref)) p.device = *bdf;
             p.device_ref = std::move(ref);
             return;
         }
         auto s = r.text(in);
         if (s && (is_pci_address(*s) || is_vdev_spec(*s)))
             p.device = *s;
         else if (s)
             r.expected(in,
                        "a PCI address (0000:3b:02.0 or 3b:02.0) or a vdev spec starting "
                        "with 'net_' (net_tap0,iface=x)");
     },
     true},
    {"rx_queues",
     [](Reader& r, const In& in, PortConfig& p) {
         p.rx_queues_loc = in.loc;
         r.set(in, 1, k_max_queues, p.rx_queues);
     }},
    {"tx_queues",
     [](Reader& r, const In& in, PortConfig& p) {
         p.tx_queues_loc = in.loc;
         r.set(in, 1, k_max_queues, p.tx_queues);
     }},
    {"rx_desc",
     [](Reader& r, const In& in, PortConfig& p) {
         p.rx_desc_loc = in.loc;
         r.set(in, k_min_desc, k_max_desc, p.rx_desc);
     }},
    {"tx_desc",
     [](Reader& r, const In& in, PortConfig& p) {
         p.tx_desc_loc = in.loc;
         r.set(in, k_min_desc, k_max_desc, p.tx_desc);
     }},
    {"mtu",
     [](Reader& r, const In& in, PortConfig& p) {
         p.mtu_loc = in.loc;
         r.set(in, k_min_mtu, k_max_mtu, p.mtu);
     }},
    {"mac",
     [](Reader& r, const In& in, PortConfig& p) {
         if (auto m = r.mac(in, true)) p.mac = m;
     }},
    {"promiscuous", [](Reader& r, const In& in, PortConfig& p) { r.set(in, p.promiscuous); }},
    {"rss", [](Reader& r, const In& in, PortConfig& p) { r.set(in, p.rss); }},
    {"socket",
     [](Reader& r, const In& in, PortConfig& p) {
         p.socket_loc = in.loc;
         r.set(in, 0, k_max_socket, p.socket);
     }},
    {"next_hop",
     [](Reader& r, const In& in, PortConfig& p) {
         if (auto m = r.mac(in, false)) p.next_hop = m;
     }},
    {"standby",
     [](Reader& r, const In& in, PortConfig& p) {
         p.standby_loc = in.loc;
         if (auto s = r.text(in, "a port name")) p.standby = *s;
     }},
    {"latency_clock",
     [](Reader& r, const In& in, PortConfig& p) {
         p.latency_clock_loc = in.loc;
         if (auto s = r.word(in, latency_clock_names())) p.latency_clock = *parse_latency_clock(*s);
     }},
    {"vf",
     [](Reader& r, const In& in, PortConfig& p) {
         p.vf.emplace().loc = in.loc;
         decode_map(r, in, k_vf_keys, *p.vf);
     }},
};

void decode_ports(Reader& r, const In& in, Config& c) {
    r.each_item(in, "a list of ports", [&](const In& item) {
        // Always append, even a broken entry, so c.ports[i] stays "ports[i]" in messages.
        PortConfig& p = c.ports.emplace_back();
        p.name = "p" + std::to_string(c.ports.size() - 1);
        p.loc = item.loc;
        decode_map(r, item, k_port_keys, p);
    });
    if (in.node.IsSequence() && c.ports.empty()) r.error(in, "at least one port is required");
}

// ---- forward ------------------------------------------------------------------------------

void decode_pairs(Reader& r, const In& in, ForwardConfig& f) {
    f.pairs_loc = in.loc;
    std::vector<std::array<std::string, 2>> pairs;
    const bool ok = r.each_item(in, "a list of port pairs like [[p0, p1]]", [&](const In& item) {
        // Keep broken entries too: pairs[i] must stay "forward.pairs[i]" in validate.cpp.
        auto& pair = pairs.emplace_back();
        auto& locs = f.pair_locs.emplace_back();
        locs = {item.loc, item.loc};
        if (!item.node.IsSequence() || item.node.size() != 2) {
            r.expected(item, "a pair of port names like [p0, p1] (the same name twice reflects)");
            return;
        }
        for (size_t side = 0; side < 2; ++side) {
            const In name = item.item(side, item.node[side]);
            locs[side] = name.loc;
            if (auto s = r.text(name, "a port name")) pair[side] = *s;
        }
    });
    if (ok) f.pairs = std::move(pairs);
}

const Key<ForwardConfig> k_forward_keys[] = {
    {"mode",
     [](Reader& r, const In& in, ForwardConfig& f) {
         f.mode_loc = in.loc;
         if (auto s = r.word(in, fwd_mode_names())) f.mode = *parse_fwd_mode(*s);
     }},
    {"pairs", decode_pairs},
    {"burst",
     [](Reader& r, const In& in, ForwardConfig& f) {
         f.burst_loc = in.loc;
         r.set(in, 1, k_max_burst, f.burst);
     }},
};

// ---- workers ------------------------------------------------------------------------------

// "p0:1" polls rx queue 1 of port p0; a bare "p0" means queue 0. Port names cannot hold ':', so
// the last ':' splits. A block item written "- p0: 1" reaches us as a one-entry map; it means the
// same and is accepted rather than punished for a space.
void decode_queue_ref(Reader& r, const In& in, WorkerConfig& w) {
    QueueRef& q = w.queues.emplace_back();
    q.loc = in.loc;
    constexpr std::string_view what = "a queue like \"p0:1\" (port:rx queue) or \"p0\" (queue 0)";
    std::string port, queue;
    if (in.node.IsScalar()) {
        const std::string& s = in.node.Scalar();
        const size_t colon = s.rfind(':');
        port = s.substr(0, colon);
        queue = colon == std::string::npos ? "0" : s.substr(colon + 1);
    } else if (in.node.IsMap() && in.node.size() == 1) {
        const auto kv = *in.node.begin();
        if (kv.first.IsScalar() && kv.second.IsScalar()) {
            port = kv.first.Scalar();
            queue = kv.second.Scalar();
        }
    }
    uint16_t index = 0;
    const auto [end, ec] = std::from_chars(queue.data(), queue.data() + queue.size(), index);
    if (!is_port_name(port) || queue.empty() || ec != std::errc{} ||
        end != queue.data() + queue.size() || index >= k_max_queues) {
        r.expected(in, what);
        return;
    }
    q.port = port;
    q.queue = index;
}

const Key<WorkerConfig> k_worker_keys[] = {
    {"lcore",
     [](Reader& r, const In& in, WorkerConfig& w) {
         w.lcore_loc = in.loc;
         r.set(in, 0, k_max_lcore, w.lcore);
     },
     true},
    {"queues",
     [](Reader& r, const In& in, WorkerConfig& w) {
         const bool ok = r.each_item(in, "a list of queues like [\"p0:0\", \"p1:0\"]",
                                     [&](const In& q) { decode_queue_ref(r, q, w); });
         if (ok && w.queues.empty())
             r.error(in, "a worker needs at least one queue; drop the worker or give it one");
     },
     true},
};

void decode_workers(Reader& r, const In& in, Config& c) {
    std::vector<WorkerConfig> workers;
    const bool ok = r.each_item(in, "a list of workers", [&](const In& item) {
        WorkerConfig& w = workers.emplace_back();
        w.loc = item.loc;
        decode_map(r, item, k_worker_keys, w);
    });
    if (ok && workers.empty())
        r.error(in, "empty list; list at least one worker, or omit workers to have them assigned");
    if (ok) c.workers = std::move(workers);
}

// ---- mempool, run -------------------------------------------------------------------------

const Key<MempoolConfig> k_mempool_keys[] = {
    {"size",
     [](Reader& r, const In& in, MempoolConfig& m) {
         m.size_loc = in.loc;
         r.set(in, 1, k_max_unsigned, m.size);
     }},
    {"cache_size",
     [](Reader& r, const In& in, MempoolConfig& m) {
         m.cache_size_loc = in.loc;
         r.set(in, 0, k_max_cache, m.cache_size);
     }},
    {"data_room",
     [](Reader& r, const In& in, MempoolConfig& m) {
         m.data_room_loc = in.loc;
         r.set(in, k_min_data_room, std::numeric_limits<uint16_t>::max(), m.data_room);
     }},
};

const Key<RunConfig> k_run_keys[] = {
    {"duration_s",
     [](Reader& r, const In& in, RunConfig& c) {
         if (auto v = r.number(in, 0)) c.duration_s = *v;
     }},
    {"stats_interval_s",
     [](Reader& r, const In& in, RunConfig& c) {
         if (auto v = r.number(in, 0)) c.stats_interval_s = *v;
     }},
    {"log_level",
     [](Reader& r, const In& in, RunConfig& c) {
         c.log_level_loc = in.loc;
         if (auto s = r.word(in, k_log_levels)) c.log_level = *s;
     }},
};

// ---- measure ------------------------------------------------------------------------------

// Larger sampling periods than this say "almost never", which `latency: false` says better.
constexpr uint64_t k_max_latency_sample = 1u << 20;

const Key<MeasureConfig> k_measure_keys[] = {
    {"latency", [](Reader& r, const In& in, MeasureConfig& m) { r.set(in, m.latency); }},
    {"latency_sample",
     [](Reader& r, const In& in, MeasureConfig& m) {
         r.set(in, 1, k_max_latency_sample, m.latency_sample);
     }},
};

// ---- recovery, faults ---------------------------------------------------------------------

// Bounds that keep a typo from turning into an hour-long wait.
constexpr uint64_t k_max_attempts = 100;
constexpr uint64_t k_max_wait_ms = 600'000;
// The recurrence backoff doubles up to escalate_after times: 60 s << 15 still fits a double's
// milliseconds, and escalating later than the 16th recurrence is a loop by another name.
constexpr uint64_t k_max_recurrence_backoff_ms = 60'000;
constexpr uint64_t k_max_escalate_after = 16;
constexpr uint64_t k_max_storm_resets = 100'000;

const Key<RecoveryConfig> k_recovery_keys[] = {
    {"ladder",
     [](Reader& r, const In& in, RecoveryConfig& c) {
         c.ladder_loc = in.loc;
         c.ladder.clear();
         constexpr std::string_view steps[] = {"reset", "restart", "reattach"};
         r.each_item(in, "a list of recovery steps like [reset, restart, reattach]",
                     [&](const In& item) {
                         auto s = r.word(item, steps);
                         if (!s) return;
                         if (std::find(c.ladder.begin(), c.ladder.end(), *s) != c.ladder.end())
                             r.error(item, "step " + *s + " is listed twice");
                         else
                             c.ladder.push_back(*s);
                     });
     }},
    {"max_attempts",
     [](Reader& r, const In& in, RecoveryConfig& c) { r.set(in, 1, k_max_attempts, c.max_attempts); }},
    {"backoff_ms",
     [](Reader& r, const In& in, RecoveryConfig& c) { r.set(in, 0, k_max_wait_ms, c.backoff_ms); }},
    {"quiesce_timeout_ms",
     [](Reader& r, const In& in, RecoveryConfig& c) {
         r.set(in, 1, k_max_wait_ms, c.quiesce_timeout_ms);
     }},
    {"link_poll_ms",
     [](Reader& r, const In& in, RecoveryConfig& c) { r.set(in, 10, k_max_wait_ms, c.link_poll_ms); }},
    {"tx_stall_ms",
     [](Reader& r, const In& in, RecoveryConfig& c) { r.set(in, 0, k_max_wait_ms, c.tx_stall_ms); }},
    {"rx_stall_ms",
     [](Reader& r, const In& in, RecoveryConfig& c) { r.set(in, 0, k_max_wait_ms, c.rx_stall_ms); }},
    {"first_frame_timeout_ms",
     [](Reader& r, const In& in, RecoveryConfig& c) {
         r.set(in, 1, k_max_wait_ms, c.first_frame_timeout_ms);
     }},
    {"restart_on_link_up",
     [](Reader& r, const In& in, RecoveryConfig& c) {
         constexpr std::string_view modes[] = {"auto", "always", "never"};
         if (auto s = r.word(in, modes)) c.restart_on_link_up = *s;
     }},
    {"recurrence_window_ms",
     [](Reader& r, const In& in, RecoveryConfig& c) {
         r.set(in, 0, k_max_wait_ms, c.recurrence_window_ms);
     }},
    {"recurrence_backoff_ms",
     [](Reader& r, const In& in, RecoveryConfig& c) {
         r.set(in, 0, k_max_recurrence_backoff_ms, c.recurrence_backoff_ms);
     }},
    {"escalate_after",
     [](Reader& r, const In& in, RecoveryConfig& c) {
         r.set(in, 1, k_max_escalate_after, c.escalate_after);
     }},
    {"storm_resets",
     [](Reader& r, const In& in, RecoveryConfig& c) {
         r.set(in, 0, k_max_storm_resets, c.storm_resets);
     }},
    {"storm_window_ms",
     [](Reader& r, const In& in, RecoveryConfig& c) {
         r.set(in, 1, k_max_wait_ms, c.storm_window_ms);
     }},
    {"storm_hold_ms",
     [](Reader& r, const In& in, RecoveryConfig& c) {
         r.set(in, 0, k_max_wait_ms, c.storm_hold_ms);
     }},
    {"removed_poll_ms",
     [](Reader& r, const In& in, RecoveryConfig& c) {
         r.set(in, 10, k_max_wait_ms, c.removed_poll_ms);
     }},
    {"removed_wait_ms",
     [](Reader& r, const In& in, RecoveryConfig& c) {
         r.set(in, 0, uint64_t(86'400'000), c.removed_wait_ms);
     }},
    {"link_up_settle_ms",
     [](Reader& r, const In& in, RecoveryConfig& c) {
         r.set(in, 0, k_max_wait_ms, c.link_up_settle_ms);
     }},
    {"pf_watch_ms",
     [](Reader& r, const In& in, RecoveryConfig& c) {
         if (r.set(in, 0, k_max_wait_ms, c.pf_watch_ms); c.pf_watch_ms > 0 && c.pf_watch_ms < 100)
             r.error(in, std::to_string(c.pf_watch_ms) +
                             " ms would ask the kernel for every VF of the PF too often: give "
                             "0 (off) or 100..600000");
     }},
    {"journal",
     [](Reader& r, const In& in, RecoveryConfig& c) {
         if (auto s = r.text(in, "a file path")) c.journal = *s;
     }},
};

void decode_faults(Reader& r, const In& in, Config& c) {
    r.each_item(in, "a list of fault specs like \"reset:p0@2s\"", [&](const In& item) {
        if (auto s = r.text(item, "a fault spec like \"reset:p0@2s,every=10ms,count=100\""))
            c.faults.push_back({*s, item.loc});
    });
}

// ---- vf_policy ----------------------------------------------------------------------------

// Largest VF index accepted: above what the PMDs we decode support (ixgbe has at most 63 VFs per
// PF, i40e 128), with room for others.
constexpr uint64_t k_max_vf = 255;

const Key<VfMailboxPolicyConfig> k_vf_policy_keys[] = {
    {"pf",
     [](Reader& r, const In& in, VfMailboxPolicyConfig& p) {
         p.pf_loc = in.loc;
         if (auto s = r.text(in, "a port name")) p.pf = *s;
     },
     true},
    {"vf",
     [](Reader& r, const In& in, VfMailboxPolicyConfig& p) {
         p.vf_loc = in.loc;
         if (in.node.IsScalar() && in.node.Scalar() == "all") return;  // vf stays unset: all
         // The usual integer rules (decimal or 0x hex); only the message differs, to offer "all".
         Reader quiet;
         if (auto v = quiet.integer(in, 0, k_max_vf))
             p.vf = static_cast<uint16_t>(*v);
         else
             r.expected(in, "a VF index 0..255 or \"all\"");
     },
     true},
    {"trusted", [](Reader& r, const In& in, VfMailboxPolicyConfig& p) { r.set(in, p.trusted); }},
    {"allow_mac_change",
     [](Reader& r, const In& in, VfMailboxPolicyConfig& p) { r.set(in, p.allow_mac_change); }},
    {"allow_vlan",
     [](Reader& r, const In& in, VfMailboxPolicyConfig& p) { r.set(in, p.allow_vlan); }},
    {"allow_promisc",
     [](Reader& r, const In& in, VfMailboxPolicyConfig& p) { r.set(in, p.allow_promisc); }},
    {"allow_multicast",
     [](Reader& r, const In& in, VfMailboxPolicyConfig& p) { r.set(in, p.allow_multicast); }},
    {"allow_mtu_change",
     [](Reader& r, const In& in, VfMailboxPolicyConfig& p) { r.set(in, p.allow_mtu_change); }},
};

void decode_vf_policy(Reader& r, const In& in, Config& c) {
    r.each_item(in, "a list of VF policies like {pf: p0, vf: 3, trusted: true}",
                [&](const In& item) {
                    // Broken entries too, so c.vf_policy[i] stays "vf_policy[i]" in messages.
                    VfMailboxPolicyConfig& p = c.vf_policy.emplace_back();
                    p.loc = item.loc;
                    decode_map(r, item, k_vf_policy_keys, p);
                });
}

// ---- metrics ------------------------------------------------------------------------------

const Key<MetricsConfig> k_metrics_keys[] = {
    {"enabled", [](Reader& r, const In& in, MetricsConfig& m) { r.set(in, m.enabled); }},
    {"listen",
     [](Reader& r, const In& in, MetricsConfig& m) {
         m.listen_loc = in.loc;
         auto s = r.text(in);
         if (s && parse_listen(*s))
             m.listen = *s;
         else if (s)
             r.expected(in, "an IPv4 address and port like 127.0.0.1:9464 (port 0: any free port)");
     }},
    {"allow_public", [](Reader& r, const In& in, MetricsConfig& m) { r.set(in, m.allow_public); }},
};

// Least privilege: the endpoint answers anyone who can reach it, so a non-loopback address must be
// asked for twice (the address, and allow_public). Checked even when disabled, so turning it on
// later cannot expose it by surprise.
void decode_metrics(Reader& r, const In& in, Config& c) {
    MetricsConfig& m = c.metrics;
    decode_map(r, in, k_metrics_keys, m);
    const auto addr = parse_listen(m.listen);
    if (addr && !addr->loopback() && !m.allow_public && !r.has_error("metrics"))
        r.error(m.listen_loc.line ? m.listen_loc : in.loc, "metrics.listen",
                m.listen + " is not a loopback address, so /metrics would be reachable from "
                "other hosts; set metrics.allow_public: true to allow it");
}

// ---- top level ----------------------------------------------------------------------------

// A section: the map under a top-level key, decoded through its own table into its member.
template <auto Member, const auto& Keys>
void decode_section(Reader& r, const In& in, Config& c) {
    decode_map(r, in, Keys, c.*Member);
}

const Key<Config> k_top_keys[] = {
    {"eal", decode_section<&Config::eal, k_eal_keys>},
    {"ports", decode_ports, true},
    {"forward", decode_section<&Config::forward, k_forward_keys>},
    {"workers", decode_workers},
    {"mempool", decode_section<&Config::mempool, k_mempool_keys>},
    {"run", decode_section<&Config::run, k_run_keys>},
    {"measure", decode_section<&Config::measure, k_measure_keys>},
    {"numa",
     [](Reader& r, const In& in, Config& c) {
         c.numa_loc = in.loc;
         constexpr std::string_view policies[] = {"warn", "strict"};
         if (auto s = r.word(in, policies))
             c.numa = *s == "strict" ? Config::Numa::strict : Config::Numa::warn;
     }},
    {"vf_policy", decode_vf_policy},
    {"recovery", decode_section<&Config::recovery, k_recovery_keys>},
    {"faults", decode_faults},
    {"metrics", decode_metrics},
    {"gen", decode_gen},
};

}  // namespace

Config decode_config(Reader& r, const YAML::Node& root) {
    Config c;
    c.file = r.file;
    const In in{root, "", loc_of(root.Mark())};
    decode_map(r, in, k_top_keys, c);
    return c;
}

}  // namespace vfpath::config::detail
