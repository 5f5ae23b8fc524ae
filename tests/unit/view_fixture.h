// Made-up published views (report::View) for the telemetry and Prometheus renderer tests.
#pragma once

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "report/view.h"

namespace vfpath::report::test {

// A histogram holding `n` samples of each value.
inline measure::HistogramData histogram(const std::vector<std::pair<uint64_t, uint64_t>>& samples) {
    measure::HistogramData h;
    for (const auto& [value, n] : samples) {
        h.counts[measure::hist_bucket_index(value)] += n;
        h.count += n;
        h.sum += value * n;
        h.min = h.min == 0 ? value : std::min(h.min, value);
        h.max = std::max(h.max, value);
    }
    return h;
}

inline config::PortPlan port(uint16_t index, std::string name, uint16_t peer, uint16_t rxq) {
    config::PortPlan p;
    p.index = index;
    p.name = std::move(name);
    p.device = "net_null" + std::to_string(index);
    p.rx_queues = rxq;
    p.tx_queues = 2;
    p.peer = peer;
    return p;
}

inline dataplane::QueueSnapshot queue(uint16_t q, int rx_lcore, int tx_lcore, uint64_t rx,
                                      uint64_t tx, uint64_t drops, uint64_t not_ready) {
    dataplane::QueueSnapshot s;
    s.queue = q;
    s.rx_lcore = rx_lcore;
    s.tx_lcore = tx_lcore;
    s.rx_packets = rx;
    s.rx_bytes = 64 * rx;
    s.tx_packets = tx;
    s.tx_bytes = 64 * tx;
    s.drops = drops;
    s.not_ready = not_ready;
    return s;
}

// p0 (2 rx queues) <-> vf-1 (1 rx queue), one worker lcore; vf-1 is being reset.
inline View two_port_view() {
    auto plan = std::make_shared<config::Plan>();
    plan->eal_lcores = {0, 1};
    plan->ports = {port(0, "p0", 1, 2), port(1, "vf-1", 0, 1)};
    config::LcorePlan l;
    l.lcore = 1;
    l.rx = {{0, 0, 1, 0}, {0, 1, 1, 1}, {1, 0, 0, 0}};
    plan->lcores = {l};
    plan->pools = {{"vfpath_s0", 0, 4928, 256, 2176, 4928, true}};
    View v;
    v.seq = 3;
    v.plan = plan;
    v.snap.t_s = 2.5;
    v.snap.tsc_hz = 2'000'000'000;
    dataplane::PortSnapshot p0;
    p0.port_id = 0;
    p0.mac = "02:00:00:00:00:00";
    p0.queues = {queue(0, 1, 1, 1000, 1000, 7, 5), queue(1, 1, -1, 2000, 0, 0, 0)};
    p0.hw.ipackets = 3000;
    p0.hw.imissed = 3;
    dataplane::PortSnapshot p1;
    p1.port_id = 1;
    p1.mac = "02:00:00:00:00:01";
    p1.queues = {queue(0, 1, 1, 500, 3000, 0, 0), queue(1, -1, 1, 0, 0, 0, 0)};
    v.snap.ports = {p0, p1};
    dataplane::LcoreSnapshot lc;
    lc.lcore = 1;
    lc.iterations = 15;
    lc.busy_cycles = 300;
    lc.idle_cycles = 100;
    lc.rx_packets = 150;
    lc.rx_bursts = {10, 0, 0, 0, 0, 0, 4, 1, 0, 0};
    v.snap.lcores = {lc};
    PortHealth h0, h1;
    h1.state = "resetting";
    h1.events = 2;
    h1.events_by_type = {{"INTR_RESET", 2}};
    h1.resets = 2;
    h1.recovered = 1;
    h1.recovery_ms = {31.885};
    v.health = {h0, h1};
    v.port_states = {"running",       "link_down",   "quiescing",         "resetting",
                     "reconfiguring", "reattaching", "driver_recovering", "failed"};
    v.pools = {{"vfpath_s0", 0, 4928, 900}};
    v.recent = {{1.5, "vf-1", "fault", "injected INTR_RESET"},
                {1.6, "vf-1", "state", "running -> quiescing"}};
    v.journal_total = 40;
    v.faults_requested = 1;
    return v;
}

// `ports` ports p0.. with `queues` queues each, every counter large (long numbers in the JSON).
inline View many_queue_view(uint16_t ports, uint16_t queues) {
    auto plan = std::make_shared<config::Plan>();
    View v;
    for (uint16_t i = 0; i < ports; ++i) {
        plan->ports.push_back(port(i, std::string("p").append(std::to_string(i)), i, queues));
        dataplane::PortSnapshot ps;
        for (uint16_t q = 0; q < queues; ++q)
            ps.queues.push_back(queue(q, 1, 1, 123'456'789'012, 123'456'789'012, 12'345, 0));
        v.snap.ports.push_back(ps);
    }
    v.plan = plan;
    return v;
}

}  // namespace vfpath::report::test
