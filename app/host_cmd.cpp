#include "app/host_cmd.h"

#include <cstdint>
#include <string>

#include "app/cli_checks.h"

#include "control/api.h"

namespace vfpath::app {

using namespace vfpath::control;

struct HostCommands::State {
    CLI::App* host = nullptr;
    CLI::App *list = nullptr, *create = nullptr, *set_vf = nullptr, *bind = nullptr,
             *unbind = nullptr, *restore = nullptr;
    HostOptions opt;
    std::string pf, bdf, driver = "vfio-pci";
    unsigned count = 0;
    bool no_autoprobe = false, autoprobe = false;
    SetVfArgs vf;
};

namespace {

void add_root(CLI::App* c, HostOptions& o) {
    c->add_option("--root", o.root,
                  "Host root: sysfs under DIR/sys, procfs under DIR/proc "
                  "(default /)")
        ->check(CLI::ExistingDirectory);
}

void add_change_flags(CLI::App* c, HostOptions& o) {
    add_root(c, o);
    c->add_flag("--dry-run", o.dry_run, "Print each sysfs write instead of making it");
    c->add_flag("--force", o.force, "Override the refusals that allow it");
}

}  // namespace

HostCommands::HostCommands(CLI::App& app) : s_(std::make_unique<State>()) {
    State& s = *s_;
    s.host = app.add_subcommand("host",
                                "SR-IOV on this host: list PFs/VFs, create VFs, set VF "
                                "attributes, bind/unbind/restore drivers");
    s.host->require_subcommand(1);
    s.host->footer("Guide: docs/host.md");

    s.list = s.host->add_subcommand("list", "Every SR-IOV PF and its VFs, vfio status, hugepages");
    add_root(s.list, s.opt);
    s.list->add_flag("--json", s.opt.json, "JSON instead of a table");

    s.create = s.host->add_subcommand("create-vfs", "Set a PF's VF count (through 0)");
    s.create->add_option("PF", s.pf, "PF as BDF or netdev")->required();
    s.create->add_option("--count", s.count, "Number of VFs (0 removes them)")
        ->required()
        ->check(whole(UINT16_MAX));
    s.create->add_flag("--no-autoprobe", s.no_autoprobe,
                       "Write 0 to sriov_drivers_autoprobe first: new VFs get no driver");
    s.create->add_flag("--autoprobe", s.autoprobe, "Write 1 to sriov_drivers_autoprobe first")
        ->excludes("--no-autoprobe");
    s.create->add_option("--wait", s.opt.wait_s, "Seconds to wait for the VFs to appear")
        ->check(seconds());
    add_change_flags(s.create, s.opt);

    s.set_vf = s.host->add_subcommand("set-vf", "Set a VF's attributes on its PF (rtnetlink)");
    s.set_vf->add_option("PF", s.vf.pf, "PF as BDF or netdev")->required();
    s.set_vf->add_option("VF", s.vf.vf, "VF index")->required()->check(whole(UINT16_MAX));
    s.set_vf->add_option("--mac", s.vf.mac, "VF MAC address");
    s.set_vf->add_option("--vlan", s.vf.vlan, "Port VLAN 0..4095 (0: none)")->check(whole(4095));
    s.set_vf->add_option("--qos", s.vf.qos, "VLAN priority 0..7 (with --vlan)")->check(whole(7));
    s.set_vf->add_option("--spoofchk", s.vf.spoofchk, "on|off");
    s.set_vf->add_option("--trust", s.vf.trust, "on|off");
    s.set_vf->add_option("--max-rate", s.vf.max_rate, "Max tx rate in Mbit/s (0: no limit)")
        ->check(whole(UINT32_MAX));
    s.set_vf->add_option("--link-state", s.vf.link_state, "auto|enable|disable");
    add_root(s.set_vf, s.opt);
    s.set_vf->add_flag("--dry-run", s.opt.dry_run, "Print what would be sent");

    s.bind = s.host->add_subcommand("bind", "Bind a device to a driver (driver_override)");
    s.bind->add_option("BDF", s.bdf, "PCI address")->required();
    s.bind->add_option("--driver", s.driver, "Driver (default vfio-pci)");
    s.bind->add_option("--wait", s.opt.wait_s, "Seconds to wait for the probe")
        ->check(seconds());
    add_change_flags(s.bind, s.opt);

    s.unbind = s.host->add_subcommand("unbind", "Unbind a device from its driver");
    s.unbind->add_option("BDF", s.bdf, "PCI address")->required();
    add_change_flags(s.unbind, s.opt);

    s.restore = s.host->add_subcommand("restore",
                                       "Give a device back the driver it had before "
                                       "vfpath bound or unbound it");
    s.restore->add_option("BDF", s.bdf, "PCI address")->required();
    s.restore->add_option("--wait", s.opt.wait_s, "Seconds to wait for the probe")
        ->check(seconds());
    add_change_flags(s.restore, s.opt);
    for (CLI::App* c : {s.list, s.create, s.set_vf, s.bind, s.unbind, s.restore})
        c->footer("Guide: docs/host.md");
}

HostCommands::~HostCommands() = default;

std::optional<int> HostCommands::dispatch() const {
    const State& s = *s_;
    if (!s.host->parsed()) return std::nullopt;
    if (s.list->parsed()) return host_list(s.opt);
    if (s.create->parsed()) {
        std::optional<bool> ap;
        if (s.no_autoprobe) ap = false;
        if (s.autoprobe) ap = true;
        return host_create_vfs(s.opt, s.pf, s.count, ap);
    }
    if (s.set_vf->parsed()) return host_set_vf(s.opt, s.vf);
    if (s.bind->parsed()) return host_bind(s.opt, s.bdf, s.driver);
    if (s.unbind->parsed()) return host_unbind(s.opt, s.bdf);
    return host_restore(s.opt, s.bdf);
}

}  // namespace vfpath::app
