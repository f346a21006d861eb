#include "common/cli.h"

#include <langinfo.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <getopt.h>

#include <algorithm>
#include <cerrno>
#include <clocale>
#include <charconv>
#include <cstring>

#include <capinspect/caps.h>
#include <capinspect/escape.h>
#include <capinspect/proc_root.h>
#include <capinspect/process.h>

namespace capinspect::cli {
namespace {

std::string& name_storage() {
    static std::string name = "capinspect";
    return name;
}

int write_error_status = exit_failure;

void close_stdout() {
    // A closed pipe (EPIPE) is the reader's choice, as with `pscap | head -1`: quiet.
    bool failed = ferror(stdout) != 0;
    if (fflush(stdout) != 0) failed = true;
    int err = errno;
    if (failed && err != EPIPE) {
        warnf("write error: {}", err ? std::strerror(err) : "unknown error");
        _exit(write_error_status);
    }
    if (failed) _exit(write_error_status);
}

}  // namespace

void set_program_name(const char* argv0) {
    // argv[0] is anybody's choice (exec -a): escaped once, like every name we print.
    const char* slash = std::strrchr(argv0, '/');
    name_storage() = escape_name(slash ? slash + 1 : argv0);
}

const char* program_name() { return name_storage().c_str(); }

void warn(std::string_view message) {
    fflush(stdout);  // keep report and diagnostics in order on a shared terminal
    // Messages quote what the user typed (a column, a capability) and paths (the proc
    // root): never a raw control byte. Text escaped already is left as it is.
    fmt::print(stderr, "{}: {}\n", program_name(), escape_name(message));
}

int usage_error(std::string_view message, int status) {
    warn(message);
    fmt::print(stderr, "Try '{} --help' for more information.\n", program_name());
    return status;
}

void set_command(std::string_view command) {
    name_storage() += ' ';
    name_storage() += escape_name(command);
}

int option_error(int c, char* const argv[], const struct option* longopts, int status) {
    // For a long option getopt leaves optopt 0 (unknown) or the option's value, and the
    // word it choked on is the previous element of argv.
    std::string_view word = optind > 0 ? argv[optind - 1] : "";
    bool long_option = word.size() > 2 && word.substr(0, 2) == "--";
    if (c == ':') {
        if (long_option) {
            std::string_view name = word.substr(0, word.find('='));
            return usage_error(fmt::format("option '{}' requires an argument", escape_name(name)), status);
        }
        return usage_error(fmt::format("option requires an argument -- '{}'", escape_name(std::string(1, static_cast<char>(optopt)))), status);
    }
    if (!long_option)
        return usage_error(fmt::format("invalid option -- '{}'", escape_name(std::string(1, static_cast<char>(optopt)))), status);
    // A known long option given a value it does not take ("--json=1").
    if (optopt != 0 && word.find('=') != std::string_view::npos)
        return usage_error(fmt::format("option '{}' doesn't allow an argument", escape_name(word.substr(0, word.find('=')))), status);
    std::string_view name = word.substr(2, word.find('=') - 2);
    std::string candidates;
    for (const struct option* o = longopts; o && o->name; ++o)
        if (std::string_view(o->name).substr(0, name.size()) == name) candidates += fmt::format(" '--{}'", o->name);
    if (std::count(candidates.begin(), candidates.end(), ' ') > 1)
        return usage_error(fmt::format("option '--{}' is ambiguous; possibilities:{}", escape_name(name), candidates),
                           status);
    return usage_error(fmt::format("unrecognized option '{}'", escape_name(word)), status);
}

void check_stdout_at_exit() { atexit(close_stdout); }

void set_write_error_status(int status) { write_error_status = status; }

void start(const char* argv0) {
    set_program_name(argv0);
    check_stdout_at_exit();
}

bool color_terminal() {
    const char* no_color = getenv("NO_COLOR");
    if (no_color && *no_color) return false;
    const char* term = getenv("TERM");
    if (!term || !*term || std::strcmp(term, "dumb") == 0) return false;
    return isatty(STDOUT_FILENO) == 1;
}

bool locale_is_utf8() {
    static const bool utf8 = [] {
        setlocale(LC_CTYPE, "");
        return std::strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
    }();
    return utf8;
}

void write_out(std::string_view text) { fwrite(text.data(), 1, text.size(), stdout); }

void write_when_full(std::string& out) {
    if (out.size() < (std::size_t{1} << 16)) return;
    write_out(out);
    out.clear();
}

int print_version() {
    outf("{} from capinspect {}\n", program_name(), CAPINSPECT_VERSION);
    return exit_ok;
}

unsigned output_width() {
    for (int fd : {STDOUT_FILENO, STDERR_FILENO, STDIN_FILENO}) {
        struct winsize ws {};
        if (isatty(fd)) {
            if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
            break;
        }
    }
    if (const char* env = getenv("COLUMNS")) {
        unsigned cols = 0;
        const char* end = env + std::strlen(env);
        auto [ptr, ec] = std::from_chars(env, end, cols);
        if (ec == std::errc() && ptr == end && cols >= 1 && cols <= 399) return cols;
    }
    return 80;
}

void report_read_failures(const ReadFailures& failures) {
    for (auto [code, count] : failures.unreadable)
        warnf("{} process{} could not be read: {}", count, count == 1 ? "" : "es", std::strerror(code));
    if (failures.malformed)
        warnf("{} process{} skipped for malformed data (first: {})", failures.malformed,
              failures.malformed == 1 ? "" : "es", failures.first_malformed);
}

void report_unread_facts(const ReadFailures& failures) {
    for (auto [key, count] : failures.facts_unread) {
        auto [fact, code] = key;
        const char* plural = count == 1 ? "" : "es";
        if (fact == fact_user_ns)
            warnf("the user namespace of {} process{} could not be checked: {}", count, plural, std::strerror(code));
        else if (fact == fact_sockets)
            warnf("the open files of {} process{} could not be read: {}", count, plural, std::strerror(code));
        else
            warnf("the {} of {} process{} could not be read: {}", process_fact_name(static_cast<ProcessFact>(fact)),
                  count, plural, std::strerror(code));
    }
}

void report_hidden_processes(const ProcRoot& root) {
    // CAP_SYS_PTRACE sees through hidepid; asking that first spares the mountinfo read.
    auto own = read_thread_caps(0);
    if (own && own->effective.has(CAP_SYS_PTRACE)) return;
    if (std::string hidepid = root.hidepid(); !hidepid.empty())
        warnf("{} is mounted with hidepid={}: processes of other users are not visible", root.path(),
              hidepid);
}

std::string pad_bytes(std::string_view text, size_t width) {
    std::string out(text);
    if (out.size() < width) out.append(width - out.size(), ' ');
    return out;
}

std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> items;
    size_t i = 0;
    while (i < text.size()) {
        size_t j = text.find_first_of(", \t", i);
        if (j == std::string_view::npos) j = text.size();
        if (j > i) items.emplace_back(text.substr(i, j - i));
        i = j + 1;
    }
    return items;
}

std::optional<uid_t> parse_user(std::string_view text) {
    if (text.empty()) return std::nullopt;
    uid_t uid = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), uid);
    if (ec == std::errc() && ptr == text.data() + text.size()) return uid;
    std::string name(text);
    if (struct passwd* pw = getpwnam(name.c_str())) return pw->pw_uid;
    return std::nullopt;
}

}  // namespace capinspect::cli
