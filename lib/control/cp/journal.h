// The event journal: every event, state transition and watchdog trigger with a timestamp, in a
// bounded in-memory ring, optionally appended to a JSON-lines file, so "what happened to my VF
// at 03:12" has an answer. Control thread only.
#pragma once

#include <cstdint>
#include <cstdio>
#include <deque>
#include <string>

#include <nlohmann/json.hpp>

namespace vfpath::control {

struct JournalEntry {
    double t_s = 0;          // seconds since forwarding started
    std::string wall;        // UTC wall-clock time, ISO 8601
    std::string port;        // port name ("" for process-wide entries)
    std::string kind;        // "event", "state", "fault", "watchdog", "recovery"
    std::string detail;
};

class Journal {
public:
    static constexpr size_t k_capacity = 4096;
    Journal() = default;
    ~Journal();
    Journal(const Journal&) = delete;
    Journal& operator=(const Journal&) = delete;
    // Appends every entry to `path` as JSON lines from now on. False when it cannot be opened.
    bool open_file(const std::string& path);
    void add(double t_s, std::string port, std::string kind, std::string detail);
    const std::deque<JournalEntry>& entries() const { return ring_; }
    uint64_t total() const { return total_; }
    nlohmann::json to_json(size_t last = k_capacity) const;

private:
    std::deque<JournalEntry> ring_;
    uint64_t total_ = 0;
    FILE* file_ = nullptr;
};

nlohmann::json to_json(const JournalEntry& e);

}  // namespace vfpath::control
