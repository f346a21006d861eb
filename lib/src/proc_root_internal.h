// What proc_root.cc shares with the rest of the library. Private to the library.
#pragma once
#include <capinspect/error.h>
#include <capinspect/proc_root.h>

namespace capinspect::detail {

// ProcDir::read_file() for a file that the kernel prints whole at the first read (one
// record: status, stat, cgroup): on the live proc file system a read that returns less
// than was asked for is the end, which spares the read(2) that would return 0.
Result<std::string> read_single_record(const ProcDir& dir, const char* name);

}  // namespace capinspect::detail
