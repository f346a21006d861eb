// The open files of a process: /proc/PID/fd, and which of them are sockets.
// Reference: proc(5) (/proc/PID/fd, "socket:[inode]" links).
#pragma once
#include <cstdint>
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

}  // namespace capinspect
