// Value parsers of lib/config: MAC addresses, forwarding modes, CPU lists, and Diag::str.
#include <gtest/gtest.h>

#include "config/api.h"

namespace vfpath::config {
namespace {

using Cpus = std::vector<unsigned>;

TEST(ParseMac, AcceptsColonAndDashInEitherCase) {
    const MacAddr want{0x02, 0x00, 0x5e, 0xab, 0xcd, 0xef};
    EXPECT_EQ(parse_mac("02:00:5e:ab:cd:ef"), want);
    EXPECT_EQ(parse_mac("02:00:5E:AB:CD:EF"), want);
    EXPECT_EQ(parse_mac("02-00-5e-Ab-cD-ef"), want);
    EXPECT_EQ(parse_mac("ff:ff:ff:ff:ff:ff"), (MacAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
    EXPECT_EQ(parse_mac("00:00:00:00:00:00"), MacAddr{});
}

TEST(ParseMac, RejectsMalformed) {
    for (const char* bad :
         {"", "02:00:00:00:00", "02:00:00:00:00:01:02", "02:00:00:00:00:1", "2:0:0:0:0:1",
          "02:00:00:00:00:0g", "02:00-00:00:00:01", "02.00.00.00.00.01", "0200.0000.0001",
          "02:00:00:00:00:01 ", " 02:00:00:00:00:01", "020000000001", "02::00:00:00:00:01",
          "xx:xx:xx:xx:xx:xx"}) {
        SCOPED_TRACE(bad);
        EXPECT_FALSE(parse_mac(bad).has_value());
    }
}

TEST(FormatMac, LowerCaseColonSeparatedAndRoundTrips) {
    EXPECT_EQ(format_mac(MacAddr{0x02, 0x00, 0x5e, 0xab, 0xcd, 0xef}), "02:00:5e:ab:cd:ef");
    EXPECT_EQ(format_mac(MacAddr{}), "00:00:00:00:00:00");
    for (const char* text : {"0a:1b:2c:3d:4e:5f", "fe:dc:ba:98:76:54"}) {
        SCOPED_TRACE(text);
        const auto mac = parse_mac(text);
        ASSERT_TRUE(mac.has_value());
        EXPECT_EQ(format_mac(*mac), text);
    }
}

TEST(FwdMode, NamesRoundTrip) {
    for (FwdMode m : {FwdMode::io, FwdMode::macswap, FwdMode::l2, FwdMode::sink}) {
        SCOPED_TRACE(std::string(to_string(m)));
        EXPECT_EQ(parse_fwd_mode(to_string(m)), m);
    }
    EXPECT_EQ(to_string(FwdMode::io), "io");
    EXPECT_EQ(to_string(FwdMode::macswap), "macswap");
    EXPECT_EQ(to_string(FwdMode::l2), "l2");
    EXPECT_EQ(to_string(FwdMode::sink), "sink");
}

TEST(FwdMode, RejectsUnknownAndWrongCase) {
    for (const char* bad : {"", "IO", "mac", "l3", "gen", " io", "io "}) {
        SCOPED_TRACE(bad);
        EXPECT_FALSE(parse_fwd_mode(bad).has_value());
    }
    EXPECT_EQ(to_string(static_cast<FwdMode>(200)), "unknown");
}

TEST(ParseCpuList, SingleRangesAndMixes) {
    EXPECT_EQ(parse_cpu_list("0"), Cpus{0});
    EXPECT_EQ(parse_cpu_list("3"), Cpus{3});
    EXPECT_EQ(parse_cpu_list("0-3"), (Cpus{0, 1, 2, 3}));
    EXPECT_EQ(parse_cpu_list("2-2"), Cpus{2});
    EXPECT_EQ(parse_cpu_list("0-3,8,10-11"), (Cpus{0, 1, 2, 3, 8, 10, 11}));
    EXPECT_EQ(parse_cpu_list("1023"), Cpus{1023});
    EXPECT_EQ(parse_cpu_list("1022-1023"), (Cpus{1022, 1023}));
}

TEST(ParseCpuList, SortsAndRemovesDuplicates) {
    EXPECT_EQ(parse_cpu_list("8,0-2,1,2-3"), (Cpus{0, 1, 2, 3, 8}));
    EXPECT_EQ(parse_cpu_list("5,5,5"), Cpus{5});
}

TEST(ParseCpuList, ToleratesBlanksAroundItems) {
    EXPECT_EQ(parse_cpu_list("0-1, 4"), (Cpus{0, 1, 4}));
    EXPECT_EQ(parse_cpu_list(" 2 ,3 "), (Cpus{2, 3}));
}

TEST(ParseCpuList, RejectsMalformed) {
    for (const char* bad : {"",           " ",
                            ",",          "0,",
                            ",0",         "0,,1",
                            "3-1",        "1-",
                            "-1",         "-",
                            "0--1",       "1-2-3",
                            "a",          "0x1",
                            "1.5",        "+1",
                            "1 2",        "0-1024",
                            "1024",       "99999",
                            "4294967296", "18446744073709551616",
                            "0-3;5",      "0 - 3"}) {
        SCOPED_TRACE(bad);
        EXPECT_FALSE(parse_cpu_list(bad).has_value());
    }
}

TEST(ParseCpuList, FullRangeIsAllowed) {
    const auto all = parse_cpu_list("0-1023");
    ASSERT_TRUE(all.has_value());
    ASSERT_EQ(all->size(), 1024u);
    EXPECT_EQ(all->front(), 0u);
    EXPECT_EQ(all->back(), 1023u);
}

TEST(DiagStr, FileLineColPathMessage) {
    const Diag d{"job.yaml", Loc{12, 5}, "ports[1].rx_queues", "expected an integer in 1..1024"};
    EXPECT_EQ(d.str(), "job.yaml:12:5: ports[1].rx_queues: expected an integer in 1..1024");
}

TEST(DiagStr, OmitsPositionWhenUnknownAndPathWhenEmpty) {
    EXPECT_EQ((Diag{"job.yaml", Loc{}, "ports", "at least one port"}).str(),
              "job.yaml: ports: at least one port");
    EXPECT_EQ((Diag{"job.yaml", Loc{3, 1}, "", "YAML syntax error: x"}).str(),
              "job.yaml:3:1: YAML syntax error: x");
    EXPECT_EQ((Diag{"job.yaml", Loc{}, "", "cannot open"}).str(), "job.yaml: cannot open");
}

TEST(PortConfigIsPci, PciAddressesAndVdevs) {
    PortConfig p;
    for (const char* pci : {"0000:3b:02.0", "3b:02.0", "0000:AF:00.7", "10000:00:1f.1"}) {
        SCOPED_TRACE(pci);
        p.device = pci;
        EXPECT_TRUE(p.is_pci());
    }
    for (const char* other : {"net_null0", "net_tap0,iface=x", "", "3b:02", "3b:20.0",
                              "0000:3b:02.8", "000:3b:02.0", "3b:2.0", "0000:3b:02.0,x=1"}) {
        SCOPED_TRACE(other);
        p.device = other;
        EXPECT_FALSE(p.is_pci());
    }
}

TEST(ConfigFindPort, ByName) {
    Config c;
    c.ports.resize(2);
    c.ports[0].name = "up";
    c.ports[1].name = "down";
    ASSERT_NE(c.find_port("down"), nullptr);
    EXPECT_EQ(c.find_port("down"), &c.ports[1]);
    EXPECT_EQ(c.find_port("up"), &c.ports[0]);
    EXPECT_EQ(c.find_port("p0"), nullptr);
    EXPECT_EQ(c.find_port(""), nullptr);
}

}  // namespace
}  // namespace vfpath::config
