#include <capinspect/user_ns.h>

#include <charconv>

namespace capinspect {

Result<IdMap> parse_id_map(std::string_view text) {
    IdMap map;
    size_t line_no = 0;
    while (!text.empty()) {
        size_t eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
        ++line_no;
        std::uint32_t values[3] = {};
        size_t i = 0;
        for (std::uint32_t& v : values) {
            while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
            auto [ptr, ec] = std::from_chars(line.data() + i, line.data() + line.size(), v);
            if (ec != std::errc() || ptr == line.data() + i)
                return fail_data("malformed id map line " + std::to_string(line_no));
            i = static_cast<size_t>(ptr - line.data());
        }
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        if (i != line.size()) return fail_data("malformed id map line " + std::to_string(line_no));
        map.push_back({values[0], values[1], values[2]});
    }
    return map;
}

bool is_initial_id_map(const IdMap& map) {
    return map.size() == 1 && map[0] == IdMapRange{0, 0, 4294967295u};
}

std::string format_id_map(const IdMap& map, std::string_view sep) {
    std::string out;
    for (const IdMapRange& r : map) {
        if (!out.empty()) out += sep;
        out += std::to_string(r.inside) + ' ' + std::to_string(r.outside) + ' ' + std::to_string(r.count);
    }
    return out;
}

}  // namespace capinspect
