// capinspect snapshot: one JSON document of a machine's privilege (processes that hold
// capabilities, files with capabilities, listening sockets of capability holders, and
// what could not be read), and the model that `diff` and `verify` compare. The document
// is written straight from the library's walks (snapshot.cc); snapshot_read.cc reads it
// back into the model below, checking every field, for any input.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <capinspect/caps.h>
#include <capinspect/process.h>
#include <capinspect/proc_status.h>

namespace capinspect::auditor {

// The five sets of a process or a thread. The ambient set is unknown on kernels before
// 4.3.
struct CapSets {
    CapSet effective, permitted, inheritable, bounding;
    std::optional<CapSet> ambient;
    friend bool operator==(const CapSets&, const CapSets&) = default;
};

// A file capability as a snapshot records it (a file's, or a process's executable's).
struct FileCapsRecord {
    // classify_file_caps()'s class: effective, permitted, inheritable, empty, or invalid
    // (a value that does not decode; then only `error` says more).
    std::string set;
    bool effective_flag = false;
    CapSet permitted, inheritable;
    std::optional<std::uint32_t> rootid;
    unsigned version = 0;  // 1, 2 or 3; 0 when invalid
    std::string error;     // invalid: why
    friend bool operator==(const FileCapsRecord&, const FileCapsRecord&) = default;
};

struct FileRecord {
    std::string path;  // raw bytes
    FileCapsRecord caps;
};

// A thread whose sets differ from its process's.
struct ThreadRecord {
    pid_t tid = 0;
    std::string command;
    CapSets sets;
};

struct ProcessRecord {
    pid_t pid = 0, ppid = 0;
    std::string command;
    std::uint32_t uid = 0;
    std::string user;
    std::optional<std::string> unit;  // the cgroup's unit, any kind
    std::optional<std::string> exe;   // as the kernel shows it: " (deleted)" kept
    CapSets sets;
    std::optional<bool> no_new_privs;
    std::optional<SeccompMode> seccomp;
    std::optional<unsigned> seccomp_filters;
    std::optional<PrivilegeScope> scope;
    std::optional<std::uint32_t> userns_owner;
    std::vector<ThreadRecord> threads;
    std::optional<FileCapsRecord> exe_caps;  // the executable's file capabilities
};

// How far a listening socket reaches.
enum class Exposure : std::uint8_t {
    wildcard,            // every address of the host's network namespace
    namespace_wildcard,  // every address of another network namespace
    loopback,            // loopback only
    address,             // one unicast or multicast address
    raw,                 // a raw or packet socket: whatever reaches its interface
};
inline constexpr Exposure all_exposures[] = {Exposure::wildcard, Exposure::namespace_wildcard, Exposure::loopback,
                                             Exposure::address, Exposure::raw};
// "wildcard", "namespace_wildcard", "loopback", "address", "raw".
const char* exposure_name(Exposure e);
std::optional<Exposure> find_exposure(std::string_view name);

struct SocketRecord {
    std::string proto;  // socket_kind_name(): tcp, udp6, raw, pkt, ...
    std::string state;  // socket_state_name(): LISTEN, UNCONN, ...
    std::string laddr;
    std::uint32_t lport = 0;  // the IP protocol of a raw socket, the ethertype of a packet one
    std::optional<std::string> iface;  // packet sockets
    std::optional<std::uint64_t> netns;
    std::uint64_t inode = 0;
    Exposure exposure = Exposure::address;
    std::vector<pid_t> pids;  // the capability holders that hold it; empty: no owner seen
};

// Something that could not be read, as the tools count it on stderr.
struct UnreadRecord {
    std::string what;  // "processes", "open files", "directory", ...
    std::optional<std::string> error;
    std::optional<std::uint64_t> total;
    std::optional<std::string> path;  // raw bytes
};

struct SnapshotInfo {
    std::string capinspect_version;
    std::string hostname;  // raw bytes
    std::string kernel;
    std::string time;  // RFC 3339, UTC
    Cap cap_last_cap = 0;
    // The roots of the file walk; nullopt: files were not walked (--no-files).
    std::optional<std::vector<std::string>> file_roots;
};

struct Snapshot {
    SnapshotInfo info;
    std::vector<ProcessRecord> processes;
    std::vector<SocketRecord> sockets;
    std::optional<std::vector<FileRecord>> files;  // nullopt exactly when file_roots is
    std::vector<UnreadRecord> unread;
};

// Reads a snapshot document. Any text is accepted as input: on anything but a snapshot of
// schema version 2 (malformed JSON, truncated text, a field of the wrong type, an unknown
// capability or value, a newer schema_version) it returns nullopt with one line in
// `error` saying what and where. Never throws.
std::optional<Snapshot> parse_snapshot(std::string_view text, std::string& error);

// The "snapshot" object of a document: capinspect_version, hostname, kernel, time,
// cap_last_cap, file_roots. Written by the snapshot, and again in diff documents.
nlohmann::ordered_json snapshot_info_json(const SnapshotInfo& info);

// parse_snapshot() of a file ("-": standard input); an error names the file.
std::optional<Snapshot> read_snapshot_file(const std::string& path, std::string& error);

// What a snapshot covers.
struct SnapshotOptions {
    bool files = true;
    std::vector<std::string> roots = {"/"};  // absolute paths
    unsigned jobs = 0;                        // file walk threads; 0: filecap's default
};

// The --files roots as a snapshot records them: absolute (relative to the current
// directory), without trailing slashes, each once, and none below another. Nullopt with
// one line in `error` for an empty path.
std::optional<std::vector<std::string>> normalize_roots(const std::vector<std::string>& given, std::string& error);

enum class SnapshotOutcome {
    written,
    not_taken,     // the walks could not start: `error` says why
    nothing_read,  // not one process could be read (said on stderr when warning): no document
    write_failed,  // writing to `out` failed: `error` is the reason
};

// Takes a snapshot of the live system and writes the document to `out`; what could not be
// read is in the document and, when `warn` is set, said on stderr the way the tools say
// it.
SnapshotOutcome write_snapshot(const SnapshotOptions& options, std::FILE* out, bool warn, std::string& error);

// The subcommands.
int run_snapshot(int argc, char** argv);
int run_diff(int argc, char** argv);
int run_verify(int argc, char** argv);

}  // namespace capinspect::auditor
