#include <algorithm>

#include "drivers-glue/glue.h"

namespace vfpath::glue {

std::string device_name(const config::PortConfig& port) {
    if (port.is_pci()) {
        const auto colons = std::count(port.device.begin(), port.device.end(), ':');
        return colons == 1 ? "0000:" + port.device : port.device;
    }
    return port.device.substr(0, port.device.find(','));
}

std::vector<std::string> device_eal_args(const config::Config& cfg) {
    std::vector<std::string> args;
    bool any_pci = false;
    for (const auto& p : cfg.ports) {
        if (p.is_pci()) {
            any_pci = true;
            args.push_back("-a");
            args.push_back(device_name(p));
        } else {
            args.push_back("--vdev=" + p.device);
        }
    }
    // Without a PCI port, keep EAL away from the host's PCI devices altogether.
    if (!any_pci) args.push_back("--no-pci");
    return args;
}

}  // namespace vfpath::glue
