// Column output the util-linux way, through libsmartcols: one registry of columns per tool
// drives -o/--output (with +COL to extend the default list), --output-all, -J/--json,
// -r/--raw, -n/--noheadings, -H/--list-columns and the help text. Column names are
// UPPERCASE in text and lower_snake in JSON. Text goes through libsmartcols; JSON through
// nlohmann-json, because libsmartcols 2.38 cannot print an empty array and types
// numbers and booleans only loosely.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <capinspect/caps.h>


namespace capinspect::cli {

enum class JsonType { string, number, boolean, capset, idmap };

// A column about a process, whose cell process_columns.h computes the same way in every
// tool; none for a tool's own columns.
enum class ProcessField : unsigned char {
    none, ppid, pid, uid, real_uid, user, command, caps, effective, permitted, inheritable, bounding, ambient,
    no_new_privs, seccomp, seccomp_filters, userns, child_userns, scope, userns_owner, userns_depth,
    uid_map, unit, exe, lsm,
};

struct ColumnInfo {
    const char* name;  // "PID"
    const char* help;  // one line for --list-columns and the man page
    JsonType json = JsonType::string;
    bool right = false;  // numbers align right
    bool tree = false;   // carries the tree in --tree column output (else the first text column)
    ProcessField process = ProcessField::none;
};

struct OutputMode {
    bool json = false;
    bool raw = false;
    bool noheadings = false;
    bool tree = false;
};

// Parses "PID,USER" or "+EXE" (extends `defaults`) into registry indexes. On error,
// returns nullopt and fills `error` with a one-line message.
std::optional<std::vector<size_t>> parse_column_list(std::string_view list,
                                                     std::span<const ColumnInfo> registry,
                                                     const std::vector<size_t>& defaults,
                                                     std::string& error);

// The columns to show: all of them with --output-all, else -o's list (a leading "+"
// extends the defaults), else the defaults. An unknown name is reported on stderr and
// gives nullopt.
std::optional<std::vector<size_t>> select_columns(bool output_all, const std::optional<std::string>& list,
                                                  std::span<const ColumnInfo> registry,
                                                  const std::vector<size_t>& defaults);

// "  PID  process id" lines for --list-columns and --help.
void print_column_help(std::span<const ColumnInfo> registry, bool json);

// One cell's content: text, or a capability set (names in JSON, a list in text).
struct Cell {
    std::string text;
    std::optional<CapSet> caps;
    bool null = false;   // unknown: empty in text, null in JSON
    bool bytes = false;  // untrusted bytes (a name): escaped for the output mode

    Cell() : null(true) {}
    Cell(std::string t) : text(std::move(t)) {}
    Cell(const char* t) : text(t) {}
    static Cell number(std::int64_t n) { return Cell(std::to_string(n)); }
    static Cell boolean(bool b) { return Cell(b ? "1" : "0"); }
    static Cell set(CapSet s) { Cell c{""}; c.caps = s; return c; }
    // Text mode shows escape_name(); JSON the reversible escape; raw mode util-linux's
    // raw encoding. Raw and JSON names round-trip.
    static Cell name(std::string b) { Cell c{std::move(b)}; c.bytes = true; return c; }
};

class Table {
public:
    using RowId = size_t;
    static constexpr RowId no_parent = static_cast<RowId>(-1);

    // `json_name` is the array name in JSON ("processes").
    Table(std::span<const ColumnInfo> registry, std::vector<size_t> columns, OutputMode mode,
          const char* json_name, Cap last_cap);

    // Adds a row; with OutputMode::tree, `parent` (an earlier row) nests it.
    RowId add_row(RowId parent = no_parent);
    // Sets the cell of registry column `column` if that column is shown.
    void set(RowId row, size_t column, Cell cell);
    // Registry indexes of the shown columns, so callers compute only those.
    const std::vector<size_t>& columns() const { return columns_; }
    void print() const;

private:
    struct Row {
        RowId parent;
        std::vector<Cell> cells;  // one per shown column
    };
    void print_text() const;
    void print_json() const;
    std::string text_of(size_t pos, const Cell& cell, std::string_view sep) const;

    std::span<const ColumnInfo> registry_;
    std::vector<size_t> columns_;
    std::vector<std::vector<size_t>> positions_;  // registry index → shown positions
    OutputMode mode_;
    std::string json_name_;
    Cap last_cap_;
    bool utf8_;  // the locale's character set is UTF-8
    std::vector<Row> rows_;
};

}  // namespace capinspect::cli
