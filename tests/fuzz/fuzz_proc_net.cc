// libFuzzer target: /proc/net tables → parse_proc_net_inet / parse_proc_net_packet. The
// first byte picks the table kind.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <capinspect/sockets.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    auto kind = capinspect::all_socket_kinds[data[0] % std::size(capinspect::all_socket_kinds)];
    std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    unsigned skipped = 0;
    auto rows = kind == capinspect::SocketKind::packet ? capinspect::parse_proc_net_packet(text, skipped)
                                                       : capinspect::parse_proc_net_inet(text, kind, skipped);
    for (const auto& s : rows) {
        (void)capinspect::format_socket_address(s, false);
        (void)capinspect::format_socket_address(s, true);
        (void)capinspect::socket_state_name(s.kind, s.state);
    }
    return 0;
}
