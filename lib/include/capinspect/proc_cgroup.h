// /proc/PID/cgroup: which systemd unit a process belongs to.
// Reference: cgroups(7), systemd.unit(5). A unit is the innermost path component that ends
// in .service, .scope, .socket, .mount, .swap, .timer, .path or .slice-less unit types.
#pragma once
#include <string>
#include <string_view>

#include <capinspect/export.h>

namespace capinspect {

// The systemd unit or scope named in the text of a cgroup file: the cgroup v2 line
// ("0::/system.slice/ssh.service") or, on v1, the name=systemd hierarchy. Empty when the
// process is in no unit (a slice root, or a system without systemd).
CAPINSPECT_API std::string parse_cgroup_unit(std::string_view text);

}  // namespace capinspect
