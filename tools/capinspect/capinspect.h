// capinspect, the auditor: questions over the library's process walk, one subcommand
// each (unit, explain, snapshot, diff, verify). Each subcommand is a file of this folder
// with a run_NAME(argc, argv) entry; capinspect.cc dispatches.
#pragma once

namespace capinspect::auditor {

// The exit statuses of every subcommand.
inline constexpr int exit_clean = 0;     // every check ok, no difference, nothing gained
inline constexpr int exit_findings = 1;  // drift, differences, gained privilege
inline constexpr int exit_error = 2;     // could not check: bad usage, no systemd, ...

struct Subcommand {
    const char* name;
    const char* synopsis;  // its arguments, for the help text
    const char* summary;   // one line
    int (*run)(int argc, char** argv);  // argv[0] is the subcommand's name
};

// The subcommands (unit.cc, explain.cc).
int run_unit(int argc, char** argv);
int run_explain(int argc, char** argv);

}  // namespace capinspect::auditor
