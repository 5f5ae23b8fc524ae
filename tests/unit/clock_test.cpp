// Hardware rx timestamps, the arithmetic: fitting a device clock to the TSC from sample pairs
// (measure/cp/clock_calibration.h), converting device timestamps (ClockFit), counter wrap, and
// publishing the fit to readers without locks (PublishedClock). Synthetic clocks, no DPDK.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <thread>

#include "measure/cp/clock_calibration.h"
#include "measure/dp/hwclock.h"

using namespace vfpath::measure;

namespace {

// A device clock and a TSC that both count from t = 0 (seconds), with the device's rate allowed
// to change at `drift_from_s` (by `drift_ppm`). The truth the calibration must recover.
struct Clocks {
    long double dev_hz = 1e9L;      // a nanosecond clock, as most NICs' timestamps are
    long double tsc_hz = 2.6e9L;
    int64_t dev0 = 5'000'000'000;  // device clock at t = 0 (may be negative: wraps)
    uint64_t tsc0 = 123'456'789'012;
    unsigned bits = 64;
    long double drift_from_s = 1e30L;
    long double drift_ppm = 0;

    long double dev_ticks(long double t) const {  // unwrapped
        long double ticks = dev_hz * t;
        if (t > drift_from_s) ticks += dev_hz * (t - drift_from_s) * drift_ppm * 1e-6L;
        return dev0 + ticks;
    }
    uint64_t dev(long double t) const {
        return static_cast<uint64_t>(std::llround(dev_ticks(t))) & ClockFit::mask_of(bits);  // mod 2^bits
    }
    uint64_t tsc(long double t) const { return tsc0 + uint64_t(std::llround(tsc_hz * t)); }
};

// Feeds samples every `period_s` from `from_s` for `n` samples; the TSC side of each sample is off
// by up to +-jitter cycles (what reading a NIC register between two TSC reads leaves).
void feed(ClockCalibrator& cal, const Clocks& c, long double from_s, int n, long double period_s,
          int64_t jitter, uint32_t seed = 1) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int64_t> j(-jitter, jitter);
    for (int k = 0; k < n; ++k) {
        const long double t = from_s + k * period_s;
        const uint64_t tsc = c.tsc(t) + uint64_t(jitter ? j(rng) : 0);
        EXPECT_EQ(cal.add({c.dev(t), tsc}), SampleVerdict::accepted) << "sample " << k;
    }
}

// Worst |to_tsc(dev(t)) - tsc(t)| over times from `from_s` to `to_s`.
int64_t worst_error(const ClockFit& f, const Clocks& c, long double from_s, long double to_s) {
    int64_t worst = 0;
    for (long double t = from_s; t <= to_s; t += (to_s - from_s) / 97) {
        const int64_t e = int64_t(f.to_tsc(c.dev(t)) - c.tsc(t));
        worst = std::max(worst, std::abs(e));
    }
    return worst;
}

CalibrationParams params(unsigned bits = 64) {
    CalibrationParams p;
    p.dev_bits = bits;
    p.window = 16;
    p.step_min_cycles = 260'000;  // 100 us at 2.6 GHz
    return p;
}

}  // namespace

TEST(ClockFit, ConvertsWithTheSlopeAndAnchor) {
    ClockFit f;
    f.anchor_dev = 1000;
    f.anchor_tsc = 50'000;
    f.slope_q32 = uint64_t(5) << 31;  // 2.5 cycles per tick
    EXPECT_EQ(f.to_tsc(1000), 50'000u);
    EXPECT_EQ(f.to_tsc(1400), 51'000u);
    EXPECT_EQ(f.to_tsc(600), 49'000u);  // before the anchor: frames waiting in a ring
}

TEST(ClockFit, ADifferenceAcrossTheWrapIsSignedModuloTheWidth) {
    ClockFit f;
    f.mask = ClockFit::mask_of(32);
    f.anchor_dev = 0xFFFFFF00u;
    f.anchor_tsc = 1'000'000;
    f.slope_q32 = uint64_t(1) << 32;
    EXPECT_EQ(f.ticks_from_anchor(0x00000100u), 512);   // after the wrap
    EXPECT_EQ(f.ticks_from_anchor(0xFFFFFE00u), -256);  // before the anchor
    EXPECT_EQ(f.to_tsc(0x00000100u), 1'000'512u);
    EXPECT_EQ(f.to_tsc(0xFFFFFE00u), 999'744u);
    // 64 bits: the plain two's complement difference.
    f.mask = ClockFit::mask_of(64);
    f.anchor_dev = 5;
    EXPECT_EQ(f.ticks_from_anchor(2), -3);
    EXPECT_EQ(f.ticks_from_anchor(~uint64_t{0}), -6);
}

TEST(ClockCalibration, NoFitFromOneSample) {
    ClockCalibrator cal(params());
    EXPECT_FALSE(cal.fit());
    Clocks c;
    EXPECT_EQ(cal.add({c.dev(0), c.tsc(0)}), SampleVerdict::accepted);
    EXPECT_FALSE(cal.fit()) << "a slope needs two samples";
}

TEST(ClockCalibration, RecoversAKnownSlopeAndOffsetExactlyWithoutJitter) {
    Clocks c;
    ClockCalibrator cal(params());
    feed(cal, c, 0, 16, 0.1L, 0);
    auto f = cal.fit();
    ASSERT_TRUE(f);
    EXPECT_NEAR(cal.slope(), 2.6, 2.6e-9);
    EXPECT_NEAR(std::ldexp(double(f->slope_q32), -32), 2.6, 1e-9);
    // Over the window and 150 ms past the last sample (frames arrive after the refresh), and
    // 50 ms before it (frames that waited in a ring): within 2 cycles (rounding only).
    EXPECT_LE(worst_error(*f, c, 0, 1.65L), 2);
}

TEST(ClockCalibration, StaysWithinTheSampleJitter) {
    // +-500 cycles of jitter per sample (~0.2 us at 2.6 GHz): the least-squares line over 16
    // samples 100 ms apart is better than any one sample, so every conversion from 50 ms before
    // the newest sample to 150 ms after it is within the jitter bound.
    Clocks c;
    for (uint32_t seed = 1; seed <= 20; ++seed) {
        ClockCalibrator cal(params());
        feed(cal, c, 0, 16, 0.1L, 500, seed);
        auto f = cal.fit();
        ASSERT_TRUE(f);
        EXPECT_LE(worst_error(*f, c, 1.45L, 1.65L), 500) << "seed " << seed;
        EXPECT_NEAR(cal.slope(), 2.6, 2.6e-6) << "seed " << seed;
    }
}

TEST(ClockCalibration, TracksDriftAsTheWindowSlides) {
    // The device clock speeds up by 20 ppm at t = 2 s. Right after, the old slope extrapolates
    // badly; once the window holds only samples after the change, the fit is back within jitter.
    Clocks c;
    c.drift_from_s = 2.0L;
    c.drift_ppm = 20;
    ClockCalibrator cal(params());
    feed(cal, c, 0, 20, 0.1L, 200);  // up to t = 1.9 s
    const ClockFit before = *cal.fit();
    EXPECT_GT(worst_error(before, c, 3.5L, 3.6L), 2000) << "a stale fit misses the drift";
    feed(cal, c, 2.0L, 20, 0.1L, 200, 7);  // t = 2.0 .. 3.9 s: the window forgets the old rate
    const ClockFit after = *cal.fit();
    EXPECT_LE(worst_error(after, c, 3.85L, 4.05L), 200);
    EXPECT_NEAR(cal.slope(), 2.6 / (1 + 20e-6), 2.6e-6);
}

TEST(ClockCalibration, HandlesA32BitCounterWrap) {
    // A 32-bit nanosecond counter wraps every 4.29 s. Start 0.25 s before a wrap and sample for
    // 10 s: two wraps, every sample accepted, and conversions on both sides of a wrap exact.
    Clocks c;
    c.bits = 32;
    c.dev0 = (int64_t{1} << 32) - 250'000'000;
    ClockCalibrator cal(params(32));
    for (int k = 0; k < 100; ++k) {
        const long double t = k * 0.1L;
        ASSERT_EQ(cal.add({c.dev(t), c.tsc(t)}), SampleVerdict::accepted) << "t " << double(t);
        if (k < 2) continue;
        const auto f = cal.fit();
        ASSERT_TRUE(f);
        // From 50 ms before the newest sample to 150 ms after it: some of these times are on
        // the other side of a wrap from the anchor.
        EXPECT_LE(worst_error(*f, c, t - 0.05L, t + 0.15L), 3) << "t " << double(t);
    }
    EXPECT_EQ(cal.stats().accepted, 100u);
    EXPECT_EQ(cal.stats().non_monotonic, 0u);
    // Right at the wrap: the anchor just before it, a timestamp just after it.
    Clocks w = c;
    ClockCalibrator at(params(32));
    const long double wrap_t = 0.25L;  // dev(0.25 s) == 2^32 == 0
    for (int k = 0; k < 5; ++k) at.add({w.dev(wrap_t - 0.4L + k * 0.1L), w.tsc(wrap_t - 0.4L + k * 0.1L)});
    const ClockFit f = *at.fit();  // anchor at t = wrap - 0.0 s (k = 4: 0.25 s)
    EXPECT_LE(std::abs(int64_t(f.to_tsc(w.dev(wrap_t + 1e-6L)) - w.tsc(wrap_t + 1e-6L))), 3);
    EXPECT_LE(std::abs(int64_t(f.to_tsc(w.dev(wrap_t - 1e-6L)) - w.tsc(wrap_t - 1e-6L))), 3);
}

TEST(ClockCalibration, RejectsANonMonotonicSampleAndKeepsTheFit) {
    Clocks c;
    ClockCalibrator cal(params());
    feed(cal, c, 0, 8, 0.1L, 0);
    const ClockFit before = *cal.fit();
    // The device clock went backwards by 1 ms while the TSC moved on.
    EXPECT_EQ(cal.add({c.dev(0.7L) - 1'000'000, c.tsc(0.8L)}), SampleVerdict::non_monotonic);
    // The device clock did not move.
    EXPECT_EQ(cal.add({c.dev(0.7L), c.tsc(0.8L)}), SampleVerdict::non_monotonic);
    // The TSC did not move (a sample read out of order).
    EXPECT_EQ(cal.add({c.dev(0.8L), c.tsc(0.7L)}), SampleVerdict::non_monotonic);
    EXPECT_EQ(cal.stats().non_monotonic, 3u);
    EXPECT_EQ(cal.samples(), 8u);
    const ClockFit after = *cal.fit();
    EXPECT_EQ(after.anchor_dev, before.anchor_dev);
    EXPECT_EQ(after.anchor_tsc, before.anchor_tsc);
    EXPECT_EQ(after.slope_q32, before.slope_q32);
    // And a good sample is taken again.
    EXPECT_EQ(cal.add({c.dev(0.8L), c.tsc(0.8L)}), SampleVerdict::accepted);
    EXPECT_LE(worst_error(*cal.fit(), c, 0.75L, 0.95L), 2);
}

TEST(ClockCalibration, ADeviceClockThatWentBackForGoodRestartsWithTheKnownSlope) {
    // A port reset restarted the device counter near 0: the first two samples are rejected, the
    // third restarts the window there, and the old slope maps the new epoch at once.
    Clocks c;
    ClockCalibrator cal(params());
    feed(cal, c, 0, 10, 0.1L, 0);
    Clocks reset = c;
    reset.dev0 = 1000 - 1'000'000'000;  // dev(1.0 s) == 1000
    reset.tsc0 = c.tsc0;
    EXPECT_EQ(cal.add({reset.dev(1.0L), reset.tsc(1.0L)}), SampleVerdict::non_monotonic);
    EXPECT_EQ(cal.add({reset.dev(1.1L), reset.tsc(1.1L)}), SampleVerdict::non_monotonic);
    EXPECT_EQ(cal.add({reset.dev(1.2L), reset.tsc(1.2L)}), SampleVerdict::restarted);
    auto f = cal.fit();
    ASSERT_TRUE(f);
    EXPECT_LE(worst_error(*f, reset, 1.15L, 1.35L), 2);
}

TEST(ClockCalibration, AStepForwardRestartsTheWindow) {
    Clocks c;
    ClockCalibrator cal(params());
    feed(cal, c, 0, 10, 0.1L, 0);
    Clocks stepped = c;
    stepped.dev0 = c.dev0 + 1'000'000'000;  // the NIC's time was set 1 s ahead
    EXPECT_EQ(cal.add({stepped.dev(1.0L), stepped.tsc(1.0L)}), SampleVerdict::step);
    EXPECT_EQ(cal.stats().steps, 1u);
    EXPECT_EQ(cal.samples(), 1u);
    auto f = cal.fit();
    ASSERT_TRUE(f);
    EXPECT_LE(worst_error(*f, stepped, 0.95L, 1.15L), 2);
    // A sample off by less than the tolerance is jitter, not a step.
    EXPECT_EQ(cal.add({stepped.dev(1.1L), stepped.tsc(1.1L) + 200'000}), SampleVerdict::accepted);
}

TEST(ClockCalibration, AShortWindowKeepsTheSlopeItAlreadyHas) {
    // After a restart, two samples 100 ms apart with jitter would give a slope 100x worse than
    // the one learnt over 1.5 s: with min_span_cycles the calibrator keeps the old one.
    Clocks c;
    CalibrationParams p = params();
    p.min_span_cycles = 2'600'000'000ull / 2;  // 0.5 s
    ClockCalibrator cal(p);
    feed(cal, c, 0, 16, 0.1L, 0);
    const double slope = cal.slope();
    cal.restart();
    EXPECT_EQ(cal.add({c.dev(2.0L), c.tsc(2.0L) + 500}), SampleVerdict::accepted);
    EXPECT_EQ(cal.add({c.dev(2.1L), c.tsc(2.1L) - 500}), SampleVerdict::accepted);
    EXPECT_DOUBLE_EQ(cal.slope(), slope);
    EXPECT_LE(worst_error(*cal.fit(), c, 2.05L, 2.25L), 501);
}

TEST(PublishedClock, ZeroMemoryIsNothingPublished) {
    alignas(64) unsigned char mem[sizeof(PublishedClock)] = {};
    const auto* pc = reinterpret_cast<const PublishedClock*>(mem);
    ClockFit f;
    EXPECT_FALSE(pc->read(f));
}

TEST(PublishedClock, PublishReadInvalidate) {
    auto pc = std::make_unique<PublishedClock>();
    ClockFit out;
    EXPECT_FALSE(pc->read(out));
    const ClockFit in{77, 1234, uint64_t(3) << 32, ClockFit::mask_of(40)};
    pc->publish(in);
    ASSERT_TRUE(pc->read(out));
    EXPECT_EQ(out.anchor_dev, 77u);
    EXPECT_EQ(out.anchor_tsc, 1234u);
    EXPECT_EQ(out.slope_q32, uint64_t(3) << 32);
    EXPECT_EQ(out.mask, ClockFit::mask_of(40));
    EXPECT_EQ(pc->generation(), 1u);
    pc->invalidate();
    EXPECT_FALSE(pc->read(out));
    EXPECT_EQ(pc->generation(), 2u);
}

TEST(PublishedClock, AReaderGivesUpOnAWriterStoppedMidWrite) {
    // The control thread descheduled between its stores: the lcore must neither wait for it nor
    // take the half-written fields; it gets "no fit" (and times that burst with the TSC).
    auto pc = std::make_unique<PublishedClock>();
    pc->publish({1, 10, uint64_t(2) << 32, ~uint64_t{0}});
    pc->begin_write();
    pc->store({2, 20, uint64_t(3) << 32, ~uint64_t{0}});
    ClockFit f;
    EXPECT_FALSE(pc->read(f));
    pc->end_write();
    ASSERT_TRUE(pc->read(f));
    EXPECT_EQ(f.anchor_dev, 2u);
    EXPECT_EQ(f.anchor_tsc, 20u);
    EXPECT_EQ(f.slope_q32, uint64_t(3) << 32);
}

TEST(PublishedClock, ConcurrentReadsTakeOnlyWholeFits) {
    // One writer publishes fits whose fields are tied together; a reader on another thread checks
    // that every fit it accepts is one that was published whole. The writer keeps going until
    // the reader has made 200k reads (or 5 s passed), so the two overlap on any machine. (On x86
    // the four fields share a cache line and tearing is rare even without the sequence counter;
    // the test above is the deterministic one.)
    auto pc = std::make_unique<PublishedClock>();
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> last_published{0};
    std::thread writer([&] {
        uint64_t i = 0;
        while (!stop.load(std::memory_order_relaxed)) {
            ++i;
            pc->publish({i, i * 3 + 7, (i << 1) | 1, ~uint64_t{0} >> (i % 8)});
        }
        last_published.store(i);
    });
    uint64_t reads = 0, torn = 0, raced = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (reads < 200'000 && std::chrono::steady_clock::now() < deadline) {
        ClockFit f;
        if (!pc->read(f)) {
            ++raced;
            continue;
        }
        ++reads;
        const uint64_t i = f.anchor_dev;
        if (f.anchor_tsc != i * 3 + 7 || f.slope_q32 != ((i << 1) | 1) ||
            f.mask != ~uint64_t{0} >> (i % 8))
            ++torn;
    }
    stop.store(true);
    writer.join();
    EXPECT_EQ(torn, 0u) << "of " << reads << " reads (" << raced << " gave up on a race)";
    EXPECT_GT(reads, 0u);
    ClockFit last;
    ASSERT_TRUE(pc->read(last));
    EXPECT_EQ(last.anchor_dev, last_published.load());
}
