// lib/sriov on fixture trees: reading PFs/VFs, bad sysfs content, and the exact writes (files and
// order) of bind / unbind / restore / create-vfs, with every refusal.
#include <gtest/gtest.h>

#include "host_fixture.h"
#include "sriov/api.h"

using namespace vfpath;
using namespace vfpath::testing;
using sriov::Write;

namespace {

const auto k_2s = fixture_root("host-2socket-sriov");

bool mentions(const std::vector<sriov::Refusal>& r, const std::string& text, bool forceable) {
    for (const auto& x : r)
        if (x.message.find(text) != std::string::npos && x.forceable == forceable) return true;
    return false;
}

std::string all(const std::vector<sriov::Refusal>& r) {
    std::string s;
    for (const auto& x : r) s += x.message + (x.forceable ? " [forceable]\n" : "\n");
    return s;
}

}  // namespace

TEST(Sriov, ParsesBdf) {
    EXPECT_EQ(sriov::parse_bdf("AF:02.0"), "0000:af:02.0");
    EXPECT_EQ(sriov::parse_bdf("0000:af:02.7"), "0000:af:02.7");
    EXPECT_EQ(sriov::parse_bdf("af:02.8"), std::nullopt);
    EXPECT_EQ(sriov::parse_bdf("ens1f0"), std::nullopt);
    EXPECT_EQ(sriov::parse_bdf(""), std::nullopt);
}

TEST(Sriov, ReadsPfWithVfsNetdevAndRoutes) {
    auto pf = sriov::read_device(k_2s, "af:00.0");
    ASSERT_TRUE(pf) << pf.error();
    EXPECT_TRUE(pf->is_pf);
    EXPECT_EQ(pf->driver, "i40e");
    EXPECT_EQ(pf->numa_node, 1);
    EXPECT_EQ(pf->total_vfs, 8u);
    EXPECT_EQ(pf->num_vfs, 4u);
    EXPECT_EQ(pf->iommu_group, 40);
    EXPECT_EQ(pf->vfs, (std::vector<std::string>{"0000:af:02.0", "0000:af:02.1", "0000:af:02.2",
                                                 "0000:af:02.3"}));
    ASSERT_EQ(pf->netdevs.size(), 1u);
    EXPECT_EQ(pf->netdevs[0].name, "ens1f0");
    EXPECT_TRUE(pf->netdevs[0].up);
    EXPECT_EQ(pf->netdevs[0].routes, std::vector<std::string>{"10.10.0.0/24"});
    EXPECT_TRUE(pf->netdevs[0].active());
    EXPECT_TRUE(pf->problems.empty());
}

TEST(Sriov, ReadsVf) {
    auto vf = sriov::read_device(k_2s, "0000:af:02.2");
    ASSERT_TRUE(vf) << vf.error();
    EXPECT_FALSE(vf->is_pf);
    EXPECT_EQ(vf->physfn, "0000:af:00.0");
    EXPECT_EQ(vf->vf_index, 2u);
    EXPECT_EQ(vf->driver, "vfio-pci");
    EXPECT_EQ(vf->iommu_group, 43);
    EXPECT_TRUE(vf->netdevs.empty());
}

TEST(Sriov, ListsPfs) {
    const auto pfs = sriov::list_pfs(k_2s);
    ASSERT_EQ(pfs.size(), 2u);
    EXPECT_EQ(pfs[0].bdf, "0000:3b:00.0");
    EXPECT_EQ(pfs[1].bdf, "0000:af:00.0");
    EXPECT_TRUE(sriov::list_pfs(fixture_root("host-1node")).empty());
}

TEST(Sriov, BadSysfsContentIsNamedNotThrown) {
    auto d = sriov::read_device(fixture_root("iommu-shared"), "0000:06:00.0");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->numa_node, std::nullopt);
    ASSERT_EQ(d->problems.size(), 1u);
    EXPECT_NE(d->problems[0].find("0000:06:00.0/numa_node: expected a node number or -1, got "
                                  "\"zz\""),
              std::string::npos)
        << d->problems[0];
    const auto pfs = sriov::list_pfs(fixture_root("numa-minus1"));
    ASSERT_EQ(pfs.size(), 2u);
    ASSERT_EQ(pfs[1].problems.size(), 1u);
    EXPECT_NE(pfs[1].problems[0].find("sriov_totalvfs: expected a VF count, got \"garbage\""),
              std::string::npos);
    auto missing = sriov::read_device(k_2s, "0000:99:00.0");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().find("no PCI device 0000:99:00.0"), std::string::npos);
    EXPECT_NE(missing.error().find("sys/bus/pci/devices/0000:99:00.0 does not exist"),
              std::string::npos);
    EXPECT_FALSE(sriov::read_device(k_2s, "not-a-bdf"));
}

TEST(Sriov, MissingTreeIsEmptyNotACrash) {
    const topology::HostRoot none{"/nonexistent-root"};
    EXPECT_TRUE(sriov::list_pfs(none).empty());
    EXPECT_FALSE(sriov::read_vfio(none).module_loaded);
    EXPECT_FALSE(sriov::plan_bind(none, "af:02.0", "vfio-pci"));
}

TEST(Sriov, VfioStatus) {
    const auto v = sriov::read_vfio(k_2s);
    EXPECT_TRUE(v.module_loaded);
    EXPECT_FALSE(v.noiommu);
    EXPECT_EQ(v.iommu_groups, 8u);
    EXPECT_FALSE(sriov::read_vfio(fixture_root("host-1node")).module_loaded);
}

// ---- bind / restore: exact writes in order -------------------------------------------------

TEST(SriovBind, BindsVfThenRestoresIt) {
    TreeCopy t("host-2socket-sriov");
    const auto root = t.root();
    auto p = sriov::plan_bind(root, "af:02.0", "vfio-pci");
    ASSERT_TRUE(p) << p.error();
    EXPECT_TRUE(p->refusals.empty()) << all(p->refusals);
    const std::vector<Write> want = {
        {t.sys("bus/pci/drivers/iavf/unbind"), "0000:af:02.0"},
        {t.sys("bus/pci/devices/0000:af:02.0/driver_override"), "vfio-pci"},
        {t.sys("bus/pci/drivers_probe"), "0000:af:02.0"},
    };
    EXPECT_EQ(p->writes, want);
    KernelWriter w(t);
    ASSERT_TRUE(sriov::apply(root, *p, w));
    EXPECT_EQ(w.journal(), want);
    EXPECT_EQ(slurp(t.sys("bus/pci/drivers/iavf/unbind")), "0000:af:02.0");
    EXPECT_EQ(slurp(t.sys("bus/pci/devices/0000:af:02.0/driver_override")), "vfio-pci");
    EXPECT_TRUE(sriov::wait_done(root, *p, 1));
    EXPECT_NE(slurp(sriov::state_file(root)).find("0000:af:02.0 iavf -\n"), std::string::npos);

    // Binding again keeps the first record: restore goes back to iavf, not to vfio-pci.
    auto again = sriov::plan_bind(root, "af:02.0", "vfio-pci");
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->writes.empty());

    auto r = sriov::plan_restore(root, "0000:af:02.0");
    ASSERT_TRUE(r) << r.error();
    EXPECT_TRUE(r->refusals.empty()) << all(r->refusals);
    const std::vector<Write> back = {
        {t.sys("bus/pci/drivers/vfio-pci/unbind"), "0000:af:02.0"},
        {t.sys("bus/pci/devices/0000:af:02.0/driver_override"), "iavf"},
        {t.sys("bus/pci/drivers_probe"), "0000:af:02.0"},
        {t.sys("bus/pci/devices/0000:af:02.0/driver_override"), "\n"},
    };
    EXPECT_EQ(r->writes, back);
    KernelWriter w2(t);
    ASSERT_TRUE(sriov::apply(root, *r, w2));
    EXPECT_EQ(w2.journal(), back);
    EXPECT_TRUE(sriov::wait_done(root, *r, 1));
    EXPECT_EQ(sriov::read_device(root, "af:02.0")->driver, "iavf");
    EXPECT_EQ(sriov::find_record(root, "0000:af:02.0"), std::nullopt);
}

TEST(SriovBind, DryRunRecordsWithoutWriting) {
    TreeCopy t("host-2socket-sriov");
    auto p = sriov::plan_bind(t.root(), "af:02.0", "vfio-pci");
    ASSERT_TRUE(p);
    sriov::Writer w(true);
    std::vector<std::string> printed;
    w.on_write = [&](const Write& x) { printed.push_back(sriov::describe(x)); };
    ASSERT_TRUE(sriov::apply(t.root(), *p, w));
    EXPECT_EQ(w.journal(), p->writes);
    ASSERT_EQ(printed.size(), 3u);
    EXPECT_EQ(printed[1], "write 'vfio-pci' > " +
                              t.sys("bus/pci/devices/0000:af:02.0/driver_override").string());
    EXPECT_EQ(slurp(t.sys("bus/pci/drivers/iavf/unbind")), "\n");  // untouched
    EXPECT_FALSE(fs::exists(sriov::state_file(t.root())));
}

TEST(SriovBind, UnbindWritesOneFile) {
    TreeCopy t("host-2socket-sriov");
    auto p = sriov::plan_unbind(t.root(), "af:02.0");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->writes,
              (std::vector<Write>{{t.sys("bus/pci/drivers/iavf/unbind"), "0000:af:02.0"}}));
    KernelWriter w(t);
    ASSERT_TRUE(sriov::apply(t.root(), *p, w));
    EXPECT_TRUE(sriov::wait_done(t.root(), *p, 1));
    // restore re-probes iavf through driver_override, then clears the override.
    auto r = sriov::plan_restore(t.root(), "af:02.0");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->writes.size(), 3u);
    EXPECT_EQ(r->writes[0].value, "iavf");
}

TEST(SriovBind, AlreadyBoundIsNothingToDo) {
    auto p = sriov::plan_bind(k_2s, "af:02.2", "vfio-pci");
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->writes.empty());
    EXPECT_TRUE(p->refusals.empty());
}

TEST(SriovBind, RefusesActiveNetdevUnlessForced) {
    auto p = sriov::plan_bind(k_2s, "af:02.1", "vfio-pci");
    ASSERT_TRUE(p);
    EXPECT_TRUE(
        mentions(p->refusals, "ens1f0v1 is up with routes or addresses (10.1.0.0/24)", true))
        << all(p->refusals);
    EXPECT_FALSE(p->blocking(false).empty());
    EXPECT_TRUE(p->blocking(true).empty());
    auto u = sriov::plan_unbind(k_2s, "af:02.1");
    ASSERT_TRUE(u);
    EXPECT_TRUE(mentions(u->refusals, "ens1f0v1", true));
}

// virtio-pci keeps its netdev one level down (BDF/virtio0/net/eth0); that interface carries the
// VM's default route, so unbinding or binding its device is refused like any active netdev.
TEST(SriovBind, FindsVirtioNetdevOneLevelDown) {
    const auto vm = fixture_root("vm-virtio");
    auto d = sriov::read_device(vm, "00:03.0");
    ASSERT_TRUE(d) << d.error();
    ASSERT_EQ(d->netdevs.size(), 1u);
    EXPECT_EQ(d->netdevs[0].name, "eth0");
    EXPECT_TRUE(d->netdevs[0].active());
    for (auto p : {sriov::plan_unbind(vm, "00:03.0"), sriov::plan_bind(vm, "00:03.0", "vfio-pci")}) {
        ASSERT_TRUE(p);
        EXPECT_TRUE(mentions(p->refusals, "its interface eth0 is up with routes or addresses (0.0.0.0/0)",
                             true))
            << all(p->refusals);
        EXPECT_FALSE(p->blocking(false).empty());
    }
}

// The root disk's NVMe controller (class 0x010802) is not a NIC: refused unless --force; a
// network controller with no netdev is not.
TEST(SriovBind, RefusesNonNetworkClassUnlessForced) {
    const auto vm = fixture_root("vm-virtio");
    for (auto p : {sriov::plan_unbind(vm, "00:05.0"), sriov::plan_bind(vm, "00:05.0", "vfio-pci")}) {
        ASSERT_TRUE(p);
        EXPECT_TRUE(mentions(p->refusals, "0000:00:05.0 is not a network controller (PCI class 0x010802",
                             true))
            << all(p->refusals);
        EXPECT_EQ(p->blocking(false).size(), 1u) << all(p->blocking(false));
        EXPECT_TRUE(p->blocking(true).empty()) << all(p->blocking(true));
    }
    auto nic = sriov::plan_bind(vm, "00:06.0", "vfio-pci");
    ASSERT_TRUE(nic);
    EXPECT_TRUE(nic->blocking(false).empty()) << all(nic->refusals);
    EXPECT_FALSE(nic->writes.empty());
}

// IPv6 routes and addresses are named in their RFC 5952 form (fec0::/64), not as eight groups.
TEST(SriovBind, Ipv6RoutesAreCompressed) {
    TreeCopy t("host-2socket-sriov");
    put(t.dir() / "proc/net/ipv6_route",
        "fec00000000000000000000000000000 40 00000000000000000000000000000000 00 "
        "00000000000000000000000000000000 00000100 00000001 00000000 00000001 ens1f0v1\n"
        "20010db8000000010000000000000000 30 00000000000000000000000000000000 00 "
        "00000000000000000000000000000000 00000100 00000001 00000000 00000001 ens1f0v1\n");
    put(t.dir() / "proc/net/if_inet6",
        "20010db8000000010000000000000001 05 40 00 80 ens1f0v1\n");
    auto p = sriov::plan_bind(t.root(), "af:02.1", "vfio-pci");
    ASSERT_TRUE(p);
    EXPECT_TRUE(mentions(p->refusals, "(10.1.0.0/24, fec0::/64, 2001:db8:0:1::/48, 2001:db8:0:1::1)",
                         true))
        << all(p->refusals);
}

TEST(SriovBind, RefusesPfWithVfsInUseEvenForced) {
    auto p = sriov::plan_bind(k_2s, "af:00.0", "vfio-pci");
    ASSERT_TRUE(p);
    EXPECT_TRUE(mentions(p->refusals, "is a PF whose VFs are in use (0000:af:02.0 on iavf", false))
        << all(p->refusals);
    EXPECT_TRUE(mentions(p->refusals, "create-vfs 0000:af:00.0 --count 0", false));
    EXPECT_FALSE(p->blocking(true).empty());
    auto u = sriov::plan_unbind(k_2s, "af:00.0");
    ASSERT_TRUE(u);
    EXPECT_FALSE(u->blocking(true).empty());
}

TEST(SriovBind, RefusesNonViableIommuGroupUnlessForced) {
    auto p = sriov::plan_bind(fixture_root("iommu-shared"), "05:00.0", "vfio-pci");
    ASSERT_TRUE(p);
    EXPECT_TRUE(mentions(p->refusals,
                         "IOMMU group 12 of 0000:05:00.0 is not viable: "
                         "0000:05:00.1 on ixgbe",
                         true))
        << all(p->refusals);
    EXPECT_EQ(p->blocking(true).size(), 0u) << all(p->blocking(true));
}

TEST(SriovBind, RefusesMissingVfioAndIommuWithTheFix) {
    auto p = sriov::plan_bind(fixture_root("host-1node"), "00:04.0", "vfio-pci");
    ASSERT_TRUE(p);
    EXPECT_TRUE(mentions(p->refusals, "driver vfio-pci is not loaded", false)) << all(p->refusals);
    EXPECT_TRUE(mentions(p->refusals, "modprobe vfio-pci", false));
    EXPECT_TRUE(mentions(p->refusals, "has no IOMMU group", false));
    EXPECT_TRUE(mentions(p->refusals, "intel_iommu=on iommu=pt", false));
    EXPECT_TRUE(mentions(p->refusals, "enable_unsafe_noiommu_mode", false));
    EXPECT_EQ(p->blocking(true).size(), 2u);
}

TEST(SriovBind, NoIommuModeWarnsLoudly) {
    TreeCopy t("host-1node");
    put(t.sys("module/vfio_pci/parameters/enable_sriov"), "N\n");
    put(t.sys("module/vfio/parameters/enable_unsafe_noiommu_mode"), "Y\n");
    put(t.sys("bus/pci/drivers/vfio-pci/bind"), "");
    auto p = sriov::plan_bind(t.root(), "00:04.0", "vfio-pci");
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->refusals.empty()) << all(p->refusals);
    ASSERT_EQ(p->warnings.size(), 1u);
    EXPECT_NE(p->warnings[0].find("NO-IOMMU MODE"), std::string::npos);
    EXPECT_NE(p->warnings[0].find("DMA anywhere"), std::string::npos);
}

TEST(SriovBind, RefusesBifurcatedMlx5UnlessForced) {
    auto p = sriov::plan_bind(k_2s, "3b:00.2", "vfio-pci");
    ASSERT_TRUE(p);
    EXPECT_TRUE(mentions(p->refusals, "mlx5 devices are bifurcated", true)) << all(p->refusals);
    EXPECT_TRUE(p->blocking(true).empty());
}

TEST(SriovBind, WarnsAboutVfTokenWhenThePfIsOnVfio) {
    TreeCopy t("host-2socket-sriov");
    t.relink_driver("0000:af:00.0", "vfio-pci");
    auto p = sriov::plan_bind(t.root(), "af:02.0", "vfio-pci");
    ASSERT_TRUE(p);
    ASSERT_EQ(p->warnings.size(), 1u);
    EXPECT_NE(p->warnings[0].find("--vfio-vf-token"), std::string::npos);
}

TEST(SriovBind, RestoreWithoutRecordIsRefused) {
    auto p = sriov::plan_restore(k_2s, "af:02.2");
    ASSERT_TRUE(p);
    EXPECT_TRUE(mentions(p->refusals, "nothing recorded for 0000:af:02.2", false))
        << all(p->refusals);
}

TEST(SriovBind, BadArguments) {
    EXPECT_FALSE(sriov::plan_bind(k_2s, "af:02.0", "../evil"));
    auto p = sriov::plan_bind(k_2s, "zz", "vfio-pci");
    ASSERT_FALSE(p);
    EXPECT_NE(p.error().find("'zz' is not a PCI address"), std::string::npos);
}

TEST(SriovBind, WaitNamesWhatSysfsShows) {
    TreeCopy t("host-2socket-sriov");
    auto p = sriov::plan_bind(t.root(), "af:02.0", "vfio-pci");
    ASSERT_TRUE(p);
    sriov::Writer w;  // real writes, but no kernel behind the files
    ASSERT_TRUE(sriov::apply(t.root(), *p, w));
    auto st = sriov::wait_done(t.root(), *p, 0.05);
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().find("expected driver vfio-pci after the writes, sysfs shows driver iavf"),
              std::string::npos)
        << st.error();
}

TEST(SriovBind, FailedWriteNamesTheFile) {
    sriov::Writer w;
    auto st = w.write({"/nonexistent-dir/driver_override", "vfio-pci"});
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().find("/nonexistent-dir/driver_override"), std::string::npos);
}

// ---- create-vfs ------------------------------------------------------------------------------

TEST(SriovVfs, ChangesCountThroughZeroWhenForced) {
    TreeCopy t("host-2socket-sriov");
    auto p = sriov::plan_create_vfs(t.root(), "0000:af:00.0", {2, false});
    ASSERT_TRUE(p) << p.error();
    // 02.2/02.3 are on vfio-pci, 02.1 carries traffic: all forceable.
    EXPECT_TRUE(mentions(p->refusals, "removes 0000:af:02.2, which is bound to vfio-pci", true))
        << all(p->refusals);
    EXPECT_TRUE(mentions(p->refusals, "ens1f0v1", true));
    EXPECT_TRUE(p->blocking(true).empty());
    const std::string pf = "bus/pci/devices/0000:af:00.0/";
    const std::vector<Write> want = {
        {t.sys(pf + "sriov_drivers_autoprobe"), "0"},
        {t.sys(pf + "sriov_numvfs"), "0"},
        {t.sys(pf + "sriov_numvfs"), "2"},
    };
    EXPECT_EQ(p->writes, want);
    KernelWriter w(t);
    ASSERT_TRUE(sriov::apply(t.root(), *p, w));
    EXPECT_EQ(w.journal(), want);
    EXPECT_EQ(slurp(t.sys(pf + "sriov_numvfs")), "2");
    EXPECT_EQ(slurp(t.sys(pf + "sriov_drivers_autoprobe")), "0");
    EXPECT_TRUE(sriov::wait_done(t.root(), *p, 1));
}

TEST(SriovVfs, RefusesMoreThanTotal) {
    auto p = sriov::plan_create_vfs(k_2s, "af:00.0", {9, {}});
    ASSERT_TRUE(p);
    EXPECT_TRUE(mentions(p->refusals, "--count 9 exceeds the 8 VFs 0000:af:00.0 supports", false))
        << all(p->refusals);
    EXPECT_TRUE(p->writes.empty());
}

TEST(SriovVfs, SameCountIsNothingToDo) {
    auto p = sriov::plan_create_vfs(k_2s, "ens1f0", {4, {}});  // by netdev name
    ASSERT_TRUE(p) << p.error();
    EXPECT_EQ(p->bdf, "0000:af:00.0");
    EXPECT_TRUE(p->writes.empty());
}

TEST(SriovVfs, RemovesIdleVfsWithoutRefusal) {
    auto p = sriov::plan_create_vfs(k_2s, "3b:00.0", {0, {}});
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->refusals.empty()) << all(p->refusals);
    ASSERT_EQ(p->writes.size(), 1u);
    EXPECT_EQ(p->writes[0].value, "0");
}

TEST(SriovVfs, NotAPfOrGarbageCount) {
    auto vf = sriov::plan_create_vfs(k_2s, "af:02.0", {1, {}});
    ASSERT_FALSE(vf);
    EXPECT_NE(vf.error().find("0000:af:02.0 is not an SR-IOV PF"), std::string::npos);
    auto g = sriov::plan_create_vfs(fixture_root("numa-minus1"), "c1:00.0", {1, {}});
    ASSERT_FALSE(g);
    EXPECT_NE(g.error().find("sriov_totalvfs: expected a VF count, got \"garbage\""),
              std::string::npos)
        << g.error();
    EXPECT_FALSE(sriov::plan_create_vfs(k_2s, "nosuchif0", {1, {}}));
}

TEST(SriovState, KeepsTheFirstRecord) {
    TreeCopy t("host-1node");
    ASSERT_TRUE(sriov::save_record(t.root(), {"0000:00:04.0", "ixgbe", ""}));
    ASSERT_TRUE(sriov::save_record(t.root(), {"0000:00:04.0", "vfio-pci", "vfio-pci"}));
    auto r = sriov::find_record(t.root(), "0000:00:04.0");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->driver, "ixgbe");
    EXPECT_EQ(r->driver_override, "");
    ASSERT_TRUE(sriov::drop_record(t.root(), "0000:00:04.0"));
    EXPECT_FALSE(sriov::find_record(t.root(), "0000:00:04.0"));
}

// The file's header comment is not a record: rewriting the file keeps exactly one header and
// the device lines (each rewrite used to add another "# vfpath: drivers" line).
TEST(SriovState, HeaderCommentIsNotARecord) {
    TreeCopy t("host-1node");
    ASSERT_TRUE(sriov::save_record(t.root(), {"0000:00:04.0", "ixgbe", ""}));
    ASSERT_TRUE(sriov::save_record(t.root(), {"0000:00:05.0", "", ""}));
    ASSERT_TRUE(sriov::drop_record(t.root(), "0000:00:05.0"));
    ASSERT_TRUE(sriov::save_record(t.root(), {"0000:00:06.0", "i40e", "-"}));
    const std::string text = slurp(sriov::state_file(t.root()));
    size_t comments = 0, lines = 0;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l); ++lines)
        if (!l.empty() && l[0] == '#') ++comments;
    EXPECT_EQ(comments, 1u) << text;
    EXPECT_EQ(lines, 3u) << text;
    EXPECT_FALSE(sriov::find_record(t.root(), "#"));
}
