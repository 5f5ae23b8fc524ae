// VF mailbox policy (drivers-glue/mailbox.cpp): ixgbe mailbox words and i40e virtchnl messages
// built here byte by byte, decoded, judged for trusted and untrusted VFs, and answered through
// the parameter's retval. Short and garbage messages sit in buffers of exactly their length, so
// a read past the end shows under ASan. No EAL: only DPDK's headers are used.
#include <gtest/gtest.h>

#include <rte_pmd_i40e.h>
#include <rte_pmd_ixgbe.h>

#include <array>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "config/api.h"
#include "drivers-glue/mailbox.h"

namespace vfpath::glue {
namespace {

using config::MacAddr;
using Kind = MailboxRequest::Kind;

constexpr MacAddr k_mac = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
constexpr MacAddr k_other_mac = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
constexpr MacAddr k_mcast = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};

// A retval the PMD never uses, to see whether handle_vf_mbox wrote one.
constexpr uint16_t k_untouched = 0xbeef;

VfMailboxPolicy untrusted() {
    return VfMailboxPolicy{};
}
VfMailboxPolicy trusted() {
    VfMailboxPolicy p;
    p.trusted = true;
    return p;
}
PolicyTable table_of(const VfMailboxPolicy& p) {
    PolicyTable t;
    t.all = p;
    return t;
}

// ---- ixgbe: the 16-word mailbox (ixgbe_mbx.h) ----------------------------------------------

using IxgbeWords = std::array<uint32_t, 16>;

IxgbeWords ixgbe_msg(uint16_t op, uint32_t info = 0, uint32_t word1 = 0) {
    IxgbeWords w{};
    w[0] = op | (info << 16);
    w[1] = word1;
    return w;
}

IxgbeWords ixgbe_mac_msg(uint16_t op, const MacAddr& mac, uint32_t info = 0) {
    IxgbeWords w = ixgbe_msg(op, info);
    std::memcpy(&w[1], mac.data(), mac.size());  // the PF reads the MAC as bytes of msgbuf[1..]
    return w;
}

struct IxgbeCall {
    IxgbeWords words;
    rte_pmd_ixgbe_mb_event_param param;

    explicit IxgbeCall(const IxgbeWords& w, uint16_t vf = 3)
        : words(w), param{vf, static_cast<uint16_t>(w[0] & 0xffff), k_untouched, words.data()} {}
    IxgbeCall(const IxgbeCall&) = delete;

    MailboxRequest decode() const { return decode_ixgbe(param); }
    // The retval handle_vf_mbox writes for a VF under `p`.
    uint16_t answer(const VfMailboxPolicy& p) {
        param.retval = k_untouched;
        const auto v = handle_vf_mbox(DriverKind::ixgbe, &param, table_of(p));
        EXPECT_TRUE(v.has_value());
        return param.retval;
    }
};

constexpr uint16_t k_ixgbe_proceed = RTE_PMD_IXGBE_MB_EVENT_PROCEED;
constexpr uint16_t k_ixgbe_nack = RTE_PMD_IXGBE_MB_EVENT_NOOP_NACK;

TEST(MailboxIxgbe, SetMacAddrDecodesTheAddress) {
    IxgbeCall c(ixgbe_mac_msg(0x02, k_mac));
    const MailboxRequest r = c.decode();
    EXPECT_EQ(r.vf, 3);
    EXPECT_EQ(r.kind, Kind::set_mac);
    EXPECT_EQ(r.op_name, "IXGBE_VF_SET_MAC_ADDR");
    EXPECT_FALSE(r.malformed);
    EXPECT_EQ(r.mac(), k_mac);
}

TEST(MailboxIxgbe, SetMacRefusedForUntrustedProceedsForTrusted) {
    IxgbeCall c(ixgbe_mac_msg(0x02, k_mac));
    EXPECT_EQ(c.answer(untrusted()), k_ixgbe_nack);
    EXPECT_EQ(c.answer(trusted()), k_ixgbe_proceed);
    VfMailboxPolicy may_change;
    may_change.allow_mac_change = true;
    EXPECT_EQ(c.answer(may_change), k_ixgbe_proceed);
}

TEST(MailboxIxgbe, SetMacToTheAssignedAddressIsAccepted) {
    VfMailboxPolicy p;
    p.mac = k_mac;
    IxgbeCall same(ixgbe_mac_msg(0x02, k_mac));
    EXPECT_EQ(same.answer(p), k_ixgbe_proceed);
    IxgbeCall other(ixgbe_mac_msg(0x02, k_other_mac));
    EXPECT_EQ(other.answer(p), k_ixgbe_nack);
}

TEST(MailboxIxgbe, SetVlanDecodesIdAndAddFlag) {
    IxgbeCall add(ixgbe_msg(0x04, 1, 100));
    MailboxRequest r = add.decode();
    EXPECT_EQ(r.kind, Kind::set_vlan);
    EXPECT_EQ(r.op_name, "IXGBE_VF_SET_VLAN");
    EXPECT_TRUE(r.add);
    EXPECT_EQ(r.vlan, 100);
    // Only the 12 id bits count (IXGBE_VLVF_VLANID_MASK).
    IxgbeCall masked(ixgbe_msg(0x04, 0, 0xf000 | 42));
    r = masked.decode();
    EXPECT_FALSE(r.add);
    EXPECT_EQ(r.vlan, 42);
}

TEST(MailboxIxgbe, VlanAddNeedsAllowVlanRemoveAndVlan0DoNot) {
    IxgbeCall add(ixgbe_msg(0x04, 1, 100));
    EXPECT_EQ(add.answer(untrusted()), k_ixgbe_nack);
    EXPECT_EQ(add.answer(trusted()), k_ixgbe_proceed);
    VfMailboxPolicy vlan_ok;
    vlan_ok.allow_vlan = true;
    EXPECT_EQ(add.answer(vlan_ok), k_ixgbe_proceed);
    IxgbeCall remove(ixgbe_msg(0x04, 0, 100));
    EXPECT_EQ(remove.answer(untrusted()), k_ixgbe_proceed);
    IxgbeCall vlan0(ixgbe_msg(0x04, 1, 0));
    EXPECT_EQ(vlan0.answer(untrusted()), k_ixgbe_proceed);
}

TEST(MailboxIxgbe, MulticastCountAndPolicy) {
    IxgbeCall c(ixgbe_msg(0x03, 5, 0x12345678));
    const MailboxRequest r = c.decode();
    EXPECT_EQ(r.kind, Kind::add_multicast);
    EXPECT_EQ(r.count, 5);
    EXPECT_TRUE(r.macs.empty());                        // hashes, not addresses
    EXPECT_EQ(c.answer(untrusted()), k_ixgbe_proceed);  // allow_multicast defaults to true
    VfMailboxPolicy no_mc;
    no_mc.allow_multicast = false;
    EXPECT_EQ(c.answer(no_mc), k_ixgbe_nack);
    IxgbeCall clear(ixgbe_msg(0x03, 0));
    EXPECT_EQ(clear.answer(no_mc), k_ixgbe_proceed);  // an empty list only clears
}

TEST(MailboxIxgbe, SetLpeDecodesFrameAndMtu) {
    IxgbeCall c(ixgbe_msg(0x05, 0, 9018));
    const MailboxRequest r = c.decode();
    EXPECT_EQ(r.kind, Kind::set_mtu);
    EXPECT_EQ(r.op_name, "IXGBE_VF_SET_LPE");
    EXPECT_EQ(r.max_frame, 9018u);
    EXPECT_EQ(r.mtu, 9000);
}

TEST(MailboxIxgbe, JumboNeedsAllowMtuChangeStandardFramesDoNot) {
    IxgbeCall jumbo(ixgbe_msg(0x05, 0, 9018));
    EXPECT_EQ(jumbo.answer(untrusted()), k_ixgbe_nack);
    EXPECT_EQ(jumbo.answer(trusted()), k_ixgbe_proceed);
    VfMailboxPolicy mtu_ok;
    mtu_ok.allow_mtu_change = true;
    EXPECT_EQ(jumbo.answer(mtu_ok), k_ixgbe_proceed);
    // What ixgbevf asks on every start (MTU 1500) and the upper bound of ordinary frames.
    IxgbeCall standard(ixgbe_msg(0x05, 0, 1518));
    EXPECT_EQ(standard.answer(untrusted()), k_ixgbe_proceed);
    IxgbeCall bound(ixgbe_msg(0x05, 0, k_standard_max_frame));
    EXPECT_EQ(bound.answer(untrusted()), k_ixgbe_proceed);
    IxgbeCall above(ixgbe_msg(0x05, 0, k_standard_max_frame + 1));
    EXPECT_EQ(above.answer(untrusted()), k_ixgbe_nack);
}

TEST(MailboxIxgbe, XcastModesMapToPromiscFlags) {
    struct Case {
        uint32_t mode;
        bool unicast, multicast;
        uint16_t untrusted_answer;
    };
    const Case cases[] = {
        {0, false, false, k_ixgbe_proceed},  // NONE
        {1, false, false, k_ixgbe_proceed},  // MULTI: the VF's own list
        {2, false, true, k_ixgbe_proceed},   // ALLMULTI: allow_multicast (default true)
        {3, true, true, k_ixgbe_nack},       // PROMISC: needs allow_promisc
    };
    for (const Case& k : cases) {
        SCOPED_TRACE(k.mode);
        IxgbeCall c(ixgbe_msg(0x0c, 0, k.mode));
        const MailboxRequest r = c.decode();
        EXPECT_EQ(r.kind, Kind::set_promisc);
        EXPECT_EQ(r.op_name, "IXGBE_VF_UPDATE_XCAST_MODE");
        EXPECT_EQ(r.unicast_promisc, k.unicast);
        EXPECT_EQ(r.multicast_promisc, k.multicast);
        EXPECT_EQ(c.answer(untrusted()), k.untrusted_answer);
        EXPECT_EQ(c.answer(trusted()), k_ixgbe_proceed);
    }
    VfMailboxPolicy promisc_ok;
    promisc_ok.allow_promisc = true;
    IxgbeCall promisc(ixgbe_msg(0x0c, 0, 3));
    EXPECT_EQ(promisc.answer(promisc_ok), k_ixgbe_proceed);
    promisc_ok.allow_multicast = false;  // promisc includes all-multicast
    EXPECT_EQ(promisc.answer(promisc_ok), k_ixgbe_nack);
}

TEST(MailboxIxgbe, MacVlanAddsOrClears) {
    IxgbeCall add(ixgbe_mac_msg(0x06, k_other_mac, 1));
    MailboxRequest r = add.decode();
    EXPECT_EQ(r.kind, Kind::add_mac);
    EXPECT_TRUE(r.add);
    EXPECT_EQ(r.mac(), k_other_mac);
    EXPECT_EQ(add.answer(untrusted()), k_ixgbe_nack);
    EXPECT_EQ(add.answer(trusted()), k_ixgbe_proceed);
    IxgbeCall clear(ixgbe_msg(0x06, 0));
    r = clear.decode();
    EXPECT_EQ(r.kind, Kind::add_mac);
    EXPECT_FALSE(r.add);
    EXPECT_EQ(clear.answer(untrusted()), k_ixgbe_proceed);
}

TEST(MailboxIxgbe, ResetAlwaysProceedsAndShowsTheReplyMac) {
    // The PF has replied before the callback: header RESET|ACK, the VF's MAC in msgbuf[1..].
    IxgbeWords w = ixgbe_mac_msg(0x01, k_mac);
    w[0] |= 0x80000000u;
    IxgbeCall c(w);
    c.param.msg_type = 0x01;
    const MailboxRequest r = c.decode();
    EXPECT_EQ(r.kind, Kind::reset);
    EXPECT_EQ(r.op_name, "IXGBE_VF_RESET");
    EXPECT_EQ(r.mac(), k_mac);
    EXPECT_EQ(c.answer(untrusted()), k_ixgbe_proceed);
    EXPECT_EQ(c.answer(trusted()), k_ixgbe_proceed);
}

TEST(MailboxIxgbe, OtherOpsProceed) {
    for (uint16_t op : {0x08, 0x09, 0x0a, 0x0b, 0x42}) {
        IxgbeCall c(ixgbe_msg(op, 0, 0xffffffff));
        const MailboxRequest r = c.decode();
        EXPECT_EQ(r.kind, Kind::other) << op;
        EXPECT_FALSE(r.malformed);
        EXPECT_EQ(c.answer(untrusted()), k_ixgbe_proceed);
    }
    IxgbeCall unknown(ixgbe_msg(0x42));
    EXPECT_EQ(unknown.decode().op_name, "ixgbe op 0x42");
}

TEST(MailboxIxgbe, GarbageIsMalformedAndRefusedUnlessTrusted) {
    IxgbeCall bad_mode(ixgbe_msg(0x0c, 0, 9));
    MailboxRequest r = bad_mode.decode();
    EXPECT_TRUE(r.malformed);
    EXPECT_EQ(r.kind, Kind::other);
    EXPECT_NE(r.problem.find("xcast mode 9"), std::string::npos);
    EXPECT_EQ(bad_mode.answer(untrusted()), k_ixgbe_nack);
    EXPECT_EQ(bad_mode.answer(trusted()), k_ixgbe_proceed);
    IxgbeCall too_many(ixgbe_msg(0x03, 31));  // IXGBE_MAX_VF_MC_ENTRIES is 30
    EXPECT_TRUE(too_many.decode().malformed);
    rte_pmd_ixgbe_mb_event_param null_msg{1, 0x02, k_untouched, nullptr};
    r = decode_ixgbe(null_msg);
    EXPECT_TRUE(r.malformed);
    EXPECT_EQ(r.kind, Kind::other);
    ASSERT_TRUE(handle_vf_mbox(DriverKind::ixgbe, &null_msg, table_of(untrusted())));
    EXPECT_EQ(null_msg.retval, k_ixgbe_nack);
}

TEST(MailboxIxgbe, RandomMailboxesNeverCrash) {
    std::mt19937 rng(4);
    for (int i = 0; i < 20000; ++i) {
        IxgbeWords w;
        for (uint32_t& x : w) x = rng();
        if (i % 2) w[0] = (w[0] & 0xffff0000u) | (rng() % 16);  // mostly known ops
        IxgbeCall c(w);
        const MailboxRequest r = c.decode();
        ASSERT_TRUE(!r.malformed || r.kind == Kind::other);
        ASSERT_FALSE(r.op_name.empty());
        const uint16_t rv = c.answer(untrusted());
        ASSERT_TRUE(rv == k_ixgbe_proceed || rv == k_ixgbe_nack);
        ASSERT_FALSE(describe(r).empty());
    }
}

// ---- i40e: virtchnl messages (virtchnl.h) ---------------------------------------------------

// Little-endian message writer.
struct Msg {
    std::vector<uint8_t> b;
    Msg& u8(uint8_t v) {
        b.push_back(v);
        return *this;
    }
    Msg& u16(uint16_t v) { return u8(v & 0xff).u8(v >> 8); }
    Msg& u32(uint32_t v) { return u16(v & 0xffff).u16(v >> 16); }
    Msg& u64(uint64_t v) { return u32(static_cast<uint32_t>(v)).u32(v >> 32); }
    Msg& mac(const MacAddr& m) {
        b.insert(b.end(), m.begin(), m.end());
        return *this;
    }
};

// struct virtchnl_ether_addr_list
Msg eth_addr_list(std::vector<MacAddr> macs) {
    Msg m;
    m.u16(7).u16(static_cast<uint16_t>(macs.size()));
    for (const MacAddr& a : macs) m.mac(a).u8(0).u8(0);  // type LEGACY, pad
    return m;
}

// struct virtchnl_vlan_filter_list
Msg vlan_list(std::vector<uint16_t> ids) {
    Msg m;
    m.u16(7).u16(static_cast<uint16_t>(ids.size()));
    for (uint16_t id : ids) m.u16(id);
    return m;
}

// struct virtchnl_promisc_info
Msg promisc(uint16_t flags) {
    return Msg().u16(7).u16(flags);
}

// struct virtchnl_vsi_queue_config_info with one queue pair per max_pkt_size.
Msg vsi_queues(std::vector<uint32_t> max_pkt_sizes) {
    Msg m;
    m.u16(7).u16(static_cast<uint16_t>(max_pkt_sizes.size())).u32(0);
    uint16_t q = 0;
    for (uint32_t max_pkt : max_pkt_sizes) {
        m.u16(7).u16(q).u16(512).u16(0).u64(0x1000).u64(0);             // virtchnl_txq_info
        m.u16(7).u16(q).u32(512).u16(0).u16(0).u32(2048).u32(max_pkt);  // virtchnl_rxq_info..
        m.u8(0).u8(0).u8(0).u8(0).u64(0x2000).u32(0).u32(0);
        ++q;
    }
    return m;
}

// The message in a heap buffer of exactly its length (ASan sees any byte read past it).
struct I40eCall {
    std::unique_ptr<uint8_t[]> data;
    rte_pmd_i40e_mb_event_param param;

    I40eCall(uint16_t op, const std::vector<uint8_t>& bytes, size_t len, uint16_t vf = 5)
        : data(len ? new uint8_t[len] : nullptr),
          param{vf, op, k_untouched, data.get(), static_cast<uint16_t>(len)} {
        if (len) std::memcpy(data.get(), bytes.data(), len);
    }
    I40eCall(uint16_t op, const Msg& m, uint16_t vf = 5) : I40eCall(op, m.b, m.b.size(), vf) {}
    I40eCall(const I40eCall&) = delete;

    MailboxRequest decode() const { return decode_i40e(param); }
    uint16_t answer(const VfMailboxPolicy& p) {
        param.retval = k_untouched;
        const auto v = handle_vf_mbox(DriverKind::i40e, &param, table_of(p));
        EXPECT_TRUE(v.has_value());
        return param.retval;
    }
};

constexpr uint16_t k_i40e_proceed = RTE_PMD_I40E_MB_EVENT_PROCEED;
constexpr uint16_t k_i40e_nack = RTE_PMD_I40E_MB_EVENT_NOOP_NACK;
constexpr uint16_t k_op_reset_vf = 2, k_op_config_vsi_queues = 6, k_op_add_eth_addr = 10,
                   k_op_del_eth_addr = 11, k_op_add_vlan = 12, k_op_del_vlan = 13,
                   k_op_promisc = 14, k_op_get_stats = 15;

TEST(MailboxI40e, AddEthAddrDecodesEveryAddress) {
    I40eCall c(k_op_add_eth_addr, eth_addr_list({k_mcast, k_mac}));
    const MailboxRequest r = c.decode();
    EXPECT_EQ(r.vf, 5);
    EXPECT_EQ(r.kind, Kind::add_mac);  // one unicast address makes it a MAC request
    EXPECT_EQ(r.op_name, "VIRTCHNL_OP_ADD_ETH_ADDR");
    EXPECT_TRUE(r.add);
    EXPECT_EQ(r.count, 2);
    EXPECT_EQ(r.macs, (std::vector<MacAddr>{k_mcast, k_mac}));
}

TEST(MailboxI40e, AddEthAddrUnicastNeedsAllowMacChange) {
    I40eCall c(k_op_add_eth_addr, eth_addr_list({k_other_mac}));
    EXPECT_EQ(c.answer(untrusted()), k_i40e_nack);
    EXPECT_EQ(c.answer(trusted()), k_i40e_proceed);
    VfMailboxPolicy may_change;
    may_change.allow_mac_change = true;
    EXPECT_EQ(c.answer(may_change), k_i40e_proceed);
    // The VF's own assigned address, as iavf adds it on every start.
    VfMailboxPolicy assigned;
    assigned.mac = k_other_mac;
    EXPECT_EQ(c.answer(assigned), k_i40e_proceed);
    I40eCall mixed(k_op_add_eth_addr, eth_addr_list({k_other_mac, k_mac}));
    EXPECT_EQ(mixed.answer(assigned), k_i40e_nack);
}

TEST(MailboxI40e, MulticastOnlyListIsAMulticastRequest) {
    const MacAddr broadcast = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    I40eCall c(k_op_add_eth_addr, eth_addr_list({k_mcast, broadcast}));
    EXPECT_EQ(c.decode().kind, Kind::add_multicast);
    EXPECT_EQ(c.answer(untrusted()), k_i40e_proceed);
    VfMailboxPolicy no_mc;
    no_mc.allow_multicast = false;
    EXPECT_EQ(c.answer(no_mc), k_i40e_nack);
}

TEST(MailboxI40e, DeletingAddressesAndVlansIsAlwaysAllowed) {
    I40eCall del_mac(k_op_del_eth_addr, eth_addr_list({k_other_mac}));
    const MailboxRequest r = del_mac.decode();
    EXPECT_EQ(r.kind, Kind::add_mac);
    EXPECT_FALSE(r.add);
    EXPECT_EQ(del_mac.answer(untrusted()), k_i40e_proceed);
    I40eCall del_vlan(k_op_del_vlan, vlan_list({100}));
    EXPECT_EQ(del_vlan.decode().kind, Kind::set_vlan);
    EXPECT_FALSE(del_vlan.decode().add);
    EXPECT_EQ(del_vlan.answer(untrusted()), k_i40e_proceed);
}

TEST(MailboxI40e, AddVlanDecodesTheListAndNeedsAllowVlan) {
    I40eCall c(k_op_add_vlan, vlan_list({0, 100, 200}));
    const MailboxRequest r = c.decode();
    EXPECT_EQ(r.kind, Kind::set_vlan);
    EXPECT_EQ(r.op_name, "VIRTCHNL_OP_ADD_VLAN");
    EXPECT_TRUE(r.add);
    EXPECT_EQ(r.vlan, 100);  // the first id that is not 0
    EXPECT_EQ(r.count, 3);
    EXPECT_EQ(c.answer(untrusted()), k_i40e_nack);
    EXPECT_EQ(c.answer(trusted()), k_i40e_proceed);
    VfMailboxPolicy vlan_ok;
    vlan_ok.allow_vlan = true;
    EXPECT_EQ(c.answer(vlan_ok), k_i40e_proceed);
    I40eCall vlan0(k_op_add_vlan, vlan_list({0}));
    EXPECT_EQ(vlan0.decode().vlan, 0);
    EXPECT_EQ(vlan0.answer(untrusted()), k_i40e_proceed);
}

TEST(MailboxI40e, PromiscFlags) {
    I40eCall uc(k_op_promisc, promisc(0x1));
    MailboxRequest r = uc.decode();
    EXPECT_EQ(r.kind, Kind::set_promisc);
    EXPECT_EQ(r.op_name, "VIRTCHNL_OP_CONFIG_PROMISCUOUS_MODE");
    EXPECT_TRUE(r.unicast_promisc);
    EXPECT_FALSE(r.multicast_promisc);
    EXPECT_EQ(uc.answer(untrusted()), k_i40e_nack);
    EXPECT_EQ(uc.answer(trusted()), k_i40e_proceed);
    VfMailboxPolicy promisc_ok;
    promisc_ok.allow_promisc = true;
    EXPECT_EQ(uc.answer(promisc_ok), k_i40e_proceed);

    I40eCall mc(k_op_promisc, promisc(0x2));
    r = mc.decode();
    EXPECT_FALSE(r.unicast_promisc);
    EXPECT_TRUE(r.multicast_promisc);
    EXPECT_EQ(mc.answer(untrusted()), k_i40e_proceed);
    VfMailboxPolicy no_mc;
    no_mc.allow_multicast = false;
    EXPECT_EQ(mc.answer(no_mc), k_i40e_nack);

    I40eCall off(k_op_promisc, promisc(0));
    EXPECT_EQ(off.answer(no_mc), k_i40e_proceed);
}

TEST(MailboxI40e, VsiQueuesCarryTheMaxFrame) {
    I40eCall c(k_op_config_vsi_queues, vsi_queues({1526, 9728, 1526}));
    const MailboxRequest r = c.decode();
    EXPECT_EQ(r.kind, Kind::set_mtu);
    EXPECT_EQ(r.op_name, "VIRTCHNL_OP_CONFIG_VSI_QUEUES");
    EXPECT_EQ(r.count, 3);
    EXPECT_EQ(r.max_frame, 9728u);  // the largest over the rx queues
    EXPECT_EQ(r.mtu, 9710);
    EXPECT_EQ(c.answer(untrusted()), k_i40e_nack);
    EXPECT_EQ(c.answer(trusted()), k_i40e_proceed);
    VfMailboxPolicy mtu_ok;
    mtu_ok.allow_mtu_change = true;
    EXPECT_EQ(c.answer(mtu_ok), k_i40e_proceed);
    // DPDK's iavf (1526) and the kernel's (1534) at MTU 1500: every VF must be able to start.
    I40eCall standard(k_op_config_vsi_queues, vsi_queues({1526, 1534}));
    EXPECT_EQ(standard.answer(untrusted()), k_i40e_proceed);
    I40eCall none(k_op_config_vsi_queues, vsi_queues({}));
    EXPECT_EQ(none.decode().kind, Kind::other);
    EXPECT_EQ(none.answer(untrusted()), k_i40e_proceed);
}

TEST(MailboxI40e, ResetAndOtherOpsProceed) {
    I40eCall reset(k_op_reset_vf, Msg());
    EXPECT_EQ(reset.decode().kind, Kind::reset);
    EXPECT_EQ(reset.decode().op_name, "VIRTCHNL_OP_RESET_VF");
    EXPECT_EQ(reset.answer(untrusted()), k_i40e_proceed);
    I40eCall stats(k_op_get_stats, Msg().u16(7).u16(0));
    EXPECT_EQ(stats.decode().kind, Kind::other);
    EXPECT_EQ(stats.answer(untrusted()), k_i40e_proceed);
    I40eCall unknown(77, Msg().u32(1));
    EXPECT_EQ(unknown.decode().op_name, "virtchnl op 0x4d");
    EXPECT_EQ(unknown.answer(untrusted()), k_i40e_proceed);
}

// Every message the policy reads, cut at every length short of whole: malformed, refused for
// an untrusted VF, proceeding for a trusted one; whole: not malformed.
TEST(MailboxI40e, EveryTruncationIsMalformed) {
    const std::pair<uint16_t, Msg> messages[] = {
        {k_op_add_eth_addr, eth_addr_list({k_mac, k_mcast})},
        {k_op_del_eth_addr, eth_addr_list({k_mac})},
        {k_op_add_vlan, vlan_list({100, 200})},
        {k_op_del_vlan, vlan_list({100})},
        {k_op_promisc, promisc(3)},
        {k_op_config_vsi_queues, vsi_queues({9728, 1526})},
    };
    for (const auto& [op, msg] : messages) {
        SCOPED_TRACE(op);
        for (size_t len = 0; len < msg.b.size(); ++len) {
            SCOPED_TRACE(len);
            I40eCall c(op, msg.b, len);
            const MailboxRequest r = c.decode();
            ASSERT_TRUE(r.malformed);
            ASSERT_EQ(r.kind, Kind::other);
            ASSERT_FALSE(r.problem.empty());
            ASSERT_EQ(c.answer(untrusted()), k_i40e_nack);
            ASSERT_EQ(c.answer(trusted()), k_i40e_proceed);
        }
        I40eCall whole(op, msg);
        EXPECT_FALSE(whole.decode().malformed);
    }
}

TEST(MailboxI40e, CountsBeyondTheMessageAreMalformed) {
    Msg lying = eth_addr_list({k_mac});
    lying.b[2] = 200;  // num_elements 200, one entry present
    I40eCall c(k_op_add_eth_addr, lying);
    const MailboxRequest r = c.decode();
    EXPECT_TRUE(r.malformed);
    EXPECT_NE(r.problem.find("200 addresses"), std::string::npos) << r.problem;
    Msg huge = vsi_queues({1526});
    huge.b[2] = 0xff;
    huge.b[3] = 0xff;  // 65535 queue pairs
    I40eCall q(k_op_config_vsi_queues, huge);
    EXPECT_TRUE(q.decode().malformed);
    // A null message with a length is treated as empty.
    rte_pmd_i40e_mb_event_param null_msg{1, k_op_add_vlan, k_untouched, nullptr, 64};
    EXPECT_TRUE(decode_i40e(null_msg).malformed);
}

TEST(MailboxI40e, RandomMessagesNeverCrash) {
    std::mt19937 rng(40);
    for (int i = 0; i < 20000; ++i) {
        const uint16_t op = static_cast<uint16_t>(rng() % 32);
        std::vector<uint8_t> bytes(rng() % 160);
        for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng());
        // Small counts now and then, so list decoding is reached with consistent lengths too.
        if (bytes.size() >= 4 && i % 3 == 0) {
            bytes[2] = static_cast<uint8_t>(rng() % 4);
            bytes[3] = 0;
        }
        I40eCall c(op, bytes, bytes.size());
        const MailboxRequest r = c.decode();
        ASSERT_TRUE(!r.malformed || r.kind == Kind::other);
        const uint16_t rv = c.answer(untrusted());
        ASSERT_TRUE(rv == k_i40e_proceed || rv == k_i40e_nack);
        ASSERT_FALSE(describe(r).empty());
    }
}

// ---- policy table, dispatch, names -----------------------------------------------------------

TEST(MailboxPolicy, DefaultIsUntrusted) {
    const VfMailboxPolicy d;
    EXPECT_FALSE(d.trusted);
    EXPECT_FALSE(d.allow_mac_change);
    EXPECT_FALSE(d.allow_vlan);
    EXPECT_FALSE(d.allow_promisc);
    EXPECT_TRUE(d.allow_multicast);
    EXPECT_FALSE(d.allow_mtu_change);
    // A VF with no entry in an empty table gets it.
    const PolicyTable empty;
    EXPECT_FALSE(empty.of(7).trusted);
    IxgbeCall c(ixgbe_mac_msg(0x02, k_mac), 7);
    ASSERT_TRUE(handle_vf_mbox(DriverKind::ixgbe, &c.param, empty));
    EXPECT_EQ(c.param.retval, k_ixgbe_nack);
}

TEST(MailboxPolicy, TableFromConfigAllThenPerVf) {
    const config::LoadResult lr = config::load_string(R"y(ports:
  - {name: pf0, device: "0000:3b:00.0"}
  - {name: pf1, device: "0000:3b:00.1"}
vf_policy:
  - {pf: pf0, vf: all, allow_vlan: true}
  - {pf: pf0, vf: 2, trusted: true}
  - {pf: pf0, vf: 3, allow_multicast: false, allow_mtu_change: true}
  - {pf: pf1, vf: 1, allow_promisc: true, allow_mac_change: true}
)y",
                                                      "t.yaml");
    ASSERT_TRUE(lr.config.has_value()) << (lr.errors.empty() ? "" : lr.errors[0].str());
    const PolicyTable t0 = policy_table(*lr.config, "pf0");
    EXPECT_TRUE(t0.of(0).allow_vlan);  // "all"
    EXPECT_FALSE(t0.of(0).trusted);
    EXPECT_TRUE(t0.of(2).trusted);
    EXPECT_FALSE(t0.of(2).allow_vlan);  // its own entry replaces "all" as a whole
    EXPECT_FALSE(t0.of(3).allow_multicast);
    EXPECT_TRUE(t0.of(3).allow_mtu_change);
    EXPECT_FALSE(t0.of(1).allow_promisc);  // pf1's entry does not leak into pf0
    const PolicyTable t1 = policy_table(*lr.config, "pf1");
    EXPECT_TRUE(t1.of(1).allow_promisc);
    EXPECT_TRUE(t1.of(1).allow_mac_change);
    EXPECT_FALSE(t1.of(0).allow_vlan);  // no "all" for pf1: the default
    EXPECT_TRUE(policy_table(*lr.config, "nope").vfs.empty());

    // Dispatch picks each VF's own policy.
    IxgbeCall vlan_vf0(ixgbe_msg(0x04, 1, 100), 0);
    ASSERT_TRUE(handle_vf_mbox(DriverKind::ixgbe, &vlan_vf0.param, t0));
    EXPECT_EQ(vlan_vf0.param.retval, k_ixgbe_proceed);
    IxgbeCall vlan_vf3(ixgbe_msg(0x04, 1, 100), 3);
    ASSERT_TRUE(handle_vf_mbox(DriverKind::ixgbe, &vlan_vf3.param, t0));
    EXPECT_EQ(vlan_vf3.param.retval, k_ixgbe_nack);
}

TEST(MailboxPolicy, UnknownDriverOrNullParamDecidesNothing) {
    IxgbeCall c(ixgbe_mac_msg(0x02, k_mac));
    EXPECT_FALSE(handle_vf_mbox(DriverKind::unknown, &c.param, table_of(untrusted())));
    EXPECT_EQ(c.param.retval, k_untouched);
    EXPECT_FALSE(handle_vf_mbox(DriverKind::ixgbe, nullptr, table_of(untrusted())));
    EXPECT_EQ(driver_kind("net_ixgbe"), DriverKind::ixgbe);
    EXPECT_EQ(driver_kind("net_i40e"), DriverKind::i40e);
    EXPECT_EQ(driver_kind("net_ixgbe_vf"), DriverKind::unknown);
    EXPECT_EQ(driver_kind("net_iavf"), DriverKind::unknown);
    EXPECT_EQ(driver_kind(""), DriverKind::unknown);
}

TEST(MailboxPolicy, VerdictCarriesRequestAndReason) {
    IxgbeCall c(ixgbe_msg(0x04, 1, 100), 9);
    const auto v = handle_vf_mbox(DriverKind::ixgbe, &c.param, table_of(untrusted()));
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(v->request.vf, 9);
    EXPECT_EQ(v->request.kind, Kind::set_vlan);
    EXPECT_FALSE(v->decision.accept);
    EXPECT_NE(v->decision.reason.find("allow_vlan"), std::string::npos) << v->decision.reason;
    EXPECT_EQ(describe(v->request), "vf 9 IXGBE_VF_SET_VLAN: add vlan 100");
    EXPECT_EQ(to_string(v->request.kind), "set_vlan");
}

TEST(MailboxPolicy, RetvalsAreThePmdEnums) {
    EXPECT_EQ(ixgbe_retval(Decision{true, ""}), RTE_PMD_IXGBE_MB_EVENT_PROCEED);
    EXPECT_EQ(ixgbe_retval(Decision{false, ""}), RTE_PMD_IXGBE_MB_EVENT_NOOP_NACK);
    EXPECT_EQ(i40e_retval(Decision{true, ""}), RTE_PMD_I40E_MB_EVENT_PROCEED);
    EXPECT_EQ(i40e_retval(Decision{false, ""}), RTE_PMD_I40E_MB_EVENT_NOOP_NACK);
}

TEST(MailboxPolicy, DescribeNamesWhatWasAsked) {
    IxgbeCall mac(ixgbe_mac_msg(0x02, k_mac), 1);
    EXPECT_EQ(describe(mac.decode()), "vf 1 IXGBE_VF_SET_MAC_ADDR: set mac 02:11:22:33:44:55");
    IxgbeCall lpe(ixgbe_msg(0x05, 0, 9018), 1);
    EXPECT_EQ(describe(lpe.decode()), "vf 1 IXGBE_VF_SET_LPE: max frame 9018 (mtu 9000)");
    I40eCall pr(k_op_promisc, promisc(1), 2);
    EXPECT_EQ(describe(pr.decode()),
              "vf 2 VIRTCHNL_OP_CONFIG_PROMISCUOUS_MODE: unicast promiscuous on, "
              "all-multicast off");
    I40eCall cut(k_op_add_vlan, vlan_list({1, 2}).b, 5, 2);
    EXPECT_EQ(describe(cut.decode()),
              "vf 2 VIRTCHNL_OP_ADD_VLAN: malformed (message of 5 bytes, 2 VLAN ids needs 8)");
}

}  // namespace
}  // namespace vfpath::glue
