// Replays every seed (tests/fuzz/corpus/<target>/) and every regression input (the inputs of
// crashes the fuzzers found, tests/fuzz/regressions/<target>/) through the fuzz targets in the
// normal build, so a regression shows in the standard suite without clang. A target's checks
// failing is a test failure; so is a crash. Files named ok-* must be accepted and bad-* refused
// (with a message: the targets check that).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "tests/fuzz/fuzz.h"

void vfpath::fuzz::check_failed(const char* file, int line, const char* expr,
                                const std::string& detail) {
    ADD_FAILURE_AT(file, line) << "check failed: " << expr << ": " << detail;
}

namespace {

namespace fs = std::filesystem;

const fs::path k_dir = VFPATH_FUZZ_DIR;

struct Target {
    const char* name;
    bool (*run)(const uint8_t*, size_t);
    size_t min_seeds;  // a seed directory that lost its files must not pass quietly
};

// gtest prints the parameter in failure messages.
void PrintTo(const Target& t, std::ostream* os) {
    *os << t.name;
}

std::vector<fs::path> files_in(const fs::path& dir) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.is_regular_file()) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<uint8_t> bytes_of(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class Corpus : public ::testing::TestWithParam<Target> {};

TEST_P(Corpus, EverySeedAndRegressionInput) {
    const Target& t = GetParam();
    const auto seeds = files_in(k_dir / "corpus" / t.name);
    EXPECT_GE(seeds.size(), t.min_seeds) << (k_dir / "corpus" / t.name);
    auto inputs = seeds;
    const auto regressions = files_in(k_dir / "regressions" / t.name);
    inputs.insert(inputs.end(), regressions.begin(), regressions.end());
    size_t ok = 0, bad = 0;
    for (const fs::path& p : inputs) {
        SCOPED_TRACE(p.string());
        const std::vector<uint8_t> data = bytes_of(p);
        // An empty vector's data() may be null; libFuzzer never passes null.
        const uint8_t empty = 0;
        const bool accepted = t.run(data.empty() ? &empty : data.data(), data.size());
        const std::string name = p.filename().string();
        if (name.rfind("ok-", 0) == 0) {
            EXPECT_TRUE(accepted) << "a valid input was refused";
            ++ok;
        } else if (name.rfind("bad-", 0) == 0) {
            EXPECT_FALSE(accepted) << "an invalid input was accepted";
            ++bad;
        }
    }
    // Both sides of every parser are exercised by named seeds.
    EXPECT_GT(ok, 0u);
    EXPECT_GT(bad, 0u);
}

INSTANTIATE_TEST_SUITE_P(Fuzz, Corpus,
                         ::testing::Values(Target{"config", vfpath::fuzz::fuzz_config, 10},
                                           Target{"probe", vfpath::fuzz::fuzz_probe, 10},
                                           Target{"netlink", vfpath::fuzz::fuzz_netlink, 8},
                                           Target{"sysfs", vfpath::fuzz::fuzz_sysfs, 5},
                                           Target{"mailbox", vfpath::fuzz::fuzz_mailbox, 10}),
                         [](const ::testing::TestParamInfo<Target>& i) {
                             return std::string(i.param.name);
                         });

}  // namespace
