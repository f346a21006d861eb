#!/usr/bin/env bats
# A scan that could read nothing at all is not "nothing found": it exits with 2 (a partial
# result stays 0, with its shortfall on stderr).

load common

# A sanitizer's runtime needs descriptors of its own (it checks memory through a pipe): with
# five, it reports errors that are not there.
skip_if_sanitized() {
    if sanitized "$BIN/$1"; then
        skip "a sanitizer's runtime needs more than five descriptors"
    fi
}

@test "pscap and netcap: every process unreadable (too few descriptors): exit 2, said on stderr" {
    skip_if_sanitized pscap
    local tool
    for tool in pscap netcap "netcap --advanced"; do
        # bats holds descriptors of its own: close them, so that 5 leaves two free
        run --separate-stderr sh -c 'for fd in 3 4 5 6 7 8 9; do eval "exec $fd>&-"; done; ulimit -n 5; exec "$@"' \
            sh "$BIN/"$tool
        [ "$status" -eq 2 ] || fail "$tool: exit $status ($stderr)"
        assert_output ''
        [[ "$stderr" == *"could not be read: Too many open files"* ]] || fail "$tool: $stderr"
    done
}

@test "pscap and netcap on a saved tree none of whose processes can be read: exit 2" {
    local t=$BATS_TEST_TMPDIR/proc pid
    cp -a "$FIXTURES/proc-net" "$t"
    for pid in "$t"/[0-9]*; do
        rm -f "$pid/status"
        ln -s /nonexistent "$pid/status"
    done
    run --separate-stderr "$BIN/pscap" --proc-root "$t"
    assert_failure 2
    [[ "$stderr" == *"processes could not be read: Too many levels of symbolic links"* ]]
    run --separate-stderr "$BIN/netcap" --proc-root "$t"
    assert_failure 2
    # one readable process is a partial result: exit 0
    cp "$FIXTURES/proc-net/100/status" "$t/100/status.new" && mv "$t/100/status.new" "$t/100/status"
    run --separate-stderr "$BIN/pscap" --proc-root "$t"
    assert_success
}

@test "capinspect snapshot and verify reading no process: exit 2, no document, said on stderr" {
    skip_if_sanitized capinspect
    local args
    for args in "snapshot --no-files" "verify --baseline $FIXTURES/snapshots/base.json"; do
        # shellcheck disable=SC2086
        run --separate-stderr sh -c 'for fd in 3 4 5 6 7 8 9; do eval "exec $fd>&-"; done; ulimit -n 5; exec "$@"' \
            sh "$BIN/capinspect" $args
        [ "$status" -eq 2 ] || fail "$args: exit $status ($stderr)"
        assert_output ''
        [[ "$stderr" == *": Too many open files" ]] || fail "$args: $stderr"
    done
}

@test "filecap: every directory to search refused: exit 2; one read, the rest refused: 0" {
    [ "$(id -u)" -eq 0 ] || skip "needs root to take another user's identity"
    # (under /tmp: bats' own directories are closed to other users)
    T=$(mktemp -d /tmp/capinspect-nothing.XXXXXX)
    local t=$T/tree
    local as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --bounding-set=-all)
    mkdir -p "$t/sub" "$t/other"
    chmod 711 "$T"
    chmod 700 "$t"
    run --separate-stderr "${as_nobody[@]}" "$BIN/filecap" "$t"
    assert_failure 2
    assert_output ''
    [ "$stderr" = "filecap: cannot read directory $t: Permission denied" ]
    run --separate-stderr "${as_nobody[@]}" "$BIN/filecap" -J "$t"
    assert_failure 2
    # the top read, a directory below refused: a partial result
    chmod 755 "$t"
    chmod 700 "$t/sub"
    run --separate-stderr "${as_nobody[@]}" "$BIN/filecap" "$t"
    assert_success
    [ "$stderr" = "filecap: cannot read directory $t/sub: Permission denied" ]
    # a directory that does not exist is nothing found, not nothing read
    run --separate-stderr "$BIN/filecap" "$t/other"
    assert_success
}

teardown() {
    [ -z "${T:-}" ] || rm -rf "$T"
}
