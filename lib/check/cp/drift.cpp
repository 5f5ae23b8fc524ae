// Policy drift: the VF admin state a config declares (ports[].vf) against what the PF reports
// over rtnetlink (IFLA_VF_INFO). Only kernel-driven PFs hold that state: a PF on vfio-pci has no
// netdev to ask.
#include "check/api.h"

namespace vfpath::check {

namespace {

std::string on_off(bool b) {
    return b ? "on" : "off";
}

}  // namespace

std::vector<Finding> check_drift(const config::Config& cfg, const std::vector<PortView>& ports,
                                 sriov::VfAttrSource& source) {
    std::vector<Finding> f;
    for (size_t i = 0; i < cfg.ports.size() && i < ports.size(); ++i) {
        const config::PortConfig& pc = cfg.ports[i];
        if (!pc.vf) continue;
        const std::string path = "ports[" + std::to_string(i) + "].vf";
        auto add = [&](Severity s, std::string check, std::string msg) {
            f.push_back({s, pc.name, std::move(check), pc.name + ": " + std::move(msg)});
        };
        const PortView& v = ports[i];
        if (!v.pci || !v.device || !v.device->vf_index) {
            add(Severity::warning, "drift.not_vf",
                path + " is set, but " + pc.device +
                    " is not a VF here (no physfn link): "
                    "nothing to compare");
            continue;
        }
        const sriov::PciDevice& d = *v.device;
        // The PF's netdev, as read_port_views found it in the PF's directory beside the VF's.
        const std::string& netdev = v.pf_netdev;
        const auto pf_dir = d.path.parent_path() / d.physfn / "net";
        if (netdev.empty()) {
            add(Severity::info, "drift.skipped",
                "its PF " + d.physfn + " has no kernel netdev (" + pf_dir.string() +
                    "): the PF is not kernel-driven, so there is no admin state to compare");
            continue;
        }
        auto vfs = source.vfs(netdev);
        if (!vfs) {
            add(Severity::warning, "drift.unreadable",
                "cannot compare " + path + " with the PF: " + vfs.error());
            continue;
        }
        const sriov::VfAttrs* a = nullptr;
        for (const auto& x : *vfs)
            if (x.index == *d.vf_index) a = &x;
        const std::string who =
            "VF " + std::to_string(*d.vf_index) + " of " + netdev + " (" + d.bdf + ")";
        if (!a) {
            add(Severity::error, "drift.missing", who + " is not in the PF's VF list");
            continue;
        }
        const std::string fix =
            "; vfpath host set-vf " + d.physfn + " " + std::to_string(*d.vf_index);
        auto differ = [&](const std::string& key, const std::string& have, const std::string& want,
                          const std::string& flag) {
            add(Severity::error, "drift." + key,
                who + " has " + key + " " + have + ", the config says " + want + " (" + path + "." +
                    key + ")" + fix + " " + flag);
        };
        const config::VfPolicy& p = *pc.vf;
        if (p.mac && sriov::format_mac(*p.mac) != sriov::format_mac(a->mac))
            differ("mac", sriov::format_mac(a->mac), sriov::format_mac(*p.mac),
                   "--mac " + sriov::format_mac(*p.mac));
        if (p.vlan && *p.vlan != a->vlan)
            differ("vlan", std::to_string(a->vlan), std::to_string(*p.vlan),
                   "--vlan " + std::to_string(*p.vlan));
        if (p.qos && *p.qos != a->qos)
            differ("qos", std::to_string(a->qos), std::to_string(*p.qos),
                   "--vlan " + std::to_string(p.vlan.value_or(a->vlan)) + " --qos " +
                       std::to_string(*p.qos));
        if (p.spoofchk && a->spoofchk != p.spoofchk)
            differ("spoofchk", a->spoofchk ? on_off(*a->spoofchk) : "unknown", on_off(*p.spoofchk),
                   "--spoofchk " + on_off(*p.spoofchk));
        if (p.trust && a->trust != p.trust)
            differ("trust", a->trust ? on_off(*a->trust) : "unknown", on_off(*p.trust),
                   "--trust " + on_off(*p.trust));
        if (p.max_tx_rate && *p.max_tx_rate != a->max_tx_rate)
            differ("max_rate", std::to_string(a->max_tx_rate), std::to_string(*p.max_tx_rate),
                   "--max-rate " + std::to_string(*p.max_tx_rate));
    }
    return f;
}

}  // namespace vfpath::check
