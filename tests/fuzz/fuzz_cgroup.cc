// libFuzzer target: /proc/PID/cgroup text → parse_cgroup.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <capinspect/proc_cgroup.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    (void)capinspect::parse_cgroup(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
