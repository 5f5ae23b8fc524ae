// Hardware rx timestamps on the control thread: calibration at start, refresh, pause/resume
// around recovery, and what the report says about each port's clock.
#include "dataplane/cp/clocks.h"

#include <chrono>
#include <new>
#include <thread>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "drivers-glue/glue.h"
#include "util/log.h"

namespace vfpath::dataplane {

HwClocks::~HwClocks() { free(); }

void HwClocks::free() {
    for (Port& p : ports_) {
        rte_free(p.pub);
        p.pub = nullptr;
    }
    ports_.clear();
}

Status HwClocks::setup(const config::Plan& plan, const std::vector<uint16_t>& port_ids) {
    auto lg = log::get("port");
    hz_ = rte_get_tsc_hz();
    measure::CalibrationParams cp;
    cp.window = k_clock_window;
    cp.step_min_cycles = static_cast<uint64_t>(k_clock_step_s * double(hz_));
    cp.min_span_cycles = static_cast<uint64_t>(k_clock_min_span_s * double(hz_));
    bool any = false;
    ports_.reserve(plan.ports.size());
    for (const auto& pp : plan.ports) {
        Port& p = ports_.emplace_back();
        p.name = pp.name;
        p.port_id = port_ids[pp.index];
        p.cal = measure::ClockCalibrator(cp);
        p.why = pp.latency_clock_why;
        if (!pp.rx_timestamp) continue;
        const bool required = pp.latency_clock == config::LatencyClock::hw;
        auto refuse = [&](const std::string& why) -> Status {
            if (required)
                return fail("port " + pp.name + ": ports[" + std::to_string(pp.index) +
                            "].latency_clock is hw, but " + why);
            p.why = why;
            return ok();
        };
        if (field_.flag == 0) {
            auto f = glue::register_rx_timestamp();
            if (!f) {
                if (auto st = refuse(f.error()); !st) return st;
                continue;
            }
            field_ = *f;
        }
        auto first = glue::read_clock_sample(p.port_id);
        if (!first) {
            if (auto st = refuse(first.error()); !st) return st;
            continue;
        }
        void* mem = rte_zmalloc_socket("vfpath_clock", sizeof(measure::PublishedClock), 64,
                                       pp.socket);
        if (!mem) mem = rte_zmalloc("vfpath_clock", sizeof(measure::PublishedClock), 64);
        if (!mem) return fail("out of memory for the clock of port " + pp.name);
        p.pub = new (mem) measure::PublishedClock;
        p.cal.add(*first);
        p.hw = true;
        p.why.clear();
        any = true;
    }
    // The first slope: samples spread over k_clock_initial_span_s, every hardware port together.
    const auto gap = std::chrono::duration<double>(k_clock_initial_span_s /
                                                   (k_clock_initial_samples - 1));
    for (unsigned k = 1; any && k < k_clock_initial_samples; ++k) {
        std::this_thread::sleep_for(gap);
        for (Port& p : ports_)
            if (p.hw) sample(p);
    }
    for (const Port& p : ports_) {
        if (!p.hw) {
            lg->info("port {}: latency clock tsc ({})", p.name, p.why);
            continue;
        }
        const PortClock c = port_clock(static_cast<uint16_t>(&p - ports_.data()));
        if (c.device_hz > 0)
            lg->info("port {}: latency clock hw (rx timestamps; NIC clock {:.6f} MHz against the "
                     "{:.3f} MHz TSC, refit every {} ms)",
                     p.name, c.device_hz / 1e6, double(hz_) / 1e6, k_clock_refresh_s * 1e3);
        else
            lg->warn("port {}: latency clock hw, but the NIC clock could not be calibrated yet "
                     "(frames are timed with the TSC and counted as tsc_fallback until it is)",
                     p.name);
    }
    next_tick_ = rte_rdtsc() + static_cast<uint64_t>(k_clock_refresh_s * double(hz_));
    return ok();
}

void HwClocks::sample(Port& p) {
    auto s = glue::read_clock_sample(p.port_id);
    if (!s) {
        if (p.read_failures++ == 0) log::get("port")->warn("port {}: {}", p.name, s.error());
        return;
    }
    const measure::SampleVerdict v = p.cal.add(*s);
    if (v == measure::SampleVerdict::step || v == measure::SampleVerdict::restarted)
        log::get("port")->warn("port {}: the NIC clock {}; its calibration restarted from the "
                               "last sample", p.name,
                               v == measure::SampleVerdict::step ? "jumped" : "went backwards");
    publish(p);
}

void HwClocks::publish(Port& p) {
    if (const auto fit = p.cal.fit())
        p.pub->publish(*fit);
    else
        p.pub->invalidate();
}

void HwClocks::tick() {
    if (ports_.empty() || field_.flag == 0) return;
    const uint64_t now = rte_rdtsc();
    if (now < next_tick_) return;
    next_tick_ = now + static_cast<uint64_t>(k_clock_refresh_s * double(hz_));
    for (Port& p : ports_)
        if (p.hw && !p.paused) sample(p);
}

void HwClocks::pause(uint16_t pidx) {
    if (pidx >= ports_.size() || !ports_[pidx].hw || ports_[pidx].paused) return;
    ports_[pidx].paused = true;
    ports_[pidx].pub->invalidate();
}

void HwClocks::resume(uint16_t pidx, uint16_t port_id) {
    if (pidx >= ports_.size() || !ports_[pidx].hw || !ports_[pidx].paused) return;
    Port& p = ports_[pidx];
    p.paused = false;
    p.port_id = port_id;
    p.cal.restart();
    sample(p);
}

PortClock HwClocks::port_clock(uint16_t pidx) const {
    PortClock c;
    if (pidx >= ports_.size()) return c;
    const Port& p = ports_[pidx];
    c.hw = p.hw;
    c.why = p.why;
    c.calibration = p.cal.stats();
    c.read_failures = p.read_failures;
    if (p.hw && p.cal.slope() > 0) c.device_hz = double(hz_) / p.cal.slope();
    return c;
}

const measure::PublishedClock* HwClocks::published(uint16_t pidx) const {
    return pidx < ports_.size() && ports_[pidx].hw ? ports_[pidx].pub : nullptr;
}

}  // namespace vfpath::dataplane
