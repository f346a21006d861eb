#include <capinspect/escape.h>

namespace capinspect {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when the byte there does not start
// one (overlong forms, surrogates and code points past U+10FFFF are invalid).
size_t utf8_sequence_length(std::string_view s, size_t i) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    auto cont = [&](size_t k) { return k < s.size() && (byte(k) & 0xC0) == 0x80; };
    unsigned char b = byte(i);
    if (b < 0x80) return 1;
    if (b >= 0xC2 && b <= 0xDF) return cont(i + 1) ? 2 : 0;
    if (b >= 0xE0 && b <= 0xEF) {
        if (!cont(i + 1) || !cont(i + 2)) return 0;
        unsigned char b1 = byte(i + 1);
        if (b == 0xE0 && b1 < 0xA0) return 0;  // overlong
        if (b == 0xED && b1 >= 0xA0) return 0; // UTF-16 surrogates
        return 3;
    }
    if (b >= 0xF0 && b <= 0xF4) {
        if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
        unsigned char b1 = byte(i + 1);
        if (b == 0xF0 && b1 < 0x90) return 0;  // overlong
        if (b == 0xF4 && b1 >= 0x90) return 0; // past U+10FFFF
        return 4;
    }
    return 0;
}

void append_hex(std::string& out, unsigned char b) {
    static constexpr char hex[] = "0123456789ABCDEF";
    out += "\\x";
    out += hex[b >> 4];
    out += hex[b & 0xF];
}

// Characters that change how the text around them is shown without being seen: the C1
// controls (U+0080..U+009F, which some terminals obey), the bidirectional embeddings,
// overrides and isolates (U+202A..U+202E, U+2066..U+2069: "Trojan source" reordering) and
// the line and paragraph separators (U+2028, U+2029). `len` is the valid sequence at s[i].
bool is_display_control(std::string_view s, size_t i, size_t len) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
    if (len == 2) return byte(0) == 0xC2 && byte(1) <= 0x9F;
    if (len != 3 || byte(0) != 0xE2) return false;
    if (byte(1) == 0x80) return (byte(2) >= 0xA8 && byte(2) <= 0xAE);  // U+2028..U+202E
    return byte(1) == 0x81 && byte(2) >= 0xA6 && byte(2) <= 0xA9;      // U+2066..U+2069
}

std::string escape(std::string_view s, bool reversible, bool ascii_only) {
    std::string out;
    out.reserve(s.size());
    size_t i = 0;
    while (i < s.size()) {
        auto b = static_cast<unsigned char>(s[i]);
        size_t len = utf8_sequence_length(s, i);
        if (len == 0 || b < 0x20 || b == 0x7F || (reversible && b == '\\') || (ascii_only && b >= 0x80)) {
            append_hex(out, b);
            ++i;
        } else if (is_display_control(s, i, len)) {
            for (size_t k = 0; k < len; ++k) append_hex(out, static_cast<unsigned char>(s[i + k]));
            i += len;
        } else {
            out.append(s.substr(i, len));
            i += len;
        }
    }
    return out;
}

}  // namespace

std::string escape_name(std::string_view bytes) { return escape(bytes, false, false); }

std::string escape_name_reversible(std::string_view bytes) { return escape(bytes, true, false); }

std::string escape_name_ascii(std::string_view bytes) { return escape(bytes, false, true); }

bool is_safe_name(std::string_view bytes) {
    for (char c : bytes) {
        auto b = static_cast<unsigned char>(c);
        if (b < 0x20 || b >= 0x7F) return escape_name(bytes) == bytes;
    }
    return true;
}

}  // namespace capinspect
