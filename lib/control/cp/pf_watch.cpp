#include "control/cp/pf_watch.h"

#include <map>

namespace vfpath::control {

std::vector<PfWatchTarget> pf_watch_targets(
    const sriov::HostRoot& root, const std::vector<std::pair<uint16_t, std::string>>& ports,
    std::vector<std::string>* skipped) {
    std::vector<PfWatchTarget> out;
    auto skip = [&](const std::string& why) {
        if (skipped) skipped->push_back(why);
    };
    for (const auto& [pidx, addr] : ports) {
        const auto bdf = sriov::parse_bdf(addr);
        if (!bdf) {
            skip(addr + " is not a PCI address");
            continue;
        }
        auto dev = sriov::read_device(root, *bdf);
        if (!dev) {
            skip(dev.error());
            continue;
        }
        if (dev->physfn.empty() || !dev->vf_index) {
            skip(*bdf + " is not a VF");
            continue;
        }
        auto pf = sriov::read_device(root, dev->physfn);
        if (!pf || pf->netdevs.empty()) {
            skip(*bdf + ": its PF " + dev->physfn + " has no netdev (not driven by the kernel)");
            continue;
        }
        out.push_back({pidx, *bdf, pf->netdevs.front().name, *dev->vf_index});
    }
    return out;
}

std::vector<PfWatch::Change> PfWatch::poll(
    const std::function<std::optional<config::MacAddr>(uint16_t)>& current,
                                           std::vector<std::string>* notes) {
    std::vector<Change> out;
    // One query per PF, however many of its VFs are ports.
    std::map<std::string, Result<std::vector<sriov::VfAttrs>>> by_pf;
    for (size_t i = 0; i < targets_.size(); ++i) {
        const PfWatchTarget& t = targets_[i];
        const std::optional<config::MacAddr> used = current(t.pidx);
        if (!used) continue;
        auto it = by_pf.find(t.pf_netdev);
        if (it == by_pf.end()) it = by_pf.emplace(t.pf_netdev, source_.vfs(t.pf_netdev)).first;
        auto& vfs = it->second;
        const sriov::VfAttrs* a = nullptr;
        if (vfs)
            for (const auto& v : *vfs)
                if (v.index == t.vf) a = &v;
        if (!a) {
            if (notes && !reported_[i])
                notes->push_back(t.pf_netdev + " vf " + std::to_string(t.vf) + ": " +
                                  (vfs ? std::string("not in the PF's VF list") : vfs.error()));
            reported_[i] = true;
            continue;
        }
        reported_[i] = false;
        const config::MacAddr pf_mac = a->mac;
        const bool first = !seen_[i];
        seen_[i] = true;
        if (pf_mac == config::MacAddr{}) continue;  // the PF leaves the VF its own choice
        const config::MacAddr now = *used;
        if (first && pf_mac != now) {
            acted_[i] = pf_mac;
            if (notes)
                notes->push_back(t.pf_netdev + " vf " + std::to_string(t.vf) + " holds MAC " +
                                 config::format_mac(pf_mac) + ", the port uses " +
                                 config::format_mac(now) + " (left as it is)");
            continue;
        }
        if (pf_mac == now) {
            acted_[i].reset();  // in agreement: a later change is acted on again
            continue;
        }
        if (acted_[i] && *acted_[i] == pf_mac) continue;
        acted_[i] = pf_mac;
        out.push_back({t.pidx, pf_mac, t.pf_netdev, t.vf});
    }
    return out;
}

}  // namespace vfpath::control
