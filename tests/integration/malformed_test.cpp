// Malformed and unusual frames through the real forwarder on net_pcap, in every mode: runts of
// 0..13 bytes, a bare Ethernet header, truncated 802.1Q and QinQ headers, jumbo frames that
// arrive as chains of mbufs, and probe headers (lib/measure/dp/probe.h) with bad magic or absurd
// fields. Each run must exit 0, account for every frame (rx == tx + drops), keep the order,
// leave frames too short to rewrite untouched, rewrite the others, and send every chained frame
// whole, byte for byte.
#include <cstring>
#include <string>

#include "measure/dp/probe.h"
#include "pcap_io.h"

namespace vfpt {
namespace {

namespace m = vfpath::measure;

struct Sample {
    std::string kind;  // what the frame is, for messages
    Frame bytes;
};

const Mac k_dst{0x02, 0xd0, 0, 0, 0, 0x01};
const Mac k_src{0x02, 0x5c, 0, 0, 0, 0x02};
const Mac k_next_hop{0x02, 0, 0, 0, 0, 0x99};

// dst, src, then `rest`, padded with a pattern unique to `seed` up to `len` bytes (or cut to it).
Frame eth(size_t len, std::initializer_list<uint8_t> rest, unsigned seed) {
    Frame f(k_dst.begin(), k_dst.end());
    f.insert(f.end(), k_src.begin(), k_src.end());
    f.insert(f.end(), rest);
    for (size_t k = f.size(); k < len; ++k) f.push_back(uint8_t(seed * 131 + k * 7 + (k >> 8)));
    f.resize(len);
    return f;
}

// A frame carrying a well-formed probe after Ethernet (ethertype 0x88B5), padded to 64 bytes.
Frame probe_frame(const m::ProbeFields& pf) {
    Frame f = eth(64, {0x88, 0xb5}, 7);
    EXPECT_EQ(m::write_probe(f.data() + m::k_probe_off_l2, f.size() - m::k_probe_off_l2, pf),
              m::k_probe_size);
    return f;
}

// Every kind of frame the test feeds, in capture order.
std::vector<Sample> malformed_capture() {
    std::vector<Sample> s;
    unsigned seed = 0;
    for (size_t len = 0; len < 14; ++len) {
        Frame f(len);
        for (size_t k = 0; k < len; ++k) f[k] = uint8_t(0xa0 + len + k);
        s.push_back({"runt of " + std::to_string(len) + " bytes", f});
    }
    s.push_back({"bare Ethernet header (14 bytes)", eth(14, {0x08, 0x00}, ++seed)});
    // 802.1Q: 0x8100, TCI (2), inner type (2); cut inside the tag, before the inner type, inside it.
    for (size_t len : {15, 16, 17, 18})
        s.push_back({"802.1Q header cut at " + std::to_string(len) + " bytes",
                     eth(len, {0x81, 0x00, 0x00, 0x64, 0x08, 0x00}, ++seed)});
    // QinQ: 0x88A8, TCI, 0x8100, TCI, inner type: 22 bytes of headers.
    for (size_t len : {16, 19, 20, 21, 22})
        s.push_back({"QinQ header cut at " + std::to_string(len) + " bytes",
                     eth(len, {0x88, 0xa8, 0x00, 0x0a, 0x81, 0x00, 0x00, 0x64, 0x08, 0x00},
                         ++seed)});
    s.push_back({"802.1Q frame of 64 bytes", eth(64, {0x81, 0x00, 0x00, 0x64, 0x08, 0x00}, ++seed)});
    s.push_back({"QinQ frame of 68 bytes",
                 eth(68, {0x88, 0xa8, 0x00, 0x0a, 0x81, 0x00, 0x00, 0x64, 0x08, 0x00}, ++seed)});
    s.push_back({"minimum frame (60 bytes)", eth(60, {0x08, 0x00}, ++seed)});
    s.push_back({"full-size frame (1514 bytes)", eth(1514, {0x08, 0x00}, ++seed)});
    // Around one mbuf (2048 data bytes by default) and jumbo sizes: chains of 1..5 mbufs.
    for (size_t len : {2048, 2049, 4096, 4097, 9000, 9018, 9216})
        s.push_back({"jumbo frame of " + std::to_string(len) + " bytes",
                     eth(len, {0x08, 0x00}, ++seed)});
    s.push_back({"jumbo 802.1Q frame of 9022 bytes",
                 eth(9022, {0x81, 0x00, 0x00, 0x64, 0x08, 0x00}, ++seed)});

    const m::ProbeFields good{42, 0, 1000, 0x123456789abcdefULL};
    s.push_back({"probe, well formed", probe_frame(good)});
    auto corrupt = [&](const char* what, auto&& change) {
        Frame f = probe_frame(good);
        change(f.data() + m::k_probe_off_l2);
        s.push_back({std::string("probe with ") + what, f});
    };
    corrupt("bad magic", [](uint8_t* p) { p[0] ^= 0xff; });
    corrupt("version 9", [](uint8_t* p) { p[14] = 9; });
    corrupt("hdr_len 0", [](uint8_t* p) { p[15] = 0; });
    corrupt("hdr_len 255, past the frame", [](uint8_t* p) { p[15] = 255; });
    corrupt("unknown flag bits", [](uint8_t* p) { p[12] = 0xff; });
    corrupt("tx_tsc 0", [](uint8_t* p) { std::memset(p + 24, 0, 8); });
    corrupt("tx_tsc 2^64-1", [](uint8_t* p) { std::memset(p + 24, 0xff, 8); });
    corrupt("seq 2^64-1", [](uint8_t* p) { std::memset(p + 16, 0xff, 8); });
    Frame cut = probe_frame(good);
    cut.resize(m::k_probe_off_l2 + 20);
    s.push_back({"probe cut after 20 of its 32 bytes", cut});
    // IPv4/UDP carrying a probe, with an impossible IHL and a total length past the frame.
    Frame ip = eth(128, {0x08, 0x00, 0x4f, 0x00, 0xff, 0xff}, ++seed);
    s.push_back({"IPv4 with IHL 15 and total length 65535", ip});
    return s;
}

// What a frame must look like after the forwarder, per mode. Frames shorter than an Ethernet
// header are forwarded untouched (lib/dataplane/dp/pipelines.h); the rest get their MACs
// rewritten, and every byte after the 12 address bytes is kept.
Frame expected(const Frame& in, const std::string& mode, const std::string& port_mac) {
    Frame want = in;
    if (in.size() < 14) return want;
    if (mode == "macswap") std::swap_ranges(want.begin(), want.begin() + 6, want.begin() + 6);
    if (mode == "l2") {
        std::copy(k_next_hop.begin(), k_next_hop.end(), want.begin());
        for (int k = 0; k < 6; ++k)
            want[6 + k] = uint8_t(std::stoi(port_mac.substr(size_t(k) * 3, 2), nullptr, 16));
    }
    return want;
}

class MalformedTest : public VfpathTest,
                      public ::testing::WithParamInterface<std::tuple<std::string, std::string>> {};

TEST(MalformedCapture, ProbeParserRejectsEveryCorruptedProbe) {
    // The forwarder does not read probes; the analyzer that will (parse_probe) must reject
    // exactly the corrupted ones in this capture.
    for (const Sample& s : malformed_capture()) {
        if (s.kind.rfind("probe", 0) != 0 && s.kind.rfind("IPv4", 0) != 0) continue;
        m::ProbeFields out;
        const bool ok = m::parse_probe(s.bytes.data(), s.bytes.size(), out);
        // A tx_tsc far in the future is well formed on the wire: only the receiver's clock can
        // tell it is absurd, so parse_probe takes it (its consumer must not trust rx - tx).
        const bool valid = s.kind == "probe, well formed" || s.kind == "probe with tx_tsc 2^64-1";
        EXPECT_EQ(ok, valid) << s.kind;
        if (ok) {
            EXPECT_EQ(out.seq, 1000u);
        }
    }
}

TEST_P(MalformedTest, EveryFrameAccountedOrderKeptRewrittenOnlyWhenWhole) {
    const auto& [mode, setup] = GetParam();
    const std::vector<Sample> cap = malformed_capture();
    std::vector<Frame> frames;
    uint64_t bytes = 0;
    for (const Sample& s : cap) {
        frames.push_back(s.bytes);
        bytes += s.bytes.size();
    }
    const fs::path in = path("in.pcap"), out = path("out.pcap"), report = path("report.json");
    write_pcap(in, frames);
    // "mtu9000": the clean jumbo setup (5 mbufs of 2048 bytes per frame, rx scatter, multi-segment
    // tx). "small-mbufs": 512-byte mbufs, so even 1514-byte frames arrive as chains (19 mbufs for
    // 9216 bytes). "default": no MTU set; net_pcap chains anything longer than one mbuf anyway.
    std::string port = "  - name: t0\n    device: \"net_pcap0,rx_pcap=" + in.string() +
                       ",tx_pcap=" + out.string() + "\"\n";
    std::string extra;
    if (setup == "mtu9000") port += "    mtu: 9000\n";
    if (setup == "small-mbufs") extra = "mempool: {data_room: 512}\n";
    if (mode == "l2") port += "    next_hop: \"" + mac_str(k_next_hop) + "\"\n";
    const auto cfg = write_config(eal_yaml() + "ports:\n" + port + extra + "forward:\n  mode: " +
                                  mode + "\n  pairs: [[t0, t0]]\nrun:\n  duration_s: 1.5\n"
                                  "  stats_interval_s: 0\n");
    const Outcome o = run_vfpath({"run", "-c", cfg.string(), "--report", report.string()}, dir_, 60);
    ASSERT_TRUE(o.exited()) << "signal " << o.term_signal << " (a crash?)\n" << o.err;
    ASSERT_EQ(o.exit_code, 0) << o.err;
    if (setup != "default") {
        EXPECT_NE(o.err.find(setup == "mtu9000" ? "scatter (up to 5 mbufs per frame)"
                                                : "scatter (up to 4 mbufs per frame)"),
                  std::string::npos)
            << "the plan must show the chained receive:\n" << o.err;
    }
    const json r = read_report(report);
    ASSERT_TRUE(r.is_object());
    expect_run_invariants(r);  // rx == tx + drops, queues sum to ports, no mbuf leaked
    const json* t0 = find_port(r, "t0");
    ASSERT_NE(t0, nullptr);
    EXPECT_EQ(t0->value("rx_packets", 0ull), frames.size());
    EXPECT_EQ(t0->value("rx_bytes", 0ull), bytes);
    EXPECT_EQ((*t0)["hw"].value("ierrors", 1ull), 0u);
    if (mode == "sink") {  // every frame counted on rx and freed: nothing sent, nothing dropped
        EXPECT_EQ(t0->value("tx_packets", 1ull), 0u);
        EXPECT_EQ(t0->value("drops", 1ull), 0u);
        if (fs::exists(out)) {
            EXPECT_TRUE(read_pcap(out).empty());
        }
        return;
    }
    EXPECT_EQ(t0->value("rx_packets", 0ull),
              t0->value("tx_packets", 0ull) + t0->value("drops", 0ull));
    EXPECT_EQ(t0->value("tx_packets", 0ull), frames.size()) << "net_pcap's tx never refuses";
    EXPECT_EQ(t0->value("tx_bytes", 0ull), bytes);
    const std::vector<Frame> got = read_pcap(out);
    ASSERT_EQ(got.size(), frames.size());
    const std::string port_mac = t0->value("mac", "");
    ASSERT_EQ(port_mac.size(), 17u);
    for (size_t i = 0; i < cap.size(); ++i) {
        const Frame want = expected(cap[i].bytes, mode, port_mac);
        EXPECT_EQ(got[i].size(), want.size()) << "frame " << i << ": " << cap[i].kind;
        EXPECT_TRUE(got[i] == want) << "frame " << i << " (" << cap[i].kind << ") differs in "
                                    << mode << " mode";
    }
}

INSTANTIATE_TEST_SUITE_P(
    AllModes, MalformedTest,
    ::testing::Values(std::make_tuple("io", "mtu9000"), std::make_tuple("macswap", "mtu9000"),
                      std::make_tuple("l2", "mtu9000"), std::make_tuple("sink", "mtu9000"),
                      std::make_tuple("io", "default"), std::make_tuple("macswap", "small-mbufs"),
                      std::make_tuple("l2", "small-mbufs")),
    [](const auto& info) {
        std::string n = std::get<0>(info.param) + "_" + std::get<1>(info.param);
        for (char& ch : n)
            if (ch == '-') ch = '_';
        return n;
    });

}  // namespace
}  // namespace vfpt
