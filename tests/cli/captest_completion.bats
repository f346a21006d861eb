#!/usr/bin/env bats
# The bash completion of captest (completions/bash/captest) and the lint of its man page.
load common

TOP="$BATS_TEST_DIRNAME/../.."

setup() {
    PATH="$BIN:$PATH"
    source "$TOP/completions/bash/captest"
}

# complete_words WORD... : completes the last word as bash would (cursor at the end).
complete_words() {
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _captest "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
}

# reply_is CANDIDATE... : COMPREPLY holds exactly these candidates, in any order.
reply_is() {
    local got want
    got=$(printf '%s\n' "${COMPREPLY[@]}" | sort)
    want=$(printf '%s\n' "$@" | sort)
    if [ "$got" != "$want" ]; then
        echo "expected: $* -- got: ${COMPREPLY[*]}" >&2
        return 1
    fi
}

# The options of `captest --help`, one per line.
help_options() {
    captest --help | grep -oE '(^|[ ,])--?[a-zA-Z][a-zA-Z-]*' | tr -d ' ,' | sort -u
}

@test "completion: the built captest is the one on PATH, and it is registered" {
    [ "$(command -v captest)" = "$BIN/captest" ]
    run complete -p captest
    [ "$status" -eq 0 ]
    [ "$output" = "complete -F _captest captest" ]
}

@test "completion: an empty word and - offer exactly the options of --help" {
    local -a opts
    mapfile -t opts < <(help_options)
    [ "${#opts[@]}" -eq 17 ]
    complete_words captest ''
    reply_is "${opts[@]}"
    complete_words captest -
    reply_is "${opts[@]}"
}

@test "completion: prefixes" {
    complete_words captest --d
    reply_is --drop-all --drop-caps
    complete_words captest --i
    reply_is --id --init-grp
    complete_words captest --f
    reply_is --fail-if-escalation
    complete_words captest --te
    reply_is --text
    complete_words captest x
    reply_is
}

@test "completion: options on the line are not offered again, nor their other spelling" {
    complete_words captest --text -v --json --t
    reply_is
    complete_words captest --text --verbose -
    local c
    for c in "${COMPREPLY[@]}"; do
        [[ $c != --text && $c != -v && $c != --verbose ]] || { echo "offered $c" >&2; return 1; }
    done
    [ "${#COMPREPLY[@]}" -eq 14 ]
}

@test "man: captest.8 is clean under man --warnings" {
    command -v man >/dev/null || skip "man is not installed"
    local warnings
    warnings=$(man --warnings -E UTF-8 -l "$TOP/man/captest.8" 2>&1 >/dev/null)
    if [ -n "$warnings" ]; then
        echo "$warnings" >&2
        return 1
    fi
}

@test "man: captest.8 is clean under mandoc -T lint" {
    command -v mandoc >/dev/null || skip "mandoc is not installed"
    run mandoc -T lint "$TOP/man/captest.8"
    [ "$status" -eq 0 ]
    [ "$output" = '' ]
}

@test "man: every option of --help is documented, and the usage line is upstream's" {
    local opt page
    page=$(sed 's/\\-/-/g' "$TOP/man/captest.8")
    while read -r opt; do
        grep -qE "^\.(B|BR|TP|BI) .*$opt" <<<"$page" || { echo "$opt is not documented" >&2; return 1; }
    done < <(help_options)
    grep -qF 'usage: captest [ --ambient | --drop-all | --drop-caps | --id | --init-grp ] [ --lock ] [ --text ]' <<<"$page"
    run captest --bogus
    [ "$status" -eq 1 ]
    grep -qxF "$output" <<<"$page"
}
