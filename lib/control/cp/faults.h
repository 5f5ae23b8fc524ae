// Fault injection: specs like "reset:p0@2s,every=10ms,count=1000" parsed into a schedule that
// the control loop fires. Injected faults go into the same event path as a PMD's events.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace vfpath::control {

enum class FaultKind { reset, link_down, remove, err_recovering, unplug };
std::string_view to_string(FaultKind k);

struct FaultSpec {
    FaultKind kind = FaultKind::reset;
    std::string port;     // port name
    double at_s = 0;      // first firing, seconds after forwarding starts
    double every_s = 0;   // repeat period (0: once)
    unsigned count = 1;   // firings in all (with every=); "count=0" means until the run ends
    double for_s = 0;     // link-down: how long the link stays down (0: stays down);
                          // err-recovering: when the driver reports RECOVERY_SUCCESS
    double slow_s = 0;    // reset: the driver answers rte_eth_dev_reset with -EAGAIN for this
                          // long after the event (a PF that takes its time to reset the VF)
    std::string text;     // as written, for messages
};

// KIND:PORT@TIME[,every=DUR][,count=N][,for=DUR][,slow=DUR]
//   KIND: reset | link-down | remove | err-recovering | unplug;  TIME/DUR: 250ms, 2s, 1.5s, 500us
Result<FaultSpec> parse_fault(std::string_view text);
// "2s", "250ms", "500us", "1.5" (seconds) -> seconds; nullopt when malformed or negative.
std::optional<double> parse_duration(std::string_view text);

// What the control loop must do now.
struct FaultAction {
    FaultKind kind;
    size_t spec;    // index into the schedule's specs
    bool end;       // the "for" time is over: link back up / RECOVERY_SUCCESS
};

class FaultSchedule {
public:
    explicit FaultSchedule(std::vector<FaultSpec> specs);
    // One more spec (a fault requested while running); its index is the previous specs().size().
    void add(FaultSpec spec);
    // Actions due at `now_s` (seconds since forwarding started), each returned once.
    std::vector<FaultAction> due(double now_s);
    // Seconds until the next action (or a large number when none is left).
    double next_in(double now_s) const;
    const std::vector<FaultSpec>& specs() const { return specs_; }
    uint64_t fired(size_t spec) const { return state_[spec].fired; }
    // Every action has been returned (a spec with count=0 never finishes).
    bool finished() const;

private:
    struct State {
        double next = 0;
        uint64_t fired = 0;
        double up_at = -1;  // pending link-up time
        bool done = false;
    };
    std::vector<FaultSpec> specs_;
    std::vector<State> state_;
};

}  // namespace vfpath::control
