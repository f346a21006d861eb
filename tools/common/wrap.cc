#include "common/wrap.h"

namespace capinspect::cli {

void append_wrapped(std::string& out, std::string_view text, std::string_view first_prefix,
                    std::string_view cont_prefix, unsigned width) {
    std::string_view prefix = first_prefix;
    for (bool first = true;; first = false) {
        if (!first) {
            prefix = cont_prefix;
            while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
        }
        size_t room = width > prefix.size() ? width - prefix.size() : 0;
        if (room < 10) room = 10;
        size_t cut = text.size();
        if (text.size() > room) {
            cut = room;  // a word longer than the room is cut hard
            for (size_t j = room; j > 0; --j)
                if (text[j - 1] == ',' || text[j - 1] == ' ') {
                    cut = j;
                    break;
                }
        }
        out += prefix;
        out += text.substr(0, cut);
        out += '\n';
        text.remove_prefix(cut);
        if (text.empty() || text.find_first_not_of(' ') == std::string_view::npos) break;
    }
}

}  // namespace capinspect::cli
