// The Prometheus text exposition (format 0.0.4) of a published view: what `GET /metrics` answers.
// Pure: View -> text. Metric names carry their unit and counters end in _total
// (https://prometheus.io/docs/practices/naming/); docs/operations.md, "Prometheus metrics", lists them all.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "measure/cp/histogram_stats.h"
#include "report/view.h"

namespace vfpath::report {

// Content-Type of the text format.
inline constexpr const char* k_prometheus_content_type = "text/plain; version=0.0.4; charset=utf-8";

std::string prometheus_text(const View& v);

// Histogram bucket bounds (`le`), in ns: 1-2-5 from 100 ns to 10 s.
std::span<const uint64_t> latency_bounds_ns();

// Cumulative counts of `h` at each bound (ns), as Prometheus `le` buckets. A sample is counted
// under the first bound at or above its bucket's midpoint, the value vfpath reports for it
// everywhere (measure::percentile); below 256 ns that is exact, above it a bucket is at most 0.78%
// wide, so only samples that close to a bound can fall on the other side of it.
std::vector<uint64_t> cumulative_counts(const measure::HistogramData& h,
                                        std::span<const uint64_t> bounds_ns);

}  // namespace vfpath::report
