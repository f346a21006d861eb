// capinspect diff OLD NEW: what changed between two snapshots.
#include <getopt.h>

#include <fmt/core.h>

#include "capinspect/capinspect.h"
#include "capinspect/diff.h"
#include "capinspect/snapshot.h"
#include "common/cli.h"

namespace capinspect::auditor {
namespace {

int print_help() {
    cli::outf(
        "Usage:\n"
        " capinspect diff [options] <old> <new>\n"
        "\n"
        "Show what changed between two snapshots (capinspect snapshot): processes by unit\n"
        "or executable and user, files by path, listeners by protocol, exposure, port and\n"
        "owner; never by pid. Gains of privilege come first. \"-\" reads standard input.\n"
        "\n"
        "Options:\n"
        " -J, --json           JSON output\n"
        "     --no-color       never colour the text (also NO_COLOR)\n"
        " -h, --help           display this help\n"
        "\n"
        "Exit status: 0 no difference, 1 differences, 2 error.\n"
        "\n"
        "For more details see capinspect(8).\n");
    return exit_clean;
}

}  // namespace

int run_diff(int argc, char** argv) {
    enum { opt_no_color = 256 };
    static const struct option long_options[] = {
        {"json", no_argument, nullptr, 'J'},
        {"no-color", no_argument, nullptr, opt_no_color},
        {"help", no_argument, nullptr, 'h'},
        {nullptr, 0, nullptr, 0},
    };
    bool json = false, no_color = false;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":Jh", long_options, nullptr)) != -1) {
        switch (c) {
        case 'J': json = true; break;
        case opt_no_color: no_color = true; break;
        case 'h': return print_help();
        default: return cli::option_error(c, argv, long_options, exit_error);
        }
    }
    if (argc - optind != 2)
        return cli::usage_error(argc - optind < 2 ? "two snapshots needed: OLD NEW" : "too many arguments", exit_error);
    std::string old_path = argv[optind], new_path = argv[optind + 1];
    if (old_path == "-" && new_path == "-") return cli::usage_error("only one snapshot can come from standard input", exit_error);

    std::string error;
    auto old = read_snapshot_file(old_path, error);
    if (!old) {
        cli::warn(error);
        return exit_error;
    }
    auto now = read_snapshot_file(new_path, error);
    if (!now) {
        cli::warn(error);
        return exit_error;
    }
    Diff diff = diff_snapshots(*old, *now);
    cli::write_out(json ? diff_json(diff, *old, *now).dump(3) + "\n"
                        : diff_text(diff, !no_color && cli::color_terminal(), cli::locale_is_utf8()));
    return diff.changes.empty() ? exit_clean : exit_findings;
}

}  // namespace capinspect::auditor
