// capinspect verify --baseline FILE: a snapshot now, of the file roots the baseline
// recorded, compared with the baseline: the gate a CI job or a configuration run calls.
#include <getopt.h>
#include <stdio.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/core.h>

#include "capinspect/capinspect.h"
#include "capinspect/diff.h"
#include "capinspect/snapshot.h"
#include "common/cli.h"
#include "common/filecaps.h"

namespace capinspect::auditor {
namespace {

int print_help() {
    cli::outf(
        "Usage:\n"
        " capinspect verify --baseline <file> [options]\n"
        "\n"
        "Take a snapshot now (of the file roots the baseline recorded) and compare it with\n"
        "the baseline: fail when anything gained privilege (a new privileged process, a\n"
        "capability added, a new or changed file capability, a new listener of a capability\n"
        "holder, a namespace-only privilege become host-effective, weaker defences), and,\n"
        "unless --allow-losses, when anything lost privilege.\n"
        "\n"
        "Options:\n"
        "     --baseline <file>  the snapshot to compare with (capinspect snapshot -o)\n"
        "     --allow-losses     losses are reported but do not fail\n"
        " -j, --jobs <n>         read directories with n threads (default: one per CPU)\n"
        " -J, --json             JSON output\n"
        "     --no-color         never colour the text (also NO_COLOR)\n"
        " -h, --help             display this help\n"
        "\n"
        "Exit status: 0 nothing gained (and nothing lost, without --allow-losses), 1 privilege\n"
        "gained or lost, 2 error.\n"
        "\n"
        "For more details see capinspect(8).\n");
    return exit_clean;
}

}  // namespace

int run_verify(int argc, char** argv) {
    enum { opt_baseline = 256, opt_allow_losses, opt_no_color };
    static const struct option long_options[] = {
        {"baseline", required_argument, nullptr, opt_baseline},
        {"allow-losses", no_argument, nullptr, opt_allow_losses},
        {"jobs", required_argument, nullptr, 'j'},
        {"json", no_argument, nullptr, 'J'},
        {"no-color", no_argument, nullptr, opt_no_color},
        {"help", no_argument, nullptr, 'h'},
        {nullptr, 0, nullptr, 0},
    };
    std::optional<std::string> baseline_path;
    bool allow_losses = false, json = false, no_color = false;
    SnapshotOptions options;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":j:Jh", long_options, nullptr)) != -1) {
        switch (c) {
        case opt_baseline: baseline_path = optarg; break;
        case opt_allow_losses: allow_losses = true; break;
        case 'j': {
            auto jobs = cli::parse_walk_jobs(optarg);
            if (!jobs) return cli::usage_error(fmt::format("invalid number of jobs: {}", optarg), exit_error);
            options.jobs = *jobs;
            break;
        }
        case 'J': json = true; break;
        case opt_no_color: no_color = true; break;
        case 'h': return print_help();
        default: return cli::option_error(c, argv, long_options, exit_error);
        }
    }
    if (optind < argc) return cli::usage_error(fmt::format("unexpected argument '{}'", argv[optind]), exit_error);
    if (!baseline_path) return cli::usage_error("--baseline is required", exit_error);

    std::string error;
    auto baseline = read_snapshot_file(*baseline_path, error);
    if (!baseline) {
        cli::warn(error);
        return exit_error;
    }
    options.files = baseline->info.file_roots.has_value();
    if (options.files) options.roots = *baseline->info.file_roots;

    // The snapshot goes through the same writer and reader as a saved one.
    char* text = nullptr;
    size_t size = 0;
    FILE* mem = open_memstream(&text, &size);
    if (!mem) {
        cli::warnf("cannot take a snapshot: {}", std::strerror(errno));
        return exit_error;
    }
    SnapshotOutcome taken = write_snapshot(options, mem, true, error);
    std::fclose(mem);
    std::string document(text ? text : "", size);
    std::free(text);
    if (taken == SnapshotOutcome::nothing_read) return cli::exit_nothing_read;
    if (taken != SnapshotOutcome::written) {
        cli::warnf("cannot take a snapshot: {}", error);
        return exit_error;
    }
    auto now = parse_snapshot(document, error);
    document = {};
    if (!now) {
        cli::warnf("the snapshot just taken does not read back: {}", error);
        return exit_error;
    }

    Diff diff = diff_snapshots(*baseline, *now);
    bool passed = diff.gained == 0 && (allow_losses || diff.lost == 0);
    std::string out;
    if (json) {
        cli::Json doc = diff_json(diff, *baseline, *now);
        doc["allow_losses"] = allow_losses;
        doc["passed"] = passed;
        out = doc.dump(3) + "\n";
    } else {
        out = diff_text(diff, !no_color && cli::color_terminal(), cli::locale_is_utf8());
        if (diff.gained)
            out += fmt::format("verify: FAILED: privilege gained ({} change{})\n", diff.gained,
                               diff.gained == 1 ? "" : "s");
        else if (diff.lost && !allow_losses)
            out += fmt::format("verify: FAILED: privilege lost ({} change{}; --allow-losses accepts losses)\n",
                               diff.lost, diff.lost == 1 ? "" : "s");
        else if (diff.lost)
            out += fmt::format("verify: passed: nothing gained ({} loss{} allowed)\n", diff.lost,
                               diff.lost == 1 ? "" : "es");
        else
            out += "verify: passed: nothing gained, nothing lost\n";
    }
    cli::write_out(out);
    return passed ? exit_clean : exit_findings;
}

}  // namespace capinspect::auditor
