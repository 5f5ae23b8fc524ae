// Preflight: is the host ready for DPDK on VFs (vfio-pci, IOMMU, groups, vf_token, hugepages,
// isolation), and are the config's devices on drivers DPDK can use.
#include <algorithm>

#include "check/api.h"

namespace vfpath::check {

namespace {

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
    return out;
}

// Members of a group that keep vfio from opening it.
std::vector<std::string> blockers(const std::vector<sriov::GroupMember>& group,
                                  const std::string& self) {
    std::vector<std::string> out;
    for (const auto& m : group)
        if (m.bdf != self && !sriov::vfio_compatible_driver(m.driver))
            out.push_back(m.bdf + " on " + m.driver);
    return out;
}

std::string group_message(const sriov::PciDevice& d, const std::vector<std::string>& b) {
    return d.bdf + " is on vfio-pci but its IOMMU group " + std::to_string(*d.iommu_group) +
           " is not viable: " + join(b) +
           " shares it with a host driver, so DPDK cannot open "
           "it. Bind those to vfio-pci too (vfpath host bind BDF), or move the card to a slot "
           "with its own group (ACS)";
}

// A device's IOMMU group as read_host_view read it (empty when it was not read).
const std::vector<sriov::GroupMember>& group_of(const HostView& h, int group) {
    static const std::vector<sriov::GroupMember> k_none;
    const auto it = h.groups.find(group);
    return it == h.groups.end() ? k_none : it->second;
}

// vfio-pci is there and the IOMMU is on, but the backend that maps DMA for a vfio container is
// missing (no-IOMMU mode needs none).
bool missing_type1(const HostView& h) {
    return h.vfio.module_loaded && !h.vfio.noiommu && !h.vfio.iommu_type1;
}

std::string type1_message(const HostView& h) {
    return "vfio's IOMMU backend vfio_iommu_type1 is not loaded (no " +
           (h.root.sys() / "module/vfio_iommu_type1").string() +
           "): DPDK finds \"No supported IOMMU extensions\" and probes no device on vfio-pci. "
           "Load it: modprobe vfio_iommu_type1 (modprobe vfio-pci normally pulls it in)";
}

const char* k_iommu_fix =
    "Enable VT-d/AMD-Vi in the firmware and boot with intel_iommu=on "
    "iommu=pt (AMD: amd_iommu=on)";

}  // namespace

std::vector<Finding> check_host(const HostView& h) {
    std::vector<Finding> f;
    auto add = [&](Severity s, std::string check, std::string msg) {
        f.push_back({s, "", std::move(check), std::move(msg)});
    };
    if (!h.vfio.module_loaded)
        add(Severity::warning, "vfio.module",
            "vfio-pci is not loaded (no " + (h.root.sys() / "module/vfio_pci").string() +
                "): VFs cannot be given to DPDK until it is: modprobe vfio-pci");
    if (h.vfio.noiommu)
        add(Severity::warning, "vfio.noiommu",
            "NO-IOMMU MODE is on (" +
                (h.root.sys() / "module/vfio/parameters/enable_unsafe_noiommu_mode").string() +
                " = Y): devices on vfio-pci can DMA anywhere in host memory and the kernel is "
                "tainted. Use it only on test machines");
    else if (h.vfio.iommu_groups == 0)
        add(Severity::warning, "iommu.off",
            std::string("no IOMMU groups in ") + (h.root.sys() / "kernel/iommu_groups").string() +
                ": the IOMMU is off, so vfio-pci cannot take devices. " + k_iommu_fix);
    if (missing_type1(h)) add(Severity::warning, "vfio.iommu_type1", type1_message(h));
    std::vector<const sriov::PciDevice*> all;
    for (const auto& d : h.pfs) all.push_back(&d);
    for (const auto& d : h.vfs) all.push_back(&d);
    for (const sriov::PciDevice* d : all) {
        for (const auto& p : d->problems) add(Severity::warning, "sysfs", p);
        if (!d->numa_node && d->problems.empty())
            add(Severity::warning, "numa.unknown",
                d->bdf +
                    ": numa_node is -1, the platform reports no locality for it; check "
                    "cannot tell which node's lcores and memory should serve it");
        if (d->driver == "vfio-pci" && d->iommu_group) {
            const auto b = blockers(group_of(h, *d->iommu_group), d->bdf);
            if (!b.empty()) add(Severity::error, "iommu.group", group_message(*d, b));
        }
        if (d->is_pf && d->driver == "vfio-pci" && d->num_vfs > 0)
            add(Severity::info, "vfio.vf_token",
                "PF " + d->bdf + " is on vfio-pci with " + std::to_string(d->num_vfs) +
                    " VFs: their users need the PF user's VF token (DPDK: --vfio-vf-token)");
        if (!d->physfn.empty() && sriov::is_bifurcated_driver(d->driver))
            add(Severity::info, "driver.bifurcated",
                d->bdf + " is on " + d->driver +
                    ": DPDK's mlx5 PMD uses it there (bifurcated); "
                    "do not bind it to vfio-pci");
    }
    for (const auto& n : h.nodes) {
        std::string hp;
        for (const auto& p : n.hugepages)
            if (p.total > 0)
                hp += (hp.empty() ? "" : ", ") + std::to_string(p.free) + " of " +
                      std::to_string(p.total) + " x " + topology::format_page_size(p.size_kb) +
                      " free";
        add(Severity::info, "hugepages",
            "node " + std::to_string(n.id) + " (CPUs " + topology::format_cpu_list(n.cpus) +
                "): " + (hp.empty() ? "no hugepages reserved" : hp));
    }
    if (h.isolation.isolated.empty() && h.isolation.nohz_full.empty())
        add(Severity::info, "cpu.isolation", "no CPU is isolated (isolcpus/nohz_full)");
    else
        add(Severity::info, "cpu.isolation",
            "isolated CPUs " + topology::format_cpu_list(h.isolation.isolated) + ", nohz_full " +
                topology::format_cpu_list(h.isolation.nohz_full) + " (" + h.isolation.source + ")");
    if (h.affinity) {
        std::vector<unsigned> online;
        for (const auto& c : h.cpus.cpus) online.push_back(c.id);
        if (*h.affinity != online)
            add(Severity::info, "cpu.affinity",
                "this process may use CPUs " + topology::format_cpu_list(*h.affinity) + " of " +
                    topology::format_cpu_list(online) + " online (container CPU set or taskset)");
    }
    for (const auto& p : h.cgroup.problems) add(Severity::warning, "sysfs", p);
    if (auto cpus = h.cpus.restricted_cpus())
        add(Severity::info, "cgroup.cpuset",
            "the cgroup allows CPUs " + topology::format_cpu_list(*cpus) + " (" +
                h.cgroup.cpus_file + "): a config without eal.lcores runs on them");
    for (const auto& l : h.cgroup.hugetlb)
        if (l.bytes)
            add(Severity::info, "cgroup.hugetlb",
                "hugepages of " + topology::format_page_size(l.page_kb) + " limited to " +
                    std::to_string(*l.bytes >> 20) + " MiB (" + l.source + ")");
    return f;
}

std::vector<Finding> check_ports(const config::Config& cfg, const HostView& h,
                                 const std::vector<PortView>& ports) {
    std::vector<Finding> f;
    for (size_t i = 0; i < cfg.ports.size() && i < ports.size(); ++i) {
        const config::PortConfig& pc = cfg.ports[i];
        const PortView& v = ports[i];
        auto add = [&](Severity s, std::string check, std::string msg) {
            f.push_back({s, pc.name, std::move(check), pc.name + ": " + std::move(msg)});
        };
        if (!v.pci) continue;
        if (!v.device) {
            add(Severity::error, "port.device",
                "no PCI device " + pc.device + " on this host (" +
                    (h.root.sys() / "bus/pci/devices" / topology::full_bdf(pc.device)).string() +
                    " does not exist)");
            continue;
        }
        const sriov::PciDevice& d = *v.device;
        for (const auto& p : d.problems) add(Severity::warning, "sysfs", p);
        const std::string bind = "vfpath host bind " + d.bdf;
        if (d.driver.empty()) {
            add(Severity::error, "port.driver",
                d.bdf + " is bound to no driver: DPDK cannot use it. " + bind);
        } else if (sriov::is_bifurcated_driver(d.driver)) {
            add(Severity::info, "port.driver",
                d.bdf + " is on " + d.driver + ": bifurcated, DPDK's mlx5 PMD uses it there");
        } else if (d.driver == "uio_pci_generic" || d.driver == "igb_uio") {
            add(Severity::warning, "port.driver",
                d.bdf + " is on " + d.driver +
                    ": no IOMMU protection and no interrupts for "
                    "resets; prefer vfio-pci: " +
                    bind);
        } else if (d.driver != "vfio-pci") {
            add(Severity::error, "port.driver",
                d.bdf + " is on kernel driver " + d.driver + ": DPDK cannot drive it there. " +
                    bind + " (and vfpath host restore " + d.bdf + " to give it back)");
        }
        if (d.driver != "vfio-pci") continue;
        if (!d.iommu_group && !h.vfio.noiommu)
            add(Severity::error, "iommu.off",
                d.bdf + " has no IOMMU group: the IOMMU is off. " + std::string(k_iommu_fix));
        if (!d.iommu_group && h.vfio.noiommu)
            add(Severity::warning, "vfio.noiommu",
                d.bdf + " runs in NO-IOMMU MODE: it can DMA anywhere in host memory");
        if (d.iommu_group && missing_type1(h))
            add(Severity::error, "vfio.iommu_type1", type1_message(h));
        if (d.iommu_group)
            if (const auto b = blockers(v.group, d.bdf); !b.empty())
                add(Severity::error, "iommu.group", group_message(d, b));
        if (v.pf_driver == "vfio-pci") {
            const bool given = std::any_of(
                cfg.eal.extra_args.begin(), cfg.eal.extra_args.end(),
                [](const std::string& a) { return a.rfind("--vfio-vf-token", 0) == 0; });
            add(given ? Severity::info : Severity::error, "vfio.vf_token",
                "its PF " + d.physfn +
                    " is on vfio-pci, so opening this VF needs the PF's VF "
                    "token" +
                    (given ? " (given in eal.extra_args)"
                           : ": add --vfio-vf-token=<UUID> to eal.extra_args"));
        }
    }
    // vf_policy acts through the VF mailbox events of a PF that DPDK drives with the ixgbe or
    // i40e PMD; `run` names the PMD after probing, this says what sysfs already shows.
    for (size_t i = 0; i < cfg.vf_policy.size(); ++i) {
        const auto& vp = cfg.vf_policy[i];
        const std::string at = "vf_policy[" + std::to_string(i) + "] (port " + vp.pf + "): ";
        std::string why;
        for (size_t p = 0; p < cfg.ports.size() && p < ports.size(); ++p) {
            if (cfg.ports[p].name != vp.pf) continue;
            const PortView& v = ports[p];
            if (!v.pci)
                why = cfg.ports[p].device + " is a virtual device: it has no VFs";
            else if (v.device && !v.device->is_pf)
                why = v.device->bdf + " is not an SR-IOV PF (no sriov_totalvfs)";
            else if (v.device && v.device->driver != "vfio-pci" &&
                     v.device->driver != "uio_pci_generic" && v.device->driver != "igb_uio")
                why = v.device->bdf + " is on kernel driver " +
                      (v.device->driver.empty() ? std::string("(none)") : v.device->driver) +
                      ", which answers its VFs itself";
        }
        if (!why.empty())
            f.push_back({Severity::warning, vp.pf, "vf_policy",
                         at + why + "; the policy applies only to a PF that DPDK drives with the "
                                    "ixgbe or i40e PMD, so it is ignored here"});
    }
    return f;
}

}  // namespace vfpath::check
