// The forwarder's per-burst transforms (lib/dataplane/dp/pipelines.h) on mbufs laid out in plain
// memory as a PMD leaves them: what each frame's bytes are afterwards, and the burst's byte count.
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <vector>

#include "dataplane/dp/pipelines.h"

using namespace vfpath::dp;

namespace {

constexpr size_t k_room = 256;

// n frames; frame i has length lens[i] and bytes (i * 64 + b) & 0xff in its whole data room, so
// a byte written past the frame's header (or into a short frame) shows.
struct Frames {
    std::vector<rte_mbuf> mbufs;
    std::vector<uint8_t> data;
    std::vector<rte_mbuf*> pkts;
    explicit Frames(const std::vector<uint16_t>& lens)
        : mbufs(lens.size()), data(lens.size() * k_room), pkts(lens.size()) {
        for (size_t i = 0; i < lens.size(); ++i) {
            rte_mbuf& m = mbufs[i];
            std::memset(&m, 0, sizeof m);
            m.buf_addr = data.data() + i * k_room;
            m.data_off = 16;
            m.pkt_len = m.data_len = lens[i];
            pkts[i] = &m;
            for (size_t b = 0; b < k_room; ++b) data[i * k_room + b] = original(i, b);
        }
    }
    static uint8_t original(size_t i, size_t b) { return uint8_t(i * 64 + b); }
    const uint8_t* frame(size_t i) const { return data.data() + i * k_room + 16; }
    uint8_t room_byte(size_t i, size_t b) const { return data[i * k_room + b]; }
};

uint64_t sum(const std::vector<uint16_t>& lens) {
    uint64_t s = 0;
    for (uint16_t l : lens) s += l;
    return s;
}

}  // namespace

// Every rewrite runs with header prefetch (frames a NIC wrote) and without (frames the rx burst
// left in cache); the frames must come out the same.
class PipelinesPrefetch : public testing::TestWithParam<bool> {};
INSTANTIATE_TEST_SUITE_P(Pipelines, PipelinesPrefetch, testing::Bool(),
                         [](const auto& i) { return i.param ? "Prefetch" : "NoPrefetch"; });

TEST_P(PipelinesPrefetch, MacswapSwapsTheAddressesOfEveryFrameAndTouchesNothingElse) {
    // Lengths cover the 16-byte shuffle, the 14/15-byte word swap and frames with no whole header;
    // 9 frames run both the prefetching part of the loop and its tail.
    const std::vector<uint16_t> lens = {60, 14, 15, 16, 13, 0, 1514, 60, 64};
    Frames f(lens);
    EXPECT_EQ(macswap_burst(f.pkts.data(), uint16_t(lens.size()), GetParam()), sum(lens));
    for (size_t i = 0; i < lens.size(); ++i) {
        for (size_t b = 0; b < k_room; ++b) {
            uint8_t want = Frames::original(i, b);
            const bool header = lens[i] >= 14 && b >= 16 && b < 16 + 12;
            if (header) want = Frames::original(i, b < 22 ? b + 6 : b - 6);
            ASSERT_EQ(f.room_byte(i, b), want) << "frame " << i << " (" << lens[i] << " B) byte " << b;
        }
    }
}

TEST_P(PipelinesPrefetch, MacswapTwiceGivesTheFrameBack) {
    for (uint16_t n : {1, 3, 4, 5, 32}) {
        std::vector<uint16_t> lens(n, 60);
        Frames f(lens), g(lens);
        macswap_burst(f.pkts.data(), n, GetParam());
        macswap_burst(f.pkts.data(), n, GetParam());
        EXPECT_EQ(f.data, g.data) << n << " frames";
    }
}

TEST_P(PipelinesPrefetch, MacswapReachesEveryFrameOfEveryBurstSize) {
    // The loop runs in steps of 4 frames after the prefetch part: each size from 0 to 13 and
    // around 32 ends in a different place.
    for (uint16_t n : {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 31, 32, 33}) {
        std::vector<uint16_t> lens(n);
        for (uint16_t i = 0; i < n; ++i) lens[i] = uint16_t(60 + i);
        Frames f(lens);
        EXPECT_EQ(macswap_burst(f.pkts.data(), n, GetParam()), sum(lens)) << n << " frames";
        for (uint16_t i = 0; i < n; ++i) {
            EXPECT_EQ(f.frame(i)[0], Frames::original(i, 16 + 6)) << "frame " << i << " of " << n;
            EXPECT_EQ(f.frame(i)[6], Frames::original(i, 16)) << "frame " << i << " of " << n;
        }
    }
}

TEST_P(PipelinesPrefetch, L2WritesNextHopAndOwnAddressOnly) {
    const rte_ether_addr own{{0x02, 0, 0, 0, 0, 0x01}}, hop{{0x02, 0, 0, 0, 0, 0x99}};
    const L2Header h = make_l2_header(own, hop);
    const std::vector<uint16_t> lens = {60, 14, 13, 64, 60, 1514};
    Frames f(lens);
    EXPECT_EQ(l2_burst(f.pkts.data(), uint16_t(lens.size()), h, GetParam()), sum(lens));
    for (size_t i = 0; i < lens.size(); ++i) {
        const uint8_t* fr = f.frame(i);
        if (lens[i] < 14) {
            EXPECT_EQ(fr[0], Frames::original(i, 16)) << "short frame " << i << " was written";
            continue;
        }
        EXPECT_EQ(std::memcmp(fr, hop.addr_bytes, 6), 0) << i;
        EXPECT_EQ(std::memcmp(fr + 6, own.addr_bytes, 6), 0) << i;
        EXPECT_EQ(fr[12], Frames::original(i, 28)) << i;
    }
}

TEST(Pipelines, BurstBytesIsTheSumOfFrameLengths) {
    const std::vector<uint16_t> lens = {60, 0, 9000, 1514, 64};
    Frames f(lens);
    EXPECT_EQ(burst_bytes(f.pkts.data(), uint16_t(lens.size())), sum(lens));
    EXPECT_EQ(burst_bytes(f.pkts.data(), 0), 0u);
}

TEST(Pipelines, BurstBytesCountsEveryFrameOfEveryBurstSize) {
    // Steps of 4 frames, then the rest one by one: every size from 0 to 13 and around 32.
    for (uint16_t n : {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 31, 32, 33}) {
        std::vector<uint16_t> lens(n);
        for (uint16_t i = 0; i < n; ++i) lens[i] = uint16_t(64 + 100 * i);
        Frames f(lens);
        EXPECT_EQ(burst_bytes(f.pkts.data(), n), sum(lens)) << n << " frames";
    }
}

TEST(Pipelines, BurstBytesDoesNotWrapAt4GiB) {
    // Chained frames can have pkt_len far above data_len; five of 3 GB sum past 2^32.
    Frames f(std::vector<uint16_t>(5, 60));
    for (rte_mbuf* m : f.pkts) m->pkt_len = 3'000'000'000u;
    EXPECT_EQ(burst_bytes(f.pkts.data(), 5), 15'000'000'000u);
}
