// capinspect unit: the checks of a service's sandbox against its live processes. Pure: the
// caller reads the unit from systemd (unit_config.h) and the processes through the
// library's walk, with the facts unit_facts() names, plus the service manager's own
// process (PID 1) to tell what a setting changed from what everything has anyway.
//
// Reference: systemd.exec(5) for what each setting does, capabilities(7), proc(5)
// (status, mountinfo, ns/, net/dev), seccomp(2), user_namespaces(7).
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <capinspect/caps.h>
#include <capinspect/process.h>

#include "capinspect/unit_config.h"

namespace capinspect::auditor {

enum class Verdict {
    ok,            // in force on every process and thread
    drift,         // configured, but not in force on some process or thread
    unobservable,  // the kernel does not show it (or not apart from what the manager has)
    not_set,       // the unit does not set it: listed, not checked
};
// "ok", "drift", "unobservable", "not-set".
const char* verdict_name(Verdict v);

struct Check {
    std::string setting;                    // as `systemctl show` spells the property
    std::optional<std::string> configured;  // its value as systemctl show prints it; nullopt: not set
    std::optional<std::string> live;        // what the processes show; nullopt: nothing to show
    Verdict verdict = Verdict::not_set;
    // ok, unobservable: the processes checked; drift: the processes and threads (by tid)
    // on which it is not in force.
    std::vector<pid_t> pids;
    std::optional<std::string> live_brief;  // `live` with long lists shortened, for a person
};

enum class UnitVerdict { ok, drift, not_running };
// "ok", "drift", "not-running".
const char* unit_verdict_name(UnitVerdict v);

struct UnitReport {
    std::string unit;
    UnitVerdict verdict = UnitVerdict::ok;
    std::vector<Check> checks;
    std::vector<std::string> notes;   // what else the reader should know (ExecStart=+, ...)
    std::vector<std::string> errors;  // what could not be read: the report is incomplete
};

// What the checks ask of the world besides the processes; injected for the tests.
struct CheckEnvironment {
    Cap last_cap = 40;
    // The uid of a user name; nullopt when unknown.
    std::function<std::optional<std::uint32_t>(const std::string&)> resolve_user;
    // The account name of a uid; "" when it has none.
    std::function<std::string(std::uint32_t)> user_name;
    // Whether a path exists (for the reader: systemd skips missing paths).
    std::function<bool(const std::string&)> path_exists;
    // The modification time of a file, µs since the epoch; nullopt when it cannot be read.
    std::function<std::optional<std::uint64_t>(const std::string&)> mtime_usec;
    // When a path came into being (its birth time), µs since the epoch; nullopt when the
    // file system does not record it.
    std::function<std::optional<std::uint64_t>(const std::string&)> birth_usec;
};

// The ProcessFact bits the checks of `config` need (besides the status and the threads).
unsigned unit_facts(const UnitConfig& config);

// Checks `config` against `processes` (its cgroup's, with threads and unit_facts()),
// comparing with `manager` (PID 1, read with the same facts; nullptr when unreadable).
UnitReport check_unit(const UnitConfig& config, const std::vector<Process>& processes, const Process* manager,
                      const CheckEnvironment& env);

// "cap_chown cap_kill", "all", "all but cap_sys_admin", "none": a set for a reader.
std::string describe_caps(CapSet set, Cap last_cap);
// The same with at most four names: "27 capabilities: cap_chown cap_kill ... (23 more)".
std::string describe_caps_brief(CapSet set, Cap last_cap);

// A mount that systemd made inaccessible: a bind mount of one of the nodes of
// /run/systemd/inaccessible (/run/host/inaccessible in a container).
bool is_inaccessible_mount(const MountEntry& m);

}  // namespace capinspect::auditor
