#!/usr/bin/env bats
# A failed write to stdout, in every output mode of every tool: a full disk is one line
# "TOOL: write error: REASON" and exit 1; a closed pipe is a quiet exit 1. Never an abort
# (an uncaught exception gave exit 134 and "terminate called ..." in JSON and column mode).

load common

setup_file() {
    # A proc tree whose output passes the stdio and pipe buffers in any mode: a holder of
    # a socket with a 256 KiB command name (a saved tree may hold one).
    export BIG="$BATS_FILE_TMPDIR/proc"
    cp -a "$FIXTURES/proc-net" "$BIG"
    { printf 'Name:\t'; head -c 262144 /dev/zero | tr '\0' N; echo; grep -v '^Name:' "$FIXTURES/proc-net/203/status"; } \
        >"$BIG/203/status.new"
    mv "$BIG/203/status.new" "$BIG/203/status"
}

# full TOOL ARGS...: TOOL writing to /dev/full.
full() {
    run --separate-stderr "$BIN/$1" "${@:2}"
    [ "$status" -eq 0 ] || fail "$*: exit $status before the write test: $stderr"
    run --separate-stderr bash -c '"$@" >/dev/full' sh "$BIN/$1" "${@:2}"
    [ "$status" -eq 1 ] || fail "$* >/dev/full: exit $status ($stderr)"
    [[ "$stderr" == *"$1: write error: No space left on device"* ]] || fail "$* >/dev/full: $stderr"
    [[ "$stderr" != *terminate* ]] || fail "$*: $stderr"
}

# closed TOOL ARGS...: TOOL writing to a pipe whose reader quit after one line, SIGPIPE
# ignored (as under many service managers): quiet, exit 1.
closed() {
    run --separate-stderr bash -c 'trap "" PIPE; "$@" | head -1 >/dev/null; exit "${PIPESTATUS[0]}"' sh "$BIN/$1" "${@:2}"
    [ "$status" -eq 1 ] || fail "$* | head -1: exit $status ($stderr)"
    [[ "$stderr" != *"write error"* && "$stderr" != *terminate* ]] || fail "$* | head -1: $stderr"
}

@test "pscap: a full disk and a closed pipe in every output mode" {
    for mode in "" "-a --tree" "-a -J" "-a -o PID,COMMAND" "-a -r -o PID" "-a --tree -J" "-H -J" "--help"; do
        full pscap --proc-root "$BIG" $mode
    done
    for mode in "" "-a -J" "-a -o PID,COMMAND" "-a --tree"; do
        closed pscap --proc-root "$BIG" $mode
    done
}

@test "netcap: a full disk and a closed pipe in every output mode" {
    for mode in "" "-J" "-o PID,COMMAND" "-H -J"; do
        full netcap --proc-root "$BIG" $mode
    done
    for mode in "" "-J" "-o PID,COMMAND"; do
        closed netcap --proc-root "$BIG" $mode
    done
}

@test "filecap: a full disk and a closed pipe in every output mode" {
    require_root
    command -v setcap >/dev/null || skip "setcap is not installed"
    local d=$BATS_TEST_TMPDIR/files i
    mkdir "$d"
    cp /bin/true "$d/f0"
    setcap cap_net_raw+ep "$d/f0"
    for i in $(seq 1 1500); do ln "$d/f0" "$d/file-with-a-long-name-to-fill-the-buffers-$i"; done
    for mode in "" "-J" "-o PATH,SET" "-r -o PATH"; do
        full filecap $mode "$d"
        closed filecap $mode "$d"
    done
}

@test "captest: a full disk" {
    full captest --json
    full captest --text
}
