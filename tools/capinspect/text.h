// The auditor's text reports: untrusted text made safe for the terminal, and colour where
// the terminal can show it.
#pragma once
#include <string>
#include <string_view>

namespace capinspect::auditor {

// `text` with every byte that could act on the terminal escaped (escape_name; in a locale
// whose character set is not UTF-8, every non-ASCII byte too).
std::string safe_text(std::string_view text);

// Colour where cli::color_terminal() says the terminal shows it, unless the command line
// said --no-color.
class Style {
public:
    explicit Style(bool no_color_option);
    bool color() const { return color_; }
    // `text` between the SGR sequence `sgr` ("1;31") and a reset; as it is without colour.
    std::string paint(std::string_view sgr, std::string_view text) const;

private:
    bool color_ = false;
};

}  // namespace capinspect::auditor
