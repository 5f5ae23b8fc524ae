// The in-process trial API: one trial = send at a fixed rate for a while, then count what came
// back. RFC 2544 searches and other drivers code against TrialRunner; lib/gen's GenSession is the
// real one (EAL, ports and pools set up once, many trials), and tests can put a model of a link
// behind the same interface. No DPDK types here.
#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

namespace vfpath::measure {

struct TrialSpec {
    double rate_pps = 0;      // per tx port; <= 0: unpaced (as fast as the ports take frames)
    uint32_t frame_size = 64; // bytes, FCS included (RFC 2544), 64..9216
    double seconds = 1;       // measured phase
    double warmup_s = 0;      // sent at the same rate before, not counted
    uint32_t flows = 1;       // 1..65535
    double probe_share = 1;   // 0..1; loss is exact for any share, latency needs probes
};

struct TrialResult {
    // Frames of the measured phase, over every tx port and every rx port. received counts
    // distinct frames that belong to the trial (probes of this phase, plus non-probe frames when
    // probe_share < 1); lost = sent - received (0 if more came back than was sent).
    uint64_t sent = 0, received = 0, lost = 0, reordered = 0, duplicates = 0;
    double tx_pps = 0, rx_pps = 0;  // sent / tx seconds and received / tx seconds
    // histogram_stats.h summarize() of every stream's one-way latency merged:
    // {"count","min","mean","p50","p90","p99","p999","p9999","max"} in ns.
    nlohmann::json latency_ns;
};

class TrialRunner {
public:
    virtual ~TrialRunner() = default;
    // Runs one trial. Frames still in flight when a trial ends are waited for (a drain) and
    // counted in it; nothing of one trial is counted in the next.
    virtual TrialResult run_trial(const TrialSpec& spec) = 0;
};

}  // namespace vfpath::measure
