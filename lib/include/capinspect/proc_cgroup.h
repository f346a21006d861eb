// /proc/PID/cgroup: the cgroup of a process and the systemd unit that runs it.
// Reference: cgroups(7), systemd.unit(5), systemd.special(7) (user@.service), systemd's
// "cgroup delegation" document: below a unit's own cgroup, sub-cgroups belong to whatever
// the unit delegated them to, except under user@UID.service, whose units are the user's
// service manager's.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <sys/types.h>

#include <vector>

#include <capinspect/error.h>
#include <capinspect/export.h>

namespace capinspect {

struct CgroupInfo {
    // The cgroup v2 path ("/system.slice/ssh.service"); on a system with only cgroup v1,
    // the path in the name=systemd hierarchy. Empty when the text names neither.
    std::string path;
    // The unit that runs the process: the first component of the path with a unit
    // suffix (.service, .scope, .socket, .mount, .swap), slices passed through; below
    // user@UID.service, the first unit inside it. Empty when the process is in no unit.
    std::string unit;
    // Set when `unit` belongs to the service manager of user UID (user@UID.service), not
    // to the system's.
    std::optional<std::uint32_t> user_manager;

    bool system_unit() const { return !unit.empty() && !user_manager; }
};

// Parses the text of a cgroup file: the cgroup v2 line ("0::/system.slice/ssh.service")
// when there is one, else the name=systemd line of cgroup v1. Never fails: malformed text
// gives an empty CgroupInfo.
CAPINSPECT_API CgroupInfo parse_cgroup(std::string_view text);

// True when `path` is `ancestor` or lies below it ("/a/b" is below "/a", "/ab" is not).
CAPINSPECT_API bool is_cgroup_below(std::string_view path, std::string_view ancestor);

// The processes in cgroup `path` (as parse_cgroup() gives it) and below it, from the
// cgroup file system of the caller's cgroup namespace (cgroup.procs of each cgroup),
// sorted. A cgroup that does not exist has no processes: an empty list.
CAPINSPECT_API Result<std::vector<pid_t>> list_cgroup_pids(std::string_view path);

}  // namespace capinspect
