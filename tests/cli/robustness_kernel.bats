#!/usr/bin/env bats
# Races and missing privileges, on the real kernel (root): processes that vanish while
# the tools read them, an unprivileged caller, and /proc mounted with hidepid.
load common

setup() {
    require_root
    NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all)
}

teardown() {
    if [ -n "${CHURN_PID:-}" ] && kill -0 "$CHURN_PID" 2>/dev/null; then
        kill "$CHURN_PID"
        wait "$CHURN_PID" || true
    fi
}

# The tool's stderr lines on a quiet system: a warning that is always there here (pid 1
# of this machine refuses ptrace access even to root) is not spurious.
baseline() {
    "$@" 2>&1 >/dev/null | sed 's/[0-9][0-9]* process\(es\)\?/N processes/' | sort -u
}

@test "pscap, pscap --tree, netcap and their JSON under process churn: exit 0, no new error" {
    local tools=("$BIN/pscap" "$BIN/pscap --tree" "$BIN/pscap -T -J --output-all" "$BIN/netcap" "$BIN/netcap -J --output-all")
    declare -A quiet
    for t in "${tools[@]}"; do quiet[$t]=$(baseline $t); done
    "$HELPERS/churn" 12 > "$BATS_TEST_TMPDIR/churn.out" &
    CHURN_PID=$!
    sleep 0.5
    local runs=0 end=$((SECONDS + 6))
    # At least two rounds of every tool, however slow a loaded machine makes them.
    while { [ $SECONDS -lt $end ] || [ $runs -lt 10 ]; } && [ $runs -lt 400 ]; do
        for t in "${tools[@]}"; do
            run --separate-stderr timeout 20 $t
            [ "$status" -eq 0 ] || fail "$t exited $status: $stderr"
            local now
            now=$(printf '%s\n' "$stderr" | sed '/^$/d; s/[0-9][0-9]* process\(es\)\?/N processes/' | sort -u)
            if [ -n "$now" ]; then
                extra=$(comm -13 <(printf '%s\n' "${quiet[$t]}") <(printf '%s\n' "$now"))
                [ -z "$extra" ] || fail "$t: spurious stderr under churn: $extra"
            fi
            case $t in *-J*) python3 -c 'import json,sys; json.load(sys.stdin)' <<<"$output" ;; esac
            runs=$((runs + 1))
        done
    done
    wait "$CHURN_PID"
    CHURN_PID=
    grep -q '^done [1-9]' "$BATS_TEST_TMPDIR/churn.out"
    [ "$runs" -ge 10 ]
}

@test "unprivileged pscap: the report, and the namespace checks it could not make counted" {
    run --separate-stderr "${NOBODY[@]}" "$BIN/pscap"
    assert_success
    # Status files are world-readable: the same processes as root sees (minus churn).
    assert_line --index 0 'ppid    pid     uid              command         capabilities'
    [[ "$stderr" =~ "pscap: the user namespace of "[0-9]+" process"(es)?" could not be checked: Permission denied" ]]
}

@test "unprivileged pscap with cap_sys_ptrace sees every namespace it may trace" {
    run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
        --inh-caps=+sys_ptrace --ambient-caps=+sys_ptrace "$BIN/pscap" -o PID,CHILD_USERNS
    assert_success
    quiet=$(baseline "$BIN/pscap")
    # Only what root itself cannot see may be missing.
    [ "$(printf '%s\n' "$stderr" | sed 's/[0-9][0-9]* process\(es\)\?/N processes/' | sort -u)" = "$quiet" ] ||
        [ -z "$stderr" ]
}

@test "unprivileged netcap: libcap-ng's hint plus a count, exit 0" {
    run --separate-stderr "${NOBODY[@]}" "$BIN/netcap"
    assert_success
    assert_output ''
    [[ "$stderr" == *"You may need to be root to get a full report"* ]]
    [[ "$stderr" =~ "netcap: the open files of "[0-9]+" process"(es)?" could not be read: Permission denied" ]]
}

@test "hidepid=invisible: pscap says the view is partial" {
    run --separate-stderr unshare -m --propagation private sh -c \
        'mount -t proc -o hidepid=invisible proc /proc && exec "$@"' sh "${NOBODY[@]}" "$BIN/pscap"
    assert_success
    assert_output ''
    [[ "$stderr" == *"pscap: /proc is mounted with hidepid=invisible: processes of other users are not visible"* ]]
}

@test "hidepid=noaccess: unreadable processes are counted with the reason" {
    run --separate-stderr unshare -m --propagation private sh -c \
        'mount -t proc -o hidepid=noaccess proc /proc && exec "$@"' sh "${NOBODY[@]}" "$BIN/pscap"
    assert_success
    [[ "$stderr" =~ "pscap: "[0-9]+" processes could not be read: "(Permission denied|Operation not permitted) ]]
    [[ "$stderr" == *"hidepid=noaccess"* ]]
    # root with CAP_SYS_PTRACE is not hidden from: no hidepid warning
    run --separate-stderr unshare -m --propagation private sh -c \
        'mount -t proc -o hidepid=invisible proc /proc && exec "$@"' sh "$BIN/pscap"
    assert_success
    [[ "$stderr" != *hidepid* ]]
    assert_line --index 0 'ppid    pid     uid              command         capabilities'
}

@test "output failures: a closed pipe ends quietly, a full disk is an error" {
    for t in pscap netcap; do
        run bash -c 'set -o pipefail; "$0" 2>&1 | head -1 >/dev/null; echo "rc=${PIPESTATUS[0]}"' "$BIN/$t"
        assert_output --regexp 'rc=(0|141)'
    done
    run bash -c '"$0" -o PID >/dev/full' "$BIN/pscap"
    assert_failure 1
    assert_output --partial 'pscap: write error: No space left on device'
}
