// What execve(2) makes of a process's credentials and capabilities.
// Reference: capabilities(7) "Transformation of capabilities during execve()",
// "Capabilities and execution of programs by root", "Safety checking for
// capability-dumb binaries"; execve(2) on set-user-ID and set-group-ID programs;
// prctl(2) PR_SET_NO_NEW_PRIVS; the kernel's cap_bprm_creds_from_file()
// (security/commoncap.c). Pure: the caller supplies the state of the task before the
// call and the properties of the program file. The task is assumed not to be traced.
//
// Kernel versions differ on one point: what counts as a set-id execution, which clears
// the ambient set and, under no_new_privs, resets the effective ids. Current kernels
// (since 2025, "don't assume setid if all ids are identical") count only an effective
// uid or gid that the exec changes; older ones also counted an effective uid that
// differed from the real one before the exec. This module follows current kernels.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <capinspect/caps.h>
#include <capinspect/export.h>
#include <capinspect/process.h>
#include <capinspect/proc_status.h>
#include <capinspect/securebits.h>

namespace capinspect {

// The parts of a task's credentials that execve reads or changes.
struct ExecTask {
    IdSet uid, gid;  // real, effective, saved, file system
    std::vector<std::uint32_t> groups;  // supplementary groups
    CapSet effective, permitted, inheritable, bounding, ambient;
    Securebits securebits;
    bool no_new_privs = false;
    friend bool operator==(const ExecTask& a, const ExecTask& b) {
        return a.uid == b.uid && a.gid == b.gid && a.groups == b.groups && a.effective == b.effective &&
               a.permitted == b.permitted && a.inheritable == b.inheritable && a.bounding == b.bounding &&
               a.ambient == b.ambient && a.securebits == b.securebits && a.no_new_privs == b.no_new_privs;
    }
    friend bool operator!=(const ExecTask& a, const ExecTask& b) { return !(a == b); }
};

// File capabilities as they apply in the caller's user namespace (a V3 capability whose
// root id is not the namespace's root does not apply: pass none).
struct ExecFileCaps {
    CapSet permitted, inheritable;
    bool effective = false;  // the file's effective flag
};

struct ExecFile {
    std::optional<std::uint32_t> setuid_owner;  // the owner, when the set-user-ID bit is set
    std::optional<std::uint32_t> setgid_group;  // the group, when set-group-ID and group-execute are set
    std::optional<ExecFileCaps> caps;
    bool nosuid = false;  // on a nosuid mount, set-id bits and file capabilities are ignored
};

// What execve reads from `file` (as it is now) for a task in the user namespace whose root
// is uid `ns_root` as the reader sees it (0: the reader's own): the set-user-ID owner, the
// set-group-ID group (with group execute; without it the bit means mandatory locking),
// the mount's nosuid flag and the capabilities. A revision 3 capability applies only in
// the namespace whose root it names.
CAPINSPECT_API ExecFile exec_file_of(const ExecutableFile& file, std::uint32_t ns_root = 0);

struct ExecOutcome {
    ExecTask task;  // the credentials after execve
    // The call fails with EPERM: the file's effective flag is set but the task would not
    // get every capability of the file's permitted set (capabilities(7), "Safety checking
    // for capability-dumb binaries"). `task` is then what it would have been.
    bool refused = false;
    bool privileged_file = false;  // file capabilities, or a set-id bit that took effect
};

// The rules, in the kernel's order: set-id bits (ignored on nosuid mounts and under
// no_new_privs); P' = (F.permitted & bounding) | (F.inheritable & I); for a new effective
// or real uid 0 without SECBIT_NOROOT, P' = bounding | I (not for a set-user-ID-root
// file with capabilities run by another user), and a new effective uid 0 sets the
// effective flag; an id change is a new effective uid, or a new effective gid that is
// neither the fs gid nor a supplementary group; under no_new_privs an id change or a
// gain is undone (effective ids = real ids, P' &= P); saved and fs ids follow the
// effective ones; A' = 0 with file capabilities or an id change, else A; P' |= A';
// E' = effective flag ? P' : A'; I, bounding, groups and no_new_privs are kept;
// SECBIT_KEEP_CAPS is cleared.
CAPINSPECT_API ExecOutcome predict_execve(const ExecTask& before, const ExecFile& file);

// The names of the fields in which a and b differ, in declaration order: "uid", "gid",
// "groups", "effective", "permitted", "inheritable", "bounding", "ambient", "securebits",
// "no_new_privs". Empty when they are equal.
CAPINSPECT_API std::vector<std::string> exec_task_differences(const ExecTask& a, const ExecTask& b);

}  // namespace capinspect
