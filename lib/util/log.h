// Named spdlog loggers per subsystem (STYLE §11), one sink, one timeline. Control path only:
// nothing under lib/*/dp/ includes this.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

namespace vfpath::log {

// "vfpath.port", "vfpath.config", ... created on first use, sharing the default sink.
std::shared_ptr<spdlog::logger> get(std::string_view name);

// Sets the level of every vfpath logger; false when the name is not a level.
bool set_level(std::string_view level);

// How log lines look on stderr: "text" (time, level, [logger], message) or "json" (one object
// per line: {"time", "level", "logger", "msg"}, for log shippers). Applies to every logger,
// DPDK's routed log included. False when the name is neither.
bool set_format(std::string_view format);
bool json();  // the current format is json

// The json formatter, for other sinks (tests).
std::unique_ptr<spdlog::formatter> json_formatter();

}  // namespace vfpath::log
