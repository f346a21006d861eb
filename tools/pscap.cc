// pscap: report the capabilities of running processes.
// Default output: libcap-ng 0.9.5's layout, byte for byte. Column mode (-o, -J, ...):
// every set, the defences and the namespace of each process, through libsmartcols.
#include <getopt.h>
#include <linux/capability.h>
#include <unistd.h>

#include <algorithm>
#include <iterator>
#include <cerrno>
#include <climits>
#include <clocale>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <fmt/core.h>

#include <capinspect/caps.h>
#include <capinspect/escape.h>
#include <capinspect/process.h>
#include <capinspect/proc_root.h>

#include "common/cli.h"
#include "common/process_columns.h"
#include "common/table.h"
#include "common/wrap.h"

namespace capinspect {
namespace {

using cli::Cell;
using cli::ColumnInfo;
using cli::JsonType;

namespace pc = cli::process_column;

enum Column : size_t {
    col_ppid, col_pid, col_tid, col_uid, col_real_uid, col_user, col_command, col_caps, col_effective,
    col_permitted, col_inheritable, col_bounding, col_ambient, col_no_new_privs, col_seccomp,
    col_seccomp_filters, col_userns, col_child_userns, col_scope, col_userns_owner, col_userns_depth,
    col_uid_map, col_unit, col_exe, col_lsm,
};

constexpr ColumnInfo columns[] = {
    pc::ppid, pc::pid,
    {"TID", "thread id (with --threads)", JsonType::number, true},
    pc::uid, pc::real_uid, pc::user,
    {"COMMAND", "command name", JsonType::string, false, true, cli::ProcessField::command},
    pc::caps, pc::effective, pc::permitted, pc::inheritable, pc::bounding, pc::ambient, pc::no_new_privs,
    pc::seccomp, pc::seccomp_filters, pc::userns, pc::child_userns, pc::scope, pc::userns_owner,
    pc::userns_depth, pc::uid_map, pc::unit, pc::exe, pc::lsm,
};

const std::vector<size_t> default_columns = {col_ppid,      col_pid,     col_user,
                                             col_command,   col_effective, col_permitted,
                                             col_ambient,   col_no_new_privs};

struct Options {
    bool all = false;
    bool tree = false;
    bool threads = false;
    bool column_mode = false;
    bool output_all = false;
    std::optional<std::string> output_list;
    cli::OutputMode mode;
    std::vector<pid_t> pids;
    std::vector<uid_t> users;
    std::optional<std::string> cap_list;
    std::string proc_root = default_proc_path;

    bool tree_or_columns_all() const { return all && (tree || column_mode); }
};

// One row: a process, or with --threads one of its threads whose sets differ.
struct Record {
    const Process* process;
    const ProcStatus* status;  // the process's, or the thread's
    pid_t tid = 0;             // == pid for the process itself
    bool is_thread = false;

    pid_t pid() const { return process->pid; }
    bool child_userns() const { return process->scope() == PrivilegeScope::namespace_; }
};

int print_help() {
    cli::outf(
        "Usage:\n"
        " pscap [options]\n"
        "\n"
        "Report the capabilities of running processes.\n"
        "\n"
        "Options:\n"
        " -a                     with --tree or columns, include processes without capabilities\n"
        " -p <pid>               only these processes (comma separated, repeatable)\n"
        "     --tree             show processes as a tree\n"
        " -T, --threads          also report threads whose sets differ from their process\n"
        "     --cap <list>       only processes whose effective or permitted set holds one of\n"
        "                          these capabilities (names or numbers, comma separated)\n"
        " -u, --user <list>      only processes of these effective users (names or uids,\n"
        "                          comma separated, repeatable)\n"
        " -o, --output <list>    columns to print (+LIST appends to the default)\n"
        "     --output-all       print all columns\n"
        " -J, --json             JSON output\n"
        " -r, --raw              raw output\n"
        " -n, --noheadings       do not print headings\n"
        " -H, --list-columns     list the available columns\n"
        "     --proc-root <dir>  read processes from this proc tree instead of /proc\n"
        " -h, --help             display this help\n"
        " -V, --version          display version\n"
        "\n"
        "Available output columns:\n");
    cli::print_column_help(columns, false);
    cli::outf("\nFor more details see pscap(8).\n");
    return cli::exit_ok;
}

// libcap-ng 0.9.5's pid rule: leading blanks and '+' allowed, 1..INT_MAX.
std::optional<int> parse_pid_arg(const char* arg, pid_t& pid) {
    errno = 0;
    char* end = nullptr;
    long value = std::strtol(arg, &end, 10);
    if (errno == ERANGE) {
        fmt::print(stderr, "Can't read pid: {}\n", escape_name(arg));
        return cli::exit_failure;
    }
    if (end == arg || *end != '\0' || value <= 0 || value > INT_MAX) {
        fmt::print(stderr, "Invalid pid argument: {}\n", escape_name(arg));
        return cli::exit_failure;
    }
    pid = static_cast<pid_t>(value);
    return std::nullopt;
}

// Parses the command line; returns an exit code when the program should stop.
std::optional<int> parse_options(int argc, char** argv, Options& opt) {
    enum { opt_tree = 256, opt_cap, opt_output_all, opt_proc_root };
    static const struct option long_options[] = {
        {"tree", no_argument, nullptr, opt_tree},
        {"threads", no_argument, nullptr, 'T'},
        {"cap", required_argument, nullptr, opt_cap},
        {"user", required_argument, nullptr, 'u'},
        {"output", required_argument, nullptr, 'o'},
        {"output-all", no_argument, nullptr, opt_output_all},
        {"json", no_argument, nullptr, 'J'},
        {"raw", no_argument, nullptr, 'r'},
        {"noheadings", no_argument, nullptr, 'n'},
        {"list-columns", no_argument, nullptr, 'H'},
        {"proc-root", required_argument, nullptr, opt_proc_root},
        {"help", no_argument, nullptr, 'h'},
        {"version", no_argument, nullptr, 'V'},
        {nullptr, 0, nullptr, 0},
    };
    bool list_columns = false;
    opterr = 0;  // our own message: the program name escaped, then the Try line
    int c;
    while ((c = getopt_long(argc, argv, ":ap:Tu:o:JrnHhV", long_options, nullptr)) != -1) {
        switch (c) {
        case 'a': opt.all = true; break;
        case 'p': {
            // One pid as libcap-ng takes it, or a list of them, as every list option.
            auto items = cli::split_list(optarg);
            if (items.size() <= 1) items = {optarg};
            for (const std::string& item : items) {
                pid_t pid = 0;
                if (auto rc = parse_pid_arg(item.c_str(), pid)) return rc;
                opt.pids.push_back(pid);
            }
            break;
        }
        case opt_tree: opt.tree = true; break;
        case 'T': opt.threads = true; break;
        case opt_cap: opt.cap_list = optarg; break;
        case 'u': {
            auto items = cli::split_list(optarg);
            if (items.empty()) items = {optarg};
            for (const std::string& item : items) {
                auto uid = cli::parse_user(item);
                if (!uid) {
                    cli::warnf("unknown user: {}", escape_name(item));
                    return cli::exit_failure;
                }
                opt.users.push_back(*uid);
            }
            break;
        }
        case 'o': opt.output_list = optarg; opt.column_mode = true; break;
        case opt_output_all: opt.output_all = true; opt.column_mode = true; break;
        case 'J': opt.mode.json = true; opt.column_mode = true; break;
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
    if (list_columns) {
        cli::print_column_help(columns, opt.mode.json);
        return cli::exit_ok;
    }
    return std::nullopt;
}

// The rows to report: every process the walk gives (or those of -p), and with --threads
// each thread whose sets differ from its leader's.
class Selection {
public:
    Selection(const Options& opt) : opt_(opt) {}
    void set_cap_filter(CapSet caps) { cap_filter_ = caps; }

    std::vector<Record> rows(const std::vector<Process>& processes) const {
        std::vector<Record> out;
        for (const Process& p : processes) add_rows(p, out);
        return out;
    }

    // The rows of one process: its own, then with --threads those of its threads.
    void add_rows(const Process& p, std::vector<Record>& out) const {
        if ((select_all(p.pid) || !p.status.effective.empty()) && passes_filters(p.status))
            out.push_back({&p, &p.status, p.pid, false});
        // Capabilities are per thread; libcap-ng looks only at the leader.
        // A thread row follows the rule of a process row.
        for (const ProcessThread& t : p.threads)
            if (!same_capabilities(t.status, p.status) && (select_all(p.pid) || !t.status.effective.empty()) &&
                passes_filters(t.status))
                out.push_back({&p, &t.status, t.tid, true});
    }

    // Without -a or -T only holders can be shown: the walk rules out the rest cheaply.
    bool holders_only() const { return !opt_.tree_or_columns_all() && !opt_.threads && !explicit_pid1(); }

private:
    bool explicit_pid1() const {
        return opt_.tree && std::find(opt_.pids.begin(), opt_.pids.end(), 1) != opt_.pids.end();
    }

    // Processes with nothing effective are shown only with -a (tree or column mode);
    // in 0.9.5 `--tree -p 1` shows pid 1 as if -a were given.
    bool select_all(pid_t pid) const { return opt_.tree_or_columns_all() || (pid == 1 && explicit_pid1()); }

    bool passes_filters(const ProcStatus& st) const {
        if (!opt_.users.empty() &&
            std::find(opt_.users.begin(), opt_.users.end(), st.uid.effective) == opt_.users.end())
            return false;
        if (cap_filter_ && !(st.effective | st.permitted).intersects(*cap_filter_)) return false;
        return true;
    }

    const Options& opt_;
    std::optional<CapSet> cap_filter_;
};

class Report {
public:
    Report(const Options& opt, Cap last_cap) : opt_(opt), cells_(last_cap) {}

    std::string command(const Record& r) const {
        std::string text = escape_name(r.status->name);
        if (r.child_userns()) text += " *";
        return text;
    }

    std::string account(const Record& r) { return escape_name(cells_.user(r.status->uid.effective)); }

    // The default text, printed as the walk goes (the heading before the first row, none
    // without rows); finish() writes the rest.
    void print_classic(const std::vector<Record>& records) {
        if (records.empty()) return;
        std::string& out = classic_;
        if (!classic_started_) {
            classic_started_ = true;
            if (opt_.threads)
                out = "ppid    pid     tid     uid              command         capabilities\n";
            else
                out = "ppid    pid     uid              command         capabilities\n";
        }
        for (const Record& r : records) {
            if (opt_.threads)
                fmt::format_to(std::back_inserter(out), "{:<7} {:<7} {:<7} {} {} {}\n", r.status->ppid, r.pid(),
                               r.tid, cli::pad_bytes(account(r), 16), cli::pad_bytes(command(r), 15),
                               cells_.caps_text(*r.status));
            else
                fmt::format_to(std::back_inserter(out), "{:<7} {:<7} {} {} {}\n", r.status->ppid, r.pid(),
                               cli::pad_bytes(account(r), 16), cli::pad_bytes(command(r), 15),
                               cells_.caps_text(*r.status));
            cli::write_when_full(out);
        }
    }

    void finish() { cli::write_out(classic_); }

    // 0.9.5's tree: "COMMAND(PID:ACCOUNT) [CAPS]", roots are records whose parent is not
    // shown, children in pid order, long lines wrapped.
    void print_tree(const std::vector<Record>& records) {
        unsigned width = cli::output_width();
        std::string out;
        for_each_tree_node(records, [&](const Record& r, const std::string& prefix,
                                        const std::string& cont, size_t) {
            std::string id = r.is_thread ? fmt::format("{}/{}", r.pid(), r.tid) : std::to_string(r.pid());
            std::string text =
                fmt::format("{}({}:{}) [{}]", command(r), id, account(r), cells_.caps_text(*r.status));
            cli::append_wrapped(out, text, prefix, cont, width);
            cli::write_when_full(out);
        });
        cli::write_out(out);
    }

    void print_columns(const std::vector<Record>& records, const std::vector<size_t>& shown) {
        cli::OutputMode mode = opt_.mode;
        mode.tree = opt_.tree;
        cli::Table table(columns, shown, mode, "processes", cells_.last_cap());
        std::vector<cli::Table::RowId> rows(records.size(), cli::Table::no_parent);
        for_each_tree_node(records, [&](const Record& r, const std::string&, const std::string&,
                                        size_t parent) {
            auto row = table.add_row(parent != npos ? rows[parent] : cli::Table::no_parent);
            rows[static_cast<size_t>(&r - records.data())] = row;
            for (size_t col : table.columns()) {
                cli::ProcessField field = columns[col].process;
                table.set(row, col, field != cli::ProcessField::none ? cells_.cell(field, *r.process, *r.status)
                                                                     : Cell::number(r.tid));
            }
        });
        table.print();
    }

private:
    static constexpr size_t npos = static_cast<size_t>(-1);

    // Visits records depth-first in tree order (or in pid order without --tree), giving
    // each its line prefix, continuation prefix and the index of its parent record.
    template <typename Visit>
    void for_each_tree_node(const std::vector<Record>& records, Visit visit) {
        if (!opt_.tree) {
            for (const Record& r : records) visit(r, std::string(), std::string(), npos);
            return;
        }
        // A process node is keyed by pid; a thread hangs below its process.
        std::map<pid_t, size_t> process_index;
        for (size_t i = 0; i < records.size(); ++i)
            if (!records[i].is_thread) process_index.emplace(records[i].pid(), i);
        std::vector<size_t> roots;
        std::vector<size_t> parent(records.size(), npos);
        std::vector<std::vector<size_t>> children(records.size());
        for (size_t i = 0; i < records.size(); ++i) {
            const Record& r = records[i];
            pid_t parent_pid = r.is_thread ? r.pid() : r.status->ppid;
            auto it = process_index.find(parent_pid);
            if (it != process_index.end() && it->second != i) {
                children[it->second].push_back(i);
                parent[i] = it->second;
            } else {
                roots.push_back(i);
            }
        }
        auto key = [&](size_t i) { return records[i].tid; };
        auto by_id = [&](size_t a, size_t b) { return key(a) < key(b); };
        // Parent links that form a cycle (a saved or crafted tree, a pid reused while
        // reading) reach no root: each such group hangs from its member with the lowest
        // id, cut from its parent, so that every record is shown once.
        std::vector<bool> reached(records.size(), false);
        auto reach = [&](size_t from) {
            std::vector<size_t> todo{from};
            while (!todo.empty()) {
                size_t i = todo.back();
                todo.pop_back();
                if (reached[i]) continue;
                reached[i] = true;
                todo.insert(todo.end(), children[i].begin(), children[i].end());
            }
        };
        for (size_t r : roots) reach(r);
        std::vector<size_t> order(records.size());
        for (size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::sort(order.begin(), order.end(), by_id);
        std::vector<size_t> walked(records.size(), npos);  // the start of the walk that passed
        for (size_t i : order) {
            if (reached[i]) continue;
            // Up from i to the cycle it hangs from, then that cycle's lowest member.
            size_t j = i;
            while (walked[j] != i) {
                walked[j] = i;
                j = parent[j];
            }
            size_t top = j;
            for (size_t k = parent[j]; k != j; k = parent[k])
                if (by_id(k, top)) top = k;
            auto& siblings = children[parent[top]];
            siblings.erase(std::find(siblings.begin(), siblings.end(), top));
            parent[top] = npos;
            roots.push_back(top);
            reach(top);
        }
        std::sort(roots.begin(), roots.end(), by_id);
        for (auto& list : children) std::sort(list.begin(), list.end(), by_id);

        struct Frame { size_t index; std::string prefix, cont; size_t parent; };
        std::vector<Frame> stack;
        for (auto it = roots.rbegin(); it != roots.rend(); ++it) stack.push_back({*it, "", "", npos});
        while (!stack.empty()) {
            Frame f = std::move(stack.back());
            stack.pop_back();
            visit(records[f.index], f.prefix, f.cont, f.parent);
            const auto& kids = children[f.index];
            for (size_t k = kids.size(); k-- > 0;) {
                bool last = k + 1 == kids.size();
                stack.push_back({kids[k], f.cont + std::string(last ? cli::tree_last : cli::tree_branch),
                                 f.cont + std::string(last ? cli::tree_blank : cli::tree_pipe),
                                 f.index});
            }
        }
    }

    const Options& opt_;
    cli::ProcessCells cells_;
    std::string classic_;
    bool classic_started_ = false;
};

void report_shortfall(const ReadFailures& failures, const ProcRoot& root) {
    cli::report_read_failures(failures);
    cli::report_unread_facts(failures);
    cli::report_hidden_processes(root);
}

int run(int argc, char** argv) {
    Options opt;
    if (auto rc = parse_options(argc, argv, opt)) return *rc;

    auto root = ProcRoot::open(opt.proc_root);
    if (!root) {
        fmt::print(stderr, "Can't open {}: {}\n", escape_name(opt.proc_root), std::strerror(root.error().code));
        return cli::exit_failure;
    }
    auto last_cap = read_cap_last_cap(*root);
    if (!last_cap) {
        cli::warnf("cannot read cap_last_cap: {}", last_cap.error().message());
        return cli::exit_failure;
    }

    std::vector<size_t> shown;
    if (opt.column_mode) {
        std::vector<size_t> defaults = default_columns;
        if (opt.threads) defaults.insert(defaults.begin() + 2, col_tid);
        auto selected = cli::select_columns(opt.output_all, opt.output_list, columns, defaults);
        if (!selected) return cli::exit_failure;
        shown = std::move(*selected);
    }

    Selection selection(opt);
    if (opt.cap_list) {
        auto caps = parse_cap_list(*opt.cap_list, *last_cap);
        if (!caps) {
            cli::warn(caps.error().message());
            return cli::exit_failure;
        }
        selection.set_cap_filter(*caps);
    }
    ProcessQuery query;
    query.pids = opt.pids;
    query.threads = opt.threads;
    query.holding = selection.holders_only() ? Holding::effective : Holding::any;
    // The default text marks a child user namespace (" *").
    query.facts = opt.column_mode ? cli::process_facts(columns, shown) : fact_user_ns;

    ReadFailures failures;
    Report report(opt, *last_cap);
    auto cannot_list = [&](const Error& e) {
        fmt::print(stderr, "Can't open {}: {}\n", escape_name(opt.proc_root), std::strerror(e.code));
        return cli::exit_failure;
    };
    if (opt.column_mode || opt.tree) {
        auto processes = list_processes(*root, query, failures);
        if (!processes) return cannot_list(processes.error());
        std::vector<Record> records = selection.rows(*processes);
        if (opt.column_mode)
            report.print_columns(records, shown);
        else
            report.print_tree(records);
    } else {
        // The default text needs no process but the one at hand: it is printed as the
        // walk goes, in constant memory however many processes there are.
        std::vector<Record> records;
        auto walked = for_each_process(*root, query, failures, [&](const Process& p) {
            records.clear();
            selection.add_rows(p, records);
            report.print_classic(records);
        });
        if (!walked) return cannot_list(walked.error());
        report.finish();
    }
    report_shortfall(failures, *root);
    return failures.nothing_read() ? cli::exit_nothing_read : cli::exit_ok;
}

}  // namespace
}  // namespace capinspect

int main(int argc, char** argv) {
    capinspect::cli::start(argv[0]);
    return capinspect::run(argc, argv);
}
