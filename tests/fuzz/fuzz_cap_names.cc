// libFuzzer target: capability names, lists and masks from the command line →
// parse_cap / parse_cap_list / parse_cap_mask, and the round trip through the formatters.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <capinspect/caps.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto cap = capinspect::parse_cap(text))
        if (capinspect::parse_cap(capinspect::cap_name(*cap)).value() != *cap) std::abort();
    if (auto set = capinspect::parse_cap_list(text, 40))
        if (!set->empty() && capinspect::parse_cap_list(capinspect::format_cap_list(*set), 63).value() != *set)
            std::abort();
    if (auto mask = capinspect::parse_cap_mask(text))
        if (capinspect::parse_cap_mask(capinspect::format_cap_mask(*mask)).value() != *mask) std::abort();
    return 0;
}
