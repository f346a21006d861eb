// User namespaces as /proc/PID/uid_map and /proc/PID/gid_map show them.
// Reference: user_namespaces(7). Each line maps `count` ids starting at `inside` (in the
// process's namespace) to ids starting at `outside` (in the namespace of the reader).
// The initial namespace shows the single line "0 0 4294967295"; any other map means the
// process runs in a child user namespace, where "root" may hold no power over the host.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <capinspect/error.h>
#include <capinspect/export.h>

namespace capinspect {

struct IdMapRange {
    std::uint32_t inside = 0, outside = 0, count = 0;
    friend bool operator==(const IdMapRange& a, const IdMapRange& b) {
        return a.inside == b.inside && a.outside == b.outside && a.count == b.count;
    }
    friend bool operator!=(const IdMapRange& a, const IdMapRange& b) { return !(a == b); }
};
using IdMap = std::vector<IdMapRange>;

// Parses the text of a uid_map or gid_map file: lines of three blank-separated decimal
// numbers (the kernel pads them with blanks). An empty text is an empty map (a namespace
// whose map was not written yet). A malformed line is an EINVAL error.
CAPINSPECT_API Result<IdMap> parse_id_map(std::string_view text);

// True for the map of the initial user namespace: one range 0 0 4294967295.
CAPINSPECT_API bool is_initial_id_map(const IdMap& map);

// "0 1000 1, 1 100000 65536": the ranges joined by sep; "" for an empty map.
CAPINSPECT_API std::string format_id_map(const IdMap& map, std::string_view sep = ", ");

}  // namespace capinspect
