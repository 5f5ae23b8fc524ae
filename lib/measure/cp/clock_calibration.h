// Fitting a NIC clock to the TSC from sample pairs, for hardware rx timestamps. Pure (no DPDK):
// the control thread feeds it (device clock, TSC) pairs that drivers-glue reads around
// rte_eth_read_clock, and publishes fit() to the rx lcores (dp/hwclock.h PublishedClock).
//
// The fit is a least-squares line tsc = a + slope * dev over the last `window` accepted samples,
// with the device clock unwrapped (modulo 2^dev_bits) from the window's first sample. Refreshing
// it periodically tracks the drift between the two oscillators; the anchor is the line's value
// at the newest sample, so conversion extrapolates only from the last refresh.
//
// Samples are checked before they enter the window:
//   non_monotonic  the TSC did not advance, or the device clock did not (its difference modulo
//                  2^dev_bits is 0 or more than half the range: it went backwards). Rejected.
//                  `restart_after` of them in a row mean the device clock was reset: the window
//                  restarts from the last one (verdict `restarted`).
//   step           the device clock jumped: the sample's TSC is further from the fit's
//                  prediction than `step_min_cycles` plus `step_rel` of the time since the
//                  previous sample (a reset, or someone set the NIC's time). The window restarts
//                  from this sample.
// After a restart the window holds one sample; fit() then anchors there with the slope of the
// last good fit (an oscillator's rate does not change when its counter is reset), and no fit at
// all before the first slope is known.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>

#include "measure/dp/hwclock.h"

namespace vfpath::measure {

struct ClockSample {
    uint64_t dev = 0;  // device clock as read (rte_eth_read_clock)
    uint64_t tsc = 0;  // the TSC at the same moment (the midpoint of the reads around it)
};

enum class SampleVerdict : uint8_t { accepted, non_monotonic, step, restarted };
const char* to_string(SampleVerdict v);

struct CalibrationParams {
    unsigned dev_bits = 64;          // width of the device counter, 1..64
    unsigned window = 16;            // samples in the fit, >= 2
    uint64_t step_min_cycles = 0;    // see `step` above; 0 with step_rel 0: never a step
    double step_rel = 1e-3;          // 1000 ppm: far beyond any oscillator's drift (~100 ppm)
    unsigned restart_after = 3;      // non-monotonic samples in a row that mean a reset
    // A window spanning less TSC time than this re-anchors with the slope already known rather
    // than fitting a new one from a short baseline (0: always fit).
    uint64_t min_span_cycles = 0;
};

struct CalibrationStats {
    uint64_t accepted = 0, non_monotonic = 0, steps = 0, restarts = 0;
};

class ClockCalibrator {
public:
    explicit ClockCalibrator(CalibrationParams p = {});
    SampleVerdict add(const ClockSample& s);
    // Forgets the samples but keeps the slope: the next sample becomes the anchor (after a port
    // reset, whose device clock may have restarted).
    void restart();
    // The current mapping; nullopt before a slope is known.
    std::optional<ClockFit> fit() const;
    // TSC cycles per device tick of the current fit (0 when none), for logs.
    double slope() const;
    const CalibrationStats& stats() const { return stats_; }
    size_t samples() const { return window_.size(); }

private:
    struct Point {
        uint64_t x;    // device ticks since the window's first sample (unwrapped)
        uint64_t tsc;
        uint64_t dev;  // as read, reduced to dev_bits
    };
    void start_window(const ClockSample& s);
    double predict_tsc(uint64_t x) const;  // from the current fit; window not empty
    void refit();

    CalibrationParams p_;
    uint64_t mask_;
    std::deque<Point> window_;
    double slope_ = 0;      // cycles per tick; 0: unknown
    double a_ = 0;          // tsc(x) = window_.front().tsc + a_ + slope_ * (x - front.x)
    unsigned bad_in_row_ = 0;
    CalibrationStats stats_;
};

}  // namespace vfpath::measure
