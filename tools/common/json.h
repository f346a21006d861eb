// JSON the same way in every program: one vocabulary (capinspect-json(5) writes it down),
// a schema_version on every document, names through the reversible escape. Documents
// whose shape is fixed are built with nlohmann-json; never by hand.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/table.h"

namespace capinspect::cli {

using Json = nlohmann::ordered_json;

// The version of the vocabulary, carried by every document as "schema_version". Version 1
// was libcap-ng 0.9.5's netcap --advanced schema.
inline constexpr int schema_version = 2;

// A new document: {"schema_version": 2}.
Json json_document();

// The key of a column: "NO_NEW_PRIVS" → "no_new_privs".
std::string json_key(std::string_view column_name);

// Untrusted bytes (a command, a path, an interface) as a JSON string: the reversible
// escape, so that the text is valid UTF-8 and the bytes can be restored.
Json json_name(std::string_view bytes);

// The bytes of a name that json_name() wrote: every "\xHH" becomes the byte HH. Nullopt
// when the text is not what the reversible escape writes (a backslash that does not start
// "\xHH" with two upper-case hex digits), so that a reader never takes a forged name.
std::optional<std::string> parse_json_name(std::string_view text);

// The typed value of a cell of column `info`: a number, a boolean, an array of capability
// names, an id map (an array of {inside, outside, count}), a name or a string; null when
// the cell is unknown.
Json json_value(const ColumnInfo& info, const Cell& cell);

// Writes `doc` to stdout with three blanks of indentation and a final newline.
void print_json(const Json& doc);

}  // namespace capinspect::cli
