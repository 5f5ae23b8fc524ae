// Microbenchmarks of lib/measure's hot-path pieces (STYLE §14): a fixed number of iterations,
// 10 repetitions, reported as median (built in), MAD, min and max; results go through DoNotOptimize.
// Not a test. Build: ninja -C <build> lib/measure/micro_measure (needs libbenchmark-dev).
// Run:   <build>/lib/measure/micro_measure            (per-op ns = "Time" of the _median row)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "measure/dp/histogram.h"
#include "measure/dp/pacer.h"
#include "measure/dp/probe.h"
#include "measure/dp/seqtrack.h"

using namespace vfpath::measure;

namespace {

constexpr int64_t k_iters = 20'000'000;
constexpr int k_reps = 10;

double median_of(const std::vector<double>& in) {
    std::vector<double> v = in;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
double mad_of(const std::vector<double>& v) {
    const double m = median_of(v);
    std::vector<double> d;
    for (double x : v) d.push_back(std::fabs(x - m));
    return median_of(d);
}

void harness(benchmark::internal::Benchmark* b) {
    b->Iterations(k_iters)
        ->Repetitions(k_reps)
        ->ReportAggregatesOnly(true)
        ->ComputeStatistics("mad", mad_of)
        ->ComputeStatistics("min",
                            [](const std::vector<double>& v) {
                                return *std::min_element(v.begin(), v.end());
                            })
        ->ComputeStatistics("max", [](const std::vector<double>& v) {
            return *std::max_element(v.begin(), v.end());
        });
}

// Latencies drawn from a long-tailed distribution, so the bucket index varies like real data.
std::vector<uint64_t> latencies() {
    std::mt19937_64 rng(1);
    std::lognormal_distribution<double> ln(std::log(2'000.0), 1.0);
    std::vector<uint64_t> v(4096);
    for (auto& x : v) x = uint64_t(ln(rng));
    return v;
}

void BM_HistogramRecord(benchmark::State& st) {
    auto h = std::make_unique<Histogram>();
    const auto v = latencies();
    size_t i = 0;
    for (auto _ : st) {
        h->record(v[i++ & 4095]);
    }
    benchmark::DoNotOptimize(h->count());
}

std::vector<uint8_t> udp_vlan_frame() {
    std::vector<uint8_t> f(k_probe_off_udp_vlan + k_probe_size + 18, 0);
    f[12] = 0x81, f[13] = 0x00, f[16] = 0x08, f[17] = 0x00;
    uint8_t* ip = f.data() + 18;
    ip[0] = 0x45;
    const size_t ip_len = f.size() - 18;
    ip[2] = uint8_t(ip_len >> 8), ip[3] = uint8_t(ip_len);
    ip[9] = 17;
    const size_t udp_len = ip_len - 20;
    ip[24] = uint8_t(udp_len >> 8), ip[25] = uint8_t(udp_len);
    write_probe(f.data() + k_probe_off_udp_vlan, k_probe_size, {7, 0, 0, 1});
    return f;
}

void BM_ProbeWrite(benchmark::State& st) {
    auto f = udp_vlan_frame();
    uint64_t seq = 0;
    for (auto _ : st) {
        benchmark::DoNotOptimize(
            write_probe(f.data() + k_probe_off_udp_vlan, k_probe_size, {7, 0, seq++, seq + 1}));
        benchmark::ClobberMemory();
    }
}

void BM_ProbeStamp(benchmark::State& st) {
    auto f = udp_vlan_frame();
    uint64_t seq = 0;
    for (auto _ : st) {
        stamp_probe(f.data() + k_probe_off_udp_vlan, seq, seq + 1);
        ++seq;
        benchmark::ClobberMemory();
    }
}

void BM_ProbeParse(benchmark::State& st) {
    const auto f = udp_vlan_frame();
    ProbeFields out;
    for (auto _ : st) {
        benchmark::DoNotOptimize(f.data());
        benchmark::DoNotOptimize(parse_probe(f.data(), f.size(), out));
        benchmark::DoNotOptimize(out);
    }
}

void BM_SeqTrackInOrder(benchmark::State& st) {
    auto t = std::make_unique<SeqTracker<>>();
    uint64_t seq = 0;
    for (auto _ : st) {
        benchmark::DoNotOptimize(t->update(seq++));
    }
}

// 1% loss, 0.5% duplicates, shuffled in blocks of 16: every branch of update() is taken.
void BM_SeqTrackMixed(benchmark::State& st) {
    std::mt19937_64 rng(2);
    std::bernoulli_distribution drop(0.01), dup(0.005);
    std::vector<uint64_t> wire;
    for (uint64_t s = 0; wire.size() < (1u << 20); ++s) {
        if (drop(rng)) continue;
        wire.push_back(s);
        if (dup(rng)) wire.push_back(s);
    }
    wire.resize(1u << 20);
    for (size_t i = 0; i + 16 <= wire.size(); i += 16) {
        std::shuffle(wire.begin() + i, wire.begin() + i + 16, rng);
    }
    const uint64_t lap = wire.back() + 1;
    auto t = std::make_unique<SeqTracker<>>();
    uint64_t base = 0;
    size_t i = 0;
    for (auto _ : st) {
        benchmark::DoNotOptimize(t->update(base + wire[i]));
        if (++i == wire.size()) i = 0, base += lap;
    }
}

void BM_PacerReadyConsume(benchmark::State& st) {
    Pacer p;
    p.start(2'200'000'000, uint64_t{14'880'952'380'952}, 32, 0);
    uint64_t now = 0;
    for (auto _ : st) {
        now += 37;
        // Not const: libbenchmark 1.9 (Debian 13) deprecates DoNotOptimize of a const lvalue.
        uint32_t n = p.ready(now);
        p.consume(n);
        benchmark::DoNotOptimize(n);
    }
}

}  // namespace

BENCHMARK(BM_HistogramRecord)->Apply(harness);
BENCHMARK(BM_ProbeWrite)->Apply(harness);
BENCHMARK(BM_ProbeStamp)->Apply(harness);
BENCHMARK(BM_ProbeParse)->Apply(harness);
BENCHMARK(BM_SeqTrackInOrder)->Apply(harness);
BENCHMARK(BM_SeqTrackMixed)->Apply(harness);
BENCHMARK(BM_PacerReadyConsume)->Apply(harness);

BENCHMARK_MAIN();
