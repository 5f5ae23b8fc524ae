// rtnetlink messages for VF attributes, built and parsed on byte buffers (libmnl). No socket
// here: rtnl.cpp sends them. Struct layouts are the kernel's uapi (linux/if_link.h).
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <cstring>

#include "sriov/api.h"

namespace vfpath::sriov {

namespace {

// Room for one request: header, ifinfomsg and a few attributes.
constexpr size_t k_request_size = 512;

// `room` is the buffer's size: the header, the ifinfomsg and every attribute put after them.
nlmsghdr* put_link_header(std::vector<uint8_t>& buf, uint16_t type, uint16_t flags, uint32_t seq,
                          int ifindex, size_t room = k_request_size) {
    buf.assign(room, 0);
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = flags;
    nlh->nlmsg_seq = seq;
    auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_index = ifindex;
    return nlh;
}

// Walks the attributes in [p, p+len). False when one is truncated or overruns the buffer: a
// malformed message is an error, not a shorter list.
template <class Fn>
bool walk(const void* p, size_t len, Fn&& fn) {
    const auto* a = static_cast<const nlattr*>(p);
    int rem = static_cast<int>(len);
    while (rem >= static_cast<int>(sizeof(nlattr))) {
        if (!mnl_attr_ok(a, rem)) return false;
        fn(a);
        rem -= static_cast<int>(MNL_ALIGN(a->nla_len));
        a = reinterpret_cast<const nlattr*>(reinterpret_cast<const uint8_t*>(a) +
                                            MNL_ALIGN(a->nla_len));
    }
    return rem == 0 || rem < static_cast<int>(sizeof(nlattr));
}

// The header of the message in [msg, msg+len), when the buffer holds all of it. Not
// mnl_nlmsg_ok: it compares nlmsg_len as an int, so a length of 2^31 or more passed and the
// payload ran past the buffer (found by fuzzing).
const nlmsghdr* whole_message(const uint8_t* msg, size_t len) {
    if (len < sizeof(nlmsghdr)) return nullptr;
    const auto* nlh = reinterpret_cast<const nlmsghdr*>(msg);
    if (nlh->nlmsg_len < sizeof(nlmsghdr) || nlh->nlmsg_len > len) return nullptr;
    return nlh;
}

template <class T>
const T* payload_as(const nlattr* a) {
    if (mnl_attr_get_payload_len(a) < sizeof(T)) return nullptr;
    return static_cast<const T*>(mnl_attr_get_payload(a));
}

// A driver that does not implement spoofchk/trust reports (u32)-1.
std::optional<bool> setting(uint32_t v) {
    if (v == ~0u) return std::nullopt;
    return v != 0;
}

bool parse_vf(const nlattr* info, VfAttrs& vf) {
    bool have_index = false;
    const bool ok =
        walk(mnl_attr_get_payload(info), mnl_attr_get_payload_len(info), [&](const nlattr* a) {
            switch (mnl_attr_get_type(a)) {
                case IFLA_VF_MAC:
                    if (auto* m = payload_as<ifla_vf_mac>(a)) {
                        vf.index = m->vf;
                        have_index = true;
                        std::memcpy(vf.mac.data(), m->mac, 6);
                    }
                    break;
                case IFLA_VF_VLAN:
                    if (auto* v = payload_as<ifla_vf_vlan>(a)) {
                        vf.vlan = static_cast<uint16_t>(v->vlan);
                        vf.qos = static_cast<uint8_t>(v->qos);
                    }
                    break;
                case IFLA_VF_SPOOFCHK:
                    if (auto* s = payload_as<ifla_vf_spoofchk>(a))
                        vf.spoofchk = setting(s->setting);
                    break;
                case IFLA_VF_TRUST:
                    if (auto* t = payload_as<ifla_vf_trust>(a)) vf.trust = setting(t->setting);
                    break;
                case IFLA_VF_LINK_STATE:
                    if (auto* l = payload_as<ifla_vf_link_state>(a); l && l->link_state <= 2)
                        vf.link_state = static_cast<LinkState>(l->link_state);
                    break;
                case IFLA_VF_RATE:
                    if (auto* r = payload_as<ifla_vf_rate>(a)) {
                        vf.min_tx_rate = r->min_tx_rate;
                        vf.max_tx_rate = r->max_tx_rate;
                    }
                    break;
                case IFLA_VF_TX_RATE:  // older kernels: max only
                    if (auto* r = payload_as<ifla_vf_tx_rate>(a); r && vf.max_tx_rate == 0)
                        vf.max_tx_rate = r->rate;
                    break;
                default:
                    break;
            }
        });
    return ok && have_index;
}

// One RTM_SETLINK carrying IFLA_VFINFO_LIST { IFLA_VF_INFO { type: value } }.
template <class T>
SetMessage set_message(std::string name, std::string value, int ifindex, uint32_t seq,
                       uint16_t type, const T& v) {
    SetMessage m{std::move(name), std::move(value), {}};
    nlmsghdr* nlh = put_link_header(m.bytes, RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK, seq, ifindex);
    nlattr* list = mnl_attr_nest_start(nlh, IFLA_VFINFO_LIST);
    nlattr* info = mnl_attr_nest_start(nlh, IFLA_VF_INFO);
    mnl_attr_put(nlh, type, sizeof(T), &v);
    mnl_attr_nest_end(nlh, info);
    mnl_attr_nest_end(nlh, list);
    m.bytes.resize(nlh->nlmsg_len);
    return m;
}

}  // namespace

std::string_view to_string(LinkState s) {
    switch (s) {
        case LinkState::auto_:
            return "auto";
        case LinkState::enable:
            return "enable";
        case LinkState::disable:
            return "disable";
    }
    return "?";
}

std::optional<LinkState> parse_link_state(std::string_view s) {
    if (s == "auto") return LinkState::auto_;
    if (s == "enable") return LinkState::enable;
    if (s == "disable") return LinkState::disable;
    return std::nullopt;
}

std::string format_mac(const std::array<uint8_t, 6>& m) {
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
                  m[5]);
    return buf;
}

std::vector<uint8_t> build_getlink(std::string_view ifname, uint32_t seq) {
    std::vector<uint8_t> buf;
    // Room for the name whatever its length: a name longer than the fixed room overran the
    // buffer (found by fuzzing). The kernel refuses names of IFNAMSIZ or more itself.
    nlmsghdr* nlh = put_link_header(buf, RTM_GETLINK, NLM_F_REQUEST, seq, 0,
                                    k_request_size + MNL_ALIGN(ifname.size() + 1));
    mnl_attr_put_strz(nlh, IFLA_IFNAME, std::string(ifname).c_str());
    // VF info is only sent when asked for; its per-VF counters are not needed here.
    mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS);
    buf.resize(nlh->nlmsg_len);
    return buf;
}

std::vector<SetMessage> build_setvf(int ifindex, uint32_t vf, const VfSettings& s, uint32_t seq) {
    std::vector<SetMessage> out;
    if (s.mac) {
        ifla_vf_mac m{};
        m.vf = vf;
        std::memcpy(m.mac, s.mac->data(), 6);
        out.push_back(set_message("mac", format_mac(*s.mac), ifindex, seq++, IFLA_VF_MAC, m));
    }
    if (s.vlan) {
        ifla_vf_vlan v{vf, *s.vlan, s.qos.value_or(0)};
        out.push_back(set_message(
            "vlan", std::to_string(*s.vlan) + " qos " + std::to_string(s.qos.value_or(0)), ifindex,
            seq++, IFLA_VF_VLAN, v));
    }
    if (s.spoofchk) {
        ifla_vf_spoofchk v{vf, *s.spoofchk ? 1u : 0u};
        out.push_back(set_message("spoofchk", *s.spoofchk ? "on" : "off", ifindex, seq++,
                                  IFLA_VF_SPOOFCHK, v));
    }
    if (s.trust) {
        ifla_vf_trust v{vf, *s.trust ? 1u : 0u};
        out.push_back(
            set_message("trust", *s.trust ? "on" : "off", ifindex, seq++, IFLA_VF_TRUST, v));
    }
    if (s.max_tx_rate) {
        // IFLA_VF_TX_RATE sets the maximum and keeps the minimum (rtnetlink.c do_setvfinfo).
        ifla_vf_tx_rate v{vf, *s.max_tx_rate};
        out.push_back(set_message("max-rate", std::to_string(*s.max_tx_rate), ifindex, seq++,
                                  IFLA_VF_TX_RATE, v));
    }
    if (s.link_state) {
        ifla_vf_link_state v{vf, static_cast<uint32_t>(*s.link_state)};
        out.push_back(set_message("link-state", std::string(to_string(*s.link_state)), ifindex,
                                  seq++, IFLA_VF_LINK_STATE, v));
    }
    return out;
}

Result<std::vector<VfAttrs>> parse_vfinfo(const uint8_t* msg, size_t len) {
    const nlmsghdr* nlh = whole_message(msg, len);
    if (!nlh) return fail("rtnetlink: truncated message (" + std::to_string(len) + " bytes)");
    if (nlh->nlmsg_type != RTM_NEWLINK)
        return fail("rtnetlink: expected RTM_NEWLINK, got message type " +
                    std::to_string(nlh->nlmsg_type));
    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(ifinfomsg))
        return fail("rtnetlink: RTM_NEWLINK without its ifinfomsg");
    std::vector<VfAttrs> out;
    bool bad_vf = false;
    const auto* attrs =
        static_cast<const uint8_t*>(mnl_nlmsg_get_payload_offset(nlh, sizeof(ifinfomsg)));
    const size_t attrs_len = nlh->nlmsg_len - (attrs - msg);
    const bool ok = walk(attrs, attrs_len, [&](const nlattr* a) {
        if (mnl_attr_get_type(a) != IFLA_VFINFO_LIST) return;
        const bool list_ok =
            walk(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a), [&](const nlattr* info) {
                if (mnl_attr_get_type(info) != IFLA_VF_INFO) return;
                VfAttrs vf;
                if (parse_vf(info, vf))
                    out.push_back(vf);
                else
                    bad_vf = true;
            });
        if (!list_ok) bad_vf = true;
    });
    if (!ok || bad_vf) return fail("rtnetlink: malformed IFLA_VFINFO_LIST");
    return out;
}

}  // namespace vfpath::sriov

namespace vfpath::sriov {

Result<Ack> parse_ack(const uint8_t* msg, size_t len) {
    const nlmsghdr* nlh = whole_message(msg, len);
    if (!nlh) return fail("rtnetlink: truncated message (" + std::to_string(len) + " bytes)");
    if (nlh->nlmsg_type != NLMSG_ERROR)
        return fail("rtnetlink: expected an acknowledgement, got message type " +
                    std::to_string(nlh->nlmsg_type));
    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(nlmsgerr))
        return fail("rtnetlink: truncated acknowledgement");
    const auto* e = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
    // 0 or a negative errno (the kernel's -MAX_ERRNO..0); anything else is not an answer, and
    // negating INT_MIN would overflow (found by fuzzing).
    if (e->error > 0 || e->error < -4095)
        return fail("rtnetlink: acknowledgement with error code " + std::to_string(e->error) +
                    ", which is not an errno");
    Ack ack;
    ack.error = -e->error;
    if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS)) return ack;
    // The TLVs follow the echoed request: its header only when capped (or on success).
    size_t off = sizeof(nlmsgerr);
    if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && e->error != 0) {
        // An echoed length shorter than its own header would wrap the offset around.
        if (e->msg.nlmsg_len < sizeof(nlmsghdr)) return ack;
        off += e->msg.nlmsg_len - sizeof(nlmsghdr);
    }
    // The kernel puts the TLVs at the next 4-byte boundary (netlink_ack: nlmsg_put pads the
    // payload); reading them at an odd echoed length was a misaligned access (found by fuzzing).
    off = MNL_ALIGN(off);
    if (off > mnl_nlmsg_get_payload_len(nlh)) return ack;
    const auto* tlv = static_cast<const uint8_t*>(mnl_nlmsg_get_payload(nlh)) + off;
    walk(tlv, mnl_nlmsg_get_payload_len(nlh) - off, [&](const nlattr* a) {
        if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG && mnl_attr_get_payload_len(a) > 0)
            ack.message = std::string(static_cast<const char*>(mnl_attr_get_payload(a)),
                                      strnlen(static_cast<const char*>(mnl_attr_get_payload(a)),
                                              mnl_attr_get_payload_len(a)));
    });
    return ack;
}

}  // namespace vfpath::sriov
