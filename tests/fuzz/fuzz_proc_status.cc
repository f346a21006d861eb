// libFuzzer target: /proc/PID/status text → parse_status (and the Name unescaping), and
// /proc/PID/stat text → parse_stat_flags.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <capinspect/proc_status.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)capinspect::parse_status(text);
    (void)capinspect::parse_stat_flags(text);
    (void)capinspect::unescape_status_name(text);
    return 0;
}
