// `vfpath host ...` and `vfpath check` through the real binary on the host fixture trees
// (--root): what a user sees on stdout/stderr, exit codes, and which files a change writes.
#include <unistd.h>

#include "harness.h"

#ifndef VFPATH_FIXTURES
#error "VFPATH_FIXTURES must be defined by the build"
#endif

namespace vfpt {
namespace {

const fs::path k_fixtures = VFPATH_FIXTURES;
const std::string k_2s = (k_fixtures / "host-2socket-sriov").string();

class HostTest : public VfpathTest {
protected:
    // A writable copy of a fixture tree under the test's directory.
    fs::path copy_tree(const std::string& name) {
        const fs::path to = dir_ / name;
        fs::copy(k_fixtures / name, to,
                 fs::copy_options::recursive | fs::copy_options::copy_symlinks);
        return to;
    }
    static bool has(const std::string& text, const std::string& needle) {
        return text.find(needle) != std::string::npos;
    }
};

TEST_F(HostTest, ListTable) {
    const Outcome o = run_vfpath({"host", "list", "--root", k_2s}, dir_, 30);
    ASSERT_TRUE(o.exited()) << o.err;
    EXPECT_EQ(o.exit_code, 0) << o.err;
    // The PCI vendor:device id (lspci -n's form) of each PF and VF.
    EXPECT_TRUE(
        has(o.out, "PF 0000:af:00.0 [8086:1572]  ens1f0  driver i40e  node 1  VFs 4/8  link up"))
        << o.out;
    EXPECT_TRUE(has(o.out, "PF 0000:3b:00.0 [15b3:101d]  ens2f0  driver mlx5_core  node 0  VFs 2/4"))
        << o.out;
    EXPECT_TRUE(has(o.out, "0000:af:02.2  8086:154c vfio-pci")) << o.out;
    EXPECT_TRUE(has(o.out, "vfio: vfio-pci loaded, no-IOMMU mode off, 8 IOMMU groups")) << o.out;
    EXPECT_TRUE(has(o.out, "hugepages free: node 0: 1024/1024 x 2 MiB; node 1: 64/512 x 2 MiB"))
        << o.out;
}

TEST_F(HostTest, ListJson) {
    const Outcome o = run_vfpath({"host", "list", "--json", "--root", k_2s}, dir_, 30);
    ASSERT_EQ(o.exit_code, 0) << o.err;
    const json j = json::parse(o.out);
    ASSERT_EQ(j["pfs"].size(), 2u);
    const json& pf = j["pfs"][1];
    EXPECT_EQ(pf["bdf"], "0000:af:00.0");
    EXPECT_EQ(pf["id"], "8086:1572");
    EXPECT_EQ(pf["netdev"], "ens1f0");
    EXPECT_EQ(pf["driver"], "i40e");
    EXPECT_EQ(pf["numa_node"], 1);
    EXPECT_EQ(pf["total_vfs"], 8);
    EXPECT_EQ(pf["num_vfs"], 4);
    ASSERT_EQ(pf["vfs"].size(), 4u);
    const json& vf = pf["vfs"][2];
    EXPECT_EQ(vf["index"], 2);
    EXPECT_EQ(vf["bdf"], "0000:af:02.2");
    EXPECT_EQ(vf["id"], "8086:154c");
    EXPECT_EQ(vf["driver"], "vfio-pci");
    EXPECT_EQ(vf["iommu_group"], 43);
    EXPECT_EQ(vf["numa_node"], 1);
    for (const char* k : {"mac", "vlan", "spoofchk", "trust"})
        EXPECT_TRUE(vf.contains(k) && vf[k].is_null()) << k << ": no rtnetlink on a fixture";
    EXPECT_EQ(j["vfio"]["module_loaded"], true);
    EXPECT_EQ(j["hugepages"][2]["node"], 1);
    EXPECT_EQ(j["hugepages"][2]["free"], 64);
}

TEST_F(HostTest, ListOnThisMachine) {
    const Outcome o = run_vfpath({"host", "list", "--json"}, dir_, 30);
    ASSERT_EQ(o.exit_code, 0) << o.err;
    EXPECT_TRUE(json::parse(o.out)["pfs"].is_array());
}

TEST_F(HostTest, ListNamesGarbageAndExitsNonZero) {
    const Outcome o =
        run_vfpath({"host", "list", "--root", (k_fixtures / "numa-minus1").string()}, dir_, 30);
    EXPECT_EQ(o.exit_code, 1);
    EXPECT_TRUE(has(o.err,
                    "numa-minus1/sys/bus/pci/devices/0000:c1:00.0/sriov_totalvfs: "
                    "expected a VF count, got \"garbage\""))
        << o.err;
    EXPECT_TRUE(has(o.out, "PF 0000:41:00.0 [8086:1593]  enp65s0f0  driver ice  node -")) << o.out;
}

TEST_F(HostTest, BindDryRunPrintsEachWriteAndWritesNothing) {
    const fs::path t = copy_tree("host-2socket-sriov");
    const Outcome o =
        run_vfpath({"host", "bind", "af:02.0", "--dry-run", "--root", t.string()}, dir_, 30);
    ASSERT_EQ(o.exit_code, 0) << o.err;
    const std::string s = (t / "sys").string();
    EXPECT_TRUE(has(o.out,
                    "bind 0000:af:02.0: iavf -> vfio-pci (dry run: nothing is written)\n"
                    "  would write '0000:af:02.0' > " +
                        s +
                        "/bus/pci/drivers/iavf/unbind\n"
                        "  would write 'vfio-pci' > " +
                        s +
                        "/bus/pci/devices/0000:af:02.0/driver_override\n"
                        "  would write '0000:af:02.0' > " +
                        s + "/bus/pci/drivers_probe\n"))
        << o.out;
    EXPECT_EQ(read_text(t / "sys/bus/pci/drivers/iavf/unbind"), "\n");
    EXPECT_EQ(read_text(t / "sys/bus/pci/devices/0000:af:02.0/driver_override"), "(null)\n");
    EXPECT_FALSE(fs::exists(t / "run/vfpath/drivers"));
}

TEST_F(HostTest, BindWritesInOrderAndRecordsThePreviousDriver) {
    const fs::path t = copy_tree("host-2socket-sriov");
    const Outcome o =
        run_vfpath({"host", "bind", "af:02.0", "--wait", "0", "--root", t.string()}, dir_, 30);
    const std::string s = (t / "sys").string();
    EXPECT_TRUE(has(o.out, "  write '0000:af:02.0' > " + s +
                               "/bus/pci/drivers/iavf/unbind\n"
                               "  write 'vfio-pci' > " +
                               s +
                               "/bus/pci/devices/0000:af:02.0/driver_override\n"
                               "  write '0000:af:02.0' > " +
                               s + "/bus/pci/drivers_probe\n"))
        << o.out;
    EXPECT_EQ(read_text(t / "sys/bus/pci/drivers/iavf/unbind"), "0000:af:02.0");
    EXPECT_EQ(read_text(t / "sys/bus/pci/devices/0000:af:02.0/driver_override"), "vfio-pci");
    EXPECT_EQ(read_text(t / "sys/bus/pci/drivers_probe"), "0000:af:02.0");
    EXPECT_TRUE(has(read_text(t / "run/vfpath/drivers"), "0000:af:02.0 iavf -\n"));
    // No kernel sits behind the tree's files, so the driver link never changes: said plainly.
    EXPECT_EQ(o.exit_code, 1);
    EXPECT_TRUE(has(o.err,
                    "0000:af:02.0: expected driver vfio-pci after the writes, sysfs shows "
                    "driver iavf"))
        << o.err;

    // A second change keeps the first record, says so, and the file keeps one header line.
    const Outcome again =
        run_vfpath({"host", "unbind", "af:02.0", "--root", t.string()}, dir_, 30);
    EXPECT_TRUE(has(again.out, "0000:af:02.0 already has a record in " +
                                   (t / "run/vfpath/drivers").string() +
                                   " (driver iavf before vfpath first changed it)"))
        << again.out;
    EXPECT_FALSE(has(again.out, "previous driver")) << again.out;
    EXPECT_EQ(read_text(t / "run/vfpath/drivers"),
              "# vfpath: drivers to restore (BDF DRIVER OVERRIDE, - for none)\n"
              "0000:af:02.0 iavf -\n");

    // restore: back to iavf through driver_override, then the override cleared.
    const Outcome r =
        run_vfpath({"host", "restore", "af:02.0", "--dry-run", "--root", t.string()}, dir_, 30);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(has(r.out, "restore 0000:af:02.0: iavf -> iavf")) << r.out;
}

TEST_F(HostTest, RestoreWritesAfterUnbind) {
    const fs::path t = copy_tree("host-2socket-sriov");
    fs::remove(t / "sys/bus/pci/devices/0000:af:02.2/driver");  // as if it had been unbound
    fs::create_directories(t / "run/vfpath");
    write_text(t / "run/vfpath/drivers", "0000:af:02.2 iavf -\n");
    const Outcome o = run_vfpath(
        {"host", "restore", "0000:af:02.2", "--wait", "0", "--root", t.string()}, dir_, 30);
    const std::string s = (t / "sys").string();
    EXPECT_TRUE(has(o.out,
                    "restore 0000:af:02.2: no driver -> iavf\n"
                    "  write 'iavf' > " +
                        s +
                        "/bus/pci/devices/0000:af:02.2/driver_override\n"
                        "  write '0000:af:02.2' > " +
                        s +
                        "/bus/pci/drivers_probe\n"
                        "  write '\\n' > " +
                        s + "/bus/pci/devices/0000:af:02.2/driver_override\n"))
        << o.out;
    EXPECT_EQ(read_text(t / "sys/bus/pci/devices/0000:af:02.2/driver_override"), "\n");
    EXPECT_FALSE(has(read_text(t / "run/vfpath/drivers"), "0000:af:02.2"));
}

TEST_F(HostTest, Refusals) {
    struct Case {
        std::vector<std::string> args;
        std::string root, message;
        int force_rc;  // exit code with --force --dry-run added
    };
    const std::string one = (k_fixtures / "host-1node").string();
    const std::string shared = (k_fixtures / "iommu-shared").string();
    const std::string vm = (k_fixtures / "vm-virtio").string();
    const std::vector<Case> cases = {
        {{"bind", "af:02.1"}, k_2s, "ens1f0v1 is up with routes or addresses (10.1.0.0/24)", 0},
        {{"unbind", "af:02.1"}, k_2s, "ens1f0v1 is up with routes", 0},
        {{"bind", "af:00.0"}, k_2s, "is a PF whose VFs are in use", 3},
        {{"bind", "05:00.0"}, shared, "IOMMU group 12 of 0000:05:00.0 is not viable", 0},
        {{"bind", "00:04.0"}, one, "driver vfio-pci is not loaded", 3},
        {{"bind", "00:04.0"}, one, "has no IOMMU group", 3},
        {{"bind", "3b:00.2"}, k_2s, "mlx5 devices are bifurcated", 0},
        {{"restore", "af:02.2"}, k_2s, "nothing recorded for 0000:af:02.2", 3},
        {{"create-vfs", "af:00.0", "--count", "9"}, k_2s, "--count 9 exceeds the 8 VFs", 3},
        {{"create-vfs", "af:00.0", "--count", "2"}, k_2s, "which is bound to vfio-pci", 0},
        // A VM: virtio-net's netdev is in BDF/virtio0/net/, and it carries the default route;
        // the NVMe controller of the root disk is not a NIC.
        {{"unbind", "00:03.0"}, vm, "its interface eth0 is up with routes or addresses (0.0.0.0/0)", 0},
        {{"bind", "00:03.0"}, vm, "its interface eth0 is up", 0},
        {{"unbind", "00:05.0"}, vm, "0000:00:05.0 is not a network controller (PCI class 0x010802", 0},
        {{"bind", "00:05.0"}, vm, "is not a network controller", 0},
    };
    for (const auto& c : cases) {
        std::vector<std::string> args = {"host"};
        args.insert(args.end(), c.args.begin(), c.args.end());
        args.insert(args.end(), {"--root", c.root});
        const Outcome o = run_vfpath(args, dir_, 30);
        EXPECT_EQ(o.exit_code, 3) << c.message << "\n" << o.err;
        EXPECT_TRUE(has(o.err, "refused: ")) << o.err;
        EXPECT_TRUE(has(o.err, c.message)) << c.message << "\n" << o.err;
        EXPECT_TRUE(has(o.err, "refused, nothing was written")) << o.err;
        args.insert(args.end(), {"--force", "--dry-run"});
        const Outcome f = run_vfpath(args, dir_, 30);
        EXPECT_EQ(f.exit_code, c.force_rc) << c.message << "\n" << f.err;
        if (c.force_rc == 3) {
            EXPECT_TRUE(has(f.err, "--force does not override this")) << f.err;
        }
        if (c.force_rc == 0) {
            EXPECT_TRUE(has(f.err, "warning: --force: ")) << f.err;
        }
    }
}

TEST_F(HostTest, CreateVfsDryRunGoesThroughZero) {
    const Outcome o = run_vfpath({"host", "create-vfs", "ens1f0", "--count", "2", "--no-autoprobe",
                                  "--force", "--dry-run", "--root", k_2s},
                                 dir_, 30);
    ASSERT_EQ(o.exit_code, 0) << o.err;
    const std::string pf = k_2s + "/sys/bus/pci/devices/0000:af:00.0/";
    EXPECT_TRUE(has(o.out,
                    "create-vfs 0000:af:00.0: 4 -> 2 VFs (dry run: nothing is written)\n"
                    "  would write '0' > " +
                        pf +
                        "sriov_drivers_autoprobe\n"
                        "  would write '0' > " +
                        pf +
                        "sriov_numvfs\n"
                        "  would write '2' > " +
                        pf + "sriov_numvfs\n"))
        << o.out;
}

TEST_F(HostTest, CreateVfsWritesOnACopy) {
    const fs::path t = copy_tree("host-2socket-sriov");
    const Outcome o = run_vfpath(
        {"host", "create-vfs", "3b:00.0", "--count", "0", "--wait", "0", "--root", t.string()},
        dir_, 30);
    EXPECT_EQ(read_text(t / "sys/bus/pci/devices/0000:3b:00.0/sriov_numvfs"), "0");
    EXPECT_TRUE(has(o.out, "create-vfs 0000:3b:00.0: 2 -> 0 VFs\n  write '0' > ")) << o.out;
    EXPECT_EQ(o.exit_code, 1);  // the tree's virtfn links stay: no kernel removes them
    EXPECT_TRUE(has(o.err, "expected 0 VFs after the writes")) << o.err;
}

TEST_F(HostTest, SetVfArguments) {
    const Outcome dry = run_vfpath({"host", "set-vf", "0000:af:00.0", "1", "--vlan", "100", "--qos",
                                    "3", "--spoofchk", "off", "--dry-run", "--root", k_2s},
                                   dir_, 30);
    ASSERT_EQ(dry.exit_code, 0) << dry.err;
    EXPECT_TRUE(has(dry.out,
                    "  would send RTM_SETLINK ens1f0 vf 1 vlan 100 qos 3\n"
                    "  would send RTM_SETLINK ens1f0 vf 1 spoofchk off\n"))
        << dry.out;
    const std::vector<std::pair<std::vector<std::string>, std::string>> bad = {
        {{"ens1f0", "1", "--qos", "3"}, "--qos needs --vlan"},
        {{"ens1f0", "1", "--vlan", "5000"}, "--vlan: expected a whole number 0..4095, got '5000'"},
        {{"ens1f0", "1", "--trust", "yes"}, "--trust: expected on or off"},
        {{"ens1f0", "1", "--mac", "zz"}, "--mac: \"zz\" is not a MAC address"},
        {{"ens1f0", "9", "--trust", "on"}, "has 4 VFs"},
        {{"ens1f0", "1"}, "nothing to set"},
        {{"nosuch0", "1", "--trust", "on"}, "no network interface nosuch0"},
        {{"ens1f0", "1", "--trust", "on"}, "use --dry-run there"},  // rtnetlink, not a tree
    };
    for (const auto& [args, msg] : bad) {
        std::vector<std::string> a = {"host", "set-vf"};
        a.insert(a.end(), args.begin(), args.end());
        a.insert(a.end(), {"--root", k_2s});
        const Outcome o = run_vfpath(a, dir_, 30);
        EXPECT_EQ(o.exit_code, 2) << msg << "\n" << o.err;
        EXPECT_TRUE(has(o.err, msg)) << msg << "\n" << o.err;
    }
}

TEST_F(HostTest, BadArgumentsExit2) {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"host", "bind", "zz", "--root", k_2s},
             {"host", "bind", "99:00.0", "--root", k_2s},
             {"host", "bind"},
             {"host", "list", "--root", "/nonexistent-root"},
             {"host", "create-vfs", "af:00.0", "--root", k_2s},
         }) {
        const Outcome o = run_vfpath(args, dir_, 30);
        EXPECT_EQ(o.exit_code, 2) << args[1] << " " << o.err;
    }
}

// ---- check -------------------------------------------------------------------------------

TEST_F(HostTest, CheckReportsTheWrongNodeAndSuggestionFedBackPasses) {
    const std::string cfg = (k_fixtures / "configs/numa-wrong-node.yaml").string();
    const Outcome o = run_vfpath({"check", "-c", cfg, "--root", k_2s}, dir_, 30);
    EXPECT_EQ(o.exit_code, 1) << o.err;
    EXPECT_TRUE(has(o.out,
                    "error: [numa.lcore] lcore 1 (node 0) polls rx queue 0 of vf0, whose "
                    "device 0000:af:02.2 is on node 1"))
        << o.out;
    EXPECT_TRUE(has(o.out, "cross-socket DMA")) << o.out;
    EXPECT_TRUE(has(o.out, "check: 2 errors, 1 warning (exit 1)")) << o.out;

    const Outcome s = run_vfpath({"check", "-c", cfg, "--root", k_2s, "--suggest"}, dir_, 30);
    ASSERT_EQ(s.exit_code, 0) << s.err;
    EXPECT_TRUE(has(s.out, "lcores: 0,6")) << s.out;
    const fs::path fixed = write_config(s.out, "suggested.yaml");
    const Outcome again = run_vfpath({"check", "-c", fixed.string(), "--root", k_2s}, dir_, 30);
    EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
    EXPECT_TRUE(has(again.out, "check: 0 errors, 0 warnings")) << again.out;
}

TEST_F(HostTest, CheckJson) {
    const std::string cfg = (k_fixtures / "configs/numa-wrong-node.yaml").string();
    const Outcome o = run_vfpath({"check", "-c", cfg, "--root", k_2s, "--json"}, dir_, 30);
    EXPECT_EQ(o.exit_code, 1);
    const json j = json::parse(o.out);
    EXPECT_EQ(j["ok"], false);
    bool found = false;
    for (const auto& f : j["findings"]) {
        EXPECT_TRUE(f.contains("severity") && f.contains("port") && f.contains("message"));
        if (f["severity"] == "error" && f["port"] == "vf0") found = true;
    }
    EXPECT_TRUE(found) << o.out;
    // Without a config: the host, and the built-in default (no PCI device) -> ok here.
    const Outcome h = run_vfpath({"check", "--json"}, dir_, 30);
    EXPECT_EQ(h.exit_code, 0) << h.out;
    EXPECT_EQ(json::parse(h.out)["ok"], true);
    // A bad config is still exit 2, with the error as a finding.
    const fs::path bad = write_config("numa: loose\nports: [{device: net_null0}]\n", "bad.yaml");
    const Outcome b = run_vfpath({"check", "-c", bad.string(), "--json"}, dir_, 30);
    EXPECT_EQ(b.exit_code, 2);
    EXPECT_TRUE(has(json::parse(b.out)["findings"][0]["message"].get<std::string>(), "numa"));
}

TEST_F(HostTest, CheckHostPreflightOnFixtures) {
    const Outcome o =
        run_vfpath({"check", "--root", (k_fixtures / "host-1node").string()}, dir_, 30);
    EXPECT_EQ(o.exit_code, 0) << o.err;
    EXPECT_TRUE(has(o.out, "warning: [vfio.module] vfio-pci is not loaded")) << o.out;
    EXPECT_TRUE(has(o.out, "warning: [iommu.off]")) << o.out;
    EXPECT_TRUE(has(o.out, "info: [cpu.affinity] this process may use CPUs 0-1 of 0-3")) << o.out;
}

TEST_F(HostTest, RunRefusesUnderNumaStrict) {
    const fs::path cfg = write_config(eal_yaml("0-1") +
                                      "numa: strict\n"
                                      "ports:\n"
                                      "  - {name: p0, device: \"0000:af:02.2\"}\n");
    const Outcome o = run_vfpath(
        {"run", "-c", cfg.string(), "--sys-root", k_2s + "/sys", "--duration", "1"}, dir_, 30);
    EXPECT_EQ(o.exit_code, 2) << o.err;
    EXPECT_TRUE(has(o.err, "error: numa: lcore 1 (node 0) polls rx queue 0 of p0")) << o.err;
    EXPECT_TRUE(has(o.err, "numa: strict, so nothing was started")) << o.err;
    EXPECT_FALSE(has(o.err, "EAL")) << o.err;
}

// No-IOMMU mode (enable_unsafe_noiommu_mode = Y) is a warning in `check` and in every `run`, read
// through --root / --sys-root so the fixture decides; with N neither says anything.
TEST_F(HostTest, NoIommuModeIsWarnedByCheckAndRun) {
    const fs::path t = copy_tree("host-1node");
    const fs::path param = t / "sys/module/vfio/parameters/enable_unsafe_noiommu_mode";
    const auto run_args = [&] {
        return std::vector<std::string>{"run", "--sys-root", (t / "sys").string(), "--duration",
                                        "0.3", "--stats-interval", "0"};
    };
    const Outcome quiet = run_vfpath(run_args(), dir_, 60, "run-n");
    EXPECT_EQ(quiet.exit_code, 0) << quiet.err;
    EXPECT_FALSE(has(quiet.err, "NO-IOMMU")) << quiet.err;
    const Outcome check_n = run_vfpath({"check", "--root", t.string()}, dir_, 30, "check-n");
    EXPECT_FALSE(has(check_n.out, "vfio.noiommu")) << check_n.out;

    write_text(param, "Y\n");
    const Outcome o = run_vfpath(run_args(), dir_, 60, "run-y");
    ASSERT_TRUE(o.exited()) << o.err;
    EXPECT_EQ(o.exit_code, 0) << o.err;
    EXPECT_TRUE(has(o.err, "warning [vfpath.run] vfio is in NO-IOMMU mode (" + param.string() +
                               " = Y): devices on vfio-pci can DMA anywhere in host memory"))
        << o.err;
    EXPECT_TRUE(has(o.err, "this job's ports are all vdevs")) << o.err;
    // --root alone: the file under that root decides too (not the host's /sys).
    const Outcome r = run_vfpath({"run", "--root", t.string(), "--duration", "0.3",
                                  "--stats-interval", "0"},
                                 dir_, 60, "run-root-y");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(has(r.err, "warning [vfpath.run] vfio is in NO-IOMMU mode (" + param.string() +
                               " = Y)"))
        << r.err;
    const Outcome c = run_vfpath({"check", "--root", t.string()}, dir_, 30, "check-y");
    EXPECT_EQ(c.exit_code, 0) << "a warning, not an error:\n" << c.out << c.err;
    EXPECT_TRUE(has(c.out, "warning: [vfio.noiommu] NO-IOMMU MODE is on (" + param.string()))
        << c.out;
    const Outcome j = run_vfpath({"check", "--root", t.string(), "--json"}, dir_, 30, "check-j");
    const json jj = json::parse(j.out, nullptr, false);
    ASSERT_TRUE(jj.is_object()) << j.out;
    bool found = false;
    for (const auto& f : jj["findings"])
        found = found || (f.value("check", "") == "vfio.noiommu" &&
                          f.value("severity", "") == "warning");
    EXPECT_TRUE(found) << j.out;
}

}  // namespace
}  // namespace vfpt
