// RFC 2544 search (lib/measure/cp/rfc2544.h) against simulated links whose answer is known.
#include "measure/cp/rfc2544.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "measure/cp/rates.h"
#include "sim_link.h"

using namespace vfpath::measure;
using namespace vfpath::measure::rfc2544;
using nlohmann::json;

namespace {

constexpr double k_10g = 10e9;

Params base_params() {
    Params p;
    p.frame_sizes = {64};
    p.link_bps = k_10g;
    p.trial_s = 1;
    p.verify_trial_s = 10;
    p.latency_trial_s = 2;
    p.warmup_s = 0.5;
    p.resolution = {0.1, RateUnit::percent};
    return p;
}

unsigned count_phase(const SizeResult& r, Phase ph) {
    return static_cast<unsigned>(
        std::count_if(r.log.begin(), r.log.end(), [&](const Trial& t) { return t.phase == ph; }));
}

// The highest rate whose loss ratio (r - C) / r stays within L.
double pdr_of(double capacity, double loss) {
    return capacity / (1 - loss);
}

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += x + "\n";
    return s;
}

}  // namespace

TEST(Rfc2544Parse, Rates) {
    auto r = parse_rate("0.5%");
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->unit, RateUnit::percent);
    EXPECT_DOUBLE_EQ(r->value, 0.5);
    EXPECT_DOUBLE_EQ(r->to_pps(14'880'952), 74'404.76);
    r = parse_rate("10000pps");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->unit, RateUnit::pps);
    EXPECT_DOUBLE_EQ(r->to_pps(1), 10'000);
    EXPECT_DOUBLE_EQ(parse_rate("250kpps")->value, 250'000);
    EXPECT_DOUBLE_EQ(parse_rate("1.5Mpps")->value, 1'500'000);
    EXPECT_DOUBLE_EQ(parse_rate("2MPPS")->value, 2'000'000);
    for (const char* bad : {"", "abc", "%", "10 pps", " 10pps", "10pp", "nan%", "inf%"}) {
        EXPECT_FALSE(parse_rate(bad)) << bad;
    }
    const auto bare = parse_rate("0.5");
    ASSERT_FALSE(bare);
    EXPECT_NE(bare.error().find("no unit"), std::string::npos) << bare.error();
    EXPECT_NE(bare.error().find("0.5%"), std::string::npos) << bare.error();
}

TEST(Rfc2544Parse, LinkSpeeds) {
    EXPECT_DOUBLE_EQ(*parse_link_speed("10G"), 10e9);
    EXPECT_DOUBLE_EQ(*parse_link_speed("25Gbps"), 25e9);
    EXPECT_DOUBLE_EQ(*parse_link_speed("100000M"), 100e9);
    EXPECT_DOUBLE_EQ(*parse_link_speed("1000Mbit/s"), 1e9);
    EXPECT_DOUBLE_EQ(*parse_link_speed("1e10"), 1e10);
    EXPECT_DOUBLE_EQ(*parse_link_speed("40g"), 40e9);
    for (const char* bad : {"", "fast", "10X", "10Gx", "100", "-10G"}) {
        EXPECT_FALSE(parse_link_speed(bad)) << bad;
    }
}

TEST(Rfc2544Params, DefaultsAreValidWithALinkSpeed) {
    Params p;
    p.link_bps = k_10g;
    EXPECT_TRUE(check_params(p).empty()) << joined(check_params(p));
    EXPECT_EQ(p.frame_sizes, (std::vector<uint32_t>{64, 128, 256, 512, 1024, 1280, 1518}));
}

TEST(Rfc2544Params, BadValuesAreRejectedNamingTheOption) {
    struct Case {
        const char* name;
        void (*edit)(Params&);
        const char* needle;
    };
    const Case cases[] = {
        {"resolution 0",
         [](Params& p) {
             p.resolution = {0, RateUnit::pps};
         },
         "--resolution"},
        {"resolution <0",
         [](Params& p) {
             p.resolution = {-1, RateUnit::percent};
         },
         "--resolution"},
        {"min > max",
         [](Params& p) {
             p.min_rate = {2e6, RateUnit::pps};
             p.max_rate = {1e6, RateUnit::pps};
         },
         "--min-rate"},
        {"min == max",
         [](Params& p) {
             p.min_rate = {100, RateUnit::percent};
         },
         "--min-rate"},
        {"no sizes", [](Params& p) { p.frame_sizes.clear(); }, "--sizes"},
        {"size 63", [](Params& p) { p.frame_sizes = {63}; }, "63"},
        {"size 9217",
         [](Params& p) {
             p.frame_sizes = {64, 9217};
         },
         "9217"},
        {"loss 1", [](Params& p) { p.pdr_loss_ratio = 1; }, "--pdr-loss"},
        {"loss <0", [](Params& p) { p.pdr_loss_ratio = -0.1; }, "--pdr-loss"},
        {"loss nan", [](Params& p) { p.pdr_loss_ratio = std::nan(""); }, "--pdr-loss"},
        {"trial 0", [](Params& p) { p.trial_s = 0; }, "--trial"},
        {"verify <0", [](Params& p) { p.verify_trial_s = -1; }, "--verify-trial"},
        {"warmup <0", [](Params& p) { p.warmup_s = -1; }, "--warmup"},
        {"iter 0", [](Params& p) { p.max_iterations = 0; }, "--max-iter"},
        {"flows 0", [](Params& p) { p.flows = 0; }, "--flows"},
        {"probe 2", [](Params& p) { p.probe_share = 2; }, "--probe-share"},
        {"latency limit without probes",
         [](Params& p) {
             p.probe_share = 0;
             p.latency_limits = {{"p999", 1000}};
         },
         "--probe-share"},
        {"latency limit 0",
         [](Params& p) {
             p.latency_limits = {{"p999", 0}};
         },
         "p999"},
        {"max above line",
         [](Params& p) {
             p.max_rate = {101, RateUnit::percent};
         },
         "line rate"},
        {"percent, no link", [](Params& p) { p.link_bps = 0; }, "--link-speed"},
        {"tolerance 1", [](Params& p) { p.tx_tolerance = 1; }, "--tx-tolerance"},
    };
    for (const Case& c : cases) {
        Params p = base_params();
        c.edit(p);
        const auto errors = check_params(p);
        ASSERT_FALSE(errors.empty()) << c.name;
        EXPECT_NE(joined(errors).find(c.needle), std::string::npos)
            << c.name << ": " << joined(errors);
        // search_size takes one size, so "no sizes" cannot reach it.
        if (p.frame_sizes.empty()) continue;
        SimLink link{.capacity = 1e6};
        try {
            search_size(p, p.frame_sizes.back(), link.runner());
            ADD_FAILURE() << c.name << ": no exception";
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find(c.needle), std::string::npos) << e.what();
        }
        EXPECT_TRUE(link.calls.empty()) << c.name;
    }
}

TEST(Rfc2544Params, SeveralErrorsAreAllReported) {
    Params p = base_params();
    p.resolution = {0, RateUnit::pps};
    p.pdr_loss_ratio = 2;
    p.frame_sizes.clear();
    EXPECT_EQ(check_params(p).size(), 3u) << joined(check_params(p));
}

TEST(Rfc2544Params, LinkPendingDefersOnlyLinkChecks) {
    Params p = base_params();
    p.link_bps = 0;
    EXPECT_TRUE(check_params(p, true).empty()) << joined(check_params(p, true));
    EXPECT_FALSE(check_params(p, false).empty());
    p.resolution = {-1, RateUnit::percent};
    EXPECT_FALSE(check_params(p, true).empty());
    // Every rate in pps: no link speed needed at all.
    p = base_params();
    p.link_bps = 0;
    p.resolution = {1000, RateUnit::pps};
    p.max_rate = {1e6, RateUnit::pps};
    EXPECT_TRUE(check_params(p).empty()) << joined(check_params(p));
}

TEST(Rfc2544Judge, Criteria) {
    const TrialSpec s{1e6, 64, 1, 0, 1, 0.01};
    TrialResult r{1'000'000, 1'000'000, 0, 0, 0, 1e6, 1e6, json{{"count", 10}, {"p999", 5000}}};
    EXPECT_TRUE(judge(s, r, 0, {}, 0.01).pass);
    r.lost = 1;
    r.received = 999'999;
    auto v = judge(s, r, 0, {}, 0.01);
    EXPECT_FALSE(v.pass);
    EXPECT_NE(v.reason.find("lost 1"), std::string::npos) << v.reason;
    EXPECT_DOUBLE_EQ(v.loss_ratio, 1e-6);
    EXPECT_TRUE(judge(s, r, 1e-6, {}, 0.01).pass);  // ratio == limit passes
    EXPECT_FALSE(judge(s, r, 5e-7, {}, 0.01).pass);
    // Latency limit: above, at, and no samples.
    r.lost = 0;
    EXPECT_FALSE(judge(s, r, 0, {{"p999", 4999}}, 0.01).pass);
    EXPECT_TRUE(judge(s, r, 0, {{"p999", 5000}}, 0.01).pass);
    r.latency_ns = json{{"count", 0}, {"p999", 0}};
    v = judge(s, r, 0, {{"p999", 5000}}, 0.01);
    EXPECT_FALSE(v.pass);
    EXPECT_NE(v.reason.find("no latency samples"), std::string::npos) << v.reason;
    r.latency_ns = nullptr;
    EXPECT_FALSE(judge(s, r, 0, {{"p999", 5000}}, 0.01).pass);
    // The generator fell short of the rate: not a pass, whatever the loss.
    r.tx_pps = 0.985e6;
    v = judge(s, r, 0, {}, 0.01);
    EXPECT_FALSE(v.pass);
    EXPECT_TRUE(v.short_tx);
    EXPECT_TRUE(judge(s, r, 0, {}, 0.02).pass);
    r.sent = 0;
    EXPECT_FALSE(judge(s, r, 0.5, {}, 0.5).pass);
}

TEST(Rfc2544Search, ExactLinkConvergesWithinResolution) {
    for (double capacity : {1e6, 5e6, 7'777'777.0, 14e6}) {
        Params p = base_params();
        SimLink link{.capacity = capacity};
        const SizeResult r = search_size(p, 64, link.runner());
        const double res = line_rate_pps(k_10g, 64) * 0.001;
        EXPECT_DOUBLE_EQ(r.resolution_pps, res);
        EXPECT_LE(r.ndr.rate_pps, capacity) << capacity;
        EXPECT_GE(r.ndr.rate_pps, capacity - res) << capacity;
        EXPECT_TRUE(r.ndr.verified);
        EXPECT_TRUE(r.ndr.converged);
        EXPECT_FALSE(r.ndr.limited_by_generator);
        EXPECT_EQ(r.ndr.loss_ratio, 0);
        // PDR: the highest rate with (r - C) / r <= 0.001.
        const double pdr = pdr_of(capacity, p.pdr_loss_ratio);
        EXPECT_LE(r.pdr.rate_pps, pdr + 1) << capacity;
        EXPECT_GE(r.pdr.rate_pps, pdr - res) << capacity;
        EXPECT_GE(r.pdr.rate_pps, r.ndr.rate_pps);
        EXPECT_TRUE(r.pdr.verified);
        EXPECT_LE(r.pdr.loss_ratio, p.pdr_loss_ratio);
        EXPECT_LE(r.ndr.iterations, p.max_iterations);
        EXPECT_LE(r.pdr.iterations, p.max_iterations);
        EXPECT_EQ(r.log.size(), r.ndr.iterations + r.pdr.iterations + p.latency_trials);
        EXPECT_EQ(link.calls.size(), r.log.size());
        // The first trial is at the maximum (100% of line rate), the verification lasts longer.
        EXPECT_DOUBLE_EQ(r.log.front().spec.rate_pps, line_rate_pps(k_10g, 64));
        for (const Trial& t : r.log) {
            const double want = t.kind == Kind::search ? 1 : t.kind == Kind::verify ? 10 : 2;
            EXPECT_EQ(t.spec.seconds, want);
            EXPECT_EQ(t.spec.frame_size, 64u);
            EXPECT_EQ(t.spec.warmup_s, 0.5);
        }
    }
}

TEST(Rfc2544Search, ResolutionInPpsAndEveryFrameSize) {
    Params p = base_params();
    p.frame_sizes = {64, 128, 256, 512, 1024, 1280, 1518};
    p.resolution = {10'000, RateUnit::pps};
    SimLink link{.capacity = 3e6};
    const auto results = search_all(p, link.runner());
    ASSERT_EQ(results.size(), p.frame_sizes.size());
    for (const SizeResult& r : results) {
        const double line = line_rate_pps(k_10g, r.frame_size);
        EXPECT_DOUBLE_EQ(r.line_rate_pps, line);
        if (line <= 3e6) {
            // The link is faster than the wire: 100% passes at once, then the verification.
            EXPECT_DOUBLE_EQ(r.ndr.rate_pps, line) << r.frame_size;
            EXPECT_EQ(r.ndr.iterations, 2u) << r.frame_size;
            EXPECT_EQ(r.pdr.iterations, 0u) << r.frame_size;
            EXPECT_DOUBLE_EQ(r.pdr.rate_pps, line);
        } else {
            EXPECT_LE(r.ndr.rate_pps, 3e6) << r.frame_size;
            EXPECT_GE(r.ndr.rate_pps, 3e6 - 10'000) << r.frame_size;
        }
        EXPECT_GE(r.pdr.rate_pps, r.ndr.rate_pps);
    }
}

TEST(Rfc2544Search, MaxIterationsBoundsEachCriterion) {
    Params p = base_params();
    p.resolution = {1, RateUnit::pps};
    p.max_iterations = 5;
    SimLink link{.capacity = 5e6};
    const SizeResult r = search_size(p, 64, link.runner());
    EXPECT_EQ(r.ndr.iterations, 5u);
    EXPECT_EQ(count_phase(r, Phase::ndr), 5u);
    EXPECT_LE(count_phase(r, Phase::pdr), 5u);
    EXPECT_FALSE(r.ndr.converged);
    EXPECT_FALSE(r.ndr.verified);    // the budget ran out before a verification
    EXPECT_LE(r.ndr.rate_pps, 5e6);  // still never above a failure
    EXPECT_GT(r.ndr.rate_pps, 0);
    const std::string table = format_table({r});
    EXPECT_NE(table.find("not converged"), std::string::npos) << table;
    EXPECT_NE(table.find("not verified"), std::string::npos) << table;
}

TEST(Rfc2544Search, MaxIterationsOneIsOneTrial) {
    Params p = base_params();
    p.max_iterations = 1;
    SimLink link{.capacity = 5e6};
    const SizeResult r = search_size(p, 64, link.runner());
    EXPECT_EQ(count_phase(r, Phase::ndr), 1u);
    EXPECT_EQ(count_phase(r, Phase::pdr), 1u);
    EXPECT_EQ(r.ndr.rate_pps, 0);  // 100% failed; nothing passed yet
    EXPECT_EQ(count_phase(r, Phase::latency), 0u);
}

TEST(Rfc2544Search, NoisyLinkNdrStaysBelowCapacityAndPdrConverges) {
    for (unsigned seed = 1; seed <= 20; ++seed) {
        Params p = base_params();
        p.max_iterations = 30;
        SimLink link{.capacity = 6e6, .noise_p = 0.3};
        link.rng.seed(seed);
        const SizeResult r = search_size(p, 64, link.runner());
        const double res = r.resolution_pps;
        // One stray frame lost makes a trial fail NDR: the NDR can only come out lower.
        EXPECT_LE(r.ndr.rate_pps, 6e6) << "seed " << seed;
        // ... but a 0.001 loss ratio absorbs it: PDR lands where the exact link's does.
        const double pdr = pdr_of(6e6, p.pdr_loss_ratio);
        EXPECT_LE(r.pdr.rate_pps, pdr + 1) << "seed " << seed;
        EXPECT_GE(r.pdr.rate_pps, pdr - res) << "seed " << seed;
        EXPECT_GE(r.pdr.rate_pps, r.ndr.rate_pps) << "seed " << seed;
        EXPECT_LE(r.ndr.iterations, p.max_iterations);
        EXPECT_LE(r.pdr.iterations, p.max_iterations);
    }
}

TEST(Rfc2544Search, LatencyCriterionCapsTheRate) {
    Params p = base_params();
    SimLink link{.capacity = 8e6, .latency_knee = 3e6};
    // Without a latency criterion the knee is invisible to the search.
    SizeResult r = search_size(p, 64, link.runner());
    EXPECT_GE(r.ndr.rate_pps, 8e6 - r.resolution_pps);
    // p99.9 <= 50 us: above the knee p99.9 is 1 ms.
    p.latency_limits = {{"p999", 50'000}};
    link.calls.clear();
    r = search_size(p, 64, link.runner());
    EXPECT_LE(r.ndr.rate_pps, 3e6);
    EXPECT_GE(r.ndr.rate_pps, 3e6 - r.resolution_pps);
    EXPECT_LE(r.pdr.rate_pps, 3e6);  // PDR obeys the latency criterion too
    EXPECT_GE(r.pdr.rate_pps, r.ndr.rate_pps);
    EXPECT_TRUE(r.ndr.verified);
    bool saw_latency_fail = false;
    for (const Trial& t : r.log)
        saw_latency_fail |= !t.pass && t.reason.find("latency p999") != std::string::npos;
    EXPECT_TRUE(saw_latency_fail);
    // The latency trial ran at the NDR and reports RFC 8219's figures from its probes.
    EXPECT_EQ(r.latency.rate_pps, r.ndr.rate_pps);
    ASSERT_TRUE(r.latency.typical_ns && r.latency.worst_case_ns);
    EXPECT_EQ(*r.latency.typical_ns, 5'000);
    EXPECT_EQ(*r.latency.worst_case_ns, 12'000);
    EXPECT_EQ(r.latency.latency_ns["p999"], 12'000);
    EXPECT_GT(r.latency.latency_ns["count"].get<uint64_t>(), 0u);
    EXPECT_EQ(link.calls.back().rate_pps, r.ndr.rate_pps);
    EXPECT_EQ(link.calls.back().seconds, p.latency_trial_s);
}

TEST(Rfc2544Search, FailedVerificationContinuesDownward) {
    // A 1,000,000-frame buffer: a 1 s trial passes up to C + 1e6 pps, a 10 s one up to C + 1e5.
    Params p = base_params();
    p.max_iterations = 30;  // about 11 short trials, a failed verification, 9 long ones
    SimLink link{.capacity = 4e6, .buffer = 1e6};
    const SizeResult r = search_size(p, 64, link.runner());
    const double res = r.resolution_pps;
    const auto failed_verify = std::find_if(r.log.begin(), r.log.end(), [](const Trial& t) {
        return t.phase == Phase::ndr && t.kind == Kind::verify && !t.pass;
    });
    ASSERT_NE(failed_verify, r.log.end());
    EXPECT_GT(failed_verify->spec.rate_pps, 4.1e6);  // the short trials' answer, about 5e6
    EXPECT_LE(r.ndr.rate_pps, 4.1e6);
    EXPECT_GE(r.ndr.rate_pps, 4.1e6 - res);
    EXPECT_TRUE(r.ndr.verified);
    EXPECT_TRUE(r.ndr.converged);
    EXPECT_LE(r.ndr.iterations, p.max_iterations);
    // After the failed verification every NDR trial is verification-length.
    for (auto it = failed_verify; it != r.log.end() && it->phase == Phase::ndr; ++it)
        EXPECT_EQ(it->spec.seconds, p.verify_trial_s);
    EXPECT_GE(r.pdr.rate_pps, r.ndr.rate_pps);
    EXPECT_TRUE(r.pdr.verified);
}

TEST(Rfc2544Search, GeneratorShortfallIsAFailureAndFlagged) {
    Params p = base_params();
    SimLink link{.capacity = 10e6, .tx_cap = 3e6};
    const SizeResult r = search_size(p, 64, link.runner());
    // A trial passes only while the generator offers at least 99% of the rate.
    EXPECT_LE(r.ndr.rate_pps, 3e6 / 0.99);
    EXPECT_GE(r.ndr.rate_pps, 3e6 / 0.99 - r.resolution_pps);
    EXPECT_TRUE(r.ndr.limited_by_generator);
    EXPECT_NE(format_table({r}).find("generator"), std::string::npos);
    EXPECT_NE(r.log.front().reason.find("the generator offered"), std::string::npos);
}

// A trial the generator fell short on because its lcore lagged (pacer credit forfeited) is run
// again at the same rate instead of failing: the search ends where it would without the lag.
// At most three such repeats per search; after that a lagging generator counts as a failure.
TEST(Rfc2544Search, ALaggingGeneratorTrialIsRepeated) {
    const Params p = base_params();
    SimLink clean_link{.capacity = 5e6};
    const SizeResult clean = search_size(p, 64, clean_link.runner());
    for (unsigned lagged : {1u, 3u}) {
        SimLink link{.capacity = 5e6};
        unsigned calls = 0;
        const TrialRunner sim = link.runner();
        const TrialRunner lagging = [&](const TrialSpec& s) {
            TrialResult r = sim(s);
            if (++calls <= lagged) {  // the first trials: the lcore lost the CPU for a while
                r.tx_pps = s.rate_pps * 0.9;
                r.pacer_forfeited = 1000;
            }
            return r;
        };
        const SizeResult r = search_size(p, 64, lagging);
        EXPECT_EQ(r.ndr.rate_pps, clean.ndr.rate_pps) << lagged;
        EXPECT_FALSE(r.ndr.limited_by_generator);
        ASSERT_GT(r.log.size(), lagged);
        for (unsigned k = 0; k < lagged; ++k) {
            EXPECT_FALSE(r.log[k].pass);
            EXPECT_NE(r.log[k].reason.find("1000 frames of credit forfeited"), std::string::npos)
                << r.log[k].reason;
            EXPECT_EQ(r.log[k].spec.rate_pps, r.log[lagged].spec.rate_pps) << "repeated";
        }
        EXPECT_EQ(r.log.size(), clean.log.size() + lagged);
    }
    // A generator that always lags: three repeats, then the shortfall counts.
    SimLink link{.capacity = 5e6};
    const TrialRunner sim = link.runner();
    unsigned calls = 0;
    const SizeResult r = search_size(p, 64, [&](const TrialSpec& s) {
        ++calls;
        TrialResult t = sim(s);
        t.tx_pps = s.rate_pps * 0.9;
        t.pacer_forfeited = 1;
        return t;
    });
    EXPECT_EQ(r.ndr.rate_pps, 0);
    EXPECT_TRUE(r.ndr.limited_by_generator);
    EXPECT_GT(calls, 3u);
}

TEST(Rfc2544Search, NothingPassesGivesZeroAndNoLatencyTrial) {
    Params p = base_params();
    SimLink link{.capacity = 0};
    SizeResult r = search_size(p, 64, link.runner());
    EXPECT_EQ(r.ndr.rate_pps, 0);
    EXPECT_EQ(r.pdr.rate_pps, 0);
    EXPECT_TRUE(r.ndr.converged);
    EXPECT_EQ(count_phase(r, Phase::latency), 0u);
    EXPECT_TRUE(to_json(r)["latency_ns"].is_null());
    for (const auto& c : link.calls) EXPECT_GT(c.rate_pps, 0);
    // With a minimum rate, the minimum is tried once and the search stops there.
    p.min_rate = {1, RateUnit::percent};
    link.calls.clear();
    r = search_size(p, 64, link.runner());
    EXPECT_EQ(r.ndr.rate_pps, 0);
    const double min_pps = line_rate_pps(k_10g, 64) * 0.01;
    EXPECT_EQ(std::count_if(link.calls.begin(), link.calls.end(),
                            [&](const TrialSpec& s) { return s.rate_pps == min_pps; }),
              1);
    for (const auto& c : link.calls) EXPECT_GE(c.rate_pps, min_pps);
}

TEST(Rfc2544Search, MinRateThatPassesIsTheAnswerWhenAllAboveFail) {
    Params p = base_params();
    p.min_rate = {1e6, RateUnit::pps};
    SimLink link{.capacity = 1e6};
    const SizeResult r = search_size(p, 64, link.runner());
    EXPECT_GE(r.ndr.rate_pps, 1e6);
    EXPECT_LE(r.ndr.rate_pps, 1e6 + r.resolution_pps);
    EXPECT_TRUE(r.ndr.verified);
    for (const Trial& t : r.log) EXPECT_GE(t.spec.rate_pps, 1e6);
}

TEST(Rfc2544Search, LatencyTrialsAreRepeatedAndTheMedianReported) {
    Params p = base_params();
    p.latency_trials = 3;
    double p50s[] = {7'000, 3'000, 5'000};
    int n = 0;
    SimLink link{.capacity = 2e6};
    TrialRunner run = [&](const TrialSpec& s) {
        TrialResult r = link(s);
        if (s.seconds == p.latency_trial_s) r.latency_ns["p50"] = p50s[n++];
        return r;
    };
    const SizeResult r = search_size(p, 64, run);
    EXPECT_EQ(n, 3);
    ASSERT_EQ(r.latency.per_trial.size(), 3u);
    EXPECT_EQ(r.latency.typical_ns.value_or(0), 5'000);
    EXPECT_EQ(r.latency.latency_ns["p50"], 5'000);
    EXPECT_EQ(r.latency.latency_ns["count"], r.latency.per_trial[0]["count"].get<uint64_t>() * 3);
}

TEST(Rfc2544Search, ProgressOncePerTrialAndRunnerErrorsPassThrough) {
    Params p = base_params();
    SimLink link{.capacity = 5e6};
    std::vector<std::string> lines;
    const SizeResult r = search_size(p, 64, link.runner(),
                                     [&](const Trial& t) { lines.push_back(progress_line(t)); });
    ASSERT_EQ(lines.size(), r.log.size());
    EXPECT_EQ(lines[0].rfind("rfc2544 64B ndr #1 search 14880952 pps (100.00%) sent 14880952 "
                             "received 5000000 lost 9880952 ratio 0.664 FAIL: lost 9880952",
                             0),
              0u)
        << lines[0];
    EXPECT_NE(lines[1].find("ndr #2 search 7440476 pps (50.00%)"), std::string::npos) << lines[1];
    EXPECT_NE(lines[2].find("ndr #3 search 3720238 pps (25.00%)"), std::string::npos) << lines[2];
    EXPECT_TRUE(lines[2].ends_with(" pass")) << lines[2];
    char latency_at[64];  // the latency trial runs at the NDR
    std::snprintf(latency_at, sizeof latency_at, "64B latency #1 %.0f pps", r.ndr.rate_pps);
    EXPECT_NE(lines.back().find(latency_at), std::string::npos) << lines.back();
    EXPECT_NE(lines.back().find("p99.9 12000 ns"), std::string::npos) << lines.back();

    int calls = 0;
    TrialRunner broken = [&](const TrialSpec&) -> TrialResult {
        if (++calls == 3) throw std::runtime_error("port p0 went away");
        return TrialResult{};
    };
    EXPECT_THROW(search_size(p, 64, broken), std::runtime_error);
    EXPECT_EQ(calls, 3);
}

TEST(Rfc2544Report, JsonHasTheContractKeys) {
    Params p = base_params();
    p.frame_sizes = {64, 1518};
    SimLink link{.capacity = 2e6};
    const auto results = search_all(p, link.runner());
    const json j = report_json(p, results);
    EXPECT_EQ(j["bench"], "rfc2544");
    EXPECT_EQ(j["params"]["pdr_loss_ratio"], 0.001);
    EXPECT_EQ(j["params"]["resolution"]["unit"], "%");
    ASSERT_EQ(j["results"].size(), 2u);
    for (const json& r : j["results"]) {
        for (const char* k : {"frame_size", "throughput_pps", "throughput_percent_line_rate",
                              "loss_ratio", "trials", "latency_ns", "ndr", "pdr", "iterations",
                              "trial_log", "latency", "line_rate_pps"})
            EXPECT_TRUE(r.contains(k)) << k;
        for (const char* k : {"count", "min", "mean", "p50", "p90", "p99", "p999", "p9999", "max"})
            EXPECT_TRUE(r["latency_ns"].contains(k)) << k;
        EXPECT_EQ(r["trials"], r["trial_log"].size());
        EXPECT_EQ(r["throughput_pps"], r["ndr"]["rate_pps"]);
        EXPECT_GE(r["pdr"]["rate_pps"].get<double>(), r["ndr"]["rate_pps"].get<double>());
        const json& t0 = r["trial_log"][0];
        for (const char* k : {"phase", "kind", "iteration", "rate_pps", "sent", "received", "lost",
                              "loss_ratio", "verdict", "tx_pps", "rx_pps"})
            EXPECT_TRUE(t0.contains(k)) << k;
    }
    const json& r64 = j["results"][0];
    EXPECT_NEAR(r64["throughput_percent_line_rate"].get<double>(),
                100 * r64["throughput_pps"].get<double>() / line_rate_pps(k_10g, 64), 1e-9);
    EXPECT_EQ(r64["latency"]["typical_ns"], 5000);
    EXPECT_EQ(r64["latency"]["worst_case_ns"], 12000);
    // The table: a header and one row per frame size.
    const std::string table = format_table(results);
    EXPECT_NE(table.find("NDR pps"), std::string::npos) << table;
    EXPECT_NE(table.find("\n    64 "), std::string::npos) << table;
    EXPECT_NE(table.find("\n  1518 "), std::string::npos) << table;
    EXPECT_NE(table.find("12.00"), std::string::npos) << table;  // p99.9 in us
}

TEST(Rfc2544Report, SaysWhichClockTimedTheLatency) {
    Params p = base_params();
    SimLink link{.capacity = 2e6};
    json j = report_json(p, search_all(p, link.runner()));
    EXPECT_EQ(j["results"][0]["latency"]["latency_clock"], "tsc");
    EXPECT_EQ(j["results"][0]["trial_log"][0]["latency_clock"], "tsc");
    // A generator whose rx ports time frames with NIC rx timestamps says "hw".
    TrialRunner sim = link.runner();
    TrialRunner hw = [&](const TrialSpec& s) {
        TrialResult r = sim(s);
        r.latency_clock = "hw";
        return r;
    };
    j = report_json(p, search_all(p, hw));
    EXPECT_EQ(j["results"][0]["latency"]["latency_clock"], "hw");
    EXPECT_EQ(j["results"][0]["trial_log"].back()["latency_clock"], "hw");
}
