// vfio and IOMMU facts: is vfio-pci there, is no-IOMMU mode on, who shares an IOMMU group.
#include <algorithm>
#include <cctype>

#include "sriov/api.h"
#include "sriov/cp/sysfs.h"
#include "util/file.h"

namespace vfpath::sriov {

using namespace detail;

VfioStatus read_vfio(const HostRoot& root) {
    VfioStatus s;
    s.module_loaded =
        present(root.sys() / "module/vfio_pci") || present(root.sys() / "bus/pci/drivers/vfio-pci");
    s.iommu_type1 = present(root.sys() / "module/vfio_iommu_type1");
    // Y/N for a bool module parameter; 1 is accepted too.
    const auto yes = [](const std::optional<std::string>& v) {
        return v && !v->empty() &&
               (std::toupper(static_cast<unsigned char>((*v)[0])) == 'Y' || (*v)[0] == '1');
    };
    s.noiommu =
        yes(read_first_line(root.sys() / "module/vfio/parameters/enable_unsafe_noiommu_mode"));
    if (auto v = read_first_line(root.sys() / "module/vfio_pci/parameters/enable_sriov"))
        s.enable_sriov = yes(v);
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(root.sys() / "kernel/iommu_groups", ec)) {
        (void)e;
        ++s.iommu_groups;
    }
    return s;
}

std::vector<GroupMember> group_members(const HostRoot& root, int group) {
    std::vector<GroupMember> out;
    std::error_code ec;
    const fs::path dir = root.sys() / "kernel/iommu_groups" / std::to_string(group) / "devices";
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        const std::string bdf = e.path().filename().string();
        // The group's entry links to the device; its driver link is in the device directory.
        out.push_back({bdf, link_name(root.sys() / "bus/pci/devices" / bdf / "driver")});
    }
    std::sort(out.begin(), out.end(),
              [](const GroupMember& a, const GroupMember& b) { return a.bdf < b.bdf; });
    return out;
}

bool vfio_compatible_driver(std::string_view driver) {
    // drivers/vfio/group.c vfio_dev_driver_allowed(): pci-stub; bridges on pcieport do not
    // prevent use; an unbound device is fine.
    return driver.empty() || driver == "vfio-pci" || driver == "pci-stub" || driver == "pcieport";
}

bool is_bifurcated_driver(std::string_view driver) {
    return driver == "mlx5_core";
}

}  // namespace vfpath::sriov
