#include <capinspect/proc_walk.h>

#include <capinspect/caps.h>

#include <algorithm>
#include <charconv>

namespace capinspect {

void ReadFailures::note(const Error& e) {
    if (e.is_vanished()) return;  // it exited meanwhile: not a failure
    if (e.data) {
        if (malformed++ == 0) first_malformed = e.message();
    } else {
        ++unreadable[e.code];
    }
}

std::optional<Process> read_process(const ProcRoot& root, pid_t pid, bool holders_only,
                                    ReadFailures& failures) {
    if (holders_only && root.is_live()) {
        auto caps = read_thread_caps(pid);
        if (caps && caps->effective.empty()) return std::nullopt;
        if (!caps && caps.error().code == ESRCH) return std::nullopt;
    }
    auto dir = root.open_pid(pid);
    if (!dir) {
        failures.note(dir.error());
        return std::nullopt;
    }
    auto st = read_status(*dir);
    if (!st) {
        failures.note(st.error());
        return std::nullopt;
    }
    if (is_kernel_thread(*st) || st->tgid != st->pid) return std::nullopt;
    if (holders_only && st->effective.empty()) return std::nullopt;
    return Process{std::move(*dir), std::move(*st)};
}

std::vector<pid_t> list_kernel_threads(const ProcRoot& root) {
    std::vector<pid_t> pids;
    if (!root.is_live()) return pids;
    auto text = root.read_file("2/task/2/children");
    if (!text) return pids;
    pids.push_back(2);
    const char* p = text->data();
    const char* end = p + text->size();
    while (p < end) {
        pid_t pid = 0;
        auto [next, ec] = std::from_chars(p, end, pid);
        if (ec == std::errc()) pids.push_back(pid);
        p = next + 1;  // the separator (a blank)
    }
    std::sort(pids.begin(), pids.end());
    return pids;
}

}  // namespace capinspect
