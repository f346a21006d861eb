// capinspect: the auditor. `capinspect COMMAND [ARGS]`; each command is a file of this
// folder. Exit status 0 clean, 1 findings, 2 could not check (capinspect(8)).
#include <cstring>
#include <string_view>

#include <fmt/core.h>

#include <capinspect/escape.h>

#include "capinspect/capinspect.h"
#include "capinspect/snapshot.h"
#include "common/cli.h"

namespace capinspect::auditor {

const Subcommand subcommands[] = {
    {"unit", "[<unit>...] [--all] [-J]", "check services against the sandbox their units configure", run_unit},
    {"explain", "<pid> [<capability>...] [-J]", "explain why a process holds each capability", run_explain},
    {"snapshot", "[--files <dir>...] [--no-files] [-o <file>]", "write this machine's privilege as one JSON document",
     run_snapshot},
    {"diff", "<old> <new> [-J]", "show what changed between two snapshots", run_diff},
    {"verify", "--baseline <file> [--allow-losses] [-J]", "fail when privilege changed since a snapshot", run_verify},
};

namespace {

int print_help() {
    cli::write_out(
        "Usage:\n"
        " capinspect <command> [options] [arguments]\n"
        "\n"
        "Audit what holds privilege on this machine.\n"
        "\n"
        "Commands:\n");
    for (const Subcommand& s : subcommands) cli::outf(" {:<9} {}\n", s.name, s.summary);
    cli::write_out(
        "\n"
        "Options:\n"
        " -h, --help     display this help (capinspect <command> --help: the command's)\n"
        " -V, --version  display version\n"
        "\n"
        "Exit status: 0 clean, 1 findings (drift, differences, gained privilege), 2 could\n"
        "not check.\n"
        "\n"
        "For more details see capinspect(8).\n");
    return exit_clean;
}

int run(int argc, char** argv) {
    if (argc < 2) return cli::usage_error("no command given", exit_error);
    std::string_view first = argv[1];
    if (first == "-h" || first == "--help" || first == "help") return print_help();
    if (first == "-V" || first == "--version") return cli::print_version();
    for (const Subcommand& s : subcommands)
        if (first == s.name) {
            cli::set_command(s.name);
            return s.run(argc - 1, argv + 1);
        }
    if (!first.empty() && first[0] == '-')
        return cli::usage_error(fmt::format("unrecognized option '{}'", escape_name(first)), exit_error);
    return cli::usage_error(fmt::format("unknown command '{}'", escape_name(first)), exit_error);
}

}  // namespace
}  // namespace capinspect::auditor

int main(int argc, char** argv) {
    capinspect::cli::start(argv[0]);
    // 1 means findings: a report that could not be written is "could not check".
    capinspect::cli::set_write_error_status(capinspect::auditor::exit_error);
    return capinspect::auditor::run(argc, argv);
}
