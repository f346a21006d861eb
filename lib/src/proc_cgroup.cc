#include <capinspect/proc_cgroup.h>

#include <array>

namespace capinspect {
namespace {

bool is_unit_name(std::string_view component) {
    static constexpr std::array suffixes = {".service", ".scope", ".socket", ".mount", ".swap"};
    for (std::string_view s : suffixes)
        if (component.size() > s.size() && component.ends_with(s)) return true;
    return false;
}

// The innermost unit named in a cgroup path ("/system.slice/ssh.service" → "ssh.service").
std::string unit_of_path(std::string_view path) {
    std::string_view unit;
    size_t i = 0;
    while (i < path.size()) {
        size_t j = path.find('/', i);
        if (j == std::string_view::npos) j = path.size();
        std::string_view component = path.substr(i, j - i);
        if (is_unit_name(component)) unit = component;
        i = j + 1;
    }
    return std::string(unit);
}

}  // namespace

std::string parse_cgroup_unit(std::string_view text) {
    std::string_view v1_path;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos) eol = text.size();
        std::string_view line = text.substr(pos, eol - pos);
        pos = eol + 1;
        // hierarchy-id:controllers:path
        size_t a = line.find(':');
        size_t b = a == std::string_view::npos ? a : line.find(':', a + 1);
        if (b == std::string_view::npos) continue;
        std::string_view id = line.substr(0, a), controllers = line.substr(a + 1, b - a - 1);
        std::string_view path = line.substr(b + 1);
        if (id == "0" && controllers.empty()) return unit_of_path(path);  // cgroup v2
        if (controllers == "name=systemd") v1_path = path;
    }
    return unit_of_path(v1_path);
}

}  // namespace capinspect
