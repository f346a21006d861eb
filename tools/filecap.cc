// filecap: report the files that carry capabilities, and set or remove them.
// Default output: libcap-ng 0.9.5's layout, byte for byte, with the same files. Column
// mode (-o, -J, ...): every file with a security.capability attribute, with all of it.
// Arguments follow libcap-ng's grammar, processed left to right: -a, -d, absolute paths,
// and capability names (anything else).
#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <clocale>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <fmt/core.h>

#include <capinspect/caps.h>
#include <capinspect/escape.h>
#include <capinspect/file_caps.h>
#include <capinspect/file_walk.h>

#include "common/cli.h"
#include "common/filecaps.h"
#include "common/table.h"

namespace capinspect {
namespace {

using cli::Cell;
using cli::ColumnInfo;
using cli::JsonType;

enum Column : size_t {
    col_path, col_set, col_caps, col_effective, col_permitted, col_inheritable, col_rootid,
    col_version,
};

constexpr ColumnInfo columns[] = {
    {"PATH", "file path", JsonType::string},
    {"SET", "effective, permitted, inheritable, empty or invalid", JsonType::string},
    {"CAPS", "capabilities as the default output shows them", JsonType::string},
    {"EFFECTIVE_FLAG", "effective flag: permitted and inheritable become effective on exec",
     JsonType::boolean},
    {"PERMITTED", "permitted capability set", JsonType::capset},
    {"INHERITABLE", "inheritable capability set", JsonType::capset},
    {"ROOTID", "root uid of the user namespace of a namespaced (revision 3) capability",
     JsonType::number, true},
    {"VERSION", "security.capability revision (1, 2 or 3)", JsonType::number, true},
};

const std::vector<size_t> default_columns = {col_path,      col_set,         col_effective,
                                             col_permitted, col_inheritable, col_rootid};

// The columns of -d's list, when a column option comes with it.
enum CapColumn : size_t { capcol_name, capcol_number };

constexpr ColumnInfo cap_columns[] = {
    {"NAME", "capability name, without the cap_ prefix", JsonType::string},
    {"NUMBER", "capability number", JsonType::number, true},
};

const std::vector<size_t> default_cap_columns = {capcol_name, capcol_number};

constexpr const char* compat_header = "set       file                   capabilities  rootid\n";

struct Options {
    bool all = false;  // -a
    bool list_caps = false;  // -d
    std::optional<std::string> file;
    std::optional<std::string> dir;
    struct stat file_stat {};
    bool write = false;  // a capability name or "none" was given
    CapSet to_write;
    std::optional<std::uint32_t> rootid;
    unsigned jobs = 0;
    bool one_file_system = false;
    std::vector<std::string> exclude;
    bool column_mode = false;
    bool output_all = false;
    bool list_columns = false;
    std::optional<std::string> output_list;
    cli::OutputMode mode;
};

int print_help() {
    cli::outf(
        "Usage:\n"
        " filecap [options] [-a | -d | /dir | /dir/file [cap1 cap2 ...] ]\n"
        "\n"
        "Report the files that carry capabilities, or set or remove them.\n"
        "Without an argument every directory of $PATH is searched; -a searches the whole\n"
        "file system, /dir one directory tree, /dir/file reports one file. Capability names\n"
        "after /dir/file set its capabilities (permitted and effective); \"none\" removes them.\n"
        "\n"
        "Options:\n"
        " -a                      search from / (pseudo file systems are skipped)\n"
        " -d                      list the capability names the kernel knows (with the\n"
        "                           column options: the columns NAME and NUMBER)\n"
        " -j, --jobs <n>          read directories with n threads (default: one per CPU,\n"
        "                           up to 8 per CPU while waiting for the disk)\n"
        " -x, --one-file-system   do not enter other file systems\n"
        "     --exclude <path>    neither search nor report this file or directory\n"
        "                           (repeatable)\n"
        "     --rootid <uid>      set a namespaced capability for the user namespace whose\n"
        "                           root is uid (a revision 3 attribute)\n"
        " -o, --output <list>     columns to print (+LIST appends to the default)\n"
        "     --output-all        print all columns\n"
        " -J, --json              JSON output\n"
        " -r, --raw               raw output\n"
        " -n, --noheadings        do not print headings\n"
        " -H, --list-columns      list the available columns\n"
        " -h, --help              display this help\n"
        " -V, --version           display version\n"
        "\n"
        "Available output columns:\n");
    cli::print_column_help(columns, false);
    cli::outf("\nFor more details see filecap(8).\n");
    return cli::exit_ok;
}

// A capability name as libcap-ng takes it: a name of `filecap -d` in any case, without
// "cap_" (no numbers, no "all").
std::optional<Cap> find_cap_name(std::string_view word, Cap last_cap) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    for (Cap c = 0; c <= last_cap; ++c) {
        const std::string& name = cap_name(c);
        if (name.size() != word.size()) continue;
        bool same = true;
        for (size_t i = 0; i < name.size() && same; ++i) same = lower(word[i]) == name[i];
        if (same) return c;
    }
    return std::nullopt;
}

// -d: one name a line, as libcap-ng prints them; with a column option, a table of
// names and numbers (-H: its columns).
int list_capabilities(const Options& opt, Cap last_cap) {
    if (opt.list_columns) {
        cli::print_column_help(cap_columns, opt.mode.json);
        return cli::exit_ok;
    }
    if (opt.column_mode) {
        auto shown = cli::select_columns(opt.output_all, opt.output_list, cap_columns,
                                         default_cap_columns);
        if (!shown) return cli::exit_failure;
        cli::Table table(cap_columns, std::move(*shown), opt.mode, "capabilities", last_cap);
        for (Cap c = 0; c <= last_cap; ++c) {
            auto row = table.add_row();
            table.set(row, capcol_name, Cell(cap_name(c)));
            table.set(row, capcol_number, Cell::number(c));
        }
        table.print();
        return cli::exit_ok;
    }
    std::string out;
    for (Cap c = 0; c <= last_cap; ++c) {
        out += cap_name(c);
        out += '\n';
    }
    fwrite(out.data(), 1, out.size(), stdout);
    return cli::exit_ok;
}

// getopt_long's values of the options without a short form.
enum { opt_output_all = 256, opt_exclude, opt_rootid };

// After -d, libcap-ng ignores every argument; the column options still shape its list.
bool applies_to_list(int c) {
    return c == 'o' || c == opt_output_all || c == 'J' || c == 'r' || c == 'n' || c == 'H' ||
           (c == ':' && optopt == 'o');
}

// An operand: an absolute path, or a capability name (libcap-ng's rule: anything else).
std::optional<int> take_operand(const char* arg, Options& opt, bool& operands, Cap last_cap) {
    if (opt.all) return cli::usage_error("-a takes no other argument");
    operands = true;
    if (arg[0] == '/') {
        struct stat st {};
        if (lstat(arg, &st) != 0) {
            fmt::print(stderr, "Error checking path {} ({})\n", escape_name(arg), std::strerror(errno));
            return cli::exit_failure;
        }
        bool is_file = S_ISREG(st.st_mode), is_dir = S_ISDIR(st.st_mode);
        if ((!is_file && !is_dir) || opt.file || opt.dir) {
            fmt::print(stderr, "Must be one regular file or directory\n");
            return cli::exit_failure;
        }
        if (is_file) {
            opt.file = arg;
            opt.file_stat = st;
        } else {
            opt.dir = arg;
        }
        return std::nullopt;
    }
    std::string_view word = arg;
    if (word == "none") {
        // Clears what was named so far; it needs no file (without one it is ignored).
        opt.to_write = CapSet();
        opt.write = true;
        return std::nullopt;
    }
    auto cap = find_cap_name(word, last_cap);
    if (!cap) return cli::usage_error(fmt::format("unknown capability: {}", escape_name(arg)));
    if (!opt.file)
        return cli::usage_error(fmt::format("capability names follow one regular file: {}", escape_name(arg)));
    opt.to_write.add(*cap);
    opt.write = true;
    return std::nullopt;
}

// Parses the command line; returns an exit code when the program should stop.
std::optional<int> parse_options(int argc, char** argv, Options& opt, Cap last_cap) {
    static const struct option long_options[] = {
        {"jobs", required_argument, nullptr, 'j'},
        {"one-file-system", no_argument, nullptr, 'x'},
        {"exclude", required_argument, nullptr, opt_exclude},
        {"rootid", required_argument, nullptr, opt_rootid},
        {"output", required_argument, nullptr, 'o'},
        {"output-all", no_argument, nullptr, opt_output_all},
        {"json", no_argument, nullptr, 'J'},
        {"raw", no_argument, nullptr, 'r'},
        {"noheadings", no_argument, nullptr, 'n'},
        {"list-columns", no_argument, nullptr, 'H'},
        {"help", no_argument, nullptr, 'h'},
        {"version", no_argument, nullptr, 'V'},
        {nullptr, 0, nullptr, 0},
    };
    bool operands = false;
    opterr = 0;
    // "-": operands come back in order (as option 1), so that arguments are processed left
    // to right as libcap-ng does; ":" tells a missing option argument from an unknown option.
    int c;
    while ((c = getopt_long(argc, argv, "-:adj:xo:JrnHhV", long_options, nullptr)) != -1) {
        if (opt.list_caps && !applies_to_list(c)) continue;
        switch (c) {
        case 1:
            if (auto rc = take_operand(optarg, opt, operands, last_cap)) return rc;
            break;
        case 'a':
            if (operands || opt.all) return cli::usage_error("-a takes no other argument");
            opt.all = true;
            break;
        case 'd':
            // What follows is ignored (libcap-ng), but for the column options.
            if (opt.all) return cli::usage_error("-a takes no other argument");
            opt.list_caps = true;
            break;
        case 'j': {
            auto jobs = cli::parse_walk_jobs(optarg);
            if (!jobs) {
                cli::warnf("invalid number of jobs: {}", escape_name(optarg));
                return cli::exit_failure;
            }
            opt.jobs = *jobs;
            break;
        }
        case 'x': opt.one_file_system = true; break;
        case opt_exclude: opt.exclude.push_back(optarg); break;
        case opt_rootid: {
            auto uid = cli::parse_user(optarg);
            if (!uid || *uid == static_cast<uid_t>(-1)) {
                cli::warnf("invalid root uid: {}", escape_name(optarg));
                return cli::exit_failure;
            }
            opt.rootid = static_cast<std::uint32_t>(*uid);
            break;
        }
        case 'o': opt.output_list = optarg; opt.column_mode = true; break;
        case opt_output_all: opt.output_all = true; opt.column_mode = true; break;
        case 'J': opt.mode.json = true; opt.column_mode = true; break;
        case 'r': opt.mode.raw = true; opt.column_mode = true; break;
        case 'n': opt.mode.noheadings = true; opt.column_mode = true; break;
        case 'H': opt.list_columns = true; break;
        case 'h': return print_help();
        case 'V': return cli::print_version();
        default:
            // libcap-ng takes any other word starting with '-' for a capability name.
            return cli::option_error(c, argv, long_options);
        }
    }
    if (opt.list_caps) return list_capabilities(opt, last_cap);
    // After "--": operands only.
    for (; optind < argc; ++optind)
        if (auto rc = take_operand(argv[optind], opt, operands, last_cap)) return rc;
    if (opt.list_columns) {
        cli::print_column_help(columns, opt.mode.json);
        return cli::exit_ok;
    }
    if (opt.rootid && !(opt.write && opt.file)) {
        cli::warn("--rootid applies only when setting capabilities on a file");
        return cli::exit_failure;
    }
    return std::nullopt;
}

class Report {
public:
    Report(const Options& opt, Cap last_cap, std::vector<size_t> shown) : last_cap_(last_cap) {
        if (opt.column_mode)
            table_.emplace(columns, std::move(shown), opt.mode, "files", last_cap);
    }

    // One file with capabilities (or whose value is malformed, in column mode).
    void file(const std::string& path, const FileCaps& fc) {
        cli::FileClass s = cli::classify_file_caps(fc, last_cap_);
        if (table_) {
            auto row = table_->add_row();
            for (size_t col : table_->columns())
                table_->set(row, col, cell(path, &fc, s, static_cast<Column>(col)));
            return;
        }
        if (!s.compat) return;
        if (!header_done_) {
            out_ += compat_header;
            header_done_ = true;
        }
        // libcap-ng pads with printf's %-22s: by bytes.
        std::string shown_path = escape_name(path);
        out_ += s.set;
        out_ += ' ';
        out_ += shown_path;
        if (shown_path.size() < 22) out_.append(22 - shown_path.size(), ' ');
        out_ += ' ';
        out_ += s.caps;
        if (fc.rootid) out_ += fmt::format(" {}", *fc.rootid);
        out_ += '\n';
        if (out_.size() >= 16384) flush();
    }

    void invalid(const std::string& path, const Error& e) {
        if (table_) {
            auto row = table_->add_row();
            cli::FileClass s{"invalid", "", false};
            for (size_t col : table_->columns())
                table_->set(row, col, cell(path, nullptr, s, static_cast<Column>(col)));
            return;
        }
        read_error(path, e);
    }

    // libcap-ng's message for a file whose attribute could not be read.
    void read_error(const std::string& path, const Error& e) {
        flush();
        fmt::print(stderr, "Unable to get capabilities of {}: {}\n", escape_name(path),
                   std::strerror(e.code));
    }

    void directory_error(const std::string& path, const Error& e) {
        flush();
        cli::warnf("cannot read directory {}: {}", escape_name(path), std::strerror(e.code));
    }

    void finish() {
        flush();
        if (table_) table_->print();
    }

private:
    void flush() {
        if (!out_.empty()) fwrite(out_.data(), 1, out_.size(), stdout);
        out_.clear();
    }

    Cell cell(const std::string& path, const FileCaps* fc, const cli::FileClass& s, Column col) const {
        switch (col) {
        case col_path: return Cell::name(path);
        case col_set: return Cell(s.set);
        case col_caps: return fc && s.compat ? Cell(s.caps) : Cell();
        case col_effective: return fc ? Cell::boolean(fc->effective) : Cell();
        case col_permitted: return fc ? Cell::set(fc->permitted) : Cell();
        case col_inheritable: return fc ? Cell::set(fc->inheritable) : Cell();
        case col_rootid: return fc && fc->rootid ? Cell::number(*fc->rootid) : Cell();
        case col_version: return fc ? Cell::number(fc->revision) : Cell();
        }
        return Cell();
    }

    Cap last_cap_;
    std::optional<cli::Table> table_;
    std::string out_;
    bool header_done_ = false;
};

// The directories of $PATH, in order, duplicates kept; an empty element is "." (0.9.5).
std::vector<std::string> path_directories() {
    std::vector<std::string> dirs;
    const char* env = getenv("PATH");
    if (!env) return dirs;
    std::string_view rest = env;
    for (;;) {
        size_t colon = rest.find(':');
        std::string_view elem = rest.substr(0, colon);
        dirs.emplace_back(elem.empty() ? "." : std::string(elem));
        if (colon == std::string_view::npos) break;
        rest.remove_prefix(colon + 1);
    }
    return dirs;
}

int write_caps(const Options& opt) {
    const std::string& path = *opt.file;
    std::string shown = escape_name(path);
    auto file = CapsFile::open(path, FileId{opt.file_stat.st_dev, opt.file_stat.st_ino});
    if (!file) {
        const Error& e = file.error();
        if (e.code == ESTALE)
            fmt::print(stderr, "File changed during operation, refusing to continue\n");
        else if (e.data)
            fmt::print(stderr, "Must be one regular file or directory\n");
        else
            fmt::print(stderr, "Could not open {} for writing ({})\n", shown, std::strerror(e.code));
        return cli::exit_failure;
    }
    std::optional<FileCaps> caps;
    if (!opt.to_write.empty()) {
        FileCaps fc;
        fc.revision = opt.rootid ? 3 : 2;
        fc.permitted = opt.to_write;
        fc.effective = true;
        fc.rootid = opt.rootid;
        caps = fc;
    }
    auto written = file->write(caps);
    if (!written) {
        const Error& e = written.error();
        if (e.data)
            cli::warn(escape_name(e.message()));
        else
            fmt::print(stderr, "Could not set capabilities on {}: {}\n", shown, std::strerror(e.code));
        return cli::exit_failure;
    }
    return cli::exit_ok;
}

int report_file(const Options& opt, Report& report) {
    const std::string& path = *opt.file;
    auto caps = read_file_caps(path);
    if (!caps) {
        if (caps.error().data)
            report.invalid(path, caps.error());
        else
            report.read_error(path, caps.error());
        report.finish();
        return opt.column_mode && caps.error().data ? cli::exit_ok : cli::exit_failure;
    }
    if (*caps) report.file(path, **caps);
    report.finish();
    return cli::exit_ok;
}

int walk(const Options& opt, Report& report, std::vector<std::string> starts) {
    cli::raise_fd_limit();
    WalkOptions wo;
    cli::set_walk_jobs(wo, opt.jobs);
    wo.one_file_system = opt.one_file_system;
    for (const std::string& ex : opt.exclude) {
        struct stat st {};
        if (stat(ex.c_str(), &st) != 0) {
            cli::warnf("cannot exclude {}: {}", escape_name(ex), std::strerror(errno));
            continue;
        }
        wo.exclude.push_back(FileId{st.st_dev, st.st_ino});
    }
    std::uint64_t refused = 0;  // directories that could not be read
    WalkStats stats = walk_file_caps(starts, wo, [&](const WalkEntry& e) {
        if (e.error) {
            // Vanished meanwhile, or on a file system without extended attributes (which
            // cannot hold capabilities): nothing to report.
            if (e.error->code == ENOENT || e.error->code == ENOTSUP) return;
            if (e.kind == WalkEntry::Kind::directory) {
                report.directory_error(e.path, *e.error);
                ++refused;
            }
            else if (e.error->data)
                report.invalid(e.path, *e.error);
            else
                report.read_error(e.path, *e.error);
            return;
        }
        if (e.caps) report.file(e.path, *e.caps);
    });
    report.finish();
    cli::report_walk_threads(stats);
    return stats.directories == 0 && refused != 0 ? cli::exit_nothing_read : cli::exit_ok;
}

int run(int argc, char** argv) {
    Cap last_cap = live_cap_last_cap();
    Options opt;
    if (auto rc = parse_options(argc, argv, opt, last_cap)) return *rc;

    if (opt.write && opt.file) return write_caps(opt);

    std::vector<size_t> shown;
    if (opt.column_mode) {
        auto selected = cli::select_columns(opt.output_all, opt.output_list, columns, default_columns);
        if (!selected) return cli::exit_failure;
        shown = std::move(*selected);
    }
    Report report(opt, last_cap, shown);
    if (opt.file) return report_file(opt, report);
    if (opt.dir) return walk(opt, report, {*opt.dir});
    if (opt.all) return walk(opt, report, {"/"});
    return walk(opt, report, path_directories());
}

}  // namespace
}  // namespace capinspect

int main(int argc, char** argv) {
    capinspect::cli::start(argv[0]);
    return capinspect::run(argc, argv);
}
