// Fault injection and recovery with the real binary. Every injected fault goes through DPDK's own
// callback dispatch (rte_eth_dev_callback_process), so the callback vfpath registered runs exactly
// as for a PMD's event.
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <regex>
#include <thread>

#include "harness.h"

namespace vfpt {
namespace {

const std::string k_null_pair =
    "ports:\n"
    "  - {name: p0, device: net_null0}\n"
    "  - {name: p1, device: net_null1}\n"
    "run: {stats_interval_s: 0}\n";
// Hundreds of resets a second are a reset storm by design (storm_resets): these runs measure
// each recovery, so storm detection is off for them.
const std::string k_null_pair_no_storm = k_null_pair + "recovery: {storm_resets: 0}\n";

class RecoveryTest : public VfpathTest {
protected:
    json run_with(const std::vector<std::string>& extra, double duration, Outcome& o,
                  const std::string& yaml = k_null_pair) {
        const auto cfg = write_config(eal_yaml() + yaml);
        const auto report = path("report.json");
        std::vector<std::string> args{"run", "-c", cfg.string(), "--duration",
                                      std::to_string(duration), "--log-level", "warn",
                                      "--report", report.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        o = run_vfpath(args, dir_, duration + 60);
        EXPECT_TRUE(o.exited()) << o.err;
        EXPECT_EQ(o.exit_code, 0) << o.err;
        return read_report(report);
    }
};

// The issue's acceptance run: 1000 resets on one port of a net_null pair under full-rate io.
TEST_F(RecoveryTest, ThousandResetsUnderLoadAllRecoverAndNothingLeaks) {
    Outcome o;
    // 1000 x 3 ms nominal. The schedule never fires a backlog in a burst, so a slow control
    // thread on a loaded machine stretches it: stop when it is done, with 120 s as a bound.
    const json r = run_with({"--fault", "reset:p0@300ms,every=3ms,count=1000",
                             "--stop-after-faults"}, 120, o, k_null_pair_no_storm);
    ASSERT_TRUE(r.is_object());
    EXPECT_EQ(r["stop_reason"], "faults done");
    const json *p0 = find_port(r, "p0"), *p1 = find_port(r, "p1");
    ASSERT_TRUE(p0 && p1);
    const json& rec = (*p0)["recovery"];
    EXPECT_EQ(rec["resets"], 1000);
    EXPECT_EQ(rec["recovered"], 1000);
    EXPECT_EQ(rec["failed"], 0);
    ASSERT_TRUE(rec["recovery_ms"].is_object());
    EXPECT_EQ(rec["recovery_ms"]["count"], 1000);
    EXPECT_GT(rec["recovery_ms"]["median"].get<double>(), 0.0);
    EXPECT_EQ((*p0)["state"], "running");
    // The other port never stopped: it saw no event, it was never paused, and it forwarded
    // throughout (its frames towards p0 during recoveries are counted as not-ready drops).
    EXPECT_EQ((*p1)["recovery"]["events"], 0);
    EXPECT_EQ((*p1)["state"], "running");
    EXPECT_GT((*p1)["rx_packets"].get<uint64_t>(), 10'000'000u);
    EXPECT_GT((*p0)["not_ready_drops"].get<uint64_t>(), 0u);
    expect_run_invariants(r);  // rx == tx + drops per direction, leak 0
}

TEST_F(RecoveryTest, HotplugLadderReattachesTheDeviceEveryTime) {
    Outcome o;
    const json r = run_with({"--recovery-ladder", "reattach", "--fault",
                             "reset:p0@300ms,every=5ms,count=200", "--stop-after-faults"},
                            120, o, k_null_pair_no_storm);
    EXPECT_EQ(r["stop_reason"], "faults done");
    ASSERT_TRUE(r.is_object());
    const json* p0 = find_port(r, "p0");
    ASSERT_TRUE(p0);
    EXPECT_EQ((*p0)["recovery"]["recovered"], 200);
    // Each re-attach destroys and re-creates the ethdev: DPDK raises DESTROY and NEW for it.
    EXPECT_EQ((*p0)["recovery"]["events_by_type"]["NEW"], 200);
    expect_run_invariants(r);
}

TEST_F(RecoveryTest, StopAfterFaultsNeedsFaultsThatEnd) {
    const auto cfg = write_config(eal_yaml() + k_null_pair);
    Outcome o = run_vfpath({"run", "-c", cfg.string(), "--stop-after-faults"}, dir_, 30);
    EXPECT_EQ(o.exit_code, 2);
    EXPECT_NE(o.err.find("--stop-after-faults: there are no faults"), std::string::npos) << o.err;
    o = run_vfpath({"run", "-c", cfg.string(), "--stop-after-faults", "--fault",
                    "reset:p0@1s,every=10ms,count=0"},
                   dir_, 30);
    EXPECT_EQ(o.exit_code, 2);
    EXPECT_NE(o.err.find("repeats until the run ends"), std::string::npos) << o.err;
}

TEST_F(RecoveryTest, RemovedPortIsReattachedWhileTheOtherKeepsForwarding) {
    Outcome o;
    const json r = run_with({"--fault", "remove:p1@500ms"}, 1.5, o);
    ASSERT_TRUE(r.is_object());
    const json *p0 = find_port(r, "p0"), *p1 = find_port(r, "p1");
    ASSERT_TRUE(p0 && p1);
    EXPECT_EQ((*p1)["recovery"]["removals"], 1);
    EXPECT_EQ((*p1)["recovery"]["recovered"], 1);
    EXPECT_EQ((*p1)["state"], "running");
    EXPECT_EQ((*p0)["recovery"]["events"], 0);
    EXPECT_GT((*p1)["rx_packets"].get<uint64_t>(), 0u);
    expect_run_invariants(r);
    // The journal tells the story in order.
    std::vector<std::string> details;
    for (const auto& e : r["journal"])
        if (e["port"] == "p1") details.push_back(e["detail"]);
    std::string all;
    for (const auto& d : details) all += d + "\n";
    const auto rmv = all.find("INTR_RMV"), reat = all.find("reattaching"),
               back = all.find("-> running");
    EXPECT_NE(rmv, std::string::npos) << all;
    EXPECT_LT(rmv, reat) << all;
    EXPECT_LT(reat, back) << all;
}

// The bus asks for the device back (vfio's device request, as when the kernel removes a VF):
// vfpath detaches the port, so the kernel could finish, and re-attaches it when it can.
TEST_F(RecoveryTest, DeviceRequestFromTheBusDetachesAndReattachesThePort) {
    Outcome o;
    const json r = run_with({"--fault", "unplug:p1@500ms"}, 1.5, o);
    ASSERT_TRUE(r.is_object());
    const json *p0 = find_port(r, "p0"), *p1 = find_port(r, "p1");
    ASSERT_TRUE(p0 && p1);
    EXPECT_EQ((*p1)["recovery"]["removals"], 1);
    EXPECT_EQ((*p1)["recovery"]["recovered"], 1);
    EXPECT_EQ((*p1)["state"], "running");
    EXPECT_EQ((*p0)["recovery"]["events"], 0);
    expect_run_invariants(r);
    std::string all;
    for (const auto& e : r["journal"])
        if (e["port"] == "p1") all += e["detail"].get<std::string>() + "\n";
    const auto req = all.find("RTE_DEV_EVENT_REMOVE"), rmv = all.find("INTR_RMV"),
               reat = all.find("reattaching");
    EXPECT_NE(req, std::string::npos) << all;
    EXPECT_LT(req, rmv) << all;
    EXPECT_LT(rmv, reat) << all;
}

const std::string k_with_standby =
    "ports:\n"
    "  - {name: p0, device: net_null0}\n"
    "  - {name: p1, device: net_null1, standby: s1}\n"
    "  - {name: s1, device: net_null2}\n"
    "run: {stats_interval_s: 0}\n";

// The VF (p1) is removed and cannot come back (a ladder without reattach): its traffic moves to
// the standby (s1) and stays there; p0 keeps forwarding throughout.
TEST_F(RecoveryTest, FailedPortsTrafficMovesToTheStandby) {
    Outcome o;
    const json r = run_with({"--recovery-ladder", "reset", "--fault", "remove:p1@300ms"}, 1.5, o,
                            k_with_standby);
    ASSERT_TRUE(r.is_object());
    const json *p0 = find_port(r, "p0"), *p1 = find_port(r, "p1"), *s1 = find_port(r, "s1");
    ASSERT_TRUE(p0 && p1 && s1);
    EXPECT_EQ((*p1)["state"], "failed");
    EXPECT_EQ((*p1)["failover"]["standby"], "s1");
    EXPECT_EQ((*p1)["failover"]["failovers"], 1);
    EXPECT_EQ((*p1)["failover"]["on_standby"], true);
    // p0's frames now leave on s1's device (its own counters show them; vfpath's counters keep
    // counting them as p1's traffic, sent on its behalf), and what s1 receives goes to p0.
    EXPECT_GT((*s1)["hw"]["opackets"].get<uint64_t>(), 1'000'000u);
    EXPECT_GT((*s1)["rx_packets"].get<uint64_t>(), 0u);
    EXPECT_EQ((*s1)["peer"], "p0");
    EXPECT_GT((*p1)["tx_packets"].get<uint64_t>(), (*p1)["rx_packets"].get<uint64_t>());
    // Nothing unaccounted: what p0 received left as p1's traffic (on p1 or on s1) or was
    // dropped; what p1 and s1 received left on p0 or was dropped there.
    auto n = [](const json* p, const char* k) { return (*p)[k].get<uint64_t>(); };
    EXPECT_EQ(n(p0, "rx_packets"), n(p1, "tx_packets") + n(p1, "drops"));
    EXPECT_EQ(n(p1, "rx_packets") + n(s1, "rx_packets"), n(p0, "tx_packets") + n(p0, "drops"));
    for (const auto& m : r["mempools"]) EXPECT_EQ(m["in_use_at_exit"], 0);
}

// Removed, then re-attached: traffic goes to the standby meanwhile and comes back.
TEST_F(RecoveryTest, ReattachedPortTakesItsTrafficBack) {
    Outcome o;
    const json r = run_with({"--fault", "remove:p1@300ms"}, 1.0, o, k_with_standby);
    ASSERT_TRUE(r.is_object());
    const json* p1 = find_port(r, "p1");
    ASSERT_TRUE(p1);
    EXPECT_EQ((*p1)["state"], "running");
    EXPECT_EQ((*p1)["failover"]["failovers"], 1);
    EXPECT_EQ((*p1)["failover"]["on_standby"], false);
    std::string story;
    for (const auto& e : r["journal"])
        if (e["kind"] == "failover") story += e["detail"].get<std::string>() + "\n";
    EXPECT_NE(story.find("traffic moved to standby s1"), std::string::npos) << story;
    EXPECT_NE(story.find("moved back"), std::string::npos) << story;
}

TEST_F(RecoveryTest, InjectedLinkDownDropsTowardsThePortThenResumes) {
    Outcome o;
    const json r = run_with({"--fault", "link-down:p1@300ms,for=400ms"}, 1.2, o);
    ASSERT_TRUE(r.is_object());
    const json* p1 = find_port(r, "p1");
    ASSERT_TRUE(p1);
    EXPECT_EQ((*p1)["link_changes"], 2);
    EXPECT_EQ((*p1)["state"], "running");
    // Frames for a port whose link is down are dropped and counted, not queued.
    EXPECT_GT((*p1)["not_ready_drops"].get<uint64_t>(), 0u);
    EXPECT_EQ((*p1)["recovery"]["events_by_type"]["LSC"], 2);
    // net_null is not a VF driver that needs a restart after its link comes back (auto).
    EXPECT_EQ((*p1)["recovery"]["link_bounce_restarts"], 0);
    EXPECT_EQ((*p1)["recovery"]["recovered"], 0);
    expect_run_invariants(r);
}

// restart_on_link_up: always, as for an igb VF whose PF bounced its link: the port is restarted
// when its link comes back, and counted.
TEST_F(RecoveryTest, LinkBounceRestartsThePortWhenConfigured) {
    Outcome o;
    const json r = run_with({"--fault", "link-down:p1@300ms,for=300ms"}, 1.5, o,
                            k_null_pair +
                                "recovery: {restart_on_link_up: always, link_up_settle_ms: 200}\n");
    ASSERT_TRUE(r.is_object());
    const json* p1 = find_port(r, "p1");
    ASSERT_TRUE(p1);
    EXPECT_EQ((*p1)["state"], "running");
    EXPECT_EQ((*p1)["recovery"]["link_bounce_restarts"], 1);
    EXPECT_EQ((*p1)["recovery"]["recovered"], 1);
    EXPECT_GT((*p1)["rx_packets"].get<uint64_t>(), 0u);
    std::string story;
    for (const auto& e : r["journal"])
        if (e["port"] == "p1") story += e["detail"].get<std::string>() + "\n";
    EXPECT_NE(story.find("restart after link down/up: yes (always)"), std::string::npos) << story;
    EXPECT_NE(story.find("PF may have reset it"), std::string::npos) << story;
    // The restart waits link_up_settle_ms after the link returns (the PF may still be coming up).
    EXPECT_NE(story.find("restarting the port in 200 ms"), std::string::npos) << story;
    const auto down = story.find("running -> link_down"), restart = story.find("stop/start");
    EXPECT_NE(restart, std::string::npos) << story;
    EXPECT_LT(down, restart) << story;
    expect_run_invariants(r);
}

// A re-attach probes the device again; net_null draws a new random MAC at each probe, as a VF
// re-probed after its PF set a new MAC reports that one. vfpath journals the change and uses the
// new MAC (l2 source MAC, report).
TEST_F(RecoveryTest, ReattachReadsTheNewMac) {
    Outcome o;
    const json r = run_with({"--recovery-ladder", "reattach", "--fault", "reset:p0@300ms"}, 1.2, o,
                            "ports:\n"
                            "  - {name: p0, device: net_null0, next_hop: \"02:00:00:00:00:aa\"}\n"
                            "  - {name: p1, device: net_null1, next_hop: \"02:00:00:00:00:bb\"}\n"
                            "forward: {mode: l2}\n"
                            "run: {stats_interval_s: 0}\n");
    ASSERT_TRUE(r.is_object());
    const json* p0 = find_port(r, "p0");
    ASSERT_TRUE(p0);
    EXPECT_EQ((*p0)["recovery"]["recovered"], 1);
    EXPECT_EQ((*p0)["recovery"]["mac_changes"], 1);
    std::string change;
    for (const auto& e : r["journal"])
        if (e["kind"] == "mac") change = e["detail"];
    ASSERT_FALSE(change.empty());
    // "MAC changed from A to B": the report shows B.
    const std::string now = change.substr(change.rfind(' ') + 1);
    EXPECT_EQ((*p0)["mac"], now) << change;
    EXPECT_EQ(change.find("from " + now), std::string::npos) << change;
    expect_run_invariants(r);
}

// A burst of resets is a storm: the port is held out of service, its traffic on the standby,
// then recovered once and its traffic moved back.
TEST_F(RecoveryTest, ResetStormHoldsThePortOnItsStandby) {
    Outcome o;
    const json r = run_with({"--fault", "reset:p1@300ms,every=20ms,count=8"}, 2.5, o,
                            k_with_standby + "recovery: {storm_resets: 4, storm_hold_ms: 500}\n");
    ASSERT_TRUE(r.is_object());
    const json* p1 = find_port(r, "p1");
    ASSERT_TRUE(p1);
    EXPECT_EQ((*p1)["recovery"]["storms"], 1);
    EXPECT_EQ((*p1)["recovery"]["resets"], 8);
    EXPECT_EQ((*p1)["state"], "running");
    EXPECT_EQ((*p1)["failover"]["failovers"], 1);
    EXPECT_EQ((*p1)["failover"]["on_standby"], false);
    std::string story;
    for (const auto& e : r["journal"])
        if (e["port"] == "p1") story += e["kind"].get<std::string>() + ": " +
                                        e["detail"].get<std::string>() + "\n";
    const auto storm = story.find("storm: reset storm"), moved = story.find("moved to standby"),
               back = story.find("moved back");
    EXPECT_NE(storm, std::string::npos) << story;
    EXPECT_LT(storm, moved) << story;
    EXPECT_LT(moved, back) << story;
}

// One-way traffic (the short version of perf/oneway_watchdog.py): p0 receives and forwards to
// p1, which receives nothing. With the rx check on, neither port is ever restarted.
TEST_F(RecoveryTest, OneWayTrafficNeverRestartsTheEgressOnlyPort) {
    const auto empty = path("empty.pcap");
    // A pcap file with its header and no frame: net_pcap receives nothing from it.
    const unsigned char hdr[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0,
                                   0,    0,    0,    0,    0xff, 0xff, 0, 0, 1, 0, 0, 0};
    write_text(empty, std::string(reinterpret_cast<const char*>(hdr), sizeof hdr));
    Outcome o;
    const json r = run_with({}, 6, o,
                            "ports:\n"
                            "  - {name: p0, device: net_null0}\n"
                            "  - {name: p1, device: \"net_pcap0,rx_pcap=" + empty.string() +
                                ",tx_pcap=/dev/null\"}\n"
                            "recovery: {rx_stall_ms: 1500}\n"
                            "run: {stats_interval_s: 0}\n");
    ASSERT_TRUE(r.is_object());
    const json *p0 = find_port(r, "p0"), *p1 = find_port(r, "p1");
    ASSERT_TRUE(p0 && p1);
    EXPECT_GT((*p0)["rx_packets"].get<uint64_t>(), 1000u);
    EXPECT_EQ((*p1)["rx_packets"], 0);
    for (const json* p : {p0, p1}) {
        EXPECT_EQ((*p)["recovery"]["watchdog_triggers"], 0) << (*p)["name"];
        EXPECT_EQ((*p)["state"], "running");
    }
}

TEST_F(RecoveryTest, ProactiveDriverRecoveryIsLeftToTheDriver) {
    Outcome o;
    const json r = run_with({"--fault", "err-recovering:p0@300ms,for=50ms"}, 1.0, o);
    ASSERT_TRUE(r.is_object());
    const json* p0 = find_port(r, "p0");
    ASSERT_TRUE(p0);
    EXPECT_EQ((*p0)["recovery"]["recovered"], 1);
    EXPECT_EQ((*p0)["recovery"]["events_by_type"]["ERR_RECOVERING"], 1);
    EXPECT_EQ((*p0)["recovery"]["events_by_type"]["RECOVERY_SUCCESS"], 1);
    const double ms = (*p0)["recovery"]["recovery_ms"]["median"];
    EXPECT_GE(ms, 45.0);  // the driver took the 50 ms it was given
    expect_run_invariants(r);
}

TEST_F(RecoveryTest, JournalFileHasOneJsonObjectPerLine) {
    Outcome o;
    const auto journal = path("journal.jsonl");
    const json r = run_with({"--journal", journal.string(), "--fault", "reset:p0@200ms"}, 0.8, o);
    ASSERT_TRUE(r.is_object());
    std::ifstream in(journal);
    ASSERT_TRUE(in);
    std::string line;
    int n = 0;
    bool saw_fault = false, saw_event = false, saw_state = false;
    while (std::getline(in, line)) {
        const json e = json::parse(line);
        ++n;
        saw_fault |= e["kind"] == "fault";
        saw_event |= e["kind"] == "event" && e["detail"] == "INTR_RESET";
        saw_state |= e["kind"] == "state";
        EXPECT_TRUE(e.contains("time"));
    }
    EXPECT_GT(n, 3);
    EXPECT_TRUE(saw_fault && saw_event && saw_state);
}

TEST_F(RecoveryTest, BadFaultSpecsAreRefusedBeforeAnythingStarts) {
    const auto cfg = write_config(eal_yaml() + k_null_pair);
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"reset:p9@1s", "no port named p9"},
        {"reboot:p0@1s", "unknown kind"},
        {"reset:p0@later", "bad time"},
    };
    for (const auto& [spec, why] : bad) {
        Outcome o = run_vfpath({"run", "-c", cfg.string(), "--fault", spec}, dir_, 30);
        EXPECT_EQ(o.exit_code, 2) << spec;
        EXPECT_NE(o.err.find(why), std::string::npos) << spec << ": " << o.err;
        EXPECT_EQ(o.err.find("EAL"), std::string::npos) << "EAL must not start: " << o.err;
    }
    Outcome o = run_vfpath({"run", "-c", cfg.string(), "--recovery-ladder", "reboot"}, dir_, 30);
    EXPECT_EQ(o.exit_code, 2);
    EXPECT_NE(o.err.find("unknown step"), std::string::npos) << o.err;
}

// A real link change made on the kernel side of a net_tap port. net_tap in DPDK 22.11 raises LSC
// only for its remote= interface, so vfpath sees this one through its link poll (every 500 ms),
// the fallback the design asks for when a device raises no event.
bool set_if_up(const std::string& name, bool up) {
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) return false;
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
    bool ok = ioctl(fd, SIOCGIFFLAGS, &ifr) == 0;
    if (ok) {
        ifr.ifr_flags = up ? (ifr.ifr_flags | IFF_UP) : (ifr.ifr_flags & ~IFF_UP);
        ok = ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
    }
    close(fd);
    return ok;
}

TEST_F(RecoveryTest, KernelSetsTapLinkDownThenUp) {
    if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) != 0)
        GTEST_SKIP() << "needs root and /dev/net/tun";
    const std::string iface = tap_name("l");
    const auto cfg = write_config(eal_yaml() + "ports:\n  - {name: t0, device: \"net_tap0,iface=" +
                                  iface + "\"}\nforward: {mode: macswap, pairs: [[t0, t0]]}\n" +
                                  "run: {stats_interval_s: 0}\n");
    const auto report = path("report.json");
    Child c({"run", "-c", cfg.string(), "--duration", "4", "--report", report.string()}, dir_);
    ASSERT_TRUE(c.wait_for_output("forwarding in", 20)) << c.err();
    ASSERT_TRUE(set_if_up(iface, false));
    usleep(1'200'000);
    ASSERT_TRUE(set_if_up(iface, true));
    const Outcome o = c.wait(30);
    ASSERT_EQ(o.exit_code, 0) << o.err;
    const json r = read_report(report);
    const json* t0 = find_port(r, "t0");
    ASSERT_TRUE(t0);
    EXPECT_EQ((*t0)["link_changes"], 2);
    EXPECT_EQ((*t0)["state"], "running");
    std::string seq;
    for (const auto& e : r["journal"])
        if (e["kind"] == "state") seq += e["detail"].get<std::string>() + "\n";
    const auto down = seq.find("running -> link_down"), up = seq.find("link_down -> running");
    EXPECT_NE(down, std::string::npos) << seq;
    EXPECT_NE(up, std::string::npos) << seq;
    EXPECT_LT(down, up) << seq;
}

// A port that received steadily stops receiving while its link stays up (the kernel side of a
// net_tap stops sending, as a frozen VF rx looks to vfpath): the watchdog catches it within 2 s,
// restarts it once, finds no traffic after the restart ("restarted, no traffic yet", not a
// recovery) and then leaves the silent port alone: no restart loop.
TEST_F(RecoveryTest, RxFreezeIsCaughtWithinTwoSecondsAndNeverLooped) {
    if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) != 0)
        GTEST_SKIP() << "needs root and /dev/net/tun";
    const std::string iface = tap_name("f");
    const auto cfg = write_config(eal_yaml() + "ports:\n  - {name: t0, device: \"net_tap0,iface=" +
                                  iface + "\"}\nforward: {mode: sink}\n" +
                                  "recovery: {rx_stall_ms: 1500}\n"
                                  "run: {stats_interval_s: 0}\n");
    const auto report = path("report.json");
    Child c({"run", "-c", cfg.string(), "--duration", "10", "--report", report.string()}, dir_);
    ASSERT_TRUE(c.wait_for_output("forwarding in", 20)) << c.err();
    // Nothing of the kernel's own (IPv6 router solicitations) on the port: only our frames.
    sh("sysctl -qw net.ipv6.conf." + iface + ".disable_ipv6=1");
    const int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    ASSERT_GE(fd, 0) << std::strerror(errno);
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = static_cast<int>(if_nametoindex(iface.c_str()));
    ASSERT_GT(sll.sll_ifindex, 0);
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&sll), sizeof sll), 0) << std::strerror(errno);
    uint8_t f[64] = {0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x88, 0xb5};
    // 3 s of frames every 2 ms: the port learns that it receives steadily.
    const double until = now_s() + 3;
    while (now_s() < until) {
        (void)!send(fd, f, sizeof f, 0);
        usleep(2000);
    }
    close(fd);
    const double stopped = now_s();
    ASSERT_TRUE(c.wait_for_output("rx frozen", 5)) << c.err();
    const double caught = now_s() - stopped;
    std::printf("rx freeze found %.3f s after the last frame\n", caught);
    EXPECT_LE(caught, 2.0) << "freeze found " << caught << " s after the last frame";
    EXPECT_GE(caught, 1.4);
    const Outcome o = c.wait(30);
    ASSERT_EQ(o.exit_code, 0) << o.err;
    const json r = read_report(report);
    const json* t0 = find_port(r, "t0");
    ASSERT_TRUE(t0);
    const json& rec = (*t0)["recovery"];
    EXPECT_EQ(rec["watchdog_triggers"], 1) << rec.dump();  // ~5 s of silence after: no loop
    EXPECT_EQ(rec["restarted_no_traffic"], 1) << rec.dump();
    EXPECT_EQ(rec["recovered"], 0) << rec.dump();
    std::string story;
    for (const auto& e : r["journal"]) story += e["detail"].get<std::string>() + "\n";
    EXPECT_NE(story.find("receives steadily"), std::string::npos) << story;
    EXPECT_NE(story.find("restarted, no traffic yet"), std::string::npos) << story;
}

// GET /metrics on 127.0.0.1:port: the body, "" on any failure.
std::string get_metrics(uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return "";
    }
    const std::string req = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    (void)!::send(fd, req.data(), req.size(), 0);
    std::string all;
    char buf[8192];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) all.append(buf, size_t(n));
    ::close(fd);
    const size_t end = all.find("\r\n\r\n");
    if (all.rfind("HTTP/1.0 200", 0) != 0 && all.rfind("HTTP/1.1 200", 0) != 0) return "";
    return end == std::string::npos ? "" : all.substr(end + 4);
}

// A reset that the driver keeps answering with -EAGAIN for 1.5 s (a slow PF): recovery waits
// for it as a state of the port, so the control thread goes on serving /metrics, and the scrape
// shows the port in that state.
TEST_F(RecoveryTest, MetricsAnswerWithin100msWhileASlowResetRuns) {
    const auto cfg = write_config(eal_yaml() + k_null_pair +
                                  "metrics: {enabled: true, listen: \"127.0.0.1:0\"}\n");
    const auto report = path("report.json");
    Child c({"run", "-c", cfg.string(), "--duration", "4", "--report", report.string(), "--fault",
             "reset:p0@1s,slow=1500ms"},
            dir_);
    ASSERT_TRUE(c.wait_for_output("forwarding in", 30)) << c.err();
    std::smatch m;
    const std::string err = c.err();
    ASSERT_TRUE(std::regex_search(err, m, std::regex(R"(serving http://127\.0\.0\.1:(\d+)/metrics)")))
        << err;
    const auto port = static_cast<uint16_t>(std::stoi(m[1]));
    const std::string resetting = "vfpath_port_state{port=\"p0\",state=\"resetting\"} 1";
    double worst_ms = 0;
    int scrapes = 0, saw_resetting = 0;
    const double t_end = now_s() + 2.5;  // from before the fault (at 1 s) to after it ends
    while (now_s() < t_end) {
        const double t0 = now_s();
        const std::string body = get_metrics(port);
        const double ms = (now_s() - t0) * 1e3;
        ASSERT_FALSE(body.empty()) << "scrape " << scrapes << " failed";
        worst_ms = std::max(worst_ms, ms);
        ++scrapes;
        saw_resetting += body.find(resetting) != std::string::npos;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_GT(saw_resetting, 5) << "the scrapes should show p0 resetting during the slow reset";
    EXPECT_LT(worst_ms, 100.0) << scrapes << " scrapes";
    const Outcome o = c.wait(30);
    ASSERT_EQ(o.exit_code, 0) << o.err;
    const json r = read_report(report);
    const json* p0 = find_port(r, "p0");
    ASSERT_TRUE(p0);
    EXPECT_EQ((*p0)["recovery"]["recovered"], 1);
    // -EAGAIN for 1 s (50 x 20 ms), then the next step of the ladder (net_null: stop/start).
    EXPECT_GE((*p0)["recovery"]["recovery_ms"]["max"].get<double>(), 950.0);
    std::string story;
    for (const auto& e : r["journal"]) story += e["detail"].get<std::string>() + "\n";
    EXPECT_NE(story.find("-EAGAIN (the PF is still resetting the VF)"), std::string::npos) << story;
    EXPECT_NE(story.find("still -EAGAIN after 50 tries"), std::string::npos) << story;
}

// Four ports whose PF takes 300 ms each, reset at the same moment, recover together: one after
// the other would take 1.2 s for the last one.
TEST_F(RecoveryTest, PortsResetTogetherRecoverTogether) {
    const std::string four =
        "ports:\n"
        "  - {name: p0, device: net_null0}\n"
        "  - {name: p1, device: net_null1}\n"
        "  - {name: p2, device: net_null2}\n"
        "  - {name: p3, device: net_null3}\n"
        "forward: {pairs: [[p0, p1], [p2, p3]]}\n"
        "run: {stats_interval_s: 0}\n";
    Outcome o;
    const json r = run_with({"--fault", "reset:p0@500ms,slow=300ms", "--fault",
                             "reset:p1@500ms,slow=300ms", "--fault", "reset:p2@500ms,slow=300ms",
                             "--fault", "reset:p3@500ms,slow=300ms", "--stop-after-faults"},
                            20, o, four);
    ASSERT_TRUE(r.is_object());
    for (const char* name : {"p0", "p1", "p2", "p3"}) {
        const json* p = find_port(r, name);
        ASSERT_TRUE(p);
        EXPECT_EQ((*p)["recovery"]["recovered"], 1) << name;
        const double ms = (*p)["recovery"]["recovery_ms"]["max"];
        EXPECT_GE(ms, 300.0) << name;
        EXPECT_LT(ms, 900.0) << name << ": recovered one after the other?";
    }
    expect_run_invariants(r);
}

}  // namespace
}  // namespace vfpt
