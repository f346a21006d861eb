// libFuzzer target: /proc/PID/mountinfo text → parse_mountinfo, then the covering mount of
// a few paths (what capinspect unit asks of every sandboxed process).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <capinspect/mountinfo.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto mounts = capinspect::parse_mountinfo(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!mounts) return 0;
    for (const char* path : {"/", "/tmp", "/var/tmp", "/home", "/usr", "/dev", "/etc/x"}) {
        if (const auto* m = capinspect::find_covering_mount(*mounts, path)) (void)m->read_only();
        (void)capinspect::find_mount_at(*mounts, path);
    }
    return 0;
}
