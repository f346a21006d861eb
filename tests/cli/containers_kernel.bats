#!/usr/bin/env bats
# The tools inside a container: a new pid namespace with its own /proc (unshare -fp
# --mount-proc), where pid 2 and its children are ordinary processes, not kthreadd's
# kernel threads. Needs root. Everything started here lives inside the namespace, so it
# all ends when the namespace's pid 1 (the script) ends.

load common
bats_require_minimum_version 1.5.0

setup() {
    require_root
    command -v unshare >/dev/null || skip "unshare is not installed"
    SOCKHOLDER="$HELPERS/sockholder"
    [ -x "$SOCKHOLDER" ] || fail "$SOCKHOLDER is not built (make tests)"
}

# in_container: runs pscap and netcap in a fresh pid namespace whose pid 2 is a root
# listener (sockholder --fork, so pid 3 is its child sharing the socket). Prints
# "== pscap", pscap's output, "== netcap", netcap's output, "== json", pscap -J.
in_container() {
    local fifo="$BATS_TEST_TMPDIR/in" out="$BATS_TEST_TMPDIR/holder.out"
    mkfifo "$fifo"
    timeout 60 unshare -fp --mount-proc bash -c '
        sockholder=$1 bin=$2 fifo=$3 out=$4
        # The first child of pid 1 is pid 2: it blocks on the FIFO until we open it.
        "$sockholder" --tcp 127.0.0.1:0 --fork -- --comm inner_srv <"$fifo" >"$out" 2>&1 &
        exec 3>"$fifo"
        for i in $(seq 100); do [ "$(grep -c "^ready" "$out")" -ge 2 ] && break; sleep 0.05; done
        echo "== holder"; cat "$out"
        echo "== pscap"; "$bin/pscap"
        echo "== netcap"; "$bin/netcap"
        echo "== json"; "$bin/pscap" -J -o PID,PPID,COMMAND
        exec 3>&-
        wait
    ' sh "$SOCKHOLDER" "$BIN" "$fifo" "$out"
}

@test "pid namespace: pid 2 and its children are processes, in pscap and netcap" {
    run --separate-stderr in_container
    assert_success
    [ -z "$stderr" ] || fail "stderr: $stderr"
    assert_line 'ready 2'
    child=$(awk '$1 == "child" { print $2 }' <<<"$output")
    [ -n "$child" ] || fail "no child line"
    # pscap: pid 2 (a child of the namespace's pid 1) and its child
    assert_line --regexp '^1 +2 +root +inner_srv +[a-z_, ]+ \+$'
    assert_line --regexp "^2 +$child +root +inner_srv +[a-z_, ]+ \\+\$"
    # netcap: both hold the listener
    assert_line --regexp '^1 +2 +root +inner_srv +tcp +[0-9]+ +[a-z_, ]+ \+$'
    assert_line --regexp "^2 +$child +root +inner_srv +tcp +[0-9]+ +[a-z_, ]+ \\+\$"
    json=$(sed -n '/^== json$/,$p' <<<"$output" | tail -n +2)
    python3 - "$json" "$child" <<'PY'
import json, sys
procs = json.loads(sys.argv[1])["processes"]
by_pid = {p["pid"]: p for p in procs}
assert by_pid[2]["ppid"] == 1 and by_pid[2]["command"] == "inner_srv", by_pid
assert by_pid[int(sys.argv[2])]["ppid"] == 2, by_pid
PY
}
