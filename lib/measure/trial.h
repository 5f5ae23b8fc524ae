// One measurement trial: the contract between whoever offers traffic (the generator, `vfpath gen`)
// and whoever decides what to offer next (the RFC 2544 search, lib/measure/cp/rfc2544.h). lib/gen's
// GenSession is the real source (EAL, ports and pools set up once, many trials); tests put a model
// of a link behind the same interface. No DPDK types here. Control thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

namespace vfpath::measure {

// What to offer: rate_pps frames/s per tx port of frame_size bytes (FCS included, RFC 2544) for
// `seconds`, after warmup_s of the same traffic that is not counted; `flows` distinct flows;
// probe_share of the frames carry a latency probe.
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
    // {"count","min","mean","p50","p90","p99","p999","p9999","max"} in ns; count 0 (or an empty
    // object) when no probe came back.
    nlohmann::json latency_ns;
    // What timed it on the rx side: "tsc", "hw" (NIC rx timestamps mapped onto the TSC) or
    // "mixed" (rx ports with different clocks); see docs/run.md, "Hardware rx timestamps".
    std::string latency_clock = "tsc";
    // Why the generator may have offered less than the rate: frames a full tx ring refused
    // (sent later), and pacer credit forfeited while the generator lcore lagged.
    uint64_t refused = 0, pacer_forfeited = 0;
};

// A source of trials with state (ports, pools): lib/gen's GenSession.
class TrialSession {
public:
    virtual ~TrialSession() = default;
    // Runs one trial. Frames still in flight when a trial ends are waited for (a drain) and
    // counted in it; nothing of one trial is counted in the next.
    virtual TrialResult run_trial(const TrialSpec& spec) = 0;
};

// What the search calls. May throw std::exception when the trial could not run at all (device
// gone, EAL failure): the caller stops the search and reports the error.
using TrialRunner = std::function<TrialResult(const TrialSpec&)>;

}  // namespace vfpath::measure
