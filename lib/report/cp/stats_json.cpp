// `vfpath run --stats-json FILE`: one JSON object per stats interval, one per line, so a script
// can follow a long run (counters, rates, port states, mempool use) while it goes on.
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "measure/cp/rates.h"
#include "report/api.h"

namespace vfpath::report {

using json = nlohmann::ordered_json;  // keys in the documented order: t_s first

json stats_json(const config::Plan& plan, const dataplane::Snapshot& prev,
                const dataplane::Snapshot& now, const std::vector<PortHealth>& health,
                const std::vector<unsigned>& pool_in_use) {
    const double dt = now.t_s - prev.t_s;
    json j;
    j["t_s"] = now.t_s;
    j["ports"] = json::array();
    for (size_t i = 0; i < plan.ports.size() && i < now.ports.size(); ++i) {
        const dataplane::PortSnapshot& b = now.ports[i];
        const dataplane::PortSnapshot* a = i < prev.ports.size() ? &prev.ports[i] : nullptr;
        json p;
        p["name"] = plan.ports[i].name;
        p["state"] = i < health.size() ? health[i].state : "running";
        p["rx_packets"] = b.rx_packets();
        p["tx_packets"] = b.tx_packets();
        p["rx_bytes"] = b.rx_bytes();
        p["tx_bytes"] = b.tx_bytes();
        p["drops"] = b.drops();
        p["not_ready_drops"] = b.not_ready();
        p["rx_pps"] = measure::per_second(b.rx_packets(), a ? a->rx_packets() : 0, dt);
        p["tx_pps"] = measure::per_second(b.tx_packets(), a ? a->tx_packets() : 0, dt);
        j["ports"].push_back(std::move(p));
    }
    j["pools"] = json::array();
    for (size_t k = 0; k < plan.pools.size() && k < pool_in_use.size(); ++k) {
        const config::PoolPlan& pp = plan.pools[k];
        j["pools"].push_back(
            {{"name", pp.name}, {"socket", pp.socket}, {"size", pp.size}, {"in_use", pool_in_use[k]}});
    }
    return j;
}

Result<std::unique_ptr<StatsJsonWriter>> StatsJsonWriter::open(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "w");
    if (!f) return fail("--stats-json " + path + ": cannot write there (" + std::strerror(errno) + ")");
    // new: the constructor is private, so make_unique cannot reach it.
    return std::unique_ptr<StatsJsonWriter>(new StatsJsonWriter(path, f));
}

StatsJsonWriter::~StatsJsonWriter() {
    if (f_) std::fclose(f_);
}

Status StatsJsonWriter::write(const config::Plan& plan, const dataplane::Snapshot& prev,
                              const dataplane::Snapshot& now, const std::vector<PortHealth>& health,
                              const std::vector<unsigned>& pool_in_use) {
    if (failed_) return ok();  // reported once; the run goes on without the file
    const std::string line = stats_json(plan, prev, now, health, pool_in_use).dump() + "\n";
    // Flushed per line: a reader following the file sees whole objects only.
    if (std::fputs(line.c_str(), f_) < 0 || std::fflush(f_) != 0) {
        failed_ = true;
        return fail("--stats-json " + path_ + ": write failed (" + std::strerror(errno) +
                    "); no more lines are written");
    }
    return ok();
}

}  // namespace vfpath::report
