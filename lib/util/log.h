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

}  // namespace vfpath::log
