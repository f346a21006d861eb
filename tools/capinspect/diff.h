// What changed between two snapshots, keyed by what stays stable across reboots and
// restarts, never by pid:
// - processes by (unit, or executable when there is no service unit, or command when
//   neither is known; user). The processes of one key merge: the union of their sets and
//   their threads' sets, host scope when one of them has it, the weakest defences;
// - files by path (only under the roots both snapshots walked);
// - listeners by (protocol, exposure class, port, owner's unit or executable).
// Every change is a gain of privilege or a loss. The engine is pure: the reader's
// Snapshot in, the changes out, rendered as text or JSON.
#pragma once
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "capinspect/snapshot.h"
#include "common/json.h"

namespace capinspect::auditor {

// Gains first, in report order, then losses.
enum class ChangeKind : std::uint8_t {
    process_added,         // a new privileged process key
    capabilities_added,    // capabilities added to a key's sets
    scope_widened,         // privilege held only in a user namespace became host-effective
    defences_weakened,     // no_new_privs cleared, or a weaker seccomp mode
    file_added,            // a new file with capabilities
    file_changed,          // a file's capabilities changed, and not only by losing some
    listener_added,        // a new listener key
    process_removed,
    capabilities_removed,
    scope_narrowed,
    defences_strengthened,
    file_reduced,          // a file lost capabilities (or its effective flag), nothing else
    file_removed,
    listener_removed,
};
// "process_added", ...
const char* change_kind_name(ChangeKind kind);
bool is_gain(ChangeKind kind);

// Who a key names.
struct Subject {
    enum class Kind : std::uint8_t { unit, exe, command, none } kind = Kind::none;
    std::string name;  // raw bytes
    auto operator<=>(const Subject&) const = default;
};

// The unit when it is a service (a .scope, such as a login session or a container, is
// named anew at each start), else the executable (" (deleted)" removed: a program
// replaced by an upgrade is the same program), else the command.
Subject subject_of(const ProcessRecord& p);

struct ProcessKey {
    Subject who;
    std::string user;  // the account name, or the uid in decimal
    auto operator<=>(const ProcessKey&) const = default;
};
ProcessKey process_key(const ProcessRecord& p);

struct ListenerKey {
    std::string proto;
    Exposure exposure = Exposure::address;
    std::uint32_t lport = 0;
    Subject owner;  // Kind::none: no process that could be seen holds it
    auto operator<=>(const ListenerKey&) const = default;
};

// The processes of one key, merged.
struct ProcessGroup {
    std::vector<pid_t> pids;
    CapSets sets;
    std::optional<PrivilegeScope> scope;
    std::optional<bool> no_new_privs;
    std::optional<SeccompMode> seccomp;
};

struct ListenerGroup {
    std::vector<pid_t> pids;
    unsigned sockets = 0;
};

struct Change {
    ChangeKind kind = ChangeKind::process_added;
    std::optional<ProcessKey> process;
    std::optional<std::string> path;
    std::optional<ListenerKey> listener;
    std::optional<ProcessGroup> before_process, after_process;
    std::optional<FileCapsRecord> before_file, after_file;
    std::optional<ListenerGroup> before_listener, after_listener;
    // capabilities_added / _removed: what was added or removed, per set.
    CapSets delta;
};

struct Diff {
    std::vector<Change> changes;     // gains first, by kind, then by key
    std::vector<std::string> notes;  // what the comparison could not cover, in words
    unsigned gained = 0, lost = 0;
    Cap old_last_cap = 0, new_last_cap = 0;  // each side's sets print against its kernel
};

// The changes from `old` to `now`. Sets compare by capability, except that a set full in
// both (every capability each kernel knows) is unchanged whatever cap_last_cap did.
Diff diff_snapshots(const Snapshot& old, const Snapshot& now);

// Text for a person: a summary line, notes, then gains and losses, one line each, names
// escaped (ASCII only unless `utf8`), colour on request. Empty diff: "no differences".
std::string diff_text(const Diff& diff, bool colour, bool utf8);

// The capinspect-json(5) document: old, new, gained, lost, notes, changes.
cli::Json diff_json(const Diff& diff, const Snapshot& old, const Snapshot& now);

}  // namespace capinspect::auditor
