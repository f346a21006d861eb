#!/usr/bin/env bats
# pscap against the running kernel: processes put into a known capability state by the
# capholder helper, checked against libcap-ng 0.9.5's output (default layout) and against
# Debian's /usr/bin/pscap (libcap-ng 0.8.3). Needs root.
#
# Every holder is started in the background with its stdin on a FIFO that this shell
# keeps open; teardown closes the FIFOs (the holders then exit by themselves), waits for
# them, and kills only a holder that is still there, by its pid.

load common
load holders
bats_require_minimum_version 1.5.0

HEADER='ppid    pid     uid              command         capabilities'
HEADER_T='ppid    pid     tid     uid              command         capabilities'

setup() {
    require_root
    HOLDER_PIDS=()
    HOLDER_FDS=()
    CAPHOLDER="$HELPERS/capholder"
    [ -x "$CAPHOLDER" ] || fail "$CAPHOLDER is not built (make tests)"
    [ -x "$BIN/pscap" ] || fail "$BIN/pscap is not built (make all)"
}

teardown() {
    stop_holders
}

# start_holder NAME COMMAND... — runs COMMAND (capholder, possibly behind unshare) in the
# background and waits for its "ready" line. Sets HOLDER_PID (and HOLDER_TID if any).
start_holder() {
    local name=$1
    shift
    local dir="$BATS_TEST_TMPDIR/holder.$name"
    mkdir "$dir"
    mkfifo "$dir/in"
    "$@" <"$dir/in" >"$dir/out" 2>"$dir/err" 3>&- &
    local launched=$!
    HOLDER_PIDS+=("$launched")
    local fd
    exec {fd}>"$dir/in"
    HOLDER_FDS+=("$fd")
    local line="" i
    for ((i = 0; i < 200; i++)); do
        if IFS= read -r line <"$dir/out" && [[ $line == "ready "* ]]; then
            break
        fi
        line=""
        holder_alive "$launched" || break
        sleep 0.05
    done
    if [[ $line != "ready "* ]]; then
        fail "holder $name did not get ready: $(cat "$dir/err")"
    fi
    HOLDER_PID="" HOLDER_TID=""
    read -r _ HOLDER_PID HOLDER_TID <<<"$line"
    # unshare without --fork execs the holder: the reported pid is the one we started.
    assert_equal "$HOLDER_PID" "$launched"
}

ppid_of() {
    local stat
    stat=$(cat "/proc/$1/stat")
    stat=${stat##*) }
    local -a f
    read -r -a f <<<"$stat"
    printf '%s\n' "${f[1]}"
}

# libcap-ng 0.9.5's row: ppid pid account command capabilities.
row() {
    printf '%-7s %-7s %-16s %-15s %s' "$@"
}

# The same with --threads: ppid pid tid account command capabilities.
row_t() {
    printf '%-7s %-7s %-7s %-16s %-15s %s' "$@"
}

# A full run of pscap into $BATS_TEST_TMPDIR/full.out (stderr in full.err), exit status 0.
pscap_full() {
    local status=0
    "$BIN/pscap" "$@" >"$BATS_TEST_TMPDIR/full.out" 2>"$BATS_TEST_TMPDIR/full.err" || status=$?
    [ "$status" -eq 0 ] || fail "pscap $* exited $status: $(cat "$BATS_TEST_TMPDIR/full.err")"
}

# The row of PID in the last full run (empty if none).
full_row_of() {
    awk -v p="$1" 'NR > 1 && $2 == p' "$BATS_TEST_TMPDIR/full.out"
}

# Checks `pscap -p PID` (header + exactly that row) and the row of PID in a full run.
assert_pscap_row() {
    local pid=$1 expected=$2
    run "$BIN/pscap" -p "$pid"
    assert_success
    assert_equal "$output" "$HEADER"$'\n'"$expected"
    pscap_full
    assert_equal "$(head -n 1 "$BATS_TEST_TMPDIR/full.out")" "$HEADER"
    assert_equal "$(full_row_of "$pid")" "$expected"
}

# caps_by_layout LINE W1 S1 W2 S2 W3 S3 W4 S4 — prints "PID|COMMAND|CAPS" for a row made of
# four left-justified fields (width Wn, then Sn blanks) followed by the capabilities.
# The first three fields have no blanks and may overflow their width; the command is
# assumed to fit its column (the holders' names are short), so the capabilities start
# right after it; the command itself is that column with its trailing blanks removed.
caps_by_layout() {
    local line=$1
    shift
    local -a f
    read -r -a f <<<"$line"
    local off=0 i w s len
    for i in 0 1 2; do
        w=$1 s=$2
        shift 2
        len=${#f[i]}
        ((off += (len > w ? len : w) + s))
    done
    local cmd=${line:off:$1}
    off=$((off + $1 + $2))
    cmd=${cmd%"${cmd##*[! ]}"}
    printf '%s|%s|%s\n' "${f[1]}" "$cmd" "${line:off}"
}

@test "kernel: root with a partial set: net_bind_service, net_raw +" {
    start_holder a "$CAPHOLDER" --comm cap_part --caps net_bind_service,net_raw
    local pid=$HOLDER_PID
    assert_pscap_row "$pid" "$(row "$(ppid_of "$pid")" "$pid" root cap_part 'net_bind_service, net_raw +')"
    # the capabilities start in column 49 (0-based)
    local line
    line=$(full_row_of "$pid")
    assert_equal "${line:49}" 'net_bind_service, net_raw +'
}

@test "kernel: emptied bounding set: no ' +'" {
    start_holder b "$CAPHOLDER" --comm cap_nobnd --drop-bounding --caps net_admin,net_raw
    local pid=$HOLDER_PID
    run grep '^CapBnd:' "/proc/$pid/status"
    assert_output $'CapBnd:\t0000000000000000'
    assert_pscap_row "$pid" "$(row "$(ppid_of "$pid")" "$pid" root cap_nobnd 'net_admin, net_raw')"
}

@test "kernel: uid without passwd entry and ambient set: net_bind_service @ +" {
    ! getent passwd 4242 >/dev/null || skip "uid 4242 has a passwd entry here"
    start_holder c "$CAPHOLDER" --comm cap_amb --uid 4242 --caps net_bind_service --ambient net_bind_service
    local pid=$HOLDER_PID
    run grep -E '^(Uid|CapAmb):' "/proc/$pid/status"
    assert_output $'Uid:\t4242\t4242\t4242\t4242\nCapAmb:\t0000000000000400'
    assert_pscap_row "$pid" "$(row "$(ppid_of "$pid")" "$pid" 4242 cap_amb 'net_bind_service @ +')"
}

@test "kernel: child user namespace: full and the ' *' marker" {
    unshare -Ur true 2>/dev/null || skip "cannot create a user namespace here"
    start_holder d unshare -Ur "$CAPHOLDER" --comm cap_userns
    local pid=$HOLDER_PID
    assert_pscap_row "$pid" "$(row "$(ppid_of "$pid")" "$pid" root 'cap_userns *' 'full +')"

    start_holder d2 unshare -Ur "$CAPHOLDER" --comm cap_nsnobnd --drop-bounding
    pid=$HOLDER_PID
    assert_pscap_row "$pid" "$(row "$(ppid_of "$pid")" "$pid" root 'cap_nsnobnd *' 'full')"
}

@test "kernel: permitted but not effective: not shown, '[none +]' in the tree with -a" {
    start_holder e "$CAPHOLDER" --comm cap_prm --permitted-only net_raw
    local pid=$HOLDER_PID
    run grep -E '^Cap(Prm|Eff):' "/proc/$pid/status"
    assert_output $'CapPrm:\t0000000000002000\nCapEff:\t0000000000000000'

    run "$BIN/pscap" -p "$pid"
    assert_success
    assert_output ''
    pscap_full
    assert_equal "$(full_row_of "$pid")" ''
    run "$BIN/pscap" --tree -p "$pid"
    assert_success
    assert_output ''
    run "$BIN/pscap" --tree -a -p "$pid"
    assert_success
    assert_output "cap_prm($pid:root) [none +]"
}

@test "kernel: a thread whose sets differ: only with -T, with its tid" {
    start_holder f "$CAPHOLDER" --comm cap_thread --thread-caps net_raw
    local pid=$HOLDER_PID tid=$HOLDER_TID
    [ -n "$tid" ] && [ "$tid" != "$pid" ] || fail "no thread id: '$tid'"
    run grep '^CapEff:' "/proc/$pid/status" "/proc/$pid/task/$tid/status"
    assert_output "/proc/$pid/status:CapEff:	0000000000000000
/proc/$pid/task/$tid/status:CapEff:	0000000000002000"

    run "$BIN/pscap" -p "$pid"
    assert_success
    assert_output ''
    # /proc/TID opens although /proc does not list it: a thread id is not a process.
    run "$BIN/pscap" -T -p "$tid"
    assert_success
    assert_output ''
    run "$BIN/pscap" -T -p "$pid"
    assert_success
    assert_output "$HEADER_T"$'\n'"$(row_t "$(ppid_of "$pid")" "$pid" "$tid" root cap_thread 'net_raw +')"

    run --separate-stderr "$BIN/pscap" -T -J -p "$pid"
    assert_success
    PID=$pid TID=$tid python3 -c '
import json, os, sys
doc = json.loads(sys.stdin.read())
pid, tid = int(os.environ["PID"]), int(os.environ["TID"])
rows = doc["processes"]
hits = [r for r in rows if r.get("tid") == tid]
assert len(hits) == 1, rows
assert hits[0]["pid"] == pid, hits
assert hits[0]["effective"] == ["net_raw"], hits
assert hits[0]["permitted"] == ["net_raw"], hits
assert not [r for r in rows if r.get("tid") == pid], rows  # the leader has nothing
' <<<"$output"
}

@test "kernel: hostile command name is escaped, no raw control byte" {
    local comm
    comm=$(printf '%b' 'bad\x1bna\nme')
    start_holder g "$CAPHOLDER" --comm "$comm" --caps chown
    local pid=$HOLDER_PID
    run cat "/proc/$pid/comm"
    assert_output "$comm"
    assert_pscap_row "$pid" "$(row "$(ppid_of "$pid")" "$pid" root 'bad\x1Bna\x0Ame' 'chown +')"
    run "$BIN/pscap" -p "$pid"
    assert_equal "${#lines[@]}" 2
    run grep -c $'\x1b' "$BATS_TEST_TMPDIR/full.out"
    assert_output 0
    "$BIN/pscap" -p "$pid" | od -An -tx1 | { ! grep -qw 1b; } || fail "ESC in the output"
    run "$BIN/pscap" --tree -p "$pid"
    assert_output "bad\\x1Bna\\x0Ame($pid:root) [chown +]"
}

@test "kernel: column mode JSON of an ambient, no_new_privs holder" {
    local user
    user=$(getent passwd 65534 | cut -d: -f1)
    [ -n "$user" ] || skip "uid 65534 has no passwd entry here"
    start_holder h "$CAPHOLDER" --comm cap_nnp --uid 65534 --caps net_bind_service,net_raw \
        --ambient net_bind_service --nnp
    local pid=$HOLDER_PID bnd
    bnd=$(awk '$1 == "CapBnd:" { print $2 }' "/proc/$pid/status")
    local expected_bounding
    expected_bounding=$(capsh --decode="0x$bnd" | sed 's/^[^=]*=//; s/cap_//g')
    run --separate-stderr "$BIN/pscap" -J \
        -o PID,UID,USER,EFFECTIVE,PERMITTED,AMBIENT,BOUNDING,NO_NEW_PRIVS,CHILD_USERNS -p "$pid"
    assert_success
    assert_equal "$stderr" ''
    PID=$pid USERNAME=$user BOUNDING=$expected_bounding python3 -c '
import json, os, sys
doc = json.loads(sys.stdin.read())
rows = doc["processes"]
assert len(rows) == 1, rows
r = rows[0]
assert set(r) == {"pid", "uid", "user", "effective", "permitted", "ambient", "bounding",
                  "no_new_privs", "child_userns"}, r
assert r["pid"] == int(os.environ["PID"]), r
assert r["uid"] == 65534, r
assert r["user"] == os.environ["USERNAME"], r
assert r["effective"] == ["net_bind_service", "net_raw"], r
assert r["permitted"] == ["net_bind_service", "net_raw"], r
assert r["ambient"] == ["net_bind_service"], r
assert r["bounding"] == os.environ["BOUNDING"].split(","), (r["bounding"], os.environ["BOUNDING"])
assert r["no_new_privs"] is True, r
assert r["child_userns"] is False, r
' <<<"$output"
    # and the default output of the same holder
    assert_pscap_row "$pid" "$(row "$(ppid_of "$pid")" "$pid" "$user" cap_nnp 'net_bind_service, net_raw @ +')"
}

@test "kernel: same (pid, command, capabilities) as Debian's pscap 0.8.3" {
    [ -x /usr/bin/pscap ] || skip "no /usr/bin/pscap"
    unshare -Ur true 2>/dev/null || skip "cannot create a user namespace here"
    ! getent passwd 4242 >/dev/null || skip "uid 4242 has a passwd entry here"
    local -A ours_wanted=()
    start_holder a "$CAPHOLDER" --comm cap_part --caps net_bind_service,net_raw
    ours_wanted[$HOLDER_PID]=1
    start_holder b "$CAPHOLDER" --comm cap_nobnd --drop-bounding --caps net_admin,net_raw
    ours_wanted[$HOLDER_PID]=1
    start_holder c "$CAPHOLDER" --comm cap_amb --uid 4242 --caps net_bind_service --ambient net_bind_service
    ours_wanted[$HOLDER_PID]=1
    start_holder d unshare -Ur "$CAPHOLDER" --comm cap_userns
    ours_wanted[$HOLDER_PID]=1
    start_holder d2 unshare -Ur "$CAPHOLDER" --comm cap_nsnobnd --drop-bounding
    ours_wanted[$HOLDER_PID]=1

    pscap_full
    /usr/bin/pscap >"$BATS_TEST_TMPDIR/debian.out" 2>"$BATS_TEST_TMPDIR/debian.err" ||
        fail "Debian's pscap failed: $(cat "$BATS_TEST_TMPDIR/debian.err")"
    assert_equal "$(head -n 1 "$BATS_TEST_TMPDIR/debian.out")" \
        'ppid  pid   name        command             capabilities'

    local line rec ours="" theirs=""
    while IFS= read -r line; do
        rec=$(caps_by_layout "$line" 7 1 7 1 16 1 15 1)
        [ -n "${ours_wanted[${rec%%|*}]:-}" ] && ours+="$rec"$'\n'
    done < <(tail -n +2 "$BATS_TEST_TMPDIR/full.out")
    while IFS= read -r line; do
        rec=$(caps_by_layout "$line" 5 1 5 1 10 2 18 2)
        [ -n "${ours_wanted[${rec%%|*}]:-}" ] && theirs+="$rec"$'\n'
    done < <(tail -n +2 "$BATS_TEST_TMPDIR/debian.out")
    ours=$(sort <<<"$ours" | sed '/^$/d')
    theirs=$(sort <<<"$theirs" | sed '/^$/d')
    assert_equal "$(wc -l <<<"$ours")" 5
    assert_equal "$ours" "$theirs"
    # and the texts are the expected ones
    run grep -c -e '|cap_part|net_bind_service, net_raw +$' -e '|cap_nobnd|net_admin, net_raw$' \
        -e '|cap_amb|net_bind_service @ +$' -e '|cap_userns \*|full +$' -e '|cap_nsnobnd \*|full$' \
        <<<"$ours"
    assert_output 5
}

@test "kernel: full run: exit 0, no raw control byte, every pid real" {
    start_holder a "$CAPHOLDER" --comm cap_part --caps net_bind_service,net_raw
    local holder=$HOLDER_PID
    local -A before=() after=()
    local d
    for d in /proc/[0-9]*; do before[${d#/proc/}]=1; done
    pscap_full
    for d in /proc/[0-9]*; do after[${d#/proc/}]=1; done

    local out="$BATS_TEST_TMPDIR/full.out"
    assert_equal "$(head -n 1 "$out")" "$HEADER"
    run env LC_ALL=C grep -n '[[:cntrl:]]' "$out"
    assert_failure 1
    assert_output ''
    # our own holder is there
    run full_row_of "$holder"
    assert_output --partial 'net_bind_service, net_raw +'

    local n=0 line ppid pid rest
    while IFS= read -r line; do
        n=$((n + 1))
        [[ $line =~ ^([0-9]+)\ +([0-9]+)\ +[^\ ] ]] || fail "malformed row: $line"
        ppid=${BASH_REMATCH[1]} pid=${BASH_REMATCH[2]}
        if [ -n "${before[$pid]:-}" ] || [ -n "${after[$pid]:-}" ] || [ -d "/proc/$pid" ]; then
            continue
        fi
        # Not there before nor after: born and gone while pscap ran, so its parent,
        # which is still there or was there, must have started it.
        [ -n "${before[$ppid]:-}" ] || [ -n "${after[$ppid]:-}" ] ||
            fail "row for a pid that never existed: $line"
    done < <(tail -n +2 "$out")
    [ "$n" -ge 1 ] || fail "no rows"
    # pscap never lists itself: no row whose pid is not in /proc and whose parent is us
    run awk -v me="$BASHPID" 'NR > 1 && $1 == me' "$out"
    local row_line
    for row_line in "${lines[@]}"; do
        pid=$(awk '{ print $2 }' <<<"$row_line")
        [ -n "${before[$pid]:-}" ] || [ -d "/proc/$pid" ] || fail "pscap listed itself? $row_line"
    done
}
