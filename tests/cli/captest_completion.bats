#!/usr/bin/env bats
# The bash completion of captest (completions/bash/captest) and the lint of its man page.
load common
load completion

setup() {
    use_completion captest
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

@test "man: every option of --help is documented, and how bad usage is said" {
    local opt page
    page=$(sed 's/\\-/-/g' "$TOP/man/captest.8")
    while read -r opt; do
        grep -qE "^\.(B|BR|TP|BI) .*$opt" <<<"$page" || { echo "$opt is not documented" >&2; return 1; }
    done < <(help_options)
    # bad usage is said the util-linux way, and the page says so
    run --separate-stderr captest --bogus
    [ "$status" -eq 1 ]
    [ "$(sed -n 2p <<<"$stderr")" = "Try 'captest --help' for more information." ]
    grep -qF "Try 'captest --help' for more information." <<<"$page"
}
