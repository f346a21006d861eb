// capinspect snapshot: the machine's privilege as one JSON document, from one walk each:
// one list_processes (every process is read, so that the sockets of those that hold no
// capability are known and a socket whose owner cannot be seen is told apart), one
// scan_network_namespaces (every namespace a capability holder lives in, listening
// sockets) and one walk_file_caps (filecap -a's, or the --files roots). The document is
// written as it is collected: processes, then sockets, then files as the walk delivers
// them, then what could not be read; nothing holds it whole.
#include <fcntl.h>
#include <getopt.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include <fmt/core.h>

#include <capinspect/escape.h>
#include <capinspect/file_walk.h>
#include <capinspect/net_namespaces.h>
#include <capinspect/proc_root.h>
#include <capinspect/sockets.h>

#include "capinspect/capinspect.h"
#include "capinspect/snapshot.h"
#include "capinspect/snapshot_output.h"
#include "common/cli.h"
#include "common/filecaps.h"
#include "common/json.h"
#include "common/process_columns.h"

namespace capinspect::auditor {
namespace {

namespace pc = cli::process_column;
using cli::Json;

// --- the document, streamed --------------------------------------------------------------

// Writes the document in the layout of cli::print_json (three blanks per level), one
// element at a time.
class DocumentWriter {
public:
    explicit DocumentWriter(std::FILE* out) : out_(out) {}

    void open() { put("{\n   \"schema_version\": " + std::to_string(cli::schema_version)); }
    // A top-level key and its whole value.
    void value(std::string_view key, const Json& v) {
        key_line(key);
        put(indented(v, 3));
    }
    void null(std::string_view key) {
        key_line(key);
        put("null");
    }
    void begin_array(std::string_view key) {
        key_line(key);
        put("[");
        first_ = true;
    }
    void element(const Json& v) {
        put(first_ ? "\n      " : ",\n      ");
        put(indented(v, 6));
        first_ = false;
    }
    void end_array() { put(first_ ? "]" : "\n   ]"); }
    void close() {
        put("\n}\n");
        flush();
    }
    bool failed() const { return failed_; }
    int error() const { return errno_; }

private:
    void key_line(std::string_view key) { put(fmt::format(",\n   {}: ", Json(key).dump())); }
    static std::string indented(const Json& v, size_t pad) {
        std::string text = v.dump(3, ' ', false, Json::error_handler_t::replace), out;
        out.reserve(text.size() + text.size() / 8);
        for (char c : text) {
            out += c;
            if (c == '\n') out.append(pad, ' ');
        }
        return out;
    }
    void put(std::string_view text) {
        buf_.append(text);
        if (buf_.size() >= 1 << 16) flush();
    }
    void flush() {
        if (!failed_ && !buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), out_) != buf_.size()) {
            failed_ = true;
            errno_ = errno;
        }
        buf_.clear();
    }

    std::FILE* out_;
    std::string buf_;
    bool first_ = true;
    bool failed_ = false;
    int errno_ = 0;
};

Json caps_json(CapSet set) {
    Json list = Json::array();
    for (Cap c : set) list.push_back(cap_name(c));
    return list;
}

Json file_caps_json(const FileCaps& fc, Cap last_cap) {
    Json o = Json::object();
    o["set"] = cli::classify_file_caps(fc, last_cap).set;
    o["effective_flag"] = fc.effective;
    o["permitted"] = caps_json(fc.permitted);
    o["inheritable"] = caps_json(fc.inheritable);
    o["rootid"] = fc.rootid ? Json(*fc.rootid) : Json(nullptr);
    o["version"] = fc.revision;
    return o;
}

Json invalid_file_json(const Error& e) {
    Json o = Json::object();
    o["set"] = "invalid";
    o["error"] = escape_name(e.message());
    for (const char* key : {"effective_flag", "permitted", "inheritable", "rootid", "version"}) o[key] = nullptr;
    return o;
}

Json process_json(cli::ProcessCells& cells, const Process& p) {
    Json o = cells.object(p, p.status,
                          {pc::pid, pc::ppid, pc::command, pc::uid, pc::user, pc::unit, pc::exe, pc::effective,
                           pc::permitted, pc::inheritable, pc::bounding, pc::ambient, pc::no_new_privs, pc::seccomp,
                           pc::seccomp_filters, pc::scope, pc::userns_owner});
    Json threads = Json::array();
    for (const ProcessThread& t : p.threads) {
        if (same_capabilities(t.status, p.status)) continue;
        Json to = Json::object();
        to["tid"] = t.tid;
        Json sets = cells.object(p, t.status,
                                 {pc::command, pc::effective, pc::permitted, pc::inheritable, pc::bounding, pc::ambient});
        for (auto& [key, value] : sets.items()) to[key] = value;
        threads.push_back(std::move(to));
    }
    o["threads"] = std::move(threads);
    o["exe_caps"] = p.exe_file && p.exe_file->caps ? file_caps_json(*p.exe_file->caps, cells.last_cap())
                                                   : Json(nullptr);
    return o;
}

// --- what could not be read --------------------------------------------------------------

class Shortfall {
public:
    explicit Shortfall(bool warn) : warn_(warn) {}

    void processes(const ReadFailures& f, const ProcRoot& root) {
        for (auto [code, count] : f.unreadable) add("processes", std::strerror(code), count);
        if (f.malformed) add("malformed processes", f.first_malformed, f.malformed);
        for (auto [key, count] : f.facts_unread)
            add(process_fact_name(static_cast<ProcessFact>(key.first)), std::strerror(key.second), count);
        auto own = read_thread_caps(0);
        std::string hidepid = root.hidepid();
        if (!hidepid.empty() && !(own && own->effective.has(CAP_SYS_PTRACE)))
            add("hidden processes", fmt::format("{} is mounted with hidepid={}", root.path(), hidepid), {});
        if (warn_) {
            cli::report_read_failures(f);
            cli::report_hidden_processes(root);
            cli::report_unread_facts(f);
        }
    }
    void sockets(const NetworkScan& scan) {
        unsigned skipped = 0;
        for (const NamespaceSockets& ns : scan.namespaces) {
            for (const Error& e : ns.dump.errors) {
                add("sockets", e.message(), {});
                if (warn_) cli::warnf("cannot read sockets: {}", e.message());
            }
            skipped += ns.dump.skipped;
        }
        if (skipped) {
            add("malformed sockets", {}, skipped);
            if (warn_) cli::warnf("{} malformed socket entr{} skipped", skipped, skipped == 1 ? "y" : "ies");
        }
        if (scan.unreachable) {
            add("network namespaces", "could not be entered", scan.unreachable);
            if (warn_)
                cli::warnf("{} network namespace{} could not be entered", scan.unreachable,
                           scan.unreachable == 1 ? "" : "s");
        }
    }
    void directory(const std::string& path, int code) {
        records_.push_back({"directory", std::strerror(code), {}, path});
        if (warn_) cli::warnf("cannot read directory {}: {}", escape_name(path), std::strerror(code));
    }
    void file(const std::string& path, int code) {
        records_.push_back({"file", std::strerror(code), {}, path});
        if (warn_) cli::warnf("cannot read the capabilities of {}: {}", escape_name(path), std::strerror(code));
    }

    Json json() const {
        Json list = Json::array();
        for (const UnreadRecord& r : records_) {
            Json o = Json::object();
            o["what"] = r.what;
            o["error"] = r.error ? Json(escape_name(*r.error)) : Json(nullptr);
            o["total"] = r.total ? Json(*r.total) : Json(nullptr);
            o["path"] = r.path ? cli::json_name(*r.path) : Json(nullptr);
            list.push_back(std::move(o));
        }
        return list;
    }

private:
    void add(std::string what, std::optional<std::string> error, std::optional<std::uint64_t> total) {
        records_.push_back({std::move(what), std::move(error), total, {}});
    }
    bool warn_;
    std::vector<UnreadRecord> records_;
};

// --- the header ----------------------------------------------------------------------------

std::string utc_now() {
    std::time_t now = std::time(nullptr);
    struct tm tm {};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

SnapshotInfo info_of(const SnapshotOptions& options, Cap last_cap) {
    struct utsname un {};
    uname(&un);
    SnapshotInfo info;
    info.capinspect_version = CAPINSPECT_VERSION;
    info.hostname = un.nodename;
    info.kernel = escape_name(un.release);
    info.time = utc_now();
    info.cap_last_cap = last_cap;
    if (options.files) info.file_roots = options.roots;
    return info;
}

// --- the walks -----------------------------------------------------------------------------

Exposure exposure_of(const NamespaceSockets& ns, const SocketEntry& s) {
    if (s.kind == SocketKind::raw || s.kind == SocketKind::raw6 || s.kind == SocketKind::packet) return Exposure::raw;
    switch (local_address_scope(s)) {
    case AddressScope::wildcard: return ns.own ? Exposure::wildcard : Exposure::namespace_wildcard;
    case AddressScope::loopback: return Exposure::loopback;
    case AddressScope::multicast:
    case AddressScope::unicast: break;
    }
    return Exposure::address;
}

Json socket_json(const NamespaceSockets& ns, const SocketEntry& s, const std::vector<Process>& holders,
                 const SocketOwners& owners) {
    bool packet = s.kind == SocketKind::packet;
    bool raw = s.kind == SocketKind::raw || s.kind == SocketKind::raw6;
    Json o = Json::object();
    o["proto"] = socket_kind_name(s.kind);
    o["state"] = socket_state_name(s.kind, s.state);
    o["laddr"] = format_socket_address(s, false);
    o["lport"] = packet || raw ? s.protocol : s.local_port;
    o["iface"] = packet ? cli::json_name(ns.dump.interface_of(s)) : Json(nullptr);
    o["netns"] = ns.net_ns ? Json(*ns.net_ns) : Json(nullptr);
    o["inode"] = s.inode;
    o["exposure"] = exposure_name(exposure_of(ns, s));
    Json pids = Json::array();
    for (std::uint32_t i : owners.of(s.inode)) pids.push_back(holders[i].pid);
    o["pids"] = std::move(pids);
    return o;
}

}  // namespace

SnapshotOutcome write_snapshot(const SnapshotOptions& options, std::FILE* out, bool warn, std::string& error) {
    auto root = ProcRoot::open();
    if (!root) {
        error = fmt::format("cannot open {}: {}", default_proc_path, std::strerror(root.error().code));
        return SnapshotOutcome::not_taken;
    }
    auto last_cap = read_cap_last_cap(*root);
    if (!last_cap) {
        error = "cannot read cap_last_cap: " + last_cap.error().message();
        return SnapshotOutcome::not_taken;
    }
    Shortfall shortfall(warn);

    // Processes: every one is read (with its threads and open sockets); those that hold no
    // capability in any set leave only the inodes of their sockets behind.
    std::vector<std::uint64_t> others_sockets;
    ProcessQuery query;
    query.holding = Holding::any;
    query.threads = true;
    query.facts = fact_user_ns | fact_exe_file | fact_cgroup | fact_net_ns | fact_sockets;
    query.keep = [&](const Process& p) {
        if (has_capabilities(p, Holding::any_set)) return true;
        for (const SocketFd& s : p.sockets) others_sockets.push_back(s.inode);
        return false;
    };
    ReadFailures failures;
    auto listed = list_processes(*root, query, failures);
    if (!listed) {
        error = "cannot list processes: " + listed.error().message();
        return SnapshotOutcome::not_taken;
    }
    std::vector<Process> holders = std::move(*listed);
    std::sort(others_sockets.begin(), others_sockets.end());
    others_sockets.erase(std::unique(others_sockets.begin(), others_sockets.end()), others_sockets.end());
    shortfall.processes(failures, *root);
    // A machine where no process could be read is no baseline and no state to check.
    if (failures.nothing_read()) return SnapshotOutcome::nothing_read;

    DocumentWriter doc(out);
    doc.open();
    doc.value("snapshot", snapshot_info_json(info_of(options, *last_cap)));
    cli::ProcessCells cells(*last_cap);
    doc.begin_array("processes");
    for (const Process& p : holders) doc.element(process_json(cells, p));
    doc.end_array();

    // Sockets: the listeners of capability holders, and those nobody that can be seen
    // holds (a holder whose fds could not be read, a process hidden from us, the kernel);
    // a socket only processes without capabilities hold is left out as it is decoded.
    SocketOwners owners(holders);
    SocketFilter keep = [&](const SocketEntry& s) {
        return owners.holds_any(s.inode) ||
               !std::binary_search(others_sockets.begin(), others_sockets.end(), s.inode);
    };
    auto scan = scan_network_namespaces(*root, holders, SocketScope::listening, true, keep);
    if (!scan) {
        error = scan.error().message();
        return SnapshotOutcome::not_taken;
    }
    others_sockets = {};
    shortfall.sockets(*scan);
    struct Row {
        size_t ns;
        const SocketEntry* s;
    };
    std::vector<Row> rows;
    for (size_t n = 0; n < scan->namespaces.size(); ++n)
        for (const SocketEntry& s : scan->namespaces[n].dump.sockets) rows.push_back({n, &s});
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
        return std::tie(a.ns, a.s->kind, a.s->local_port, a.s->protocol, a.s->inode) <
               std::tie(b.ns, b.s->kind, b.s->local_port, b.s->protocol, b.s->inode);
    });
    doc.begin_array("sockets");
    for (const Row& r : rows) doc.element(socket_json(scan->namespaces[r.ns], *r.s, holders, owners));
    doc.end_array();
    rows = {};
    *scan = {};

    // Files, as the walk delivers them (path order).
    if (options.files) {
        cli::raise_fd_limit();
        WalkOptions wo;
        cli::set_walk_jobs(wo, options.jobs);
        doc.begin_array("files");
        WalkStats stats = walk_file_caps(options.roots, wo, [&](const WalkEntry& e) {
            if (e.error) {
                // Vanished meanwhile, or on a file system without extended attributes
                // (which cannot hold capabilities): nothing to report, as filecap.
                // A start that does not exist is worth saying; a directory that vanished
                // during the walk is not.
                if (e.error->code == ENOENT &&
                    (e.kind == WalkEntry::Kind::file ||
                     std::find(options.roots.begin(), options.roots.end(), e.path) == options.roots.end()))
                    return;
                if (e.error->code == ENOTSUP) return;
                if (e.kind == WalkEntry::Kind::directory) {
                    shortfall.directory(e.path, e.error->code);
                } else if (e.error->data) {
                    Json o = Json::object(), caps = invalid_file_json(*e.error);
                    o["path"] = cli::json_name(e.path);
                    for (auto& [key, value] : caps.items()) o[key] = value;
                    doc.element(o);
                } else {
                    shortfall.file(e.path, e.error->code);
                }
                return;
            }
            if (!e.caps) return;
            Json o = Json::object(), caps = file_caps_json(*e.caps, *last_cap);
            o["path"] = cli::json_name(e.path);
            for (auto& [key, value] : caps.items()) o[key] = value;
            doc.element(o);
        });
        doc.end_array();
        if (warn) cli::report_walk_threads(stats);
    } else {
        doc.null("files");
    }
    doc.value("unread", shortfall.json());
    doc.close();
    if (doc.failed()) {
        error = std::strerror(doc.error());
        return SnapshotOutcome::write_failed;
    }
    return SnapshotOutcome::written;
}

namespace {

int print_help() {
    cli::outf(
        "Usage:\n"
        " capinspect snapshot [options] [--files <dir>...]\n"
        "\n"
        "Write one JSON document of this machine's privilege: the processes that hold\n"
        "capabilities (all five sets, threads that differ, unit, executable and its file\n"
        "capabilities, no_new_privs, seccomp, user namespace), the files with capabilities,\n"
        "the listening, raw and packet sockets of capability holders in every network\n"
        "namespace with their exposure, and what could not be read.\n"
        "\n"
        "Options:\n"
        "     --files <dir>      walk this directory tree for file capabilities instead of /\n"
        "                          (repeatable; operands after it are more directories)\n"
        "     --no-files         do not walk files\n"
        " -j, --jobs <n>         read directories with n threads (default: one per CPU, up to\n"
        "                          8 per CPU while waiting for the disk)\n"
        " -o, --output <file>    write to this file, atomically (temporary file and rename)\n"
        "                          instead of standard output\n"
        " -h, --help             display this help\n"
        "\n"
        "Exit status: 0 written, 2 could not be written.\n"
        "\n"
        "For more details see capinspect(8).\n");
    return exit_clean;
}

}  // namespace

std::optional<std::vector<std::string>> normalize_roots(const std::vector<std::string>& given, std::string& error) {
    std::vector<std::string> roots;
    for (std::string r : given) {
        if (r.empty()) {
            error = "--files: an empty path";
            return std::nullopt;
        }
        if (r[0] != '/') {
            char cwd[PATH_MAX];
            if (!getcwd(cwd, sizeof cwd)) {
                error = fmt::format("--files {}: {}", r, std::strerror(errno));
                return std::nullopt;
            }
            r = std::string(cwd) + (std::strcmp(cwd, "/") == 0 ? "" : "/") + r;
        }
        while (r.size() > 1 && r.back() == '/') r.pop_back();
        roots.push_back(std::move(r));
    }
    // A root below another root would be walked twice.
    auto below = [](const std::string& path, const std::string& root) {
        if (root == "/") return path != "/";
        return path.size() > root.size() && path.compare(0, root.size(), root) == 0 && path[root.size()] == '/';
    };
    std::vector<std::string> kept;
    for (const std::string& r : roots) {
        if (std::find(kept.begin(), kept.end(), r) != kept.end()) continue;
        if (std::any_of(roots.begin(), roots.end(), [&](const std::string& o) { return below(r, o); })) continue;
        kept.push_back(r);
    }
    return kept;
}

int run_snapshot(int argc, char** argv) {
    enum { opt_files = 256, opt_no_files };
    static const struct option long_options[] = {
        {"files", required_argument, nullptr, opt_files},
        {"no-files", no_argument, nullptr, opt_no_files},
        {"jobs", required_argument, nullptr, 'j'},
        {"output", required_argument, nullptr, 'o'},
        {"help", no_argument, nullptr, 'h'},
        {nullptr, 0, nullptr, 0},
    };
    SnapshotOptions options;
    std::vector<std::string> roots;
    bool files_option = false;
    std::optional<std::string> output;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":j:o:h", long_options, nullptr)) != -1) {
        switch (c) {
        case opt_files:
            roots.push_back(optarg);
            files_option = true;
            break;
        case opt_no_files: options.files = false; break;
        case 'j': {
            auto jobs = cli::parse_walk_jobs(optarg);
            if (!jobs) return cli::usage_error(fmt::format("invalid number of jobs: {}", optarg), exit_error);
            options.jobs = *jobs;
            break;
        }
        case 'o': output = optarg; break;
        case 'h': return print_help();
        default: return cli::option_error(c, argv, long_options, exit_error);
        }
    }
    for (; optind < argc; ++optind) {
        if (!files_option)
            return cli::usage_error(fmt::format("unexpected argument '{}' (directories follow --files)", argv[optind]),
                                    exit_error);
        roots.push_back(argv[optind]);
    }
    if (files_option && !options.files) return cli::usage_error("--files and --no-files exclude each other", exit_error);
    if (files_option) {
        std::string error;
        auto kept = normalize_roots(roots, error);
        if (!kept) return cli::usage_error(error, exit_error);
        options.roots = std::move(*kept);
    }
    if (output && output->empty()) return cli::usage_error("--output: an empty file name", exit_error);

    OutputFile file;
    std::string error;
    if (!file.open(output.value_or("-"), error)) {
        cli::warn(error);
        return exit_error;
    }
    switch (write_snapshot(options, file.stream(), true, error)) {
    case SnapshotOutcome::written: break;
    case SnapshotOutcome::not_taken: cli::warn(error); return exit_error;
    case SnapshotOutcome::nothing_read: return cli::exit_nothing_read;
    case SnapshotOutcome::write_failed:
        file.abandon();
        if (output)
            cli::warnf("cannot write {}: {}", *output, error);
        else if (error != std::strerror(EPIPE))
            cli::warnf("write error: {}", error);
        return exit_error;
    }
    if (!file.commit(error)) {
        if (!error.empty()) cli::warn(error);
        return exit_error;
    }
    return exit_clean;
}

}  // namespace capinspect::auditor
