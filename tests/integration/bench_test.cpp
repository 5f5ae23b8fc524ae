// `vfpath bench rfc2544` through the binary: argument and config errors exit 2 before anything
// starts; against a path of known capacity (a kernel bridge between two taps, policed by a token
// bucket) the search finds that capacity; on a loopback it runs every phase and writes the report.
// (The search's rules are tested with simulated links in tests/unit/bench_test.cpp.)
#include "harness.h"

namespace vfpt {
namespace {

class BenchCli : public VfpathTest {
protected:
    void TearDown() override {
        for (const auto& l : links_) sh("ip link del " + l);
        VfpathTest::TearDown();
    }
    std::vector<std::string> links_;
};

TEST_F(BenchCli, ConfigWithoutAGenSectionExits2) {
    const Outcome o = run_vfpath(
        {"bench", "rfc2544", "--report", path("r.json").string(), "--", "--no-pci"}, dir_, 30);
    ASSERT_TRUE(o.exited()) << o.err;
    EXPECT_EQ(o.exit_code, 2) << o.err;
    EXPECT_NE(o.err.find("no gen: section"), std::string::npos) << o.err;
    EXPECT_FALSE(fs::exists(path("r.json")));
}

// Every phase on a loopback (net_ring: what the port sends comes back): the search, the
// verification and the latency trial all run, and the report holds the contract's keys.
TEST_F(BenchCli, LoopbackRunsEveryPhaseAndReports) {
    const auto cfg = write_config(eal_yaml() +
                                  "ports:\n"
                                  "  - {name: r0, device: net_ring0}\n"
                                  "gen: {tx: [r0], rx: [r0]}\n");
    const auto report = path("r.json");
    const Outcome o = run_vfpath({"bench", "rfc2544", "-c", cfg.string(), "--sizes", "64,512",
                                  "--trial", "0.3", "--warmup", "0.1", "--verify-trial", "0.5",
                                  "--latency-trial", "0.3", "--max-rate", "20kpps",
                                  "--resolution", "1000pps", "--link-speed", "10G",
                                  "--probe-share", "0.1", "--report", report.string()},
                                 dir_, 120);
    ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
    const json r = read_report(report);
    ASSERT_EQ(r["results"].size(), 2u) << r.dump(1);
    std::string starved;
    for (const auto& res : r["results"]) {
        // A ring loses nothing, whatever the machine's load.
        EXPECT_EQ(res.value("loss_ratio", 1.0), 0.0) << res.dump();
        EXPECT_GE(u(res, "trials"), 2u);
        // What limits the result is how much of the rate the generator lcore offered: all of it
        // on a quiet machine. When other work descheduled it, every trial falls short of its rate
        // and the search says so (limited_by_generator, no throughput): nothing to judge then.
        if (res.value("throughput_pps", 0.0) == 0.0 &&
            res["ndr"].value("limited_by_generator", false)) {
            starved += ' ';
            starved += std::to_string(res.value("frame_size", 0));
            continue;
        }
        EXPECT_GT(res.value("throughput_pps", 0.0), 0.0) << res.dump();
        EXPECT_LE(res.value("throughput_pps", 0.0), 20000.0) << res.dump();
        EXPECT_TRUE(res["ndr"].value("verified", false)) << res.dump();
        EXPECT_GT(res.value("throughput_percent_line_rate", 0.0), 0.0);
        ASSERT_TRUE(res["latency_ns"].is_object()) << res.dump();
        EXPECT_GT(u(res["latency_ns"], "count"), 0u);
        EXPECT_GT(u(res["latency_ns"], "p50"), 0u);
    }
    EXPECT_NE(o.out.find("NDR"), std::string::npos) << o.out;
    if (!starved.empty())
        GTEST_SKIP() << "the generator lcore was descheduled too often to offer 20 kpps (frame "
                        "sizes"
                     << starved << "); loss and trial counts checked only";
}

// The issue's convergence test on a real path: gen -> tap -> kernel bridge -> tap -> analyzer,
// with a token bucket (tc tbf) of 2 Mbit/s on the egress towards the receiving tap. 64-byte frames
// are 60 bytes to the kernel (no FCS), so the path carries 2e6 / (8 * 60) = 4167 frames/s; the
// search must find that within its resolution (plus the bucket's burst, 26 frames, and its queue,
// 100 frames, per 2 s trial: +1.5%). The queue absorbs the kernel's own jitter: the tap's frames
// reach the bridge from softirq work on the CPU where the generator busy-polls, and with a
// 26-frame queue a delay of ~10 ms there lost frames at 87% of the capacity in 2 of 5 runs.
TEST_F(BenchCli, FindsTheCapacityOfAPolicedPath) {
    const std::string t0 = tap_name("a"), t1 = tap_name("b"), br = tap_name("br");
    links_ = {t0, t1, br};
    if (const std::string why = bridge_two_taps(t0, t1, br); !why.empty()) GTEST_SKIP() << why;
    if (!sh("tc qdisc add dev " + t1 + " root tbf rate 2mbit burst 1600 limit 6000"))
        GTEST_SKIP() << "no tbf qdisc here";
    const double capacity = 2e6 / (8 * 60);
    const auto cfg = write_config(eal_yaml() +
                                  "ports:\n"
                                  "  - {name: t0, device: \"net_tap0,iface=" + t0 + "\"}\n"
                                  "  - {name: t1, device: \"net_tap1,iface=" + t1 + "\"}\n"
                                  "gen: {tx: [t0], rx: [t1]}\n");
    const auto report = path("r.json");
    const double resolution = 50;
    const Outcome o = run_vfpath({"bench", "rfc2544", "-c", cfg.string(), "--sizes", "64",
                                  "--trial", "2", "--warmup", "0.5", "--verify-trial", "2",
                                  "--latency-trial", "1", "--min-rate", "1000pps",
                                  "--max-rate", "8000pps", "--resolution", "50pps",
                                  "--probe-share", "1", "--tx-tolerance", "0.03",
                                  "--report", report.string()},
                                 dir_, 300);
    ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
    const json r = read_report(report);
    ASSERT_EQ(r["results"].size(), 1u);
    const json& res = r["results"][0];
    const double ndr = res.value("throughput_pps", 0.0);
    std::printf("[ observed ] policed path: capacity %.0f pps, NDR %.0f pps after %llu trials\n",
                capacity, ndr, (unsigned long long)u(res, "trials"));
    EXPECT_GE(ndr, capacity - 2 * resolution) << o.out;
    EXPECT_LE(ndr, capacity * 1.015 + resolution) << o.out;
    EXPECT_EQ(res.value("loss_ratio", 1.0), 0.0);
}

// `vfpath bench mlrsearch` on a policed path like the one above, at 500 kbit/s: 5e5 / (8 * 60) =
// 1042 frames/s of 64 bytes (a low rate, so that a generator lcore that the shared machine
// deschedules now and then can still offer twice that). Every trial has 0.5 s of warm-up at its
// rate, which empties the bucket and fills the queue above the capacity. NDR and PDR in one search,
// short trials, every trial in the report with the RFC's terms, and both goals' bounds bracketing
// the capacity within the width and what the bucket's burst and queue (26 + 50 frames) let through
// in a 1 s trial; on this machine the path forwarded up to ~6% above the nominal rate in both
// `bench rfc2544` and `bench mlrsearch` (perf/RESULTS.md).
TEST_F(BenchCli, MlrsearchFindsTheCapacityOfAPolicedPath) {
    const std::string t0 = tap_name("a"), t1 = tap_name("b"), br = tap_name("br");
    links_ = {t0, t1, br};
    if (const std::string why = bridge_two_taps(t0, t1, br); !why.empty()) GTEST_SKIP() << why;
    if (!sh("tc qdisc add dev " + t1 + " root tbf rate 500kbit burst 1600 limit 3000"))
        GTEST_SKIP() << "no tbf qdisc here";
    const double capacity = 5e5 / (8 * 60);
    const auto cfg = write_config(eal_yaml() +
                                  "ports:\n"
                                  "  - {name: t0, device: \"net_tap0,iface=" + t0 + "\"}\n"
                                  "  - {name: t1, device: \"net_tap1,iface=" + t1 + "\"}\n"
                                  "gen: {tx: [t0], rx: [t1]}\n");
    const auto report = path("r.json");
    const double width = 0.02;
    const Outcome o = run_vfpath(
        {"bench", "mlrsearch", "-c", cfg.string(), "--sizes", "64", "--goal",
         "name=ndr,loss=0,exceed=0.5,initial=0.5,final=1,sum=3,width=0.02", "--goal",
         "name=pdr,loss=0.005,exceed=0.5,initial=0.5,final=1,sum=3,width=0.02", "--min-rate",
         "200pps", "--max-rate", "2000pps", "--warmup", "0.5", "--probe-share", "1",
         "--tx-tolerance", "0.03", "--report", report.string()},
        dir_, 300);
    ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
    const json r = read_report(report);
    EXPECT_EQ(r.value("bench", ""), "mlrsearch");
    ASSERT_EQ(r["results"].size(), 1u);
    const json& res = r["results"][0];
    const json& trials = res["trials"];
    ASSERT_GE(trials.size(), 4u);
    // A progress line per trial.
    size_t lines = 0;
    for (size_t at = 0; (at = o.out.find("mlrsearch 64B #", at)) != std::string::npos; ++at)
        ++lines;
    EXPECT_EQ(lines, trials.size()) << o.out;
    EXPECT_EQ(trials[0].value("trial_load_pps", 0.0), 2000.0);
    for (const json& t : trials) {
        // Loss and shortfall are apart: what was lost was sent; what was not sent is shortfall.
        EXPECT_LE(u(t, "lost"), u(t, "sent"));
        EXPECT_GE(u(t, "sent") + u(t, "generator_shortfall_frames"), u(t, "intended_frames"))
            << t.dump();
    }
    // When other work starved the generator's lcore below the capacity, the result says so
    // (generator limit, irregular) and there is nothing to judge about the path.
    for (const json& g : res["goal_results"]) {
        const double limit = g["generator_limit_pps"].is_number()
                                 ? g["generator_limit_pps"].get<double>() : 0.0;
        if (limit > 0 && limit < capacity * 1.1 && !g["relevant_upper_bound_pps"].is_number())
            GTEST_SKIP() << "the generator could not offer " << limit
                         << " pps here (lcore descheduled); trials and report checked only";
    }
    for (const json& g : res["goal_results"]) {
        const std::string name = g.value("search_goal", "");
        ASSERT_TRUE(g["relevant_lower_bound_pps"].is_number()) << g.dump(1) << o.out;
        ASSERT_TRUE(g["relevant_upper_bound_pps"].is_number()) << g.dump(1) << o.out;
        const double lo = g["relevant_lower_bound_pps"].get<double>();
        const double hi = g["relevant_upper_bound_pps"].get<double>();
        const double ct = g.value("conditional_throughput_pps", 0.0);
        std::printf("[ observed ] mlrsearch %s: capacity %.0f pps, bounds [%.0f, %.0f], conditional "
                    "throughput %.0f pps, %zu trials, %.1f s\n",
                    name.c_str(), capacity, lo, hi, ct, trials.size(),
                    res.value("search_duration_s", 0.0));
        EXPECT_TRUE(g.value("regular", false)) << g.dump(1);
        EXPECT_LE(hi - lo, width * hi + 1e-6);
        // The bounds bracket the capacity, as far as the bucket's burst and queue let them.
        EXPECT_GE(hi, capacity * (1 - width)) << name << "\n" << o.out;
        EXPECT_LE(lo, capacity + 76 + width * capacity) << name << "\n" << o.out;
        EXPECT_GT(ct, 0.0);
        EXPECT_LE(ct, lo + 1e-6);
    }
    EXPECT_NE(o.out.find("cond. thr. pps"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("RFC 2544 compliant: no"), std::string::npos) << o.out;
}

TEST_F(BenchCli, MlrsearchBadGoalsExit2BeforeAnything) {
    const Outcome o = run_vfpath({"bench", "mlrsearch", "--goal", "name=x,loss=2", "--goal",
                                  "name=y,speed=1", "--max-rate", "fast"},
                                 dir_, 30);
    ASSERT_TRUE(o.exited()) << o.err;
    EXPECT_EQ(o.exit_code, 2) << o.err;
    for (const char* needle : {"--goal name=y,speed=1: unknown key 'speed'", "--max-rate: 'fast'"})
        EXPECT_NE(o.err.find(needle), std::string::npos) << needle << "\n" << o.err;
    const Outcome range = run_vfpath({"bench", "mlrsearch", "--goal", "name=x,loss=2"}, dir_, 30);
    EXPECT_EQ(range.exit_code, 2) << range.err;
    EXPECT_NE(range.err.find("goal 'x': loss ratio must be in [0, 1), got 2"), std::string::npos)
        << range.err;
    EXPECT_EQ(range.err.find("generator"), std::string::npos) << "nothing may start:\n" << range.err;
}

TEST_F(BenchCli, BadArgumentsExit2NamingEachOption) {
    const Outcome o = run_vfpath({"bench", "rfc2544", "--resolution", "0%", "--pdr-loss", "1",
                                  "--sizes", "32,64", "--max-rate", "fast"},
                                 dir_, 30);
    ASSERT_TRUE(o.exited()) << o.err;
    EXPECT_EQ(o.exit_code, 2) << o.err;
    for (const char* needle : {"--resolution must be > 0", "--pdr-loss must be a loss ratio",
                               "frame size 32 is outside", "--max-rate: 'fast'"})
        EXPECT_NE(o.err.find(needle), std::string::npos) << needle << "\n" << o.err;
    EXPECT_EQ(o.err.find("generator"), std::string::npos) << "nothing may start:\n" << o.err;
}

TEST_F(BenchCli, UsageErrorsFromTheParserExit2) {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"bench"},
             {"bench", "rfc2544", "--sizes", "64,abc"},
             {"bench", "rfc2544", "--trial", "soon"},
             {"bench", "rfc2544", "-c", "/nonexistent/vfpath.yaml"},
             {"check", "--", "--no-pci"}}) {
        const Outcome o = run_vfpath(args, dir_, 30);
        ASSERT_TRUE(o.exited()) << o.err;
        EXPECT_EQ(o.exit_code, 2) << args.back() << "\n" << o.err;
        EXPECT_NE(o.err.find("error"), std::string::npos) << o.err;
    }
}

TEST_F(BenchCli, BadConfigExit2) {
    const auto cfg = write_config("ports:\n  - device: net_null0\n    rx_queues: two\n");
    const Outcome o = run_vfpath({"bench", "rfc2544", "-c", cfg.string()}, dir_, 30);
    ASSERT_TRUE(o.exited()) << o.err;
    EXPECT_EQ(o.exit_code, 2) << o.err;
    EXPECT_NE(o.err.find("rx_queues"), std::string::npos) << o.err;
}

}  // namespace
}  // namespace vfpt
