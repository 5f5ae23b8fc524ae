// net_tap: the kernel as a real peer. Frames sent on the tap interface through an AF_PACKET socket
// come back with their MACs swapped.
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <map>
#include <thread>

#include "harness.h"

namespace vfpt {
namespace {

constexpr uint16_t k_ethertype = 0x88B5;  // IEEE 802 local experimental

class TapTest : public VfpathTest {
protected:
    void SetUp() override {
        if (geteuid() != 0) GTEST_SKIP() << "net_tap needs root";
        if (access("/dev/net/tun", R_OK | W_OK) != 0) GTEST_SKIP() << "/dev/net/tun missing";
        VfpathTest::SetUp();
    }
    void TearDown() override {
        if (sock_ >= 0) close(sock_);
        if (!dir_.empty()) VfpathTest::TearDown();
    }
    void reflect(const std::string& mode, const std::string& port_extra,
                 const std::string& want_dst, const std::string& want_src);
    int sock_ = -1;
};

bool iface_up(const std::string& name) {
    const std::string flags = read_text("/sys/class/net/" + name + "/flags");
    if (flags.empty()) return false;
    return (std::stoul(flags, nullptr, 16) & IFF_UP) != 0;
}

bool iface_exists(const std::string& name) { return fs::exists("/sys/class/net/" + name); }

// Runs one reflecting tap port in `mode`, sends 20 frames a->b through the kernel interface and
// checks each comes back once with dst `want_dst`, src `want_src` (empty: the port's MAC from
// the report) and an identical payload; then stops vfpath with SIGTERM and checks the report.
void TapTest::reflect(const std::string& mode, const std::string& port_extra,
                      const std::string& want_dst, const std::string& want_src_in) {
    const std::string ifname = tap_name();
    ASSERT_FALSE(iface_exists(ifname)) << ifname << " exists before the test";
    const auto cfg = write_config(eal_yaml() +
                                  "ports:\n"
                                  "  - name: t0\n"
                                  "    device: \"net_tap0,iface=" + ifname + "\"\n" +
                                  port_extra +
                                  "forward:\n"
                                  "  mode: " + mode + "\n"
                                  "  pairs: [[t0, t0]]\n"
                                  "run:\n"
                                  "  duration_s: 20\n"  // backstop; the test stops it with SIGTERM
                                  "  stats_interval_s: 0\n");
    const auto report = path("report.json");
    Child c({"run", "-c", cfg.string(), "--report", report.string()}, dir_);

    // The interface appears when the port is probed and goes up when it starts.
    const double deadline = now_s() + 10;
    while (!(iface_exists(ifname) && iface_up(ifname)) && c.running() && now_s() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_TRUE(iface_exists(ifname) && iface_up(ifname))
        << ifname << " not up after 10 s\nstderr:\n" << c.err();
    ASSERT_TRUE(c.wait_for_output("forwarding in", 10)) << c.err();
    sock_ = socket(AF_PACKET, SOCK_RAW, htons(k_ethertype));
    ASSERT_GE(sock_, 0) << "socket(AF_PACKET): " << std::strerror(errno);
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(k_ethertype);
    sll.sll_ifindex = static_cast<int>(if_nametoindex(ifname.c_str()));
    ASSERT_GT(sll.sll_ifindex, 0);
    ASSERT_EQ(bind(sock_, reinterpret_cast<sockaddr*>(&sll), sizeof sll), 0)
        << std::strerror(errno);

    const uint8_t a[6] = {0x02, 0, 0, 0, 0, 0x01}, b[6] = {0x02, 0, 0, 0, 0, 0x02};
    constexpr uint32_t k_frames = 20;
    std::map<uint32_t, std::vector<uint8_t>> sent;  // seq -> payload (after the Ethernet header)
    for (uint32_t seq = 0; seq < k_frames; ++seq) {
        std::vector<uint8_t> f(64 + seq * 10);
        std::memcpy(f.data(), b, 6);      // dst
        std::memcpy(f.data() + 6, a, 6);  // src
        f[12] = k_ethertype >> 8, f[13] = k_ethertype & 0xff;
        const uint32_t nseq = htonl(seq);
        std::memcpy(f.data() + 14, &nseq, 4);
        for (size_t k = 18; k < f.size(); ++k) f[k] = uint8_t(seq * 13 + k);
        ASSERT_EQ(send(sock_, f.data(), f.size(), 0), static_cast<ssize_t>(f.size()))
            << std::strerror(errno);
        sent[seq].assign(f.begin() + 14, f.end());
    }

    std::map<uint32_t, int> got;
    std::vector<std::string> srcs;  // l2 without a configured MAC: checked against the report
    const double rx_deadline = now_s() + 3;
    while (got.size() < k_frames && now_s() < rx_deadline) {
        pollfd pfd{sock_, POLLIN, 0};
        if (poll(&pfd, 1, 100) <= 0) continue;
        uint8_t buf[2048];
        sockaddr_ll from{};
        socklen_t fl = sizeof from;
        const ssize_t n = recvfrom(sock_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl);
        if (n < 18 || from.sll_pkttype == PACKET_OUTGOING) continue;
        if (buf[12] != (k_ethertype >> 8) || buf[13] != (k_ethertype & 0xff)) continue;
        uint32_t nseq;
        std::memcpy(&nseq, buf + 14, 4);
        const uint32_t seq = ntohl(nseq);
        auto it = sent.find(seq);
        if (it == sent.end()) {
            ADD_FAILURE() << "unexpected sequence " << seq;
            continue;
        }
        ++got[seq];
        EXPECT_EQ(mac_str(buf), want_dst.empty() ? mac_str(a) : want_dst) << "seq " << seq << " dst";
        if (!want_src_in.empty())
            EXPECT_EQ(mac_str(buf + 6), want_src_in) << "seq " << seq << " src";
        else
            srcs.push_back(mac_str(buf + 6));
        // The kernel may pad short frames on the way; the payload we wrote must be intact.
        ASSERT_GE(static_cast<size_t>(n) - 14, it->second.size()) << "seq " << seq;
        EXPECT_TRUE(std::equal(it->second.begin(), it->second.end(), buf + 14))
            << "seq " << seq << " payload differs";
    }
    for (uint32_t seq = 0; seq < k_frames; ++seq)
        EXPECT_EQ(got[seq], 1) << "sequence " << seq << " came back " << got[seq] << " times";

    c.signal(SIGTERM);
    const Outcome o = c.wait(10);
    ASSERT_FALSE(o.timed_out) << "vfpath did not stop within 10 s of SIGTERM";
    ASSERT_EQ(o.term_signal, 0) << o.err;
    EXPECT_EQ(o.exit_code, 0) << o.err;
    const json r = read_report(report);
    ASSERT_TRUE(r.is_object());
    expect_run_invariants(r);
    EXPECT_EQ(r.value("stop_reason", ""), "SIGTERM");
    const json* t0 = find_port(r, "t0");
    ASSERT_NE(t0, nullptr);
    // The kernel sends its own frames too (IPv6 router/neighbour solicitations...), all reflected.
    EXPECT_GE(t0->value("rx_packets", 0ull), k_frames);
    EXPECT_GE(t0->value("tx_packets", 0ull), k_frames);
    for (const auto& s : srcs) EXPECT_EQ(s, t0->value("mac", "")) << "src MAC";
    // The tap interface goes away with the port.
    const double gone_deadline = now_s() + 3;
    while (iface_exists(ifname) && now_s() < gone_deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_FALSE(iface_exists(ifname)) << ifname << " still exists after vfpath exited";
}


TEST_F(TapTest, MacswapReflectsKernelFrames) {
    reflect("macswap", "", "02:00:00:00:00:01", "02:00:00:00:00:02");
}

// l2 on a device that can change its MAC: src is the configured MAC, dst the next hop.
TEST_F(TapTest, L2WritesConfiguredMacAndNextHop) {
    reflect("l2",
            "    mac: \"02:00:00:00:00:aa\"\n"
            "    next_hop: \"02:00:00:00:00:99\"\n",
            "02:00:00:00:00:99", "02:00:00:00:00:aa");
}

}  // namespace
}  // namespace vfpt
