// Planner: config + host facts + device facts -> the plan, a plain value that `run` executes and
// `check` prints. Which lcore polls which (port, queue), which tx queue each lcore owns on each
// port, which mempool serves which socket and how large it is. Pure: no DPDK, no sysfs.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/api.h"

namespace vfpath::config {

// What the host offers, read by topology/ (or made up by a test).
struct CpuFacts {
    unsigned id = 0;
    int node = 0;
};
// A hugetlb limit of this process's cgroup (a container's hugepages-2Mi/1Gi limit).
struct HugepageLimit {
    unsigned long page_kb = 0;      // 2048, 1048576
    std::optional<uint64_t> bytes;  // nullopt: no limit ("max")
    std::string source;             // the file it came from, for messages
};
struct HostFacts {
    std::vector<CpuFacts> cpus;  // online CPUs
    // The CPUs this process's cgroup may run on (cpuset.cpus.effective): in a container, the CPU
    // manager's grant. nullopt: not known (no cpuset controller).
    std::optional<std::vector<unsigned>> cgroup_cpus;
    std::string cgroup_cpus_source;
    std::vector<HugepageLimit> hugepage_limits;  // per page size; empty: no hugetlb controller
    const CpuFacts* find_cpu(unsigned id) const;
    // cgroup_cpus when the cgroup leaves out some online CPU (a container or a slice pinned to
    // part of the machine); nullopt when it allows every online CPU or is unknown.
    std::optional<std::vector<unsigned>> restricted_cpus() const;
};

// What a device offers. Before probe only `socket` may be known (sysfs for PCI, config for
// vdevs); after probe every field comes from rte_eth_dev_info and the plan is checked again.
struct PortFacts {
    int socket = -1;  // -1: unknown (treated as the first node)
    bool probed = false;
    uint16_t max_rx_queues = std::numeric_limits<uint16_t>::max();
    uint16_t max_tx_queues = std::numeric_limits<uint16_t>::max();
    uint16_t rx_desc_min = 0, rx_desc_max = std::numeric_limits<uint16_t>::max(), rx_desc_align = 1;
    uint16_t tx_desc_min = 0, tx_desc_max = std::numeric_limits<uint16_t>::max(), tx_desc_align = 1;
    uint64_t rss_offloads = ~0ull;  // flow types the device can hash; 0: no RSS
    uint32_t max_mtu = std::numeric_limits<uint32_t>::max();
    uint32_t min_mtu = 0;
    bool rx_scatter = true;    // can receive one frame into several mbufs
    bool tx_multi_seg = true;  // can send a frame made of several mbufs
    // Hardware rx timestamps: the device offers RTE_ETH_RX_OFFLOAD_TIMESTAMP, and its driver
    // implements rte_eth_read_clock (needed to map the timestamps onto the TSC). Unknown, so
    // false, before probe.
    bool rx_timestamp = false;
    bool read_clock = false;
};

inline constexpr uint16_t k_no_port = std::numeric_limits<uint16_t>::max();

struct PortPlan {
    uint16_t index = 0;  // position in config.ports == DPDK port id order of probing
    std::string name;
    std::string device;
    std::string device_source;  // "intel.com/x[0]" when the device plugin named the device
    int socket = 0;
    uint16_t rx_queues = 1, tx_queues = 1;
    uint16_t rx_desc = 1024, tx_desc = 1024;
    bool rss = false;
    std::optional<uint16_t> mtu;
    std::optional<MacAddr> mac;
    bool promiscuous = true;
    uint16_t peer = k_no_port;  // where frames received here are sent (sink: none)
    uint16_t standby = k_no_port;      // takes this port's traffic while it is removed/failed
    uint16_t standby_for = k_no_port;  // this port is the standby of that one
    std::optional<MacAddr> next_hop;
    uint16_t pool = 0;  // index into Plan::pools
    // The largest frame (MTU + Ethernet header, two VLAN tags and FCS) may need several mbufs:
    // `segs` of them. Then rx scatter is on here and multi-segment tx on the ports it sends to.
    uint16_t segs = 1;
    bool scatter = false;
    bool tx_multi_seg = false;
    // Latency of frames received here: ports[].latency_clock as written, and what the planner
    // made of it. `rx_timestamp`: the rx timestamp offload is enabled and latency uses the NIC's
    // timestamps (the "hw" clock); otherwise the TSC, and `latency_clock_why` says why
    // ("net_null0 does not offer RTE_ETH_RX_OFFLOAD_TIMESTAMP").
    LatencyClock latency_clock = LatencyClock::automatic;
    bool rx_timestamp = false;
    std::string latency_clock_why;
    // Whether the forwarder prefetches the headers of frames received here before it rewrites
    // them (macswap, l2): false where the rx burst leaves each frame in the polling core's cache
    // (device_rx_in_cache), where a prefetch only costs a load slot.
    bool prefetch_headers = true;
};

// One (port, rx queue) polled by a worker, and where its frames go.
struct RxAssign {
    uint16_t port = 0, queue = 0;
    uint16_t tx_port = k_no_port, tx_queue = 0;
};

struct LcorePlan {
    unsigned lcore = 0;
    int socket = 0;
    std::vector<RxAssign> rx;
};

struct PoolPlan {
    std::string name;  // "vfpath_s<socket>"
    int socket = 0;
    unsigned size = 0;
    unsigned cache_size = 0;
    uint16_t data_room = 0;
    unsigned needed = 0;  // the computed minimum (descriptors + caches + bursts in flight)
    bool automatic = true;
    // false: only vdevs that copy with the CPU use the pool (device_needs_iova), so its mbufs
    // need no IOVA-contiguous buffers and are packed back to back. With IOVA contiguity on 4 KiB
    // pages (no hugepages) DPDK puts one 2,368-byte mbuf per page, every header at the same page
    // offset and in the same few L1 sets.
    bool iova_contig = true;
};

// Whether a port's device may DMA into mbufs: PCI devices and every vdev that is not known to
// copy with the CPU (net_null, net_ring, net_pcap, net_tap, net_memif without zero-copy).
bool device_needs_iova(std::string_view device);
// Whether a port's rx burst leaves each frame's first bytes in the polling core's cache: vdevs
// that copy the frame into the mbuf on that core (net_pcap, net_tap, net_memif without
// zero-copy) and net_null (it hands out buffers the core itself just freed). Not net_ring (its
// mbufs come from whichever core enqueued them), not memif zero-copy (the peer's core wrote the
// buffer), not PCI devices or unknown vdevs (DMA).
bool device_rx_in_cache(std::string_view device);
// Whether a pool on `socket` must stay IOVA-contiguous: some port of `ports` there may DMA.
bool pool_needs_iova(const std::vector<PortPlan>& ports, int socket);

// Hugepage bytes one mbuf of a pool takes beyond its data room (RTE_PKTMBUF_HEADROOM is inside
// the data room): struct rte_mbuf (128) and the mempool's object header (64; the trailer is
// empty without RTE_LIBRTE_MEMPOOL_DEBUG). Measured on DPDK 22.11 (rte_mempool_calc_obj_size,
// rte_mempool_mem_iter): 2,368 B per mbuf of data room 2,176. Exact for data rooms that are
// multiples of 128; other objects are padded to an odd number of whole cache lines, up to 127 B
// more. Not counted: each pool's ring (8 B per slot, the count rounded up to a power of two) and
// its fixed part (about 1 MiB: the mempool with its per-lcore caches). Used by the planner's
// hugetlb-limit check and by `check`'s free-hugepages check.
inline constexpr unsigned k_mbuf_overhead = 128 + 64;

struct Plan {
    FwdMode mode = FwdMode::io;
    uint16_t burst = 32;
    bool latency = false;         // measure.latency
    uint32_t latency_sample = 1;  // measure.latency_sample
    unsigned main_lcore = 0;
    std::vector<unsigned> eal_lcores;
    std::vector<PortPlan> ports;
    std::vector<LcorePlan> lcores;  // workers only, sorted by lcore id
    std::vector<PoolPlan> pools;    // one per socket that has ports
};

struct PlanResult {
    std::optional<Plan> plan;
    std::vector<Diag> errors;
    std::vector<Diag> warnings;
};

// Host-derived defaults, applied to the config before planning so that `run` (EAL arguments
// included) and `check` see the same values: when the config names no CPU (no eal.lcores,
// eal.main_lcore or workers) and the cgroup restricts the CPUs, eal.lcores becomes those CPUs
// and eal.main_lcore the first of them. EalConfig::lcores_source then says where they came from.
void apply_host_defaults(Config& cfg, const HostFacts& host);

// `ports` holds one entry per config port (same order).
PlanResult build_plan(const Config& cfg, const HostFacts& host, std::span<const PortFacts> ports);

// Human-readable plan, as `vfpath check` prints it.
std::string format_plan(const Plan& plan);

}  // namespace vfpath::config
