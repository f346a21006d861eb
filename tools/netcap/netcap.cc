// netcap: which processes that hold capabilities have sockets open, and where.
// Default output: libcap-ng 0.9.5's classic layout, byte for byte. Column mode (-o, -J,
// ...): addresses, states, namespaces and every capability set of each owner.
// Sockets come from the kernel over sock_diag (the /proc/net tables as the fallback) and
// are joined to their owners by inode, scanning /proc/PID/fd of capability holders only.
// --advanced (advanced.cc): libcap-ng 0.9.5's exposure inventory of every process with a
// reachable socket, as a tree or JSON.
#include <getopt.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <fmt/core.h>

#include <capinspect/caps.h>
#include <capinspect/escape.h>
#include <capinspect/net_namespaces.h>
#include <capinspect/process.h>
#include <capinspect/proc_root.h>
#include <capinspect/sockets.h>

#include "common/cli.h"
#include "common/process_columns.h"
#include "common/table.h"
#include "netcap/netcap.h"

namespace capinspect::netcap {
namespace {

using cli::Cell;
using cli::ColumnInfo;
using cli::JsonType;

namespace pc = cli::process_column;

enum Column : size_t {
    col_ppid, col_pid, col_uid, col_user, col_command, col_proto, col_state, col_laddr,
    col_lport, col_raddr, col_rport, col_iface, col_netns, col_inode, col_caps, col_effective,
    col_permitted, col_inheritable, col_bounding, col_ambient, col_no_new_privs, col_seccomp,
};

constexpr ColumnInfo columns[] = {
    pc::ppid, pc::pid, pc::uid, pc::user, pc::command,
    {"PROTO", "socket type (tcp, tcp6, udp, udp6, udplite, udplite6, raw, raw6, pkt)", JsonType::string},
    {"STATE", "socket state (LISTEN, ESTAB, UNCONN, ...)", JsonType::string},
    {"LADDR", "local address (* for any)", JsonType::string},
    {"LPORT", "local port; the IP protocol of a raw socket, the ethertype of a packet socket", JsonType::number, true},
    {"RADDR", "remote address (* when unconnected)", JsonType::string},
    {"RPORT", "remote port", JsonType::number, true},
    {"IFACE", "interface a packet socket is bound to (* for all)", JsonType::string},
    {"NETNS", "network namespace inode", JsonType::number, true},
    {"INODE", "socket inode", JsonType::number, true},
    pc::caps, pc::effective, pc::permitted, pc::inheritable, pc::bounding, pc::ambient, pc::no_new_privs,
    pc::seccomp,
};

const std::vector<size_t> default_columns = {col_pid,   col_user,  col_command, col_proto,
                                             col_state, col_laddr, col_lport,   col_raddr,
                                             col_rport, col_effective};

int print_help() {
    cli::outf(
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
    cli::outf("\nFor more details see netcap(8).\n");
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
    opterr = 0;  // our own message: the program name escaped, then the Try line
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
            if (!*optarg) return cli::usage_error("option '--interface' requires an argument");
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
        default: return cli::option_error(c, argv, long_options);
        }
    }
    if (optind < argc) return cli::usage_error(fmt::format("unexpected argument '{}'", escape_name(argv[optind])));
    if (opt.advanced && column_option)
        return cli::usage_error(fmt::format("{} is not valid with --advanced", column_option));
    if (list_columns) {
        cli::print_column_help(columns, opt.json);
        return cli::exit_ok;
    }
    if (!opt.advanced) {
        if (opt.list_interfaces) return cli::usage_error("--list-interfaces is only valid with --advanced");
        if (opt.interface) return cli::usage_error("--interface is only valid with --advanced");
        if (opt.no_color) return cli::usage_error("--no-color is only valid with --advanced");
        // Unlike 0.9.5, --json without --advanced means what it means in every other
        // tool: the column rows as JSON.
        if (opt.json) opt.column_mode = opt.mode.json = true;
    }
    return std::nullopt;
}

// The capability holders that have sockets open, and the sockets they hold, in the
// caller's network namespace or in every namespace one of them lives in.
struct Inventory {
    std::vector<Process> owners;
    SocketOwners index;
    NetworkScan scan;
};

Inventory collect(const Options& opt, const ProcRoot& root, bool want_netns, Shortfall& shortfall) {
    Inventory inv;
    ProcessQuery query;
    query.holding = Holding::effective;
    query.facts = fact_sockets | (opt.all_netns || want_netns ? fact_net_ns : 0u);
    query.keep = [](const Process& p) { return !p.sockets.empty(); };
    auto owners = list_processes(root, query, shortfall.read);
    if (!owners) throw owners.error();
    inv.owners = std::move(*owners);
    inv.index = SocketOwners(inv.owners);
    // Only sockets with a known owner are kept, as the dump decodes them: a dump of
    // 100 000 sockets never holds them all.
    SocketFilter owned = [&](const SocketEntry& s) { return s.inode != 0 && inv.index.holds_any(s.inode); };
    auto scan = scan_network_namespaces(root, inv.owners, opt.listening ? SocketScope::listening : SocketScope::all,
                                        opt.all_netns, owned);
    if (!scan) throw scan.error();
    inv.scan = std::move(*scan);
    for (const NamespaceSockets& ns : inv.scan.namespaces) shortfall.note(ns.dump);
    shortfall.netns_unreachable = inv.scan.unreachable;
    return inv;
}

// Calls visit(namespace, socket, owner) for each socket and each process that holds it.
template <typename Visit>
void for_each_row(const Inventory& inv, Visit visit) {
    for (const NamespaceSockets& ns : inv.scan.namespaces)
        for (const SocketEntry& s : ns.dump.sockets)
            for (std::uint32_t owner : inv.index.of(s.inode)) visit(ns, s, inv.owners[owner]);
}

class Report {
public:
    Report(const Options& opt, Cap last_cap) : opt_(opt), cells_(last_cap) {}

    // 0.9.5's tail: CAPS, a blank, then "@" and "+" glued (a blank ends a row without them).
    std::string caps_text(const ProcStatus& st) const {
        std::string text = format_cap_summary(st.effective, st.permitted, cells_.last_cap()) + " ";
        if (st.ambient && !st.ambient->empty()) text += "@";
        if (!st.bounding.empty()) text += "+";
        return text;
    }

    // The port column: the local port, "0" for raw sockets, the interface for packet ones.
    static std::string port_text(const NamespaceSockets& ns, const SocketEntry& s) {
        switch (s.kind) {
        case SocketKind::raw:
        case SocketKind::raw6: return "0";
        case SocketKind::packet: return escape_name(ns.dump.interface_of(s));
        default: return std::to_string(s.local_port);
        }
    }

    void print_classic(const Inventory& inv) {
        std::string out;
        bool header = false;
        for_each_row(inv, [&](const NamespaceSockets& ns, const SocketEntry& s, const Process& o) {
            if (!header) {
                out = "ppid    pid     acct             command         type     port            capabilities\n";
                header = true;
            }
            out += fmt::format("{:<7} {:<7} {} {} {:<8} {} {}\n", o.status.ppid, o.pid,
                               cli::pad_bytes(escape_name(cells_.user(o.status.uid.effective)), 16),
                               cli::pad_bytes(escape_name(o.status.name), 15), socket_kind_name(s.kind),
                               cli::pad_bytes(port_text(ns, s), 15), caps_text(o.status));
            cli::write_when_full(out);
        });
        cli::write_out(out);
    }

    void print_columns(const Inventory& inv, const std::vector<size_t>& shown) {
        cli::Table table(columns, shown, opt_.mode, "sockets", cells_.last_cap());
        for_each_row(inv, [&](const NamespaceSockets& ns, const SocketEntry& s, const Process& o) {
            auto row = table.add_row();
            for (size_t col : table.columns()) {
                cli::ProcessField field = columns[col].process;
                table.set(row, col, field != cli::ProcessField::none ? cells_.cell(field, o, o.status)
                                                                     : cell(ns, s, static_cast<Column>(col)));
            }
        });
        table.print();
    }

private:
    // The socket columns.
    static Cell cell(const NamespaceSockets& ns, const SocketEntry& e, Column col) {
        bool packet = e.kind == SocketKind::packet;
        bool raw = e.kind == SocketKind::raw || e.kind == SocketKind::raw6;
        switch (col) {
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
        case col_iface: return packet ? Cell::name(ns.dump.interface_of(e)) : Cell();
        case col_netns: return ns.net_ns ? Cell(std::to_string(*ns.net_ns)) : Cell();
        case col_inode: return Cell(std::to_string(e.inode));
        default: return Cell();
        }
    }

    const Options& opt_;
    cli::ProcessCells cells_;
};

}  // namespace

void Shortfall::note(const SocketDump& dump) {
    for (const Error& e : dump.errors) table_errors.push_back(e.message());
    skipped_sockets += dump.skipped;
    ++dumps;
    // Neither netlink nor the /proc/net tables answered (a missing table is silent: the
    // protocol is not built).
    if (!dump.used_netlink && !dump.errors.empty() && dump.sockets.empty()) ++dumps_unread;
}

void report_shortfall(const Shortfall& s, const ProcRoot& root) {
    cli::report_read_failures(s.read);
    cli::report_hidden_processes(root);
    // libcap-ng's hint, then the count it never gives.
    for (auto [key, count] : s.read.facts_unread)
        if (key.first == fact_sockets && (key.second == EACCES || key.second == EPERM) && geteuid() != 0) {
            fmt::print(stderr, "You may need to be root to get a full report\n");
            break;
        }
    cli::report_unread_facts(s.read);
    for (const std::string& e : s.table_errors) cli::warnf("cannot read sockets: {}", e);
    if (s.skipped_sockets)
        cli::warnf("{} malformed socket entr{} skipped", s.skipped_sockets, s.skipped_sockets == 1 ? "y" : "ies");
    if (s.netns_unreachable)
        cli::warnf("{} network namespace{} could not be entered", s.netns_unreachable,
                   s.netns_unreachable == 1 ? "" : "s");
}

namespace {

int run(int argc, char** argv) {
    Options opt;
    if (auto rc = parse_options(argc, argv, opt)) return *rc;

    auto root = ProcRoot::open(opt.proc_root);
    if (!root) {
        fmt::print(stderr, "Can't open {}: {}\n", escape_name(opt.proc_root), std::strerror(root.error().code));
        return cli::exit_failure;
    }
    if (opt.advanced) return run_advanced(opt, *root);
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
    Inventory inventory;
    try {
        bool want_netns = std::find(shown.begin(), shown.end(), col_netns) != shown.end();
        inventory = collect(opt, *root, want_netns, shortfall);
    } catch (const Error& e) {
        cli::warn(e.message());
        return cli::exit_failure;
    }

    Report report(opt, *last_cap);
    if (opt.column_mode)
        report.print_columns(inventory, shown);
    else
        report.print_classic(inventory);
    report_shortfall(shortfall, *root);
    return shortfall.nothing_read() ? cli::exit_nothing_read : cli::exit_ok;
}

}  // namespace
}  // namespace capinspect::netcap

int main(int argc, char** argv) {
    capinspect::cli::start(argv[0]);
    return capinspect::netcap::run(argc, argv);
}
