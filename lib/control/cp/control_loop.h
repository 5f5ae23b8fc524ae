// The control thread's loop during a run: ethdev events and injected faults go into one queue,
// each is handed to per-port recovery; link state is polled as a fallback; the live table is
// printed; the loop ends on a signal or the duration.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/api.h"
#include "control/cp/faults.h"
#include "control/cp/journal.h"
#include "control/cp/load.h"
#include "control/cp/pf_watch.h"
#include "control/cp/publisher.h"
#include "control/cp/recovery.h"
#include "dataplane/api.h"
#include "drivers-glue/mailbox.h"
#include "report/api.h"

namespace vfpath::control {

struct ControlOptions {
    std::vector<FaultSpec> faults;
    RecoveryPolicy policy;
    std::string journal_path;
    // Link state is polled this often in case a device raises no LSC (STYLE §9).
    double link_poll_s = 0.5;
    // Restart a port whose link went down and came back: "auto" (drivers-glue's rule for its
    // driver: VFs whose PF may have reset them), "always", "never".
    std::string restart_on_link_up = "auto";
    // Stop once every fault has fired and every port has settled (run --stop-after-faults).
    bool stop_after_faults = false;
    // --stats-json: one line per stats interval, written where the live table is printed.
    std::unique_ptr<report::StatsJsonWriter> stats_json;
    // Readers on other threads (telemetry, /metrics): served at each tick when set.
    Publisher* publisher = nullptr;
    // The host (sysfs, rtnetlink) the VF ports' PFs are watched on (pf_watch.h), this often;
    // unset or 0: not watched (a fixture root, or recovery.pf_watch_ms: 0).
    std::optional<topology::HostRoot> host_root;
    double pf_watch_s = 1.0;
};

class ControlLoop {
public:
    ControlLoop(dataplane::Runtime& rt, const config::Config& cfg, ControlOptions opt);
    ~ControlLoop();
    // Registers the event callbacks; before launch so no event is missed.
    Status open();
    // Runs until a signal (its number stored in `signal`) or the configured duration; returns
    // the stop reason ("duration", "SIGINT", "SIGTERM").
    std::string run(const std::atomic<int>& signal);
    std::vector<report::PortHealth> health() const;
    const Journal& journal() const { return journal_; }
    // Throughput per stats interval (report::timeline_entry), for the report's "timeline".
    const nlohmann::json& timeline() const { return timeline_; }

private:
    bool settled() const;  // no port in the middle of a recovery
    nlohmann::json timeline_ = nlohmann::json::array();
    void fire(const FaultAction& a);
    void dispatch_events();
    void write_stats_json(const dataplane::Snapshot& prev, const dataplane::Snapshot& cur,
                          const std::vector<report::PortHealth>& health);
    void serve_readers(double now);  // control_publish.cpp
    // Journals the device-counter jumps the runtime found (hw_guard.h) and counts them per port.
    void note_hw_jumps(double now);
    std::vector<uint64_t> counter_jumps_;
    void watch_pfs();
    sriov::RtnlSource rtnl_;
    std::unique_ptr<PfWatch> pf_watch_;
    class RuntimeDriver;
    dataplane::Runtime& rt_;
    const config::Config& cfg_;
    ControlOptions opt_;
    Journal journal_;
    glue::EventQueue events_;
    std::unique_ptr<RuntimeDriver> driver_;
    std::unique_ptr<Recovery> recovery_;
    FaultSchedule schedule_;
    std::vector<uint16_t> fault_port_;  // plan index per fault spec
    // Link held down by an injected fault on a device that cannot set its own link (net_null):
    // vfpath's view of the link is then "down" whatever the device says.
    std::vector<bool> forced_down_;
    // VF mailbox policy per PF port, indexed by DPDK port id; built before launch and never
    // changed after, so DPDK's interrupt thread reads it without a lock.
    struct MboxPort {
        glue::DriverKind kind = glue::DriverKind::unknown;
        glue::PolicyTable table;
    };
    std::vector<MboxPort> mbox_;
    std::vector<std::map<uint16_t, std::pair<uint64_t, uint64_t>>> vf_mbox_;  // accepted, refused
    double t0_s_ = 0;
    std::shared_ptr<const config::Plan> view_plan_;  // shared by every published view
    report::DpdkVersions dpdk_ = dpdk_versions();  // the same in every view
    // Latency histograms of the views: copied from the workers at most once a second (a copy
    // pulls 28 KiB per timed queue out of the workers' caches), reused in between.
    std::vector<std::vector<std::optional<measure::HistogramData>>> view_latency_;
    double view_latency_t_ = -1;
};

}  // namespace vfpath::control
