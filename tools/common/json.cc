#include "common/json.h"

#include "common/cli.h"

#include <fmt/core.h>

#include <capinspect/escape.h>
#include <capinspect/user_ns.h>

namespace capinspect::cli {

Json json_document() {
    Json doc = Json::object();
    doc["schema_version"] = schema_version;
    return doc;
}

std::string json_key(std::string_view column_name) {
    std::string out;
    for (char c : column_name) out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    return out;
}

Json json_name(std::string_view bytes) { return escape_name_reversible(bytes); }

std::optional<std::string> parse_json_name(std::string_view text) {
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\\') {
            out += text[i];
            continue;
        }
        if (text.size() - i < 4 || text[i + 1] != 'x') return std::nullopt;
        int hi = hex(text[i + 2]), lo = hex(text[i + 3]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi << 4 | lo);
        i += 3;
    }
    return out;
}

Json json_value(const ColumnInfo& info, const Cell& cell) {
    if (cell.null) return nullptr;
    if (cell.caps) {
        Json list = Json::array();
        for (Cap c : *cell.caps) list.push_back(cap_name(c));
        return list;
    }
    switch (info.json) {
    case JsonType::number: {
        Json value = Json::parse(cell.text, nullptr, false);
        return value.is_discarded() || !value.is_number() ? Json(cell.text) : value;
    }
    case JsonType::boolean: return cell.text == "1";
    case JsonType::idmap: {
        // The text form "0 1000 1,1 100000 65536": one range per comma.
        std::string lines = cell.text;
        for (char& c : lines)
            if (c == ',') c = '\n';
        Json list = Json::array();
        if (auto map = parse_id_map(lines))
            for (const IdMapRange& r : *map) list.push_back({{"inside", r.inside}, {"outside", r.outside}, {"count", r.count}});
        return list;
    }
    case JsonType::string:
    case JsonType::capset: break;
    }
    return cell.bytes ? json_name(cell.text) : Json(cell.text);
}

void print_json(const Json& doc) { outf("{}\n", doc.dump(3)); }

}  // namespace capinspect::cli
