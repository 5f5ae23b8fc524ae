// Host side of SR-IOV: PFs and VFs in sysfs, VF attributes over rtnetlink, driver binding with
// safety checks. No DPDK headers. Everything takes a topology::HostRoot so tests run on fixture
// trees (`--root DIR`: sysfs under DIR/sys, procfs under DIR/proc, state under DIR/run/vfpath).
//
// Changes are planned first (plan_* read sysfs and return the writes they would make, with every
// refusal and warning), then applied through a Writer, which records each write in order and can
// stop short of writing (--dry-run).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "topology/api.h"
#include "util/result.h"

namespace vfpath::sriov {

namespace fs = std::filesystem;
using topology::HostRoot;

// ---- Devices (device.cpp) -----------------------------------------------------------------

struct Netdev {
    std::string name;
    bool up = false;        // IFF_UP in <net>/<name>/flags
    std::string operstate;  // "up", "down", ... ("" when unreadable)
    std::string mac;        // its own address
    std::vector<std::string>
        routes;  // "10.1.0.0/24" (proc/net/route), "2001:db8::/64" (ipv6_route)
    std::vector<std::string> addresses;  // global IPv6 addresses (proc/net/if_inet6)
    bool active() const { return up && (!routes.empty() || !addresses.empty()); }
};

struct PciDevice {
    std::string bdf;                 // "0000:af:02.0"
    fs::path path;                   // <sys>/bus/pci/devices/<bdf>
    std::string driver;              // "" when no driver is bound
    std::string driver_override;     // "" when unset ("(null)" in sysfs)
    std::string vendor, device;      // "0x8086", "0x154c"
    std::string pci_class;           // "0x020000" (class file; "" when unreadable)
    std::optional<int> numa_node;    // nullopt: -1 (no affinity reported) or unreadable
    std::optional<int> iommu_group;  // nullopt: no iommu_group link (IOMMU off)
    // Every netdev under the device's directory, at any depth: BDF/net/eth0, and virtio's
    // BDF/virtio0/net/eth0.
    std::vector<Netdev> netdevs;
    // PCI base class 0x02 (network controller); false when the class is unreadable.
    bool is_network_class() const;
    // SR-IOV: a PF has sriov_totalvfs; a VF has a physfn link.
    bool is_pf = false;
    unsigned total_vfs = 0, num_vfs = 0;
    std::optional<bool> autoprobe;     // sriov_drivers_autoprobe
    std::vector<std::string> vfs;      // PF: VF BDFs by index (virtfnN links)
    std::string physfn;                // VF: its PF's BDF
    std::optional<unsigned> vf_index;  // VF: N of the PF's virtfnN pointing here
    // Values that could not be read, each "PATH: what is wrong"; the fields above keep defaults.
    std::vector<std::string> problems;
};

// "0000:af:02.0" or "af:02.0" (any case). Normalises to the full lower-case form.
std::optional<std::string> parse_bdf(std::string_view s);

// Reads one device. Error when the device directory does not exist.
Result<PciDevice> read_device(const HostRoot& root, std::string_view bdf);
// Every device with sriov_totalvfs > 0 (or an unreadable one, reported in `problems`), by BDF.
std::vector<PciDevice> list_pfs(const HostRoot& root);
// A PF given as a BDF or as its netdev name (<sys>/class/net/<name>/device, or a PF's net/ dir).
Result<PciDevice> find_pf(const HostRoot& root, std::string_view pf);

// ---- vfio and the IOMMU (env.cpp) ---------------------------------------------------------

struct VfioStatus {
    bool module_loaded = false;  // <sys>/module/vfio_pci or <sys>/bus/pci/drivers/vfio-pci
    bool noiommu = false;        // <sys>/module/vfio/parameters/enable_unsafe_noiommu_mode = Y
    // The IOMMU backend vfio needs to map DMA: <sys>/module/vfio_iommu_type1 (there when it is
    // loaded or built in, as it has parameters). Without it EAL finds "No supported IOMMU
    // extensions" and probes no vfio device.
    bool iommu_type1 = false;
    size_t iommu_groups = 0;     // entries in <sys>/kernel/iommu_groups
    std::optional<bool> enable_sriov;  // vfio_pci parameter: a PF on vfio-pci may create VFs
};
VfioStatus read_vfio(const HostRoot& root);

struct GroupMember {
    std::string bdf, driver;
};
// Other devices in the device's IOMMU group and their drivers.
std::vector<GroupMember> group_members(const HostRoot& root, int group);
// Drivers that leave an IOMMU group usable by vfio (vfio_driver_allowed and bridges).
bool vfio_compatible_driver(std::string_view driver);
// mlx5 devices are bifurcated: DPDK's mlx5 PMD uses them on their kernel driver.
bool is_bifurcated_driver(std::string_view driver);

// ---- Changes: writes, refusals, the state file (change.cpp, state.cpp) --------------------

struct Write {
    fs::path path;
    std::string value;
    bool operator==(const Write&) const = default;
};
std::string describe(const Write& w);  // "write 'vfio-pci' > /sys/.../driver_override"

// Performs writes in order, recording each; `dry_run` records without writing. The kernel's
// answer to a sysfs write is the write(2) result, so each write is one open/write/close and a
// failure names the file and errno. Tests derive from it to emulate the kernel.
class Writer {
public:
    explicit Writer(bool dry_run = false) : dry_run_(dry_run) {}
    virtual ~Writer() = default;
    Status write(const Write& w);
    const std::vector<Write>& journal() const { return journal_; }
    bool dry_run() const { return dry_run_; }
    std::function<void(const Write&)> on_write;  // called before each write (the CLI prints it)

protected:
    virtual Status apply(const Write& w);

private:
    bool dry_run_;
    std::vector<Write> journal_;
};

struct Refusal {
    std::string message;
    bool forceable = false;  // --force may override it
};

// What a driver change remembers so `restore` can undo it.
struct BindRecord {
    std::string bdf, driver, driver_override;  // before vfpath first changed it ("" = none)
};

// A change planned against the current sysfs state.
struct ChangePlan {
    std::string what;           // "bind 0000:af:02.0: iavf -> vfio-pci"
    std::vector<Write> writes;  // in order; empty: nothing to do
    std::vector<Refusal> refusals;
    std::vector<std::string> warnings;
    std::optional<BindRecord> record;    // bind/unbind: remember this (kept if one exists)
    bool forget = false;                 // restore: drop the record afterwards
    std::string expect_driver;           // bind/unbind/restore: the driver link afterwards
    std::optional<unsigned> expect_vfs;  // create-vfs: sriov_numvfs afterwards
    std::string bdf;
    // Refusals that stand: all of them, or only the non-forceable ones under --force.
    std::vector<Refusal> blocking(bool force) const;
};

Result<ChangePlan> plan_bind(const HostRoot& root, std::string_view bdf, std::string_view driver);
Result<ChangePlan> plan_unbind(const HostRoot& root, std::string_view bdf);
Result<ChangePlan> plan_restore(const HostRoot& root, std::string_view bdf);
struct CreateVfs {
    unsigned count = 0;
    std::optional<bool> autoprobe;  // set sriov_drivers_autoprobe first; unset: leave it
};
Result<ChangePlan> plan_create_vfs(const HostRoot& root, std::string_view pf, const CreateVfs& c);

// Applies the writes (stopping at the first failure), then the state file. Does not wait.
Status apply(const HostRoot& root, const ChangePlan& plan, Writer& w);
// After apply: polls until the device's driver is plan.expect_driver / the PF has
// plan.expect_vfs VFs, up to timeout_s. Error names what sysfs shows instead.
Status wait_done(const HostRoot& root, const ChangePlan& plan, double timeout_s);

// The state file: <root>/run/vfpath/drivers, one "BDF DRIVER OVERRIDE" line per device ("-" for
// none). Under /run, so it goes away at reboot along with the bindings it describes.
fs::path state_file(const HostRoot& root);
std::optional<BindRecord> find_record(const HostRoot& root, std::string_view bdf);
Status save_record(const HostRoot& root, const BindRecord& r);  // keeps an existing record
Status drop_record(const HostRoot& root, std::string_view bdf);

// ---- VF attributes over rtnetlink (netlink.cpp, rtnl.cpp) ---------------------------------

enum class LinkState : uint8_t { auto_, enable, disable };
std::string_view to_string(LinkState s);
std::optional<LinkState> parse_link_state(std::string_view s);

// One VF as its PF reports it (IFLA_VF_INFO). Optional fields are absent from old kernels/drivers.
struct VfAttrs {
    uint32_t index = 0;
    std::array<uint8_t, 6> mac{};
    uint16_t vlan = 0;
    uint8_t qos = 0;
    std::optional<bool> spoofchk, trust;
    std::optional<LinkState> link_state;
    uint32_t min_tx_rate = 0, max_tx_rate = 0;  // Mbit/s; 0: no limit
};
std::string format_mac(const std::array<uint8_t, 6>& m);

// What `set-vf` changes; each attribute goes in its own RTM_SETLINK so a refusal names it.
struct VfSettings {
    std::optional<std::array<uint8_t, 6>> mac;
    std::optional<uint16_t> vlan;
    std::optional<uint8_t> qos;  // with vlan
    std::optional<bool> spoofchk, trust;
    std::optional<uint32_t> max_tx_rate;
    std::optional<LinkState> link_state;
};

// Pure message construction and parsing (unit-tested on byte buffers).
// RTM_GETLINK for one interface by name, asking for VF info (IFLA_EXT_MASK = RTEXT_FILTER_VF).
std::vector<uint8_t> build_getlink(std::string_view ifname, uint32_t seq);
// One RTM_SETLINK per attribute set in `s`, each named ("mac", "vlan", ...), in a fixed order.
struct SetMessage {
    std::string attribute;  // "vlan"
    std::string value;      // "100 qos 3", as printed by --dry-run
    std::vector<uint8_t> bytes;
};
std::vector<SetMessage> build_setvf(int ifindex, uint32_t vf, const VfSettings& s, uint32_t seq);
// Parses an RTM_NEWLINK message: its IFLA_VFINFO_LIST (empty when absent: no VFs). Error on a
// truncated or malformed message.
Result<std::vector<VfAttrs>> parse_vfinfo(const uint8_t* msg, size_t len);

// Parses an NLMSG_ERROR (the kernel's answer to a request with NLM_F_ACK): errno 0 is success;
// `message` is the kernel's extended ack text (NLMSGERR_ATTR_MSG) when it gave one.
struct Ack {
    int error = 0;  // positive errno
    std::string message;
};
Result<Ack> parse_ack(const uint8_t* msg, size_t len);

// Talks to this kernel's rtnetlink. `ifname` is the PF's netdev.
Result<std::vector<VfAttrs>> query_vfs(std::string_view ifname);
// What became of a set-vf's messages, in order: the ones the kernel acknowledged, the first one it
// refused (or that could not be sent) and why, and the ones left unsent after it.
struct SetOutcome {
    std::vector<SetMessage> applied;
    std::optional<SetMessage> refused;
    std::string why;  // "" when everything was applied
    std::vector<SetMessage> not_sent;
    bool ok() const { return why.empty(); }
};
// Sends `msgs` one by one through `send` (the kernel's ack, or why there was none), stopping at
// the first refusal. `send` is rtnetlink in set_vf and a fake in tests.
using SendFn = std::function<Result<Ack>(const SetMessage&)>;
SetOutcome apply_setvf(std::string_view ifname, uint32_t vf, const std::vector<SetMessage>& msgs,
                       const SendFn& send);
// Lines for the user: "applied: ..." for each applied attribute, then "not applied: ..." with
// the reason, and the attributes not sent after the refusal.
std::string describe(const SetOutcome& o, std::string_view ifname, uint32_t vf);
SetOutcome set_vf(std::string_view ifname, uint32_t vf, const VfSettings& s);

// Where list/check take VF attributes from: rtnetlink on the live root, or a test double.
class VfAttrSource {
public:
    virtual ~VfAttrSource() = default;
    virtual Result<std::vector<VfAttrs>> vfs(std::string_view pf_netdev) = 0;
};
class RtnlSource final : public VfAttrSource {
public:
    Result<std::vector<VfAttrs>> vfs(std::string_view pf_netdev) override {
        return query_vfs(pf_netdev);
    }
};

// ---- `vfpath host list` (list.cpp) --------------------------------------------------------

struct ListedPf {
    PciDevice pf;
    std::vector<PciDevice> vfs;
    std::vector<std::optional<VfAttrs>> attrs;  // parallel to vfs; nullopt: not read
    std::string attrs_error;                    // why they could not be read ("" when read)
};
struct HostList {
    std::vector<ListedPf> pfs;
    VfioStatus vfio;
    std::vector<topology::NodeInfo> nodes;
    std::vector<std::string> problems;  // unreadable sysfs values, "PATH: ..."
};
// Reads every PF, its VFs, and (when `source` is given) their attributes from the PF's netdev.
HostList read_list(const HostRoot& root, VfAttrSource* source);
std::string format_list(const HostList& l);  // the table `host list` prints
std::string list_json(const HostList& l);    // {"pfs":[...],"vfio":{...},"hugepages":[...]}

}  // namespace vfpath::sriov
