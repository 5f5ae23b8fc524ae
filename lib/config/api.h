// vfpath configuration: YAML text -> validated, immutable value structs.
// No DPDK headers here: this builds and tests without EAL.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace vfpath::config {

// Where a value came from, for error messages ("file:line:col"). Lines and columns are 1-based;
// 0 means "no position" (a value that was defaulted, not written).
struct Loc {
    int line = 0;
    int col = 0;
};

// One user-facing error: `file:line:col: key.path: message`.
struct Diag {
    std::string file;
    Loc loc;
    std::string path;     // key path, e.g. "ports[1].rx_queues"
    std::string message;  // what is wrong and what is allowed
    std::string str() const;
};

using MacAddr = std::array<uint8_t, 6>;

// Parses "aa:bb:cc:dd:ee:ff" (case-insensitive, ':' or '-' separators). nullopt when malformed.
std::optional<MacAddr> parse_mac(std::string_view s);
std::string format_mac(const MacAddr& m);

enum class FwdMode : uint8_t { io, macswap, l2, sink };
std::string_view to_string(FwdMode m);
std::optional<FwdMode> parse_fwd_mode(std::string_view s);

// Which clock times the frames a port receives (latency): the TSC, read after rte_eth_rx_burst,
// or the NIC's own rx timestamp (RTE_ETH_RX_OFFLOAD_TIMESTAMP) mapped onto the TSC. `automatic`
// ("auto" in YAML) takes the NIC's where the device offers it and latency is measured there.
enum class LatencyClock : uint8_t { automatic, tsc, hw };
std::string_view to_string(LatencyClock c);  // "auto", "tsc", "hw"
std::optional<LatencyClock> parse_latency_clock(std::string_view s);

struct EalConfig {
    std::string lcores = "0-1";  // EAL -l list; the main lcore must be in it
    unsigned main_lcore = 0;
    unsigned memory_mb = 256;    // -m
    bool hugepages = false;      // false -> --no-huge
    bool in_memory = true;       // --in-memory (no shared files; lets runs go side by side)
    std::string file_prefix;     // --file-prefix, when not empty
    std::vector<std::string> extra_args;
    Loc lcores_loc, main_lcore_loc, memory_mb_loc;
    // Set by apply_host_defaults (plan.h) when `lcores` was not written and came from the host,
    // e.g. "cgroup cpuset /sys/fs/cgroup/cpuset.cpus.effective"; empty otherwise.
    std::string lcores_source;
};

// Admin state the PF should hold for the VF behind a port (IFLA_VF_* over rtnetlink).
// `vfpath check` compares it with what the PF reports ("policy drift"); unset fields are not
// compared.
struct VfPolicy {
    std::optional<MacAddr> mac;
    std::optional<uint16_t> vlan;  // 0: no VLAN
    std::optional<uint8_t> qos;
    std::optional<bool> spoofchk, trust;
    std::optional<uint32_t> max_tx_rate;  // Mbit/s; 0: no limit
    Loc loc;
};

// ports[].device as {resource: R, index: N} or {resource: R, match: {KEY: VALUE}}: a VF the
// Kubernetes SR-IOV network device plugin gave this container, read at load time from
// PCIDEVICE_<R> (its PCI addresses) and PCIDEVICE_<R>_INFO (JSON per device).
struct DeviceRef {
    std::string resource;                      // "intel.com/intel_sriov_dpdk"
    std::string env_var;                       // "PCIDEVICE_INTEL_COM_INTEL_SRIOV_DPDK"
    std::optional<unsigned> index;             // position in the list (default 0)
    std::map<std::string, std::string> match;  // `extra` info the device must carry
    std::vector<std::string> providers;        // what _INFO reports: "generic", "vfio", ...
    std::string vfio_dev;                      // _INFO vfio dev-mount, e.g. "/dev/vfio/61"
    std::string str() const;                   // "intel.com/x[0]", "intel.com/x{side=west}"
};
// The variable the device plugin sets for a resource: "intel.com/x_y" -> "PCIDEVICE_INTEL_COM_X_Y".
std::string device_plugin_env_var(std::string_view resource);

struct PortConfig {
    std::string name;     // user label, unique; default "p<index>"
    std::string device;   // PCI address "0000:3b:02.0" or vdev spec "net_null0,..."
    std::optional<DeviceRef> device_ref;  // set: `device` came from the SR-IOV device plugin
    uint16_t rx_queues = 1;
    std::optional<uint16_t> tx_queues;  // unset: as many as lcores transmit on the port
    uint16_t rx_desc = 1024;
    uint16_t tx_desc = 1024;
    std::optional<uint16_t> mtu;
    std::optional<MacAddr> mac;       // set the port's own MAC
    bool promiscuous = true;
    std::optional<bool> rss;          // unset: on when rx_queues > 1
    std::optional<int> socket;        // NUMA socket override (vdevs have none of their own)
    std::optional<MacAddr> next_hop;  // l2 mode: destination MAC of frames leaving this port
    // Failover: the port that takes this one's traffic while it is removed or failed (typically a
    // virtio or tap port next to a VF that live migration detaches).
    std::optional<std::string> standby;
    Loc standby_loc;
    std::optional<VfPolicy> vf;       // PCI VFs: the admin state `check` expects on the PF
    LatencyClock latency_clock = LatencyClock::automatic;
    Loc latency_clock_loc;
    Loc loc;                          // the port's map in the file
    Loc device_loc, rx_queues_loc, tx_queues_loc, rx_desc_loc, tx_desc_loc, mtu_loc, socket_loc;
    Loc name_loc;                     // line 0 when the name is the default "p<index>"

    bool is_pci() const;  // device looks like a PCI address
};

// (port, rx queue) that a worker polls.
struct QueueRef {
    std::string port;
    uint16_t queue = 0;
    Loc loc;
};

struct WorkerConfig {
    unsigned lcore = 0;
    std::vector<QueueRef> queues;
    Loc loc;
    Loc lcore_loc;
};

struct ForwardConfig {
    FwdMode mode = FwdMode::io;
    // Each pair cross-connects two ports (a port paired with itself reflects). Unset: ports are
    // paired in order (0<->1, 2<->3, ...), a last odd port with itself. Ignored by `sink`.
    std::optional<std::vector<std::array<std::string, 2>>> pairs;
    uint16_t burst = 32;
    Loc mode_loc, pairs_loc, burst_loc;
    std::vector<std::array<Loc, 2>> pair_locs;  // parallel to *pairs: where each name was written
};

// RTE_PKTMBUF_HEADROOM of Debian's DPDK build: the part of each mbuf's data room in front of the
// frame, which a frame cannot use. Config sits below DPDK, so the number is written here once;
// drivers-glue/mempool.cpp checks it against DPDK's at compile time.
inline constexpr unsigned k_mbuf_headroom = 128;

struct MempoolConfig {
    std::optional<unsigned> size;   // mbufs per socket pool; unset: computed by the planner
    unsigned cache_size = 256;      // per-lcore cache
    uint16_t data_room = 2176;      // RTE_MBUF_DEFAULT_BUF_SIZE: 2048 + headroom 128
    Loc size_loc, cache_size_loc, data_room_loc;
};

// vf_policy[]: what the VFs of a PF that vfpath drives (ixgbe or i40e PMD) may ask of it over the
// VF mailbox. drivers-glue/mailbox.h applies it; a trusted VF may ask anything.
struct VfMailboxPolicyConfig {
    std::string pf;              // a port name
    std::optional<uint16_t> vf;  // VF index 0..255; unset: "all" (VFs without their own entry)
    bool trusted = false;
    bool allow_mac_change = false;
    bool allow_vlan = false;
    bool allow_promisc = false;
    bool allow_multicast = true;
    bool allow_mtu_change = false;
    Loc loc, pf_loc, vf_loc;
};

// measure: what the forwarder measures beyond its counters (issue 3).
struct MeasureConfig {
    bool latency = false;          // dwell latency per rx queue (rx -> tx inside vfpath)
    uint32_t latency_sample = 1;   // time 1 burst in N (every frame of a timed burst counts)
    // Not a YAML key: the ports whose received frames are timed, set by lib/gen (gen.rx). Unset:
    // every port when `latency` is on and the mode sends frames (not sink). The planner resolves
    // ports[].latency_clock: auto against it.
    std::optional<std::vector<std::string>> timed_rx_ports;
};

struct RunConfig {
    double duration_s = 0;        // 0: until Ctrl-C / SIGTERM
    double stats_interval_s = 1;  // 0: no live table
    std::string log_level = "info";
    Loc log_level_loc;
};

// recovery: how the control thread brings a port back (lib/control/cp/recovery.h). Defaults
// here are the ones documented in the README.
struct RecoveryConfig {
    std::vector<std::string> ladder{"reset", "restart", "reattach"};
    unsigned max_attempts = 5;
    unsigned backoff_ms = 10;
    unsigned quiesce_timeout_ms = 1000;
    unsigned link_poll_ms = 500;
    unsigned tx_stall_ms = 2000;  // watchdog; 0: off
    unsigned rx_stall_ms = 0;     // watchdog; 0: off
    unsigned first_frame_timeout_ms = 1000;  // after a recovery, wait this long for a frame
    // Restart a port whose link went down and came back: auto (drivers-glue's per-driver rule:
    // VFs whose PF may have reset them), always, never.
    std::string restart_on_link_up = "auto";
    // A fault found again within recurrence_window_ms of a recovery backs off
    // (recurrence_backoff_ms, doubling), re-attaches at the escalate_after-th time, then the
    // port is declared degraded.
    unsigned recurrence_window_ms = 10000;
    unsigned recurrence_backoff_ms = 500;
    unsigned escalate_after = 3;
    // Reset storm: storm_resets recoveries within storm_window_ms (0: off) hold the port for
    // storm_hold_ms (doubling for storms in a row), on its standby if it has one.
    unsigned storm_resets = 10;
    unsigned storm_window_ms = 60000;
    unsigned storm_hold_ms = 10000;
    // A removed device that re-attaching cannot find is probed again every removed_poll_ms, for
    // removed_wait_ms at most (0: as long as vfpath runs), then the port is failed.
    unsigned removed_poll_ms = 1000;
    unsigned removed_wait_ms = 0;
    // How often the MAC a VF port's PF holds for it is compared with the port's (0: never);
    // a PF-set MAC re-attaches the port, which takes it.
    unsigned pf_watch_ms = 1000;
    // A restart after the link came back (restart_on_link_up) waits this long first: the PF may
    // still be bringing itself up.
    unsigned link_up_settle_ms = 1000;
    std::string journal;          // JSON-lines file; empty: in memory only
    Loc ladder_loc;
};

// faults[]: fault injection specs, as for `vfpath run --fault` (parsed by lib/control).
struct FaultText {
    std::string text;
    Loc loc;
};

// metrics: the Prometheus text endpoint `GET /metrics` (lib/control/cp/metrics_server.h). Off by
// default; it binds to loopback only, unless allow_public says otherwise.
struct MetricsConfig {
    bool enabled = false;
    std::string listen = "127.0.0.1:9464";  // IPv4 address:port; port 0 picks a free port
    bool allow_public = false;              // required for a non-loopback listen address
    Loc listen_loc;
};

// An IPv4 listen address "A.B.C.D:PORT" (PORT 0..65535).
struct ListenAddr {
    std::array<uint8_t, 4> ip{};
    uint16_t port = 0;
    bool loopback() const { return ip[0] == 127; }  // 127.0.0.0/8 (RFC 1122 3.2.1.3)
};
// nullopt when malformed (a host name, IPv6, a missing or out-of-range port).
std::optional<ListenAddr> parse_listen(std::string_view s);

// gen: what the traffic generator (`vfpath gen`) sends and where it listens. Rates and sizes are
// kept as parsed; turning a rate into frames per second needs the link speed and the mean frame
// size, which lib/gen knows after probe. The CLI parses its --rate and --size overrides with the
// same functions the loader uses.
struct RateSpec {
    enum class Unit : uint8_t {
        max,      // unpaced: as fast as the port takes frames
        pps,      // frames per second
        bps,      // bits per second of Ethernet frames, FCS included (RFC 2544 frame size)
        percent,  // percent of the port's link speed on the wire (frame + 20 bytes per frame)
    };
    Unit unit = Unit::max;
    double value = 0;  // in the unit; unused for max
};
// "max", "1000" or "1000pps", "250kpps", "1.5Mpps", "500Mbit", "10Gbit", "2.5Gbps", "10%". The
// prefixes k, M, G are case-insensitive; "bps" means bit/s. The value must be > 0; more than 100%
// is accepted (the pacer just cannot keep up). nullopt, with what is wrong in *why, when malformed.
std::optional<RateSpec> parse_rate(std::string_view s, std::string* why = nullptr);
std::string to_string(const RateSpec& r);

// Frame sizes in bytes, FCS included (RFC 2544), as one period of the sequence the generator
// repeats in order.
struct SizeSpec {
    std::vector<uint32_t> pattern{64};
    std::string name = "64";  // "64", "64,128,1518", "imix"
};
inline constexpr uint32_t k_min_frame_size = 64;    // the Ethernet minimum
inline constexpr uint32_t k_max_frame_size = 9216;  // the largest jumbo frame NICs take
// The "simple IMIX": IP packets of 40, 576 and 1500 bytes in the ratio 7:4:1, i.e. Ethernet frames
// of 64 (40 + 18, padded to the minimum), 594 and 1518 bytes, mean 361.83 bytes. Interleaved so
// that every 12 consecutive frames hold the exact mix.
inline constexpr uint32_t k_imix_pattern[12] = {64, 594, 64, 64, 594, 64,
                                                1518, 64, 594, 64, 64, 594};
// "64", "64,128,256" (round robin) or "imix"; each size in k_min_frame_size..k_max_frame_size.
std::optional<SizeSpec> parse_sizes(std::string_view s, std::string* why = nullptr);
double mean_size(const SizeSpec& s);

inline constexpr uint32_t k_max_flows = 65535;  // flow f: 198.18.0.0 + f -> 198.19.0.0 + f

struct GenConfig {
    std::vector<std::string> tx;  // ports that send; each tx queue of each is one probe stream
    std::vector<std::string> rx;  // ports whose frames are analyzed (may overlap tx); empty: none
    RateSpec rate;                // per tx port; default max (unpaced)
    SizeSpec size;
    uint32_t flows = 1;           // distinct (src IP, dst IP, src port, dst port) tuples
    double probe_share = 1;       // 0..1: share of frames that carry a probe header
    double duration_s = 10;       // measured phase; 0: no time limit
    uint64_t count = 0;           // frames per tx port in the measured phase; 0: no limit
    double warmup_s = 0;          // sent before the measured phase and not counted in it
    double drain_ms = 100;        // a phase ends once tx has stopped and rx was quiet this long
    uint16_t burst = 32;
    Loc loc, tx_loc, rx_loc, rate_loc, size_loc;
    std::vector<Loc> tx_item_locs, rx_item_locs;  // parallel to tx / rx
};

struct Config {
    std::string file;  // where it was read from ("<built-in default>" for the default)
    EalConfig eal;
    std::vector<PortConfig> ports;
    ForwardConfig forward;
    std::optional<std::vector<WorkerConfig>> workers;  // unset: automatic assignment
    MempoolConfig mempool;
    RunConfig run;
    MeasureConfig measure;
    // NUMA misplacement (lcores, pools and devices on different nodes): `run` warns and starts
    // (warn), or refuses to start (strict).
    enum class Numa : uint8_t { warn, strict } numa = Numa::warn;
    Loc numa_loc;
    RecoveryConfig recovery;
    std::vector<FaultText> faults;
    std::vector<VfMailboxPolicyConfig> vf_policy;  // empty: every VF gets the default (untrusted)
    MetricsConfig metrics;
    std::optional<GenConfig> gen;                  // `vfpath gen` only; `run` ignores it

    const PortConfig* find_port(std::string_view name) const;
};

// ---- Environment (env.cpp) ------------------------------------------------------------------
// Config values may hold ${VAR}, ${VAR:-default} (also used when VAR is set but empty) and $$ (a
// literal '$'); ports[].device may name a Kubernetes SR-IOV device plugin resource, read from its
// PCIDEVICE_* variables. The environment is a lookup (nullopt: not set), so loading stays pure.
using Env = std::function<std::optional<std::string>(const std::string& name)>;
Env process_env();                                     // getenv
Env fixed_env(std::map<std::string, std::string> vars);  // tests, tools
// Expands one value; the error names the variable or the malformed part.
Result<std::string> expand_vars(std::string_view text, const Env& env);

// Result of loading: a config when `errors` is empty. Every error found is listed, not only the
// first, each with file:line:col and the key path.
struct LoadResult {
    std::optional<Config> config;
    std::vector<Diag> errors;
};

// Parses and validates YAML text; `file` names it in messages. Checks everything that can be
// checked without the host or devices (types, ranges, unknown keys, references between keys).
// `env` serves ${VAR} and PCIDEVICE_* lookups.
LoadResult load_string(std::string_view text, std::string_view file,
                       const Env& env = process_env());
// Reads the file, then load_string. A missing/unreadable file is an error naming it.
LoadResult load_file(const std::string& path, const Env& env = process_env());

// The built-in default job (the same text as config/default.yaml).
std::string_view default_config_text();
inline constexpr std::string_view k_default_config_name = "<built-in default>";

// Parses an EAL-style CPU list "0-3,8,10-11" into sorted unique ids. nullopt when malformed.
std::optional<std::vector<unsigned>> parse_cpu_list(std::string_view s);

}  // namespace vfpath::config
