// vfpath's DPDK telemetry commands (/vfpath/ports, queues, latency, lcores, events, plan, fault).
// DPDK runs each client of its socket on a thread of its own; the commands read the published
// view (publisher.h) and render it with lib/report's pure functions (report/telemetry.h), then copy
// the JSON into rte_tel_data. They never touch the runtime, the ports or a worker.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "control/cp/publisher.h"
#include "util/result.h"

namespace vfpath::control {

// Registers the commands (after rte_eal_init; once per process, later calls do nothing). DPDK
// 22.11 cannot unregister a command, so they stay, answering an error object while no publisher
// is attached.
Status register_telemetry_commands();

// The commands answer from `pub` while this object lives.
class TelemetryAttachment {
public:
    explicit TelemetryAttachment(std::shared_ptr<Publisher> pub);
    ~TelemetryAttachment();
    TelemetryAttachment(const TelemetryAttachment&) = delete;
    TelemetryAttachment& operator=(const TelemetryAttachment&) = delete;
};

// This process's telemetry socket, found among the listening unix sockets it holds
// (/proc/net/unix, /proc/self/fd) in EAL's runtime directory: DPDK names it dpdk_telemetry.v2, or
// dpdk_telemetry.v2:N when another process of the same file prefix has that name already.
// nullopt when telemetry is off (--no-telemetry).
struct TelemetrySocket {
    std::string path;
    std::string prefix;  // EAL file prefix: dpdk-telemetry.py -f PREFIX
    int instance = 0;    // N of ":N" (dpdk-telemetry.py -i N), 0 for none
};
std::optional<TelemetrySocket> find_telemetry_socket();

// Least privilege: DPDK creates the socket with the process umask (0755 under the usual 022,
// where connecting needs write permission, so only the owner can connect) inside a 0700 runtime
// directory. This makes the socket 0600 whatever the umask, and returns a warning when the
// directory lets anyone but its owner in (an empty string otherwise).
std::string restrict_telemetry_socket(const TelemetrySocket& s);

}  // namespace vfpath::control
