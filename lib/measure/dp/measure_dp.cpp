// Compiles every dp/ header of lib/measure under the hot-path rules (no exceptions, no RTTI), and
// instantiates the default tracker once so its template is checked even before it is wired in.
#include "measure/dp/histogram.h"
#include "measure/dp/hwclock.h"
#include "measure/dp/pacer.h"
#include "measure/dp/probe.h"
#include "measure/dp/relaxed.h"
#include "measure/dp/seqtrack.h"
#include "measure/dp/tsc.h"

#include <type_traits>

namespace vfpath::measure {

template class SeqTracker<>;

static_assert(std::is_trivially_copyable_v<Pacer>);
static_assert(std::is_trivially_copyable_v<TscToNs>);
static_assert(std::is_trivially_copyable_v<ClockFit>);
static_assert(alignof(Histogram) == 64);

}  // namespace vfpath::measure
