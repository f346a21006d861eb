// Walking the processes of a proc root: each thread-group leader read through one
// ProcDir, kernel threads left out, what could not be read counted by reason.
// Reference: proc(5), capget(2).
#pragma once
#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <capinspect/error.h>
#include <capinspect/export.h>
#include <capinspect/proc_root.h>
#include <capinspect/proc_status.h>

namespace capinspect {

// What a walk could not read: a report must say so rather than look clean.
struct CAPINSPECT_API ReadFailures {
    std::map<int, unsigned> unreadable;  // errno → processes (EACCES under hidepid=1, ...)
    unsigned malformed = 0;              // status files that did not parse
    std::string first_malformed;         // the first of them, for the message

    // Counts an error; a vanished process (ENOENT, ESRCH) is not a failure.
    void note(const Error& e);
};

struct Process {
    ProcDir dir;
    ProcStatus status;
};

// Reads process `pid`: nullopt when it is gone, a kernel thread, a thread that is not
// its group's leader (pids given by the user may name one), or unreadable (then counted).
// holders_only: on the live system a process whose effective set is empty is skipped
// after one capget(2), without opening any file.
CAPINSPECT_API std::optional<Process> read_process(const ProcRoot& root, pid_t pid, bool holders_only,
                                                   ReadFailures& failures);

// The kernel threads of the live system, sorted: kthreadd (pid 2) and its children, from
// 2/task/2/children. A walk skips them without a capget or a status read (they report
// full capabilities). Empty for a saved tree or a kernel without that file; read_process
// still recognises them then.
CAPINSPECT_API std::vector<pid_t> list_kernel_threads(const ProcRoot& root);

}  // namespace capinspect
