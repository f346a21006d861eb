// Safe display of untrusted bytes (command names, file names, interface names).
// The kernel lets these hold any byte but NUL (and '/' for file names); printed raw they
// can move the cursor, rewrite the screen or forge rows. One rule for every tool.
#pragma once
#include <string>
#include <string_view>

#include <capinspect/export.h>

namespace capinspect {

// libcap-ng 0.9.5's rule, extended: bytes below 0x20, 0x7F, every byte that is not part of
// valid UTF-8, and the bytes of the characters that change the display of their
// neighbours (the C1 controls U+0080..U+009F, which some terminals obey; the
// bidirectional controls U+202A..U+202E and U+2066..U+2069; the separators U+2028 and
// U+2029) become "\xHH" (upper-case hex). Other bytes, including valid UTF-8, stay.
CAPINSPECT_API std::string escape_name(std::string_view bytes);

// The same, and a backslash becomes "\x5C", so that replacing every "\xHH" by the byte
// HH gives back the original bytes exactly. Used where names must round-trip (JSON).
CAPINSPECT_API std::string escape_name_reversible(std::string_view bytes);

// The same, and every byte from 0x80 up too: for a terminal (a locale) whose character
// set is not UTF-8, where no multibyte text can be shown or measured.
CAPINSPECT_API std::string escape_name_ascii(std::string_view bytes);

// True when escape_name() would change nothing.
CAPINSPECT_API bool is_safe_name(std::string_view bytes);

}  // namespace capinspect
