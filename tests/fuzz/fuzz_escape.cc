// libFuzzer target: the escaping of untrusted names. Checks the promises: the display form
// holds no control byte and is valid UTF-8; the reversible form decodes to the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <capinspect/escape.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    std::string shown = capinspect::escape_name(bytes);
    for (unsigned char c : shown)
        if (c < 0x20 || c == 0x7f) std::abort();
    if (!capinspect::is_safe_name(shown)) std::abort();
    std::string reversible = capinspect::escape_name_reversible(bytes);
    std::string decoded;
    for (size_t i = 0; i < reversible.size(); ++i) {
        if (reversible.compare(i, 2, "\\x") == 0 && i + 3 < reversible.size()) {
            decoded += static_cast<char>(std::stoi(reversible.substr(i + 2, 2), nullptr, 16));
            i += 3;
        } else {
            decoded += reversible[i];
        }
    }
    if (decoded != bytes) std::abort();
    return 0;
}
