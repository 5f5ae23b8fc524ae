// Reading the host once for the checks: topology, vfio, SR-IOV devices, and what each config
// port is here.
#include "check/api.h"

namespace vfpath::check {

std::string_view to_string(Severity s) {
    switch (s) {
        case Severity::info:
            return "info";
        case Severity::warning:
            return "warning";
        case Severity::error:
            return "error";
    }
    return "?";
}

bool has_errors(const std::vector<Finding>& f) {
    for (const auto& x : f)
        if (x.severity == Severity::error) return true;
    return false;
}

HostView read_host_view(const topology::HostRoot& root) {
    HostView h;
    h.root = root;
    h.cgroup = topology::read_cgroup(root);
    h.cpus = topology::read_host(root, h.cgroup);
    h.nodes = topology::read_nodes(root.sys().string());
    h.isolation = topology::read_isolation(root);
    h.affinity = topology::process_affinity(root);
    h.vfio = sriov::read_vfio(root);
    h.pfs = sriov::list_pfs(root);
    for (const auto& pf : h.pfs)
        for (const auto& bdf : pf.vfs)
            if (auto vf = sriov::read_device(root, bdf)) h.vfs.push_back(std::move(*vf));
    for (const auto* list : {&h.pfs, &h.vfs})
        for (const auto& d : *list)
            if (d.iommu_group && !h.groups.count(*d.iommu_group))
                h.groups[*d.iommu_group] = sriov::group_members(root, *d.iommu_group);
    return h;
}

std::vector<PortView> read_port_views(const topology::HostRoot& root, const config::Config& cfg) {
    std::vector<PortView> out(cfg.ports.size());
    for (size_t i = 0; i < cfg.ports.size(); ++i) {
        PortView& v = out[i];
        v.pci = cfg.ports[i].is_pci();
        if (!v.pci) continue;
        v.locality = topology::pci_locality(cfg.ports[i].device, root.sys().string());
        auto d = sriov::read_device(root, cfg.ports[i].device);
        if (!d) continue;
        if (!d->physfn.empty())
            if (auto pf = sriov::read_device(root, d->physfn)) {
                v.pf_driver = pf->driver;
                if (!pf->netdevs.empty()) v.pf_netdev = pf->netdevs.front().name;
            }
        if (d->iommu_group) v.group = sriov::group_members(root, *d->iommu_group);
        v.device = std::move(*d);
    }
    return out;
}

}  // namespace vfpath::check
