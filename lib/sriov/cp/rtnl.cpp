// The rtnetlink socket: sends the messages netlink.cpp builds to this kernel and reads answers.
// Never runs `ip`: the attributes go straight to the PF driver's ndo_set_vf_* through rtnetlink.
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>

#include "sriov/api.h"

namespace vfpath::sriov {

namespace {

// A PF with 128 VFs answers RTM_GETLINK with ~30 KiB of IFLA_VF_INFO even without stats.
constexpr size_t k_answer_size = 256 * 1024;

struct SocketCloser {
    void operator()(mnl_socket* s) const { mnl_socket_close(s); }
};
using Socket = std::unique_ptr<mnl_socket, SocketCloser>;

Result<Socket> open_socket() {
    Socket s(mnl_socket_open(NETLINK_ROUTE));
    if (!s) return fail(std::string("rtnetlink: cannot open a socket: ") + std::strerror(errno));
    if (mnl_socket_bind(s.get(), 0, MNL_SOCKET_AUTOPID) < 0)
        return fail(std::string("rtnetlink: cannot bind: ") + std::strerror(errno));
    // Ask for the kernel's own words with errors (extended ack); older kernels ignore it.
    int one = 1;
    mnl_socket_setsockopt(s.get(), NETLINK_EXT_ACK, &one, sizeof one);
    return s;
}

// Sends one request and returns the first answer (the only one for a non-dump request).
Result<std::vector<uint8_t>> transact(mnl_socket* s, const std::vector<uint8_t>& req) {
    if (mnl_socket_sendto(s, req.data(), req.size()) < 0)
        return fail(std::string("rtnetlink: send failed: ") + std::strerror(errno));
    std::vector<uint8_t> buf(k_answer_size);
    const ssize_t n = mnl_socket_recvfrom(s, buf.data(), buf.size());
    if (n < 0) return fail(std::string("rtnetlink: receive failed: ") + std::strerror(errno));
    buf.resize(static_cast<size_t>(n));
    return buf;
}

uint32_t next_seq() {
    return static_cast<uint32_t>(std::time(nullptr));
}

std::string ack_text(const Ack& a) {
    std::string t = std::strerror(a.error);
    if (!a.message.empty()) t += " (kernel: " + a.message + ")";
    return t;
}

}  // namespace

Result<std::vector<VfAttrs>> query_vfs(std::string_view ifname) {
    auto s = open_socket();
    if (!s) return fail(s.error());
    auto ans = transact(s->get(), build_getlink(ifname, next_seq()));
    if (!ans) return fail(ans.error());
    const auto* nlh = reinterpret_cast<const nlmsghdr*>(ans->data());
    if (ans->size() >= sizeof(nlmsghdr) && nlh->nlmsg_type == NLMSG_ERROR) {
        auto ack = parse_ack(ans->data(), ans->size());
        if (!ack) return fail(ack.error());
        return fail("rtnetlink: cannot read interface " + std::string(ifname) + ": " +
                    ack_text(*ack));
    }
    return parse_vfinfo(ans->data(), ans->size());
}

SetOutcome apply_setvf(std::string_view ifname, uint32_t vf, const std::vector<SetMessage>& msgs,
                       const SendFn& send) {
    SetOutcome o;
    for (size_t i = 0; i < msgs.size(); ++i) {
        const SetMessage& m = msgs[i];
        std::string why;
        auto ack = send(m);
        if (!ack) {
            why = ack.error();
        } else if (ack->error != 0) {
            why = "the driver refused " + m.attribute + ": " + ack_text(*ack);
            if (ack->error == EOPNOTSUPP)
                why += ": the PF driver does not implement it";
            else if (ack->error == EINVAL && vf != 0)
                why += ": check that VF " + std::to_string(vf) + " exists and the value is allowed";
        } else {
            o.applied.push_back(m);
            continue;
        }
        o.refused = m;
        o.why = std::string(ifname) + " VF " + std::to_string(vf) + ": " + why;
        o.not_sent.assign(msgs.begin() + static_cast<long>(i) + 1, msgs.end());
        break;
    }
    return o;
}

std::string describe(const SetOutcome& o, std::string_view ifname, uint32_t vf) {
    std::string out;
    const std::string who = std::string(ifname) + " vf " + std::to_string(vf);
    for (const SetMessage& m : o.applied)
        out += "  applied: " + who + " " + m.attribute + " " + m.value + "\n";
    if (o.refused) {
        out += "  not applied: " + who + " " + o.refused->attribute + " " + o.refused->value +
               ": " + o.why + "\n";
        for (const SetMessage& m : o.not_sent)
            out += "  not applied: " + who + " " + m.attribute + " " + m.value + ": not sent, " +
                   o.refused->attribute + " was refused before it\n";
    }
    return out;
}

SetOutcome set_vf(std::string_view ifname, uint32_t vf, const VfSettings& settings) {
    const auto fail_all = [&](const std::string& why) {
        auto msgs = build_setvf(0, vf, settings, 0);
        SetOutcome o;
        o.why = why;
        if (msgs.empty()) return o;
        o.refused = msgs.front();
        o.not_sent.assign(msgs.begin() + 1, msgs.end());
        return o;
    };
    const unsigned ifindex = if_nametoindex(std::string(ifname).c_str());
    if (ifindex == 0)
        return fail_all("no network interface " + std::string(ifname) + ": " +
                        std::strerror(errno));
    auto s = open_socket();
    if (!s) return fail_all(s.error());
    const auto msgs = build_setvf(static_cast<int>(ifindex), vf, settings, next_seq());
    return apply_setvf(ifname, vf, msgs, [&](const SetMessage& m) -> Result<Ack> {
        auto ans = transact(s->get(), m.bytes);
        if (!ans) return fail(ans.error());
        return parse_ack(ans->data(), ans->size());
    });
}

}  // namespace vfpath::sriov
