#include "capinspect/text.h"

#include <capinspect/escape.h>

#include "common/cli.h"

namespace capinspect::auditor {

std::string safe_text(std::string_view text) {
    static const bool utf8 = cli::locale_is_utf8();
    return utf8 ? escape_name(text) : escape_name_ascii(text);
}

Style::Style(bool no_color_option) : color_(!no_color_option && cli::color_terminal()) {}

std::string Style::paint(std::string_view sgr, std::string_view text) const {
    if (!color_) return std::string(text);
    return "\033[" + std::string(sgr) + "m" + std::string(text) + "\033[0m";
}

}  // namespace capinspect::auditor
