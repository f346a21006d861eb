// tools/common: the column list grammar, 0.9.5's tree wrapping and escaped warnings.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <string>

#include "common/cli.h"
#include "common/json.h"
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

TEST_CASE("wrap_lines: the cuts append_wrapped makes") {
    using Lines = std::vector<std::pair<size_t, size_t>>;
    CHECK(wrap_lines("short", 3, 3, 80) == Lines{{0, 5}});
    CHECK(wrap_lines("", 0, 0, 80) == Lines{{0, 0}});
    // "caps: a, " fits 10; the blank that would start the next line is dropped
    CHECK(wrap_lines("caps: a, b  c", 0, 0, 10) == Lines{{0, 9}, {9, 4}});
}

TEST_CASE("wrap_lines: a hard cut never splits a UTF-8 sequence") {
    // pscap --tree on a 255-byte name of 85 euro signs printed a lone 0xE2 at the end of
    // a line and the continuation bytes 0x82 0xAC at the start of the next.
    using Lines = std::vector<std::pair<size_t, size_t>>;
    std::string euros;
    for (int i = 0; i < 10; ++i) euros += "\xe2\x82\xac";
    // room 10: byte 10 is inside the fourth sign (bytes 9 to 11), so the cut moves to 9
    CHECK(wrap_lines(euros, 0, 0, 10) == Lines{{0, 9}, {9, 9}, {18, 9}, {27, 3}});
    std::string out;
    append_wrapped(out, "ab" + euros, "", "", 10);
    CHECK(out == "ab\xe2\x82\xac\xe2\x82\xac\n"                       // 2 + 6 bytes: 10 would split
                 "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\n"
                 "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\n"
                 "\xe2\x82\xac\xe2\x82\xac\n");
    // ASCII is still cut exactly at the room
    CHECK(wrap_lines(std::string(25, 'L'), 0, 0, 10) == Lines{{0, 10}, {10, 10}, {20, 5}});
}

TEST_CASE("append_wrapped with colours: cuts as without, colours reset and reopened per line") {
    const std::string_view o = "\033[38;5;208m", y = "\033[38;5;226m";
    // netcap --advanced's ambient line at 50 columns, prefix of 27 bytes (0.9.5's output)
    std::string text = "ambient: setpcap, net_bind_service, net_raw, sys_ptrace";
    std::vector<ColorSpan> spans = {{9, text.size(), o}};
    std::string out;
    std::string prefix = "            │     ├─ ", cont = "            │     │  ";
    append_wrapped(out, text, spans, prefix, cont, 50);
    CHECK(out == prefix + "ambient: " + std::string(o) + "setpcap, \033[0m\n" +
                     cont + std::string(o) + "net_bind_service, \033[0m\n" +
                     cont + std::string(o) + "net_raw, sys_ptrace\033[0m\n");
    // without colours, the same lines
    std::string plain;
    append_wrapped(plain, text, prefix, cont, 50);
    std::string colored_stripped;
    for (size_t i = 0; i < out.size(); ++i) {
        if (out[i] == '\033') {
            i = out.find('m', i);
            continue;
        }
        colored_stripped += out[i];
    }
    CHECK(colored_stripped == plain);

    // several spans on one line, a span that ends where the line is cut
    out.clear();
    std::vector<ColorSpan> caps = {{6, 13, o}, {15, 22, y}};
    append_wrapped(out, "caps: setpcap, net_raw [x]", caps, "", "  ", 15);
    CHECK(out == "caps: " + std::string(o) + "setpcap\033[0m, \n  " + std::string(y) + "net_raw\033[0m [x]\n");
    out.clear();
    append_wrapped(out, "no spans", std::span<const ColorSpan>(), "", "", 80);
    CHECK(out == "no spans\n");
}

TEST_CASE("pad_bytes pads by bytes, as printf does, not by characters") {
    CHECK(capinspect::cli::pad_bytes("ab", 4) == "ab  ");
    CHECK(capinspect::cli::pad_bytes("caf\xc3\xa9", 6) == "caf\xc3\xa9 ");  // 5 bytes, 4 characters
    CHECK(capinspect::cli::pad_bytes("toolongname", 4) == "toolongname");
}

TEST_CASE("warn escapes its message: what the user typed never reaches stderr raw") {
    // pscap -o 'PID,X<ESC>[31m' printed "pscap: unknown column: X" and a raw ESC sequence.
    std::FILE* tmp = std::tmpfile();
    REQUIRE(tmp);
    std::string name = program_name();
    set_program_name("pscap");
    std::fflush(stderr);
    int saved = dup(STDERR_FILENO);
    REQUIRE(saved >= 0);
    dup2(fileno(tmp), STDERR_FILENO);
    warn("unknown column: X\x1b[31m\xff\n");
    warn("unknown user: no\\x1B[1muser caf\xc3\xa9");  // escaped already, and valid UTF-8
    std::fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    set_program_name(name.c_str());
    std::rewind(tmp);
    char buf[256] = {};
    size_t n = std::fread(buf, 1, sizeof buf - 1, tmp);
    std::fclose(tmp);
    CHECK(std::string(buf, n) == "pscap: unknown column: X\\x1B[31m\\xFF\\x0A\n"
                                 "pscap: unknown user: no\\x1B[1muser caf\xc3\xa9\n");
}

TEST_CASE("parse_json_name reads back what json_name wrote, and nothing forged") {
    const std::string names[] = {
        "plain", "", "a\\b", std::string("nul\0byte", 8), "\x1b[31mred\n", "\xff\xfe invalid", "caf\xc3\xa9",
        "\xc2\x9b c1", "\xe2\x80\xae bidi", "\\x41 looks escaped",
    };
    for (const std::string& n : names) {
        std::string text = json_name(n).get<std::string>();
        auto back = parse_json_name(text);
        REQUIRE(back);
        CHECK(*back == n);
    }
    CHECK(parse_json_name("\\x41").value() == "A");  // not canonical, but what it says
    CHECK_FALSE(parse_json_name("\\"));
    CHECK_FALSE(parse_json_name("a\\x4"));
    CHECK_FALSE(parse_json_name("\\x4g"));
    CHECK_FALSE(parse_json_name("\\x4a"));  // the escape writes upper-case hex
    CHECK_FALSE(parse_json_name("\\n"));
}
