// What vfpath's DPDK telemetry commands (/vfpath/...) answer, as pure functions View -> JSON. The
// JSON stays inside what DPDK 22.11's telemetry can carry (rte_telemetry.h, checked by
// tel::unrepresentable), so lib/control/cp/telemetry.cpp turns it into rte_tel_data one to one
// and a client receives exactly this JSON under the command's name.
//
// DPDK 22.11's type model, measured on Debian's librte_telemetry.so.23:
//  - dicts nest in dicts to any depth, and may hold arrays; an array holds only strings, only
//    integers or only arrays of those: never a dict. So lists of records are dicts keyed by name.
//  - a dict key is [A-Za-z0-9_/] (anything else is refused with -EINVAL): see tel::key.
//  - no floating point and no booleans: fractions are strings ("0.7342"), flags are 0/1.
//  - strings up to 127 bytes, 256 dict entries, 512 array entries, and 16384 bytes of output per
//    reply (entries beyond it are dropped without notice). Larger answers become an error object
//    that says how to narrow the query.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "report/view.h"

namespace vfpath::report::tel {

using nlohmann::json;

inline constexpr size_t k_max_output = 16384;  // telemetry.c MAX_OUTPUT_LEN ("max_output_len")
inline constexpr size_t k_max_string = 127;    // RTE_TEL_MAX_STRING_LEN - 1 (the NUL)
inline constexpr size_t k_max_dict = 256;      // RTE_TEL_MAX_DICT_ENTRIES
inline constexpr size_t k_max_array = 512;     // RTE_TEL_MAX_ARRAY_ENTRIES
// Room kept for the reply's wrapper {"/vfpath/...":...}.
inline constexpr size_t k_wrapper = 64;

// Each takes the published view and, where it says so, a port name to filter by ("": all ports).
// An unknown port gives an error object naming the known ones.
json ports(const View& v);                           // /vfpath/ports
json queues(const View& v, std::string_view port);   // /vfpath/queues[,PORT]
json latency(const View& v, std::string_view port);  // /vfpath/latency[,PORT]
json lcores(const View& v);                          // /vfpath/lcores
json events(const View& v, std::string_view port);   // /vfpath/events[,PORT]
json plan(const View& v);                            // /vfpath/plan

// {"error": message}: what every command answers when it cannot answer.
json error(std::string message);

// A name as a dict key: every character outside [A-Za-z0-9_/] becomes '_' ("vf-0" -> "vf_0").
// Records keep their real name in a "name" field.
std::string key(std::string_view name);

// Why `j` cannot be sent as rte_tel_data (the first reason found), or nullopt when it can.
std::optional<std::string> unrepresentable(const json& j);
// `j` when it can be sent, else an error object with the reason and `hint` (how to ask for less).
json checked(json j, std::string_view hint = {});

}  // namespace vfpath::report::tel
