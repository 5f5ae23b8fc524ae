// The published view: one immutable picture of a running job, built by the control thread
// (lib/control/cp/publisher.h) and read by other threads (DPDK telemetry, the /metrics server).
// Readers hold it through std::shared_ptr<const View>, so it stays valid while they render it,
// whatever the control thread publishes meanwhile. Plain values only, so lib/report stays below
// lib/control.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dataplane/api.h"
#include "report/api.h"

namespace vfpath::report {

struct PoolUse {
    std::string name;
    int socket = 0;
    unsigned size = 0;    // mbufs
    unsigned in_use = 0;  // mbufs taken from the pool (rte_mempool_in_use_count), caches included
};

// One journal entry (lib/control/cp/journal.h), copied.
struct EventLine {
    double t_s = 0;  // seconds since forwarding started
    std::string port, kind, detail;
};

struct View {
    uint64_t seq = 0;                          // 1, 2, ... in publishing order
    std::shared_ptr<const config::Plan> plan;  // the same for every view of a run
    dataplane::Snapshot snap;                  // counters, hw stats, latency, lcores
    std::vector<PortHealth> health;            // per plan port (empty before recovery is set up)
    std::vector<std::string> port_states;      // every state a port can be in, for enum metrics
    std::vector<PoolUse> pools;                // plan order
    std::vector<EventLine> recent;             // newest last, at most k_view_events
    uint64_t journal_total = 0;                // entries journaled since the start
    uint64_t faults_requested = 0;             // faults asked for by a reader (/vfpath/fault)
    DpdkVersions dpdk;                         // built against, running on
    bool latency_on = false;                   // workers time dwell latency now (ctl latency)
};

// How many of the newest journal entries a view carries.
inline constexpr size_t k_view_events = 32;

// Bin k of LcoreSnapshot::rx_bursts: the polls that returned min..max frames. Bin 0: empty
// polls; bin k >= 1: 2^(k-1) .. 2^k - 1 (the last bin can only hold k_max_burst, its min).
struct BurstBin {
    uint64_t min = 0, max = 0;
};
BurstBin burst_bin(size_t k);
// The same bin as text: "0", "1", "2-3", "4-7", ..., "128-255", "256".
std::string burst_bin_label(size_t k);

}  // namespace vfpath::report
