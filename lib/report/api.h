// Reports: the JSON report (--report), the live table and the final summary.
// Reads snapshots only; never touches a worker.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "dataplane/api.h"
#include "util/result.h"

namespace vfpath::report {

// What recovery did for one port (filled by lib/control; plain values so report stays below it).
struct PortHealth {
    std::string state = "running";
    uint64_t events = 0;
    std::vector<std::pair<std::string, uint64_t>> events_by_type;
    uint64_t resets = 0, removals = 0, recovered = 0, failed = 0, link_changes = 0;
    uint64_t restarted_no_traffic = 0, degraded = 0, recurrences = 0, escalations = 0;
    uint64_t mac_changes = 0, link_bounce_restarts = 0;
    uint64_t storms = 0;         // reset storms declared
    uint64_t counter_jumps = 0;  // device counters counted from a new base (went back or jumped)
    uint64_t dropped_during_recovery = 0;
    uint64_t watchdog_triggers = 0;
    // Operator actions (vfpath ctl port stop|start|restart), apart from faults and recoveries.
    uint64_t admin_stops = 0, admin_starts = 0, admin_restarts = 0;
    std::string standby;  // empty: none
    uint64_t failovers = 0;
    bool on_standby = false;
    std::vector<double> recovery_ms;
    struct VfMailbox {
        uint16_t vf;
        uint64_t accepted, refused;
    };
    std::vector<VfMailbox> vf_mailbox;  // PF ports driven by vfpath: requests per VF
};

// Which DPDK: the version vfpath was built against (its headers) and the one it runs on
// (rte_version()), both as "22.11.11". Filled by lib/control from drivers-glue.
struct DpdkVersions {
    std::string built, running;
};

struct RunInfo {
    DpdkVersions dpdk;
    std::string config_file;
    double duration_s = 0;
    std::string stop_reason;  // "duration", "SIGINT", "SIGTERM"
    std::vector<PortHealth> health;  // per plan port; empty: no control loop ran
    nlohmann::json journal = nlohmann::json::array();
    nlohmann::json timeline = nlohmann::json::array();  // timeline_entry() per stats interval
};

// One sample of the run's throughput over time, between two snapshots:
// {"t_s", "ports": [{"name", "rx_pps", "tx_pps", "rx_bps", "tx_bps", "drops_per_s"}]}.
nlohmann::json timeline_entry(const config::Plan& plan, const dataplane::Snapshot& prev,
                              const dataplane::Snapshot& now);

nlohmann::json to_json(const config::Plan& plan, const dataplane::Snapshot& final_snap,
                       const dataplane::ShutdownReport& shut, const RunInfo& info);
// Writes atomically (temp file + rename) so a reader never sees half a report.
Status write_json(const std::string& path, const nlohmann::json& j);

// Rates between two snapshots, one row per port and per queue.
std::string format_table(const config::Plan& plan, const dataplane::Snapshot& prev,
                         const dataplane::Snapshot& now,
                         const std::vector<PortHealth>& health = {});
// Totals and average rates over the whole run, plus mempool leak check.
std::string format_summary(const config::Plan& plan, const dataplane::Snapshot& final_snap,
                           const dataplane::ShutdownReport& shut, const RunInfo& info);

// --- stats_json.cpp: `run --stats-json FILE`, one line per stats interval:
// {"t_s", "ports": [{"name", "state", "rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "drops",
//  "not_ready_drops", "rx_pps", "tx_pps"}], "pools": [{"name", "socket", "size", "in_use"}]}
// Counters are totals since launch; rates are over the interval since `prev`. `pool_in_use` is
// indexed like plan.pools.
nlohmann::ordered_json stats_json(const config::Plan& plan, const dataplane::Snapshot& prev,
                          const dataplane::Snapshot& now, const std::vector<PortHealth>& health,
                          const std::vector<unsigned>& pool_in_use);

class StatsJsonWriter {
public:
    // Creates (truncates) the file; an error names it.
    static Result<std::unique_ptr<StatsJsonWriter>> open(const std::string& path);
    ~StatsJsonWriter();
    StatsJsonWriter(const StatsJsonWriter&) = delete;
    StatsJsonWriter& operator=(const StatsJsonWriter&) = delete;
    // Appends stats_json(plan, prev, now, ...) as one line and flushes it. The first write error
    // is returned; later calls do nothing.
    Status write(const config::Plan& plan, const dataplane::Snapshot& prev,
                 const dataplane::Snapshot& now, const std::vector<PortHealth>& health,
                 const std::vector<unsigned>& pool_in_use);

private:
    StatsJsonWriter(std::string path, FILE* f) : path_(std::move(path)), f_(f) {}
    std::string path_;
    FILE* f_ = nullptr;
    bool failed_ = false;
};

}  // namespace vfpath::report
