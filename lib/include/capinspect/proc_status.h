// /proc/PID/status: credentials, the five capability sets and the defences of a process.
// Reference: proc(5), capabilities(7), Documentation/filesystems/proc.rst.
// Parsed in one read. Fields that older kernels lack stay optional: CapAmb (4.3),
// NoNewPrivs (4.10), Seccomp (3.8), Seccomp_filters (5.9), NSpid (4.1), Kthread (recent kernels).
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <capinspect/caps.h>
#include <capinspect/error.h>
#include <capinspect/export.h>

namespace capinspect {

class ProcDir;

// Real, effective, saved and file-system ids, in the order the kernel prints them.
struct IdSet {
    std::uint32_t real = 0, effective = 0, saved = 0, fs = 0;
    friend bool operator==(const IdSet& a, const IdSet& b) {
        return a.real == b.real && a.effective == b.effective && a.saved == b.saved && a.fs == b.fs;
    }
    friend bool operator!=(const IdSet& a, const IdSet& b) { return !(a == b); }
};

enum class SeccompMode { disabled = 0, strict = 1, filter = 2 };

struct ProcStatus {
    std::string name;  // the command (comm) as raw bytes, the kernel's escaping undone
    char state = '?';  // R, S, D, Z, ...
    pid_t tgid = 0;
    pid_t pid = 0;
    pid_t ppid = 0;
    IdSet uid, gid;
    CapSet inheritable, permitted, effective, bounding;
    std::optional<CapSet> ambient;
    std::optional<bool> no_new_privs;
    std::optional<SeccompMode> seccomp;
    std::optional<unsigned> seccomp_filters;
    std::vector<pid_t> nspid;  // outermost first; empty when the kernel has no NSpid
    std::optional<bool> kthread;
};

// Parses the text of a status file. Name, Pid, PPid, Uid, Gid and the four classic
// capability lines are required; a missing required field, a duplicated field or a
// malformed value (also a Name with a NUL byte, which no kernel prints) is an EINVAL
// error naming the field.
CAPINSPECT_API Result<ProcStatus> parse_status(std::string_view text);

// Reads and parses <dir>/status.
CAPINSPECT_API Result<ProcStatus> read_status(const ProcDir& dir);

// Undoes the kernel's escaping of the Name: field ("\n" for a newline, "\\" for a
// backslash; older kernels also wrote \t, \e and friends).
CAPINSPECT_API std::string unescape_status_name(std::string_view text);

// "disabled", "strict", "filter": the names every report uses.
CAPINSPECT_API const char* seccomp_mode_name(SeccompMode mode);
// The mode of one of those names; nullopt for any other text.
CAPINSPECT_API std::optional<SeccompMode> find_seccomp_mode(std::string_view name);

// The flags field (the ninth) of a /proc/PID/stat text: the task's PF_* bits.
CAPINSPECT_API Result<unsigned> parse_stat_flags(std::string_view text);
// PF_KTHREAD (include/linux/sched.h): a kernel thread. On kernels whose status has no
// Kthread: line, the stat flags are where the kernel says so.
inline constexpr unsigned stat_flag_kthread = 0x00200000;

}  // namespace capinspect
