// PCI devices in sysfs: driver, IOMMU group, NUMA node, netdevs and the SR-IOV links between a PF
// (sriov_*, virtfnN) and its VFs (physfn). Bad content is reported per value, never thrown.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <regex>
#include <sstream>

#include "sriov/api.h"
#include "sriov/cp/sysfs.h"
#include "util/file.h"

namespace vfpath::sriov {

namespace detail {

Result<long> read_number(const fs::path& p, std::string_view what) {
    const auto v = read_first_line(p);
    if (!v) return fail(p.string() + ": missing");
    const auto n = parse_number<long>(*v);
    if (!n) return fail(p.string() + ": expected " + std::string(what) + ", got \"" + *v + "\"");
    return *n;
}

std::string link_name(const fs::path& p) {
    std::error_code ec;
    if (!fs::is_symlink(p, ec)) return "";
    return fs::read_symlink(p, ec).filename().string();
}

bool present(const fs::path& p) {
    std::error_code ec;
    return fs::exists(p, ec);
}

}  // namespace detail

using namespace detail;

namespace {

// "0A0A0000"-style little-endian hex of /proc/net/route -> dotted quad.
std::string ipv4_from_hex(const std::string& hex) {
    uint32_t v = 0;
    std::from_chars(hex.data(), hex.data() + hex.size(), v, 16);
    return std::to_string(v & 0xff) + "." + std::to_string((v >> 8) & 0xff) + "." +
           std::to_string((v >> 16) & 0xff) + "." + std::to_string(v >> 24);
}

int prefix_len(const std::string& mask_hex) {
    uint32_t v = 0;
    std::from_chars(mask_hex.data(), mask_hex.data() + mask_hex.size(), v, 16);
    return __builtin_popcount(v);
}

// 32 hex digits -> "2001:db8::1", the RFC 5952 text form (inet_ntop); the digits themselves when
// they are not 32 hex digits.
std::string ipv6_from_hex(const std::string& hex) {
    in6_addr a{};
    if (hex.size() != 32) return hex;
    for (size_t i = 0; i < 16; ++i) {
        unsigned v = 0;
        const auto r = std::from_chars(hex.data() + 2 * i, hex.data() + 2 * i + 2, v, 16);
        if (r.ec != std::errc{} || r.ptr != hex.data() + 2 * i + 2) return hex;
        a.s6_addr[i] = static_cast<uint8_t>(v);
    }
    char text[INET6_ADDRSTRLEN];
    if (!inet_ntop(AF_INET6, &a, text, sizeof text)) return hex;
    return text;
}

// Routes that make an interface "active" as dpdk-devbind sees it. IPv6 link-local, multicast and
// host (/128) routes exist on every interface that is up and say nothing about its use.
void read_routes(const HostRoot& root, Netdev& nd) {
    std::ifstream v4(root.proc() / "net/route");
    std::string line;
    std::getline(v4, line);  // header
    while (std::getline(v4, line)) {
        std::istringstream f(line);
        std::string iface, dest, gw, flags, refcnt, use, metric, mask;
        if (!(f >> iface >> dest >> gw >> flags >> refcnt >> use >> metric >> mask)) continue;
        if (iface == nd.name)
            nd.routes.push_back(ipv4_from_hex(dest) + "/" + std::to_string(prefix_len(mask)));
    }
    std::ifstream v6(root.proc() / "net/ipv6_route");
    while (std::getline(v6, line)) {
        std::istringstream f(line);
        std::string dest, plen, src, splen, hop, metric, refcnt, use, flags, iface;
        if (!(f >> dest >> plen >> src >> splen >> hop >> metric >> refcnt >> use >> flags >>
              iface))
            continue;
        if (iface != nd.name || dest.size() != 32) continue;
        if (dest.rfind("fe8", 0) == 0 || dest.rfind("ff", 0) == 0 || plen == "80") continue;
        // The prefix length is hex; a line where it is not is skipped (std::stoi threw on it,
        // ending `host list` with an uncaught exception).
        unsigned bits = 0;
        if (const auto r = std::from_chars(plen.data(), plen.data() + plen.size(), bits, 16);
            r.ec != std::errc{} || r.ptr != plen.data() + plen.size() || bits > 128)
            continue;
        nd.routes.push_back(ipv6_from_hex(dest) + "/" + std::to_string(bits));
    }
    std::ifstream addrs(root.proc() / "net/if_inet6");
    while (std::getline(addrs, line)) {
        std::istringstream f(line);
        std::string addr, index, plen, scope, flags, iface;
        if (!(f >> addr >> index >> plen >> scope >> flags >> iface)) continue;
        if (iface == nd.name && scope == "00") nd.addresses.push_back(ipv6_from_hex(addr));
    }
}

Netdev read_netdev(const HostRoot& root, const fs::path& dir, std::vector<std::string>& problems) {
    Netdev nd;
    nd.name = dir.filename().string();
    const auto flags = read_first_line(dir / "flags");
    unsigned long f = 0;
    if (flags && flags->rfind("0x", 0) == 0 &&
        std::from_chars(flags->data() + 2, flags->data() + flags->size(), f, 16).ec == std::errc{})
        nd.up = (f & 0x1) != 0;  // IFF_UP
    else if (flags)
        problems.push_back((dir / "flags").string() + ": expected hex flags like 0x1003, got \"" +
                           *flags + "\"");
    nd.operstate = read_first_line(dir / "operstate").value_or("");
    nd.mac = read_first_line(dir / "address").value_or("");
    read_routes(root, nd);
    return nd;
}

// An optional number: absent is fine, garbage is a problem.
template <class T>
void optional_number(const fs::path& p, std::optional<T>& out, std::vector<std::string>& problems,
                     std::string_view what = "an integer") {
    if (!present(p)) return;
    auto v = read_number(p, what);
    if (v)
        out = static_cast<T>(*v);
    else
        problems.push_back(v.error());
}

// The netdevs of a PCI device: each entry of a "net" directory anywhere below it. Most drivers
// put it at BDF/net/, virtio-pci at BDF/virtioN/net/. Symlinks (driver, subsystem, physfn,
// virtfnN, iommu_group) are not followed, so the walk stays inside the device.
std::vector<fs::path> netdev_dirs(const fs::path& dev) {
    std::vector<fs::path> out;
    std::error_code ec;
    fs::recursive_directory_iterator it(dev, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it.depth() > 4) {  // net/ sits one or two levels down; nothing useful is deeper
            it.disable_recursion_pending();
            continue;
        }
        std::error_code e2;
        if (it->is_symlink(e2) || !it->is_directory(e2)) continue;
        if (it->path().filename() != "net") continue;
        for (const auto& n : fs::directory_iterator(it->path(), e2))
            if (n.is_directory(e2)) out.push_back(n.path());
        it.disable_recursion_pending();  // a netdev's own tree (queues/, ...) holds no netdevs
    }
    return out;
}

}  // namespace

bool PciDevice::is_network_class() const {
    // "0x020000": base class 0x02 is "network controller" (Ethernet 0x0200, other 0x0280).
    return pci_class.size() == 8 && pci_class.rfind("0x02", 0) == 0;
}

std::optional<std::string> parse_bdf(std::string_view s) {
    static const std::regex re("^([0-9a-fA-F]{4,8}:)?[0-9a-fA-F]{2}:[01][0-9a-fA-F]\\.[0-7]$");
    if (!std::regex_match(std::string(s), re)) return std::nullopt;
    return topology::full_bdf(s);
}

Result<PciDevice> read_device(const HostRoot& root, std::string_view bdf_in) {
    const auto bdf = parse_bdf(bdf_in);
    if (!bdf)
        return fail(std::string(1, '\'').append(bdf_in).append(
            "' is not a PCI address (expected 0000:af:02.0 or af:02.0)"));
    PciDevice d;
    d.bdf = *bdf;
    d.path = root.sys() / "bus/pci/devices" / d.bdf;
    std::error_code ec;
    if (!fs::is_directory(d.path, ec))
        return fail("no PCI device " + d.bdf + " (" + d.path.string() + " does not exist)");
    d.driver = link_name(d.path / "driver");
    d.driver_override = read_first_line(d.path / "driver_override").value_or("");
    if (d.driver_override == "(null)") d.driver_override.clear();
    d.vendor = read_first_line(d.path / "vendor").value_or("");
    d.device = read_first_line(d.path / "device").value_or("");
    const auto loc = topology::pci_locality(d.bdf, root.sys().string());
    d.numa_node = loc.node;
    if (!loc.problem.empty()) d.problems.push_back(loc.problem);
    if (const auto g = parse_number<int>(link_name(d.path / "iommu_group"))) d.iommu_group = *g;
    d.pci_class = read_first_line(d.path / "class").value_or("");
    std::vector<fs::path> nets = netdev_dirs(d.path);
    std::sort(nets.begin(), nets.end());
    for (const auto& n : nets) d.netdevs.push_back(read_netdev(root, n, d.problems));

    if (present(d.path / "sriov_totalvfs")) {
        d.is_pf = true;
        std::optional<unsigned> total, num;
        optional_number(d.path / "sriov_totalvfs", total, d.problems, "a VF count");
        optional_number(d.path / "sriov_numvfs", num, d.problems, "a VF count");
        d.total_vfs = total.value_or(0);
        d.num_vfs = num.value_or(0);
        std::optional<int> ap;
        optional_number(d.path / "sriov_drivers_autoprobe", ap, d.problems, "0 or 1");
        if (ap) d.autoprobe = *ap != 0;
        std::vector<std::pair<unsigned, std::string>> vfs;
        for (const auto& e : fs::directory_iterator(d.path, ec)) {
            if (const auto idx = suffix_number(e.path().filename().string(), "virtfn"))
                vfs.emplace_back(static_cast<unsigned>(*idx), link_name(e.path()));
        }
        std::sort(vfs.begin(), vfs.end());
        for (auto& [idx, vf] : vfs) d.vfs.push_back(vf);
    }
    d.physfn = link_name(d.path / "physfn");
    if (!d.physfn.empty()) {
        const fs::path pf = root.sys() / "bus/pci/devices" / d.physfn;
        for (const auto& e : fs::directory_iterator(pf, ec)) {
            const auto idx = suffix_number(e.path().filename().string(), "virtfn");
            if (idx && link_name(e.path()) == d.bdf) d.vf_index = static_cast<unsigned>(*idx);
        }
    }
    return d;
}

std::vector<PciDevice> list_pfs(const HostRoot& root) {
    std::vector<std::string> bdfs;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(root.sys() / "bus/pci/devices", ec))
        if (present(e.path() / "sriov_totalvfs")) bdfs.push_back(e.path().filename().string());
    std::sort(bdfs.begin(), bdfs.end());
    std::vector<PciDevice> out;
    for (const auto& b : bdfs) {
        auto d = read_device(root, b);
        if (!d) continue;  // raced away, or a name that is not a BDF
        if (d->total_vfs == 0 && d->problems.empty()) continue;  // SR-IOV capable but off
        out.push_back(std::move(*d));
    }
    return out;
}

Result<PciDevice> find_pf(const HostRoot& root, std::string_view pf) {
    Result<PciDevice> d = fail("");
    if (parse_bdf(pf)) {
        d = read_device(root, pf);
    } else {
        // A netdev name: /sys/class/net/<name>/device on a live system; on a fixture tree the
        // PF's own net/<name> directory.
        const fs::path cls = root.sys() / "class/net" / std::string(pf) / "device";
        std::string bdf = link_name(cls);
        if (bdf.empty()) {
            std::error_code ec;
            for (const auto& e : fs::directory_iterator(root.sys() / "bus/pci/devices", ec))
                if (present(e.path() / "net" / std::string(pf))) bdf = e.path().filename().string();
        }
        if (bdf.empty())
            return fail("no network interface " + std::string(pf) + " (nothing at " + cls.string() +
                        ")");
        d = read_device(root, bdf);
    }
    if (!d) return d;
    if (!d->is_pf)
        return fail(d->bdf + " is not an SR-IOV PF (" + (d->path / "sriov_totalvfs").string() +
                    " does not exist)");
    return d;
}

}  // namespace vfpath::sriov
