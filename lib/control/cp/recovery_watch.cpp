// The silent-failure watchdog of Recovery (recovery.h): some VF resets, FLRs and rx freezes raise
// no event, so counters are sampled every watchdog period and a port that stalls is recovered.
#include "control/cp/recovery.h"

#include "util/log.h"

namespace vfpath::control {

namespace {

// A port is expected to receive once it has received in this many consecutive watchdog periods
// (0.5 s at the control loop's 100 ms): one stray frame does not make a port an rx port.
constexpr unsigned k_rx_learn_periods = 5;

}  // namespace

void Recovery::watchdog_tick() {
    const double now = drv_.now_s();
    for (uint16_t i = 0; i < stats_.size(); ++i) {
        Watch& w = watch_[i];
        const uint64_t tx = drv_.tx_packets(i), full = drv_.tx_full(i), rx = drv_.rx_packets(i);
        const PortState s = stats_[i].state;
        if (s == PortState::degraded && rx != w.rx && w.tx_since >= 0) {
            // Traffic is back. The streak stays: a fault found again within the recurrence
            // window of the degradation degrades the port again without restarting it.
            set_state(i, PortState::running, "receives again");
        }
        const bool watching = stats_[i].state == PortState::running && link_[i];
        if (!watching || w.tx_since < 0) {
            w.tx = tx, w.full = full, w.rx = rx;
            w.tx_since = w.rx_since = now;
            w.rx_moving = 0;
            continue;
        }
        // tx: offered (ring full) but nothing accepted since tx_since.
        if (tx != w.tx || full == w.full) w.tx_since = now;
        // rx: learn whether the port receives steadily; a port that does and then receives
        // nothing for rx_stall_ms with its link up is stalled. An egress-only port never
        // learns to expect frames, so one-way traffic never trips it.
        if (rx != w.rx) {
            w.rx_since = now;
            if (++w.rx_moving >= k_rx_learn_periods && !w.expect_rx) {
                w.expect_rx = true;
                if (policy_.rx_stall_ms)
                        journal_.add(rel(now), names_[i], "watchdog",
                                 "receives steadily: an rx silence of " +
                                     std::to_string(policy_.rx_stall_ms) + " ms will be a stall");
            }
        } else {
            w.rx_moving = 0;
        }
        w.tx = tx, w.full = full, w.rx = rx;
        std::string why;
        if (policy_.tx_stall_ms && (now - w.tx_since) * 1e3 >= policy_.tx_stall_ms)
            why = "tx stalled: frames offered but none accepted for " +
                  std::to_string(policy_.tx_stall_ms) + " ms with the link up";
        else if (policy_.rx_stall_ms && w.expect_rx &&
                 (now - w.rx_since) * 1e3 >= policy_.rx_stall_ms)
            why = "rx frozen: nothing received for " + std::to_string(policy_.rx_stall_ms) +
                  " ms with the link up, after receiving steadily";
        if (why.empty()) continue;
        ++stats_[i].watchdog_triggers;
        journal_.add(rel(now), names_[i], "watchdog", why);
        log::get("reset")->warn("port {}: {}; recovering", names_[i], why);
        w.tx_since = -1;
        trigger(i, now, 0, "watchdog");
    }
}

}  // namespace vfpath::control
