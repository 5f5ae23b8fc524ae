// bind / unbind / restore, planned against sysfs with their safety checks. Binding goes through
// driver_override + drivers_probe (the kernel's way to pick one driver for one device, without
// new_id's side effect on every device with the same IDs).
#include <algorithm>
#include <regex>

#include "sriov/api.h"
#include "sriov/cp/sysfs.h"

namespace vfpath::sriov {

using namespace detail;

namespace {

fs::path drivers_dir(const HostRoot& root) {
    return root.sys() / "bus/pci/drivers";
}
fs::path probe_file(const HostRoot& root) {
    return root.sys() / "bus/pci/drivers_probe";
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
    return out;
}

// dpdk-devbind refuses to take a device away from a kernel interface that carries traffic.
void check_netdevs(const PciDevice& d, ChangePlan& p) {
    for (const Netdev& n : d.netdevs) {
        if (!n.active()) continue;
        std::vector<std::string> what = n.routes;
        what.insert(what.end(), n.addresses.begin(), n.addresses.end());
        p.refusals.push_back(
            {d.bdf + ": its interface " + n.name + " is up with routes or addresses (" +
                 join(what) + "); taking the device from " + d.driver +
                 " cuts that traffic (and your session, if it runs over it). Bring " + n.name +
                 " down first, or use --force",
             true});
    }
}

// vfpath's host commands are for NICs: a disk controller, GPU or USB host on the wrong driver
// takes the root filesystem or the console with it. Anything that is not a PCI network
// controller (class 0x02xxxx) is refused unless --force.
void check_class(const PciDevice& d, ChangePlan& p) {
    if (d.is_network_class()) return;
    const std::string cls = d.pci_class.empty() ? "unreadable" : d.pci_class;
    p.refusals.push_back({d.bdf + " is not a network controller (PCI class " + cls + " in " +
                              (d.path / "class").string() +
                              "; a NIC is 0x02xxxx): changing its driver could take a disk, "
                              "display or other host device away. Use --force if you mean it",
                          true});
}

// Unbinding a PF's driver tears its VFs down (the PF driver's remove disables SR-IOV).
void check_pf(const HostRoot& root, const PciDevice& d, ChangePlan& p) {
    if (!d.is_pf || d.num_vfs == 0) return;
    std::vector<std::string> used;
    for (const auto& vf : d.vfs) {
        const std::string drv = link_name(root.sys() / "bus/pci/devices" / vf / "driver");
        if (!drv.empty()) used.push_back(vf + " on " + drv);
    }
    const std::string hint = "remove them first: vfpath host create-vfs " + d.bdf + " --count 0";
    if (!used.empty())
        p.refusals.push_back({d.bdf + " is a PF whose VFs are in use (" + join(used) +
                                  "); changing its driver would pull them away. " + hint,
                              false});
    else
        p.warnings.push_back(d.bdf + " is a PF with " + std::to_string(d.num_vfs) +
                             " VFs (none bound); its driver's unbind removes them");
}

void check_vfio(const HostRoot& root, const PciDevice& d, ChangePlan& p) {
    const VfioStatus v = read_vfio(root);
    if (!d.iommu_group) {
        if (v.noiommu) {
            p.warnings.push_back(
                "NO-IOMMU MODE: " + d.bdf +
                " has no IOMMU group and vfio runs with "
                "enable_unsafe_noiommu_mode=Y: the device can DMA anywhere in host memory and "
                "the kernel is tainted. Use this only on test machines");
        } else {
            p.refusals.push_back(
                {d.bdf + " has no IOMMU group (" + (d.path / "iommu_group").string() +
                     " does not exist): the IOMMU is off, so vfio-pci cannot give it to DPDK. "
                     "Enable VT-d/AMD-Vi in the firmware and boot with intel_iommu=on iommu=pt "
                     "(AMD: amd_iommu=on); on a test machine without IOMMU: echo 1 > " +
                     (root.sys() / "module/vfio/parameters/enable_unsafe_noiommu_mode").string(),
                 false});
        }
        return;
    }
    if (v.noiommu)
        p.warnings.push_back(
            "NO-IOMMU MODE is on (enable_unsafe_noiommu_mode=Y): devices bound "
            "to vfio-pci without an IOMMU can DMA anywhere in host memory");
    std::vector<std::string> host;
    for (const auto& m : group_members(root, *d.iommu_group))
        if (m.bdf != d.bdf && !vfio_compatible_driver(m.driver))
            host.push_back(m.bdf + " on " + m.driver);
    if (!host.empty())
        p.refusals.push_back(
            {"IOMMU group " + std::to_string(*d.iommu_group) + " of " + d.bdf +
                 " is not viable: " + join(host) +
                 " shares it with a host driver, and vfio opens a group only when every member is "
                 "on vfio-pci or unbound. Bind those too, or use --force to bind this one anyway",
             true});
    if (!d.physfn.empty() &&
        link_name(root.sys() / "bus/pci/devices" / d.physfn / "driver") == "vfio-pci")
        p.warnings.push_back("the PF " + d.physfn + " of " + d.bdf +
                             " is on vfio-pci: DPDK must open this VF with "
                             "--vfio-vf-token=<the UUID the PF's user set>");
}

Result<PciDevice> device(const HostRoot& root, std::string_view bdf) {
    return read_device(root, bdf);
}

}  // namespace

Result<ChangePlan> plan_bind(const HostRoot& root, std::string_view bdf, std::string_view driver) {
    // The name becomes a path under bus/pci/drivers: no '/', and no leading '.' (so not "..").
    static const std::regex name_re("^[A-Za-z0-9_-][A-Za-z0-9_.-]*$");
    if (!std::regex_match(std::string(driver), name_re))
        return fail("driver '" + std::string(driver) +
                    "' is not a driver name (letters, digits, '_', '.', '-'; no leading '.')");
    auto d = device(root, bdf);
    if (!d) return fail(d.error());
    ChangePlan p;
    p.bdf = d->bdf;
    p.expect_driver = std::string(driver);
    p.what = "bind " + d->bdf + ": " + (d->driver.empty() ? "no driver" : d->driver) + " -> " +
             std::string(driver);
    if (d->driver == driver) return p;  // nothing to do
    const fs::path drv = drivers_dir(root) / std::string(driver);
    if (!present(drv)) {
        p.refusals.push_back({"driver " + std::string(driver) + " is not loaded (" + drv.string() +
                                  " does not exist)" +
                                  (driver == "vfio-pci" ? "; load it: modprobe vfio-pci" : ""),
                              false});
    }
    if (driver == "vfio-pci") {
        check_vfio(root, *d, p);
        if (is_bifurcated_driver(d->driver))
            p.refusals.push_back({d->bdf + " is on " + d->driver +
                                      ": mlx5 devices are bifurcated, DPDK's mlx5 PMD "
                                      "drives them while they stay on their kernel driver; "
                                      "vfio-pci would break that. "
                                      "Leave it on " +
                                      d->driver + " (use --force only to pass it to a VM)",
                                  true});
    }
    check_class(*d, p);
    check_netdevs(*d, p);
    check_pf(root, *d, p);
    if (!d->driver.empty()) p.writes.push_back({drivers_dir(root) / d->driver / "unbind", d->bdf});
    p.writes.push_back({d->path / "driver_override", std::string(driver)});
    p.writes.push_back({probe_file(root), d->bdf});
    p.record = BindRecord{d->bdf, d->driver, d->driver_override};
    return p;
}

Result<ChangePlan> plan_unbind(const HostRoot& root, std::string_view bdf) {
    auto d = device(root, bdf);
    if (!d) return fail(d.error());
    ChangePlan p;
    p.bdf = d->bdf;
    p.what = "unbind " + d->bdf + " from " + (d->driver.empty() ? "no driver" : d->driver);
    if (d->driver.empty()) return p;  // nothing to do
    check_class(*d, p);
    check_netdevs(*d, p);
    check_pf(root, *d, p);
    p.writes.push_back({drivers_dir(root) / d->driver / "unbind", d->bdf});
    p.record = BindRecord{d->bdf, d->driver, d->driver_override};
    return p;
}

Result<ChangePlan> plan_restore(const HostRoot& root, std::string_view bdf) {
    auto d = device(root, bdf);
    if (!d) return fail(d.error());
    ChangePlan p;
    p.bdf = d->bdf;
    const auto rec = find_record(root, d->bdf);
    if (!rec) {
        p.what = "restore " + d->bdf;
        p.refusals.push_back({"nothing recorded for " + d->bdf + " in " +
                                  state_file(root).string() +
                                  ": vfpath did not bind or unbind it since boot",
                              false});
        return p;
    }
    p.forget = true;
    p.expect_driver = rec->driver;
    p.what = "restore " + d->bdf + ": " + (d->driver.empty() ? "no driver" : d->driver) + " -> " +
             (rec->driver.empty() ? "no driver" : rec->driver);
    const std::string override_after = rec->driver_override.empty() ? "\n" : rec->driver_override;
    if (d->driver == rec->driver && d->driver_override == rec->driver_override) return p;
    check_netdevs(*d, p);
    check_pf(root, *d, p);
    if (!d->driver.empty()) p.writes.push_back({drivers_dir(root) / d->driver / "unbind", d->bdf});
    if (!rec->driver.empty()) {
        if (!present(drivers_dir(root) / rec->driver))
            p.refusals.push_back({"driver " + rec->driver + " is not loaded (" +
                                      (drivers_dir(root) / rec->driver).string() +
                                      " does not exist); load it: modprobe " + rec->driver,
                                  false});
        // Pin the old driver for the probe, then give driver_override its old value back.
        p.writes.push_back({d->path / "driver_override", rec->driver});
        p.writes.push_back({probe_file(root), d->bdf});
    }
    p.writes.push_back({d->path / "driver_override", override_after});
    return p;
}

}  // namespace vfpath::sriov
