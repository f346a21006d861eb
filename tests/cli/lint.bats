#!/usr/bin/env bats
# The help text, the man page and the bash completion of each tool must agree: every
# option --help lists is documented and completed, and every column of the registry
# (-H) is in the man page and offered after -o.
load common

TOOLS=(pscap netcap filecap captest capinspect)

setup() {
    TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
}

# Long options named in a tool's --help.
help_options() {
    "$BIN/$1" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u
}

@test "every option in --help is in the man page and the bash completion" {
    for t in "${TOOLS[@]}"; do
        options=$(help_options "$t")
        [ -n "$options" ] || fail "$t --help lists no option"
        for o in $options; do
            grep -qF -- "${o//-/\\-}" "$TOP/man/$t.8" || fail "$t: $o is not in man/$t.8"
            grep -qF -- "$o" "$TOP/completions/bash/$t" || fail "$t: $o is not in completions/bash/$t"
        done
    done
}

@test "every documented long option exists in --help" {
    for t in "${TOOLS[@]}"; do
        options=$(help_options "$t")
        # Options the man page's OPTIONS section defines (lines like '.BR \-\-json').
        documented=$(sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$TOP/man/$t.8" |
            grep -E '^\.(B|BR|BI|TP|IP)' | grep -oE '\\-\\-[a-z][a-z\\-]+' | sed 's/\\//g' | sort -u)
        [ -n "$documented" ] || fail "$t: no option found in the OPTIONS section of its man page"
        for o in $documented; do
            grep -qx -- "$o" <<<"$options" || fail "$t: man page documents $o, --help does not list it"
        done
    done
}

@test "every man page says the default layout is for compatibility, scripts should prefer JSON" {
    for t in "${TOOLS[@]}"; do
        grep -q 'should prefer' "$TOP/man/$t.8" || fail "man/$t.8 does not point scripts to --output/--json"
    done
}

@test "every column of the registry is in the man page" {
    for t in pscap netcap filecap; do
        columns=$("$BIN/$t" -H | awk '{print $1}')
        [ -n "$columns" ] || fail "$t -H lists no column"
        for c in $columns; do
            grep -qE "^\.B[RI]? $c( |$)" "$TOP/man/$t.8" || fail "$t: column $c is not in man/$t.8"
        done
    done
}

@test "every tool answers --help and --version on stdout with exit 0" {
    for t in "${TOOLS[@]}"; do
        run --separate-stderr "$BIN/$t" --help
        assert_success
        [ -z "$stderr" ]
        assert_line --index 0 'Usage:'
        run --separate-stderr "$BIN/$t" --version
        assert_success
        assert_output --regexp "^$t from capinspect [0-9.]+$"
    done
}

@test "every man page is clean under man --warnings in the C locale and in UTF-8, and mandoc -T lint" {
    command -v man >/dev/null || skip "man is not installed"
    command -v mandoc >/dev/null || skip "mandoc is not installed"
    local page warnings
    for page in "$TOP"/man/*.[0-9]; do
        # The C locale makes man format for ASCII, where groff lacks many glyphs.
        warnings=$(LC_ALL=C man --warnings -l "$page" 2>&1 >/dev/null)
        [ -z "$warnings" ] || fail "${page##*/} under man --warnings in the C locale: $warnings"
        warnings=$(LC_ALL=C.UTF-8 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null)
        [ -z "$warnings" ] || fail "${page##*/} under man --warnings in UTF-8: $warnings"
        run mandoc -T lint "$page"
        assert_success
        assert_output ''
    done
}
