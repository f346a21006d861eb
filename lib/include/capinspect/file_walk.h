// A parallel walk of directory trees that reports file capabilities, in path order.
// Reference: getdents64(2), openat(2), getxattrat(2), statfs(2), capabilities(7).
//
// Safe on a live system: symlinks are never followed; only directories are opened, with
// O_DIRECTORY|O_NOFOLLOW|O_NONBLOCK, relative to their parent's descriptor (so depth is
// not limited by PATH_MAX and a renamed parent cannot redirect the walk); files are never
// opened (their attribute is read by name relative to the directory, so a FIFO or a
// device cannot block or react); a directory that cannot be read or an entry that
// vanishes is reported and the walk goes on. Without following symlinks a walk cannot
// loop: directories form a tree, and so do mounts.
//
// Several threads read directories at once; the results are delivered to the caller, on
// the calling thread, in a fixed order whatever the number of threads: the starts in the
// order given, each tree depth-first, the entries of a directory sorted by name (byte
// order), so that a directory's subtree comes right after its name. Memory stays small:
// only files with something to report are kept, directories are read close to the order
// in which their results are delivered, and what the threads read ahead of the delivery
// holds about a megabyte at most (plus one directory per thread), however slow `visit`
// is: then they wait.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <capinspect/error.h>
#include <capinspect/export.h>
#include <capinspect/file_caps.h>

namespace capinspect {

struct WalkOptions {
    // Threads reading directories, the calling thread included; 0 means one per CPU.
    // A thread that cannot be started is not an error (see WalkStats::thread_error).
    unsigned jobs = 1;
    // Up to this many more threads join when the walk waits for the disk (the walking
    // threads' block reads, getrusage(2) RUSAGE_THREAD, go up), so that the reads of
    // several directories overlap: a cold cache is bound by I/O latency, not by CPUs.
    // With a warm cache no thread is added.
    unsigned io_jobs = 0;
    // Do not enter a directory on another file system than its start (find -xdev).
    bool one_file_system = false;
    // Do not enter a directory that is the root of a pseudo file system mounted below a
    // start (proc, sysfs, cgroup, debugfs, tracefs, securityfs, bpf, configfs, efivarfs,
    // pstore, autofs, ...): none can hold file capabilities. A start on one is walked.
    bool skip_pseudo_fs = true;
    // Neither report nor enter these files and directories (compared by device and inode,
    // so every path to them is excluded).
    std::vector<FileId> exclude;
    // Report every regular file, also those without capabilities (caps is then nullopt).
    bool all_files = false;
};

// One result, delivered in walk order.
struct WalkEntry {
    enum class Kind {
        file,       // a regular file: caps, or error when its capabilities could not be read
        directory,  // a directory (or start) that could not be walked: error
    };
    Kind kind = Kind::file;
    // The path: the start as given (trailing slashes removed), then "/name" per level.
    const std::string& path;
    std::optional<FileCaps> caps;
    std::optional<Error> error;  // its context is the path (and the detail for data errors)
};

struct WalkStats {
    std::uint64_t directories = 0;   // directories read
    std::uint64_t files = 0;         // regular files examined
    std::uint64_t skipped_mounts = 0;  // mounts not entered (pseudo file systems, -x)
    // Threads that read directories, the calling thread included.
    unsigned threads = 1;
    // Why a thread could not be started (EAGAIN: RLIMIT_NPROC or a cgroup's pids.max), or
    // 0. The walk goes on with the threads it has (at least the calling one) and tries no
    // more.
    int thread_error = 0;
};

using WalkVisitor = std::function<void(const WalkEntry&)>;

// Walks each start in turn and calls `visit` for every file with capabilities (every
// regular file with WalkOptions::all_files), every file whose capabilities could not be
// read and every directory that could not be read. A start that is a regular file is
// examined itself; a start that is a symlink (even to a directory), a device, a FIFO or a
// socket gives nothing, as nftw(FTW_PHYS) does; a start that does not exist gives a
// directory entry with ENOENT.
// Errors the caller may want to ignore arrive with their errno: ENOENT (vanished during
// the walk), ENOTSUP (a file system without extended attributes).
// `visit` runs on the calling thread; it may throw, which ends the walk.
CAPINSPECT_API WalkStats walk_file_caps(const std::vector<std::string>& starts,
                                        const WalkOptions& options, const WalkVisitor& visit);

// Whether statfs(2)'s f_type names a pseudo file system that WalkOptions::skip_pseudo_fs
// skips.
CAPINSPECT_API bool is_pseudo_fs(std::int64_t f_type);

}  // namespace capinspect
