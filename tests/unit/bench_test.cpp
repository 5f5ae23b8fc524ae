// `vfpath bench rfc2544` as a job (lib/control/bench.h): argument checks, exit codes, the table and
// the JSON report, with a simulated link behind the trial runner. No EAL.
#include "control/bench.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "measure/cp/rates.h"
#include "sim_link.h"

using namespace vfpath;
using namespace vfpath::control;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

class BenchJob : public ::testing::Test {
protected:
    void SetUp() override {
        std::string tmpl = (fs::temp_directory_path() / "vfpath-bench-XXXXXX").string();
        ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
        dir_ = tmpl;
        opt_.sizes = {64, 1518};
        opt_.trial_s = 1;
        opt_.verify_trial_s = 2;
        opt_.latency_trial_s = 1;
        opt_.warmup_s = 0;
        opt_.link_speed = "10G";
        opt_.report_path = (dir_ / "bench.json").string();
    }
    void TearDown() override { fs::remove_all(dir_); }

    // Runs the job against link_ (a backend reporting backend_link_bps_).
    int run() {
        out_.str("");
        err_.str("");
        factory_calls_ = 0;
        const BackendFactory make =
            [this](const config::Config&,
                   const std::vector<std::string>& eal) -> Result<TrialBackend> {
            ++factory_calls_;
            eal_seen_ = eal;
            return TrialBackend{link_.runner(), backend_link_bps_};
        };
        return bench_rfc2544_job(opt_, make, out_, err_);
    }
    json report() {
        std::ifstream in(opt_.report_path);
        EXPECT_TRUE(in.good()) << opt_.report_path;
        return in.good() ? json::parse(in) : json();
    }
    // A bad argument: exit 2, an error naming `needle`, nothing started, no report.
    void expect_usage_error(const std::string& needle) {
        EXPECT_EQ(run(), 2) << err_.str();
        EXPECT_NE(err_.str().find("error: "), std::string::npos) << err_.str();
        EXPECT_NE(err_.str().find(needle), std::string::npos) << err_.str();
        EXPECT_EQ(factory_calls_, 0);
        EXPECT_TRUE(link_.calls.empty());
        EXPECT_FALSE(fs::exists(opt_.report_path));
    }

    fs::path dir_;
    BenchOptions opt_;
    measure::SimLink link_{.capacity = 2e6};
    double backend_link_bps_ = 0;
    int factory_calls_ = 0;
    std::vector<std::string> eal_seen_;
    std::ostringstream out_, err_;
};

TEST_F(BenchJob, SearchesEverySizeAndWritesTableAndReport) {
    opt_.eal_args = {"--no-pci"};
    ASSERT_EQ(run(), 0) << err_.str();
    EXPECT_EQ(factory_calls_, 1);
    EXPECT_EQ(eal_seen_, opt_.eal_args);
    const std::string out = out_.str();
    // A progress line per trial, then the table.
    EXPECT_NE(out.find("rfc2544 64B ndr #1 search 14880952 pps (100.00%)"), std::string::npos)
        << out;
    EXPECT_NE(out.find("rfc2544 1518B ndr #1 search 812744 pps (100.00%)"), std::string::npos)
        << out;
    EXPECT_NE(out.find("NDR pps"), std::string::npos) << out;
    EXPECT_NE(out.find("report written to " + opt_.report_path), std::string::npos) << out;
    const json j = report();
    EXPECT_EQ(j["bench"], "rfc2544");
    EXPECT_EQ(j["config_file"], "<built-in default>");
    EXPECT_EQ(j["params"]["link_bps"], 10e9);
    EXPECT_EQ(j["params"]["verify_trial_s"], 2);
    EXPECT_FALSE(j.contains("error"));
    ASSERT_EQ(j["results"].size(), 2u);
    const json& r64 = j["results"][0];
    EXPECT_EQ(r64["frame_size"], 64);
    const double res = measure::line_rate_pps(10e9, 64) * 0.005;  // default 0.5%
    EXPECT_LE(r64["throughput_pps"].get<double>(), 2e6);
    EXPECT_GE(r64["throughput_pps"].get<double>(), 2e6 - res);
    EXPECT_TRUE(r64["ndr"]["verified"].get<bool>());
    EXPECT_GE(r64["pdr"]["rate_pps"].get<double>(), r64["ndr"]["rate_pps"].get<double>());
    EXPECT_EQ(r64["trials"], link_.calls.size() - j["results"][1]["trials"].get<size_t>());
    // 1518-byte frames: 10G carries 812744 frames/s, less than the link: 100%.
    EXPECT_DOUBLE_EQ(j["results"][1]["throughput_percent_line_rate"].get<double>(), 100);
    // Every progress line is in the trial log and vice versa.
    size_t lines = 0;
    for (size_t at = 0; (at = out.find("\nrfc2544 ", at)) != std::string::npos; ++at) ++lines;
    EXPECT_EQ(lines, link_.calls.size());
}

TEST_F(BenchJob, LinkSpeedComesFromTheBackendWhenNotGiven) {
    opt_.link_speed.reset();
    backend_link_bps_ = 25e9;
    opt_.sizes = {64};
    ASSERT_EQ(run(), 0) << err_.str();
    const json j = report();
    EXPECT_EQ(j["params"]["link_bps"], 25e9);
    EXPECT_DOUBLE_EQ(j["results"][0]["line_rate_pps"].get<double>(),
                     measure::line_rate_pps(25e9, 64));
}

TEST_F(BenchJob, UnknownLinkSpeedWithPercentRatesIsAUsageError) {
    opt_.link_speed.reset();
    backend_link_bps_ = 0;
    EXPECT_EQ(run(), 2);
    EXPECT_NE(err_.str().find("--link-speed"), std::string::npos) << err_.str();
    EXPECT_TRUE(link_.calls.empty());
    // In pps only, no link speed is needed; the table shows no percentages.
    opt_.resolution = "10000pps";
    opt_.max_rate = "5Mpps";
    opt_.sizes = {64};
    ASSERT_EQ(run(), 0) << err_.str();
    EXPECT_TRUE(report()["results"][0]["throughput_percent_line_rate"].is_null());
    EXPECT_EQ(link_.calls.front().rate_pps, 5e6);
}

TEST_F(BenchJob, EachBadOptionIsRejectedByName) {
    struct Case {
        void (*edit)(BenchOptions&);
        const char* needle;
    };
    const Case cases[] = {
        {[](BenchOptions& o) { o.resolution = "0%"; }, "--resolution must be > 0"},
        {[](BenchOptions& o) { o.resolution = "0.5"; }, "--resolution: '0.5' has no unit"},
        {[](BenchOptions& o) { o.max_rate = "fast"; }, "--max-rate: 'fast'"},
        {[](BenchOptions& o) {
             o.min_rate = "3Mpps";
             o.max_rate = "2Mpps";
         },
         "--min-rate 3000000pps is not below --max-rate 2000000pps for 64-byte frames"},
        {[](BenchOptions& o) { o.pdr_loss = 1; }, "--pdr-loss must be a loss ratio in [0, 1)"},
        {[](BenchOptions& o) { o.pdr_loss = -0.5; }, "--pdr-loss"},
        {[](BenchOptions& o) { o.sizes.clear(); }, "--sizes: no frame size given"},
        {[](BenchOptions& o) { o.link_speed = "10X"; }, "--link-speed: '10X'"},
        {[](BenchOptions& o) { o.trial_s = 0; }, "--trial must be > 0"},
        {[](BenchOptions& o) { o.max_iter = 0; }, "--max-iter must be at least 1"},
    };
    const BenchOptions good = opt_;
    for (const Case& c : cases) {
        opt_ = good;
        c.edit(opt_);
        SCOPED_TRACE(c.needle);
        expect_usage_error(c.needle);
    }
}

TEST_F(BenchJob, EveryBadOptionIsReportedAtOnce) {
    opt_.resolution = "0.5";
    opt_.link_speed = "10X";
    opt_.pdr_loss = 2;
    opt_.sizes = {32};
    expect_usage_error("--resolution");
    const std::string e = err_.str();
    EXPECT_NE(e.find("--link-speed"), std::string::npos) << e;
    EXPECT_NE(e.find("--pdr-loss"), std::string::npos) << e;
    EXPECT_NE(e.find("frame size 32"), std::string::npos) << e;
    // Nothing else: an option that did not parse does not cause errors about others.
    EXPECT_EQ(std::count(e.begin(), e.end(), '\n'), 4) << e;
}

TEST_F(BenchJob, UnwritableReportIsRejectedBeforeAnything) {
    opt_.report_path = (dir_ / "no-such-dir" / "r.json").string();
    EXPECT_EQ(run(), 2);
    EXPECT_EQ(factory_calls_, 0);
}

TEST_F(BenchJob, BadConfigIsRejectedBeforeAnything) {
    const fs::path cfg = dir_ / "bad.yaml";
    std::ofstream(cfg) << "ports: 3\n";
    opt_.config_path = cfg.string();
    EXPECT_EQ(run(), 2);
    EXPECT_EQ(factory_calls_, 0);
}

TEST_F(BenchJob, BackendThatCannotStartIsARuntimeError) {
    const BackendFactory broken = [](const config::Config&, const std::vector<std::string>&) {
        return Result<TrialBackend>(fail("port p0 (net_null0): no such device"));
    };
    EXPECT_EQ(bench_rfc2544_job(opt_, broken, out_, err_), 1);
    EXPECT_NE(err_.str().find("error: port p0 (net_null0): no such device"), std::string::npos)
        << err_.str();
    EXPECT_FALSE(fs::exists(opt_.report_path));
}

TEST_F(BenchJob, TrialFailureKeepsWhatWasMeasured) {
    const BackendFactory make = [this](const config::Config&, const std::vector<std::string>&) {
        measure::TrialRunner run = [this](const measure::TrialSpec& s) {
            if (s.frame_size == 1518) throw std::runtime_error("port p1: link down");
            return link_(s);
        };
        return Result<TrialBackend>(TrialBackend{run, 10e9});
    };
    EXPECT_EQ(bench_rfc2544_job(opt_, make, out_, err_), 1);
    EXPECT_NE(err_.str().find("frame size 1518: trial failed: port p1: link down"),
              std::string::npos)
        << err_.str();
    const json j = report();
    ASSERT_EQ(j["results"].size(), 1u);
    EXPECT_EQ(j["results"][0]["frame_size"], 64);
    EXPECT_EQ(j["error"], "frame size 1518: trial failed: port p1: link down");
    EXPECT_NE(out_.str().find("    64 "), std::string::npos) << out_.str();  // table row
}

}  // namespace

// `vfpath bench mlrsearch` as a job: goals from --goal and --goals (YAML), the table, the report
// with every trial, usage errors before anything starts.
namespace {

class MlrJob : public ::testing::Test {
protected:
    void SetUp() override {
        std::string tmpl = (fs::temp_directory_path() / "vfpath-mlr-XXXXXX").string();
        ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
        dir_ = tmpl;
        opt_.sizes = {64};
        opt_.link_speed = "10G";
        opt_.max_rate = "5Mpps";
        opt_.goals = {"name=ndr,loss=0,exceed=0.5,final=1,sum=3,width=0.01",
                      "name=pdr,loss=0.005,exceed=0.5,final=1,sum=3,width=0.01"};
        opt_.report_path = (dir_ / "mlr.json").string();
    }
    void TearDown() override { fs::remove_all(dir_); }
    int run() {
        out_.str("");
        err_.str("");
        factory_calls_ = 0;
        const BackendFactory make = [this](const config::Config&, const std::vector<std::string>&) {
            ++factory_calls_;
            return Result<TrialBackend>(TrialBackend{link_.runner(), 0});
        };
        return bench_mlrsearch_job(opt_, make, out_, err_);
    }
    void expect_usage_error(const std::string& needle) {
        EXPECT_EQ(run(), 2) << err_.str();
        EXPECT_NE(err_.str().find(needle), std::string::npos) << needle << "\n" << err_.str();
        EXPECT_EQ(factory_calls_, 0);
        EXPECT_TRUE(link_.calls.empty());
        EXPECT_FALSE(fs::exists(opt_.report_path));
    }
    fs::path dir_;
    MlrOptions opt_;
    measure::SimLink link_{.capacity = 2e6};
    int factory_calls_ = 0;
    std::ostringstream out_, err_;
};

TEST_F(MlrJob, SearchesAndReportsEveryTrial) {
    ASSERT_EQ(run(), 0) << err_.str();
    const std::string out = out_.str();
    EXPECT_NE(out.find("goal ndr: loss ratio 0, exceed ratio 0.5"), std::string::npos) << out;
    EXPECT_NE(out.find("RFC 2544 compliant: no"), std::string::npos) << out;
    EXPECT_NE(out.find("mlrsearch 64B #1 ndr stage 1 5000000 pps"), std::string::npos) << out;
    EXPECT_NE(out.find("cond. thr. pps"), std::string::npos) << out;
    std::ifstream in(opt_.report_path);
    const json j = json::parse(in);
    EXPECT_EQ(j["bench"], "mlrsearch");
    EXPECT_EQ(j["config_file"], "<built-in default>");
    const json& r = j["results"][0];
    EXPECT_EQ(r["trials"].size(), link_.calls.size());
    size_t lines = 0;
    for (size_t at = 0; (at = out.find("\nmlrsearch 64B #", at)) != std::string::npos; ++at) ++lines;
    EXPECT_EQ(lines, link_.calls.size());
    const json& ndr = r["goal_results"][0];
    EXPECT_TRUE(ndr["regular"].get<bool>()) << ndr.dump(1);
    EXPECT_LE(ndr["relevant_lower_bound_pps"].get<double>(), 2e6);
    EXPECT_GT(ndr["relevant_upper_bound_pps"].get<double>(), 2e6);
}

TEST_F(MlrJob, GoalsFromAYamlFile) {
    const fs::path f = dir_ / "goals.yaml";
    std::ofstream(f) << "goals:\n"
                        "  - {name: rfc2544, loss_ratio: 0, exceed_ratio: 0, final_trial_s: 60,\n"
                        "     duration_sum_s: 60, width: 0.01}\n";
    opt_.goals.clear();
    opt_.goals_file = f.string();
    opt_.max_rate = "2.5Mpps";
    ASSERT_EQ(run(), 0) << err_.str();
    EXPECT_NE(out_.str().find("goal rfc2544: loss ratio 0, exceed ratio 0, trials 1 s to 60 s"),
              std::string::npos)
        << out_.str();
    EXPECT_NE(out_.str().find("RFC 2544 compliant: unconditional"), std::string::npos);
    std::ifstream in(opt_.report_path);
    const json j = json::parse(in);
    ASSERT_EQ(j["params"]["search_goals"].size(), 1u);
    EXPECT_EQ(j["params"]["search_goals"][0]["rfc2544_compliance"], "unconditional");
    // Unconditional compliance: the lower bound rests on a 60 s trial without loss.
    const json& g = j["results"][0]["goal_results"][0];
    EXPECT_GE(g["load_stats_at_relevant_lower_bound"]["full_length_low_loss_sum_s"].get<double>(),
              60);
    EXPECT_LE(g["relevant_lower_bound_pps"].get<double>(), 2e6);
}

TEST_F(MlrJob, BadGoalsAreUsageErrors) {
    opt_.goals = {"name=a,loss=0,exceed=1"};
    expect_usage_error("goal 'a': exceed ratio must be in [0, 1), got 1");
    opt_.goals = {"name=a,loss=maybe"};
    expect_usage_error("--goal name=a,loss=maybe: loss='maybe' is not a number");
    opt_.goals = {"ndr", "ndr"};
    expect_usage_error("goal 'ndr': the name is used twice");
    const fs::path f = dir_ / "bad.yaml";
    std::ofstream(f) << "goals:\n  - {name: x, los_ratio: 0}\n";
    opt_.goals.clear();
    opt_.goals_file = f.string();
    expect_usage_error("bad.yaml:2: goals[0]: unknown key 'los_ratio'");
    std::ofstream(f, std::ios::trunc) << "nope: 1\n";
    expect_usage_error("expected a map with \"goals:\"");
}

}  // namespace
