#include "common/wrap.h"

namespace capinspect::cli {

namespace {
constexpr std::string_view sgr_reset = "\033[0m";
}

std::vector<std::pair<size_t, size_t>> wrap_lines(std::string_view text, size_t first_prefix_len,
                                                  size_t cont_prefix_len, unsigned width) {
    std::vector<std::pair<size_t, size_t>> lines;
    size_t offset = 0;
    size_t prefix_len = first_prefix_len;
    for (bool first = true;; first = false) {
        if (!first) {
            prefix_len = cont_prefix_len;
            while (offset < text.size() && text[offset] == ' ') ++offset;
        }
        std::string_view rest = text.substr(offset);
        size_t room = width > prefix_len ? width - prefix_len : 0;
        if (room < 10) room = 10;
        size_t cut = rest.size();
        if (rest.size() > room) {
            cut = 0;
            for (size_t j = room; j > 0; --j)
                if (rest[j - 1] == ',' || rest[j - 1] == ' ') {
                    cut = j;
                    break;
                }
            if (cut == 0) {
                // A word longer than the room is cut hard, but between characters: half
                // a UTF-8 sequence on each line would be invalid bytes on the terminal.
                cut = room;
                while (cut > 1 && (static_cast<unsigned char>(rest[cut]) & 0xC0) == 0x80) --cut;
            }
        }
        lines.emplace_back(offset, cut);
        offset += cut;
        rest.remove_prefix(cut);
        if (rest.empty() || rest.find_first_not_of(' ') == std::string_view::npos) break;
    }
    return lines;
}

void append_wrapped(std::string& out, std::string_view text, std::string_view first_prefix,
                    std::string_view cont_prefix, unsigned width) {
    bool first = true;
    for (auto [offset, len] : wrap_lines(text, first_prefix.size(), cont_prefix.size(), width)) {
        out += first ? first_prefix : cont_prefix;
        out += text.substr(offset, len);
        out += '\n';
        first = false;
    }
}

void append_wrapped(std::string& out, std::string_view text, std::span<const ColorSpan> spans,
                    std::string_view first_prefix, std::string_view cont_prefix, unsigned width) {
    bool first = true;
    size_t span = 0;  // the first span that does not end before the current byte
    for (auto [offset, len] : wrap_lines(text, first_prefix.size(), cont_prefix.size(), width)) {
        out += first ? first_prefix : cont_prefix;
        first = false;
        size_t pos = offset, end = offset + len;
        while (pos < end) {
            while (span < spans.size() && spans[span].end <= pos) ++span;
            if (span == spans.size() || spans[span].begin >= end) {
                out += text.substr(pos, end - pos);
                break;
            }
            const ColorSpan& s = spans[span];
            if (s.begin > pos) {
                out += text.substr(pos, s.begin - pos);
                pos = s.begin;
            }
            size_t stop = std::min(s.end, end);
            out += s.sgr;
            out += text.substr(pos, stop - pos);
            out += sgr_reset;
            pos = stop;
        }
        out += '\n';
    }
}

}  // namespace capinspect::cli
