#include "control/cp/journal.h"

#include <chrono>
#include <ctime>

#include "util/log.h"

namespace vfpath::control {

namespace {
std::string utc_now() {
    using namespace std::chrono;
    const auto now = system_clock::now();
    const std::time_t t = system_clock::to_time_t(now);
    const auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];  // "YYYY-MM-DDTHH:MM:SS.mmmZ" with room for any int the compiler imagines
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, int(ms));
    return buf;
}
}  // namespace

Journal::~Journal() {
    if (file_) std::fclose(file_);
}

bool Journal::open_file(const std::string& path) {
    file_ = std::fopen(path.c_str(), "a");
    return file_ != nullptr;
}

nlohmann::json to_json(const JournalEntry& e) {
    return {{"t_s", e.t_s}, {"time", e.wall}, {"port", e.port}, {"kind", e.kind},
            {"detail", e.detail}};
}

void Journal::add(double t_s, std::string port, std::string kind, std::string detail) {
    JournalEntry e{t_s, utc_now(), std::move(port), std::move(kind), std::move(detail)};
    log::get("journal")->debug("{}{}{}: {}", e.port, e.port.empty() ? "" : " ", e.kind, e.detail);
    if (file_) {
        std::fputs((control::to_json(e).dump() + "\n").c_str(), file_);
        std::fflush(file_);
    }
    ring_.push_back(std::move(e));
    if (ring_.size() > k_capacity) ring_.pop_front();
    ++total_;
}

nlohmann::json Journal::to_json(size_t last) const {
    nlohmann::json a = nlohmann::json::array();
    const size_t skip = ring_.size() > last ? ring_.size() - last : 0;
    for (size_t i = skip; i < ring_.size(); ++i) a.push_back(control::to_json(ring_[i]));
    return a;
}

}  // namespace vfpath::control
