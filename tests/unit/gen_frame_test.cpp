// The generator's frames (measure/dp/frame.h), its probe share (ProbeShare) and the analyzer's
// per-frame verdicts (measure/dp/analyzer.h). Pure byte-buffer code: no EAL.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <set>
#include <vector>

#include "measure/cp/histogram_stats.h"
#include "measure/dp/analyzer.h"
#include "measure/dp/frame.h"

using namespace vfpath::measure;

namespace {

uint16_t be16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
uint32_t be32(const uint8_t* p) { return uint32_t(be16(p)) << 16 | be16(p + 2); }

// RFC 1071 over the IPv4 header: a correct header sums (checksum included) to 0xffff.
uint16_t ip_header_sum(const uint8_t* ip) {
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2) sum += be16(ip + i);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return uint16_t(sum);
}

FrameSpec spec(uint32_t size, bool probe, uint32_t stream = 7) {
    FrameSpec s{};
    const uint8_t dst[6] = {0x02, 0, 0, 0, 0, 1}, src[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
    std::memcpy(s.dst_mac, dst, 6);
    std::memcpy(s.src_mac, src, 6);
    s.frame_size = size;
    s.probe = probe;
    s.stream_id = stream;
    return s;
}

// A frame as the generator sends it: a zeroed buffer (the zero-filled pool), the head, the flow.
// build_frame may write up to k_frame_head bytes whatever the frame's length (a data room is
// always larger), so the buffer has that room and the frame is its first pkt_len bytes.
std::vector<uint8_t> frame(const FrameTemplate& t, uint32_t flow) {
    std::vector<uint8_t> f(std::max<size_t>(t.pkt_len, k_frame_head), 0);
    build_frame(f.data(), t, flow);
    f.resize(t.pkt_len);
    return f;
}

TEST(GenFrame, BuildWritesAtMostTheHeadAndLeavesTheRestOfTheRoom) {
    for (uint32_t size : {64u, 70u, 78u, 128u, 1518u}) {
        for (bool probe : {false, true}) {
            const FrameTemplate t = make_template(spec(size, probe));
            std::vector<uint8_t> room(256, 0xAB);
            build_frame(room.data(), t, 7);
            // Every byte of the head is the template's (or the flow's); nothing past 74 is touched.
            EXPECT_EQ(std::memcmp(room.data(), frame(t, 7).data(), t.head_len), 0) << size;
            for (size_t i = k_frame_head; i < room.size(); ++i)
                ASSERT_EQ(room[i], 0xAB) << size << " byte " << i;
        }
    }
}

TEST(GenFrame, UdpProbeFrameIsWellFormedIPv4) {
    const FrameTemplate t = make_template(spec(1518, true));
    EXPECT_EQ(t.pkt_len, 1514);
    EXPECT_EQ(t.probe_off, k_probe_off_udp);
    auto f = frame(t, 3);
    stamp_probe(f.data() + t.probe_off, 41, 123456789);
    EXPECT_EQ(be16(f.data() + 12), 0x0800);
    const uint8_t* ip = f.data() + 14;
    EXPECT_EQ(ip[0], 0x45);
    EXPECT_EQ(be16(ip + 2), 1500);       // IPv4 total length = frame - 14 - 4
    EXPECT_EQ(be16(ip + 6), 0x4000);     // DF, not a fragment
    EXPECT_EQ(ip[9], 17);
    EXPECT_EQ(ip_header_sum(ip), 0xffff);
    EXPECT_EQ(be32(ip + 12), 0xC6120000u + 3);  // 198.18.0.3
    EXPECT_EQ(be32(ip + 16), 0xC6130000u + 3);  // 198.19.0.3
    const uint8_t* udp = ip + 20;
    EXPECT_EQ(be16(udp), 1027);
    EXPECT_EQ(be16(udp + 2), 1027);
    EXPECT_EQ(be16(udp + 4), 1480);
    EXPECT_EQ(be16(udp + 6), 0);  // no checksum
    ProbeFields p;
    ASSERT_TRUE(parse_probe(f.data(), f.size(), p));
    EXPECT_EQ(p.stream_id, 7u);
    EXPECT_EQ(p.seq, 41u);
    EXPECT_EQ(p.tx_tsc, 123456789u);
    // Past the probe: zeros only.
    for (size_t i = k_frame_head; i < f.size(); ++i) ASSERT_EQ(f[i], 0) << i;
}

TEST(GenFrame, ShortProbeFrameCarriesTheProbeRightAfterEthernet) {
    for (uint32_t size : {64u, 70u, 77u}) {
        const FrameTemplate t = make_template(spec(size, true));
        EXPECT_EQ(t.probe_off, k_probe_off_l2) << size;
        EXPECT_FALSE(t.flow_per_frame);
        auto f = frame(t, 5);
        ASSERT_EQ(f.size(), size - 4);
        stamp_probe(f.data() + t.probe_off, 9, 77);
        EXPECT_EQ(be16(f.data() + 12), k_probe_ethertype);
        ProbeFields p;
        ASSERT_TRUE(parse_probe(f.data(), f.size(), p)) << size;
        EXPECT_EQ(p.seq, 9u);
    }
    // From 78 bytes on, the probe fits behind IPv4 + UDP.
    EXPECT_EQ(make_template(spec(78, true)).probe_off, k_probe_off_udp);
}

TEST(GenFrame, FrameWithoutProbeHasNoneEvenInABufferThatHeldOne) {
    const FrameTemplate with = make_template(spec(128, true));
    const FrameTemplate without = make_template(spec(128, false));
    std::vector<uint8_t> buf(124, 0);
    build_frame(buf.data(), with, 0);
    stamp_probe(buf.data() + with.probe_off, 1, 1);
    build_frame(buf.data(), without, 0);  // reused for a frame without a probe
    ProbeFields p;
    EXPECT_FALSE(parse_probe(buf.data(), buf.size(), p));
    EXPECT_EQ(ip_header_sum(buf.data() + 14), 0xffff);
}

TEST(GenFrame, EveryFlowHasItsOwnTupleAndAValidChecksum) {
    for (uint32_t size : {64u, 594u, 1518u}) {
        const FrameTemplate t = make_template(spec(size, false));
        std::set<uint32_t> srcs;
        for (uint32_t flow = 0; flow < 65535; ++flow) {
            std::vector<uint8_t> f(k_frame_head, 0);
            build_frame(f.data(), t, flow);
            ASSERT_EQ(ip_header_sum(f.data() + 14), 0xffff) << size << " flow " << flow;
            srcs.insert(be32(f.data() + 26));
            ASSERT_EQ(be32(f.data() + 30), 0xC6130000u + flow);
        }
        EXPECT_EQ(srcs.size(), 65535u);
    }
    // Ports wrap inside 1024..65535.
    EXPECT_EQ(flow_port(0), 1024);
    EXPECT_EQ(flow_port(64511), 65535);
    EXPECT_EQ(flow_port(64512), 1024);
}

// One flow: fix_flow puts it into the template, and every frame built from it is that flow's
// frame, byte for byte, whatever flow index the builder is handed. An L2 probe frame has no flow.
TEST(GenFrame, AFixedFlowIsInTheTemplate) {
    for (uint32_t size : {64u, 128u, 1518u}) {
        for (bool probe : {false, true}) {
            for (uint32_t flow : {0u, 5u, 64600u}) {
                FrameTemplate fixed = make_template(spec(size, probe));
                const FrameTemplate per_frame = fixed;
                fix_flow(fixed, flow);
                EXPECT_FALSE(fixed.flow_per_frame);
                EXPECT_EQ(frame(fixed, 12345), frame(per_frame, flow)) << size << " " << flow;
                if (per_frame.flow_per_frame) {  // an IPv4 frame, not an L2 probe
                    EXPECT_EQ(ip_header_sum(frame(fixed, 0).data() + 14), 0xffff);
                }
            }
        }
    }
    FrameTemplate l2 = make_template(spec(64, true));  // below the UDP probe's minimum: L2
    ASSERT_FALSE(l2.flow_per_frame);
    const FrameTemplate before = l2;
    fix_flow(l2, 3);
    EXPECT_EQ(std::memcmp(l2.head, before.head, k_frame_head), 0);
}

TEST(GenProbeShare, ExactlyFloorOfNTimesShareAreProbes) {
    for (uint64_t num : {0ull, 1ull, 100'000ull, 333'333ull, 500'000ull, 999'999ull, 1'000'000ull}) {
        ProbeShare s{num, 1'000'000, 0};
        uint64_t probes = 0;
        for (uint64_t k = 1; k <= 100'000; ++k) {
            probes += s.next();
            ASSERT_EQ(probes, k * num / 1'000'000) << "num " << num << " k " << k;
        }
        EXPECT_EQ(s.probes_before(100'000), probes);
    }
}

TEST(GenProbeShare, RewindGivesTheSameSequenceAsNeverHavingGoneAhead) {
    ProbeShare a{250'000, 1'000'000, 0}, b = a;
    std::vector<bool> ref;
    for (int k = 0; k < 1000; ++k) ref.push_back(a.next());
    for (int k = 0; k < 700; ++k) b.next();
    b.rewind(300);  // 400 frames built but not sent
    for (int k = 300; k < 1000; ++k) ASSERT_EQ(b.next(), ref[k]) << k;
}

// --- analyzer ----------------------------------------------------------------------------------

struct Analyzer {
    std::unique_ptr<StreamRx[]> streams = std::make_unique<StreamRx[]>(2);
    RejectCounters rejects;
    AnalyzerCtx ctx{streams.get(), 2, 1000, TscToNs::from_hz(1'000'000'000), &rejects};
    FrameTemplate t = make_template(spec(128, true, 1));

    Verdict feed(uint64_t seq, uint64_t tx_tsc, uint64_t rx_tsc, uint32_t stream = 1) {
        FrameTemplate s = make_template(spec(128, true, stream));
        auto f = frame(s, 0);
        stamp_probe(f.data() + s.probe_off, seq, tx_tsc);
        return analyze_frame(ctx, f.data(), f.size(), rx_tsc);
    }
};

TEST(GenAnalyzer, ProbesAreTrackedAndTimed) {
    Analyzer a;
    EXPECT_EQ(a.feed(0, 2000, 2500), Verdict::probe);
    EXPECT_EQ(a.feed(1, 3000, 3100), Verdict::probe);
    EXPECT_EQ(a.feed(3, 4000, 4900), Verdict::probe);  // 2 is missing
    EXPECT_EQ(a.feed(2, 3500, 5000), Verdict::probe);  // late
    EXPECT_EQ(a.feed(2, 3500, 5100), Verdict::duplicate);
    const auto& c = a.streams[1].seq.counters();
    EXPECT_EQ(c.received.get(), 4u);
    EXPECT_EQ(c.lost.get(), 0u);
    EXPECT_EQ(c.reordered.get(), 1u);
    EXPECT_EQ(c.duplicates.get(), 1u);
    const HistogramData h = snapshot(a.streams[1].latency);
    EXPECT_EQ(h.count, 4u);  // the duplicate is not timed
    EXPECT_EQ(h.min, 100u);  // 1 GHz: cycles are ns
    EXPECT_EQ(h.max, 1500u);
    EXPECT_EQ(a.streams[0].seq.counters().received.get(), 0u);
}

TEST(GenAnalyzer, ForeignAndAbsurdFramesAreSetAsideNotTimed) {
    Analyzer a;
    EXPECT_EQ(a.feed(0, 5000, 4000), Verdict::future);   // sent after it was received
    EXPECT_EQ(a.feed(0, 999, 4000), Verdict::stale);     // before the phase began at 1000
    EXPECT_EQ(a.feed(0, 2000, 4000, 2), Verdict::unknown);  // stream 2 of 2 does not exist
    const FrameTemplate plain = make_template(spec(128, false));
    auto f = frame(plain, 0);
    EXPECT_EQ(analyze_frame(a.ctx, f.data(), f.size(), 4000), Verdict::non_probe);
    // A damaged magic: not recognisable as a probe any more.
    auto g = frame(a.t, 0);
    stamp_probe(g.data() + a.t.probe_off, 0, 2000);
    g[a.t.probe_off] ^= 0xff;
    EXPECT_EQ(analyze_frame(a.ctx, g.data(), g.size(), 4000), Verdict::non_probe);
    EXPECT_EQ(a.rejects.future.get(), 1u);
    EXPECT_EQ(a.rejects.stale.get(), 1u);
    EXPECT_EQ(a.rejects.unknown.get(), 1u);
    EXPECT_EQ(a.rejects.non_probe.get(), 2u);
    for (int s = 0; s < 2; ++s) {
        EXPECT_EQ(a.streams[s].seq.counters().received.get(), 0u);
        EXPECT_EQ(a.streams[s].latency.count(), 0u);
    }
}

}  // namespace
