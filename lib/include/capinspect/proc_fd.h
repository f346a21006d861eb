// The open files of a process: /proc/PID/fd, and which of them are sockets.
// Reference: proc(5) (/proc/PID/fd, "socket:[inode]" links), pidfd_open(2), pidfd_getfd(2).
#pragma once
#include <cstdint>
#include <sys/types.h>

#include <optional>
#include <string_view>
#include <vector>

#include <capinspect/error.h>
#include <capinspect/export.h>

namespace capinspect {

class ProcDir;

// "socket:[12345]" → 12345; also the old "[0000]:12345" form. nullopt for anything else.
CAPINSPECT_API std::optional<std::uint64_t> parse_socket_link(std::string_view link);

// The socket inodes a process holds, one per fd (a socket open on two fds appears twice),
// in fd order. Opening fd/ and reading its links need ptrace access (EACCES otherwise,
// for the whole process); an fd closed while reading is skipped.
CAPINSPECT_API Result<std::vector<std::uint64_t>> list_socket_inodes(const ProcDir& dir);

// A socket open in a process: its fd number there and its inode.
struct SocketFd {
    int fd = -1;
    std::uint64_t inode = 0;
};

// The same with the fd numbers.
CAPINSPECT_API Result<std::vector<SocketFd>> list_socket_fds(const ProcDir& dir);

// SO_REUSEPORT of sockets that process `pid` of the live system holds, one answer per
// entry of `sockets`: a copy of each fd is taken with pidfd_getfd(2) (Linux 5.6; needs
// ptrace access to the process, as root has) and asked with getsockopt(2). A copy whose
// inode is not the expected one (the fd was closed and reused, the pid was reused) gives
// nullopt, as does any failure: the answer is "unknown", never a guess.
CAPINSPECT_API std::vector<std::optional<bool>> read_socket_reuseport(pid_t pid,
                                                                      const std::vector<SocketFd>& sockets);

}  // namespace capinspect
