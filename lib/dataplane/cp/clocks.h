// The NIC clocks of ports whose latency uses hardware rx timestamps: each port's calibration
// (measure::ClockCalibrator, fed by glue::read_clock_sample) and the fit it publishes to the rx
// lcores (measure::PublishedClock, in DPDK memory on the port's socket). Owned by the Runtime;
// control thread only. Internal to lib/dataplane/cp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/plan.h"
#include "dataplane/api.h"
#include "measure/cp/clock_calibration.h"
#include "measure/dp/hwclock.h"
#include "util/result.h"

namespace vfpath::dataplane {

// How often the fits are refreshed. The anchor is re-taken at every refresh, so a frame's
// timestamp is extrapolated at most this far (plus its time in the ring) from a sample; with the
// window below the slope comes from 1.5 s of samples, so drift between refreshes stays well under
// the sample jitter (tests/unit/clock_test.cpp, "TracksDriftAsTheWindowSlides").
inline constexpr double k_clock_refresh_s = 0.1;
inline constexpr unsigned k_clock_window = 16;
// At start: this many samples spread over k_clock_initial_span_s before the workers launch, so
// the first slope has a 100 ms baseline (the rte_eth_read_clock documentation's own example).
inline constexpr unsigned k_clock_initial_samples = 5;
inline constexpr double k_clock_initial_span_s = 0.1;
// A fresh slope needs this much baseline; a window restarted by a step or a port reset keeps the
// slope it had and only re-anchors until then.
inline constexpr double k_clock_min_span_s = 0.5;
// A sample this far (plus 1000 ppm of the time since the previous one) from the fit's prediction
// is a step of the NIC clock, not jitter: ~100x a slow PCIe register read.
inline constexpr double k_clock_step_s = 100e-6;

class HwClocks {
public:
    HwClocks() = default;
    ~HwClocks();
    HwClocks(const HwClocks&) = delete;
    HwClocks& operator=(const HwClocks&) = delete;

    // After the ports started: for each port whose plan enables rx timestamps, registers the
    // mbuf timestamp field (once), allocates its published fit and calibrates it
    // (k_clock_initial_samples over k_clock_initial_span_s, all ports together). A port whose
    // clock cannot be read: an error when its latency_clock is hw (the Runtime then undoes
    // everything), the TSC with the reason for auto. Logs each port's clock once.
    Status setup(const config::Plan& plan, const std::vector<uint16_t>& port_ids);
    void tick();
    // A port being recovered: readers get no fit (they time with the TSC) until resume(), which
    // restarts its calibration from a fresh sample (a reset may restart the NIC clock) on the
    // port's id, which a re-attach may have changed.
    void pause(uint16_t pidx);
    void resume(uint16_t pidx, uint16_t port_id);

    PortClock port_clock(uint16_t pidx) const;
    const measure::PublishedClock* published(uint16_t pidx) const;
    measure::RxTimestampField field() const { return field_; }
    void free();

private:
    struct Port {
        std::string name;
        uint16_t port_id = 0;
        bool hw = false;
        bool paused = false;
        std::string why;
        measure::PublishedClock* pub = nullptr;  // rte_zmalloc'd; null unless hw
        measure::ClockCalibrator cal;
        uint64_t read_failures = 0;
    };
    void sample(Port& p);
    void publish(Port& p);
    std::vector<Port> ports_;
    measure::RxTimestampField field_;
    uint64_t hz_ = 1;
    uint64_t next_tick_ = 0;  // TSC
};

}  // namespace vfpath::dataplane
