// lib/measure: histogram, probe format, sequence tracker, pacer, rate arithmetic. Pure logic.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "measure/cp/histogram_stats.h"
#include "measure/cp/rates.h"
#include "measure/dp/histogram.h"
#include "measure/dp/pacer.h"
#include "measure/dp/probe.h"
#include "measure/dp/seqtrack.h"
#include "measure/dp/tsc.h"

using namespace vfpath::measure;

namespace {

// --- histogram helpers -------------------------------------------------------------------------

// The Histogram is 28 KiB: keep it off the stack.
std::unique_ptr<Histogram> fresh() { return std::make_unique<Histogram>(); }

HistogramData hist_of(const std::vector<uint64_t>& v) {
    auto h = fresh();
    for (uint64_t x : v) h->record(x);
    return snapshot(*h);
}

double rel_err(double got, double want) { return want == 0 ? got : std::fabs(got - want) / want; }

void expect_percentiles_within(const std::vector<uint64_t>& samples, double tol) {
    const HistogramData d = hist_of(samples);
    std::vector<uint64_t> sorted = samples;
    std::sort(sorted.begin(), sorted.end());
    for (double p : {0.0, 1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 99.0, 99.9, 99.99, 100.0}) {
        const uint64_t want = sorted[percentile_rank(p, sorted.size()) - 1];
        const uint64_t got = percentile(d, p);
        EXPECT_LE(rel_err(double(got), double(want)), tol) << "p" << p << " got " << got
                                                            << " want " << want;
    }
    EXPECT_EQ(d.count, samples.size());
    EXPECT_EQ(d.min, sorted.front());
    EXPECT_EQ(d.max, sorted.back());
    long double sum = 0;
    for (uint64_t x : samples) sum += x;
    EXPECT_NEAR(mean(d), double(sum / samples.size()), 1e-9 * double(sum / samples.size()));
}

}  // namespace

TEST(MeasureHistogram, LayoutIsContiguousAndWithinOnePercent) {
    EXPECT_EQ(k_hist_buckets, 3584u);
    EXPECT_GE(k_hist_max_ns, uint64_t{10'000'000'000});
    EXPECT_EQ(hist_bucket_lower(0), 0u);
    for (uint32_t i = 0; i < k_hist_buckets; ++i) {
        const uint64_t lo = hist_bucket_lower(i), hi = hist_bucket_upper(i);
        ASSERT_LT(lo, hi) << i;
        if (i + 1 < k_hist_buckets) {
            ASSERT_EQ(hi, hist_bucket_lower(i + 1)) << i;
        }
        ASSERT_EQ(hist_bucket_index(lo), i) << lo;
        ASSERT_EQ(hist_bucket_index(hi - 1), i) << hi - 1;
        if (lo >= k_hist_exact_below) {
            ASSERT_LE(double(hi - lo) / double(lo), 1.0 / 128) << i;
        } else {
            ASSERT_EQ(hi - lo, 1u);
        }
        const uint64_t mid = hist_bucket_mid(i);
        ASSERT_GE(mid, lo);
        ASSERT_LT(mid, hi);
    }
}

TEST(MeasureHistogram, ErrorBoundHoldsAtEveryBucketEdgeFrom10nsTo10s) {
    // Every bucket edge value (lo, lo - 1, hi - 1, hi) in 10 ns .. 10 s: the reported value of its
    // bucket is within 0.4% (< 1%) of it.
    for (uint32_t i = 0; i < k_hist_buckets; ++i) {
        const uint64_t lo = hist_bucket_lower(i), hi = hist_bucket_upper(i);
        for (uint64_t v : {lo - 1, lo, hi - 1, hi}) {
            if (v < 10 || v > 10'000'000'000ULL) continue;
            const uint64_t rep = hist_bucket_mid(hist_bucket_index(v));
            ASSERT_LE(rel_err(double(rep), double(v)), 0.004) << v;
        }
    }
    // And through a histogram with two samples in the bucket's extremes: percentiles stay within
    // 1% of either sample even with min/max clamping out of the picture.
    std::mt19937_64 rng(7);
    for (int k = 0; k < 2000; ++k) {
        const double lg = std::uniform_real_distribution<double>(1.0, 10.0)(rng);  // 10 ns..10 s
        const uint64_t v = uint64_t(std::pow(10.0, lg));
        const uint32_t i = hist_bucket_index(v);
        auto h = fresh();
        h->record(hist_bucket_lower(i) > 10 ? hist_bucket_lower(i) - 1 : 9);  // keeps min below
        h->record(v);
        h->record(hist_bucket_upper(i));  // keeps max above
        const HistogramData d = snapshot(*h);
        ASSERT_LE(rel_err(double(percentile(d, 50)), double(v)), 0.01) << v;
    }
}

TEST(MeasureHistogram, MinMaxExactAndSingleSampleIsExact) {
    for (uint64_t v : {0ULL, 1ULL, 10ULL, 255ULL, 256ULL, 1000ULL, 123457ULL, 9'999'999'999ULL}) {
        auto h = fresh();
        h->record(v);
        const LatencySummary s = summarize(snapshot(*h));
        EXPECT_EQ(s.count, 1u);
        EXPECT_EQ(s.min, v);
        EXPECT_EQ(s.max, v);
        EXPECT_EQ(s.p50, v);  // clamped to [min, max]
        EXPECT_EQ(s.p9999, v);
    }
}

TEST(MeasureHistogram, EmptyAndDefaultState) {
    auto h = fresh();
    EXPECT_EQ(h->count(), 0u);
    EXPECT_EQ(h->min(), UINT64_MAX);
    EXPECT_EQ(h->max(), 0u);
    const HistogramData d = snapshot(*h);
    EXPECT_EQ(d.count, 0u);
    EXPECT_EQ(d.min, 0u);
    EXPECT_EQ(percentile(d, 50), 0u);
    EXPECT_EQ(mean(d), 0.0);
    const nlohmann::json j = histogram_json(d);
    EXPECT_EQ(j["count"], 0);
    EXPECT_TRUE(j["buckets"].empty());
    // All-zero memory is an empty histogram (rte_zmalloc'd contexts).
    const std::vector<unsigned char> zero(sizeof(Histogram), 0);
    EXPECT_EQ(std::memcmp(h.get(), zero.data(), sizeof(Histogram)), 0);
    h->record(5);
    h->clear();
    EXPECT_EQ(std::memcmp(h.get(), zero.data(), sizeof(Histogram)), 0);
}

TEST(MeasureHistogram, SaturatesAboveRangeButKeepsMaxExact) {
    auto h = fresh();
    h->record(100'000'000'000ULL);  // 100 s
    h->record(UINT64_MAX);
    const HistogramData d = snapshot(*h);
    EXPECT_EQ(d.counts[k_hist_buckets - 1], 2u);
    EXPECT_EQ(d.max, UINT64_MAX);
    EXPECT_EQ(d.sum, 2 * k_hist_max_ns);  // clamped: no overflow
}

TEST(MeasureHistogram, UniformPercentilesMatchSortedArray) {
    std::mt19937_64 rng(1);
    std::uniform_int_distribution<uint64_t> u(10, 2'000'000);
    std::vector<uint64_t> s(200'000);
    for (auto& x : s) x = u(rng);
    expect_percentiles_within(s, 0.01);
}

TEST(MeasureHistogram, BimodalPercentilesMatchSortedArray) {
    std::mt19937_64 rng(2);
    std::normal_distribution<double> fast(800, 40), slow(45'000, 3'000);
    std::bernoulli_distribution pick_slow(0.03);
    std::vector<uint64_t> s(200'000);
    for (auto& x : s) x = uint64_t(std::max(10.0, pick_slow(rng) ? slow(rng) : fast(rng)));
    expect_percentiles_within(s, 0.01);
}

TEST(MeasureHistogram, LongTailLognormalPercentilesMatchSortedArray) {
    std::mt19937_64 rng(3);
    std::lognormal_distribution<double> ln(std::log(2'000.0), 1.5);  // ~10 ns .. ~10 ms
    std::vector<uint64_t> s(300'000);
    for (auto& x : s) x = uint64_t(std::clamp(ln(rng), 10.0, 1e10));
    expect_percentiles_within(s, 0.01);
}

TEST(MeasureHistogram, SmallValuesAreExact) {
    std::vector<uint64_t> s;
    for (uint64_t i = 0; i < 256; ++i) s.push_back(i);
    expect_percentiles_within(s, 0.0);
}

TEST(MeasureHistogram, MergeEqualsOneHistogramOfAllSamples) {
    std::mt19937_64 rng(4);
    std::lognormal_distribution<double> ln(std::log(5'000.0), 2.0);
    std::vector<std::vector<uint64_t>> parts(4);
    std::vector<uint64_t> all;
    for (size_t p = 0; p < parts.size(); ++p) {
        for (int i = 0; i < 50'000 * int(p); ++i) {  // part 0 is empty
            const uint64_t v = uint64_t(std::clamp(ln(rng), 0.0, 1e11)) + p * 100;
            parts[p].push_back(v);
            all.push_back(v);
        }
    }
    std::vector<HistogramData> snaps;
    for (const auto& p : parts) snaps.push_back(hist_of(p));
    const HistogramData merged = merge(snaps);
    const HistogramData single = hist_of(all);
    EXPECT_EQ(merged.counts, single.counts);
    EXPECT_EQ(merged.count, single.count);
    EXPECT_EQ(merged.sum, single.sum);
    EXPECT_EQ(merged.min, single.min);
    EXPECT_EQ(merged.max, single.max);
    EXPECT_EQ(summarize(merged).p9999, summarize(single).p9999);
    // Merging into a non-empty value in another order gives the same.
    HistogramData acc = snaps[3];
    merge_into(acc, snaps[1]);
    merge_into(acc, snaps[0]);
    merge_into(acc, snaps[2]);
    EXPECT_EQ(acc.counts, single.counts);
    EXPECT_EQ(acc.min, single.min);
}

TEST(MeasureHistogram, PercentileRankIsNearestRank) {
    EXPECT_EQ(percentile_rank(50, 0), 0u);
    EXPECT_EQ(percentile_rank(0, 10), 1u);
    EXPECT_EQ(percentile_rank(50, 1), 1u);
    EXPECT_EQ(percentile_rank(50, 10), 5u);
    EXPECT_EQ(percentile_rank(50, 11), 6u);
    EXPECT_EQ(percentile_rank(99.9, 1000), 999u);   // not 1000: p taken to 1e-4 percent
    EXPECT_EQ(percentile_rank(99.99, 1'000'000), 999'900u);
    EXPECT_EQ(percentile_rank(100, 10), 10u);
    EXPECT_EQ(percentile_rank(150, 10), 10u);
    EXPECT_EQ(percentile_rank(-1, 10), 1u);
}

TEST(MeasureHistogram, JsonExportHasContractKeysAndBuckets) {
    std::vector<uint64_t> s;
    for (uint64_t i = 1; i <= 1000; ++i) s.push_back(i * 1000);
    const HistogramData d = hist_of(s);
    const nlohmann::json j = histogram_json(d);
    for (const char* k : {"count", "min", "mean", "p50", "p90", "p99", "p999", "p9999", "max"}) {
        EXPECT_TRUE(j.contains(k)) << k;
    }
    EXPECT_EQ(j["count"], 1000);
    EXPECT_EQ(j["min"], 1000);
    EXPECT_EQ(j["max"], 1'000'000);
    EXPECT_DOUBLE_EQ(j["mean"].get<double>(), 500'500.0);
    uint64_t total = 0, prev_upper = 0;
    for (const auto& b : j["buckets"]) {
        EXPECT_LT(b["lower_ns"].get<uint64_t>(), b["upper_ns"].get<uint64_t>());
        EXPECT_GE(b["lower_ns"].get<uint64_t>(), prev_upper);
        prev_upper = b["upper_ns"];
        total += b["count"].get<uint64_t>();
    }
    EXPECT_EQ(total, 1000u);
    const nlohmann::json summary = summarize(d);
    EXPECT_EQ(summary.size(), 9u);
}

TEST(MeasureHistogram, SnapshotWhileWriterRunsIsSelfConsistent) {
    auto h = fresh();
    std::atomic<bool> stop{false};
    std::thread writer([&] {
        std::mt19937_64 rng(5);
        std::uniform_int_distribution<uint64_t> u(100, 100'000);
        while (!stop.load(std::memory_order_relaxed)) h->record(u(rng));
    });
    for (int i = 0; i < 50; ++i) {
        const HistogramData d = snapshot(*h);
        if (d.count == 0) continue;
        const LatencySummary s = summarize(d);
        ASSERT_LE(s.min, s.p50);
        ASSERT_LE(s.p50, s.p9999);
        ASSERT_LE(s.p9999, s.max);
        ASSERT_GE(s.min, 100u);
        ASSERT_LE(s.max, 100'000u);
    }
    stop = true;
    writer.join();
    const HistogramData d = snapshot(*h);
    EXPECT_EQ(d.count, h->count());  // exact once the writer stopped
}

TEST(MeasureHistogram, RecordNCountsSamples) {
    auto h = fresh();
    h->record_n(200, 31);  // below 256: exact buckets
    h->record(2000);
    const HistogramData d = snapshot(*h);
    EXPECT_EQ(d.count, 32u);
    EXPECT_EQ(d.sum, 31u * 200 + 2000);
    EXPECT_EQ(percentile(d, 96), 200u);
    EXPECT_EQ(percentile(d, 97), 2000u);
}

TEST(MeasureTsc, ConvertsCyclesToNs) {
    EXPECT_EQ(TscToNs::from_hz(1'000'000'000)(123'456'789), 123'456'789u);
    const TscToNs c = TscToNs::from_hz(2'500'000'000);
    EXPECT_NEAR(double(c(2'500'000'000)), 1e9, 1.0);
    EXPECT_NEAR(double(c(25)), 10.0, 1.0);
    const TscToNs odd = TscToNs::from_hz(2'194'843'000);
    EXPECT_NEAR(double(odd(2'194'843'000ULL * 3600)), 3600e9, 3600e9 * 1e-9);
}

// --- probe -------------------------------------------------------------------------------------

namespace {

void put16(std::vector<uint8_t>& f, size_t at, uint16_t v) {
    f[at] = uint8_t(v >> 8);
    f[at + 1] = uint8_t(v);
}

enum class Encap { l2, udp };

// Ethernet [+ tags] + (0x88B5 probe | IPv4 + UDP + probe) + `pad` bytes of payload.
std::vector<uint8_t> probe_frame(Encap e, int tags, const ProbeFields& pf, size_t pad = 8,
                                 size_t ip_options = 0) {
    std::vector<uint8_t> f(12, 0);
    for (int i = 0; i < 6; ++i) f[i] = uint8_t(0x02 + i), f[6 + i] = uint8_t(0x12 + i);
    for (int t = 0; t < tags; ++t) {
        f.resize(f.size() + 4);
        put16(f, f.size() - 4, t == 0 && tags == 2 ? 0x88A8 : 0x8100);
        put16(f, f.size() - 2, uint16_t(100 + t));
    }
    f.resize(f.size() + 2);
    put16(f, f.size() - 2, e == Encap::l2 ? k_probe_ethertype : 0x0800);
    if (e == Encap::udp) {
        const size_t ip = f.size(), ihl = 20 + ip_options;
        f.resize(f.size() + ihl + 8, 0);
        f[ip] = uint8_t(0x40 | (ihl / 4));
        put16(f, ip + 2, uint16_t(ihl + 8 + k_probe_size + pad));
        f[ip + 8] = 64;
        f[ip + 9] = 17;
        put16(f, ip + ihl, 1024);
        put16(f, ip + ihl + 2, 4791);
        put16(f, ip + ihl + 4, uint16_t(8 + k_probe_size + pad));
    }
    const size_t at = f.size();
    f.resize(f.size() + k_probe_size + pad, 0xAB);
    EXPECT_EQ(write_probe(f.data() + at, k_probe_size + pad, pf), k_probe_size);
    return f;
}

const ProbeFields k_pf{0xDEADBEEF, k_probe_flag_last, 0x0000'1234'5678'9ABCULL,
                       0x0123'4567'89AB'CDEFULL};

bool same(const ProbeFields& a, const ProbeFields& b) {
    return a.stream_id == b.stream_id && a.flags == b.flags && a.seq == b.seq &&
           a.tx_tsc == b.tx_tsc;
}

// Places `len` bytes right before a PROT_NONE page, so reading past len faults.
class GuardedBuffer {
public:
    GuardedBuffer() {
        page_ = size_t(sysconf(_SC_PAGESIZE));
        base_ = static_cast<uint8_t*>(
            mmap(nullptr, 2 * page_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
        mprotect(base_ + page_, page_, PROT_NONE);
    }
    ~GuardedBuffer() { munmap(base_, 2 * page_); }
    const uint8_t* place(const uint8_t* src, size_t len) {
        uint8_t* at = base_ + page_ - len;
        std::memcpy(at, src, len);
        return at;
    }

private:
    size_t page_ = 0;
    uint8_t* base_ = nullptr;
};

}  // namespace

TEST(MeasureProbe, WireLayoutIsBigEndianWithReadableMagic) {
    std::vector<uint8_t> b(k_probe_size);
    ASSERT_EQ(write_probe(b.data(), b.size(), k_pf), k_probe_size);
    EXPECT_EQ(std::string(b.begin(), b.begin() + 8), "VFPATHP1");
    EXPECT_EQ(b[8], 0xDE);
    EXPECT_EQ(b[11], 0xEF);
    EXPECT_EQ(b[13], 0x01);  // flags low byte
    EXPECT_EQ(b[14], k_probe_version);
    EXPECT_EQ(b[15], k_probe_size);
    EXPECT_EQ(b[16 + 7], 0xBC);
    EXPECT_EQ(b[24], 0x01);
}

TEST(MeasureProbe, RoundTripEveryEncapsulation) {
    for (Encap e : {Encap::l2, Encap::udp}) {
        for (int tags = 0; tags <= 2; ++tags) {
            const auto f = probe_frame(e, tags, k_pf);
            ProbeFields out;
            ASSERT_TRUE(parse_probe(f.data(), f.size(), out)) << int(e) << " tags " << tags;
            EXPECT_TRUE(same(out, k_pf));
        }
    }
    // The generator's fixed offsets match.
    EXPECT_EQ(probe_frame(Encap::udp, 0, k_pf)[k_probe_off_udp], 'V');
    EXPECT_EQ(probe_frame(Encap::udp, 1, k_pf)[k_probe_off_udp_vlan], 'V');
    EXPECT_EQ(probe_frame(Encap::l2, 0, k_pf)[k_probe_off_l2], 'V');
    // IPv4 options move the UDP header.
    const auto opt = probe_frame(Encap::udp, 0, k_pf, 0, 8);
    ProbeFields out;
    EXPECT_TRUE(parse_probe(opt.data(), opt.size(), out));
    // Ethernet padding after the IP datagram is fine.
    auto padded = probe_frame(Encap::udp, 0, k_pf, 0);
    padded.resize(padded.size() + 20, 0);
    EXPECT_TRUE(parse_probe(padded.data(), padded.size(), out));
}

TEST(MeasureProbe, StampUpdatesOnlySeqAndTsc) {
    auto f = probe_frame(Encap::udp, 1, k_pf);
    stamp_probe(f.data() + k_probe_off_udp_vlan, 77, 99);
    ProbeFields out;
    ASSERT_TRUE(parse_probe(f.data(), f.size(), out));
    EXPECT_EQ(out.seq, 77u);
    EXPECT_EQ(out.tx_tsc, 99u);
    EXPECT_EQ(out.stream_id, k_pf.stream_id);
}

TEST(MeasureProbe, WriteRefusesShortBuffer) {
    std::vector<uint8_t> b(k_probe_size, 0x5A);
    EXPECT_EQ(write_probe(b.data(), k_probe_size - 1, k_pf), 0u);
    EXPECT_TRUE(std::all_of(b.begin(), b.end(), [](uint8_t c) { return c == 0x5A; }));
}

TEST(MeasureProbe, TruncatedAtEveryLengthIsRejectedWithoutReadingPastTheEnd) {
    GuardedBuffer g;
    for (Encap e : {Encap::l2, Encap::udp}) {
        for (int tags = 0; tags <= 2; ++tags) {
            const auto f = probe_frame(e, tags, k_pf, 0);  // frame ends with the probe
            ProbeFields out;
            const uint8_t* whole = g.place(f.data(), f.size());
            ASSERT_TRUE(parse_probe(whole, f.size(), out));
            for (size_t len = 0; len < f.size(); ++len) {
                const uint8_t* p = g.place(f.data(), len);
                ASSERT_FALSE(parse_probe(p, len, out)) << int(e) << " tags " << tags << " len "
                                                       << len;
            }
        }
    }
}

TEST(MeasureProbe, RejectsBadMagicAndAbsurdValues) {
    const auto good = probe_frame(Encap::udp, 0, k_pf);
    const size_t at = k_probe_off_udp;
    ProbeFields out;
    auto rejects = [&](auto mutate) {
        auto f = good;
        mutate(f);
        return !parse_probe(f.data(), f.size(), out);
    };
    for (size_t i = 0; i < 8; ++i) {
        EXPECT_TRUE(rejects([&](auto& f) { f[at + i] ^= 0x20; })) << "magic byte " << i;
    }
    EXPECT_TRUE(rejects([&](auto& f) { f[at + 14] = 2; }));              // version
    EXPECT_TRUE(rejects([&](auto& f) { f[at + 15] = 31; }));             // hdr_len too small
    EXPECT_TRUE(rejects([&](auto& f) { f[at + 15] = 200; }));            // hdr_len past the end
    EXPECT_TRUE(rejects([&](auto& f) { f[at + 12] = 0x80; }));           // unknown flag
    EXPECT_TRUE(rejects([&](auto& f) { std::fill_n(&f[at + 24], 8, 0); }));  // tx_tsc 0
    EXPECT_TRUE(rejects([&](auto& f) { f[at + 16] = 0x01; }));           // seq > 2^48
    EXPECT_TRUE(rejects([&](auto& f) { f[14] = 0x60; }));                // IPv6 version nibble
    EXPECT_TRUE(rejects([&](auto& f) { f[14] = 0x44; }));                // IHL 4
    EXPECT_TRUE(rejects([&](auto& f) { f[14 + 6] = 0x20; }));            // MF
    EXPECT_TRUE(rejects([&](auto& f) { f[14 + 7] = 0x01; }));            // fragment offset
    EXPECT_TRUE(rejects([&](auto& f) { f[14 + 9] = 6; }));               // TCP
    EXPECT_TRUE(rejects([&](auto& f) { put16(f, 14 + 2, 20 + 8 + 31); }));  // IP total short
    EXPECT_TRUE(rejects([&](auto& f) { put16(f, 14 + 2, 1500); }));      // IP total > frame
    EXPECT_TRUE(rejects([&](auto& f) { put16(f, 34 + 4, 8 + 31); }));    // UDP length short
    EXPECT_TRUE(rejects([&](auto& f) { put16(f, 34 + 4, 8 + 32 + 9); }));  // UDP > IP payload
    EXPECT_TRUE(rejects([&](auto& f) { put16(f, 12, 0x86DD); }));        // IPv6 ethertype
    // The unmodified frame is accepted (the mutations above are what fails).
    EXPECT_FALSE(rejects([&](auto& f) { (void)f; }));
    // Three tags.
    auto three = probe_frame(Encap::l2, 2, k_pf);
    three.insert(three.begin() + 12, {0x81, 0x00, 0x00, 0x05});
    EXPECT_FALSE(parse_probe(three.data(), three.size(), out));
    // A flag we know is accepted.
    auto warm = probe_frame(Encap::l2, 0, {1, k_probe_flag_warmup | k_probe_flag_last, 0, 1});
    EXPECT_TRUE(parse_probe(warm.data(), warm.size(), out));
    EXPECT_EQ(out.flags, k_probe_flag_warmup | k_probe_flag_last);
    EXPECT_EQ(out.seq, 0u);
}

TEST(MeasureProbe, FailedParseLeavesOutputAlone) {
    auto f = probe_frame(Encap::l2, 0, k_pf);
    f[k_probe_off_l2] ^= 1;
    ProbeFields out{9, 9, 9, 9};
    EXPECT_FALSE(parse_probe(f.data(), f.size(), out));
    EXPECT_TRUE(same(out, ProbeFields{9, 9, 9, 9}));
}

// --- sequence tracker --------------------------------------------------------------------------

namespace {

struct Counts {
    uint64_t received, lost, reordered, duplicates, too_old;
};
template <class T>
Counts counts(const T& t) {
    const auto& c = t.counters();
    return {c.received.get(), c.lost.get(), c.reordered.get(), c.duplicates.get(),
            c.too_old.get()};
}
#define EXPECT_COUNTS(t, r, l, ro, d, old)                          \
    do {                                                            \
        const Counts c_ = counts(t);                                \
        EXPECT_EQ(c_.received, r) << "received";                    \
        EXPECT_EQ(c_.lost, l) << "lost";                            \
        EXPECT_EQ(c_.reordered, ro) << "reordered";                 \
        EXPECT_EQ(c_.duplicates, d) << "duplicates";                \
        EXPECT_EQ(c_.too_old, old) << "too_old";                    \
    } while (0)

}  // namespace

TEST(MeasureSeqTrack, InOrder) {
    auto t = std::make_unique<SeqTracker<>>();
    for (uint64_t s = 0; s < 100'000; ++s) ASSERT_EQ(t->update(s), Arrival::in_order);
    EXPECT_COUNTS(*t, 100'000u, 0u, 0u, 0u, 0u);
    EXPECT_EQ(t->next_expected(), 100'000u);
    EXPECT_EQ(t->lost_after(100'000), 0u);
    EXPECT_EQ(t->lost_after(100'010), 10u);  // tail loss
}

TEST(MeasureSeqTrack, LossIncludingTheFirstFrames) {
    SeqTracker<1024> t;
    EXPECT_EQ(t.update(3), Arrival::gap);  // 0..2 lost
    EXPECT_EQ(t.update(4), Arrival::in_order);
    EXPECT_EQ(t.update(10), Arrival::gap);  // 5..9 lost
    EXPECT_COUNTS(t, 3u, 8u, 0u, 0u, 0u);
    EXPECT_EQ(t.lost_after(12), 9u);  // 11 never arrived
}

TEST(MeasureSeqTrack, ReorderAndLateArrivalCorrectLoss) {
    SeqTracker<1024> t;
    for (uint64_t s : {0, 1, 3, 2, 4, 7, 5, 6, 8}) t.update(s);
    EXPECT_COUNTS(t, 9u, 0u, 3u, 0u, 0u);
    EXPECT_EQ(t.update(20), Arrival::gap);
    EXPECT_EQ(counts(t).lost, 11u);
    EXPECT_EQ(t.update(12), Arrival::late);
    EXPECT_EQ(counts(t).lost, 10u);
    EXPECT_EQ(counts(t).reordered, 4u);
}

TEST(MeasureSeqTrack, Duplicates) {
    SeqTracker<1024> t;
    EXPECT_EQ(t.update(0), Arrival::in_order);
    EXPECT_EQ(t.update(0), Arrival::duplicate);
    EXPECT_EQ(t.update(2), Arrival::gap);
    EXPECT_EQ(t.update(1), Arrival::late);
    EXPECT_EQ(t.update(1), Arrival::duplicate);  // a late frame seen twice
    EXPECT_EQ(t.update(2), Arrival::duplicate);
    EXPECT_COUNTS(t, 3u, 0u, 1u, 3u, 0u);
}

TEST(MeasureSeqTrack, WindowWrapsAround) {
    SeqTracker<64> t;
    for (uint64_t s = 0; s < 200; ++s) {
        if (s != 150) t.update(s);
    }
    // The window is [136, 200): 136 is still known (a duplicate), 135 is behind it.
    EXPECT_EQ(t.update(136), Arrival::duplicate);
    EXPECT_EQ(t.update(150), Arrival::late);  // the hole left at 150, after wrapping 3 times
    EXPECT_EQ(t.update(150), Arrival::duplicate);
    EXPECT_EQ(t.update(135), Arrival::too_old);
    EXPECT_COUNTS(t, 201u, 0u, 2u, 2u, 1u);
    // Bits from an earlier lap must not look like this lap's frames: a gap across a whole lap
    // and a bit more clears them.
    EXPECT_EQ(t.update(300), Arrival::gap);  // 200..299 lost
    EXPECT_EQ(t.update(299), Arrival::late);
    EXPECT_EQ(t.update(237), Arrival::late);  // 237 = 300 - 63: in window, was never received
    EXPECT_EQ(t.update(236), Arrival::too_old);
    EXPECT_EQ(counts(t).lost, 97u);
    // A gap shorter than the window clears exactly the skipped positions, across the ring's end.
    SeqTracker<64> u;
    for (uint64_t s = 0; s < 60; ++s) u.update(s);
    EXPECT_EQ(u.update(70), Arrival::gap);  // 60..69 lost; positions 60..63 and 0..5 cleared
    for (uint64_t s = 60; s < 70; ++s) EXPECT_EQ(u.update(s), Arrival::late) << s;
    for (uint64_t s = 7; s < 60; ++s) EXPECT_EQ(u.update(s), Arrival::duplicate) << s;
    EXPECT_EQ(u.update(6), Arrival::too_old);
    EXPECT_EQ(counts(u).lost, 0u);
}

TEST(MeasureSeqTrack, RandomisedAgainstReferenceModel) {
    std::mt19937_64 rng(11);
    for (int round = 0; round < 4; ++round) {
        const uint64_t sent = 200'000;
        // Drop 1%, duplicate 0.5%, then shuffle within blocks shorter than the window.
        std::vector<uint64_t> wire;
        std::bernoulli_distribution drop(0.01), dup(0.005);
        for (uint64_t s = 0; s < sent; ++s) {
            if (drop(rng)) continue;
            wire.push_back(s);
            if (dup(rng)) wire.push_back(s);
        }
        const size_t block = 16 << round;  // 16..128, window 1024
        for (size_t i = 0; i < wire.size(); i += block) {
            std::shuffle(wire.begin() + i, wire.begin() + std::min(wire.size(), i + block), rng);
        }
        auto t = std::make_unique<SeqTracker<1024>>();
        std::set<uint64_t> seen;
        uint64_t next = 0, reordered = 0, dups = 0;
        for (uint64_t s : wire) {
            t->update(s);
            if (!seen.insert(s).second) {
                ++dups;
            } else if (s < next) {
                ++reordered;
            }
            next = std::max(next, s + 1);
        }
        const Counts c = counts(*t);
        EXPECT_EQ(c.received, seen.size());
        EXPECT_EQ(c.duplicates, dups);
        EXPECT_EQ(c.reordered, reordered);
        EXPECT_EQ(c.too_old, 0u);
        EXPECT_EQ(c.received + c.lost, t->next_expected());
        EXPECT_EQ(t->lost_after(sent), sent - c.received);
    }
}

TEST(MeasureSeqTrack, ResetStartsOver) {
    SeqTracker<64> t;
    t.update(5);
    t.reset();
    EXPECT_EQ(t.update(0), Arrival::in_order);
    EXPECT_COUNTS(t, 1u, 0u, 0u, 0u, 0u);
}

// --- pacer -------------------------------------------------------------------------------------

TEST(MeasurePacer, AchievedRateWithinPointOnePercentOverAMillionFrames) {
    for (double pps : {14'880'952.380952, 1'000'000.5, 812'743.8, 10'000.0}) {
        const uint64_t hz = 2'194'843'000;
        Pacer p;
        const uint64_t t0 = 123'456'789;
        p.start(hz, to_upps(pps), 32, t0);
        std::mt19937_64 rng(3);
        // Loop iterations of 1..400 cycles; longer at low rates to keep the test short.
        const uint64_t period = uint64_t(double(hz) / pps);
        std::uniform_int_distribution<uint64_t> step(1, std::max<uint64_t>(400, period / 4));
        uint64_t now = t0;
        while (p.sent() < 1'000'000) {
            now += step(rng);
            const uint32_t n = p.ready(now);
            ASSERT_LE(n, 32u);
            p.consume(n);
        }
        const double achieved = double(p.sent()) / (double(now - t0) / double(hz));
        EXPECT_LE(rel_err(achieved, pps), 0.001) << pps;
        EXPECT_EQ(p.forfeited(), 0u) << pps;  // the simulated sender kept up
    }
}

TEST(MeasurePacer, NoDriftOverElevenDays) {
    // 1000.001 pps for 1e6 s (11.6 days) in one-second steps: exactly floor(rate * t) frames.
    const uint64_t hz = 3'000'000'000;
    Pacer p;
    p.start(hz, 1'000'001'000, 4096, 0);
    uint64_t now = 0;
    for (int s = 0; s < 1'000'000; ++s) {
        now += hz;
        p.consume(p.ready(now));
    }
    EXPECT_EQ(p.sent(), 1'000'001'000u);
    EXPECT_EQ(p.forfeited(), 0u);
}

TEST(MeasurePacer, BurstBoundAfterStallAndOverAnyWindow) {
    const uint64_t hz = 1'000'000'000;  // 1 cycle = 1 ns
    const double pps = 1e6;             // one frame per 1000 cycles
    Pacer p;
    p.start(hz, to_upps(pps), 8, 0);
    EXPECT_EQ(p.ready(10'000'000), 8u);  // 10 ms stall: 10000 due, only a burst released
    EXPECT_EQ(p.forfeited(), 10'000u - 8);
    p.consume(8);
    EXPECT_EQ(p.ready(10'000'000), 0u);
    // Sliding windows: releases in any window of d cycles <= burst + d * rate + 1.
    std::vector<std::pair<uint64_t, uint32_t>> log;
    std::mt19937_64 rng(9);
    uint64_t now = 10'000'000;
    for (int i = 0; i < 200'000; ++i) {
        now += std::uniform_int_distribution<uint64_t>(1, i % 1000 == 0 ? 50'000 : 300)(rng);
        const uint32_t n = p.ready(now);
        ASSERT_LE(n, 8u);
        if (n) log.emplace_back(now, n);
        p.consume(n);
    }
    size_t j = 0;
    uint64_t in_window = 0;
    const uint64_t d = 20'000;  // 20 frame periods
    for (size_t i = 0; i < log.size(); ++i) {
        in_window += log[i].second;
        while (log[i].first - log[j].first > d) in_window -= log[j++].second;
        ASSERT_LE(in_window, 8 + d * pps / double(hz) + 1) << i;
    }
}

TEST(MeasurePacer, PartialConsumeKeepsCredit) {
    Pacer p;
    p.start(1'000'000'000, to_upps(1e6), 32, 0);
    EXPECT_EQ(p.ready(10'000), 10u);
    p.consume(4);  // tx ring took only 4
    EXPECT_EQ(p.ready(10'000), 6u);
    p.consume(6);
    EXPECT_EQ(p.sent(), 10u);
}

TEST(MeasurePacer, IdleWakeIsExact) {
    // 3 frames per 7 cycles: the first cycle at which each frame falls due, found by brute force.
    Pacer p;
    p.start(7, 3 * k_upps_per_pps, 1, 100);
    uint64_t sent = 0;
    for (uint64_t now = 100; now < 100 + 700; ++now) {
        const uint64_t due = (now - 100) * 3 / 7;
        const uint32_t n = p.ready(now);
        ASSERT_EQ(n, due > sent ? 1u : 0u) << now;
        p.consume(n);
        sent += n;
    }
    EXPECT_EQ(sent, 699u * 3 / 7);
}

TEST(MeasurePacer, ZeroRateNeverSends) {
    Pacer p;
    p.start(2'000'000'000, 0, 32, 0);
    EXPECT_EQ(p.ready(UINT64_MAX - 1), 0u);
}

// --- rates -------------------------------------------------------------------------------------

TEST(MeasureRates, LineRates) {
    EXPECT_NEAR(line_rate_pps(10e9, 64), 14'880'952.38, 0.01);
    EXPECT_NEAR(line_rate_pps(10e9, 1518), 812'743.82, 0.01);
    EXPECT_NEAR(line_rate_pps(100e9, 64), 148'809'523.8, 0.1);
    EXPECT_NEAR(line_rate_pps(25e9, 128), 21'114'864.86, 0.01);
    EXPECT_EQ(line_rate_pps(0, 64), 0.0);
    EXPECT_EQ(line_rate_pps(10e9, 0), 0.0);
}

TEST(MeasureRates, BitrateAndPercentToPps) {
    EXPECT_NEAR(pps_for_bitrate(1e9, 64, BitBasis::wire), 1'488'095.238, 0.001);
    EXPECT_NEAR(pps_for_bitrate(1e9, 64, BitBasis::frame), 1'953'125.0, 0.001);
    EXPECT_NEAR(pps_for_link_percent(50, 10e9, 64), 7'440'476.19, 0.01);
    EXPECT_NEAR(pps_for_link_percent(100, 10e9, 1518), line_rate_pps(10e9, 1518), 1e-6);
    EXPECT_EQ(pps_for_link_percent(-5, 10e9, 64), 0.0);
    EXPECT_EQ(pps_for_bitrate(NAN, 64, BitBasis::wire), 0.0);
    // IMIX 7:4:1 of 64/594/1518 averages 353.83 bytes.
    const double imix = (7 * 64 + 4 * 594 + 1518) / 12.0;
    EXPECT_NEAR(line_rate_pps(10e9, imix), 10e9 / (8 * (imix + 20)), 1e-6);
    EXPECT_EQ(pkt_len_of_frame(64), 60);
    EXPECT_EQ(frame_of_pkt_len(60), 64);
}

TEST(MeasureSamples, Median) {
    EXPECT_FALSE(median({}).has_value());
    EXPECT_EQ(median({7.5}), 7.5);
    EXPECT_EQ(median({3, 1, 2}), 2.0);
    EXPECT_EQ(median({40, 10, 30, 20}), 25.0) << "even count: the mean of the two middle values";
}

TEST(MeasureRates, ToMicroPps) {
    EXPECT_EQ(to_upps(14'880'952.380952), 14'880'952'380'952u);
    EXPECT_EQ(to_upps(0.5), 500'000u);
    EXPECT_EQ(to_upps(-1), 0u);
    EXPECT_EQ(to_upps(NAN), 0u);
    EXPECT_EQ(to_upps(1e300), UINT64_MAX);
}

TEST(MeasureRates, ThroughputFromCounters) {
    // One second of 64-byte frames at 10 Gbit/s line rate, counted as DPDK does (pkt_len 60).
    const uint64_t pkts = 14'880'952;
    const Throughput t = throughput(pkts, pkts * 60, 1.0, 10e9);
    EXPECT_DOUBLE_EQ(t.pps, double(pkts));
    EXPECT_DOUBLE_EQ(t.frame_bps, double(pkts) * 64 * 8);
    EXPECT_DOUBLE_EQ(t.wire_bps, double(pkts) * 84 * 8);
    ASSERT_TRUE(t.percent_of_link.has_value());
    EXPECT_NEAR(*t.percent_of_link, 100.0, 0.001);
    const Throughput half = throughput(1000, 64'000, 2.0, 0, true);
    EXPECT_DOUBLE_EQ(half.pps, 500);
    EXPECT_DOUBLE_EQ(half.frame_bps, 256'000);
    EXPECT_DOUBLE_EQ(half.wire_bps, 336'000);
    EXPECT_FALSE(half.percent_of_link.has_value());
    EXPECT_EQ(throughput(10, 10, 0).pps, 0.0);
}

TEST(MeasureRates, RatesOverAnInterval) {
    // 2 s between readings of cumulative counters: what grew, per second.
    EXPECT_DOUBLE_EQ(per_second(1'500, 500, 2.0), 500);
    EXPECT_EQ(per_second(500, 1'500, 2.0), 0.0) << "a counter that went back gives no rate";
    EXPECT_EQ(per_second(1'500, 500, 0), 0.0) << "an empty interval gives no rate";
    const Throughput t = interval_throughput(3'000, 1'000, 200'000, 72'000, 2.0, 10e9);
    const Throughput whole = throughput(2'000, 128'000, 2.0, 10e9);
    EXPECT_DOUBLE_EQ(t.pps, 1'000);
    EXPECT_DOUBLE_EQ(t.frame_bps, whole.frame_bps);  // (128000 + 4 * 2000) * 8 / 2
    EXPECT_DOUBLE_EQ(t.frame_bps, 544'000);
    EXPECT_DOUBLE_EQ(t.wire_bps, whole.wire_bps);
    ASSERT_TRUE(t.percent_of_link.has_value());
    EXPECT_DOUBLE_EQ(*t.percent_of_link, *whole.percent_of_link);
    const Throughput back = interval_throughput(3'000, 1'000, 70'000, 72'000, 2.0, 10e9);
    EXPECT_EQ(back.pps, 0.0) << "bytes went back: the whole interval is void";
    EXPECT_EQ(back.wire_bps, 0.0);
    EXPECT_FALSE(back.percent_of_link.has_value());
    EXPECT_EQ(interval_throughput(3'000, 1'000, 200'000, 72'000, 0).pps, 0.0);
}
