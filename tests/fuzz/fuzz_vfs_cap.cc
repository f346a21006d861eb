// libFuzzer target: security.capability values → decode_vfs_cap. A value that decodes
// must encode back to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <capinspect/file_caps.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    auto caps = capinspect::decode_vfs_cap(bytes);
    if (caps && capinspect::decode_vfs_cap(capinspect::encode_vfs_cap(*caps)).value() != *caps) std::abort();
    return 0;
}
