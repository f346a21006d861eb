// The columns about a process that pscap and netcap share: one name, one JSON key and one
// rule each, the vocabulary capinspect-json(5) writes down.
#pragma once
#include <capinspect/caps.h>
#include <capinspect/process.h>

#include <initializer_list>

#include "common/accounts.h"
#include "common/json.h"
#include "common/table.h"

namespace capinspect::cli {

namespace process_column {
using F = ProcessField;
using J = JsonType;
inline constexpr ColumnInfo ppid{"PPID", "parent process id", J::number, true, false, F::ppid};
inline constexpr ColumnInfo pid{"PID", "process id", J::number, true, false, F::pid};
inline constexpr ColumnInfo uid{"UID", "effective user id", J::number, true, false, F::uid};
inline constexpr ColumnInfo real_uid{"REAL_UID", "real user id", J::number, true, false, F::real_uid};
inline constexpr ColumnInfo user{"USER", "effective user name", J::string, false, false, F::user};
inline constexpr ColumnInfo command{"COMMAND", "command name", J::string, false, false, F::command};
inline constexpr ColumnInfo caps{"CAPS", "capabilities as the default output shows them", J::string, false, false,
                                 F::caps};
inline constexpr ColumnInfo effective{"EFFECTIVE", "effective capability set", J::capset, false, false, F::effective};
inline constexpr ColumnInfo permitted{"PERMITTED", "permitted capability set", J::capset, false, false, F::permitted};
inline constexpr ColumnInfo inheritable{"INHERITABLE", "inheritable capability set", J::capset, false, false,
                                        F::inheritable};
inline constexpr ColumnInfo bounding{"BOUNDING", "bounding capability set", J::capset, false, false, F::bounding};
inline constexpr ColumnInfo ambient{"AMBIENT", "ambient capability set", J::capset, false, false, F::ambient};
inline constexpr ColumnInfo no_new_privs{"NO_NEW_PRIVS", "no_new_privs is set", J::boolean, false, false,
                                         F::no_new_privs};
inline constexpr ColumnInfo seccomp{"SECCOMP", "seccomp mode (disabled, strict, filter)", J::string, false, false,
                                    F::seccomp};
inline constexpr ColumnInfo seccomp_filters{"SECCOMP_FILTERS", "number of seccomp filters", J::number, true, false,
                                            F::seccomp_filters};
inline constexpr ColumnInfo userns{"USERNS", "user namespace inode", J::number, true, false, F::userns};
inline constexpr ColumnInfo child_userns{"CHILD_USERNS", "runs in a user namespace other than the reader's",
                                         J::boolean, false, false, F::child_userns};
inline constexpr ColumnInfo scope{"SCOPE", "where the capabilities have effect: host, or userns (only inside a "
                                           "child user namespace)",
                                  J::string, false, false, F::scope};
inline constexpr ColumnInfo userns_owner{"USERNS_OWNER", "uid that owns the process's user namespace (another "
                                                        "namespace only)",
                                         J::number, true, false, F::userns_owner};
inline constexpr ColumnInfo userns_depth{"USERNS_DEPTH", "user namespace levels below the reader's (another "
                                                        "namespace only)",
                                         J::number, true, false, F::userns_depth};
inline constexpr ColumnInfo uid_map{"UID_MAP", "uid map of another user namespace (inside outside count, ...)",
                                    J::idmap, false, false, F::uid_map};
inline constexpr ColumnInfo unit{"UNIT", "systemd unit or scope", J::string, false, false, F::unit};
inline constexpr ColumnInfo exe{"EXE", "executable path", J::string, false, false, F::exe};
inline constexpr ColumnInfo lsm{"LSM", "security label (SELinux, AppArmor, ...)", J::string, false, false, F::lsm};
}  // namespace process_column

// The facts the process columns among `columns` (indexes into `registry`) need read.
unsigned process_facts(std::span<const ColumnInfo> registry, const std::vector<size_t>& columns);

class ProcessCells {
public:
    explicit ProcessCells(Cap last_cap) : last_cap_(last_cap) {}

    // The cell of `field` for a row that shows `st` (the process's status or one of its
    // threads') of process `p`.
    Cell cell(ProcessField field, const Process& p, const ProcStatus& st);

    // libcap-ng's text: "none", "full" or the permitted list (format_cap_summary), then
    // " @" for an ambient set and " +" for a bounding set.
    std::string caps_text(const ProcStatus& st) const;

    // A JSON object with the process columns `fields` (their keys and typed values), for
    // documents that are not a table (the auditor's, netcap --advanced).
    Json object(const Process& p, const ProcStatus& st, std::initializer_list<ColumnInfo> fields);

    // The account name of a uid, looked up once.
    const std::string& user(uid_t uid) { return accounts_.name(uid); }
    Cap last_cap() const { return last_cap_; }

private:
    Cap last_cap_;
    AccountNames accounts_;
};

}  // namespace capinspect::cli
