// drivers-glue: which DPDK vfpath was built against and which one it runs on. They differ when
// the DPDK libraries were upgraded (same ABI) after vfpath was built.
#pragma once

#include <string>
#include <string_view>

namespace vfpath::glue {

// "22.11.11": the headers' RTE_VERSION (year.month.minor, then any suffix such as "-rc1").
std::string dpdk_version_built();
// "22.11.11": rte_version() of the library loaded now, without its "DPDK " prefix. Needs no EAL.
std::string dpdk_version_running();

// Whether `version` ("26.07.0", as above) is year.month or later; false when it is not a version.
bool version_at_least(std::string_view version, unsigned year, unsigned month);
// Whether net_iavf resets a VF itself after the PF resets it (devarg auto_reset on by default,
// DPDK 26.07 and later): it then recovers without raising RTE_ETH_EVENT_INTR_RESET, so the
// application's reset path never runs. `version`: the DPDK that runs (dpdk_version_running()),
// not the one built against: 25.11 and 26.07 share ABI 26.
bool iavf_resets_itself(std::string_view version);

}  // namespace vfpath::glue
