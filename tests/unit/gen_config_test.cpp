// The gen: section (lib/config/cp/gen.cpp), the rate and size parsers the CLI shares, and the
// generator's pre-EAL checks and lcore assignment (lib/gen/cp/plan.cpp). No EAL.
#include <gtest/gtest.h>

#include <string>

#include "config/api.h"
#include "gen/api.h"

namespace vfpath::config {
namespace {

constexpr const char* k_head =
    "eal:\n"
    "  lcores: \"0-2\"\n"
    "ports:\n"
    "  - {name: p0, device: net_null0}\n"
    "  - {name: p1, device: net_null1, tx_queues: 2}\n";

std::string dump(const std::vector<Diag>& diags) {
    std::string out;
    for (const Diag& d : diags) out += "\n  " + d.str();
    return out;
}

TEST(GenRate, ParsesEveryUnit) {
    struct Case {
        const char* text;
        RateSpec::Unit unit;
        double value;
    } cases[] = {
        {"max", RateSpec::Unit::max, 0},           {"MAX", RateSpec::Unit::max, 0},
        {"1000", RateSpec::Unit::pps, 1000},       {"1000pps", RateSpec::Unit::pps, 1000},
        {"250kpps", RateSpec::Unit::pps, 250e3},   {"1.5Mpps", RateSpec::Unit::pps, 1.5e6},
        {"1mpps", RateSpec::Unit::pps, 1e6},       {"500Mbit", RateSpec::Unit::bps, 500e6},
        {"10Gbit", RateSpec::Unit::bps, 10e9},     {"2.5gbps", RateSpec::Unit::bps, 2.5e9},
        {"100 kbit", RateSpec::Unit::bps, 100e3},  {"10%", RateSpec::Unit::percent, 10},
        {" 150% ", RateSpec::Unit::percent, 150},
    };
    for (const auto& c : cases) {
        std::string why;
        auto r = parse_rate(c.text, &why);
        ASSERT_TRUE(r) << c.text << ": " << why;
        EXPECT_EQ(r->unit, c.unit) << c.text;
        EXPECT_DOUBLE_EQ(r->value, c.value) << c.text;
    }
}

TEST(GenRate, RejectsWhatIsNotARate) {
    for (const char* bad : {"", "fast", "-1Mpps", "0", "0pps", "1Mfoo", "1M", "pps", "1e400pps",
                            "nan", "10 %%", "1Mppsx"}) {
        std::string why;
        EXPECT_FALSE(parse_rate(bad, &why)) << bad;
        EXPECT_FALSE(why.empty()) << bad;
    }
}

TEST(GenSizes, ListsAndImix) {
    auto one = parse_sizes("64");
    ASSERT_TRUE(one);
    EXPECT_EQ(one->pattern, std::vector<uint32_t>{64});
    auto list = parse_sizes("64, 128,1518");
    ASSERT_TRUE(list);
    EXPECT_EQ(list->pattern, (std::vector<uint32_t>{64, 128, 1518}));
    EXPECT_EQ(list->name, "64,128,1518");
    auto imix = parse_sizes("IMIX");
    ASSERT_TRUE(imix);
    EXPECT_EQ(imix->name, "imix");
    ASSERT_EQ(imix->pattern.size(), 12u);
    EXPECT_EQ(std::count(imix->pattern.begin(), imix->pattern.end(), 64u), 7);
    EXPECT_EQ(std::count(imix->pattern.begin(), imix->pattern.end(), 594u), 4);
    EXPECT_EQ(std::count(imix->pattern.begin(), imix->pattern.end(), 1518u), 1);
    EXPECT_NEAR(mean_size(*imix), 4342.0 / 12, 1e-9);  // 361.83
    for (const char* bad : {"63", "9217", "64,", ",64", "64;128", "big", ""}) {
        std::string why;
        EXPECT_FALSE(parse_sizes(bad, &why)) << bad;
        EXPECT_FALSE(why.empty()) << bad;
    }
}

TEST(GenSection, DefaultsAndEveryKey) {
    auto r = load_string(std::string(k_head) +
                             "gen:\n"
                             "  tx: [p0]\n"
                             "  rx: [p1]\n",
                         "g.yaml");
    ASSERT_TRUE(r.config) << dump(r.errors);
    const GenConfig& d = *r.config->gen;
    EXPECT_EQ(d.tx, std::vector<std::string>{"p0"});
    EXPECT_EQ(d.rx, std::vector<std::string>{"p1"});
    EXPECT_EQ(d.rate.unit, RateSpec::Unit::max);
    EXPECT_EQ(d.size.pattern, std::vector<uint32_t>{64});
    EXPECT_EQ(d.flows, 1u);
    EXPECT_EQ(d.probe_share, 1.0);
    EXPECT_EQ(d.duration_s, 10.0);
    EXPECT_EQ(d.count, 0u);
    EXPECT_EQ(d.warmup_s, 0.0);
    EXPECT_EQ(d.drain_ms, 100.0);
    EXPECT_EQ(d.burst, 32);

    r = load_string(std::string(k_head) +
                        "gen:\n"
                        "  tx: [p0, p1]\n"
                        "  rx: [p1]\n"
                        "  rate: 10%\n"
                        "  size: [64, 1518]\n"
                        "  flows: 100\n"
                        "  probe_share: 0.25\n"
                        "  duration_s: 0\n"
                        "  count: 5000\n"
                        "  warmup_s: 1.5\n"
                        "  drain_ms: 20\n"
                        "  burst: 64\n",
                    "g.yaml");
    ASSERT_TRUE(r.config) << dump(r.errors);
    const GenConfig& g = *r.config->gen;
    EXPECT_EQ(g.rate.unit, RateSpec::Unit::percent);
    EXPECT_EQ(g.size.pattern, (std::vector<uint32_t>{64, 1518}));
    EXPECT_EQ(g.flows, 100u);
    EXPECT_EQ(g.probe_share, 0.25);
    EXPECT_EQ(g.duration_s, 0.0);
    EXPECT_EQ(g.count, 5000u);
    EXPECT_EQ(g.warmup_s, 1.5);
    EXPECT_EQ(g.drain_ms, 20.0);
    EXPECT_EQ(g.burst, 64);
    EXPECT_EQ(g.size_loc.line, 10);
    // `run` has no gen: section and ignores one.
    auto none = load_string(k_head, "g.yaml");
    ASSERT_TRUE(none.config);
    EXPECT_FALSE(none.config->gen);
}

struct BadGen {
    const char* name;
    const char* gen;  // appended after k_head; line 6 is "gen:"
    const char* path;
    int line, col;
    const char* needle;
};

class GenBad : public ::testing::TestWithParam<BadGen> {};

TEST_P(GenBad, OneErrorAtTheRightPlace) {
    const BadGen& b = GetParam();
    auto r = load_string(std::string(k_head) + b.gen, "g.yaml");
    ASSERT_FALSE(r.config);
    ASSERT_EQ(r.errors.size(), 1u) << dump(r.errors);
    const Diag& d = r.errors[0];
    EXPECT_EQ(d.path, b.path) << d.str();
    EXPECT_EQ(d.loc.line, b.line) << d.str();
    EXPECT_EQ(d.loc.col, b.col) << d.str();
    EXPECT_NE(d.message.find(b.needle), std::string::npos) << d.str();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, GenBad,
    ::testing::Values(
        BadGen{"NoTx", "gen:\n  rx: [p1]\n", "gen.tx", 7, 3, "missing required key 'tx'"},
        BadGen{"EmptyTx", "gen:\n  tx: []\n", "gen.tx", 7, 7, "at least one port"},
        BadGen{"UnknownTxPort", "gen:\n  tx: [p0, p9]\n", "gen.tx[1]", 7, 12, "no port named 'p9'"},
        BadGen{"UnknownRxPort", "gen:\n  tx: [p0]\n  rx: [q]\n", "gen.rx[0]", 8, 8,
               "no port named 'q'"},
        BadGen{"TwiceInTx", "gen:\n  tx: [p0, p0]\n", "gen.tx[1]", 7, 12, "listed twice"},
        BadGen{"BadRate", "gen:\n  tx: [p0]\n  rate: fast\n", "gen.rate", 8, 9, "1Mpps"},
        BadGen{"ZeroRate", "gen:\n  tx: [p0]\n  rate: 0pps\n", "gen.rate", 8, 9, "above 0"},
        BadGen{"SmallSize", "gen:\n  tx: [p0]\n  size: 40\n", "gen.size", 8, 9, "64..9216"},
        BadGen{"BadSizeList", "gen:\n  tx: [p0]\n  size: [64, x]\n", "gen.size", 8, 9, "imix"},
        BadGen{"Flows", "gen:\n  tx: [p0]\n  flows: 0\n", "gen.flows", 8, 10, "1..65535"},
        BadGen{"Share", "gen:\n  tx: [p0]\n  probe_share: 1.5\n", "gen.probe_share", 8, 16, "0..1"},
        BadGen{"Burst", "gen:\n  tx: [p0]\n  burst: 0\n", "gen.burst", 8, 10, "1..256"},
        BadGen{"Typo", "gen:\n  tx: [p0]\n  rates: 1Mpps\n", "gen.rates", 8, 3,
               "did you mean 'rate'"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace vfpath::config

namespace vfpath::gen {
namespace {

config::Config load(const std::string& text) {
    auto r = config::load_string(text, "g.yaml");
    EXPECT_TRUE(r.config);
    return r.config ? *r.config : config::Config{};
}

TEST(GenPreflight, NeedsAGenSection) {
    auto c = load(config::k_head);
    auto d = preflight(c);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].path, "gen");
    EXPECT_NE(d[0].message.find("gen.tx"), std::string::npos);
}

TEST(GenPreflight, FramesMustFitTheMbufAndTheMtu) {
    auto c = load(std::string(config::k_head) + "gen:\n  tx: [p0]\n  size: 9000\n");
    auto d = preflight(c);
    ASSERT_EQ(d.size(), 2u);
    EXPECT_NE(d[0].message.find("mempool.data_room to at least 9124"), std::string::npos)
        << d[0].str();
    EXPECT_NE(d[1].message.find("mtu 1500"), std::string::npos) << d[1].str();
    EXPECT_EQ(d[0].loc.line, 8);
    // With room in the mbufs, only the port whose MTU is too small is reported.
    c = load("mempool: {data_room: 9300}\n"
             "ports:\n"
             "  - {name: p0, device: net_null0, mtu: 9000}\n"
             "  - {name: p1, device: net_null1}\n"
             "gen:\n  tx: [p0, p1]\n  size: 9000\n");
    d = preflight(c);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_NE(d[0].message.find("port p1"), std::string::npos) << d[0].str();
}

TEST(GenPreflight, ImixFitsTheDefaults) {
    auto c = load(std::string(config::k_head) + "gen:\n  tx: [p0, p1]\n  rx: [p1]\n  size: imix\n");
    EXPECT_TRUE(preflight(c).empty());
}

TEST(GenAssign, OneLcoreDoesEverything) {
    auto a = assign_lcores({1}, {{0, 0}, {1, 0}}, {{1, 0}});
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].lcore, 1u);
    EXPECT_EQ(a[0].tx.size(), 2u);
    EXPECT_EQ(a[0].rx.size(), 1u);
}

TEST(GenAssign, TwoLcoresSplitTxAndRx) {
    auto a = assign_lcores({1, 2}, {{0, 0}, {0, 1}}, {{1, 0}, {1, 1}});
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0].tx.size(), 2u);
    EXPECT_TRUE(a[0].rx.empty());
    EXPECT_TRUE(a[1].tx.empty());
    EXPECT_EQ(a[1].rx.size(), 2u);
}

TEST(GenAssign, WithoutRxEveryLcoreTransmits) {
    auto a = assign_lcores({1, 2, 3}, {{0, 0}, {0, 1}, {0, 2}, {0, 3}}, {});
    ASSERT_EQ(a.size(), 3u);
    EXPECT_EQ(a[0].tx.size(), 2u);
    EXPECT_EQ(a[1].tx.size(), 1u);
    EXPECT_EQ(a[2].tx.size(), 1u);
}

TEST(GenAssign, IdleLcoresAreLeftOut) {
    auto a = assign_lcores({1, 2, 3, 4}, {{0, 0}}, {{1, 0}});
    ASSERT_EQ(a.size(), 2u);  // 2 tx lcores, 2 rx lcores, one slot each
    EXPECT_EQ(a[0].lcore, 1u);
    EXPECT_EQ(a[1].lcore, 3u);
}

}  // namespace
}  // namespace vfpath::gen

namespace vfpath::config {
namespace {

// The memif example pair in config/ stays valid and as documented.
TEST(GenExamples, MemifPairLoads) {
    const std::string dir = std::string(VFPATH_FIXTURES) + "/../../config/";
    auto g = load_file(dir + "gen-memif.yaml");
    ASSERT_TRUE(g.config) << dump(g.errors);
    ASSERT_TRUE(g.config->gen);
    EXPECT_EQ(g.config->gen->size.name, "imix");
    EXPECT_FALSE(g.config->eal.in_memory);
    EXPECT_TRUE(gen::preflight(*g.config).empty());
    auto r = load_file(dir + "run-memif.yaml");
    ASSERT_TRUE(r.config) << dump(r.errors);
    EXPECT_FALSE(r.config->gen);
}

}  // namespace
}  // namespace vfpath::config
