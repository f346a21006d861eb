// tools/common: the column list grammar and 0.9.5's tree wrapping.
#include <doctest/doctest.h>

#include "common/table.h"
#include "common/wrap.h"

using namespace capinspect::cli;

namespace {
constexpr ColumnInfo registry[] = {
    {"PID", "process id", JsonType::number, true},
    {"USER", "user", JsonType::string},
    {"EFFECTIVE", "set", JsonType::capset},
};
}

TEST_CASE("parse_column_list") {
    std::string error;
    CHECK(parse_column_list("PID,USER", registry, {2}, error).value() == std::vector<size_t>{0, 1});
    CHECK(parse_column_list("pid", registry, {2}, error).value() == std::vector<size_t>{0});
    CHECK(parse_column_list("+USER", registry, {2}, error).value() == std::vector<size_t>{2, 1});
    CHECK_FALSE(parse_column_list("PID,NOPE", registry, {2}, error));
    CHECK(error == "unknown column: NOPE");
    CHECK_FALSE(parse_column_list("", registry, {2}, error));
    CHECK_FALSE(parse_column_list("PID,", registry, {2}, error));
    CHECK(error == "missing column name in 'PID,'");
}

TEST_CASE("append_wrapped: libcap-ng 0.9.5's observed cuts") {
    std::string out;
    append_wrapped(out, "a) (b(23849:cloudsdk) [chown, fowner, sys_ptrace +]", "", "", 30);
    CHECK(out == "a) (b(23849:cloudsdk) [chown, \nfowner, sys_ptrace +]\n");
    out.clear();
    // COLUMNS=5: the room clamps to 10, long words are cut hard.
    append_wrapped(out, "a) (b(23849:cloudsdk) [chown, fowner, sys_ptrace +]", "", "", 5);
    CHECK(out == "a) \n(b(23849:c\nloudsdk) \n[chown, \nfowner, \nsys_ptrace\n+]\n");
    out.clear();
    append_wrapped(out, "short", "├─ ", "│  ", 80);
    CHECK(out == "├─ short\n");
}

TEST_CASE("append_wrapped counts the glyph prefix in bytes") {
    std::string text = "memfd:sealed-91(1563:root) [chown, dac_override, dac_read_search, fowner, fsetid, kill]";
    std::string out;
    append_wrapped(out, text, "├─ ", "│  ", 80);
    // "├─ " is 7 bytes: 73 bytes of room, cut after "fowner,".
    CHECK(out == "├─ memfd:sealed-91(1563:root) [chown, dac_override, dac_read_search, fowner,\n"
                 "│  fsetid, kill]\n");
}
