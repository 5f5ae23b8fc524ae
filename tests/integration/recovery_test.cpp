// Fault injection and recovery with the real binary. Every injected fault goes through DPDK's own
// callback dispatch (rte_eth_dev_callback_process), so the callback vfpath registered runs exactly
// as for a PMD's event.
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "harness.h"

namespace vfpt {
namespace {

const std::string k_null_pair =
    "ports:\n"
    "  - {name: p0, device: net_null0}\n"
    "  - {name: p1, device: net_null1}\n"
    "run: {stats_interval_s: 0}\n";

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

// The acceptance run: 1000 resets on one port of a net_null pair under full-rate io.
TEST_F(RecoveryTest, ThousandResetsUnderLoadAllRecoverAndNothingLeaks) {
    Outcome o;
    // 1000 x 3 ms nominal. The schedule never fires a backlog in a burst, so a slow control
    // thread on a loaded machine stretches it: stop when it is done, with 120 s as a bound.
    const json r = run_with({"--fault", "reset:p0@300ms,every=3ms,count=1000",
                             "--stop-after-faults"}, 120, o);
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
                            120, o);
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
    expect_run_invariants(r);
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

}  // namespace
}  // namespace vfpt
