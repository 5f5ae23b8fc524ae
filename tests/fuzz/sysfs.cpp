// Fuzz target: sysfs and procfs values -> everything that reads them (lib/util/file.h,
// lib/topology, lib/sriov, lib/check): the values are written into a small host tree (one SR-IOV
// PF with one VF, two NUMA nodes) in a private temporary directory, which is then read the way
// `vfpath check`, `host list` and the `host` change commands read a `--root` tree. Nothing is
// ever written to the tree by the code under test: changes are planned, never applied.
//
// Input: NUL-separated fields, in the order of k_fields below. A field that is missing (the
// input has fewer NULs) leaves its file out; a name field that is missing takes its default.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "check/api.h"
#include "config/api.h"
#include "sriov/api.h"
#include "tests/fuzz/fuzz.h"
#include "topology/api.h"

namespace vfpath::fuzz {

namespace {

namespace fs = std::filesystem;

// The input's fields, in order. Most are the content of one file (k_files); the name fields are
// directory or link names the code parses too, with a default when the field is missing.
enum Field : size_t {
    cpu_online,
    node0_name,  // "0": sys/devices/system/node/node{node0_name}
    node0_cpulist,
    node1_name,  // "1"
    node1_cpulist,
    hugepages_name,  // "hugepages-2048kB", under node{node0_name}
    hugepages_nr,
    hugepages_free,
    cpu_isolated,
    cpu_nohz_full,
    proc_cmdline,
    proc_status,
    cpu0_package,
    pf_numa_node,
    pf_local_cpus,
    pf_totalvfs,
    pf_numvfs,
    pf_autoprobe,
    pf_override,
    virtfn_name,  // "0": the PF's virtfn{virtfn_name} link to the VF
    vf_numa_node,
    netdev_flags,  // the PF's net/{netdev_name}/flags
    proc_route,
    proc_ipv6_route,
    proc_if_inet6,
    state_file,
    vfio_noiommu,
    group_name,   // "41": the VF's IOMMU group (sys/kernel/iommu_groups/{group_name})
    netdev_name,  // "ens1f0": the PF's interface
    k_field_count
};

constexpr std::string_view k_pf = "0000:af:00.0";
constexpr std::string_view k_vf = "0000:af:02.0";

// Fields that are the content of a file at a fixed path (relative to the tree's root).
struct FileField {
    Field field;
    const char* path;
};
constexpr FileField k_files[] = {
    {cpu_online, "sys/devices/system/cpu/online"},
    {cpu_isolated, "sys/devices/system/cpu/isolated"},
    {cpu_nohz_full, "sys/devices/system/cpu/nohz_full"},
    {cpu0_package, "sys/devices/system/cpu/cpu0/topology/physical_package_id"},
    {proc_cmdline, "proc/cmdline"},
    {proc_status, "proc/self/status"},
    {proc_route, "proc/net/route"},
    {proc_ipv6_route, "proc/net/ipv6_route"},
    {proc_if_inet6, "proc/net/if_inet6"},
    {state_file, "run/vfpath/drivers"},
    {vfio_noiommu, "sys/module/vfio/parameters/enable_unsafe_noiommu_mode"},
    {pf_numa_node, "sys/bus/pci/devices/0000:af:00.0/numa_node"},
    {pf_local_cpus, "sys/bus/pci/devices/0000:af:00.0/local_cpulist"},
    {pf_totalvfs, "sys/bus/pci/devices/0000:af:00.0/sriov_totalvfs"},
    {pf_numvfs, "sys/bus/pci/devices/0000:af:00.0/sriov_numvfs"},
    {pf_autoprobe, "sys/bus/pci/devices/0000:af:00.0/sriov_drivers_autoprobe"},
    {pf_override, "sys/bus/pci/devices/0000:af:00.0/driver_override"},
    {vf_numa_node, "sys/bus/pci/devices/0000:af:02.0/numa_node"},
};

// The config `check` judges on this host: the VF as a port, polled from node 0 and node 1.
constexpr std::string_view k_config = R"(eal: {lcores: 0-3}
ports:
  - {name: vf0, device: "0000:af:02.0"}
  - {name: tap, device: net_null0, socket: 0}
)";

// A directory name from a field: nullopt when the field cannot be one (the tree leaves it out).
std::optional<std::string> name_of(const Fields& in, Field f, std::string_view fallback,
                                   std::string_view prefix = "") {
    if (!in.has(f)) return std::string(prefix) + std::string(fallback);
    const std::string_view v = in[f];
    if (v.empty() || v.size() > 200 || v == "." || v == ".." || v.find('/') != v.npos)
        return std::nullopt;
    return std::string(prefix) + std::string(v);
}

class Tree {
public:
    Tree() {
        const char* base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : P_tmpdir;
        // The pid in the name lets scripts/fuzz.sh remove what a crashed run left.
        std::string tmpl =
            std::string(base) + "/vfpath-fuzz-sysfs-" + std::to_string(getpid()) + "-XXXXXX";
        if (!mkdtemp(tmpl.data())) std::abort();
        dir_ = tmpl;
    }
    ~Tree() {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    const fs::path& dir() const { return dir_; }

    void build(const Fields& in) {
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(dir_, ec)) fs::remove_all(e.path(), ec);
        in_ = &in;
        for (const FileField& f : k_files) put(dir_ / f.path, f.field);
        const fs::path sys = dir_ / "sys";
        const fs::path node = sys / "devices/system/node";
        const auto n0 = name_of(in, node0_name, "0", "node");
        const auto n1 = name_of(in, node1_name, "1", "node");
        if (n0) {
            put(node / *n0 / "cpulist", node0_cpulist);
            if (const auto hp = name_of(in, hugepages_name, "hugepages-2048kB")) {
                put(node / *n0 / *hp / "nr_hugepages", hugepages_nr);
                put(node / *n0 / *hp / "free_hugepages", hugepages_free);
            }
        }
        if (n1) put(node / *n1 / "cpulist", node1_cpulist);
        text(sys / "module/vfio_pci/parameters/enable_sriov", "N\n");

        const fs::path devices = sys / "bus/pci/devices";
        const fs::path pf = devices / k_pf, vf = devices / k_vf;
        for (const fs::path& d : {pf, vf}) {
            text(d / "vendor", "0x8086\n");
            text(d / "class", "0x020000\n");
        }
        text(pf / "device", "0x1572\n");
        text(vf / "device", "0x154c\n");
        text(vf / "driver_override", "(null)\n");
        for (const char* drv : {"i40e", "iavf", "vfio-pci"}) {
            text(sys / "bus/pci/drivers" / drv / "bind", "");
            text(sys / "bus/pci/drivers" / drv / "unbind", "");
        }
        link("../../drivers/i40e", pf / "driver");
        link("../../drivers/vfio-pci", vf / "driver");
        link("../" + std::string(k_pf), vf / "physfn");
        if (const auto vfn = name_of(in, virtfn_name, "0", "virtfn"))
            link("../" + std::string(k_vf), pf / *vfn);
        link("../../../../kernel/iommu_groups/40", pf / "iommu_group");
        link("../../../../bus/pci/devices/" + std::string(k_pf),
             sys / "kernel/iommu_groups/40/devices" / k_pf);
        if (const auto g = name_of(in, group_name, "41")) {
            link("../../../../kernel/iommu_groups/" + *g, vf / "iommu_group");
            link("../../../../bus/pci/devices/" + std::string(k_vf),
                 sys / "kernel/iommu_groups" / *g / "devices" / k_vf);
        }
        if (const auto nd = name_of(in, netdev_name, "ens1f0")) {
            put(pf / "net" / *nd / "flags", netdev_flags);
            text(pf / "net" / *nd / "operstate", "up\n");
            text(pf / "net" / *nd / "address", "3c:fd:fe:00:00:01\n");
        }
    }

private:
    void text(const fs::path& p, std::string_view v) {
        std::error_code ec;
        fs::create_directories(p.parent_path(), ec);
        std::ofstream(p, std::ios::binary).write(v.data(), static_cast<std::streamsize>(v.size()));
    }
    void put(const fs::path& p, Field f) {
        if (in_->has(f)) text(p, (*in_)[f]);
    }
    void link(const std::string& target, const fs::path& p) {
        std::error_code ec;
        fs::create_directories(p.parent_path(), ec);
        fs::create_directory_symlink(target, p, ec);
    }

    fs::path dir_;
    const Fields* in_ = nullptr;
};

void check_cpu_list(const std::vector<unsigned>& cpus, const std::string& what) {
    FUZZ_CHECK(std::is_sorted(cpus.begin(), cpus.end()) &&
                   std::adjacent_find(cpus.begin(), cpus.end()) == cpus.end(),
               what + ": not sorted and unique");
    if (cpus.empty()) return;
    // What is printed reads back as the same list.
    const auto back = config::parse_cpu_list(topology::format_cpu_list(cpus));
    FUZZ_CHECK(back && *back == cpus, what + ": " + topology::format_cpu_list(cpus));
}

// Each unreadable value is reported as "WHERE: what is wrong".
void check_problems(const std::vector<std::string>& problems) {
    for (const std::string& p : problems) FUZZ_CHECK(p.find(": ") != p.npos, p);
}

void check_plan(const Result<sriov::ChangePlan>& plan, const fs::path& root) {
    if (!plan) {
        FUZZ_CHECK(!plan.error().empty(), "refused without a message");
        return;
    }
    for (const sriov::Write& w : plan.value().writes)
        FUZZ_CHECK(w.path.string().rfind(root.string(), 0) == 0, sriov::describe(w));
    for (const sriov::Refusal& r : plan.value().refusals)
        FUZZ_CHECK(!r.message.empty(), "a refusal without a message");
}

void check_findings(const std::vector<check::Finding>& findings) {
    for (const check::Finding& f : findings)
        FUZZ_CHECK(!f.message.empty() && !f.check.empty(), f.check + ": " + f.message);
}

bool is_json(const std::string& s) {
    return nlohmann::json::accept(s);
}

// `vfpath check` on the tree: the plan with the devices' nodes, then every judge.
void check_command(const topology::HostRoot& root, const config::Config& cfg,
                   const check::HostView& view) {
    const std::string sys = root.sys().string();
    std::vector<config::PortFacts> facts(cfg.ports.size());
    for (size_t i = 0; i < cfg.ports.size(); ++i)
        if (cfg.ports[i].is_pci())
            if (auto node = topology::pci_numa_node(cfg.ports[i].device, sys))
                facts[i].socket = *node;
    const auto plan = config::build_plan(cfg, view.cpus, facts);
    if (!plan.plan) {
        FUZZ_CHECK(!plan.errors.empty(), "no plan and no error");
        return;
    }
    const auto ports = check::read_port_views(root, cfg);
    FUZZ_CHECK(ports.size() == cfg.ports.size(), "one view per port");
    check_findings(check::check_ports(cfg, view, ports));
    const check::NumaReport numa = check::check_numa(cfg, *plan.plan, view, ports);
    check_findings(numa.findings);
    FUZZ_CHECK(numa.rows.size() == cfg.ports.size(), "one NUMA row per port");
    (void)check::format_numa(numa);
    FUZZ_CHECK(is_json(check::report_json(cfg.file, numa.findings, numa.rows)), "report json");
    const check::Suggestion s = check::suggest(cfg, *plan.plan, view, ports);
    auto yaml = check::suggest_yaml(k_config, cfg, s, ports);
    if (!yaml) {
        FUZZ_CHECK(!yaml.error().empty(), "suggest refused without a message");
        return;
    }
    // --suggest prints a config meant to be fed back: it must load.
    const auto again = config::load_string(*yaml, "suggested.yaml");
    FUZZ_CHECK(again.config.has_value(),
               *yaml + (again.errors.empty() ? "" : "\n" + again.errors.front().str()));
}

}  // namespace

bool fuzz_sysfs(const uint8_t* data, size_t size) {
    static Tree tree;
    const Fields in(data, size);
    tree.build(in);
    const topology::HostRoot root{tree.dir(), {}};
    const std::string sys = root.sys().string();

    const config::HostFacts host = topology::read_host(sys);
    std::vector<unsigned> ids;
    for (const auto& c : host.cpus) ids.push_back(c.id);
    check_cpu_list(ids, "online CPUs");
    const auto nodes = topology::read_nodes(sys);
    for (size_t i = 0; i < nodes.size(); ++i) {
        FUZZ_CHECK(nodes[i].id >= 0 && (i == 0 || nodes[i - 1].id < nodes[i].id), "node ids");
        check_cpu_list(nodes[i].cpus, "node cpus");
        for (const auto& hp : nodes[i].hugepages) FUZZ_CHECK(hp.size_kb > 0, "hugepage size");
    }
    const auto iso = topology::read_isolation(root);
    check_cpu_list(iso.isolated, "isolated");
    check_cpu_list(iso.nohz_full, "nohz_full");
    if (const auto aff = topology::process_affinity(root)) check_cpu_list(*aff, "affinity");
    const auto loc = topology::pci_locality(std::string(k_pf), sys);
    FUZZ_CHECK(loc.present, "the PF directory exists");
    FUZZ_CHECK(!(loc.node && (loc.minus_one || !loc.problem.empty())), "node and no node");
    FUZZ_CHECK(!loc.node || *loc.node >= 0, "negative node");
    check_cpu_list(loc.local_cpus, "local_cpulist");
    const auto node = topology::pci_numa_node(std::string(k_pf), sys);
    FUZZ_CHECK(!node || *node >= 0, "negative node");

    const auto pf = sriov::read_device(root, k_pf);
    FUZZ_CHECK(pf.ok(), pf ? "" : pf.error());
    bool clean = false;
    if (pf) {
        // A device is a PF when it has sriov_totalvfs, whatever that holds.
        FUZZ_CHECK(pf.value().is_pf == in.has(pf_totalvfs) && pf.value().bdf == k_pf, "the PF");
        check_problems(pf.value().problems);
        clean = pf.value().problems.empty() && !host.cpus.empty();
    }
    if (const auto vf = sriov::read_device(root, k_vf)) check_problems(vf.value().problems);
    (void)sriov::find_pf(root, k_pf);
    if (in.has(netdev_name)) (void)sriov::find_pf(root, in[netdev_name]);
    (void)sriov::group_members(root, 41);
    (void)sriov::find_record(root, k_vf);

    const sriov::HostList list = sriov::read_list(root, nullptr);
    check_problems(list.problems);
    (void)sriov::format_list(list);
    FUZZ_CHECK(is_json(sriov::list_json(list)), "host list --json");

    check_plan(sriov::plan_create_vfs(root, k_pf, {2, true}), root.dir);
    check_plan(sriov::plan_create_vfs(root, k_pf, {0, std::nullopt}), root.dir);
    check_plan(sriov::plan_bind(root, k_vf, "iavf"), root.dir);
    check_plan(sriov::plan_unbind(root, k_pf), root.dir);
    check_plan(sriov::plan_restore(root, k_vf), root.dir);

    const check::HostView view = check::read_host_view(root);
    check_findings(check::check_host(view));
    const auto cfg = config::load_string(k_config, "check.yaml");
    FUZZ_CHECK(cfg.config.has_value(), "the fixed config loads");
    if (cfg.config) check_command(root, *cfg.config, view);
    return clean;
}

}  // namespace vfpath::fuzz

VFPATH_FUZZ_ENTRY(fuzz_sysfs)
