// drivers-glue: the DPDK versions vfpath builds against, and the calls that differ between them.
// The only file with RTE_VERSION checks besides the .cpp files of drivers-glue (see README.md
// "DPDK versions"). Include it from drivers-glue only: other code calls the functions of
// telemetry.h and version.h.
#pragma once

#include <rte_version.h>

// Oldest DPDK vfpath builds against: Debian 12's.
#if RTE_VERSION < RTE_VERSION_NUM(22, 11, 0, 0)
#error "vfpath needs DPDK 22.11 or later (docs/dpdk-versions.md)"
#endif

// 23.03: rte_tel_data_add_{dict,array}_uint and RTE_TEL_UINT_VAL; the _u64 calls are deprecated
// in 24.11 and gone in 25.11. The _int calls take an int64_t (an int before).
#define VFPATH_DPDK_TEL_UINT (RTE_VERSION >= RTE_VERSION_NUM(23, 3, 0, 0))

// 26.11: rte_eth_dev_get_name_by_port(port, name, size) takes the buffer's size. Not built here
// yet (no 26.11 to build against): the call has the two forms in one place, format.cpp.
#define VFPATH_DPDK_NAME_BY_PORT_SIZE (RTE_VERSION >= RTE_VERSION_NUM(26, 11, 0, 0))

// 25.11: the per-queue q_* arrays leave rte_eth_stats; drivers give per-queue counters as xstats
// named rx_q<N>_packets, tx_q<N>_packets, rx_q<N>_bytes, tx_q<N>_bytes, rx_q<N>_errors.
#define VFPATH_DPDK_ETH_STATS_QUEUES (RTE_VERSION < RTE_VERSION_NUM(25, 11, 0, 0))
