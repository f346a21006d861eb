// The calling process's own credentials and capability state, read through system calls
// rather than /proc, so that it works where no proc file system is mounted (a chroot, a
// minimal container), as libcap-ng falls back to doing.
// Reference: getresuid(2), getresgid(2), setfsuid(2), getgroups(2), capget(2), prctl(2)
// (PR_CAPBSET_READ, PR_CAP_AMBIENT_IS_SET, PR_GET_SECUREBITS, PR_GET_NO_NEW_PRIVS,
// PR_GET_SECCOMP), capabilities(7). Capabilities are per thread: this is the calling one.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <vector>

#include <capinspect/caps.h>
#include <capinspect/error.h>
#include <capinspect/export.h>
#include <capinspect/proc_status.h>
#include <capinspect/securebits.h>

namespace capinspect {

struct OwnProcess {
    pid_t pid = 0;
    IdSet uid, gid;  // real, effective, saved, file system
    std::vector<std::uint32_t> groups;  // supplementary groups, as getgroups(2) orders them
    CapSet effective, permitted, inheritable, bounding;
    std::optional<CapSet> ambient;       // unknown before Linux 4.3
    Securebits securebits;
    std::optional<bool> no_new_privs;    // unknown before Linux 3.5
    std::optional<SeccompMode> seccomp;  // unknown without CONFIG_SECCOMP
};

// Reads the calling thread's state; the bounding and ambient sets are probed for
// capabilities 0..last_cap. Fails only when capget(2) or PR_GET_SECUREBITS fails.
CAPINSPECT_API Result<OwnProcess> read_own_process(Cap last_cap);

// The same, with the bounding and ambient sets, no_new_privs and the seccomp mode taken
// from `status`, this thread's /proc status (/proc/thread-self/status) read by the
// caller: one read instead of two prctl(2) calls per capability. What the status lacks
// (an older kernel) is probed as above.
CAPINSPECT_API Result<OwnProcess> read_own_process(Cap last_cap, const ProcStatus& status);

}  // namespace capinspect
