// Control-thread side of the latency histogram: copy a live dp::Histogram into a plain value,
// merge values (queues, lcores, streams), compute percentiles and export JSON. Any thread that is
// not the histogram's writer; allocates freely.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "measure/dp/histogram.h"

namespace vfpath::measure {

// A histogram as a plain, mergeable value. counts has k_hist_buckets entries.
struct HistogramData {
    std::vector<uint64_t> counts = std::vector<uint64_t>(k_hist_buckets, 0);
    uint64_t count = 0;  // == sum of counts
    uint64_t sum = 0;    // ns, of values clamped to k_hist_max_ns
    uint64_t min = 0;    // ns, exact; 0 when empty
    uint64_t max = 0;    // ns, exact; 0 when empty
};

// Copies a histogram another thread is writing (see dp/histogram.h, "Publishing"). count is the
// sum of the copied buckets, so percentiles are consistent with it.
HistogramData snapshot(const Histogram& h);

// into += from. Merging is exact: merge(a, b) equals one histogram fed a's and b's samples.
void merge_into(HistogramData& into, const HistogramData& from);
HistogramData merge(std::span<const HistogramData> parts);

// Nearest-rank percentile (the definition used throughout vfpath): the smallest sample x such
// that at least p% of the samples are <= x, i.e. the sample of rank ceil(p/100 * n), 1-based.
// p is taken to 1e-4 percent (99.99 is exact), clamped to [0, 100]; rank is at least 1.
uint64_t percentile_rank(double p, uint64_t n);

// The histogram's estimate of that sample: the midpoint of the bucket holding the rank, clamped
// to [min, max]. Relative error <= 0.39% (exact below 256 ns). 0 when empty.
uint64_t percentile(const HistogramData& h, double p);
double mean(const HistogramData& h);  // 0 when empty

// The median of plain values (not a histogram): the middle one, or the mean of the two middle
// ones for an even count. nullopt when empty.
std::optional<double> median(std::vector<double> values);

// The report contract's latency object: {"count","min","mean","p50","p90","p99","p999","p9999",
// "max"}, all in ns. An empty histogram gives count 0 and zeros.
struct LatencySummary {
    uint64_t count = 0, min = 0;
    double mean = 0;
    uint64_t p50 = 0, p90 = 0, p99 = 0, p999 = 0, p9999 = 0, max = 0;
};
LatencySummary summarize(const HistogramData& h);

// One non-empty bucket: samples v with lower_ns <= v < upper_ns.
struct BucketRow {
    uint64_t lower_ns = 0, upper_ns = 0, count = 0;
};
std::vector<BucketRow> nonempty_buckets(const HistogramData& h);

// nlohmann::json conversions (found by ADL: `json j = summary;`).
// LatencySummary -> the object above; BucketRow -> {"lower_ns","upper_ns","count"}.
void to_json(nlohmann::json& j, const LatencySummary& s);
void to_json(nlohmann::json& j, const BucketRow& b);
// Summary keys plus "buckets": [BucketRow...], the full distribution for the JSON report.
nlohmann::json histogram_json(const HistogramData& h);

}  // namespace vfpath::measure
