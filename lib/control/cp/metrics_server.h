// The Prometheus endpoint: `GET /metrics` over HTTP, served by civetweb (Debian's libcivetweb1)
// from the published view (publisher.h), rendered by report::prometheus_text. Nothing else is
// served: no document root, so no file can be read through it; other paths get 404, other
// methods 405.
#pragma once

#include <memory>

#include "config/api.h"
#include "control/cp/publisher.h"
#include "util/result.h"

struct mg_context;
struct mg_connection;

namespace vfpath::control {

class MetricsServer {
public:
    // Binds cfg.listen (the config loader has refused a public address without allow_public)
    // and starts civetweb's threads. Call it after rte_eal_init: the threads inherit the calling
    // thread's CPU set, the main lcore's, so they never run on a worker's core.
    static Result<std::unique_ptr<MetricsServer>> start(const config::MetricsConfig& cfg,
                                                        std::shared_ptr<Publisher> pub);
    ~MetricsServer();  // stops serving and joins the threads
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;
    uint16_t port() const { return port_; }  // the bound port (the real one for port 0)

private:
    MetricsServer() = default;
    static int handle(mg_connection* c, void* self);
    mg_context* ctx_ = nullptr;
    std::shared_ptr<Publisher> pub_;
    uint16_t port_ = 0;
};

}  // namespace vfpath::control
