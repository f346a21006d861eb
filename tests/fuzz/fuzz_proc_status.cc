// libFuzzer target: /proc/PID/status text → parse_status (and the Name unescaping), and
// /proc/PID/stat text → parse_stat_flags.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <capinspect/proc_status.h>
#include <capinspect/process.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto st = capinspect::parse_status(text);
    if (st) (void)capinspect::same_capabilities(*st, *st);
    (void)capinspect::parse_stat_flags(text);
    (void)capinspect::unescape_status_name(text);
    return 0;
}
