// The PF-held MAC watch (control/cp/pf_watch.h) on the host-2socket-sriov fixture tree, whose
// PF 0000:af:00.0 (netdev ens1f0) has four VFs, with a fake rtnetlink source.
#include <gtest/gtest.h>

#include "control/cp/pf_watch.h"
#include "host_fixture.h"

using namespace vfpath;
using control::PfWatch;

namespace {

const auto k_2s = vfpath::testing::fixture_root("host-2socket-sriov");

class FakeSource : public sriov::VfAttrSource {
public:
    std::vector<sriov::VfAttrs> vfs_;
    std::string error;
    int asked = 0;
    Result<std::vector<sriov::VfAttrs>> vfs(std::string_view) override {
        ++asked;
        if (!error.empty()) return fail(error);
        return vfs_;
    }
    void set(uint32_t vf, const config::MacAddr& m) {
        for (auto& v : vfs_)
            if (v.index == vf) v.mac = m;
    }
};

constexpr config::MacAddr k_a{2, 0, 0, 0, 0, 0xa1}, k_b{2, 0, 0, 0, 0, 0xb2},
    k_new{2, 0, 0, 0, 0, 0x20};

FakeSource four_vfs() {
    FakeSource s;
    for (uint32_t i = 0; i < 4; ++i) s.vfs_.push_back({.index = i});
    s.set(2, k_a);
    s.set(3, k_b);
    return s;
}

}  // namespace

TEST(PfWatch, FindsTheVfPortsAndTheirPfNetdev) {
    std::vector<std::string> skipped;
    const auto t = control::pf_watch_targets(
        k_2s, {{0, "0000:af:02.2"}, {1, "af:02.3"}, {2, "0000:af:00.0"}, {3, "0000:99:00.0"}},
        &skipped);
    ASSERT_EQ(t.size(), 2u);
    EXPECT_EQ(t[0].pidx, 0);
    EXPECT_EQ(t[0].pf_netdev, "ens1f0");
    EXPECT_EQ(t[0].vf, 2u);
    EXPECT_EQ(t[1].bdf, "0000:af:02.3");
    EXPECT_EQ(t[1].vf, 3u);
    ASSERT_EQ(skipped.size(), 2u);
    EXPECT_NE(skipped[0].find("0000:af:00.0 is not a VF"), std::string::npos) << skipped[0];
    EXPECT_NE(skipped[1].find("0000:99:00.0"), std::string::npos) << skipped[1];
}

TEST(PfWatch, APfSetMacIsReportedOnceAndOnlyAsAChange) {
    FakeSource src = four_vfs();
    PfWatch w(control::pf_watch_targets(k_2s, {{0, "0000:af:02.2"}, {1, "0000:af:02.3"}}), src);
    std::map<uint16_t, config::MacAddr> used{{0, k_a}, {1, k_b}};
    auto cur = [&](uint16_t p) -> std::optional<config::MacAddr> { return used.at(p); };
    EXPECT_TRUE(w.poll(cur).empty());
    EXPECT_EQ(src.asked, 1);  // one query for both VFs of the PF
    src.set(2, k_new);        // ip link set ens1f0 vf 2 mac 02:00:00:00:00:20
    auto c = w.poll(cur);
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].pidx, 0);
    EXPECT_EQ(c[0].mac, k_new);
    EXPECT_EQ(c[0].pf_netdev, "ens1f0");
    EXPECT_EQ(c[0].vf, 2u);
    // The port has not taken it (a driver that ignores it on re-attach): never acted on twice.
    EXPECT_TRUE(w.poll(cur).empty());
    EXPECT_TRUE(w.poll(cur).empty());
    // Taken, then changed again: a new change.
    used[0] = k_new;
    EXPECT_TRUE(w.poll(cur).empty());
    src.set(2, k_a);
    ASSERT_EQ(w.poll(cur).size(), 1u);
}

TEST(PfWatch, ADifferenceAtStartIsNotedNotActedOn) {
    // A port given its own `mac:` while the PF holds another: left as it is, said once.
    FakeSource src = four_vfs();
    PfWatch w(control::pf_watch_targets(k_2s, {{0, "0000:af:02.2"}}), src);
    auto cur = [&](uint16_t) -> std::optional<config::MacAddr> { return k_b; };
    std::vector<std::string> notes;
    EXPECT_TRUE(w.poll(cur, &notes).empty());
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_NE(notes[0].find("ens1f0 vf 2 holds MAC 02:00:00:00:00:a1, the port uses "
                            "02:00:00:00:00:b2"),
              std::string::npos)
        << notes[0];
    EXPECT_TRUE(w.poll(cur, &notes).empty());
    EXPECT_EQ(notes.size(), 1u);
}

TEST(PfWatch, ZeroMacBusyPortsAndReadErrors) {
    FakeSource src = four_vfs();
    PfWatch w(control::pf_watch_targets(k_2s, {{0, "0000:af:02.0"}, {1, "0000:af:02.2"}}), src);
    bool busy = true;
    auto cur = [&](uint16_t) -> std::optional<config::MacAddr> {
        if (busy) return std::nullopt;
        return k_a;
    };
    // Busy (recovering) ports are skipped: their MAC is in flux.
    src.set(2, k_new);
    EXPECT_TRUE(w.poll(cur).empty());
    busy = false;
    // VF 0's PF MAC is all zeros (the PF leaves it to the VF): never a change. VF 2 was first
    // read now, so its difference is noted, not acted on.
    std::vector<std::string> notes;
    EXPECT_TRUE(w.poll(cur, &notes).empty());
    EXPECT_EQ(notes.size(), 1u);
    src.error = "RTM_GETLINK ens1f0: Operation not permitted";
    notes.clear();
    EXPECT_TRUE(w.poll(cur, &notes).empty());
    EXPECT_TRUE(w.poll(cur, &notes).empty());
    ASSERT_EQ(notes.size(), 2u);  // once per port, not once per poll
    EXPECT_NE(notes[0].find("Operation not permitted"), std::string::npos);
}
