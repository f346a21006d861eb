#!/usr/bin/env bats
# Every command of ours README.md shows (a "$ " line in a console block) runs with the
# built tools as it is written: no unknown option or column, the exit status it promises,
# and where the README shows a table below the command, the real table has its header.

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
        systemd-run* | "capinspect unit"*)
            # need systemd as PID 1 (capinspect_unit.bats boots one)
            [ "$(cat /proc/1/comm)" = systemd ] || { skipped+=("$cmd"); continue; } ;;
        pscap* | filecap* | netcap* | captest* | capinspect* | setpriv*) ;;
        *) continue ;;  # echo $?, ansible-playbook: not ours
        esac
        # the README's placeholders: a binary to write to, a user and a process that exist
        cmd=${cmd//\/usr\/local\/bin\/server/$T/server}
        cmd=${cmd//-u cloudsdk/-u root}
        cmd=${cmd//explain 50/explain 1}
        run --separate-stderr env PATH="$BIN:$PATH" bash -o pipefail -c "cd '$T' && $cmd"
        case $cmd in
        *--fail-if-escalation*) [ "$status" -eq 0 ] || [ "$status" -eq 2 ] || fail "$cmd: exit $status" ;;
        # the machine may have changed since the baseline: 1 is a finding, not an error
        "capinspect verify"* | "capinspect unit"*) [ "$status" -le 1 ] || fail "$cmd: exit $status: $stderr" ;;
        *) [ "$status" -eq 0 ] || fail "$cmd: exit $status: $stderr" ;;
        esac
        ! grep -Eq "unknown column|unrecognized option|invalid option|requires an argument|unexpected argument|Try '" \
            <<<"$stderr" || fail "$cmd: $stderr"
        # a header shown below the command is the program's (the same words; the widths
        # follow the rows)
        if [[ $cmd == @(pscap|filecap|netcap)* ]] && [ -n "$shown" ] && [ -n "$output" ]; then
            [ "$(echo ${lines[0]})" = "$(echo $shown)" ] || fail "$cmd: shows '$shown', prints '${lines[0]}'"
        fi
        ran=$((ran + 1))
    done < <(examples)
    # the parse found the examples (the four tools: 19 commands; capinspect: 6)
    [ "$ran" -ge 22 ] || fail "only $ran examples ran"
    [ "${#skipped[@]}" -le 2 ] || fail "skipped: ${skipped[*]}"
    [ -s "$T/baseline.json" ]
    # the file written by the examples ends without capabilities ("none")
    [ -z "$(getcap "$T/server")" ]
}
