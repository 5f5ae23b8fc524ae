// create-vfs: sriov_numvfs through 0 (the kernel refuses to change a non-zero count directly,
// drivers/pci/iov.c sriov_numvfs_store: -EBUSY), with sriov_drivers_autoprobe set first.
#include "sriov/api.h"
#include "sriov/cp/sysfs.h"

namespace vfpath::sriov {

using namespace detail;

Result<ChangePlan> plan_create_vfs(const HostRoot& root, std::string_view pf, const CreateVfs& c) {
    auto d = find_pf(root, pf);
    if (!d) return fail(d.error());
    ChangePlan p;
    p.bdf = d->bdf;
    p.expect_vfs = c.count;
    p.what = "create-vfs " + d->bdf + ": " + std::to_string(d->num_vfs) + " -> " +
             std::to_string(c.count) + " VFs";
    // Values the decision rests on must be readable: garbage here is not "0 VFs".
    for (const char* f : {"sriov_totalvfs", "sriov_numvfs"})
        if (auto v = read_number(d->path / f, "a VF count"); !v) return fail(v.error());
    if (c.count > d->total_vfs) {
        p.refusals.push_back({"--count " + std::to_string(c.count) + " exceeds the " +
                                  std::to_string(d->total_vfs) + " VFs " + d->bdf + " supports (" +
                                  (d->path / "sriov_totalvfs").string() + ")",
                              false});
        return p;
    }
    if (d->driver.empty())
        p.refusals.push_back({d->bdf + " has no driver: the kernel creates VFs only through the "
                                       "PF's driver; bind one first",
                              false});
    if (c.autoprobe && d->autoprobe != c.autoprobe)
        p.writes.push_back({d->path / "sriov_drivers_autoprobe", *c.autoprobe ? "1" : "0"});
    if (d->num_vfs == c.count) return p;  // only the autoprobe write, if any
    if (d->num_vfs > 0) {
        // Every current VF goes away: refuse when one is in use.
        for (const auto& vf : d->vfs) {
            auto v = read_device(root, vf);
            if (!v) continue;
            if (v->driver == "vfio-pci")
                p.refusals.push_back({"changing the VF count removes " + vf +
                                          ", which is bound to vfio-pci (a DPDK process or VM may "
                                          "be using it); use --force to remove it anyway",
                                      true});
            for (const auto& n : v->netdevs)
                if (n.active())
                    p.refusals.push_back({"changing the VF count removes " + vf +
                                              ", whose interface " + n.name +
                                              " is up with routes or addresses; use --force to "
                                              "remove it anyway",
                                          true});
        }
        p.writes.push_back({d->path / "sriov_numvfs", "0"});
    }
    if (c.count > 0) p.writes.push_back({d->path / "sriov_numvfs", std::to_string(c.count)});
    return p;
}

}  // namespace vfpath::sriov
