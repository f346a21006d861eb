// libFuzzer target: /proc/PID/cgroup text → parse_cgroup, and whether its path lies below
// a unit's (the walk's cgroup selection).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <capinspect/proc_cgroup.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto info = capinspect::parse_cgroup(std::string_view(reinterpret_cast<const char*>(data), size));
    (void)capinspect::is_cgroup_below(info.path, "/system.slice/x.service");
    return 0;
}
