// libcap-ng 0.9.5's tree layout (pscap --tree, netcap --advanced): UTF-8 box glyphs and
// wrapping of long node texts at commas and blanks.
#pragma once
#include <string>
#include <string_view>

namespace capinspect::cli {

inline constexpr std::string_view tree_branch = "├─ ";
inline constexpr std::string_view tree_last = "└─ ";
inline constexpr std::string_view tree_pipe = "│  ";
inline constexpr std::string_view tree_blank = "   ";

// Appends `text` to `out` as lines of at most `width` bytes including their prefix:
// `first_prefix` on the first line, `cont_prefix` on the continuation lines. The room on
// a line is width minus the prefix's length in bytes (so glyphs count 3), at least 10.
// A line is cut after the last ',' or blank that fits, or hard when a word does not fit;
// blanks that start a continuation line are dropped, blanks that end a line are kept.
void append_wrapped(std::string& out, std::string_view text, std::string_view first_prefix,
                    std::string_view cont_prefix, unsigned width);

}  // namespace capinspect::cli
