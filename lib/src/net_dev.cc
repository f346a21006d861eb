#include <capinspect/net_dev.h>

#include <capinspect/proc_root.h>

namespace capinspect {

Result<std::vector<std::string>> parse_net_dev(std::string_view text) {
    std::vector<std::string> names;
    size_t line_no = 0;
    while (!text.empty()) {
        size_t eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
        if (++line_no <= 2 || line.empty()) continue;  // "Inter-|   Receive ...", " face |bytes ..."
        // "    lo: 1234 ...": the kernel pads the name to six characters. A name holds no
        // blank and no colon (dev_valid_name()).
        size_t colon = line.find(':');
        std::string_view name = line.substr(0, colon);
        while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
        if (colon == std::string_view::npos || name.empty() || name.find(' ') != std::string_view::npos)
            return fail_data("malformed net/dev line " + std::to_string(line_no));
        names.emplace_back(name);
    }
    return names;
}

Result<std::vector<std::string>> read_net_devices(const ProcDir& dir) {
    auto text = dir.read_file("net/dev", proc_table_limit);
    if (!text) return fail(text.error());
    auto names = parse_net_dev(*text);
    if (!names) names.error().context = dir.label() + "/net/dev: " + names.error().context;
    return names;
}

}  // namespace capinspect
