// Log-linear latency histogram for the hot path (HDR-style). Runs on the owning lcore; any other
// thread may read it at any time (see "Publishing" below). No allocation, no locks, noexcept.
//
// Buckets: values below 256 ns have one bucket each (exact). Above, each power-of-two range
// [2^k, 2^(k+1)) is cut into 128 equal sub-buckets of width 2^(k-7), so a bucket's width is at
// most 1/128 (0.78%) of its lower bound, and its midpoint is within 0.39% of any value in it.
// Values up to k_hist_max_ns (2^34 - 1 ns, about 17.2 s) are resolved; larger ones are counted in
// the last bucket (min/max stay exact). 3584 buckets x 8 bytes = 28 KiB per histogram.
//
// Publishing: every field is a Relaxed (a lock-free atomic written with relaxed load+store, which
// is a plain `mov` on x86), so a reader on the control thread copies the live histogram whenever it
// likes (cp/histogram_stats.h: snapshot()) and no publish step is needed in the loop. We chose this
// over a seqlock double buffer because a double buffer must copy 28 KiB per publish on the lcore
// (~1-2 us), while per-bucket relaxed atomics cost the writer nothing extra. The price is paid only
// when a reader copies: it pulls the lines it reads into shared state and the writer's next store to
// each such line misses once (at most 448 lines, i.e. tens of microseconds of writer stalls per
// snapshot; at one snapshot per second that is well under 0.01%). A snapshot taken while the writer
// runs may straddle a few samples (count/sum/min/max vs buckets); snapshot() derives the count from
// the buckets so the percentiles are self-consistent. Once the writer stops, snapshots are exact.
//
// All-zero memory is a valid empty histogram (min is kept inverted), so a Histogram inside a
// context allocated with rte_zmalloc_socket needs no constructor call.
#pragma once

#include <bit>
#include <cstdint>

#include "measure/dp/relaxed.h"

namespace vfpath::measure {

inline constexpr unsigned k_hist_sub_bits = 7;                         // 128 sub-buckets
inline constexpr uint64_t k_hist_sub_count = uint64_t{1} << k_hist_sub_bits;  // per octave
inline constexpr uint64_t k_hist_exact_below = 2 * k_hist_sub_count;  // 256: exact buckets
inline constexpr unsigned k_hist_value_bits = 34;  // 2^34 ns = 17.2 s, covers the 10 s spec
inline constexpr uint64_t k_hist_max_ns = (uint64_t{1} << k_hist_value_bits) - 1;
// Octave index b runs 0..(value_bits - 8); each adds 128 buckets after the first 256.
inline constexpr uint32_t k_hist_buckets =
    (k_hist_value_bits - k_hist_sub_bits + 1) * k_hist_sub_count;  // 3584

// Bucket of a value v <= k_hist_max_ns. Branch-free: b is the octave (0 for v < 256), v >> b is in
// [128, 256) for b > 0 and [0, 256) for b == 0, so buckets follow one another without holes.
constexpr uint32_t hist_bucket_index(uint64_t v) noexcept {
    const unsigned b = static_cast<unsigned>(std::bit_width(v | (k_hist_exact_below - 1))) -
                       (k_hist_sub_bits + 1);
    return static_cast<uint32_t>((uint64_t{b} << k_hist_sub_bits) + (v >> b));
}
constexpr unsigned hist_bucket_shift(uint32_t i) noexcept {
    return i < k_hist_exact_below ? 0 : static_cast<unsigned>(i >> k_hist_sub_bits) - 1;
}
// Smallest value in bucket i.
constexpr uint64_t hist_bucket_lower(uint32_t i) noexcept {
    const unsigned b = hist_bucket_shift(i);
    return (uint64_t{i} - (uint64_t{b} << k_hist_sub_bits)) << b;
}
// One past the largest value in bucket i.
constexpr uint64_t hist_bucket_upper(uint32_t i) noexcept {
    return hist_bucket_lower(i) + (uint64_t{1} << hist_bucket_shift(i));
}
// The value reported for samples in bucket i: the midpoint, rounded down.
constexpr uint64_t hist_bucket_mid(uint32_t i) noexcept {
    return hist_bucket_lower(i) + ((uint64_t{1} << hist_bucket_shift(i)) - 1) / 2;
}
static_assert(hist_bucket_index(k_hist_max_ns) == k_hist_buckets - 1);
static_assert(hist_bucket_upper(k_hist_buckets - 1) == k_hist_max_ns + 1);

class alignas(64) Histogram {
public:
    // Owner only. O(1): one clamp, one bit_width, one bucket increment, four header updates that
    // share a cache line.
    void record(uint64_t ns) noexcept { record_n(ns, 1); }

    // n samples of the same value (e.g. a whole burst timed once). Owner only; n >= 1.
    void record_n(uint64_t ns, uint64_t n) noexcept {
        const uint64_t v = ns < k_hist_max_ns ? ns : k_hist_max_ns;
        counts_[hist_bucket_index(v)].add(n);
        count_.add(n);
        sum_.add(v * n);  // clamped, so a wild value cannot overflow the sum
        const uint64_t inv = ~ns;
        if (inv > min_inv_.get()) min_inv_.set(inv);
        if (ns > max_.get()) max_.set(ns);
    }

    // Owner only (or while the owner is stopped).
    void clear() noexcept {
        for (auto& c : counts_) c.set(0);
        count_.set(0);
        sum_.set(0);
        min_inv_.set(0);
        max_.set(0);
    }

    // Any thread.
    uint64_t count() const noexcept { return count_.get(); }
    uint64_t sum() const noexcept { return sum_.get(); }
    // UINT64_MAX when empty.
    uint64_t min() const noexcept { return ~min_inv_.get(); }
    uint64_t max() const noexcept { return max_.get(); }
    uint64_t bucket(uint32_t i) const noexcept { return counts_[i].get(); }

private:
    // One line for the header (written on every record), then the buckets.
    Relaxed count_;    // dp: rw / cp: ro
    Relaxed sum_;      // dp: rw / cp: ro, sum of clamped values in ns
    Relaxed min_inv_;  // dp: rw / cp: ro, ~min (0 = empty)
    Relaxed max_;      // dp: rw / cp: ro
    alignas(64) Relaxed counts_[k_hist_buckets];  // dp: rw / cp: ro
};

}  // namespace vfpath::measure
