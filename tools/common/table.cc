#include "common/table.h"

#include <libsmartcols/libsmartcols.h>

#include <fmt/core.h>

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <new>

#include <capinspect/escape.h>

#include "common/cli.h"
#include "common/json.h"

namespace capinspect::cli {
namespace {

char ascii_upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

std::optional<size_t> find_column(std::string_view name, std::span<const ColumnInfo> registry) {
    for (size_t i = 0; i < registry.size(); ++i) {
        std::string_view known = registry[i].name;
        if (known.size() != name.size()) continue;
        bool same = true;
        for (size_t k = 0; k < name.size() && same; ++k) same = ascii_upper(name[k]) == known[k];
        if (same) return i;
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::vector<size_t>> parse_column_list(std::string_view list,
                                                     std::span<const ColumnInfo> registry,
                                                     const std::vector<size_t>& defaults,
                                                     std::string& error) {
    std::vector<size_t> out;
    std::string_view whole = list;
    if (!list.empty() && list.front() == '+') {
        out = defaults;
        list.remove_prefix(1);
    }
    size_t i = 0;
    while (i <= list.size()) {
        size_t j = list.find(',', i);
        if (j == std::string_view::npos) j = list.size();
        std::string_view name = list.substr(i, j - i);
        auto index = find_column(name, registry);
        if (!index) {
            error = name.empty() ? fmt::format("missing column name in '{}'", whole)
                                 : fmt::format("unknown column: {}", name);
            return std::nullopt;
        }
        out.push_back(*index);
        i = j + 1;
    }
    return out;
}

std::optional<std::vector<size_t>> select_columns(bool output_all, const std::optional<std::string>& list,
                                                  std::span<const ColumnInfo> registry,
                                                  const std::vector<size_t>& defaults) {
    if (output_all) {
        std::vector<size_t> every(registry.size());
        for (size_t i = 0; i < every.size(); ++i) every[i] = i;
        return every;
    }
    if (!list) return defaults;
    std::string error;
    auto parsed = parse_column_list(*list, registry, defaults, error);
    if (!parsed) warn(error);
    return parsed;
}

void print_column_help(std::span<const ColumnInfo> registry, bool json) {
    if (json) {
        Json doc = json_document();
        auto& list = doc["columns"] = Json::array();
        for (const ColumnInfo& c : registry)
            list.push_back({{"name", c.name}, {"json", json_key(c.name)}, {"description", c.help}});
        print_json(doc);
        return;
    }
    for (const ColumnInfo& c : registry) outf("{:>16}  {}\n", c.name, c.help);
}

Table::Table(std::span<const ColumnInfo> registry, std::vector<size_t> columns, OutputMode mode,
             const char* json_name, Cap last_cap)
    : registry_(registry), columns_(std::move(columns)), positions_(registry.size()),
      mode_(mode), json_name_(json_name), last_cap_(last_cap), utf8_(locale_is_utf8()) {
    for (size_t pos = 0; pos < columns_.size(); ++pos) positions_[columns_[pos]].push_back(pos);
}

Table::RowId Table::add_row(RowId parent) {
    rows_.push_back({mode_.tree ? parent : no_parent, std::vector<Cell>(columns_.size())});
    return rows_.size() - 1;
}

void Table::set(RowId row, size_t column, Cell cell) {
    if (column >= positions_.size()) return;
    const auto& at = positions_[column];
    // A column listed twice (-o PID,PID) shows the same value twice, as lsblk does.
    for (size_t k = 0; k < at.size(); ++k)
        rows_[row].cells[at[k]] = k + 1 == at.size() ? std::move(cell) : cell;
}

void Table::print() const {
    if (mode_.json)
        print_json();
    else
        print_text();
}

// Text cells: capability sets as a comma-separated list ("full" when the set holds every
// capability the kernel knows), booleans as yes/no, unknown values empty. `sep` separates
// the names of a set.
std::string Table::text_of(size_t pos, const Cell& cell, std::string_view sep) const {
    if (cell.null) return "";
    if (cell.caps) {
        if (!cell.caps->empty() && cell.caps->is_full(last_cap_)) {
            // Bits the kernel does not know (only a file can hold them) stay visible.
            CapSet beyond = *cell.caps - CapSet::all_up_to(last_cap_);
            return beyond.empty() ? std::string("full") : "full" + std::string(sep) + format_cap_list(beyond, sep);
        }
        return format_cap_list(*cell.caps, sep);
    }
    if (registry_[columns_[pos]].json == JsonType::boolean) return cell.text == "1" ? "yes" : "no";
    // Raw mode: libsmartcols applies util-linux's reversible raw encoding (\x20 for a
    // blank, \x5c for a backslash, \xHH for anything unprintable) to the bytes as they are.
    if (mode_.raw) return cell.text;
    // Outside a UTF-8 locale libsmartcols cannot measure a byte above 0x7F (with encoding
    // off it loops forever on one): it gets ASCII only.
    if (!utf8_) return escape_name_ascii(cell.text);
    return cell.bytes ? escape_name(cell.text) : cell.text;
}

namespace {

// The columns a text takes on a terminal: one per character (escaped names are ASCII).
size_t display_width(std::string_view text) {
    size_t n = 0;
    for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}

// Wrapping a list ("a, b, c") between its items: the chunks end after each ", ", whose
// blank becomes the end of the chunk. libsmartcols then shows one item per line.
size_t list_chunk_size(const libscols_column*, const char* data, void*) {
    size_t widest = 0;
    for (std::string_view rest = data ? data : ""; !rest.empty();) {
        size_t end = rest.find(", ");
        size_t len = end == std::string_view::npos ? rest.size() : end + 1;
        widest = std::max(widest, display_width(rest.substr(0, len)));
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 2);
    }
    return widest;
}

char* list_next_chunk(const libscols_column*, char* data, void*) {
    char* p = data ? std::strstr(data, ", ") : nullptr;
    if (!p) return nullptr;
    p[1] = '\0';
    return p + 2;
}

// The width of the terminal on stdout; 0 when stdout is not one (libsmartcols never
// wraps there either).
size_t stdout_terminal_width() {
    struct winsize ws {};
    if (!isatty(STDOUT_FILENO) || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0) return 0;
    return ws.ws_col;
}

}  // namespace

void Table::print_text() const {
    std::unique_ptr<libscols_table, void (*)(libscols_table*)> table(scols_new_table(), scols_unref_table);
    if (!table) throw std::bad_alloc();
    scols_table_enable_raw(table.get(), mode_.raw);
    scols_table_enable_noheadings(table.get(), mode_.noheadings);
    // Text cells arrive escaped by our one rule (upper-case \xHH); no second encoding.
    scols_table_enable_noencoding(table.get(), !mode_.raw);
    // The tree goes on the column meant for it, else on the first text column.
    std::optional<size_t> tree_col;
    for (size_t col : columns_)
        if (registry_[col].tree) tree_col = col;
    for (size_t col : columns_)
        if (!tree_col && registry_[col].json == JsonType::string) tree_col = col;

    // On a terminal narrower than the table, the list columns (capability sets, the
    // summaries) wrap between their items, one per line, as lsblk wraps its lists: no
    // name is cut and none is lost. Never in raw mode, never on a pipe: there the texts
    // go straight to libsmartcols, with no width to measure.
    size_t terminal = mode_.raw ? 0 : stdout_terminal_width();
    std::vector<bool> wrap(columns_.size(), false);
    std::vector<std::vector<std::string>> texts;  // on a terminal only
    if (terminal != 0) {
        texts.assign(rows_.size(), std::vector<std::string>(columns_.size()));
        std::vector<size_t> widths(columns_.size());
        for (size_t pos = 0; pos < columns_.size(); ++pos) widths[pos] = display_width(registry_[columns_[pos]].name);
        for (size_t r = 0; r < rows_.size(); ++r)
            for (size_t pos = 0; pos < columns_.size(); ++pos) {
                texts[r][pos] = text_of(pos, rows_[r].cells[pos], ",");
                widths[pos] = std::max(widths[pos], display_width(texts[r][pos]));
            }
        size_t natural = columns_.size() - 1;
        for (size_t w : widths) natural += w;
        if (natural > terminal)
            for (size_t pos = 0; pos < columns_.size(); ++pos) {
                const ColumnInfo& info = registry_[columns_[pos]];
                if ((mode_.tree && tree_col == columns_[pos]) || info.right) continue;
                bool list = info.json == JsonType::capset;
                for (size_t r = 0; r < rows_.size() && !list; ++r) list = texts[r][pos].find(", ") != std::string::npos;
                if (!list) continue;
                wrap[pos] = true;
                if (info.json == JsonType::capset)
                    for (size_t r = 0; r < rows_.size(); ++r) texts[r][pos] = text_of(pos, rows_[r].cells[pos], ", ");
            }
    }

    for (size_t pos = 0; pos < columns_.size(); ++pos) {
        const ColumnInfo& info = registry_[columns_[pos]];
        int flags = info.right ? SCOLS_FL_RIGHT : 0;
        if (mode_.tree && tree_col == columns_[pos]) flags |= SCOLS_FL_TREE;
        if (wrap[pos]) flags |= SCOLS_FL_WRAP;
        libscols_column* column = scols_table_new_column(table.get(), info.name, 0, flags);
        if (!column) throw std::bad_alloc();
        if (wrap[pos]) scols_column_set_wrapfunc(column, list_chunk_size, list_next_chunk, nullptr);
    }
    std::vector<libscols_line*> lines(rows_.size(), nullptr);
    std::string text;
    for (size_t r = 0; r < rows_.size(); ++r) {
        libscols_line* parent = rows_[r].parent == no_parent ? nullptr : lines[rows_[r].parent];
        lines[r] = scols_table_new_line(table.get(), parent);
        if (!lines[r]) throw std::bad_alloc();
        for (size_t pos = 0; pos < columns_.size(); ++pos) {
            if (texts.empty()) text = text_of(pos, rows_[r].cells[pos], ",");
            const std::string& shown = texts.empty() ? text : texts[r][pos];
            if (scols_line_set_data(lines[r], pos, shown.c_str()) != 0) throw std::bad_alloc();
        }
    }
    scols_print_table(table.get());
}

// JSON: lower_snake keys, numbers and booleans typed, capability sets as arrays of names,
// unknown values null; in tree mode children nest under "children", as lsblk does.
void Table::print_json() const {
    std::vector<Json> objects(rows_.size());
    for (size_t r = 0; r < rows_.size(); ++r) {
        Json& obj = objects[r] = Json::object();
        for (size_t pos = 0; pos < columns_.size(); ++pos) {
            const ColumnInfo& info = registry_[columns_[pos]];
            obj[json_key(info.name)] = json_value(info, rows_[r].cells[pos]);
        }
    }
    // Attach children from the last row backwards, so each object is complete when moved.
    Json top = Json::array();
    std::vector<std::vector<size_t>> children(rows_.size());
    std::vector<size_t> roots;
    for (size_t r = 0; r < rows_.size(); ++r)
        (rows_[r].parent == no_parent ? roots : children[rows_[r].parent]).push_back(r);
    for (size_t r = rows_.size(); r-- > 0;)
        if (!children[r].empty()) {
            Json& kids = objects[r]["children"] = Json::array();
            for (size_t k : children[r]) kids.push_back(std::move(objects[k]));
        }
    for (size_t r : roots) top.push_back(std::move(objects[r]));
    Json doc = json_document();
    doc[json_name_] = std::move(top);
    cli::print_json(doc);
}

}  // namespace capinspect::cli
