#!/usr/bin/env bats
# Every command README.md shows (a "$ " line in a console block) runs with the built tools
# as it is written: no unknown option or column, the exit status it promises, and where the
# README shows output below the command, the real output has the same header.

load common

README=$BATS_TEST_DIRNAME/../../README.md

setup() {
    require_root
    T=$(mktemp -d /tmp/capinspect-readme.XXXXXX)
    cp /bin/true "$T/server"
}

teardown() {
    rm -rf "$T"
}

# The "$ " lines of the console blocks, one per line, each followed by the first line of
# output shown below it (or nothing), separated by a tab.
examples() {
    awk '
        /^```console/ { inblock = 1; next }
        /^```/ { if (cmd != "") print cmd "\t"; inblock = 0; cmd = ""; next }
        !inblock { next }
        /^\$ / { if (cmd != "") print cmd "\t"; cmd = substr($0, 3); next }
        cmd != "" { print cmd "\t" $0; cmd = "" }
    ' "$README"
}

@test "README: every example command runs as written, with the header it shows" {
    local line cmd shown ran=0 skipped=()
    while IFS=$'\t' read -r cmd shown; do
        case $cmd in
        systemd-run*)
            # needs systemd as PID 1 (the unit tests boot one); the options are captest's own
            [ "$(cat /proc/1/comm)" = systemd ] || { skipped+=("$cmd"); continue; } ;;
        esac
        # the README's placeholders: a binary to write to, a user that exists
        cmd=${cmd//\/usr\/local\/bin\/server/$T/server}
        cmd=${cmd//-u cloudsdk/-u root}
        run --separate-stderr env PATH="$BIN:$PATH" bash -o pipefail -c "$cmd"
        case $cmd in
        *--fail-if-escalation*) [ "$status" -eq 0 ] || [ "$status" -eq 2 ] || fail "$cmd: exit $status" ;;
        *) [ "$status" -eq 0 ] || fail "$cmd: exit $status: $stderr" ;;
        esac
        ! grep -Eq "unknown column|unrecognized option|invalid option|requires an argument|unexpected argument|Try '" \
            <<<"$stderr" || fail "$cmd: $stderr"
        # a header shown below the command is the program's (the same words; the widths
        # follow the rows)
        if [ -n "$shown" ] && [ -n "$output" ]; then
            [ "$(echo ${lines[0]})" = "$(echo $shown)" ] || fail "$cmd: shows '$shown', prints '${lines[0]}'"
        fi
        ran=$((ran + 1))
    done < <(examples)
    # the parse found the examples (pscap, filecap, netcap, captest: 19 commands)
    [ "$ran" -ge 17 ] || fail "only $ran examples ran"
    [ "${#skipped[@]}" -le 1 ] || fail "skipped: ${skipped[*]}"
    # the file written by the examples ends without capabilities ("none")
    [ -z "$(getcap "$T/server")" ]
}
