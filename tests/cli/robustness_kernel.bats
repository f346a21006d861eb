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
            case $t in *" -J "*) python3 -c 'import json,sys; json.load(sys.stdin)' <<<"$output" ;; esac
            runs=$((runs + 1))
        done
    done
    wait "$CHURN_PID"
    CHURN_PID=
    grep -q '^done [1-9]' "$BATS_TEST_TMPDIR/churn.out"
    [ "$runs" -ge 10 ]
    echo "# $runs tool runs beside $(sed -n 's/^done //p' "$BATS_TEST_TMPDIR/churn.out") short-lived processes" >&3
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
    # nobody owns no other process: every one is refused, so nothing was read at all (exit 2)
    run --separate-stderr unshare -m --propagation private sh -c \
        'mount -t proc -o hidepid=noaccess proc /proc && exec "$@"' sh "${NOBODY[@]}" "$BIN/pscap"
    assert_failure 2
    [[ "$stderr" =~ "pscap: "[0-9]+" processes could not be read: "(Permission denied|Operation not permitted) ]]
    [[ "$stderr" == *"hidepid=noaccess"* ]]
    # root with CAP_SYS_PTRACE is not hidden from: no hidepid warning
    run --separate-stderr unshare -m --propagation private sh -c \
        'mount -t proc -o hidepid=invisible proc /proc && exec "$@"' sh "$BIN/pscap"
    assert_success
    [[ "$stderr" != *hidepid* ]]
    assert_line --index 0 'ppid    pid     uid              command         capabilities'
}

@test "hidepid=invisible: netcap, netcap --advanced and captest say what they cannot see" {
    for t in "netcap" "netcap -J" "netcap --advanced"; do
        run --separate-stderr unshare -m --propagation private sh -c \
            'mount -t proc -o hidepid=invisible proc /proc && exec "$@"' sh "${NOBODY[@]}" $BIN/$t
        assert_success
        [[ "$stderr" == *"netcap: /proc is mounted with hidepid=invisible: processes of other users are not visible"* ]] ||
            fail "$t: no hidepid line: $stderr"
    done
    # captest reads only its own process, which hidepid never hides: the same report
    run --separate-stderr unshare -m --propagation private sh -c \
        'mount -t proc -o hidepid=invisible proc /proc && exec "$@"' sh "${NOBODY[@]}" "$BIN/captest" --text
    assert_success
    local hidden=$output
    run --separate-stderr "${NOBODY[@]}" "$BIN/captest" --text
    assert_success
    assert_equal "$hidden" "$output"
    # root with CAP_SYS_PTRACE is not hidden from: no hidepid line
    run --separate-stderr unshare -m --propagation private sh -c \
        'mount -t proc -o hidepid=invisible proc /proc && exec "$@"' sh "$BIN/netcap"
    assert_success
    [[ "$stderr" != *hidepid* ]]
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

@test "filecap walking a tree while it is changed under it: exit 0, no error, the stable files every time" {
    local t=$BATS_TEST_TMPDIR/walk
    mkdir -p "$t/stable/deep/er" "$t/churn"
    cp /bin/true "$t/stable/a" && setcap cap_net_raw+ep "$t/stable/a"
    cp /bin/true "$t/stable/deep/er/b" && setcap cap_kill+p "$t/stable/deep/er/b"
    run --separate-stderr "$BIN/filecap" "$t"
    assert_success
    local stable=("${lines[@]:1}")
    assert_equal "${#stable[@]}" 2
    "$HELPERS/treechurn" "$t/churn" 8 > "$BATS_TEST_TMPDIR/treechurn.out" &
    CHURN_PID=$!
    sleep 0.5
    local tools=("$BIN/filecap $t" "$BIN/filecap -j1 $t" "$BIN/filecap -j8 $t" "$BIN/filecap -J -o PATH,PERMITTED $t")
    local runs=0 end=$((SECONDS + 6)) found=0
    while { [ $SECONDS -lt $end ] || [ $runs -lt 20 ]; } && [ $runs -lt 2000 ]; do
        for c in "${tools[@]}"; do
            run --separate-stderr timeout 20 $c
            [ "$status" -eq 0 ] || fail "$c exited $status: $stderr"
            [ -z "$stderr" ] || fail "$c: spurious stderr under churn: $stderr"
            case $c in
            *" -J "*)  # the option, not a "-J" inside the temporary path
                python3 - "$output" "$t" <<'PY' || fail "$c: bad JSON or a stable file missing: $output"
import json, sys
paths = {f["path"] for f in json.loads(sys.argv[1])["files"]}
assert {sys.argv[2] + "/stable/a", sys.argv[2] + "/stable/deep/er/b"} <= paths, paths
PY
                ;;
            *)
                for l in "${stable[@]}"; do assert_line "$l"; done
                printf '%s\n' "${lines[@]:1}" | grep -qF " $t/churn/" && found=1
                ;;
            esac
            runs=$((runs + 1))
        done
    done
    wait "$CHURN_PID"
    CHURN_PID=
    grep -q '^done [1-9]' "$BATS_TEST_TMPDIR/treechurn.out"
    [ "$runs" -ge 20 ]
    echo "# $runs walks beside $(sed -n 's/^done //p' "$BATS_TEST_TMPDIR/treechurn.out") tree changes" >&3
    # the walks did meet the churn, not an empty directory
    [ "$found" -eq 1 ]
    # the helper removed what it made
    [ -z "$(ls -A "$t/churn")" ]
}

# swap_during CALL PATH COMMAND...: runs COMMAND stopped right after its first CALL (lstat
# or open) of PATH (tests/preload/pause_at.c), runs `swap` meanwhile, then lets it finish.
swap_during() {
    local call=$1 path=$2 flag=$BATS_TEST_TMPDIR/paused
    shift 2
    rm -f "$flag"
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
        PAUSE_CALL=$call PAUSE_PATH=$path PAUSE_FLAG=$flag \
        LD_PRELOAD="$CAPINSPECT_BUILD/tests/preload/pause_at.so" \
        "$@" > "$BATS_TEST_TMPDIR/swap.out" 2> "$BATS_TEST_TMPDIR/swap.err" &
    local pid=$! i
    for i in $(seq 500); do [ -e "$flag" ] && break; sleep 0.02; done
    [ -e "$flag" ] || { wait $pid; fail "$* never reached its $call of $path"; }
    swap
    rm -f "$flag"
    SWAP_STATUS=0
    wait $pid || SWAP_STATUS=$?
}

# What a file is: its content, capabilities, inode and change time.
fingerprint() {
    stat -c '%i %Z %s' "$1"
    sha256sum < "$1"
    getcap "$1"
}

@test "filecap write: a symlink swapped in between check and open is refused, its target untouched" {
    local t=$BATS_TEST_TMPDIR
    cp /bin/true "$t/victim"
    cp /bin/true "$t/target" && setcap cap_kill+p "$t/target"
    local before
    before=$(fingerprint "$t/target")
    swap() { mv "$t/victim" "$t/victim.orig" && ln -s "$t/target" "$t/victim"; }
    swap_during lstat "$t/victim" "$BIN/filecap" "$t/victim" net_raw sys_admin
    assert_equal "$SWAP_STATUS" 1
    assert_equal "$(cat "$t/swap.err")" "File changed during operation, refusing to continue"
    assert_equal "$(fingerprint "$t/target")" "$before"
    [ -z "$(getcap "$t/victim.orig")" ]
    # the same swap, for removal
    rm "$t/victim" && mv "$t/victim.orig" "$t/victim"
    swap_during lstat "$t/victim" "$BIN/filecap" "$t/victim" none
    assert_equal "$SWAP_STATUS" 1
    assert_equal "$(fingerprint "$t/target")" "$before"
}

@test "filecap write: another file, or a directory symlink above it, swapped in: refused, both untouched" {
    local t=$BATS_TEST_TMPDIR
    mkdir "$t/dir" "$t/other"
    cp /bin/true "$t/dir/victim"
    cp /bin/true "$t/other/victim" && setcap cap_kill+p "$t/other/victim"
    local before
    before=$(fingerprint "$t/other/victim")
    swap() { mv "$t/dir" "$t/dir.orig" && ln -s "$t/other" "$t/dir"; }
    swap_during lstat "$t/dir/victim" "$BIN/filecap" "$t/dir/victim" net_raw
    assert_equal "$SWAP_STATUS" 1
    assert_equal "$(cat "$t/swap.err")" "File changed during operation, refusing to continue"
    assert_equal "$(fingerprint "$t/other/victim")" "$before"
    [ -z "$(getcap "$t/dir.orig/victim")" ]
    rm "$t/dir" && mv "$t/dir.orig" "$t/dir"
    swap() { cp /bin/true "$t/new" && mv "$t/new" "$t/dir/victim"; }
    swap_during lstat "$t/dir/victim" "$BIN/filecap" "$t/dir/victim" net_raw
    assert_equal "$SWAP_STATUS" 1
    assert_equal "$(cat "$t/swap.err")" "File changed during operation, refusing to continue"
    [ -z "$(getcap "$t/dir/victim")" ]
}

@test "filecap write: a symlink swapped in after the open: the checked file is written, the target untouched" {
    local t=$BATS_TEST_TMPDIR
    cp /bin/true "$t/victim"
    cp /bin/true "$t/target"
    local before
    before=$(fingerprint "$t/target")
    swap() { mv "$t/victim" "$t/victim.orig" && ln -s "$t/target" "$t/victim"; }
    swap_during open "$t/victim" "$BIN/filecap" "$t/victim" net_raw
    assert_equal "$SWAP_STATUS" 0
    assert_equal "$(fingerprint "$t/target")" "$before"
    assert_equal "$(getcap "$t/victim.orig")" "$t/victim.orig cap_net_raw=ep"
}
