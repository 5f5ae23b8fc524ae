// drivers-glue: filling DPDK telemetry replies, whose calls differ between DPDK versions
// (compat.h). lib/control/cp/telemetry.cpp builds its replies with these.
#pragma once

#include <cstdint>

struct rte_tel_data;

namespace vfpath::glue {

// What an array holds (rte_tel_value_type, whose names changed in 23.03).
enum class TelArray { string, int64, uint64, container };

int tel_start_array(rte_tel_data* d, TelArray type);
// Unsigned: the full uint64_t range on every version.
int tel_add_dict_uint(rte_tel_data* d, const char* name, uint64_t v);
int tel_add_array_uint(rte_tel_data* d, uint64_t v);
// Signed: int64_t since 23.03, int in 22.11 (callers keep values in int's range there:
// report::tel only gives negative values that small).
int tel_add_dict_int(rte_tel_data* d, const char* name, int64_t v);
int tel_add_array_int(rte_tel_data* d, int64_t v);

}  // namespace vfpath::glue
