// net_pcap: frames from a capture file are forwarded and written out; checked byte for byte.
#include <pcap/pcap.h>

#include <cstring>

#include "pcap_io.h"

namespace vfpt {
namespace {

// n frames, lengths spread over 60..1514, each with its own dst/src MAC, ethertype 0x88B5,
// a sequence number and a payload pattern unique to the frame.
std::vector<Frame> make_frames(size_t n) {
    std::vector<Frame> frames;
    for (size_t i = 0; i < n; ++i) {
        const size_t len = n > 1 ? 60 + (i * 7919) % (1514 - 60 + 1) : 60;
        Frame f(len);
        const uint8_t dst[6] = {0x02, 0xd0, 0x00, 0x00, uint8_t(i >> 8), uint8_t(i)};
        const uint8_t src[6] = {0x02, 0x5c, 0x00, 0x00, uint8_t(i >> 8), uint8_t(i)};
        std::memcpy(f.data(), dst, 6);
        std::memcpy(f.data() + 6, src, 6);
        f[12] = 0x88, f[13] = 0xb5;
        f[14] = uint8_t(i >> 24), f[15] = uint8_t(i >> 16), f[16] = uint8_t(i >> 8),
        f[17] = uint8_t(i);
        for (size_t k = 18; k < len; ++k) f[k] = uint8_t(i * 31 + k * 7 + (k >> 8));
        frames.push_back(std::move(f));
    }
    // Make sure both ends of the range are present.
    if (n >= 2) {
        frames[0].resize(60);
        frames[1].resize(1514);
        for (size_t k = 18; k < 1514; ++k) frames[1][k] = uint8_t(31 + k * 7 + (k >> 8));
    }
    return frames;
}

class PcapTest : public VfpathTest {
protected:
    // Runs one reflecting net_pcap port t0 over `in` -> `out` in `mode`, with extra port keys.
    json run_pcap(const std::vector<Frame>& in_frames, const std::string& mode,
                  const std::string& port_extra = "") {
        in_ = path("in.pcap");
        out_ = path("out.pcap");
        write_pcap(in_, in_frames);
        const auto cfg = write_config(eal_yaml() +
                                      "ports:\n"
                                      "  - name: t0\n"
                                      "    device: \"net_pcap0,rx_pcap=" + in_.string() +
                                      ",tx_pcap=" + out_.string() + "\"\n" + port_extra +
                                      "forward:\n"
                                      "  mode: " + mode + "\n"
                                      "  pairs: [[t0, t0]]\n"
                                      "run:\n"
                                      "  duration_s: 1.5\n"
                                      "  stats_interval_s: 0\n");
        const auto report = path("report.json");
        outcome_ = run_vfpath({"run", "-c", cfg.string(), "--report", report.string()}, dir_, 60);
        EXPECT_TRUE(outcome_.exited()) << "signal " << outcome_.term_signal << " timed_out "
                                       << outcome_.timed_out << "\nstderr:\n" << outcome_.err;
        EXPECT_EQ(outcome_.exit_code, 0) << outcome_.err;
        if (!outcome_.exited() || outcome_.exit_code != 0) return json();
        json r = read_report(report);
        if (r.is_object()) expect_run_invariants(r);
        return r;
    }
    fs::path in_, out_;
    Outcome outcome_;
};

void expect_counts(const json& r, size_t n, uint64_t bytes) {
    const json* t0 = find_port(r, "t0");
    ASSERT_NE(t0, nullptr);
    EXPECT_EQ((*t0)["peer"], "t0");
    EXPECT_EQ(t0->value("rx_packets", 0ull), n);
    EXPECT_EQ(t0->value("tx_packets", 0ull), n);
    EXPECT_EQ(t0->value("drops", 1ull), 0u);
    EXPECT_EQ(t0->value("rx_bytes", 0ull), bytes);
    EXPECT_EQ(t0->value("tx_bytes", 0ull), bytes);
    // The device's own counters agree.
    EXPECT_EQ((*t0)["hw"].value("ipackets", 0ull), n);
    EXPECT_EQ((*t0)["hw"].value("opackets", 0ull), n);
    EXPECT_EQ((*t0)["hw"].value("ierrors", 1ull), 0u);
    EXPECT_EQ((*t0)["hw"].value("oerrors", 1ull), 0u);
}

uint64_t total_bytes(const std::vector<Frame>& fs_) {
    uint64_t b = 0;
    for (const auto& f : fs_) b += f.size();
    return b;
}

TEST_F(PcapTest, MacswapByteForByte) {
    const auto in = make_frames(100);
    const json r = run_pcap(in, "macswap");
    ASSERT_TRUE(r.is_object());
    expect_counts(r, in.size(), total_bytes(in));
    const auto out = read_pcap(out_);
    ASSERT_EQ(out.size(), in.size());
    for (size_t i = 0; i < in.size(); ++i) {
        Frame want = in[i];
        std::swap_ranges(want.begin(), want.begin() + 6, want.begin() + 6);
        ASSERT_EQ(out[i].size(), want.size()) << "frame " << i;
        EXPECT_TRUE(out[i] == want) << "frame " << i << ": dst " << mac_str(out[i].data())
                                    << " src " << mac_str(out[i].data() + 6) << ", expected dst "
                                    << mac_str(want.data()) << " src " << mac_str(want.data() + 6);
    }
}

TEST_F(PcapTest, IoModeLeavesFramesUntouched) {
    const auto in = make_frames(50);
    const json r = run_pcap(in, "io");
    ASSERT_TRUE(r.is_object());
    expect_counts(r, in.size(), total_bytes(in));
    const auto out = read_pcap(out_);
    ASSERT_EQ(out.size(), in.size());
    for (size_t i = 0; i < in.size(); ++i) EXPECT_TRUE(out[i] == in[i]) << "frame " << i;
}

// net_pcap cannot change its MAC, so the source written is the port's own MAC from the report.
TEST_F(PcapTest, L2RewritesToNextHopAndPortMac) {
    const Mac next_hop{0x02, 0x00, 0x00, 0x00, 0x00, 0x99};
    const auto in = make_frames(100);
    const json r = run_pcap(in, "l2", "    next_hop: \"" + mac_str(next_hop) + "\"\n");
    ASSERT_TRUE(r.is_object());
    EXPECT_EQ(r.value("mode", ""), "l2");
    expect_counts(r, in.size(), total_bytes(in));
    const json* t0 = find_port(r, "t0");
    ASSERT_NE(t0, nullptr);
    const std::string port_mac = t0->value("mac", "");
    ASSERT_EQ(port_mac.size(), 17u) << "report has no MAC for t0: " << t0->dump();
    const auto out = read_pcap(out_);
    ASSERT_EQ(out.size(), in.size());
    for (size_t i = 0; i < in.size(); ++i) {
        ASSERT_EQ(out[i].size(), in[i].size()) << "frame " << i;
        EXPECT_EQ(mac_str(out[i].data()), mac_str(next_hop)) << "frame " << i << " dst";
        EXPECT_EQ(mac_str(out[i].data() + 6), port_mac) << "frame " << i << " src";
        EXPECT_TRUE(std::equal(out[i].begin() + 12, out[i].end(), in[i].begin() + 12))
            << "frame " << i << ": bytes after the MACs changed";
    }
}

// Asking net_pcap (which has no mac_addr_set) for a MAC must fail cleanly, naming the port.
TEST_F(PcapTest, MacOnDeviceWithoutMacSetFailsCleanly) {
    const auto in = make_frames(5);
    in_ = path("in.pcap");
    out_ = path("out.pcap");
    write_pcap(in_, in);
    const auto cfg = write_config(eal_yaml() +
                                  "ports:\n"
                                  "  - name: t0\n"
                                  "    device: \"net_pcap0,rx_pcap=" + in_.string() +
                                  ",tx_pcap=" + out_.string() + "\"\n"
                                  "    mac: \"02:00:00:00:00:aa\"\n"
                                  "    next_hop: \"02:00:00:00:00:99\"\n"
                                  "forward:\n"
                                  "  mode: l2\n"
                                  "run:\n"
                                  "  duration_s: 1\n"
                                  "  stats_interval_s: 0\n");
    const Outcome o = run_vfpath({"run", "-c", cfg.string()}, dir_, 60);
    ASSERT_TRUE(o.exited()) << "signal " << o.term_signal << "\n" << o.err;
    EXPECT_NE(o.exit_code, 0) << o.err;
    EXPECT_TRUE(o.exit_code == 1 || o.exit_code == 2) << o.exit_code;
    EXPECT_NE(o.err.find("t0"), std::string::npos) << o.err;
    EXPECT_NE(o.err.find("mac"), std::string::npos) << o.err;
    EXPECT_EQ(o.out.find("summary"), std::string::npos) << "nothing may run:\n" << o.out;
}

// Frames larger than one mbuf (data room 2176) arrive chained and leave whole.
TEST_F(PcapTest, JumboFramesSurviveChaining) {
    auto in = make_frames(6);
    const size_t lens[] = {2200, 3000, 9000, 60, 4096, 1514};
    for (size_t i = 0; i < in.size(); ++i) {
        const size_t old = in[i].size();
        in[i].resize(lens[i]);
        for (size_t k = old; k < lens[i]; ++k) in[i][k] = uint8_t(i + k * 3);
    }
    const json r = run_pcap(in, "macswap");
    ASSERT_TRUE(r.is_object());
    expect_counts(r, in.size(), total_bytes(in));
    const auto out = read_pcap(out_);
    ASSERT_EQ(out.size(), in.size());
    for (size_t i = 0; i < in.size(); ++i) {
        Frame want = in[i];
        std::swap_ranges(want.begin(), want.begin() + 6, want.begin() + 6);
        EXPECT_TRUE(out[i] == want) << "frame " << i << " (" << in[i].size() << " bytes, got "
                                    << out[i].size() << ")";
    }
}

// Frames shorter than an Ethernet header (14 bytes) are forwarded as they came (pipelines.h):
// no crash, same count, runts unchanged, regular frames swapped.
TEST_F(PcapTest, RuntFramesDoNotCrash) {
    auto in = make_frames(20);
    const Frame runt10(10, 0xab);
    Frame runt13(13);
    for (size_t k = 0; k < runt13.size(); ++k) runt13[k] = uint8_t(0x40 + k);
    std::vector<Frame> mixed;
    for (size_t i = 0; i < in.size(); ++i) {
        mixed.push_back(in[i]);
        if (i % 5 == 0) mixed.push_back(runt10);
        if (i % 7 == 0) mixed.push_back(runt13);
    }
    const json r = run_pcap(mixed, "macswap");
    ASSERT_TRUE(r.is_object());
    const json* t0 = find_port(r, "t0");
    ASSERT_NE(t0, nullptr);
    const auto out = read_pcap(out_);
    std::printf("[ observed ] runt capture: %zu frames in, rx_packets %llu, tx_packets %llu, "
                "drops %llu, %zu frames out, hw.ierrors %llu\n",
                mixed.size(), (unsigned long long)t0->value("rx_packets", 0ull),
                (unsigned long long)t0->value("tx_packets", 0ull),
                (unsigned long long)t0->value("drops", 0ull), out.size(),
                (unsigned long long)(*t0)["hw"].value("ierrors", 0ull));
    expect_counts(r, mixed.size(), total_bytes(mixed));
    ASSERT_EQ(out.size(), mixed.size());
    for (size_t i = 0; i < mixed.size(); ++i) {
        Frame want = mixed[i];
        if (want.size() >= 14) std::swap_ranges(want.begin(), want.begin() + 6, want.begin() + 6);
        EXPECT_TRUE(out[i] == want) << "frame " << i << " (" << mixed[i].size() << " bytes)";
    }
}

}  // namespace
}  // namespace vfpt
