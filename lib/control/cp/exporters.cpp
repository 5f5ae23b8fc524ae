#include "control/cp/exporters.h"

#include "util/log.h"

namespace vfpath::control {

Result<std::unique_ptr<Exporters>> Exporters::start(const config::Config& cfg) {
    auto lg = log::get("telemetry");
    std::unique_ptr<Exporters> ex(new Exporters());
    ex->pub_ = std::make_shared<Publisher>();
    if (auto st = register_telemetry_commands(); !st) return Error{st.error()};
    ex->telemetry_ = std::make_unique<TelemetryAttachment>(ex->pub_);
    if (auto sock = find_telemetry_socket()) {
        if (auto warning = restrict_telemetry_socket(*sock); !warning.empty())
            lg->warn("{}", warning);
        lg->info("telemetry socket {} (mode 0600): dpdk-telemetry.py -f {}{}, then /vfpath/ports",
                 sock->path, sock->prefix,
                 sock->instance ? " -i " + std::to_string(sock->instance) : std::string());
    } else {
        lg->info("DPDK telemetry is off: no telemetry socket");
    }
    if (cfg.metrics.enabled) {
        auto srv = MetricsServer::start(cfg.metrics, ex->pub_);
        if (!srv) return Error{srv.error()};
        ex->metrics_ = std::move(*srv);
        const std::string& l = cfg.metrics.listen;
        log::get("metrics")->info("serving http://{}:{}/metrics", l.substr(0, l.rfind(':')),
                                  ex->metrics_->port());
    }
    return ex;
}

Exporters::~Exporters() {
    pub_->close();       // waiting readers return now
    metrics_.reset();    // joins civetweb's threads
    telemetry_.reset();  // commands answer "not forwarding"
}

}  // namespace vfpath::control
