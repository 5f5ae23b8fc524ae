// Everything that lets other programs watch a running job: the published view (publisher.h), the
// DPDK telemetry commands (telemetry.h) and the /metrics endpoint (metrics_server.h). `run` starts
// them after EAL init and before the runtime, and stops them after the control loop.
#pragma once

#include <memory>

#include "config/api.h"
#include "control/cp/metrics_server.h"
#include "control/cp/publisher.h"
#include "control/cp/telemetry.h"
#include "util/result.h"

namespace vfpath::control {

class Exporters {
public:
    // Registers the telemetry commands and restricts the telemetry socket; starts the metrics
    // server when cfg.metrics.enabled. Fails when the server cannot bind.
    static Result<std::unique_ptr<Exporters>> start(const config::Config& cfg);
    ~Exporters();  // readers get "not running" from here on
    Publisher* publisher() { return pub_.get(); }

private:
    Exporters() = default;
    std::shared_ptr<Publisher> pub_;
    std::unique_ptr<TelemetryAttachment> telemetry_;
    std::unique_ptr<MetricsServer> metrics_;
};

}  // namespace vfpath::control
