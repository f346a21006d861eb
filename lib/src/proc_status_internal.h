// What proc_status.cc shares with the process walk. Private to the library.
#pragma once
#include <capinspect/error.h>
#include <capinspect/proc_root.h>
#include <capinspect/proc_status.h>

namespace capinspect::detail {

// read_status(), and the count of the status file's Threads: line in `threads` (0 when it
// has none): on the live system the walk lists the task directory of a process only when
// it has more than one thread, which spares most processes two system calls.
Result<ProcStatus> read_status(const ProcDir& dir, unsigned& threads);

}  // namespace capinspect::detail
