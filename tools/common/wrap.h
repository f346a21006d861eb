// libcap-ng 0.9.5's tree layout (pscap --tree, netcap --advanced): UTF-8 box glyphs and
// wrapping of long node texts at commas and blanks.
#pragma once
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace capinspect::cli {

inline constexpr std::string_view tree_branch = "├─ ";
inline constexpr std::string_view tree_last = "└─ ";
inline constexpr std::string_view tree_pipe = "│  ";
inline constexpr std::string_view tree_blank = "   ";

// The lines of `text` as (offset, length) pairs, for lines of at most `width` bytes
// including their prefix: a prefix of `first_prefix_len` bytes on the first line,
// `cont_prefix_len` on the continuation lines. The room on a line is width minus the
// prefix's length in bytes (so glyphs count 3), at least 10. A line is cut after the last
// ',' or blank that fits, or hard when a word does not fit (never inside a UTF-8
// sequence); blanks that start a continuation line are dropped, blanks that end a line
// are kept.
std::vector<std::pair<size_t, size_t>> wrap_lines(std::string_view text, size_t first_prefix_len,
                                                  size_t cont_prefix_len, unsigned width);

// Appends `text` to `out` wrapped by wrap_lines(), each line after its prefix and ended by
// a newline: `first_prefix` on the first line, `cont_prefix` on the continuation lines.
void append_wrapped(std::string& out, std::string_view text, std::string_view first_prefix,
                    std::string_view cont_prefix, unsigned width);

// A coloured part of a text: bytes [begin, end) are shown after the SGR sequence `sgr`
// (for example "\033[38;5;208m") and followed by a reset.
struct ColorSpan {
    size_t begin = 0, end = 0;
    std::string_view sgr;
};

// The same with colours: the lines are cut as for the plain text (escape sequences take
// no room); a colour that a cut interrupts is reset at the end of the line and opened
// again after the next prefix. `spans` are sorted and do not overlap.
void append_wrapped(std::string& out, std::string_view text, std::span<const ColorSpan> spans,
                    std::string_view first_prefix, std::string_view cont_prefix, unsigned width);

}  // namespace capinspect::cli
