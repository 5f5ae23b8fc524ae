// `vfpath host list` and `vfpath host set-vf`.
#include <cstdio>

#include "config/api.h"
#include "control/api.h"
#include "control/cp/check_numa.h"
#include "sriov/api.h"

namespace vfpath::control {

int host_list(const HostOptions& opt) {
    const topology::HostRoot root{opt.root};
    auto source = vf_attr_source(root);
    // On a fixture tree there is no kernel to ask: the attribute columns stay empty, quietly.
    const sriov::HostList l = sriov::read_list(root, root.live() ? source.get() : nullptr);
    for (const auto& p : l.problems) std::fprintf(stderr, "error: %s\n", p.c_str());
    for (const auto& e : l.pfs)
        if (!e.attrs_error.empty())
            std::fprintf(stderr, "warning: %s: VF attributes not read: %s\n", e.pf.bdf.c_str(),
                         e.attrs_error.c_str());
    std::fputs((opt.json ? sriov::list_json(l) : sriov::format_list(l)).c_str(), stdout);
    return l.problems.empty() ? k_exit_ok : k_exit_runtime;
}

namespace {

std::optional<bool> on_off(const std::optional<std::string>& v, const char* flag, bool& bad) {
    if (!v) return std::nullopt;
    if (*v == "on") return true;
    if (*v == "off") return false;
    std::fprintf(stderr, "error: %s: expected on or off, got \"%s\"\n", flag, v->c_str());
    bad = true;
    return std::nullopt;
}

// The settings as typed, checked; nullopt (after printing why) when one is not valid.
std::optional<sriov::VfSettings> parse_settings(const SetVfArgs& a) {
    sriov::VfSettings s;
    bool bad = false;
    if (a.mac) {
        if (auto m = config::parse_mac(*a.mac); m && ((*m)[0] & 1)) {
            // The I/G bit: a group address never names one station; the PF driver would take
            // it or fail in its own way.
            std::fprintf(stderr,
                         "error: --mac: \"%s\" is a multicast address; a VF MAC must be unicast "
                         "(the first byte even, like 02:00:00:00:00:01)\n",
                         a.mac->c_str());
            bad = true;
        } else if (m) {
            s.mac = *m;
        } else {
            std::fprintf(stderr, "error: --mac: \"%s\" is not a MAC address\n", a.mac->c_str());
            bad = true;
        }
    }
    if (a.vlan) {
        if (*a.vlan > 4095) {
            std::fprintf(stderr, "error: --vlan: %u is not in 0..4095\n", *a.vlan);
            bad = true;
        }
        s.vlan = static_cast<uint16_t>(*a.vlan);
    }
    if (a.qos) {
        if (!a.vlan) {
            std::fprintf(stderr, "error: --qos needs --vlan (the kernel sets them together)\n");
            bad = true;
        } else if (*a.qos > 7) {
            std::fprintf(stderr, "error: --qos: %u is not in 0..7\n", *a.qos);
            bad = true;
        }
        s.qos = static_cast<uint8_t>(*a.qos);
    }
    s.spoofchk = on_off(a.spoofchk, "--spoofchk", bad);
    s.trust = on_off(a.trust, "--trust", bad);
    if (a.max_rate) s.max_tx_rate = *a.max_rate;
    if (a.link_state) {
        s.link_state = sriov::parse_link_state(*a.link_state);
        if (!s.link_state) {
            std::fprintf(stderr,
                         "error: --link-state: expected auto, enable or disable, got "
                         "\"%s\"\n",
                         a.link_state->c_str());
            bad = true;
        }
    }
    if (bad) return std::nullopt;
    return s;
}

}  // namespace

int host_set_vf(const HostOptions& opt, const SetVfArgs& a) {
    const topology::HostRoot root{opt.root};
    const auto s = parse_settings(a);
    if (!s) return k_exit_usage;
    const auto msgs = sriov::build_setvf(0, a.vf, *s, 0);
    if (msgs.empty()) {
        std::fprintf(stderr,
                     "error: nothing to set: give at least one of --mac, --vlan, "
                     "--spoofchk, --trust, --max-rate, --link-state\n");
        return k_exit_usage;
    }
    auto pf = sriov::find_pf(root, a.pf);
    if (!pf) {
        std::fprintf(stderr, "error: %s\n", pf.error().c_str());
        return k_exit_usage;
    }
    if (a.vf >= pf->num_vfs) {
        std::fprintf(stderr, "error: %s has %u VFs (%s): there is no VF %u\n", pf->bdf.c_str(),
                     pf->num_vfs, (pf->path / "sriov_numvfs").c_str(), a.vf);
        return k_exit_usage;
    }
    if (pf->netdevs.empty()) {
        std::fprintf(stderr,
                     "error: %s has no network interface (driver %s): VF attributes are "
                     "set through the PF's kernel driver\n",
                     pf->bdf.c_str(), pf->driver.empty() ? "none" : pf->driver.c_str());
        return k_exit_refused;
    }
    const std::string& ifname = pf->netdevs.front().name;
    std::printf("set-vf %s (%s) VF %u%s\n", ifname.c_str(), pf->bdf.c_str(), a.vf,
                opt.dry_run ? " (dry run: nothing is sent)" : "");
    if (opt.dry_run) {
        for (const auto& m : msgs)
            std::printf("  would send RTM_SETLINK %s vf %u %s %s\n", ifname.c_str(), a.vf,
                        m.attribute.c_str(), m.value.c_str());
        return k_exit_ok;
    }
    if (!root.live()) {
        std::fprintf(stderr,
                     "error: --root %s: rtnetlink talks to this kernel, not to a tree; "
                     "use --dry-run there\n",
                     opt.root.c_str());
        return k_exit_usage;
    }
    // Each attribute is its own message: print what the kernel took, then what it did not.
    const sriov::SetOutcome out = sriov::set_vf(ifname, a.vf, *s);
    std::fputs(sriov::describe(out, ifname, a.vf).c_str(), stdout);
    std::fflush(stdout);
    if (!out.ok()) {
        std::fprintf(stderr, "error: %s\n", out.why.c_str());
        return k_exit_runtime;
    }
    std::printf("done\n");
    return k_exit_ok;
}

}  // namespace vfpath::control
