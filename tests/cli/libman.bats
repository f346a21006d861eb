#!/usr/bin/env bats
# libcapinspect(3): the page is lint-clean, names every public header, and its EXAMPLE
# compiles against the built library and runs.
load common

TOP="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
PAGE="$TOP/man/libcapinspect.3"

@test "libcapinspect.3 is lint-clean (man --warnings, mandoc -T lint)" {
    command -v mandoc >/dev/null || skip "mandoc not installed"
    run bash -c "man --warnings -E UTF-8 -l '$PAGE' 2>&1 >/dev/null"
    assert_success
    assert_output ""
    run mandoc -T lint "$PAGE"
    assert_success
    assert_output ""
}

@test "libcapinspect.3 mentions every public header" {
    local h name missing=()
    for h in "$TOP"/lib/include/capinspect/*.h; do
        name="$(basename "$h")"
        [ "$name" = export.h ] && continue
        grep -qF "$name" "$PAGE" || missing+=("$name")
    done
    [ "${#missing[@]}" -eq 0 ] || fail "not in the page: ${missing[*]}"
}

@test "libcapinspect.3 EXAMPLE compiles and runs" {
    local lib="$CAPINSPECT_BUILD/lib/libcapinspect.a"
    [ -f "$lib" ] || skip "no $lib"
    command -v c++ >/dev/null || skip "no c++"
    local src="$BATS_TEST_TMPDIR/example.cpp" exe="$BATS_TEST_TMPDIR/example"
    sed -n '/^\.EX$/,/^\.EE$/p' "$PAGE" | sed -e '/^\.EX$/d' -e '/^\.EE$/d' \
        -e 's/\\-/-/g' -e 's/\\(aq/'"'"'/g' -e 's/\\&//g' -e 's/\\e/\\/g' >"$src"
    [ -s "$src" ] || fail "no EXAMPLE between .EX and .EE"
    grep -q 'int main' "$src" || fail "the EXAMPLE has no main"
    # shellcheck disable=SC2046
    # A sanitizer build of the library needs its runtime in the program too.
    # C++17: the oldest standard the headers support (libcapinspect(3)).
    run c++ -std=c++17 ${SANITIZE:+-fsanitize=$SANITIZE} -I"$TOP/lib/include" -o "$exe" "$src" "$lib" \
        $(pkg-config --libs libcap libmnl libcap-ng)
    assert_success
    run "$exe"
    assert_success
}
