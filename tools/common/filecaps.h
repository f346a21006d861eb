// What filecap and the auditor's snapshot decide alike about file capabilities: how a
// value is classified and summarised, and how a walk is set up by default.
#pragma once
#include <optional>
#include <string>

#include <capinspect/caps.h>
#include <capinspect/file_caps.h>
#include <capinspect/file_walk.h>

namespace capinspect::cli {

// How a file's capabilities are shown.
struct FileClass {
    // "effective", "permitted", or where libcap-ng lists nothing "inheritable" (only
    // inheritable bits), "empty" (the value "=") or "invalid" (a value that does not
    // decode; never returned by classify_file_caps).
    const char* set;
    std::string caps;  // libcap-ng's text: "full", the permitted list, or "none"
    bool compat;       // listed by libcap-ng (its rule ignores bits above last_cap)
};

// libcap-ng's rule (capabilities above the running kernel's are ignored): "effective" when
// the effective set (permitted | inheritable with the flag) is not empty, else "permitted"
// when the permitted set is not empty, else not listed (compat false). The text is "full"
// when the set that decided holds every capability, else the permitted list, "none" when
// it is empty. For the values libcap-ng does not list every bit counts: bits above
// last_cap alone give "effective" or "permitted" too, then "inheritable", then "empty".
FileClass classify_file_caps(const FileCaps& fc, Cap last_cap);

// filecap's default walk: `jobs` threads (0: one per CPU, and up to 8 per CPU in all while
// the walk waits for the disk, so that the directory reads of a cold cache overlap).
void set_walk_jobs(WalkOptions& options, unsigned jobs);

// The argument of -j/--jobs: a number of threads from 1 to 1024.
std::optional<unsigned> parse_walk_jobs(const char* text);

// Fewer threads than asked for only make a walk slower: a warning when it ran on the
// calling thread alone because no other could be started.
void report_walk_threads(const WalkStats& stats);

// Raises the soft limit of open files to the hard one: a deep or wide tree keeps a
// descriptor open per level with unread subdirectories.
void raise_fd_limit();

}  // namespace capinspect::cli
