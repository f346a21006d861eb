// libFuzzer target: /proc/PID/net/dev text → parse_net_dev.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <capinspect/net_dev.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    (void)capinspect::parse_net_dev(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
