// netcap: which processes that hold capabilities have sockets open, and where.
// Default output: libcap-ng 0.9.5's classic layout, byte for byte. Column mode (-o, -J,
// ...): addresses, states, namespaces and every capability set of each owner.
// Sockets come from the kernel over sock_diag (the /proc/net tables as the fallback) and
// are joined to their owners by inode, scanning /proc/PID/fd of capability holders only.
// --advanced (at the end of this file): libcap-ng 0.9.5's exposure inventory of every
// process with a reachable socket, as a tree or JSON, built on lib/exposure.h.
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <clocale>
#include <cstring>
#include <iterator>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/core.h>

#include <linux/capability.h>

#include <nlohmann/json.hpp>

#include <capinspect/caps.h>
#include <capinspect/escape.h>
#include <capinspect/exposure.h>
#include <capinspect/proc_fd.h>
#include <capinspect/proc_root.h>
#include <capinspect/proc_status.h>
#include <capinspect/proc_walk.h>
#include <capinspect/sockets.h>

#include "common/accounts.h"
#include "common/cli.h"
#include "common/table.h"
#include "common/wrap.h"

namespace capinspect {
namespace {

using cli::Cell;
using cli::ColumnInfo;
using cli::JsonType;

enum Column : size_t {
    col_ppid, col_pid, col_uid, col_user, col_command, col_proto, col_state, col_laddr,
    col_lport, col_raddr, col_rport, col_iface, col_netns, col_inode, col_caps, col_effective,
    col_permitted, col_inheritable, col_bounding, col_ambient, col_nnp, col_seccomp,
};

constexpr ColumnInfo columns[] = {
    {"PPID", "parent process id", JsonType::number, true},
    {"PID", "process id", JsonType::number, true},
    {"UID", "effective user id", JsonType::number, true},
    {"USER", "effective user name", JsonType::string},
    {"COMMAND", "command name", JsonType::string},
    {"PROTO", "socket type (tcp, tcp6, udp, udp6, udplite, udplite6, raw, raw6, pkt)", JsonType::string},
    {"STATE", "socket state (LISTEN, ESTAB, UNCONN, ...)", JsonType::string},
    {"LADDR", "local address (* for any)", JsonType::string},
    {"LPORT", "local port; the IP protocol of a raw socket, the ethertype of a packet socket", JsonType::number, true},
    {"RADDR", "remote address (* when unconnected)", JsonType::string},
    {"RPORT", "remote port", JsonType::number, true},
    {"IFACE", "interface a packet socket is bound to (* for all)", JsonType::string},
    {"NETNS", "network namespace inode", JsonType::number, true},
    {"INODE", "socket inode", JsonType::number, true},
    {"CAPS", "capabilities as the default output shows them", JsonType::string},
    {"EFFECTIVE", "effective capability set", JsonType::capset},
    {"PERMITTED", "permitted capability set", JsonType::capset},
    {"INHERITABLE", "inheritable capability set", JsonType::capset},
    {"BOUNDING", "bounding capability set", JsonType::capset},
    {"AMBIENT", "ambient capability set", JsonType::capset},
    {"NNP", "no_new_privs is set", JsonType::boolean},
    {"SECCOMP", "seccomp mode (disabled, strict, filter)", JsonType::string},
};

const std::vector<size_t> default_columns = {col_pid,   col_user,  col_command, col_proto,
                                             col_state, col_laddr, col_lport,   col_raddr,
                                             col_rport, col_effective};

constexpr const char* compat_usage =
    "usage: netcap [--advanced [--interface IFACE] [--list-interfaces] [--json] [--no-color]]\n";

struct Options {
    bool advanced = false;
    bool json = false;
    bool column_mode = false;
    bool output_all = false;
    bool listening = false;
    bool all_netns = false;
    bool list_interfaces = false;
    bool no_color = false;
    std::optional<std::string> interface;
    std::optional<std::string> output_list;
    cli::OutputMode mode;
    std::string proc_root = default_proc_path;
};

// A process that holds capabilities and the sockets it has open.
struct Owner {
    pid_t pid = 0;
    ProcStatus status;
    std::optional<unsigned long> netns;
};

// A socket held by an owner (an index into the owners).
struct Holding {
    std::uint64_t inode;
    std::uint32_t owner;
    friend auto operator<=>(const Holding&, const Holding&) = default;
};

// One socket of one namespace, with the interface name of a packet socket resolved there.
struct NsSocket {
    SocketEntry entry;
    std::optional<unsigned long> netns;
    std::string iface;
};

int usage_error(const char* message) {
    if (message) fmt::print(stderr, "{}\n", message);
    fmt::print(stderr, "{}", compat_usage);
    return cli::exit_failure;
}

int print_help() {
    fmt::print(
        "Usage:\n"
        " netcap [options]\n"
        "\n"
        "Report the processes that hold capabilities and have sockets open.\n"
        "\n"
        "Options:\n"
        " -l, --listening        only listening TCP sockets, unconnected datagram and raw\n"
        "                          sockets, and packet sockets\n"
        "     --all-netns        every network namespace a capability holder lives in\n"
        " -o, --output <list>    columns to print (+LIST appends to the default)\n"
        "     --output-all       print all columns\n"
        " -J, --json             JSON output (column rows; with --advanced, libcap-ng's schema)\n"
        "     --advanced         the exposure inventory: every process that holds a reachable\n"
        "                          socket, by plane, interface, protocol, address and port\n"
        "     --interface <name> with --advanced: only the endpoints on this interface\n"
        "     --list-interfaces  with --advanced: the interfaces that have an address\n"
        "     --no-color         with --advanced: never colour the tree (also NO_COLOR)\n"
        " -r, --raw              raw output\n"
        " -n, --noheadings       do not print headings\n"
        " -H, --list-columns     list the available columns\n"
        "     --proc-root <dir>  read processes and /proc/net tables from this proc tree\n"
        " -h, --help             display this help\n"
        " -V, --version          display version\n"
        "\n"
        "Available output columns:\n");
    cli::print_column_help(columns, false);
    fmt::print("\nFor more details see netcap(8).\n");
    return cli::exit_ok;
}

std::optional<int> parse_options(int argc, char** argv, Options& opt) {
    enum {
        opt_advanced = 256, opt_interface, opt_list_interfaces, opt_no_color, opt_output_all,
        opt_all_netns, opt_proc_root
    };
    static const struct option long_options[] = {
        {"advanced", no_argument, nullptr, opt_advanced},
        {"interface", required_argument, nullptr, opt_interface},
        {"list-interfaces", no_argument, nullptr, opt_list_interfaces},
        {"json", no_argument, nullptr, 'J'},
        {"no-color", no_argument, nullptr, opt_no_color},
        {"listening", no_argument, nullptr, 'l'},
        {"all-netns", no_argument, nullptr, opt_all_netns},
        {"output", required_argument, nullptr, 'o'},
        {"output-all", no_argument, nullptr, opt_output_all},
        {"raw", no_argument, nullptr, 'r'},
        {"noheadings", no_argument, nullptr, 'n'},
        {"list-columns", no_argument, nullptr, 'H'},
        {"proc-root", required_argument, nullptr, opt_proc_root},
        {"help", no_argument, nullptr, 'h'},
        {"version", no_argument, nullptr, 'V'},
        {nullptr, 0, nullptr, 0},
    };
    bool list_columns = false;
    const char* column_option = nullptr;  // the first option of column mode, for --advanced's error
    opterr = 0;
    int c;
    // A leading ':' makes a missing argument ':' rather than '?'.
    while ((c = getopt_long(argc, argv, ":lo:JrnHhV", long_options, nullptr)) != -1) {
        if (!column_option) {
            switch (c) {
            case 'l': column_option = "--listening"; break;
            case opt_all_netns: column_option = "--all-netns"; break;
            case 'o': column_option = "--output"; break;
            case opt_output_all: column_option = "--output-all"; break;
            case 'r': column_option = "--raw"; break;
            case 'n': column_option = "--noheadings"; break;
            case 'H': column_option = "--list-columns"; break;
            default: break;
            }
        }
        switch (c) {
        case opt_advanced: opt.advanced = true; break;
        case opt_interface:
            if (!*optarg) return usage_error("--interface requires an argument");
            opt.interface = optarg;
            break;
        case opt_list_interfaces: opt.list_interfaces = true; break;
        case opt_no_color: opt.no_color = true; break;
        case 'J': opt.json = true; break;
        case 'l': opt.listening = true; opt.column_mode = true; break;
        case opt_all_netns: opt.all_netns = true; break;
        case 'o': opt.output_list = optarg; opt.column_mode = true; break;
        case opt_output_all: opt.output_all = true; opt.column_mode = true; break;
        case 'r': opt.mode.raw = true; opt.column_mode = true; break;
        case 'n': opt.mode.noheadings = true; opt.column_mode = true; break;
        case 'H': list_columns = true; break;
        case opt_proc_root: opt.proc_root = optarg; break;
        case 'h': return print_help();
        case 'V': return cli::print_version();
        case ':':
            // libcap-ng 0.9.5's message for --interface, the same form for the others.
            if (optopt == opt_interface) return usage_error("--interface requires an argument");
            return usage_error(fmt::format("{} requires an argument", escape_name(argv[optind - 1])).c_str());
        default: {
            // libcap-ng 0.9.5: "Unknown option: WORD", then the usage line.
            std::string word = argv[optind - 1];
            return usage_error(fmt::format("Unknown option: {}", escape_name(word)).c_str());
        }
        }
    }
    if (optind < argc) return usage_error(fmt::format("Unknown option: {}", escape_name(argv[optind])).c_str());
    if (opt.advanced && column_option)
        return usage_error(fmt::format("{} is not valid with --advanced", column_option).c_str());
    if (list_columns) {
        cli::print_column_help(columns, opt.json);
        return cli::exit_ok;
    }
    if (!opt.advanced) {
        if (opt.list_interfaces) return usage_error("--list-interfaces is only valid with --advanced");
        if (opt.interface) return usage_error("--interface is only valid with --advanced");
        if (opt.no_color) return usage_error("Too many arguments");
        // Unlike 0.9.5, --json without --advanced means what it means in every other
        // tool: the column rows as JSON.
        if (opt.json) opt.column_mode = opt.mode.json = true;
    }
    return std::nullopt;
}

// What could not be seen, said on stderr at the end.
struct Shortfall {
    ReadFailures read;
    std::map<int, unsigned> fd_unreadable;  // errno → processes whose fd/ was refused
    std::vector<std::string> table_errors;
    unsigned skipped_sockets = 0;
    unsigned netns_unreachable = 0;
};

class Inventory {
public:
    Inventory(const Options& opt, const ProcRoot& root) : opt_(opt), root_(root) {}

    // Capability holders and, per socket inode, which of them hold it.
    void scan_owners(Shortfall& shortfall) {
        auto listed = root_.list_pids();
        if (!listed) throw listed.error();
        auto kthreads = list_kernel_threads(root_);
        std::vector<pid_t> pids;
        std::set_difference(listed->begin(), listed->end(), kthreads.begin(), kthreads.end(),
                            std::back_inserter(pids));
        for (pid_t pid : pids) {
            auto proc = read_process(root_, pid, true, shortfall.read);
            if (!proc) continue;
            auto inodes = list_socket_inodes(proc->dir);
            if (!inodes) {
                if (!inodes.error().is_vanished()) ++shortfall.fd_unreadable[inodes.error().code];
                continue;
            }
            if (inodes->empty()) continue;
            Owner owner{pid, std::move(proc->status), std::nullopt};
            if (opt_.all_netns || wants_netns_)
                if (auto ns = proc->dir.read_namespace("net")) owner.netns = *ns;
            auto index = static_cast<std::uint32_t>(owners_.size());
            owners_.push_back(std::move(owner));
            for (std::uint64_t inode : *inodes) holdings_.push_back({inode, index});
        }
        // Sorted by inode, then owner (pid order): a flat index for the join, a third of
        // a hash map's memory at 100 000 sockets. One row per process and socket, even
        // when it holds the socket on two fds.
        std::sort(holdings_.begin(), holdings_.end());
        holdings_.erase(std::unique(holdings_.begin(), holdings_.end()), holdings_.end());
    }

    // The sockets of our namespace, or of every namespace an owner lives in.
    std::vector<NsSocket> scan_sockets(Shortfall& shortfall) {
        std::vector<NsSocket> out;
        std::optional<unsigned long> own_ns;
        if (root_.is_live())
            if (auto link = root_.read_link("self/ns/net")) own_ns = parse_namespace_link(*link);
        collect(out, own_ns, shortfall);
        if (!opt_.all_netns || !root_.is_live()) return out;

        // Other namespaces: enter each through one of its owners, dump, come back.
        std::map<unsigned long, pid_t> others;
        for (const Owner& o : owners_)
            if (o.netns && o.netns != own_ns) others.emplace(*o.netns, o.pid);
        if (others.empty()) return out;
        Fd home(open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
        for (auto [ns, pid] : others) {
            Fd target(openat(root_.fd(), fmt::format("{}/ns/net", pid).c_str(), O_RDONLY | O_CLOEXEC));
            if (!target || setns(target.get(), CLONE_NEWNET) != 0) {
                ++shortfall.netns_unreachable;
                continue;
            }
            collect(out, ns, shortfall);
            if (setns(home.get(), CLONE_NEWNET) != 0) throw Error{errno, "setns back to our network namespace"};
        }
        return out;
    }

    // The holdings of one socket, in owner (pid) order.
    std::span<const Holding> owners_of(std::uint64_t inode) const {
        auto [first, last] = std::equal_range(holdings_.begin(), holdings_.end(), Holding{inode, 0},
                                              [](const Holding& a, const Holding& b) { return a.inode < b.inode; });
        return {first, last};
    }
    const Owner& owner(size_t i) const { return owners_[i]; }
    void want_netns(bool yes) { wants_netns_ = yes; }

private:
    // Dumps the current namespace's sockets that have an owner, naming packet interfaces
    // while still in that namespace.
    void collect(std::vector<NsSocket>& out, std::optional<unsigned long> ns, Shortfall& shortfall) {
        // Only sockets with a known owner are kept, as the dump decodes them.
        SocketFilter owned = [this](const SocketEntry& s) { return s.inode != 0 && !owners_of(s.inode).empty(); };
        SocketScope scope = opt_.listening ? SocketScope::listening : SocketScope::all;
        SocketDump dump = root_.is_live() ? dump_sockets(root_, scope, owned)
                                          : read_proc_net_sockets(root_, scope, owned);
        for (const Error& e : dump.errors) shortfall.table_errors.push_back(e.message());
        shortfall.skipped_sockets += dump.skipped;
        out.reserve(out.size() + dump.sockets.size());
        for (const SocketEntry& s : dump.sockets) {
            NsSocket ns_socket{s, ns, {}};
            if (s.kind == SocketKind::packet) {
                char name[IF_NAMESIZE] = {};
                if (s.ifindex == 0)
                    ns_socket.iface = "*";
                else if (root_.is_live() && if_indextoname(static_cast<unsigned>(s.ifindex), name))
                    ns_socket.iface = name;
                else
                    ns_socket.iface = std::to_string(s.ifindex);
            }
            out.push_back(std::move(ns_socket));
        }
    }

    const Options& opt_;
    const ProcRoot& root_;
    bool wants_netns_ = false;
    std::vector<Owner> owners_;
    std::vector<Holding> holdings_;
};

class Report {
public:
    Report(const Options& opt, Cap last_cap) : opt_(opt), last_cap_(last_cap) {}

    // "full" or the permitted list (classified by the effective set, as libcap-ng does).
    std::string caps_list(const ProcStatus& st) const {
        return st.effective.is_full(last_cap_) ? "full" : format_cap_list(st.permitted);
    }

    // 0.9.5's tail: CAPS, a blank, then "@" and "+" glued (a blank ends a row without them).
    std::string caps_text(const ProcStatus& st) const {
        std::string text = caps_list(st) + " ";
        if (st.ambient && !st.ambient->empty()) text += "@";
        if (!st.bounding.empty()) text += "+";
        return text;
    }

    // The port column: the local port, "0" for raw sockets, the interface for packet ones.
    static std::string port_text(const NsSocket& s) {
        switch (s.entry.kind) {
        case SocketKind::raw:
        case SocketKind::raw6: return "0";
        case SocketKind::packet: return escape_name(s.iface);
        default: return std::to_string(s.entry.local_port);
        }
    }

    void print_classic(const std::vector<NsSocket>& sockets, const Inventory& inv) {
        // Streamed in blocks: a report of 100 000 rows is never held whole.
        std::string out;
        bool header = false;
        for (const NsSocket& s : sockets)
            for (const Holding& h : inv.owners_of(s.entry.inode)) {
                const Owner& o = inv.owner(h.owner);
                if (!header) {
                    out = "ppid    pid     acct             command         type     port            capabilities\n";
                    header = true;
                }
                out += fmt::format("{:<7} {:<7} {} {} {:<8} {} {}\n", o.status.ppid, o.pid,
                                   cli::pad_bytes(escape_name(accounts_.name(o.status.uid.effective)), 16),
                                   cli::pad_bytes(escape_name(o.status.name), 15),
                                   socket_kind_name(s.entry.kind), cli::pad_bytes(port_text(s), 15),
                                   caps_text(o.status));
                if (out.size() >= 1 << 16) {
                    fwrite(out.data(), 1, out.size(), stdout);
                    out.clear();
                }
            }
        fwrite(out.data(), 1, out.size(), stdout);
    }

    void print_columns(const std::vector<NsSocket>& sockets, const Inventory& inv,
                       const std::vector<size_t>& shown) {
        cli::Table table(columns, shown, opt_.mode, "sockets", last_cap_);
        for (const NsSocket& s : sockets)
            for (const Holding& h : inv.owners_of(s.entry.inode)) {
                auto row = table.add_row();
                for (size_t col : table.columns())
                    table.set(row, col, cell(s, inv.owner(h.owner), static_cast<Column>(col)));
            }
        table.print();
    }

private:
    Cell cell(const NsSocket& s, const Owner& o, Column col) {
        const SocketEntry& e = s.entry;
        const ProcStatus& st = o.status;
        bool packet = e.kind == SocketKind::packet;
        bool raw = e.kind == SocketKind::raw || e.kind == SocketKind::raw6;
        switch (col) {
        case col_ppid: return Cell::number(st.ppid);
        case col_pid: return Cell::number(o.pid);
        case col_uid: return Cell::number(st.uid.effective);
        case col_user: return Cell::name(accounts_.name(st.uid.effective));
        case col_command: return Cell::name(st.name);
        case col_proto: return Cell(socket_kind_name(e.kind));
        case col_state: return Cell(socket_state_name(e.kind, e.state));
        case col_laddr: return Cell(format_socket_address(e, false));
        case col_lport: return Cell::number(packet || raw ? e.protocol : e.local_port);
        case col_raddr: return packet ? Cell() : Cell(format_socket_address(e, true));
        case col_rport: {
            // An unconnected socket has no remote end: null, as its address is "*".
            bool unconnected = e.remote_port == 0 && format_socket_address(e, true) == "*";
            return packet || raw || unconnected ? Cell() : Cell::number(e.remote_port);
        }
        case col_iface: return packet ? Cell::name(s.iface) : Cell();
        case col_netns: return s.netns ? Cell(std::to_string(*s.netns)) : Cell();
        case col_inode: return Cell(std::to_string(e.inode));
        case col_caps: {
            std::string text = caps_list(st);
            if (st.ambient && !st.ambient->empty()) text += " @";
            if (!st.bounding.empty()) text += " +";
            return Cell(text);
        }
        case col_effective: return Cell::set(st.effective);
        case col_permitted: return Cell::set(st.permitted);
        case col_inheritable: return Cell::set(st.inheritable);
        case col_bounding: return Cell::set(st.bounding);
        case col_ambient: return st.ambient ? Cell::set(*st.ambient) : Cell();
        case col_nnp: return st.no_new_privs ? Cell::boolean(*st.no_new_privs) : Cell();
        case col_seccomp:
            if (!st.seccomp) return Cell();
            return Cell(*st.seccomp == SeccompMode::filter   ? "filter"
                        : *st.seccomp == SeccompMode::strict ? "strict"
                                                             : "disabled");
        }
        return Cell();
    }

    const Options& opt_;
    Cap last_cap_;
    cli::AccountNames accounts_;
};

void report_shortfall(const Shortfall& s, const ProcRoot& root) {
    cli::report_read_failures(s.read);
    cli::report_hidden_processes(root);
    for (auto [code, count] : s.fd_unreadable) {
        // libcap-ng's hint, then the count it never gives.
        if ((code == EACCES || code == EPERM) && geteuid() != 0)
            fmt::print(stderr, "You may need to be root to get a full report\n");
        cli::warnf("the open files of {} process{} could not be read: {}", count, count == 1 ? "" : "es",
                   std::strerror(code));
    }
    for (const std::string& e : s.table_errors) cli::warnf("cannot read sockets: {}", e);
    if (s.skipped_sockets)
        cli::warnf("{} malformed socket entr{} skipped", s.skipped_sockets, s.skipped_sockets == 1 ? "y" : "ies");
    if (s.netns_unreachable)
        cli::warnf("{} network namespace{} could not be entered", s.netns_unreachable,
                   s.netns_unreachable == 1 ? "" : "s");
}

// ---------------------------------------------------------------------------------------
// --advanced: the exposure inventory (libcap-ng 0.9.5's tree and JSON schema). The data
// comes from lib/exposure.h; this part collects it from the live system and renders it.

namespace advanced {

using json = nlohmann::ordered_json;

constexpr int schema_version = 1;
constexpr std::string_view orange = "\033[38;5;208m";
constexpr std::string_view yellow = "\033[38;5;226m";
constexpr std::string_view green = "\033[38;5;82m";

// Sockets, their holders and the interface addresses, joined into an Exposure.
class Collector {
public:
    Collector(const ProcRoot& root, Cap last_cap, const std::vector<InterfaceAddress>& addrs)
        : root_(root), last_cap_(last_cap), addrs_(addrs) {}

    Exposure collect(Shortfall& shortfall) {
        SocketDump dump = dump_sockets(root_, SocketScope::exposed);
        for (const Error& e : dump.errors) shortfall.table_errors.push_back(e.message());
        shortfall.skipped_sockets += dump.skipped;
        std::unordered_map<std::uint64_t, size_t> by_inode;  // socket inode → index in dump
        for (size_t i = 0; i < dump.sockets.size(); ++i)
            if (dump.sockets[i].inode != 0) by_inode.emplace(dump.sockets[i].inode, i);
        std::vector<std::vector<size_t>> holders(dump.sockets.size());
        std::vector<bool> reuseport(dump.sockets.size());
        if (!by_inode.empty()) scan_processes(by_inode, holders, reuseport, shortfall);

        std::map<int, std::string> iface_names;  // ifindex → name, looked up once
        for (size_t i = 0; i < dump.sockets.size(); ++i) {
            if (holders[i].empty()) continue;
            const SocketEntry& s = dump.sockets[i];
            std::string_view packet_iface;
            if (s.kind == SocketKind::packet && s.ifindex > 0) {
                auto [it, fresh] = iface_names.try_emplace(s.ifindex);
                if (char name[IF_NAMESIZE] = {}; fresh && if_indextoname(static_cast<unsigned>(s.ifindex), name))
                    it->second = name;
                packet_iface = it->second;
            }
            builder_.add_socket(s, holders[i], reuseport[i], addrs_, packet_iface);
        }
        return std::move(builder_).finish();
    }

private:
    // Every process (with or without capabilities) that holds one of the sockets.
    void scan_processes(const std::unordered_map<std::uint64_t, size_t>& by_inode,
                        std::vector<std::vector<size_t>>& holders, std::vector<bool>& reuseport,
                        Shortfall& shortfall) {
        auto listed = root_.list_pids();
        if (!listed) throw listed.error();
        auto kthreads = list_kernel_threads(root_);
        std::vector<pid_t> pids;
        std::set_difference(listed->begin(), listed->end(), kthreads.begin(), kthreads.end(),
                            std::back_inserter(pids));
        std::vector<SocketFd> held;
        std::vector<size_t> held_index;
        for (pid_t pid : pids) {
            auto proc = read_process(root_, pid, false, shortfall.read);
            if (!proc) continue;
            auto fds = list_socket_fds(proc->dir);
            if (!fds) {
                if (!fds.error().is_vanished()) ++shortfall.fd_unreadable[fds.error().code];
                continue;
            }
            held.clear();
            held_index.clear();
            for (const SocketFd& f : *fds)
                if (auto it = by_inode.find(f.inode); it != by_inode.end()) {
                    held.push_back(f);
                    held_index.push_back(it->second);
                }
            if (held.empty()) continue;
            size_t process = builder_.add_process(read_exposed_process(proc->dir, proc->status, last_cap_));
            auto answers = read_socket_reuseport(pid, held);
            for (size_t k = 0; k < held.size(); ++k) {
                auto& list = holders[held_index[k]];
                // A socket open on two fds of one process: that process once.
                if (list.empty() || list.back() != process) list.push_back(process);
                if (answers[k].value_or(false)) reuseport[held_index[k]] = true;
            }
        }
    }

    const ProcRoot& root_;
    Cap last_cap_;
    const std::vector<InterfaceAddress>& addrs_;
    ExposureBuilder builder_;
};

const char* seccomp_text(SeccompMode mode) {
    switch (mode) {
    case SeccompMode::strict: return "strict";
    case SeccompMode::filter: return "filter";
    default: return "disabled";
    }
}

const char* yes_no(bool b) { return b ? "yes" : "no"; }

// ---- the tree ----

// A node's text and the colours of its parts.
class Styled {
public:
    explicit Styled(bool color) : color_(color) {}
    Styled& add(std::string_view s, std::string_view sgr = {}) {
        if (color_ && !sgr.empty() && !s.empty()) spans_.push_back({text_.size(), text_.size() + s.size(), sgr});
        text_ += s;
        return *this;
    }
    const std::string& text() const { return text_; }
    const std::vector<cli::ColorSpan>& spans() const { return spans_; }

private:
    bool color_;
    std::string text_;
    std::vector<cli::ColorSpan> spans_;
};

struct Node {
    Styled label;
    std::vector<Node> children;
    explicit Node(Styled s) : label(std::move(s)) {}
};

std::string_view risk_color(CapRisk risk) {
    return risk == CapRisk::high ? orange : risk == CapRisk::elevated ? yellow : std::string_view();
}

class TreeRenderer {
public:
    explicit TreeRenderer(bool color) : color_(color) {}

    std::string render(const Exposure& exposure, unsigned width) {
        Node root(styled(""));
        // The levels above the processes follow the sort order, so a new node starts
        // wherever its key differs from the previous port group's.
        const Endpoint* prev = nullptr;
        Node *plane = nullptr, *iface = nullptr, *proto = nullptr, *bind = nullptr;
        for (const PortGroup& g : group_by_port(exposure)) {
            const Endpoint& e = exposure.endpoints[g.first].where;
            bool fresh = !prev || prev->plane != e.plane;
            if (fresh) plane = &add(root, styled(plane_title(e.plane)));
            fresh = fresh || prev->iface != e.iface;
            if (fresh) iface = &add(*plane, styled(escape_name(e.iface)));
            fresh = fresh || prev->proto != e.proto;
            if (fresh) {
                bool loud = e.proto == "raw" || e.proto == "raw6" || e.proto == "packet";
                proto = &add(*iface, styled(e.proto, loud ? yellow : std::string_view()));
            }
            fresh = fresh || prev->bind != e.bind;
            if (fresh) bind = &add(*proto, styled(e.bind_node()));
            Node& port = add(*bind, styled(std::to_string(e.port)));
            for (const EndpointHolder& h : g.holders)
                port.children.push_back(process_node(exposure.processes[h.process], h.flags));
            prev = &e;
        }
        std::string out;
        for (size_t i = 0; i < root.children.size(); ++i)
            emit(out, root.children[i], "", i + 1 == root.children.size(), width);
        return out;
    }

private:
    Styled styled(std::string_view text, std::string_view sgr = {}) const {
        Styled s(color_);
        s.add(text, sgr);
        return s;
    }

    static Node& add(Node& parent, Styled label) {
        parent.children.emplace_back(std::move(label));
        return parent.children.back();
    }

    Node process_node(const ExposedProcess& p, unsigned flags) const {
        std::string head = fmt::format("{} (pid={} uid={}", escape_name(p.comm), p.pid, p.uid);
        if (p.exe) head += " exe=" + escape_name(*p.exe);
        if (!p.unit.empty()) head += " unit=" + escape_name(p.unit);
        head += ')';
        Node node(styled(head));

        Styled caps(color_);
        caps.add("caps: ");
        switch (p.caps_class) {
        case CapsClass::full: caps.add("(full)", orange); break;
        case CapsClass::none: caps.add("(none)", green); break;
        case CapsClass::partial: {
            bool first = true;
            for (Cap c : p.permitted) {
                if (!first) caps.add(", ");
                caps.add(cap_name(c), risk_color(cap_risk(c)));
                first = false;
            }
            // The annotations that stand for pscap's '@' and '+', on a list only (0.9.5).
            if (p.ambient_present()) caps.add(" [").add("ambient-present", orange).add("]");
            if (p.open_ended_bounding()) {
                std::string_view sgr = p.permitted.has(CAP_SETPCAP) ? orange : std::string_view();
                caps.add(" [").add("open-ended-bounding", sgr).add("]");
            }
            break;
        }
        }
        node.children.emplace_back(std::move(caps));
        if (p.ambient_present()) {
            Styled amb(color_);
            amb.add("ambient: ").add(format_cap_list(p.ambient), orange);
            node.children.emplace_back(std::move(amb));
        }

        Node defenses(styled("defenses"));
        Styled nonroot(color_);
        nonroot.add("runs_as_nonroot: ").add(yes_no(p.runs_as_nonroot()), p.runs_as_nonroot() ? green : yellow);
        defenses.children.emplace_back(std::move(nonroot));
        Styled nnp(color_);
        nnp.add("no_new_privs: ");
        if (p.no_new_privs)
            nnp.add(yes_no(*p.no_new_privs), *p.no_new_privs ? green : yellow);
        else
            nnp.add("unknown");
        defenses.children.emplace_back(std::move(nnp));
        Styled seccomp(color_);
        seccomp.add("seccomp: ").add(seccomp_text(p.seccomp), p.seccomp == SeccompMode::disabled ? yellow : green);
        defenses.children.emplace_back(std::move(seccomp));
        if (!p.lsm.empty()) {
            Styled lsm(color_);
            lsm.add("lsm: ").add(escape_name(p.lsm),
                                 p.lsm.find("unconfined_t") != std::string::npos ? orange : green);
            defenses.children.emplace_back(std::move(lsm));
        }
        node.children.push_back(std::move(defenses));

        Node flag_node(styled("flags"));
        CapRisk caps_risk = p.caps_class == CapsClass::full ? CapRisk::high : worst_cap_risk(p.permitted);
        for (std::string_view name : flag_names(flags)) {
            std::string_view sgr = name == "privileged-caps" ? risk_color(caps_risk) : yellow;
            flag_node.children.emplace_back(styled(name, sgr));
        }
        if (flag_node.children.empty()) flag_node.children.emplace_back(styled("(none)"));
        node.children.push_back(std::move(flag_node));
        return node;
    }

    static void emit(std::string& out, const Node& node, const std::string& prefix, bool last, unsigned width) {
        std::string first = prefix + std::string(last ? cli::tree_last : cli::tree_branch);
        std::string cont = prefix + std::string(last ? cli::tree_blank : cli::tree_pipe);
        cli::append_wrapped(out, node.label.text(), node.label.spans(), first, cont, width);
        for (size_t i = 0; i < node.children.size(); ++i)
            emit(out, node.children[i], cont, i + 1 == node.children.size(), width);
    }

    bool color_;
};

// ---- JSON, libcap-ng 0.9.5's schema ----

json process_json(const ExposedProcess& p, unsigned flags) {
    json j = json::object();
    j["comm"] = escape_name_reversible(p.comm);
    if (p.exe) j["exe"] = escape_name_reversible(*p.exe);
    j["pid"] = p.pid;
    j["uid"] = p.uid;
    if (!p.unit.empty()) j["unit"] = escape_name_reversible(p.unit);
    j["caps"] = p.caps_summary();
    j["ambient_present"] = p.ambient_present();
    if (p.ambient_present()) j["ambient_caps"] = format_cap_list(p.ambient);
    j["open_ended_bounding"] = p.open_ended_bounding();
    json& d = j["defenses"] = json::object();
    d["runs_as_nonroot"] = yes_no(p.runs_as_nonroot());
    d["no_new_privs"] = p.no_new_privs ? yes_no(*p.no_new_privs) : "unknown";
    d["seccomp"] = seccomp_text(p.seccomp);
    if (!p.lsm.empty()) d["lsm"] = escape_name_reversible(p.lsm);
    json& f = j["flags"] = json::array();
    for (std::string_view name : flag_names(flags)) f.push_back(name);
    return j;
}

// The interfaces of one plane: interfaces by name, their addresses in order of first
// appearance, endpoints in report order (an endpoint appears under each address it was
// projected on).
json ifaces_json(const Exposure& exposure, Plane plane) {
    json ifaces = json::array();
    std::string_view iface_name;
    std::vector<std::pair<std::string_view, json>> addrs;  // for the current interface
    auto flush = [&] {
        if (addrs.empty()) return;
        json list = json::array();
        for (auto& [addr, endpoints] : addrs) {
            json a = json::object();
            a["addr"] = addr;
            a["endpoints"] = std::move(endpoints);
            list.push_back(std::move(a));
        }
        json i = json::object();
        i["name"] = escape_name_reversible(iface_name);
        i["addrs"] = std::move(list);
        ifaces.push_back(std::move(i));
        addrs.clear();
    };
    for (const ExposedEndpoint& ep : exposure.endpoints) {
        const Endpoint& e = ep.where;
        if (e.plane != plane) continue;
        if (e.iface != iface_name) {
            flush();
            iface_name = e.iface;
        }
        auto it = std::find_if(addrs.begin(), addrs.end(), [&](const auto& a) { return a.first == e.iface_addr; });
        if (it == addrs.end()) {
            addrs.emplace_back(e.iface_addr, json::array());
            it = addrs.end() - 1;
        }
        json j = json::object();
        j["label"] = e.label();
        j["proto"] = e.proto;
        j["bind"] = e.bind;
        j["port"] = e.port;
        json& procs = j["processes"] = json::array();
        for (const EndpointHolder& h : ep.holders)
            procs.push_back(process_json(exposure.processes[h.process], h.flags));
        it->second.push_back(std::move(j));
    }
    flush();
    return ifaces;
}

std::string render_json(const Exposure& exposure) {
    json doc = json::object();
    doc["schema_version"] = schema_version;
    json& planes = doc["planes"] = json::array();
    planes.push_back(
        {{"name", "INET"}, {"scope", "external"}, {"ifaces", ifaces_json(exposure, Plane::inet_external)}});
    planes.push_back(
        {{"name", "INET"}, {"scope", "loopback"}, {"ifaces", ifaces_json(exposure, Plane::inet_loopback)}});
    planes.push_back({{"name", "LINK-LAYER"}, {"ifaces", ifaces_json(exposure, Plane::link_layer)}});
    // Part of the schema whatever the build; Bluetooth sockets are not inspected.
    planes.push_back({{"name", "BLUETOOTH"}, {"ifaces", json::array()}});
    return doc.dump(2) + "\n";
}

int list_interfaces(const Options& opt, const std::vector<InterfaceAddress>& addrs) {
    std::vector<std::string> names = list_addressed_interfaces(addrs);
    if (opt.interface) std::erase_if(names, [&](const std::string& n) { return n != *opt.interface; });
    std::string out;
    if (opt.json) {
        json doc = json::object();
        doc["schema_version"] = schema_version;
        json& list = doc["interfaces"] = json::array();
        for (const std::string& n : names) list.push_back(escape_name_reversible(n));
        out = doc.dump(2) + "\n";
    } else {
        for (const std::string& n : names) out += escape_name(n) + "\n";
    }
    fwrite(out.data(), 1, out.size(), stdout);
    return cli::exit_ok;
}

bool use_color(const Options& opt) {
    if (opt.no_color || opt.json) return false;
    const char* no_color = getenv("NO_COLOR");  // https://no-color.org: set and not empty
    if (no_color && *no_color) return false;
    return isatty(STDOUT_FILENO) == 1;
}

int run(const Options& opt, const ProcRoot& root) {
    if (!root.is_live()) {
        cli::warnf("--advanced reads the running system; {} is not its proc file system", root.path());
        return cli::exit_failure;
    }
    std::vector<InterfaceAddress> addrs;
    if (auto listed = list_interface_addresses())
        addrs = std::move(*listed);
    else
        cli::warnf("cannot list the interfaces: {}", listed.error().message());
    if (opt.list_interfaces) return list_interfaces(opt, addrs);

    auto last_cap = read_cap_last_cap(root);
    if (!last_cap) {
        cli::warnf("cannot read cap_last_cap: {}", last_cap.error().message());
        return cli::exit_failure;
    }
    Shortfall shortfall;
    Exposure exposure;
    try {
        exposure = Collector(root, *last_cap, addrs).collect(shortfall);
    } catch (const Error& e) {
        cli::warn(e.message());
        return cli::exit_failure;
    }
    if (opt.interface) keep_interface(exposure, *opt.interface);
    std::string out = opt.json ? render_json(exposure)
                               : TreeRenderer(use_color(opt)).render(exposure, cli::output_width());
    fwrite(out.data(), 1, out.size(), stdout);
    report_shortfall(shortfall, root);
    return cli::exit_ok;
}

}  // namespace advanced

int run(int argc, char** argv) {
    Options opt;
    if (auto rc = parse_options(argc, argv, opt)) return *rc;

    auto root = ProcRoot::open(opt.proc_root);
    if (!root) {
        fmt::print(stderr, "Can't open {}: {}\n", escape_name(opt.proc_root), std::strerror(root.error().code));
        return cli::exit_failure;
    }
    if (opt.advanced) return advanced::run(opt, *root);
    auto last_cap = read_cap_last_cap(*root);
    if (!last_cap) {
        cli::warnf("cannot read cap_last_cap: {}", last_cap.error().message());
        return cli::exit_failure;
    }

    std::vector<size_t> shown;
    if (opt.column_mode) {
        if (opt.output_all) {
            for (size_t i = 0; i < std::size(columns); ++i) shown.push_back(i);
        } else if (opt.output_list) {
            std::string error;
            auto parsed = cli::parse_column_list(*opt.output_list, columns, default_columns, error);
            if (!parsed) {
                cli::warn(error);
                return cli::exit_failure;
            }
            shown = std::move(*parsed);
        } else {
            shown = default_columns;
            if (opt.all_netns) shown.push_back(col_netns);
        }
    }

    Shortfall shortfall;
    Inventory inventory(opt, *root);
    inventory.want_netns(std::find(shown.begin(), shown.end(), col_netns) != shown.end());
    std::vector<NsSocket> sockets;
    try {
        inventory.scan_owners(shortfall);
        sockets = inventory.scan_sockets(shortfall);
    } catch (const Error& e) {
        cli::warn(e.message());
        return cli::exit_failure;
    }

    Report report(opt, *last_cap);
    if (opt.column_mode)
        report.print_columns(sockets, inventory, shown);
    else
        report.print_classic(sockets, inventory);
    report_shortfall(shortfall, *root);
    return cli::exit_ok;
}

}  // namespace
}  // namespace capinspect

int main(int argc, char** argv) {
    capinspect::cli::start(argv[0]);
    return capinspect::run(argc, argv);
}
