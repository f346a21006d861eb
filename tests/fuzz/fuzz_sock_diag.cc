// libFuzzer target: NETLINK_SOCK_DIAG answers (payloads after the nlmsghdr) →
// decode_inet_diag / decode_packet_diag. The first byte picks the decoder.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <capinspect/sockets.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    std::string_view payload(reinterpret_cast<const char*>(data + 1), size - 1);
    if (data[0] & 1) {
        (void)capinspect::decode_packet_diag(payload);
    } else {
        auto s = capinspect::decode_inet_diag(payload, (data[0] & 2) ? capinspect::SocketKind::tcp6
                                                                      : capinspect::SocketKind::udp);
        if (s) (void)capinspect::format_socket_address(*s, false);
    }
    return 0;
}
