// ports[].device as a Kubernetes SR-IOV network device plugin resource. The plugin gives each
// container that requests resource "<prefix>/<name>" two variables (sriov-network-device-plugin,
// pkg/resources/server.go and pkg/infoprovider/):
//   PCIDEVICE_<PREFIX>_<NAME>=0000:af:02.0,0000:af:02.1      the allocated VFs, in kubelet's order
//   PCIDEVICE_<PREFIX>_<NAME>_INFO={"0000:af:02.0": {"generic": {"deviceID": "0000:af:02.0"},
//                                    "vfio": {"mount": "/dev/vfio/vfio", "dev-mount": "/dev/vfio/61"},
//                                    "extra": {...}}, ...}
// (<PREFIX> is the prefix with '.' replaced by '_', the whole name upper-cased). `_INFO` is only
// written by newer plugins; `extra` holds what the plugin's extraEnvVariables attach to a VF.
#include <algorithm>
#include <cctype>

#include "config/cp/load_internal.h"

namespace vfpath::config {

std::string device_plugin_env_var(std::string_view resource) {
    std::string out = "PCIDEVICE_";
    const size_t slash = resource.find('/');
    for (size_t i = 0; i < resource.size(); ++i) {
        char c = resource[i];
        if (i == slash || (i < slash && c == '.')) c = '_';
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

std::string DeviceRef::str() const {
    if (match.empty()) return resource + "[" + std::to_string(index.value_or(0)) + "]";
    std::string out = resource + "{";
    for (const auto& [k, v] : match) out += (out.back() == '{' ? "" : ",") + k + "=" + v;
    return out + "}";
}

namespace detail {

namespace {

// The largest index accepted; no node hands one pod more VFs of one resource than this.
constexpr uint64_t k_max_index = 255;

// Kubernetes extended resource names: "<domain>/<name>", both non-empty, no blanks.
bool is_resource_name(std::string_view s) {
    const size_t slash = s.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == s.size() ||
        s.find('/', slash + 1) != std::string_view::npos)
        return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' ||
               c == '/';
    });
}

// Per device: provider -> {key -> value}.
using DeviceInfo = std::map<std::string, std::map<std::string, std::string>>;

// Parses the _INFO JSON (JSON is YAML, so yaml-cpp reads it). Error text names what is wrong.
Result<std::map<std::string, DeviceInfo>> parse_info(const std::string& text) {
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        return fail("not valid JSON: " + e.msg);
    }
    constexpr std::string_view shape =
        "expected {\"<BDF>\": {\"<provider>\": {\"<key>\": \"<value>\"}}}";
    if (!root.IsMap()) return fail(std::string(shape) + ", got " + describe(root));
    std::map<std::string, DeviceInfo> out;
    for (const auto& dev : root) {
        if (!dev.first.IsScalar() || !dev.second.IsMap())
            return fail(std::string(shape) + "; the entry " + describe(dev.first) +
                        " is not a device with a map of providers");
        DeviceInfo& info = out[dev.first.Scalar()];
        for (const auto& prov : dev.second) {
            if (!prov.first.IsScalar() || !(prov.second.IsMap() || prov.second.IsNull()))
                return fail(std::string(shape) + "; provider " + describe(prov.first) + " of " +
                            dev.first.Scalar() + " is not a map");
            auto& kv = info[prov.first.Scalar()];
            if (prov.second.IsNull()) continue;
            for (const auto& e : prov.second)
                if (e.first.IsScalar() && e.second.IsScalar())
                    kv[e.first.Scalar()] = e.second.Scalar();
        }
    }
    return out;
}

std::string describe_extra(const DeviceInfo& info) {
    const auto it = info.find("extra");
    if (it == info.end() || it->second.empty()) return "no extra info";
    std::string out;
    for (const auto& [k, v] : it->second) out += (out.empty() ? "" : ", ") + k + "=" + v;
    return out;
}

const Key<DeviceRef> k_device_ref_keys[] = {
    {"resource",
     {"`<domain>/<name>`",
      "—",
      "intel.com/intel_sriov_dpdk",
      "When `device` is a map: the Kubernetes SR-IOV device plugin's extended "
      "resource name. The variable read is `PCIDEVICE_` followed by the name "
      "upper-cased, with the domain's `.` and the `/` turned into `_`, as the device "
      "plugin writes it ([operations.md](operations.md), \"Kubernetes\")."},
     [](Reader& r, const In& in, DeviceRef& d) {
         auto s = r.text(in, "a resource name like intel.com/intel_sriov_dpdk");
         if (s && is_resource_name(*s))
             d.resource = *s;
         else if (s)
             r.expected(in, "a resource name like intel.com/intel_sriov_dpdk (<domain>/<name>)");
     },
     true},
    {"index",
     {"integer 0..255",
      "`0`",
      "1",
      "The position in the variable's list of VFs. The list is in the order kubelet "
      "allocated the VFs, which is arbitrary; for symmetric jobs that does not "
      "matter."},
     [](Reader& r, const In& in, DeviceRef& d) {
         if (auto v = r.integer(in, 0, k_max_index)) d.index = static_cast<unsigned>(*v);
     }},
    {"match",
     {"map of plain keys and values",
      "unset",
      "{side: west}",
      "Instead of `index`: the VF whose `extra` info in `_INFO` carries these values "
      "(the device plugin's `extraEnvVariables`), so each port gets the same VF "
      "whatever order kubelet chose."},
     [](Reader& r, const In& in, DeviceRef& d) {
         if (!in.node.IsMap() || in.node.size() == 0) {
             r.expected(in, "a map of extra info the device must carry, like {side: west}");
             return;
         }
         for (const auto& kv : in.node) {
             if (kv.first.IsScalar() && kv.second.IsScalar())
                 d.match[kv.first.Scalar()] = kv.second.Scalar();
             else
                 r.expected(in, "a map of plain keys and values, like {side: west}");
         }
     }},
};

}  // namespace

void device_ref_rows(KeyRows& out, const std::string& path) {
    map_rows<k_device_ref_keys>(out, path);
}

std::optional<std::string> decode_device_ref(Reader& r, const In& in, DeviceRef& d) {
    const size_t before = r.diags.size();
    decode_map(r, in, k_device_ref_keys, d);
    if (r.diags.size() != before || d.resource.empty()) return std::nullopt;
    if (d.index && !d.match.empty()) {
        r.error(in, "give either index or match, not both");
        return std::nullopt;
    }
    d.env_var = device_plugin_env_var(d.resource);
    const std::string& var = d.env_var;
    const std::optional<std::string> list = r.env ? r.env(var) : std::nullopt;
    if (!list) {
        r.error(in, var + " is not set: this container was given no " + d.resource +
                        " device (request it under resources.limits, and check that the SR-IOV "
                        "device plugin serves that resource)");
        return std::nullopt;
    }
    // The list: BDFs separated by ','. Anything else means the variable was not written by the
    // plugin, and guessing which device was meant could drive someone else's VF.
    std::vector<std::string> bdfs;
    std::string_view rest = *list;
    if (trim(rest).empty()) {
        r.error(in, var + " is set but empty: no " + d.resource + " device was allocated");
        return std::nullopt;
    }
    for (size_t item = 1;; ++item) {
        const size_t comma = rest.find(',');
        const std::string_view bdf = trim(rest.substr(0, comma));
        if (bdf.empty()) {
            r.error(in, var + "=\"" + *list + "\": item " + std::to_string(item) +
                            " is empty (expected PCI addresses separated by ',')");
            return std::nullopt;
        }
        if (!is_pci_address(bdf)) {
            r.error(in, var + "=\"" + *list + "\": item " + std::to_string(item) + " '" +
                            std::string(bdf) + "' is not a PCI address like 0000:af:02.0");
            return std::nullopt;
        }
        const std::string id = device_identity(bdf);
        if (std::any_of(bdfs.begin(), bdfs.end(),
                        [&](const std::string& b) { return device_identity(b) == id; })) {
            r.error(in, var + "=\"" + *list + "\": " + std::string(bdf) + " is listed twice");
            return std::nullopt;
        }
        bdfs.emplace_back(bdf);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }

    std::map<std::string, DeviceInfo> info;
    const std::optional<std::string> info_text = r.env ? r.env(var + "_INFO") : std::nullopt;
    if (info_text) {
        auto parsed = parse_info(*info_text);
        if (!parsed) {
            r.error(in, var + "_INFO: " + parsed.error());
            return std::nullopt;
        }
        info = std::move(*parsed);
        for (const std::string& b : bdfs) {
            if (!info.count(b)) {
                r.error(in, var + " lists " + b + " but " + var +
                                "_INFO has no entry for it: the two variables describe different "
                                "allocations");
                return std::nullopt;
            }
        }
    }

    size_t chosen = 0;
    if (!d.match.empty()) {
        if (!info_text) {
            r.error(in, "match needs " + var +
                            "_INFO (written by SR-IOV device plugins since 2023), which is "
                            "not set; use index instead");
            return std::nullopt;
        }
        std::vector<size_t> hits;
        std::string seen;
        for (size_t i = 0; i < bdfs.size(); ++i) {
            const DeviceInfo& di = info[bdfs[i]];
            const auto extra = di.find("extra");
            const bool all = std::all_of(d.match.begin(), d.match.end(), [&](const auto& m) {
                if (extra == di.end()) return false;
                const auto it = extra->second.find(m.first);
                return it != extra->second.end() && it->second == m.second;
            });
            if (all) hits.push_back(i);
            seen += (seen.empty() ? "" : "; ") + bdfs[i] + ": " + describe_extra(di);
        }
        if (hits.size() != 1) {
            r.error(in, std::string(hits.empty() ? "no device" : "more than one device") + " of " +
                            var + " carries the extra info in match (" + seen + ")");
            return std::nullopt;
        }
        chosen = hits.front();
    } else {
        chosen = d.index.value_or(0);
        if (chosen >= bdfs.size()) {
            In at = in;  // the index as written, else the device map (index 0 by default)
            for (const auto& kv : in.node)
                if (kv.first.IsScalar() && kv.first.Scalar() == "index")
                    at = in.child("index", kv.second, loc_of(kv.first.Mark()));
            std::string listed;
            for (const auto& b : bdfs) listed += (listed.empty() ? "" : ", ") + b;
            r.error(at, "index " + std::to_string(chosen) + " is out of range: " + var +
                            " lists " + std::to_string(bdfs.size()) + " device(s) (" + listed +
                            "), so index goes up to " + std::to_string(bdfs.size() - 1) +
                            "; request more in resources.limits");
            return std::nullopt;
        }
    }
    if (info_text) {
        const DeviceInfo& di = info[bdfs[chosen]];
        for (const auto& [provider, kv] : di) {
            d.providers.push_back(provider);
            if (provider == "vfio")
                if (auto it = kv.find("dev-mount"); it != kv.end()) d.vfio_dev = it->second;
        }
    }
    return bdfs[chosen];
}

}  // namespace detail

}  // namespace vfpath::config
