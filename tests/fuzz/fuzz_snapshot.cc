// libFuzzer target: the snapshot reader (capinspect diff and verify read files that anyone
// may have edited, truncated or forged). Any input gives a snapshot or one line of error;
// a snapshot diffs clean against itself, and diffs against a fixed one in both
// directions, the gains of one way the losses of the other; the renderings never fail
// and the text never carries a raw control byte.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

#include "capinspect/diff.h"
#include "capinspect/snapshot.h"

namespace {

using namespace capinspect;
using namespace capinspect::auditor;

const Snapshot& reference() {
    static const Snapshot snap = [] {
        std::string error;
        auto s = parse_snapshot(R"({"schema_version": 2,
            "snapshot": {"capinspect_version": "0.1.0", "hostname": "h", "kernel": "6.1", "time": "t",
                         "cap_last_cap": 40, "file_roots": ["/usr"]},
            "processes": [{"pid": 1, "ppid": 0, "command": "init", "uid": 0, "user": "root", "unit": "a.service",
                           "exe": "/sbin/init", "effective": ["chown"], "permitted": ["chown", "kill"],
                           "inheritable": [], "bounding": ["chown", "kill"], "ambient": [], "no_new_privs": false,
                           "seccomp": "filter", "scope": "userns", "threads": []}],
            "sockets": [{"proto": "tcp", "state": "LISTEN", "laddr": "*", "lport": 22, "inode": 5,
                         "exposure": "wildcard", "pids": [1]}],
            "files": [{"path": "/usr/bin/ping", "set": "effective", "effective_flag": true,
                       "permitted": ["net_raw"], "inheritable": [], "version": 2}]})",
                                error);
        if (!s) std::abort();
        return *s;
    }();
    return snap;
}

void check_text(const std::string& text) {
    for (char c : text)
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\n') || c == 0x7f) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    std::string error;
    auto snap = parse_snapshot(text, error);
    if (!snap) {
        if (error.empty() || error.find('\n') != std::string::npos) std::abort();
        return 0;
    }
    Diff same = diff_snapshots(*snap, *snap);
    if (!same.changes.empty()) std::abort();
    Diff there = diff_snapshots(reference(), *snap), back = diff_snapshots(*snap, reference());
    // What one way adds, the other removes (file changes excepted: a reduction one way is
    // a change the other).
    auto count = [](const Diff& d, ChangeKind k) {
        unsigned n = 0;
        for (const Change& c : d.changes) n += c.kind == k;
        return n;
    };
    const std::pair<ChangeKind, ChangeKind> mirrored[] = {
        {ChangeKind::process_added, ChangeKind::process_removed},
        {ChangeKind::capabilities_added, ChangeKind::capabilities_removed},
        {ChangeKind::scope_widened, ChangeKind::scope_narrowed},
        {ChangeKind::defences_weakened, ChangeKind::defences_strengthened},
        {ChangeKind::file_added, ChangeKind::file_removed},
        {ChangeKind::listener_added, ChangeKind::listener_removed},
    };
    for (auto [gain, loss] : mirrored)
        if (count(there, gain) != count(back, loss) || count(there, loss) != count(back, gain)) std::abort();
    check_text(diff_text(there, false, true));
    check_text(diff_text(back, false, false));
    (void)diff_json(there, reference(), *snap).dump();
    return 0;
}
