#include "common/filecaps.h"

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <cstring>

#include "common/cli.h"

namespace capinspect::cli {

FileClass classify_file_caps(const FileCaps& fc, Cap last_cap) {
    CapSet known = CapSet::all_up_to(last_cap);
    CapSet permitted = fc.permitted & known, inheritable = fc.inheritable & known;
    CapSet effective = fc.effective ? permitted | inheritable : CapSet();
    auto text = [&](CapSet decided) { return format_cap_summary(decided, permitted, last_cap); };
    if (!effective.empty()) return {"effective", text(effective), true};
    if (!permitted.empty()) return {"permitted", text(permitted), true};
    // Column mode only: every bit counts there.
    CapSet all_effective = fc.effective_set();
    if (!all_effective.empty()) return {"effective", text(all_effective), false};
    if (!fc.permitted.empty()) return {"permitted", text(fc.permitted), false};
    if (!fc.inheritable.empty()) return {"inheritable", text(fc.inheritable), false};
    return {"empty", "none", false};
}

void set_walk_jobs(WalkOptions& options, unsigned jobs) {
    options.jobs = jobs;
    // Without -j: one walker per CPU, and more while the walk waits for the disk (a cold
    // cache), so that directory reads overlap.
    if (jobs == 0) options.io_jobs = WalkOptions::io_jobs_auto;
}

std::optional<unsigned> parse_walk_jobs(const char* text) {
    unsigned n = 0;
    const char* end = text + std::strlen(text);
    auto [ptr, ec] = std::from_chars(text, end, n);
    if (ec != std::errc() || ptr != end || n == 0 || n > 1024) return std::nullopt;
    return n;
}

void report_walk_threads(const WalkStats& stats) {
    if (stats.threads == 1 && stats.thread_error)
        warnf("could not start a thread to read directories ({}); searched with one",
              std::strerror(stats.thread_error));
}

void raise_fd_limit() {
    struct rlimit lim {};
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        setrlimit(RLIMIT_NOFILE, &lim);
    }
}

}  // namespace capinspect::cli
