// rtnetlink: message construction and IFLA_VFINFO_LIST parsing on byte buffers (built here with
// the kernel's uapi macros, independently of lib/sriov's libmnl code), and, as root, the real
// kernel: a veth link has no VFs, and setting a VF attribute on it is refused clearly.
#include <gtest/gtest.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "sriov/api.h"

using namespace vfpath;

namespace {

// A tiny netlink message builder over a byte vector.
struct Msg {
    std::vector<uint8_t> b;
    explicit Msg(uint16_t type, uint16_t flags = 0) {
        b.resize(NLMSG_LENGTH(sizeof(ifinfomsg)));
        auto* h = reinterpret_cast<nlmsghdr*>(b.data());
        h->nlmsg_type = type;
        h->nlmsg_flags = flags;
        sync();
    }
    nlmsghdr* hdr() { return reinterpret_cast<nlmsghdr*>(b.data()); }
    void sync() { hdr()->nlmsg_len = static_cast<uint32_t>(b.size()); }
    size_t put(uint16_t type, const void* data, size_t len) {
        // Appended, not written through a pointer into the resized buffer: GCC 16 tracks the
        // buffer's size from before the resize and reports a false -Warray-bounds there.
        const size_t at = b.size();
        rtattr a{};
        a.rta_type = type;
        a.rta_len = static_cast<uint16_t>(RTA_LENGTH(len));
        const auto* ap = reinterpret_cast<const uint8_t*>(&a);
        b.insert(b.end(), ap, ap + sizeof a);
        b.resize(at + RTA_LENGTH(0), 0);
        const auto* dp = static_cast<const uint8_t*>(data);
        if (len) b.insert(b.end(), dp, dp + len);
        b.resize(at + RTA_ALIGN(RTA_LENGTH(len)), 0);
        sync();
        return at;
    }
    template <class T>
    size_t put(uint16_t type, const T& v) {
        return put(type, &v, sizeof v);
    }
    size_t nest() { return put(0, nullptr, 0); }
    void end(size_t at, uint16_t type) {
        auto* a = reinterpret_cast<rtattr*>(b.data() + at);
        a->rta_type = type;
        a->rta_len = static_cast<uint16_t>(b.size() - at);
    }
};

// One VF as a PF driver reports it.
void put_vf(Msg& m, uint32_t vf, uint8_t last, uint32_t vlan, uint32_t qos, uint32_t spoof,
            uint32_t trust, uint32_t link, uint32_t min, uint32_t max) {
    const size_t info = m.nest();
    ifla_vf_mac mac{};
    mac.vf = vf;
    const uint8_t addr[6] = {0x02, 0, 0, 0, 0, last};
    std::memcpy(mac.mac, addr, 6);
    m.put(IFLA_VF_MAC, mac);
    m.put(IFLA_VF_VLAN, ifla_vf_vlan{vf, vlan, qos});
    m.put(IFLA_VF_SPOOFCHK, ifla_vf_spoofchk{vf, spoof});
    m.put(IFLA_VF_TRUST, ifla_vf_trust{vf, trust});
    m.put(IFLA_VF_LINK_STATE, ifla_vf_link_state{vf, link});
    m.put(IFLA_VF_RATE, ifla_vf_rate{vf, min, max});
    m.end(info, IFLA_VF_INFO);
}

// Attributes directly under the ifinfomsg.
std::vector<const rtattr*> top_attrs(const std::vector<uint8_t>& b) {
    std::vector<const rtattr*> out;
    const auto* h = reinterpret_cast<const nlmsghdr*>(b.data());
    const auto* a = IFLA_RTA(static_cast<const ifinfomsg*>(NLMSG_DATA(h)));
    int len = static_cast<int>(h->nlmsg_len - NLMSG_LENGTH(sizeof(ifinfomsg)));
    for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) out.push_back(a);
    EXPECT_EQ(len, 0) << "trailing bytes";
    return out;
}

}  // namespace

TEST(Netlink, GetlinkAsksForVfInfoByName) {
    const auto b = sriov::build_getlink("ens1f0", 42);
    const auto* h = reinterpret_cast<const nlmsghdr*>(b.data());
    ASSERT_EQ(h->nlmsg_len, b.size());
    EXPECT_EQ(h->nlmsg_type, RTM_GETLINK);
    EXPECT_EQ(h->nlmsg_flags, NLM_F_REQUEST);
    EXPECT_EQ(h->nlmsg_seq, 42u);
    const auto attrs = top_attrs(b);
    ASSERT_EQ(attrs.size(), 2u);
    EXPECT_EQ(attrs[0]->rta_type, IFLA_IFNAME);
    EXPECT_STREQ(static_cast<const char*>(RTA_DATA(attrs[0])), "ens1f0");
    EXPECT_EQ(attrs[1]->rta_type, IFLA_EXT_MASK);
    EXPECT_EQ(*static_cast<const uint32_t*>(RTA_DATA(attrs[1])),
              uint32_t(RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS));
}

TEST(Netlink, SetvfBuildsOneAckedMessagePerAttribute) {
    sriov::VfSettings s;
    s.mac = std::array<uint8_t, 6>{0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
    s.vlan = 100;
    s.qos = 5;
    s.spoofchk = false;
    s.trust = true;
    s.max_tx_rate = 1000;
    s.link_state = sriov::LinkState::disable;
    const auto msgs = sriov::build_setvf(7, 3, s, 100);
    std::vector<std::string> names;
    for (const auto& m : msgs) names.push_back(m.attribute);
    EXPECT_EQ(names, (std::vector<std::string>{"mac", "vlan", "spoofchk", "trust", "max-rate",
                                               "link-state"}));
    const std::vector<uint16_t> types = {IFLA_VF_MAC,   IFLA_VF_VLAN,    IFLA_VF_SPOOFCHK,
                                         IFLA_VF_TRUST, IFLA_VF_TX_RATE, IFLA_VF_LINK_STATE};
    for (size_t i = 0; i < msgs.size(); ++i) {
        const auto& b = msgs[i].bytes;
        const auto* h = reinterpret_cast<const nlmsghdr*>(b.data());
        ASSERT_EQ(h->nlmsg_len, b.size());
        EXPECT_EQ(h->nlmsg_type, RTM_SETLINK);
        EXPECT_EQ(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
        EXPECT_EQ(h->nlmsg_seq, 100 + i);
        EXPECT_EQ(static_cast<const ifinfomsg*>(NLMSG_DATA(h))->ifi_index, 7);
        const auto attrs = top_attrs(b);
        ASSERT_EQ(attrs.size(), 1u);
        // Nests carry NLA_F_NESTED (libmnl sets it; the kernel masks it with nla_type()).
        ASSERT_EQ(attrs[0]->rta_type & NLA_TYPE_MASK, IFLA_VFINFO_LIST);
        const auto* info = static_cast<const rtattr*>(RTA_DATA(attrs[0]));
        ASSERT_EQ(info->rta_type & NLA_TYPE_MASK, IFLA_VF_INFO);
        const auto* attr = static_cast<const rtattr*>(RTA_DATA(info));
        EXPECT_EQ(attr->rta_type, types[i]);
        EXPECT_EQ(*static_cast<const uint32_t*>(RTA_DATA(attr)), 3u) << "vf index first";
    }
    const auto* vlan_info = static_cast<const rtattr*>(RTA_DATA(top_attrs(msgs[1].bytes)[0]));
    const auto* vlan =
        static_cast<const ifla_vf_vlan*>(RTA_DATA(static_cast<const rtattr*>(RTA_DATA(vlan_info))));
    EXPECT_EQ(vlan->vlan, 100u);
    EXPECT_EQ(vlan->qos, 5u);
    EXPECT_TRUE(sriov::build_setvf(1, 0, {}, 1).empty());
}

TEST(Netlink, ParsesVfinfoList) {
    Msg m(RTM_NEWLINK);
    const char name[] = "ens1f0";
    m.put(IFLA_IFNAME, name, sizeof name);
    const size_t list = m.nest();
    put_vf(m, 0, 0xa0, 100, 3, 1, 0, IFLA_VF_LINK_STATE_AUTO, 0, 1000);
    put_vf(m, 1, 0xa1, 0, 0, 0, ~0u, IFLA_VF_LINK_STATE_DISABLE, 10, 0);  // trust: unsupported
    m.end(list, IFLA_VFINFO_LIST);
    const uint32_t mtu = 1500;
    m.put(IFLA_MTU, mtu);
    auto vfs = sriov::parse_vfinfo(m.b.data(), m.b.size());
    ASSERT_TRUE(vfs) << vfs.error();
    ASSERT_EQ(vfs->size(), 2u);
    const auto& a = (*vfs)[0];
    EXPECT_EQ(a.index, 0u);
    EXPECT_EQ(sriov::format_mac(a.mac), "02:00:00:00:00:a0");
    EXPECT_EQ(a.vlan, 100);
    EXPECT_EQ(a.qos, 3);
    EXPECT_EQ(a.spoofchk, true);
    EXPECT_EQ(a.trust, false);
    EXPECT_EQ(a.link_state, sriov::LinkState::auto_);
    EXPECT_EQ(a.max_tx_rate, 1000u);
    const auto& b = (*vfs)[1];
    EXPECT_EQ(b.index, 1u);
    EXPECT_EQ(b.spoofchk, false);
    EXPECT_EQ(b.trust, std::nullopt);
    EXPECT_EQ(b.link_state, sriov::LinkState::disable);
    EXPECT_EQ(b.min_tx_rate, 10u);
}

TEST(Netlink, NoVfinfoListMeansNoVfs) {
    Msg m(RTM_NEWLINK);
    const char name[] = "veth0";
    m.put(IFLA_IFNAME, name, sizeof name);
    auto vfs = sriov::parse_vfinfo(m.b.data(), m.b.size());
    ASSERT_TRUE(vfs) << vfs.error();
    EXPECT_TRUE(vfs->empty());
}

TEST(Netlink, MalformedMessagesAreErrors) {
    Msg m(RTM_NEWLINK);
    const size_t list = m.nest();
    put_vf(m, 0, 1, 0, 0, 0, 0, 0, 0, 0);
    m.end(list, IFLA_VFINFO_LIST);
    auto cut = m.b;
    cut.resize(cut.size() - 6);  // truncated in the middle of an attribute
    reinterpret_cast<nlmsghdr*>(cut.data())->nlmsg_len = static_cast<uint32_t>(cut.size());
    auto r = sriov::parse_vfinfo(cut.data(), cut.size());
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("malformed IFLA_VFINFO_LIST"), std::string::npos) << r.error();
    EXPECT_FALSE(sriov::parse_vfinfo(m.b.data(), 10));  // shorter than a header
    Msg wrong(RTM_NEWADDR);
    auto w = sriov::parse_vfinfo(wrong.b.data(), wrong.b.size());
    ASSERT_FALSE(w);
    EXPECT_NE(w.error().find("expected RTM_NEWLINK"), std::string::npos);
}

TEST(Netlink, ParsesAckWithExtendedMessage) {
    std::vector<uint8_t> b(NLMSG_LENGTH(sizeof(nlmsgerr)));
    auto* h = reinterpret_cast<nlmsghdr*>(b.data());
    h->nlmsg_type = NLMSG_ERROR;
    h->nlmsg_flags = NLM_F_CAPPED | NLM_F_ACK_TLVS;
    auto* e = static_cast<nlmsgerr*>(NLMSG_DATA(h));
    e->error = -EOPNOTSUPP;
    e->msg.nlmsg_len = 100;  // capped: only the header is echoed
    const char text[] = "VF trust not supported";
    const size_t at = b.size();
    b.resize(at + RTA_ALIGN(RTA_LENGTH(sizeof text)));
    auto* a = reinterpret_cast<rtattr*>(b.data() + at);
    a->rta_type = NLMSGERR_ATTR_MSG;
    a->rta_len = RTA_LENGTH(sizeof text);
    std::memcpy(RTA_DATA(a), text, sizeof text);
    reinterpret_cast<nlmsghdr*>(b.data())->nlmsg_len = static_cast<uint32_t>(b.size());
    auto ack = sriov::parse_ack(b.data(), b.size());
    ASSERT_TRUE(ack) << ack.error();
    EXPECT_EQ(ack->error, EOPNOTSUPP);
    EXPECT_EQ(ack->message, "VF trust not supported");
}

// ---- the real kernel (root only) -------------------------------------------------------------

namespace {

// Sends one request on a NETLINK_ROUTE socket and returns the kernel's errno (0: ok).
int rtnl_request(Msg& m) {
    const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) return errno;
    m.hdr()->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
    int rc = EIO;
    if (send(fd, m.b.data(), m.b.size(), 0) >= 0) {
        uint8_t buf[4096];
        const ssize_t n = recv(fd, buf, sizeof buf, 0);
        const auto* h = reinterpret_cast<const nlmsghdr*>(buf);
        if (n >= ssize_t(NLMSG_LENGTH(sizeof(nlmsgerr))) && h->nlmsg_type == NLMSG_ERROR)
            rc = -static_cast<const nlmsgerr*>(NLMSG_DATA(h))->error;
    }
    close(fd);
    return rc;
}

// A veth pair made for the test and deleted with it ("ip link add NAME type veth peer ...").
class Veth {
public:
    explicit Veth(const std::string& name) : name_(name) {
        Msg m(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
        m.put(IFLA_IFNAME, name.c_str(), name.size() + 1);
        const size_t info = m.nest();
        m.put(IFLA_INFO_KIND, "veth", 5);
        const size_t data = m.nest();
        const size_t peer = m.nest();
        // VETH_INFO_PEER carries an ifinfomsg, then the peer's attributes.
        m.b.resize(m.b.size() + sizeof(ifinfomsg), 0);
        const std::string peer_name = name + "p";
        m.put(IFLA_IFNAME, peer_name.c_str(), peer_name.size() + 1);
        m.end(peer, VETH_INFO_PEER);
        m.end(data, IFLA_INFO_DATA);
        m.end(info, IFLA_LINKINFO);
        error_ = rtnl_request(m);
    }
    ~Veth() {
        if (error_ != 0) return;
        Msg m(RTM_DELLINK);
        m.put(IFLA_IFNAME, name_.c_str(), name_.size() + 1);
        rtnl_request(m);
    }
    int error() const { return error_; }

private:
    std::string name_;
    int error_ = 0;
};

}  // namespace

TEST(NetlinkKernel, VethHasNoVfs) {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to create a veth link";
    const std::string name = "vfpv" + std::to_string(getpid() % 100000);
    Veth veth(name);
    if (veth.error() != 0) GTEST_SKIP() << "cannot create a veth link: " << strerror(veth.error());
    auto vfs = sriov::query_vfs(name);
    ASSERT_TRUE(vfs) << vfs.error();
    EXPECT_TRUE(vfs->empty());
    // A driver without ndo_set_vf_*: the refusal names the attribute and why.
    sriov::VfSettings s;
    s.trust = true;
    s.max_tx_rate = 100;
    const sriov::SetOutcome st = sriov::set_vf(name, 0, s);
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.why.find(name + " VF 0: the driver refused trust"), std::string::npos) << st.why;
    EXPECT_TRUE(st.applied.empty());
    ASSERT_EQ(st.not_sent.size(), 1u);
    EXPECT_EQ(st.not_sent[0].attribute, "max-rate");
}

TEST(NetlinkKernel, MissingInterfaceIsAClearError) {
    auto vfs = sriov::query_vfs("vfpnosuch0");
    ASSERT_FALSE(vfs);
    EXPECT_NE(vfs.error().find("cannot read interface vfpnosuch0: No such device"),
              std::string::npos)
        << vfs.error();
    const sriov::SetOutcome st = sriov::set_vf("vfpnosuch0", 0, {});
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.why.find("no network interface vfpnosuch0"), std::string::npos);
}

// set-vf sends one message per attribute and stops at the first refusal. The output says which
// were applied, which was refused and why, and which were never sent (it used to print every
// message as sent, then fail on the second).
TEST(NetlinkSetVf, OutcomeSaysAppliedRefusedAndNotSent) {
    sriov::VfSettings s;
    s.mac = std::array<uint8_t, 6>{0x02, 0, 0, 0, 0, 1};
    s.vlan = 100;
    s.trust = true;
    s.max_tx_rate = 500;
    const auto msgs = sriov::build_setvf(7, 2, s, 1);
    ASSERT_EQ(msgs.size(), 4u);
    int sent = 0;
    const sriov::SetOutcome o =
        sriov::apply_setvf("ens1f0", 2, msgs, [&](const sriov::SetMessage& m) -> Result<sriov::Ack> {
            ++sent;
            if (m.attribute == "vlan") return sriov::Ack{EPERM, "VLAN is locked"};
            return sriov::Ack{};
        });
    EXPECT_EQ(sent, 2) << "nothing is sent after a refusal";
    EXPECT_FALSE(o.ok());
    ASSERT_EQ(o.applied.size(), 1u);
    EXPECT_EQ(o.applied[0].attribute, "mac");
    ASSERT_TRUE(o.refused);
    EXPECT_EQ(o.refused->attribute, "vlan");
    EXPECT_NE(o.why.find("ens1f0 VF 2: the driver refused vlan: Operation not permitted "
                         "(kernel: VLAN is locked)"),
              std::string::npos)
        << o.why;
    ASSERT_EQ(o.not_sent.size(), 2u);
    const std::string text = sriov::describe(o, "ens1f0", 2);
    EXPECT_NE(text.find("  applied: ens1f0 vf 2 mac 02:00:00:00:00:01\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find("  not applied: ens1f0 vf 2 vlan 100"), std::string::npos) << text;
    EXPECT_NE(text.find("trust on: not sent, vlan was refused before it"), std::string::npos)
        << text;
    EXPECT_EQ(text.find("  applied: ens1f0 vf 2 trust"), std::string::npos) << text;
    EXPECT_EQ(text.find("  applied: ens1f0 vf 2 vlan"), std::string::npos) << text;
    // All accepted: every attribute listed as applied, nothing else.
    const sriov::SetOutcome all = sriov::apply_setvf(
        "ens1f0", 2, msgs, [](const sriov::SetMessage&) -> Result<sriov::Ack> { return sriov::Ack{}; });
    EXPECT_TRUE(all.ok());
    EXPECT_EQ(all.applied.size(), 4u);
    EXPECT_EQ(sriov::describe(all, "ens1f0", 2).find("not applied"), std::string::npos);
}
