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
     {"CPU list string (`\"0-3,8\"`) or one integer",
      "`\"0-1\"`, or the cgroup's CPUs ([operations.md](operations.md), \"Kubernetes\")",
      "\"0-2\"",
      "EAL `-l`: the lcores EAL starts. Ids 0..1023, ranges `a-b` with `a <= b`. "
      "Must include `main_lcore` and every worker's lcore."},
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
     {"integer 0..1023",
      "`0`",
      "0",
      "EAL `--main-lcore`. Runs the control thread, so it cannot be a worker."},
     [](Reader& r, const In& in, EalConfig& e) {
         e.main_lcore_loc = in.loc;
         r.set(in, 0, k_max_lcore, e.main_lcore);
     }},
    {"memory_mb",
     {"integer >= 1",
      "`256`",
      "1024",
      "EAL `-m`: memory to reserve, in MiB."},
     [](Reader& r, const In& in, EalConfig& e) {
         e.memory_mb_loc = in.loc;
         r.set(in, 1, k_max_unsigned, e.memory_mb);
     }},
    {"hugepages",
     {"bool",
      "`false`",
      "true",
      "`false` adds `--no-huge --no-shconf` (plain memory and no shared runtime "
      "files: fine for vdevs; real VFs want hugepages; `--no-shconf` only while "
      "`in_memory` is true)."},
     [](Reader& r, const In& in, EalConfig& e) { r.set(in, e.hugepages); }},
    {"in_memory",
     {"bool",
      "`true`",
      "true",
      "With `hugepages: true`, adds `--in-memory`: no runtime files, so several runs "
      "can go side by side. (Without hugepages EAL refuses `--in-memory`; "
      "`--no-shconf` does that job then.) `false` leaves both out, which net_memif "
      "needs ([gen.md](gen.md)); set a `file_prefix` then."},
     [](Reader& r, const In& in, EalConfig& e) { r.set(in, e.in_memory); }},
    {"file_prefix",
     {"string without `/` or blanks",
      "unset",
      "vfpath",
      "`--file-prefix`, when not empty."},
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
     {"list of strings",
      "`[]`",
      "[\"--log-level=pmd.net.iavf:info\"]",
      "Appended to the EAL arguments verbatim."},
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
     {"MAC, unicast, not all-zero",
      "unset (not compared)",
      "\"02:00:00:00:01:00\"",
      "The VF's MAC address as the PF holds it."},
     [](Reader& r, const In& in, VfPolicy& v) {
         if (auto m = r.mac(in, true)) v.mac = m;
     }},
    {"vlan",
     {"integer 0..4095",
      "unset (not compared)",
      "100",
      "The VF's port VLAN (`0`: none)."},
     [](Reader& r, const In& in, VfPolicy& v) { r.set(in, 0, 4095, v.vlan); }},
    {"qos",
     {"integer 0..7",
      "unset (not compared)",
      "3",
      "The port VLAN's priority."},
     [](Reader& r, const In& in, VfPolicy& v) { r.set(in, 0, 7, v.qos); }},
    {"spoofchk",
     {"bool",
      "unset (not compared)",
      "true",
      "MAC spoof checking on the PF for this VF."},
     [](Reader& r, const In& in, VfPolicy& v) { r.set(in, v.spoofchk); }},
    {"trust",
     {"bool",
      "unset (not compared)",
      "false",
      "Whether the PF trusts the VF."},
     [](Reader& r, const In& in, VfPolicy& v) { r.set(in, v.trust); }},
    {"max_rate",
     {"integer >= 0",
      "unset (not compared)",
      "1000",
      "The VF's maximum tx rate in Mbit/s (`0`: no limit)."},
     [](Reader& r, const In& in, VfPolicy& v) { r.set(in, 0, k_max_unsigned, v.max_tx_rate); }},
};

const Key<PortConfig> k_port_keys[] = {
    {"name",
     {"`[A-Za-z0-9_-]+`, unique",
      "`p<index>` (`p0`, `p1`, …)",
      "west",
      "The port's label in pairs, workers, reports and messages."},
     [](Reader& r, const In& in, PortConfig& p) {
         p.name_loc = in.loc;
         auto s = r.text(in);
         if (s && is_port_name(*s))
             p.name = *s;
         else if (s)
             r.expected(in, "a port name of letters, digits, '_' and '-'");
     }},
    {"device",
     {"string or map",
      "—",
      "\"0000:3b:02.0\"",
      "Either a PCI address `0000:3b:02.0` (the domain may be left out: `3b:02.0`), "
      "a vdev spec starting with `net_`, e.g. `net_null0`, `net_tap0,iface=vf0`, "
      "`net_ring0`, `net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap` (replays `in.pcap`, "
      "writes what it sends to `out.pcap`), or a VF of the Kubernetes SR-IOV device "
      "plugin, `{resource: intel.com/x, index: 0}` ([operations.md](operations.md), "
      "\"Kubernetes\"). "
      "Two ports cannot use the same device (PCI addresses compare with their domain "
      "and case-insensitively; vdevs compare by the name before the first `,`)."},
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
     true,
     device_ref_rows},
    {"rx_queues",
     {"integer 1..1024",
      "`1`",
      "2",
      "Receive queues. The planner also checks the device's limit."},
     [](Reader& r, const In& in, PortConfig& p) {
         p.rx_queues_loc = in.loc;
         r.set(in, 1, k_max_queues, p.rx_queues);
     }},
    {"tx_queues",
     {"integer 1..1024",
      "unset",
      "2",
      "Transmit queues. Unset: one per lcore that transmits on the port."},
     [](Reader& r, const In& in, PortConfig& p) {
         p.tx_queues_loc = in.loc;
         r.set(in, 1, k_max_queues, p.tx_queues);
     }},
    {"rx_desc",
     {"integer 64..32768",
      "`1024`",
      "1024",
      "Descriptors per rx queue (the planner checks the device's min/max/alignment)."},
     [](Reader& r, const In& in, PortConfig& p) {
         p.rx_desc_loc = in.loc;
         r.set(in, k_min_desc, k_max_desc, p.rx_desc);
     }},
    {"tx_desc",
     {"integer 64..32768",
      "`1024`",
      "1024",
      "Descriptors per tx queue."},
     [](Reader& r, const In& in, PortConfig& p) {
         p.tx_desc_loc = in.loc;
         r.set(in, k_min_desc, k_max_desc, p.tx_desc);
     }},
    {"mtu",
     {"integer 68..16000",
      "unset",
      "1500",
      "Set the port's MTU; unset leaves the device's own. A frame (MTU + 26) larger "
      "than one mbuf turns on rx scatter and multi-segment tx ([run.md](run.md), "
      "\"Malformed and unusual frames\")."},
     [](Reader& r, const In& in, PortConfig& p) {
         p.mtu_loc = in.loc;
         r.set(in, k_min_mtu, k_max_mtu, p.mtu);
     }},
    {"mac",
     {"MAC, unicast, not all-zero",
      "unset",
      "\"02:00:00:00:01:00\"",
      "Set the port's own MAC; unset keeps the device's."},
     [](Reader& r, const In& in, PortConfig& p) {
         if (auto m = r.mac(in, true)) p.mac = m;
     }},
    {"promiscuous",
     {"bool",
      "`true`",
      "false",
      "Receive frames for any destination MAC."},
     [](Reader& r, const In& in, PortConfig& p) { r.set(in, p.promiscuous); }},
    {"rss",
     {"bool",
      "unset",
      "true",
      "Spread received flows over the rx queues. Unset: on when `rx_queues > 1`."},
     [](Reader& r, const In& in, PortConfig& p) { r.set(in, p.rss); }},
    {"socket",
     {"integer 0..63",
      "unset",
      "0",
      "NUMA socket of the port. Unset: read from sysfs for PCI devices; vdevs have "
      "none (the first node is used)."},
     [](Reader& r, const In& in, PortConfig& p) {
         p.socket_loc = in.loc;
         r.set(in, 0, k_max_socket, p.socket);
     }},
    {"next_hop",
     {"MAC, not all-zero",
      "unset",
      "\"02:00:00:00:02:ff\"",
      "`l2` mode: the destination MAC written into frames sent on this port. "
      "Required in `l2` mode for every port that transmits."},
     [](Reader& r, const In& in, PortConfig& p) {
         if (auto m = r.mac(in, false)) p.next_hop = m;
     }},
    {"standby",
     {"port name",
      "unset",
      "spare",
      "Failover: the port that takes this one's traffic while it is removed or "
      "failed ([recovery.md](recovery.md)). Must be another port, in no pair, "
      "serving no other port."},
     [](Reader& r, const In& in, PortConfig& p) {
         p.standby_loc = in.loc;
         if (auto s = r.text(in, "a port name")) p.standby = *s;
     }},
    {"latency_clock",
     {"`auto` \\| `tsc` \\| `hw`",
      "`auto`",
      "auto",
      "What times the frames this port receives for latency: the NIC's rx timestamps "
      "(`RTE_ETH_RX_OFFLOAD_TIMESTAMP`) or the TSC. `hw` requires the offload (error "
      "after probe, exit 2); `auto` uses it where offered. See [run.md](run.md), "
      "\"Hardware rx "
      "timestamps\"."},
     [](Reader& r, const In& in, PortConfig& p) {
         p.latency_clock_loc = in.loc;
         if (auto s = r.word(in, latency_clock_names())) p.latency_clock = *parse_latency_clock(*s);
     }},
    {"vf",
     {"map",
      "unset",
      "{mac: \"02:00:00:00:01:00\", vlan: 100, trust: false}",
      "The admin state the PF should hold for this VF, compared by `check` (policy "
      "drift, [check.md](check.md)). It is only compared for VFs of kernel-driven "
      "PFs, and only on the live root."},
     [](Reader& r, const In& in, PortConfig& p) {
         p.vf.emplace().loc = in.loc;
         decode_map(r, in, k_vf_keys, *p.vf);
     },
     false,
     map_rows<k_vf_keys>},
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
     {"`io` \\| `macswap` \\| `l2` \\| `sink`",
      "`io`",
      "l2",
      "`io`: send frames on unchanged. `macswap`: swap source and destination MAC. "
      "`l2`: write the sending port's `next_hop` as destination MAC. `sink`: count "
      "and drop."},
     [](Reader& r, const In& in, ForwardConfig& f) {
         f.mode_loc = in.loc;
         if (auto s = r.word(in, fwd_mode_names())) f.mode = *parse_fwd_mode(*s);
     }},
    {"pairs",
     {"list of `[port, port]`",
      "unset",
      "[[west, east]]",
      "Each pair cross-connects two ports: what one receives, the other sends. `[p0, "
      "p0]` reflects frames out of the port they came in on. A port can be in only "
      "one pair. Unset: ports are paired in order (`p0`↔`p1`, `p2`↔`p3`, …), a last "
      "odd port reflects. An empty list is an error (except in `sink` mode). `sink` "
      "ignores pairs, but their names must still be ports."},
     decode_pairs},
    {"burst",
     {"integer 1..256",
      "`32`",
      "32",
      "Most packets per rx/tx burst."},
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
     {"integer 0..1023",
      "—",
      "1",
      "The lcore this worker runs on. Must be in `eal.lcores`, must not be "
      "`eal.main_lcore`, and at most one worker per lcore."},
     [](Reader& r, const In& in, WorkerConfig& w) {
         w.lcore_loc = in.loc;
         r.set(in, 0, k_max_lcore, w.lcore);
     },
     true},
    {"queues",
     {"list of queue refs, not empty",
      "—",
      "[\"west:0\", \"east:0\"]",
      "The rx queues the worker polls: `\"p0:1\"` is port `p0` rx queue 1, a bare "
      "`\"p0\"` is queue 0 (`- p0: 1` in block style means the same as `- p0:1`). "
      "The queue must be below that port's `rx_queues`, and each (port, queue) "
      "belongs to one worker only."},
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
     {"integer >= 1",
      "unset",
      "16384",
      "Mbufs per socket pool. Unset: computed by the planner (descriptors + lcore "
      "caches + bursts in flight). When set it must be at least the descriptors it "
      "fills, the sum over ports of `rx_queues * rx_desc + tx_queues * tx_desc` (an "
      "unset `tx_queues` counts as `rx_queues`), and at least 1.5 × `cache_size` "
      "(DPDK refuses smaller pools)."},
     [](Reader& r, const In& in, MempoolConfig& m) {
         m.size_loc = in.loc;
         r.set(in, 1, k_max_unsigned, m.size);
     }},
    {"cache_size",
     {"integer 0..512",
      "`256`",
      "256",
      "Per-lcore mbuf cache (512 is `RTE_MEMPOOL_CACHE_MAX_SIZE`)."},
     [](Reader& r, const In& in, MempoolConfig& m) {
         m.cache_size_loc = in.loc;
         r.set(in, 0, k_max_cache, m.cache_size);
     }},
    {"data_room",
     {"integer 384..65535",
      "`2176`",
      "2176",
      "Bytes per mbuf including the 128-byte headroom; `2176` is "
      "`RTE_MBUF_DEFAULT_BUF_SIZE` (2048 + 128)."},
     [](Reader& r, const In& in, MempoolConfig& m) {
         m.data_room_loc = in.loc;
         r.set(in, k_min_data_room, std::numeric_limits<uint16_t>::max(), m.data_room);
     }},
};

const Key<RunConfig> k_run_keys[] = {
    {"duration_s",
     {"number >= 0",
      "`0`",
      "10",
      "Stop after this many seconds; `0` runs until Ctrl-C or SIGTERM."},
     [](Reader& r, const In& in, RunConfig& c) {
         if (auto v = r.number(in, 0)) c.duration_s = *v;
     }},
    {"stats_interval_s",
     {"number >= 0",
      "`1`",
      "0.5",
      "Seconds between live statistics tables; `0` prints none."},
     [](Reader& r, const In& in, RunConfig& c) {
         if (auto v = r.number(in, 0)) c.stats_interval_s = *v;
     }},
    {"log_level",
     {"`trace` \\| `debug` \\| `info` \\| `warn` \\| `error` \\| `critical` \\| `off`",
      "`info`",
      "debug",
      "Log level of vfpath's own loggers; `vfpath run --log-level` overrides it."},
     [](Reader& r, const In& in, RunConfig& c) {
         c.log_level_loc = in.loc;
         if (auto s = r.word(in, k_log_levels)) c.log_level = *s;
     }},
};

// ---- measure ------------------------------------------------------------------------------

// Larger sampling periods than this say "almost never", which `latency: false` says better.
constexpr uint64_t k_max_latency_sample = 1u << 20;

const Key<MeasureConfig> k_measure_keys[] = {
    {"latency",
     {"bool",
      "`false`",
      "true",
      "Dwell latency per rx queue (rx to tx inside vfpath), in the table and the "
      "report."},
     [](Reader& r, const In& in, MeasureConfig& m) { r.set(in, m.latency); }},
    {"latency_sample",
     {"integer 1..1048576",
      "`1`",
      "8",
      "Time one burst in this many per queue; every frame of a timed burst counts."},
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
     {"list of `reset` \\| `restart` \\| `reattach`",
      "`[reset, restart, reattach]`",
      "[reset, restart, reattach]",
      "Steps tried in order; each at most once per pass. `--recovery-ladder` "
      "overrides it."},
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
     {"integer 1..100",
      "`5`",
      "5",
      "Passes over the ladder before the port is marked `failed`."},
     [](Reader& r, const In& in, RecoveryConfig& c) { r.set(in, 1, k_max_attempts, c.max_attempts); }},
    {"backoff_ms",
     {"integer 0..600000",
      "`10`",
      "10",
      "Wait before pass n+1: `backoff_ms << (n-1)`."},
     [](Reader& r, const In& in, RecoveryConfig& c) { r.set(in, 0, k_max_wait_ms, c.backoff_ms); }},
    {"quiesce_timeout_ms",
     {"integer 1..600000",
      "`1000`",
      "1000",
      "Longest wait for every worker to leave a paused port; past it the port is "
      "marked `failed` untouched."},
     [](Reader& r, const In& in, RecoveryConfig& c) {
         r.set(in, 1, k_max_wait_ms, c.quiesce_timeout_ms);
     }},
    {"link_poll_ms",
     {"integer 10..600000",
      "`500`",
      "500",
      "Link state polling, the fallback for devices without LSC."},
     [](Reader& r, const In& in, RecoveryConfig& c) { r.set(in, 10, k_max_wait_ms, c.link_poll_ms); }},
    {"tx_stall_ms",
     {"integer 0..600000",
      "`2000`",
      "2000",
      "Watchdog: frames offered to a port whose link is up but none accepted for "
      "this long → recovery. `0`: off."},
     [](Reader& r, const In& in, RecoveryConfig& c) { r.set(in, 0, k_max_wait_ms, c.tx_stall_ms); }},
    {"rx_stall_ms",
     {"integer 0..600000",
      "`0`",
      "1000",
      "Watchdog: a port that received steadily receives nothing for this long with "
      "its link up → recovery (egress-only ports are never expected to receive). `0` "
      "(default): off."},
     [](Reader& r, const In& in, RecoveryConfig& c) { r.set(in, 0, k_max_wait_ms, c.rx_stall_ms); }},
    {"first_frame_timeout_ms",
     {"integer 1..600000",
      "`1000`",
      "1000",
      "After a recovery, how long to wait for a frame on a port that received "
      "before, before the outcome is \"restarted, no traffic yet\"."},
     [](Reader& r, const In& in, RecoveryConfig& c) {
         r.set(in, 1, k_max_wait_ms, c.first_frame_timeout_ms);
     }},
    {"restart_on_link_up",
     {"`auto` \\| `always` \\| `never`",
      "`auto`",
      "always",
      "Restart a port whose link came back after being down (a VF whose PF may have "
      "reset it); `auto` is drivers-glue's per-driver rule."},
     [](Reader& r, const In& in, RecoveryConfig& c) {
         constexpr std::string_view modes[] = {"auto", "always", "never"};
         if (auto s = r.word(in, modes)) c.restart_on_link_up = *s;
     }},
    {"recurrence_window_ms",
     {"integer 0..600000",
      "`10000`",
      "10000",
      "A fault found again within this long of a recovery's end is a recurrence."},
     [](Reader& r, const In& in, RecoveryConfig& c) {
         r.set(in, 0, k_max_wait_ms, c.recurrence_window_ms);
     }},
    {"recurrence_backoff_ms",
     {"integer 0..60000",
      "`500`",
      "500",
      "Wait before acting on the n-th recurrence: this `<< (n-1)`."},
     [](Reader& r, const In& in, RecoveryConfig& c) {
         r.set(in, 0, k_max_recurrence_backoff_ms, c.recurrence_backoff_ms);
     }},
    {"escalate_after",
     {"integer 1..16",
      "`3`",
      "3",
      "The recurrence that re-attaches; the next one declares the port degraded."},
     [](Reader& r, const In& in, RecoveryConfig& c) {
         r.set(in, 1, k_max_escalate_after, c.escalate_after);
     }},
    {"storm_resets",
     {"integer 0..100000",
      "`10`",
      "10",
      "Recoveries within `storm_window_ms` that make a storm; `0`: off."},
     [](Reader& r, const In& in, RecoveryConfig& c) {
         r.set(in, 0, k_max_storm_resets, c.storm_resets);
     }},
    {"storm_window_ms",
     {"integer 1..600000",
      "`60000`",
      "60000",
      "The storm window."},
     [](Reader& r, const In& in, RecoveryConfig& c) {
         r.set(in, 1, k_max_wait_ms, c.storm_window_ms);
     }},
    {"storm_hold_ms",
     {"integer 0..600000",
      "`10000`",
      "10000",
      "How long a storm holds the port out of service (doubling for storms in a row, "
      "at most 16×)."},
     [](Reader& r, const In& in, RecoveryConfig& c) {
         r.set(in, 0, k_max_wait_ms, c.storm_hold_ms);
     }},
    {"removed_poll_ms",
     {"integer 10..600000",
      "`1000`",
      "1000",
      "After a removal (`INTR_RMV`) whose re-attach found no device `max_attempts` "
      "times, the port waits in state `device_gone` and probes for it this often "
      "(failed probes are counted, not journaled one by one)."},
     [](Reader& r, const In& in, RecoveryConfig& c) {
         r.set(in, 10, k_max_wait_ms, c.removed_poll_ms);
     }},
    {"removed_wait_ms",
     {"integer 0..86400000",
      "`0`",
      "60000",
      "How long a removed device is waited for before the port is `failed`; `0`: as "
      "long as vfpath runs."},
     [](Reader& r, const In& in, RecoveryConfig& c) {
         r.set(in, 0, uint64_t(86'400'000), c.removed_wait_ms);
     }},
    {"link_up_settle_ms",
     {"integer 0..600000",
      "`0`",
      "2000",
      "A restart after the link came back (`restart_on_link_up`) waits this long after the "
      "link returned, for a PF known to take long to bring itself up after a reset (a VF "
      "reset handshake sent meanwhile goes unanswered). The port stays out of service "
      "meanwhile. `0`: restart at once (a slow restart is done again: `slow_restart_ms`)."},
     [](Reader& r, const In& in, RecoveryConfig& c) {
         r.set(in, 0, k_max_wait_ms, c.link_up_settle_ms);
     }},
    {"slow_restart_ms",
     {"integer 0..600000",
      "`1000`",
      "2000",
      "A stop/start that takes longer than this waited out the driver's handshake with its "
      "PF (igbvf after a PF link bounce: 1 s mailbox timeouts), and can leave the VF's tx "
      "disabled though it returned 0: it is done again, twice at most. `0`: never."},
     [](Reader& r, const In& in, RecoveryConfig& c) {
         r.set(in, 0, k_max_wait_ms, c.slow_restart_ms);
     }},
    {"pf_watch_ms",
     {"integer 0 or 100..600000",
      "`1000`",
      "1000",
      "How often the MAC each VF port's PF holds for it is read (rtnetlink, "
      "`IFLA_VF_INFO`) and compared with the port's; a change re-attaches the port. "
      "`0`: off. Only ports that are VFs of a kernel-driven PF on the live host are "
      "watched."},
     [](Reader& r, const In& in, RecoveryConfig& c) {
         if (r.set(in, 0, k_max_wait_ms, c.pf_watch_ms); c.pf_watch_ms > 0 && c.pf_watch_ms < 100)
             r.error(in, std::to_string(c.pf_watch_ms) +
                             " ms would ask the kernel for every VF of the PF too often: give "
                             "0 (off) or 100..600000");
     }},
    {"journal",
     {"string",
      "unset",
      "/var/log/vfpath/journal.jsonl",
      "Append every journal entry to this file as JSON lines; `--journal` overrides "
      "it."},
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
     {"port name",
      "—",
      "pf0",
      "The port that is the PF."},
     [](Reader& r, const In& in, VfMailboxPolicyConfig& p) {
         p.pf_loc = in.loc;
         if (auto s = r.text(in, "a port name")) p.pf = *s;
     },
     true},
    {"vf",
     {"integer 0..255 or `all`",
      "—",
      "3",
      "The VF's index on that PF. `all` covers every VF without an entry of its own. "
      "Each (pf, vf) and each pf's `all` may appear only once."},
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
    {"trusted",
     {"bool",
      "`false`",
      "true",
      "Every request is accepted."},
     [](Reader& r, const In& in, VfMailboxPolicyConfig& p) { r.set(in, p.trusted); }},
    {"allow_mac_change",
     {"bool",
      "`false`",
      "true",
      "Set the VF's MAC (ixgbe `SET_MAC_ADDR`) or add unicast filters (ixgbe "
      "`SET_MACVLAN`, i40e `ADD_ETH_ADDR` with a unicast address)."},
     [](Reader& r, const In& in, VfMailboxPolicyConfig& p) { r.set(in, p.allow_mac_change); }},
    {"allow_vlan",
     {"bool",
      "`false`",
      "true",
      "Add a VLAN filter other than VLAN 0 (ixgbe `SET_VLAN`, i40e `ADD_VLAN`)."},
     [](Reader& r, const In& in, VfMailboxPolicyConfig& p) { r.set(in, p.allow_vlan); }},
    {"allow_promisc",
     {"bool",
      "`false`",
      "true",
      "Unicast promiscuous mode (ixgbe `UPDATE_XCAST_MODE` promisc, i40e "
      "`CONFIG_PROMISCUOUS_MODE` unicast flag)."},
     [](Reader& r, const In& in, VfMailboxPolicyConfig& p) { r.set(in, p.allow_promisc); }},
    {"allow_multicast",
     {"bool",
      "`true`",
      "false",
      "Multicast filters (ixgbe `SET_MULTICAST`, i40e `ADD_ETH_ADDR` with multicast "
      "addresses only) and all-multicast mode."},
     [](Reader& r, const In& in, VfMailboxPolicyConfig& p) { r.set(in, p.allow_multicast); }},
    {"allow_mtu_change",
     {"bool",
      "`false`",
      "true",
      "Frames above 1536 bytes, i.e. an MTU above about 1500 (ixgbe `SET_LPE`; i40e "
      "`CONFIG_VSI_QUEUES`, whose largest rx `max_pkt_size` counts)."},
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
    {"enabled",
     {"bool",
      "`false`",
      "true",
      "Serve `GET /metrics` while forwarding."},
     [](Reader& r, const In& in, MetricsConfig& m) { r.set(in, m.enabled); }},
    {"listen",
     {"`\"A.B.C.D:PORT\"` (IPv4, port 0..65535)",
      "`\"127.0.0.1:9464\"`",
      "\"127.0.0.1:9464\"",
      "Where to listen; port `0` takes a free port, which the log names. Host names "
      "and IPv6 are refused."},
     [](Reader& r, const In& in, MetricsConfig& m) {
         m.listen_loc = in.loc;
         auto s = r.text(in);
         if (s && parse_listen(*s))
             m.listen = *s;
         else if (s)
             r.expected(in, "an IPv4 address and port like 127.0.0.1:9464 (port 0: any free port)");
     }},
    {"allow_public",
     {"bool",
      "`false`",
      "true",
      "Required for a `listen` address outside `127.0.0.0/8`; without it such an "
      "address is a config error."},
     [](Reader& r, const In& in, MetricsConfig& m) { r.set(in, m.allow_public); }},
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
    {"eal",
     {"map",
      "every key's default",
      "{lcores: \"0-2\", memory_mb: 1024}",
      "EAL arguments."},
     decode_section<&Config::eal, k_eal_keys>, false, map_rows<k_eal_keys>},
    {"ports",
     {"list of maps, at least one",
      "—",
      "[{name: p0, device: net_null0}]",
      "The ports. Their order in the list is the DPDK port id "
      "order."},
     decode_ports, true, list_rows<k_port_keys>},
    {"forward",
     {"map",
      "every key's default",
      "{mode: macswap}",
      "What happens to received frames."},
     decode_section<&Config::forward, k_forward_keys>, false,
     map_rows<k_forward_keys>},
    {"workers",
     {"list of maps, at least one",
      "unset",
      "[{lcore: 1, queues: [\"p0:0\"]}]",
      "Which lcore polls which rx queue. Unset: the planner "
      "assigns the rx queues to the EAL lcores other than the main one."},
     decode_workers, false, list_rows<k_worker_keys>},
    {"mempool",
     {"map",
      "every key's default",
      "{cache_size: 256}",
      "Packet buffers, one pool per NUMA socket."},
     decode_section<&Config::mempool, k_mempool_keys>, false,
     map_rows<k_mempool_keys>},
    {"run",
     {"map",
      "every key's default",
      "{duration_s: 10}",
      "Duration, live table and log level of `vfpath run`."},
     decode_section<&Config::run, k_run_keys>, false, map_rows<k_run_keys>},
    {"measure",
     {"map",
      "every key's default",
      "{latency: true}",
      "What the forwarder measures beyond its counters ("
      "[run.md](run.md), \"Measurement in the forwarder\")."},
     decode_section<&Config::measure, k_measure_keys>, false,
     map_rows<k_measure_keys>},
    {"numa",
     {"`warn` \\| `strict`",
      "`warn`",
      "strict",
      "How `run` treats the NUMA findings of the plan ([check.md](check.md)): `warn` "
      "prints each as `warning: numa: ...`; `strict` prints them as errors and "
      "refuses to start (exit 2)."},
     [](Reader& r, const In& in, Config& c) {
         c.numa_loc = in.loc;
         constexpr std::string_view policies[] = {"warn", "strict"};
         if (auto s = r.word(in, policies))
             c.numa = *s == "strict" ? Config::Numa::strict : Config::Numa::warn;
     }},
    {"vf_policy",
     {"list of maps",
      "`[]`",
      "[{pf: pf0, vf: all, allow_vlan: true}]",
      "VF mailbox policy, when vfpath drives a PF with the ixgbe or i40e PMD "
      "([recovery.md](recovery.md), \"VF mailbox "
      "policy\")."},
     decode_vf_policy, false, list_rows<k_vf_policy_keys>},
    {"recovery",
     {"map",
      "every key's default",
      "{ladder: [restart, reattach]}",
      "How a port is brought back ("
      "[recovery.md](recovery.md))."},
     decode_section<&Config::recovery, k_recovery_keys>, false,
     map_rows<k_recovery_keys>},
    {"faults",
     {"list of fault specs",
      "`[]`",
      "[\"reset:p0@1s,every=10ms,count=100\", \"remove:p1@5s\"]",
      "Injected faults, each a spec exactly as `vfpath run --fault` takes it (syntax "
      "in [recovery.md](recovery.md), \"Fault injection\"). A spec naming an unknown "
      "port or badly formed is an error at its line, before EAL starts. `--fault` "
      "adds to the list."},
     decode_faults},
    {"metrics",
     {"map",
      "every key's default",
      "{enabled: true}",
      "The Prometheus endpoint ("
      "[operations.md](operations.md), \"Prometheus metrics\")."},
     decode_metrics, false, map_rows<k_metrics_keys>},
    {"gen",
     {"map",
      "unset",
      "{tx: [p0], rx: [p1], rate: 1Mpps, size: 64}",
      "The traffic generator's job, read by `vfpath gen` and `vfpath bench` "
      "([gen.md](gen.md))."},
     decode_gen, false, gen_rows},
};

}  // namespace

Config decode_config(Reader& r, const YAML::Node& root) {
    Config c;
    c.file = r.file;
    const In in{root, "", loc_of(root.Mark())};
    decode_map(r, in, k_top_keys, c);
    return c;
}

KeyRows schema_rows() {
    KeyRows rows;
    rows_of<k_top_keys>(rows, "");
    return rows;
}

}  // namespace vfpath::config::detail
