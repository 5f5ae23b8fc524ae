#include "report/view.h"

namespace vfpath::report {

BurstBin burst_bin(size_t k) {
    if (k == 0) return {};
    return {uint64_t{1} << (k - 1), (uint64_t{1} << k) - 1};
}

std::string burst_bin_label(size_t k) {
    const BurstBin b = burst_bin(k);
    // Bins 0 and 1 hold one size each; the last holds only the largest burst.
    if (k < 2 || k + 1 >= dataplane::k_burst_bins) return std::to_string(b.min);
    return std::to_string(b.min) + "-" + std::to_string(b.max);
}

}  // namespace vfpath::report
