#include "measure/cp/histogram_stats.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

namespace vfpath::measure {

HistogramData snapshot(const Histogram& h) {
    HistogramData d;
    // Relaxed reads: a sample recorded during the copy may show in some fields and not in others.
    // count comes from the copied buckets, and min/max are kept consistent with them below.
    d.sum = h.sum();
    uint64_t total = 0;
    for (uint32_t i = 0; i < k_hist_buckets; ++i) {
        d.counts[i] = h.bucket(i);
        total += d.counts[i];
    }
    d.count = total;
    if (total > 0) {
        d.min = h.min();
        d.max = h.max();
        // A sample whose bucket was copied but whose min/max store is not visible yet: the true
        // extremes lie in the first and last non-empty buckets, so fall back to those bounds.
        uint32_t first = 0, last = k_hist_buckets - 1;
        while (d.counts[first] == 0) ++first;
        while (d.counts[last] == 0) --last;
        if (d.min >= hist_bucket_upper(first)) d.min = hist_bucket_lower(first);
        if (d.max < hist_bucket_lower(last)) d.max = hist_bucket_lower(last);
    }
    return d;
}

void merge_into(HistogramData& into, const HistogramData& from) {
    if (from.count == 0) return;
    for (uint32_t i = 0; i < k_hist_buckets; ++i) into.counts[i] += from.counts[i];
    into.min = into.count == 0 ? from.min : std::min(into.min, from.min);
    into.max = into.count == 0 ? from.max : std::max(into.max, from.max);
    into.count += from.count;
    into.sum += from.sum;
}

HistogramData merge(std::span<const HistogramData> parts) {
    HistogramData d;
    for (const auto& p : parts) merge_into(d, p);
    return d;
}

uint64_t percentile_rank(double p, uint64_t n) {
    if (n == 0) return 0;
    // p in units of 1e-4 percent = parts per million of n, so 99.99 and 99.9 are exact.
    const double clamped = std::clamp(std::isnan(p) ? 0.0 : p, 0.0, 100.0);
    const auto ppm = static_cast<unsigned __int128>(std::llround(clamped * 1e4));
    const auto rank = static_cast<uint64_t>((ppm * n + 999'999) / 1'000'000);
    return std::max<uint64_t>(rank, 1);
}

uint64_t percentile(const HistogramData& h, double p) {
    if (h.count == 0) return 0;
    const uint64_t rank = percentile_rank(p, h.count);
    uint64_t cum = 0;
    for (uint32_t i = 0; i < k_hist_buckets; ++i) {
        cum += h.counts[i];
        if (cum >= rank) return std::clamp(hist_bucket_mid(i), h.min, h.max);
    }
    return h.max;  // unreachable when count == sum of counts
}

double mean(const HistogramData& h) {
    return h.count == 0 ? 0.0 : static_cast<double>(h.sum) / static_cast<double>(h.count);
}

std::optional<double> median(std::vector<double> values) {
    if (values.empty()) return std::nullopt;
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

LatencySummary summarize(const HistogramData& h) {
    LatencySummary s;
    if (h.count == 0) return s;
    s.count = h.count;
    s.min = h.min;
    s.max = h.max;
    s.mean = mean(h);
    s.p50 = percentile(h, 50);
    s.p90 = percentile(h, 90);
    s.p99 = percentile(h, 99);
    s.p999 = percentile(h, 99.9);
    s.p9999 = percentile(h, 99.99);
    return s;
}

std::vector<BucketRow> nonempty_buckets(const HistogramData& h) {
    std::vector<BucketRow> rows;
    for (uint32_t i = 0; i < k_hist_buckets; ++i) {
        if (h.counts[i] == 0) continue;
        rows.push_back({hist_bucket_lower(i), hist_bucket_upper(i), h.counts[i]});
    }
    return rows;
}

void to_json(nlohmann::json& j, const LatencySummary& s) {
    j = nlohmann::json{{"count", s.count}, {"min", s.min},   {"mean", s.mean},
                       {"p50", s.p50},     {"p90", s.p90},   {"p99", s.p99},
                       {"p999", s.p999},   {"p9999", s.p9999}, {"max", s.max}};
}

void to_json(nlohmann::json& j, const BucketRow& b) {
    j = nlohmann::json{{"lower_ns", b.lower_ns}, {"upper_ns", b.upper_ns}, {"count", b.count}};
}

nlohmann::json histogram_json(const HistogramData& h) {
    nlohmann::json j = summarize(h);
    j["buckets"] = nonempty_buckets(h);
    return j;
}

}  // namespace vfpath::measure
