#include "control/cp/metrics_server.h"

#include <civetweb.h>

#include <cstring>

#include "report/prometheus.h"
#include "util/log.h"

namespace vfpath::control {

namespace {

// civetweb reports why a start failed (the bind error) only through log_message; while start()
// runs on this thread its messages are collected here.
thread_local std::string* t_start_log = nullptr;

int on_log(const mg_connection*, const char* message) {
    if (t_start_log) {
        *t_start_log += (t_start_log->empty() ? "" : "; ") + std::string(message);
    } else {
        log::get("metrics")->warn("{}", message);
    }
    return 1;  // handled: civetweb prints nothing itself
}

// Worker threads, and how long one waits for a client's request (see start()).
constexpr const char* k_threads = "8";
constexpr const char* k_request_timeout_ms = "1000";

// A scrape takes a view at most this old (a new snapshot otherwise, see publisher.h).
constexpr double k_max_age_s = 0.1;

void reply(mg_connection* c, int status, const char* reason, const char* type,
           const std::string& body, bool head, const char* extra = "") {
    mg_printf(c,
              "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
              "Cache-Control: no-store\r\nConnection: close\r\n%s\r\n",
              status, reason, type, body.size(), extra);
    if (!head) mg_write(c, body.data(), body.size());
}

}  // namespace

int MetricsServer::handle(mg_connection* c, void* self) {
    const mg_request_info* ri = mg_get_request_info(c);
    const bool head = std::strcmp(ri->request_method, "HEAD") == 0;
    if (!head && std::strcmp(ri->request_method, "GET") != 0) {
        reply(c, 405, "Method Not Allowed", "text/plain", "only GET and HEAD\n", false,
              "Allow: GET, HEAD\r\n");
        return 405;
    }
    try {  // civetweb calls this from C: nothing may be thrown back at it
        const auto v = static_cast<MetricsServer*>(self)->pub_->get(k_max_age_s);
        if (!v) {
            reply(c, 503, "Service Unavailable", "text/plain",
                  "vfpath is not forwarding (starting, or the run has ended)\n", head);
            return 503;
        }
        reply(c, 200, "OK", report::k_prometheus_content_type, report::prometheus_text(*v), head);
        return 200;
    } catch (const std::exception& e) {
        reply(c, 500, "Internal Server Error", "text/plain", std::string(e.what()) + "\n", head);
        return 500;
    }
}

Result<std::unique_ptr<MetricsServer>> MetricsServer::start(const config::MetricsConfig& cfg,
                                                            std::shared_ptr<Publisher> pub) {
    std::unique_ptr<MetricsServer> s(new MetricsServer());
    s->pub_ = std::move(pub);
    mg_init_library(0);
    // civetweb gives each connection a worker thread until its request is read, so a client
    // that connects and sends nothing holds one for request_timeout_ms. With k_threads workers
    // and a 1 s timeout, up to k_threads - 1 such clients leave a scrape undelayed, and more
    // delay it by about 1 s at most each round (tests/integration/telemetry_test.cpp measures
    // it). Keep-alive off so no client holds a thread between scrapes.
    // clang-format off
    const char* options[] = {"listening_ports", cfg.listen.c_str(),
                             "num_threads", k_threads,
                             "enable_keep_alive", "no",
                             "request_timeout_ms", k_request_timeout_ms,
                             "enable_directory_listing", "no",
                             nullptr};
    // clang-format on
    mg_callbacks callbacks{};
    callbacks.log_message = on_log;
    mg_init_data init{};
    init.callbacks = &callbacks;
    init.user_data = s.get();
    init.configuration_options = options;
    char error[256] = "";
    mg_error_data err{};
    err.text = error;
    err.text_buffer_size = sizeof error;
    std::string log;
    t_start_log = &log;
    s->ctx_ = mg_start2(&init, &err);
    t_start_log = nullptr;
    if (!s->ctx_) {
        mg_exit_library();
        return fail("metrics.listen " + cfg.listen +
                    ": cannot serve /metrics: " + (log.empty() ? std::string(error) : log));
    }
    mg_set_request_handler(s->ctx_, "/metrics$", handle, s.get());
    mg_server_port port{};
    if (mg_get_server_ports(s->ctx_, 1, &port) == 1) s->port_ = static_cast<uint16_t>(port.port);
    return s;
}

MetricsServer::~MetricsServer() {
    if (ctx_) {
        mg_stop(ctx_);
        mg_exit_library();
    }
}

}  // namespace vfpath::control
