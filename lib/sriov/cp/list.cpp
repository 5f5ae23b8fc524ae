// `vfpath host list`: every PF and its VFs (sysfs), their attributes (rtnetlink), vfio status and
// free hugepages per node, as a table or as JSON.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "sriov/api.h"

namespace vfpath::sriov {

namespace {

using nlohmann::json;

json opt(const std::optional<int>& v) {
    return v ? json(*v) : json(nullptr);
}
json opt(const std::optional<bool>& v) {
    return v ? json(*v) : json(nullptr);
}
json str_or_null(const std::string& s) {
    return s.empty() ? json(nullptr) : json(s);
}

// "8086:1572" from sysfs's "0x8086" and "0x1572" (lspci -n's form); "-" when unreadable.
std::string pci_id(const PciDevice& d) {
    const auto bare = [](const std::string& v) { return v.rfind("0x", 0) == 0 ? v.substr(2) : v; };
    if (d.vendor.empty() || d.device.empty()) return "-";
    return bare(d.vendor) + ":" + bare(d.device);
}
json id_or_null(const PciDevice& d) {
    const std::string id = pci_id(d);
    return id == "-" ? json(nullptr) : json(id);
}

std::string cell(const std::optional<int>& v) {
    return v ? std::to_string(*v) : "-";
}
std::string on_off(const std::optional<bool>& v) {
    return v ? (*v ? "on" : "off") : "-";
}

}  // namespace

HostList read_list(const HostRoot& root, VfAttrSource* source) {
    HostList l;
    l.vfio = read_vfio(root);
    l.nodes = topology::read_nodes(root.sys().string());
    for (PciDevice& pf : list_pfs(root)) {
        ListedPf e;
        for (const auto& p : pf.problems) l.problems.push_back(p);
        for (const auto& bdf : pf.vfs) {
            auto vf = read_device(root, bdf);
            if (!vf) {
                l.problems.push_back(vf.error());
                continue;
            }
            for (const auto& p : vf->problems) l.problems.push_back(p);
            e.vfs.push_back(std::move(*vf));
        }
        e.attrs.resize(e.vfs.size());
        if (source && !pf.netdevs.empty() && !e.vfs.empty()) {
            auto attrs = source->vfs(pf.netdevs.front().name);
            if (!attrs) {
                e.attrs_error = attrs.error();
            } else {
                for (size_t i = 0; i < e.vfs.size(); ++i)
                    for (const auto& a : *attrs)
                        if (e.vfs[i].vf_index && a.index == *e.vfs[i].vf_index) e.attrs[i] = a;
            }
        }
        e.pf = std::move(pf);
        l.pfs.push_back(std::move(e));
    }
    return l;
}

std::string format_list(const HostList& l) {
    std::string out;
    char line[512];
    if (l.pfs.empty()) out += "no SR-IOV PF on this host\n";
    for (const auto& e : l.pfs) {
        const PciDevice& pf = e.pf;
        const std::string netdev = pf.netdevs.empty() ? "-" : pf.netdevs.front().name;
        const std::string link = pf.netdevs.empty() || pf.netdevs.front().operstate.empty()
                                     ? "-"
                                     : pf.netdevs.front().operstate;
        std::snprintf(line, sizeof line,
                      "PF %s [%s]  %s  driver %s  node %s  VFs %u/%u  link %s\n", pf.bdf.c_str(),
                      pci_id(pf).c_str(), netdev.c_str(),
                      pf.driver.empty() ? "-" : pf.driver.c_str(), cell(pf.numa_node).c_str(),
                      pf.num_vfs, pf.total_vfs, link.c_str());
        out += line;
        if (e.vfs.empty()) continue;
        std::snprintf(line, sizeof line,
                      "  %-3s %-13s %-9s %-10s %-5s %-4s %-17s %-4s %-3s %-8s %-5s %-7s %s\n", "VF",
                      "BDF", "ID", "DRIVER", "GROUP", "NODE", "MAC", "VLAN", "QOS", "SPOOFCHK", "TRUST",
                      "LINK", "RATE(min/max)");
        out += line;
        for (size_t i = 0; i < e.vfs.size(); ++i) {
            const PciDevice& vf = e.vfs[i];
            const auto& a = e.attrs[i];
            const std::string rate =
                a ? std::to_string(a->min_tx_rate) + "/" + std::to_string(a->max_tx_rate) : "-";
            std::snprintf(line, sizeof line,
                          "  %-3s %-13s %-9s %-10s %-5s %-4s %-17s %-4s %-3s %-8s %-5s %-7s %s\n",
                          vf.vf_index ? std::to_string(*vf.vf_index).c_str() : "?", vf.bdf.c_str(),
                          pci_id(vf).c_str(), vf.driver.empty() ? "-" : vf.driver.c_str(), cell(vf.iommu_group).c_str(),
                          cell(vf.numa_node).c_str(), a ? format_mac(a->mac).c_str() : "-",
                          a ? std::to_string(a->vlan).c_str() : "-",
                          a ? std::to_string(a->qos).c_str() : "-",
                          a ? on_off(a->spoofchk).c_str() : "-", a ? on_off(a->trust).c_str() : "-",
                          a && a->link_state ? std::string(to_string(*a->link_state)).c_str() : "-",
                          rate.c_str());
            out += line;
        }
        if (!e.attrs_error.empty()) out += "  (VF attributes: " + e.attrs_error + ")\n";
    }
    out += std::string("vfio: vfio-pci ") + (l.vfio.module_loaded ? "loaded" : "not loaded") +
           ", no-IOMMU mode " + (l.vfio.noiommu ? "ON (unsafe)" : "off") + ", " +
           std::to_string(l.vfio.iommu_groups) + " IOMMU groups\n";
    std::string hp;
    for (const auto& n : l.nodes)
        for (const auto& p : n.hugepages)
            if (p.total > 0)
                hp += (hp.empty() ? "" : "; ") + std::string("node ") + std::to_string(n.id) +
                      ": " + std::to_string(p.free) + "/" + std::to_string(p.total) + " x " +
                      topology::format_page_size(p.size_kb);
    out += "hugepages free: " + (hp.empty() ? std::string("none reserved") : hp) + "\n";
    return out;
}

std::string list_json(const HostList& l) {
    json pfs = json::array();
    for (const auto& e : l.pfs) {
        const PciDevice& pf = e.pf;
        json vfs = json::array();
        for (size_t i = 0; i < e.vfs.size(); ++i) {
            const PciDevice& vf = e.vfs[i];
            const auto& a = e.attrs[i];
            vfs.push_back({
                {"index", vf.vf_index ? json(*vf.vf_index) : json(nullptr)},
                {"bdf", vf.bdf},
                {"id", id_or_null(vf)},
                {"driver", str_or_null(vf.driver)},
                {"iommu_group", opt(vf.iommu_group)},
                {"numa_node", opt(vf.numa_node)},
                {"netdev", vf.netdevs.empty() ? json(nullptr) : json(vf.netdevs.front().name)},
                {"mac", a ? json(format_mac(a->mac)) : json(nullptr)},
                {"vlan", a ? json(a->vlan) : json(nullptr)},
                {"qos", a ? json(a->qos) : json(nullptr)},
                {"spoofchk", a ? opt(a->spoofchk) : json(nullptr)},
                {"trust", a ? opt(a->trust) : json(nullptr)},
                {"link_state",
                 a && a->link_state ? json(to_string(*a->link_state)) : json(nullptr)},
                {"min_tx_rate", a ? json(a->min_tx_rate) : json(nullptr)},
                {"max_tx_rate", a ? json(a->max_tx_rate) : json(nullptr)},
            });
        }
        pfs.push_back({
            {"bdf", pf.bdf},
            {"id", id_or_null(pf)},
            {"netdev", pf.netdevs.empty() ? json(nullptr) : json(pf.netdevs.front().name)},
            {"driver", str_or_null(pf.driver)},
            {"numa_node", opt(pf.numa_node)},
            {"total_vfs", pf.total_vfs},
            {"num_vfs", pf.num_vfs},
            {"link",
             pf.netdevs.empty() ? json(nullptr) : str_or_null(pf.netdevs.front().operstate)},
            {"autoprobe", opt(pf.autoprobe)},
            {"vfs", vfs},
            {"vf_attrs_error", str_or_null(e.attrs_error)},
        });
    }
    json hp = json::array();
    for (const auto& n : l.nodes)
        for (const auto& p : n.hugepages)
            hp.push_back(
                {{"node", n.id}, {"size_kb", p.size_kb}, {"total", p.total}, {"free", p.free}});
    json j = {{"pfs", pfs},
              {"vfio",
               {{"module_loaded", l.vfio.module_loaded},
                {"noiommu", l.vfio.noiommu},
                {"iommu_groups", l.vfio.iommu_groups}}},
              {"hugepages", hp},
              {"problems", l.problems}};
    // Sysfs values and config text can hold any byte; invalid UTF-8 becomes U+FFFD instead of
    // an exception (found by fuzzing).
    return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace vfpath::sriov
