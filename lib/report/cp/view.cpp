#include "report/view.h"

namespace vfpath::report {

std::string burst_bin_label(size_t k) {
    // Bin 0: empty polls; bin k: [2^(k-1), 2^k); the last bin holds only the largest burst.
    const uint64_t lo = k == 0 ? 0 : uint64_t{1} << (k - 1), hi = (uint64_t{1} << k) - 1;
    if (k < 2 || k + 1 >= dataplane::k_burst_bins) return std::to_string(lo);
    return std::to_string(lo) + "-" + std::to_string(hi);
}

}  // namespace vfpath::report
