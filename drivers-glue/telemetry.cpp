#include "drivers-glue/telemetry.h"

#include <cerrno>

#include <rte_telemetry.h>

#include "drivers-glue/compat.h"

namespace vfpath::glue {

int tel_start_array(rte_tel_data* d, TelArray type) {
    switch (type) {
        case TelArray::string:
            return rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
        case TelArray::int64:
            return rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
        case TelArray::uint64:
#if VFPATH_DPDK_TEL_UINT
            return rte_tel_data_start_array(d, RTE_TEL_UINT_VAL);
#else
            return rte_tel_data_start_array(d, RTE_TEL_U64_VAL);
#endif
        case TelArray::container:
            return rte_tel_data_start_array(d, RTE_TEL_CONTAINER);
    }
    return -EINVAL;
}

int tel_add_dict_uint(rte_tel_data* d, const char* name, uint64_t v) {
#if VFPATH_DPDK_TEL_UINT
    return rte_tel_data_add_dict_uint(d, name, v);
#else
    return rte_tel_data_add_dict_u64(d, name, v);
#endif
}

int tel_add_array_uint(rte_tel_data* d, uint64_t v) {
#if VFPATH_DPDK_TEL_UINT
    return rte_tel_data_add_array_uint(d, v);
#else
    return rte_tel_data_add_array_u64(d, v);
#endif
}

int tel_add_dict_int(rte_tel_data* d, const char* name, int64_t v) {
#if VFPATH_DPDK_TEL_UINT
    return rte_tel_data_add_dict_int(d, name, v);
#else
    return rte_tel_data_add_dict_int(d, name, int(v));
#endif
}

int tel_add_array_int(rte_tel_data* d, int64_t v) {
#if VFPATH_DPDK_TEL_UINT
    return rte_tel_data_add_array_int(d, v);
#else
    return rte_tel_data_add_array_int(d, int(v));
#endif
}

}  // namespace vfpath::glue
