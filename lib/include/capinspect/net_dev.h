// /proc/PID/net/dev: the network interfaces of a process's network namespace.
// Reference: proc(5) ("/proc/net/dev"), network_namespaces(7): /proc/PID/net shows the
// namespace of PID, so this reads another namespace's interfaces without entering it.
// Two header lines, then one line per interface: its name, a colon, its counters.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include <capinspect/error.h>
#include <capinspect/export.h>

namespace capinspect {

class ProcDir;

// The interface names of a net/dev text, in its order. A line after the two header lines
// without a colon, or with an empty name, is a data error (EINVAL) naming the line.
CAPINSPECT_API Result<std::vector<std::string>> parse_net_dev(std::string_view text);

// Reads and parses <dir>/net/dev.
CAPINSPECT_API Result<std::vector<std::string>> read_net_devices(const ProcDir& dir);

}  // namespace capinspect
