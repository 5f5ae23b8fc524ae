// Reports: the JSON report (--report), the live table and the final summary.
// Reads snapshots only; never touches a worker.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "dataplane/api.h"
#include "util/result.h"

namespace vfpath::report {

struct RunInfo {
    std::string config_file;
    double duration_s = 0;
    std::string stop_reason;  // "duration", "SIGINT", "SIGTERM"
};

nlohmann::json to_json(const config::Plan& plan, const dataplane::Snapshot& final_snap,
                       const dataplane::ShutdownReport& shut, const RunInfo& info);
// Writes atomically (temp file + rename) so a reader never sees half a report.
Status write_json(const std::string& path, const nlohmann::json& j);

// Rates between two snapshots, one row per port and per queue.
std::string format_table(const config::Plan& plan, const dataplane::Snapshot& prev,
                         const dataplane::Snapshot& now);
// Totals and average rates over the whole run, plus mempool leak check.
std::string format_summary(const config::Plan& plan, const dataplane::Snapshot& final_snap,
                           const dataplane::ShutdownReport& shut, const RunInfo& info);

}  // namespace vfpath::report
