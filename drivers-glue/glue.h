// drivers-glue: everything that calls the ethdev control API or knows a driver's name.
// Prototypes are grouped by the file that defines them (STYLE §12).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/plan.h"
#include "measure/cp/clock_calibration.h"
#include "measure/dp/hwclock.h"
#include "util/result.h"

struct rte_mempool;

namespace vfpath::glue {

// --- devargs.cpp: turning config port strings into EAL arguments and device names.
// The name DPDK gives the device: a vdev's first devargs token ("net_tap0" of "net_tap0,iface=x"),
// or the full PCI address ("0000:3b:02.0" of "3b:02.0").
std::string device_name(const config::PortConfig& port);
// --vdev / -a arguments for every port, and --no-pci when no port is a PCI device.
std::vector<std::string> device_eal_args(const config::Config& cfg);

// --- caps.cpp: what a probed port offers, as planner facts.
Result<config::PortFacts> port_facts(uint16_t port_id);
// DPDK port id of a config port after probe.
Result<uint16_t> find_port(const config::PortConfig& port);

// --- mempool.cpp: one pktmbuf pool per socket.
Result<rte_mempool*> create_pool(const config::PoolPlan& pool);
unsigned pool_in_use(const rte_mempool* mp);
uint64_t pool_memory_bytes(const rte_mempool* mp);

// --- port.cpp: configure / start / stop / close.
// Configures queues, MTU, MAC, promiscuous mode, RSS as planned, then starts the port.
Status port_setup(uint16_t port_id, const config::PortPlan& port, rte_mempool* pool);
// The port's own MAC (as configured or as the device reports it).
config::MacAddr port_mac(uint16_t port_id);
// Stops and closes the port; errors are logged, not returned (nothing more can be done).
void port_shutdown(uint16_t port_id, const std::string& name);
// The link as the device reports it now, without waiting: the one place that reads it.
struct LinkInfo {
    bool up = false;
    uint64_t speed_bps = 0;  // 0: unknown (a vdev without a nominal speed)
    // A virtual device (vdev bus: net_null, net_ring, net_memif, net_tap, ...) reports a fixed
    // speed that no wire limits: a share of it means nothing.
    bool nominal = false;
};
LinkInfo port_link(uint16_t port_id);
// The PMD's driver name of a probed port ("net_ixgbe"; "" when unknown).
std::string port_driver_name(uint16_t port_id);
// Receives and frees what (port, queue) holds, at most about `limit` frames (whole bursts: a
// device that never runs dry, such as net_null, stops there); returns how many. Only while no
// lcore polls that queue: the generator between phases, a Runtime's ports at shutdown.
uint64_t drain_rx_queue(uint16_t port_id, uint16_t queue, uint64_t limit);

// Per-queue device counters (rte_eth_stats q_*), where the PMD keeps them.
struct QueueHwStats {
    uint64_t ipackets = 0, opackets = 0, ibytes = 0, obytes = 0, errors = 0;
};
struct PortHwStats {
    uint64_t ipackets = 0, opackets = 0, ibytes = 0, obytes = 0;
    uint64_t imissed = 0, ierrors = 0, oerrors = 0, rx_nombuf = 0;
    uint32_t link_speed_mbps = 0;  // 0: unknown or link down
    bool link_speed_nominal = false;  // LinkInfo::nominal
    // The first `queues` queues' device counters; empty when the PMD keeps none (every q_*
    // counter 0 while the port counted frames) or the port has more queues than ethdev's
    // RTE_ETHDEV_QUEUE_STAT_CNTRS.
    std::vector<QueueHwStats> queues;
    // Frames the device dropped or could not handle: imissed + ierrors + rx_nombuf + oerrors.
    uint64_t device_drops() const { return imissed + ierrors + rx_nombuf + oerrors; }
};
// `queues`: how many queues the port has (the larger of rx and tx), for PortHwStats::queues.
PortHwStats port_hw_stats(uint16_t port_id, uint16_t queues = 0);
// Every extended stat the driver offers (rte_eth_xstats_get), by name, in the driver's order;
// empty when it offers none or the port is gone.
struct Xstat {
    std::string name;
    uint64_t value = 0;
};
std::vector<Xstat> port_xstats(uint16_t port_id);

// --- clock.cpp: hardware rx timestamps.
// The mbuf dynamic field and flag of rx timestamps (registered once per process, after EAL init;
// the PMDs that fill it register the same ones).
Result<measure::RxTimestampField> register_rx_timestamp();
// Whether the port's driver implements rte_eth_read_clock at all (not -ENOTSUP).
bool has_read_clock(uint16_t port_id);
// One (device clock, TSC) pair: the best of several rte_eth_read_clock calls, each between two
// TSC reads, stamped at the middle of the narrowest bracket. Control thread.
Result<measure::ClockSample> read_clock_sample(uint16_t port_id);

// --- format.cpp
// rte_eth_dev_get_name_by_port, whose form depends on the DPDK version (compat.h). `name` holds
// RTE_ETH_NAME_MAX_LEN (64) bytes.
int port_name(uint16_t port_id, char (&name)[64]);
// "rte_eth_dev_configure(port 0 net_null0): Invalid argument (-22)"
std::string call_error(const char* call, uint16_t port_id, int ret);

}  // namespace vfpath::glue
