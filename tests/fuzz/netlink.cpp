// Fuzz target: rtnetlink replies -> lib/sriov's parsers (netlink.cpp). rtnl.cpp hands every
// answer of the kernel to parse_ack (NLMSG_ERROR: the answer to a request with NLM_F_ACK, or a
// refused RTM_GETLINK) or parse_vfinfo (RTM_NEWLINK with IFLA_VFINFO_LIST); both run on every
// input. The same bytes also drive the request builders: an interface name for build_getlink
// and VF settings for build_setvf, whose messages must be well formed and carry what was asked.
//
// Input: one netlink message as the kernel sends it (header, payload, attributes).
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <cstring>
#include <vector>

#include "sriov/api.h"
#include "tests/fuzz/fuzz.h"

namespace vfpath::fuzz {

namespace {

using namespace sriov;

// A request is one message whose length is its size, with attributes that walk to the end.
void check_request(const std::vector<uint8_t>& b, uint16_t type, const std::string& what) {
    FUZZ_CHECK(b.size() >= sizeof(nlmsghdr), what);
    if (b.size() < sizeof(nlmsghdr)) return;
    const auto* nlh = reinterpret_cast<const nlmsghdr*>(b.data());
    FUZZ_CHECK(nlh->nlmsg_len == b.size(), what + ": length " + std::to_string(nlh->nlmsg_len) +
                                               " in a message of " + std::to_string(b.size()));
    FUZZ_CHECK(nlh->nlmsg_type == type, what);
    FUZZ_CHECK(mnl_nlmsg_ok(nlh, static_cast<int>(b.size())), what);
}

void requests(const uint8_t* data, size_t size) {
    // The interface name: what a sysfs net/ directory (or a fixture tree) calls the PF.
    const auto* chars = reinterpret_cast<const char*>(data);
    const std::string ifname(chars, strnlen(chars, size));
    check_request(build_getlink(ifname, 1), RTM_GETLINK, "getlink " + ifname);

    if (size < 16) return;
    VfSettings s;
    std::array<uint8_t, 6> mac;
    std::memcpy(mac.data(), data, 6);
    s.mac = mac;
    uint16_t vlan;
    std::memcpy(&vlan, data + 6, 2);
    s.vlan = vlan;
    s.qos = data[8];
    s.spoofchk = (data[9] & 1) != 0;
    s.trust = (data[9] & 2) != 0;
    uint32_t rate;
    std::memcpy(&rate, data + 10, 4);
    s.max_tx_rate = rate;
    s.link_state = static_cast<LinkState>(data[14] % 3);
    const uint32_t vf = data[15];
    const auto msgs = build_setvf(3, vf, s, 7);
    FUZZ_CHECK(msgs.size() == 6, "one message per attribute");
    for (const SetMessage& m : msgs) check_request(m.bytes, RTM_SETLINK, "setvf " + m.attribute);
    // The MAC request is the IFLA_VFINFO_LIST the kernel reports back: it parses as that VF.
    if (msgs.empty()) return;
    std::vector<uint8_t> echo = msgs.front().bytes;
    reinterpret_cast<nlmsghdr*>(echo.data())->nlmsg_type = RTM_NEWLINK;
    auto back = parse_vfinfo(echo.data(), echo.size());
    FUZZ_CHECK(back && back->size() == 1, back ? "not one VF" : back.error());
    if (back && back->size() == 1) {
        FUZZ_CHECK(back->front().index == vf, "vf index");
        FUZZ_CHECK(back->front().mac == mac, "vf mac");
    }
}

}  // namespace

bool fuzz_netlink(const uint8_t* data, size_t size) {
    // Netlink messages are 4-byte aligned in the socket buffer rtnl.cpp receives into; a vector
    // gives the same (and an exact size, so ASan sees reads past the end).
    const std::vector<uint8_t> msg(data, data + size);

    auto vfs = parse_vfinfo(msg.data(), msg.size());
    if (vfs) {
        for (const VfAttrs& v : *vfs) {
            FUZZ_CHECK(!v.link_state || static_cast<int>(*v.link_state) <= 2, "link state");
            FUZZ_CHECK(format_mac(v.mac).size() == 17, "mac text");
        }
    } else {
        FUZZ_CHECK(vfs.error().rfind("rtnetlink: ", 0) == 0, vfs.error());
    }
    auto ack = parse_ack(msg.data(), msg.size());
    if (ack) {
        FUZZ_CHECK(ack->error >= 0, "negative errno " + std::to_string(ack->error));
        FUZZ_CHECK(ack->message.find('\0') == std::string::npos, "NUL in the kernel's message");
    } else {
        FUZZ_CHECK(ack.error().rfind("rtnetlink: ", 0) == 0, ack.error());
    }
    FUZZ_CHECK(!(vfs && ack), "a message read as a link and as an acknowledgement");
    requests(data, size);
    return vfs.ok() || ack.ok();
}

}  // namespace vfpath::fuzz

VFPATH_FUZZ_ENTRY(fuzz_netlink)
