#include "capinspect/pam_cap.h"

#include <algorithm>

namespace capinspect::auditor {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && is_blank(line[i])) ++i;
        size_t j = i;
        while (j < line.size() && !is_blank(line[j])) ++j;
        if (j > i) out.push_back(line.substr(i, j - i));
        i = j;
    }
    return out;
}

template <typename Each>
void for_each_line(std::string_view text, Each each) {
    unsigned n = 0;
    while (!text.empty()) {
        size_t eol = text.find('\n');
        each(++n, text.substr(0, eol));
        text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    }
}

}  // namespace

std::vector<PamCapRule> parse_capability_conf(std::string_view text) {
    std::vector<PamCapRule> rules;
    for_each_line(text, [&](unsigned n, std::string_view line) {
        auto w = words(line);
        if (w.empty() || w[0][0] == '#') return;
        PamCapRule r;
        r.line = n;
        r.caps = std::string(w[0]);
        for (size_t i = 1; i < w.size(); ++i) r.who.emplace_back(w[i]);
        rules.push_back(std::move(r));
    });
    return rules;
}

const PamCapRule* find_pam_cap_rule(const std::vector<PamCapRule>& rules, std::string_view user,
                                    const std::vector<std::string>& groups) {
    for (const PamCapRule& r : rules)
        for (const std::string& who : r.who) {
            if (who == "*" || who == user) return &r;
            if (who.size() > 1 && who[0] == '@' &&
                std::find(groups.begin(), groups.end(), std::string_view(who).substr(1)) != groups.end())
                return &r;
        }
    return nullptr;
}

Result<PamCapGrant> parse_pam_cap_iab(std::string_view text, Cap last_cap) {
    PamCapGrant g;
    if (text == "all") {
        g.all = true;
        return g;
    }
    if (text == "none") {
        g.none = true;
        return g;
    }
    while (true) {
        size_t comma = text.find(',');
        std::string_view item = text.substr(0, comma);
        bool inheritable = false, ambient = false, blocked = false;
        size_t i = 0;
        for (; i < item.size(); ++i) {
            if (item[i] == '%') inheritable = true;
            else if (item[i] == '^') ambient = inheritable = true;
            else if (item[i] == '!') blocked = true;
            else break;
        }
        if (!blocked && !ambient) inheritable = true;
        std::string_view name = item.substr(i);
        if (name.empty()) return fail_data("capability.conf: empty entry in \"" + std::string(text) + "\"");
        auto cap = parse_cap(name);
        if (!cap || *cap > last_cap)
            return fail_data("capability.conf: unknown capability \"" + std::string(name) + "\"");
        if (inheritable) g.inheritable.add(*cap);
        if (ambient) g.ambient.add(*cap);
        if (blocked) g.blocked.add(*cap);
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return g;
}

bool pam_config_uses_pam_cap(std::string_view text) {
    bool found = false;
    for_each_line(text, [&](unsigned, std::string_view line) {
        size_t hash = line.find('#');
        std::string_view code = line.substr(0, hash);
        for (std::string_view w : words(code))
            if (w == "pam_cap.so" || (w.size() > 11 && w.substr(w.size() - 11) == "/pam_cap.so")) found = true;
    });
    return found;
}

}  // namespace capinspect::auditor
