#include "measure/cp/clock_calibration.h"

#include <cmath>

namespace vfpath::measure {

const char* to_string(SampleVerdict v) {
    switch (v) {
        case SampleVerdict::accepted: return "accepted";
        case SampleVerdict::non_monotonic: return "non-monotonic";
        case SampleVerdict::step: return "step";
        case SampleVerdict::restarted: return "restarted";
    }
    return "?";
}

ClockCalibrator::ClockCalibrator(CalibrationParams p)
    : p_(p), mask_(ClockFit::mask_of(p.dev_bits)) {
    if (p_.window < 2) p_.window = 2;
}

void ClockCalibrator::start_window(const ClockSample& s) {
    window_.clear();
    window_.push_back({0, s.tsc, s.dev & mask_});
    a_ = 0;
    bad_in_row_ = 0;
}

void ClockCalibrator::restart() {
    if (!window_.empty()) ++stats_.restarts;
    window_.clear();
    a_ = 0;
    bad_in_row_ = 0;
}

double ClockCalibrator::predict_tsc(uint64_t x) const {
    return a_ + slope_ * double(x - window_.front().x);
}

void ClockCalibrator::refit() {
    const Point& f = window_.front();
    const double n = double(window_.size());
    double mx = 0, my = 0;
    for (const Point& pt : window_) {
        mx += double(pt.x - f.x);
        my += double(pt.tsc - f.tsc);
    }
    mx /= n;
    my /= n;
    // A fresh slope needs a long enough baseline (min_span_cycles); a short window after a
    // restart keeps the previous slope and only re-anchors.
    const bool long_enough = window_.back().tsc - f.tsc >= p_.min_span_cycles;
    if (window_.size() >= 2 && (long_enough || slope_ <= 0)) {
        double sxx = 0, sxy = 0;
        for (const Point& pt : window_) {
            const double dx = double(pt.x - f.x) - mx;
            sxx += dx * dx;
            sxy += dx * (double(pt.tsc - f.tsc) - my);
        }
        const double slope = sxx > 0 ? sxy / sxx : 0;
        if (std::isfinite(slope) && slope > 0) slope_ = slope;
    }
    a_ = my - slope_ * mx;
}

SampleVerdict ClockCalibrator::add(const ClockSample& s) {
    if (window_.empty()) {
        start_window(s);
        ++stats_.accepted;
        return SampleVerdict::accepted;
    }
    const Point& last = window_.back();
    if (s.tsc <= last.tsc) {  // the TSC is monotonic: such a sample was not read in order
        ++stats_.non_monotonic;
        return SampleVerdict::non_monotonic;
    }
    const uint64_t dev = s.dev & mask_;
    const uint64_t d = (dev - last.dev) & mask_;
    if (d == 0 || d > (mask_ >> 1)) {
        ++stats_.non_monotonic;
        if (++bad_in_row_ < p_.restart_after) return SampleVerdict::non_monotonic;
        ++stats_.restarts;
        start_window(s);
        return SampleVerdict::restarted;
    }
    const uint64_t x = last.x + d;
    if (slope_ > 0 && (p_.step_min_cycles != 0 || p_.step_rel > 0)) {
        const double actual = double(s.tsc - window_.front().tsc);
        const double tol = double(p_.step_min_cycles) + p_.step_rel * double(s.tsc - last.tsc);
        if (std::fabs(actual - predict_tsc(x)) > tol) {
            ++stats_.steps;
            ++stats_.restarts;
            start_window(s);
            return SampleVerdict::step;
        }
    }
    window_.push_back({x, s.tsc, dev});
    if (window_.size() > p_.window) window_.pop_front();
    bad_in_row_ = 0;
    ++stats_.accepted;
    refit();
    return SampleVerdict::accepted;
}

std::optional<ClockFit> ClockCalibrator::fit() const {
    // A slope must fit 32.32 fixed point; 2^31 TSC cycles per device tick would be a device
    // clock slower than 2 Hz against a GHz TSC: not a clock to time frames with.
    if (window_.empty() || !(slope_ > 0) || slope_ >= 2147483648.0) return std::nullopt;
    const Point& f = window_.front();
    const Point& b = window_.back();
    ClockFit out;
    out.mask = mask_;
    out.anchor_dev = b.dev;
    out.anchor_tsc = f.tsc + static_cast<uint64_t>(std::llround(predict_tsc(b.x)));
    out.slope_q32 = static_cast<uint64_t>(std::llround(std::ldexp(slope_, 32)));
    if (out.slope_q32 == 0) return std::nullopt;
    return out;
}

double ClockCalibrator::slope() const { return slope_; }

}  // namespace vfpath::measure
