// What a VF port's PF holds for it, watched from the control thread. Some PF drivers (igb) tell
// a VF nothing when the host sets its MAC (`ip link set PF vf N mac ...`): the VF keeps its old
// address until it is reset, and the PF's anti-spoofing then drops what it sends. The PF's own
// view over rtnetlink (IFLA_VF_INFO) is the one place the change shows; a port whose PF-held MAC
// differs from the one it uses is re-attached, which reads the MAC again from the PF.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/api.h"
#include "sriov/api.h"

namespace vfpath::control {

struct PfWatchTarget {
    uint16_t pidx = 0;
    std::string bdf;        // the VF
    std::string pf_netdev;  // its PF's netdev, where IFLA_VF_INFO is asked for
    uint32_t vf = 0;        // its index on the PF
};

// The ports (plan index, PCI address; vdevs are left out by the caller) that are VFs of a PF
// with a netdev. A port that is not a VF, or whose PF has no netdev (a PF driven by DPDK), is
// left out, with the reason in `skipped` ("p0: 0000:00:04.0 is not a VF").
std::vector<PfWatchTarget> pf_watch_targets(const sriov::HostRoot& root,
                                            const std::vector<std::pair<uint16_t, std::string>>& ports,
                                            std::vector<std::string>* skipped = nullptr);

class PfWatch {
public:
    PfWatch(std::vector<PfWatchTarget> targets, sriov::VfAttrSource& source)
        : targets_(std::move(targets)), source_(source), acted_(targets_.size()),
          reported_(targets_.size(), false), seen_(targets_.size(), false) {}
    struct Change {
        uint16_t pidx;
        config::MacAddr mac;  // what the PF holds now
        std::string pf_netdev;
        uint32_t vf;
    };
    // The ports whose PF-held MAC is set (not all zeros), differs from what the port uses
    // (`current`; nullopt: the port is busy, e.g. recovering: skipped this time), and was not
    // acted on before: each PF MAC is acted on once, so a driver that
    // does not take it on re-attach cannot cause a loop. Only a change counts: a difference
    // already there at the first poll (a port given its own `mac:`) goes to `notes`, once.
    // Read errors go to `notes` too, once per port until it reads again.
    std::vector<Change> poll(const std::function<std::optional<config::MacAddr>(uint16_t)>& current,
                             std::vector<std::string>* notes = nullptr);
    const std::vector<PfWatchTarget>& targets() const { return targets_; }

private:
    std::vector<PfWatchTarget> targets_;
    sriov::VfAttrSource& source_;
    std::vector<std::optional<config::MacAddr>> acted_;
    std::vector<bool> reported_;
    std::vector<bool> seen_;  // read once: later differences are changes
};

}  // namespace vfpath::control
