#include <doctest/doctest.h>

#include <capinspect/escape.h>

#include <string>

using namespace capinspect;
using namespace std::string_literals;

TEST_CASE("escape_name: libcap-ng 0.9.5's control-byte rule") {
    CHECK(escape_name("bash") == "bash");
    CHECK(escape_name("bad\x1bname x") == "bad\\x1Bname x");
    CHECK(escape_name("nl\nx)y z") == "nl\\x0Ax)y z");
    CHECK(escape_name("a\x7f") == "a\\x7F");
    CHECK(escape_name("\t") == "\\x09");
    CHECK(escape_name("a\0b"s) == "a\\x00b");
    CHECK(escape_name("back\\slash") == "back\\slash");  // 0.9.5 leaves backslashes alone
}

TEST_CASE("escape_name: valid UTF-8 passes, invalid bytes and C1 controls do not") {
    CHECK(escape_name("caf\xc3\xa9") == "caf\xc3\xa9");            // é
    CHECK(escape_name("\xe2\x94\x9c") == "\xe2\x94\x9c");          // ├
    CHECK(escape_name("\xf0\x9f\x98\x80") == "\xf0\x9f\x98\x80");  // emoji
    CHECK(escape_name("\xff") == "\\xFF");
    CHECK(escape_name("a\xc3") == "a\\xC3");                       // truncated sequence
    CHECK(escape_name("\xc0\xaf") == "\\xC0\\xAF");                // overlong '/'
    CHECK(escape_name("\xed\xa0\x80") == "\\xED\\xA0\\x80");       // surrogate
    CHECK(escape_name("\xf4\x90\x80\x80") == "\\xF4\\x90\\x80\\x80");  // > U+10FFFF
    CHECK(escape_name("\xc2\x9b" "31m") == "\\xC2\\x9B31m");       // C1 CSI
    CHECK(escape_name("\xc2\xa0") == "\xc2\xa0");                  // no-break space is fine
}

TEST_CASE("escape_name: bidirectional controls and separators (Trojan source)") {
    CHECK(escape_name("x\xe2\x80\xae" "evil") == "x\\xE2\\x80\\xAEevil");             // U+202E RLO
    CHECK(escape_name("\xe2\x80\xaa\xe2\x80\xab") == "\\xE2\\x80\\xAA\\xE2\\x80\\xAB");  // LRE RLE
    CHECK(escape_name("\xe2\x81\xa6" "i\xe2\x81\xa9") == "\\xE2\\x81\\xA6i\\xE2\\x81\\xA9");  // LRI PDI
    CHECK(escape_name("a\xe2\x80\xa8" "b\xe2\x80\xa9") == "a\\xE2\\x80\\xA8b\\xE2\\x80\\xA9");  // LS PS
    // neighbours that are ordinary text: U+2027, U+202F, U+2065 (unassigned), U+206A
    CHECK(escape_name("\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa") ==
          "\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa");
    CHECK(escape_name_reversible("\xe2\x80\xae") == "\\xE2\\x80\\xAE");
    CHECK_FALSE(is_safe_name("x\xe2\x80\xae" "evil"));
}

TEST_CASE("escape_name_ascii: only ASCII, for a terminal that is not UTF-8") {
    CHECK(escape_name_ascii("caf\xc3\xa9") == "caf\\xC3\\xA9");
    CHECK(escape_name_ascii("plain a-z") == "plain a-z");
    CHECK(escape_name_ascii("x\x1b\xe2\x80\xae") == "x\\x1B\\xE2\\x80\\xAE");
    CHECK(escape_name_ascii("back\\slash") == "back\\slash");
}

TEST_CASE("escape_name_reversible round-trips every byte") {
    CHECK(escape_name_reversible("a\\x41") == "a\\x5Cx41");
    std::string all;
    for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
    std::string escaped = escape_name_reversible(all);
    std::string decoded;
    for (size_t i = 0; i < escaped.size(); ++i) {
        if (escaped.compare(i, 2, "\\x") == 0) {
            decoded += static_cast<char>(std::stoi(escaped.substr(i + 2, 2), nullptr, 16));
            i += 3;
        } else {
            decoded += escaped[i];
        }
    }
    CHECK(decoded == all);
    CHECK(is_safe_name(escaped));
}

TEST_CASE("is_safe_name") {
    CHECK(is_safe_name("sshd"));
    CHECK(is_safe_name("caf\xc3\xa9"));
    CHECK_FALSE(is_safe_name("a\nb"));
    CHECK_FALSE(is_safe_name("\xff"));
}
