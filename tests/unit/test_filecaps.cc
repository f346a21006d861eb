// tools/common/filecaps: the one classification of a file's capabilities, which filecap's
// report and the snapshot both use.
#include <doctest/doctest.h>

#include <capinspect/caps.h>
#include <capinspect/file_caps.h>

#include "common/filecaps.h"

using namespace capinspect;
using capinspect::cli::classify_file_caps;

namespace {
FileCaps caps(std::uint64_t permitted, std::uint64_t inheritable, bool effective,
              std::optional<std::uint32_t> rootid = std::nullopt) {
    FileCaps fc;
    fc.revision = rootid ? 3 : 2;
    fc.permitted = CapSet(permitted);
    fc.inheritable = CapSet(inheritable);
    fc.effective = effective;
    fc.rootid = rootid;
    return fc;
}
constexpr std::uint64_t net_raw = 1ull << 13, net_admin = 1ull << 12, unknown = 1ull << 45;
}  // namespace

TEST_CASE("classify_file_caps: libcap-ng's rows, and what it hides") {
    struct Row {
        FileCaps fc;
        const char* set;
        const char* text;
        bool compat;
    };
    const Row rows[] = {
        {caps(net_raw, 0, true), "effective", "net_raw", true},
        {caps(net_raw | net_admin, 0, false), "permitted", "net_admin, net_raw", true},
        {caps(0, net_raw, true), "effective", "none", true},  // inheritable with the flag
        {caps(CapSet::all_up_to(40).mask(), 0, true), "effective", "full", true},
        {caps(net_raw, 0, true, 1000), "effective", "net_raw", true},
        // hidden by libcap-ng: inheritable-only, the empty "=", bits the kernel does not know
        {caps(0, net_raw, false), "inheritable", "none", false},
        {caps(0, 0, false), "empty", "none", false},
        {caps(0, 0, true), "empty", "none", false},
        {caps(unknown, 0, true), "effective", "none", false},
        {caps(unknown, 0, false), "permitted", "none", false},
    };
    for (const Row& r : rows) {
        CAPTURE(r.set);
        CAPTURE(r.text);
        auto c = classify_file_caps(r.fc, 40);
        CHECK(std::string(c.set) == r.set);
        CHECK(c.caps == r.text);
        CHECK(c.compat == r.compat);
    }
}
