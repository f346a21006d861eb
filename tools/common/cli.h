// What every tool does the same way: its name in messages, one-line diagnostics on stderr,
// a checked stdout, exit codes and small argument parsers.
#pragma once
#include <getopt.h>
#include <sys/types.h>

#include <fmt/core.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace capinspect {
struct ReadFailures;
class ProcRoot;
}

namespace capinspect::cli {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
// The scan read nothing at all (every process, or every directory, refused): not an empty
// result. A partial result stays exit_ok, its shortfall said on stderr.
inline constexpr int exit_nothing_read = 2;

// What every main() does first: the program name from argv[0] for messages, and a
// checked stdout at exit. The locale is loaded when first asked about (locale_is_utf8).
void start(const char* argv0);

// Set once from argv[0]'s base name; used as the prefix of every message.
void set_program_name(const char* argv0);
const char* program_name();

// "pscap: MESSAGE" on stderr, MESSAGE escaped by escape_name() (which leaves text that
// is escaped already as it is).
void warn(std::string_view message);
template <typename... Args>
void warnf(fmt::format_string<Args...> f, Args&&... args) {
    warn(fmt::format(f, std::forward<Args>(args)...));
}

// A bad command line, the util-linux way: "TOOL: MESSAGE" and "Try 'TOOL --help' for more
// information." on stderr; returns `status`.
int usage_error(std::string_view message, int status = exit_failure);

// The command of a program that has several: from here on every message names it
// ("capinspect unit: MESSAGE", "Try 'capinspect unit --help' ...").
void set_command(std::string_view command);

// What getopt_long(3) returned for a bad option, said as glibc and util-linux say it:
// "invalid option -- 'x'", "unrecognized option '--x'", "option '--i' is ambiguous;
// possibilities: '--id' '--init-grp'", "option requires an argument -- 'o'", "option
// '--output' requires an argument", "option '--json' doesn't allow an argument"; then the
// Try line. `c` is '?' or ':' (optstring starts with ':'); optind and optopt are getopt's;
// `longopts` the table given to getopt_long. Returns `status`.
int option_error(int c, char* const argv[], const struct option* longopts, int status = exit_failure);

// Makes a failed write to stdout (full disk, closed pipe) an error at exit, as
// util-linux's close_stdout does: "pscap: write error: No space left on device", exit 1.
void check_stdout_at_exit();

// The exit status of that failed write: exit_failure unless set. The auditor sets 2, as
// its 1 means findings.
void set_write_error_status(int status);

// True when stdout is a terminal that can show colour: a tty, TERM set and not "dumb",
// and NO_COLOR (https://no-color.org) unset or empty.
bool color_terminal();

// True when the character set of the environment's locale (LC_CTYPE) is UTF-8. The first
// call loads that locale, for this and for libsmartcols (a Table asks, so its tree glyphs
// and widths follow the locale). The default texts are the same in every locale and never
// ask: loading a locale costs a start about 0.3 ms. Messages stay in English, as
// libcap-ng's are.
bool locale_is_utf8();

// Text on stdout with fwrite: never an exception (fmt::print throws on a full disk or a
// closed pipe); a failed write is reported at exit (check_stdout_at_exit).
void write_out(std::string_view text);
// A report of many rows is written in blocks: once `out` holds 64 KiB it goes to stdout
// and is emptied, its storage kept for the next block; so 100 000 rows are never held
// whole. The caller writes what is left at the end (write_out).
void write_when_full(std::string& out);
template <typename... Args>
void outf(fmt::format_string<Args...> f, Args&&... args) {
    write_out(fmt::format(f, std::forward<Args>(args)...));
}

// "NAME from capinspect VERSION" on stdout.
int print_version();

// Width for wrapped output: the first of stdout, stderr, stdin that is a terminal, else
// $COLUMNS when it is a number from 1 to 399, else 80 (libcap-ng 0.9.5's rule).
unsigned output_width();

// "N processes could not be read: REASON" per reason, and the malformed ones, on stderr.
void report_read_failures(const ReadFailures& failures);

// "the user namespace of N processes could not be checked: REASON", "the open files of N
// processes could not be read: REASON", ... per fact and reason, on stderr.
void report_unread_facts(const ReadFailures& failures);

// When `root` is mounted with hidepid and this process lacks CAP_SYS_PTRACE (which
// hidepid does not hide from): says on stderr that other users' processes are not seen.
void report_hidden_processes(const ProcRoot& root);

// `text` padded with blanks to `width` bytes, as printf's "%-Ns" pads: libcap-ng's
// layouts count bytes, where fmt's "{:<N}" would count characters of UTF-8 text.
std::string pad_bytes(std::string_view text, size_t width);

// The items of a list given on the command line: separated by commas and/or blanks, as
// capability lists are ("a,b", "a b", "a, b"); empty items are dropped.
std::vector<std::string> split_list(std::string_view text);

// A uid from a user name or a decimal number; nullopt when neither.
std::optional<uid_t> parse_user(std::string_view text);

}  // namespace capinspect::cli
