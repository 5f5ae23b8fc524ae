// `vfpath bench rfc2544` through the binary: argument errors exit 2 before anything starts; with no
// generator in this build the command fails cleanly with exit 1. (The search itself, the table and
// the report are tested with a simulated link in tests/unit/bench_test.cpp.)
#include "harness.h"

namespace vfpt {
namespace {

class BenchCli : public VfpathTest {};

// Until the generator is merged, make_gen_runner (lib/control/cp/gen_runner.cpp) says so; once it
// is, this test becomes a real bench against a forwarder.
TEST_F(BenchCli, WithoutTheGeneratorFailsCleanly) {
    const Outcome o = run_vfpath(
        {"bench", "rfc2544", "--report", path("r.json").string(), "--", "--no-pci"}, dir_, 30);
    ASSERT_TRUE(o.exited()) << o.err;
    EXPECT_EQ(o.exit_code, 1) << o.err;
    EXPECT_NE(o.err.find("error: generator not available in this build"), std::string::npos)
        << o.err;
    EXPECT_FALSE(fs::exists(path("r.json")));
    EXPECT_FALSE(fs::exists(path("r.json.tmp")));
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
