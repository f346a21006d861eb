#!/usr/bin/env bats
# pscap on the fixture proc tree (tests/fixtures/proc-basic, made by make-proc-basic.sh):
# the compatible layouts against fixed expected files, every option, every error path.
load common

setup() {
    PROC="$FIXTURES/proc-basic"
    EXPECTED="$FIXTURES/expected"
    pscap() { "$BIN/pscap" --proc-root "$PROC" "$@"; }
}

@test "default output is libcap-ng 0.9.5's layout, byte for byte" {
    run --separate-stderr pscap
    assert_success
    diff -u "$EXPECTED/pscap-default.txt" <(printf '%s\n' "$output")
    # The malformed process is counted on stderr, not silently dropped.
    [ "$stderr" = "pscap: 1 process skipped for malformed data (first: $PROC/208/status: malformed field CapEff)" ]
}

@test "header widths: capabilities start at column 49" {
    run --separate-stderr pscap
    local header=${lines[0]}
    [ "${header:49}" = "capabilities" ]
    [ "${header:0:8}" = "ppid    " ]
    [ "${lines[1]:49}" = "full +" ]
}

@test "selection: no kernel threads, no permitted-only or empty processes" {
    run --separate-stderr pscap
    refute_output --regexp '(^|\n)(0|2) +2 '
    refute_output --partial kthreadd
    refute_output --partial kworker     # child of kthreadd on a kernel without Kthread:
    refute_output --partial prmonly     # permitted but nothing effective
    refute_output --partial worker      # the leader dropped everything
}

@test "markers: @ for ambient, + for a non-empty bounding set, * for a child user namespace" {
    run --separate-stderr pscap
    assert_line --regexp '^1       200     nobody +ambsrv +net_bind_service, net_raw @ \+$'
    assert_line --regexp '^1       202     root +nobnd +net_admin, net_raw$'
    assert_line --regexp '^1       205     root +userns_root \* +full \+$'
}

@test "hostile command names are escaped, never printed raw" {
    run --separate-stderr pscap
    assert_line --partial 'bad\x1Bna\x0Ame\x chown +'
    ! pscap 2>/dev/null | grep -q $'\x1b'
    [ "$(pscap 2>/dev/null | wc -l)" -eq 12 ]   # the newline did not split the row
}

@test "-p selects one process; nothing at all for others" {
    run --separate-stderr pscap -p 200
    assert_success
    assert_output "$(head -1 "$EXPECTED/pscap-default.txt")
$(grep '^1       200 ' "$EXPECTED/pscap-default.txt")"
    for pid in 201 2 50 99999 300; do
        run --separate-stderr pscap -p $pid
        assert_success
        assert_output ""
    done
}

@test "several -p accumulate; -pN and blanks and + are accepted" {
    run --separate-stderr pscap -p 200 -p 203
    assert_success
    [ "${#lines[@]}" -eq 3 ]
    run --separate-stderr pscap -p200
    [ "${#lines[@]}" -eq 2 ]
    run --separate-stderr pscap -p ' +203'
    assert_line --partial nopw
}

@test "bad pids: 0.9.5's messages and exit status 1" {
    for arg in '' abc 12x 0 -5 2147483648 0x10; do
        run --separate-stderr pscap -p "$arg"
        assert_failure 1
        [ "$stderr" = "Invalid pid argument: $arg" ] || [ "$stderr" = "Invalid pid argument:" -a -z "$arg" ]
        [ -z "$output" ]
    done
    run --separate-stderr pscap -p 99999999999999999999
    assert_failure 1
    [ "$stderr" = "Can't read pid: 99999999999999999999" ]
}

@test "usage errors say what was wrong and how to get help, exit 1" {
    local spec
    for spec in "-x|invalid option -- 'x'" "--bogus|unrecognized option '--bogus'" \
        "-p|option requires an argument -- 'p'" "--proc-root|option '--proc-root' requires an argument" \
        "stray|unexpected argument 'stray'" "--tree=1|option '--tree' doesn't allow an argument"; do
        run --separate-stderr "$BIN/pscap" "${spec%%|*}"
        assert_failure 1
        assert_output ''
        assert_equal "$stderr" "pscap: ${spec#*|}"$'\n'"Try 'pscap --help' for more information."
    done
}

@test "an unreadable proc root: Can't open, exit 1" {
    run --separate-stderr "$BIN/pscap" --proc-root /nonexistent
    assert_failure 1
    [ "$stderr" = "Can't open /nonexistent: No such file or directory" ]
    run --separate-stderr "$BIN/pscap" --proc-root "$PROC/net"
    assert_failure 1
    [[ "$stderr" == "pscap: cannot read cap_last_cap: "* ]]
}

@test "--tree: 0.9.5's tree" {
    run --separate-stderr pscap --tree
    assert_success
    diff -u "$EXPECTED/pscap-tree.txt" <(printf '%s\n' "$output")
}

@test "--tree -a adds processes without capabilities as none" {
    run --separate-stderr pscap --tree -a
    diff -u "$EXPECTED/pscap-tree-all.txt" <(printf '%s\n' "$output")
    assert_line '├─ prmonly(201:nobody) [none +]'
    # -a changes nothing without --tree (0.9.5)
    diff <(pscap -a 2>/dev/null) "$EXPECTED/pscap-default.txt"
}

@test "--tree -p: a single line; -p 1 implies -a" {
    run --separate-stderr pscap --tree -p 200
    assert_output 'ambsrv(200:nobody) [net_bind_service, net_raw @ +]'
    run --separate-stderr pscap --tree -p 201
    assert_output ''
    run --separate-stderr pscap --tree -a -p 201
    assert_output 'prmonly(201:nobody) [none +]'
    run --separate-stderr pscap --tree -p 1
    assert_output 'systemd(1:root) [full +]'
}

@test "--tree wraps at COLUMNS, counting glyphs in bytes; bad COLUMNS means 80" {
    COLUMNS=40 run --separate-stderr pscap --tree
    diff -u "$EXPECTED/pscap-tree-40.txt" <(printf '%s\n' "$output")
    for bad in 400 abc '' 0; do
        COLUMNS=$bad run --separate-stderr pscap --tree
        diff -u "$EXPECTED/pscap-tree.txt" <(printf '%s\n' "$output")
    done
}

@test "-T reports the thread whose sets differ from its leader" {
    run --separate-stderr pscap -T
    assert_success
    diff -u "$EXPECTED/pscap-threads.txt" <(printf '%s\n' "$output")
    assert_line '1       300     301     root             rawthread       net_raw +'
    refute_line --partial idle   # same sets as the leader
    run --separate-stderr pscap -T --tree -p 300
    assert_output 'rawthread(300/301:root) [net_raw +]'
}

@test "-T: a thread row follows the rule of a process row (permitted but not effective: only with -a)" {
    # Thread 303 holds net_raw in its permitted set only: as a process it would be listed
    # only with -a, as "none", like prmonly (201).
    run --separate-stderr pscap -T
    refute_line --partial prmthread
    refute_line --partial prmonly
    run --separate-stderr pscap -T --tree -a -p 300
    assert_output $'worker(300:root) [none +]\n├─ rawthread(300/301:root) [net_raw +]\n└─ prmthread(300/303:root) [none +]'
    run --separate-stderr pscap -T -a -r -o PID,TID,PERMITTED,CAPS -p 300
    assert_line '300 303 net_raw none\x20+'
}

@test "column mode: fixed expected table" {
    run --separate-stderr pscap -o PID,PPID,UID,USER,COMMAND,EFFECTIVE,PERMITTED,AMBIENT,NO_NEW_PRIVS,SECCOMP,SECCOMP_FILTERS,USERNS,CHILD_USERNS,UNIT,EXE
    diff -u "$EXPECTED/pscap-columns.txt" <(printf '%s\n' "$output")
    run --separate-stderr pscap -r -o PID,COMMAND,CAPS
    diff -u "$EXPECTED/pscap-raw.txt" <(printf '%s\n' "$output")
}

@test "column mode: -n, +COL, --output-all, -H, unknown column" {
    run --separate-stderr pscap -n -o PID -p 200
    assert_output '200'
    run --separate-stderr pscap -o +UNIT -p 200
    assert_line --index 0 --regexp '^PPID +PID USER +COMMAND +EFFECTIVE +PERMITTED +AMBIENT +NO_NEW_PRIVS +UNIT$'
    run --separate-stderr pscap --output-all -p 100
    assert_line --index 0 --regexp '^ *PPID +PID +TID +UID +REAL_UID USER +COMMAND +CAPS .* UNIT +EXE +LSM$'
    run "$BIN/pscap" -H
    assert_success
    assert_line --regexp '^ +EFFECTIVE  effective capability set$'
    [ "${#lines[@]}" -eq 25 ]
    run --separate-stderr pscap -o ''
    assert_failure 1
    [ "$stderr" = "pscap: missing column name in ''" ]
    run --separate-stderr pscap -o PID,BOGUS
    assert_failure 1
    [ "$stderr" = "pscap: unknown column: BOGUS" ]
}

@test "JSON: parsed and checked field by field" {
    run --separate-stderr pscap -J --output-all
    assert_success
    python3 - "$output" <<'PY'
import json, sys
doc = json.loads(sys.argv[1])
procs = {p["pid"]: p for p in doc["processes"]}
assert sorted(procs) == [1, 100, 101, 200, 202, 203, 204, 205, 206, 207, 209], sorted(procs)
a = procs[200]
assert a["ppid"] == 1 and a["uid"] == 65534 and a["user"] == "nobody", a
assert a["command"] == "ambsrv"
for s in ("effective", "permitted", "inheritable", "ambient"):
    assert a[s] == ["net_bind_service", "net_raw"], (s, a[s])
assert len(a["bounding"]) == 41 and a["bounding"][-1] == "checkpoint_restore"
assert a["no_new_privs"] is True and a["seccomp"] == "filter" and a["seccomp_filters"] == 3
assert a["userns"] == 4026531837 and a["child_userns"] is False
assert a["unit"] == "amb.service" and a["exe"] is None
assert a["caps"] == "net_bind_service, net_raw @ +"
assert procs[202]["bounding"] == []
assert procs[205]["child_userns"] is True
old = procs[207]
assert old["ambient"] is None and old["no_new_privs"] is None and old["seccomp"] is None
# names round-trip: every \xHH is one byte
name = procs[204]["command"]
assert name == "bad\\x1Bna\\x0Ame\\x5Cx", name
import re
raw = re.sub(r"\\x([0-9A-F]{2})", lambda m: chr(int(m.group(1), 16)), name)
assert raw == "bad\x1bna\nme\\x", raw
assert procs[100]["exe"] == "/usr/sbin/sshd"
PY
}

@test "JSON tree nests children; -T adds tid" {
    run --separate-stderr pscap -J --tree -o PID,COMMAND
    python3 - "$output" <<'PY'
import json, sys
top = json.loads(sys.argv[1])["processes"]
assert [p["pid"] for p in top] == [1]
kids = [c["pid"] for c in top[0]["children"]]
assert kids == [100, 200, 202, 203, 204, 205, 207, 209], kids
assert top[0]["children"][0]["children"][0]["pid"] == 101
PY
    run --separate-stderr pscap -J -T -o PID,TID,EFFECTIVE -p 300
    python3 - "$output" <<'PY'
import json, sys
rows = json.loads(sys.argv[1])["processes"]
assert rows == [{"pid": 300, "tid": 301, "effective": ["net_raw"]}], rows
PY
}

@test "column mode -a includes processes without capabilities" {
    run --separate-stderr pscap -a -rn -o PID
    assert_line 201
    assert_line 300
    refute_line 2
}

@test "--cap filters on effective or permitted" {
    run --separate-stderr pscap -rn -o PID --cap net_bind_service
    assert_output "$(printf '1\n100\n200\n205\n206\n207')"
    run --separate-stderr pscap -rn -o PID --cap CAP_KILL,13
    assert_output "$(printf '1\n100\n101\n200\n202\n203\n205\n206')"
    # a UTF-8 name is padded by bytes, as printf pads it in libcap-ng
    run --separate-stderr pscap -p 209
    assert_line "$(printf '%-7s %-7s %-16s %-15s %s' 1 209 root 'café' 'chown +')"
    run --separate-stderr pscap --cap ''
    assert_failure 1
    [ "$stderr" = "pscap: empty capability list" ]
    run --separate-stderr pscap --cap nosuch
    assert_failure 1
    [ "$stderr" = "pscap: unknown capability: nosuch" ]
}

@test "-u filters on the effective user, by name or number" {
    run --separate-stderr pscap -rn -o PID -u nobody
    assert_output 200
    run --separate-stderr pscap -rn -o PID -u 4242 -u 65534
    assert_output "$(printf '200\n203')"
    run --separate-stderr pscap -u no_such_user_here
    assert_failure 1
    [ "$stderr" = "pscap: unknown user: no_such_user_here" ]
}

@test "--help and --version on stdout, exit 0" {
    run --separate-stderr "$BIN/pscap" --help
    assert_success
    assert_line --index 0 'Usage:'
    assert_output --partial 'Available output columns:'
    [ -z "$stderr" ]
    run "$BIN/pscap" -V
    assert_success
    assert_output --regexp '^pscap from capinspect [0-9.]+$'
}

@test "write errors are reported; a closed pipe is quiet" {
    run --separate-stderr "$BIN/pscap" --proc-root "$PROC" -o PID
    assert_success
    run bash -c '"$0" --proc-root "$1" >/dev/full' "$BIN/pscap" "$PROC"
    assert_failure 1
    assert_output --partial 'pscap: write error: No space left on device'
    run bash -c 'set -o pipefail; "$0" --proc-root "$1" 2>&1 | head -1' "$BIN/pscap" "$PROC"
    assert_output 'ppid    pid     uid              command         capabilities'
}

@test "--proc-root: a status that is a symlink to /dev/zero, a FIFO or a directory is refused and counted" {
    local t=$BATS_TEST_TMPDIR/proc
    cp -a "$PROC" "$t"
    rm "$t/100/status" "$t/200/status" "$t/203/status"
    ln -s /dev/zero "$t/100/status"    # read to the end, it never ends
    mkfifo "$t/200/status"              # nobody ever writes it
    mkdir "$t/203/status"
    # A reader that follows the link grows until it dies: bound it (but for a sanitizer's
    # build, whose shadow memory needs terabytes of address space), and time it.
    local vlimit=1000000
    if sanitized "$BIN/pscap"; then vlimit=unlimited; fi
    run --separate-stderr bash -c 'ulimit -v "$0"; exec timeout 20 "$@"' "$vlimit" "$BIN/pscap" --proc-root "$t"
    assert_success
    assert_line --regexp '^100 +101 +root +sshd '
    refute_output --partial ambsrv
    [ "$(printf '%s\n' "$stderr" | grep -c .)" -eq 3 ] || fail "stderr: $stderr"
    # by errno: EISDIR, then ELOOP
    assert_equal "$(printf '%s\n' "$stderr" | sed -n 1p)" "pscap: 1 process could not be read: Is a directory"
    assert_equal "$(printf '%s\n' "$stderr" | sed -n 2p)" "pscap: 1 process could not be read: Too many levels of symbolic links"
    [[ "$(printf '%s\n' "$stderr" | sed -n 3p)" == "pscap: 2 processes skipped for malformed data (first: $t/200/status: not a regular file)" ]] ||
        fail "stderr: $stderr"
}

@test "--tree: processes whose parent links form a cycle are shown, once each" {
    local t=$BATS_TEST_TMPDIR/proc
    cp -a "$PROC" "$t"
    # 400 <-> 401 with 402 below 401; 500 -> 502 -> 501 -> 500
    local spec pid ppid
    for spec in 400:401 401:400 402:401 500:502 501:500 502:501; do
        pid=${spec%:*} ppid=${spec#*:}
        mkdir "$t/$pid"
        sed "s/^Name:.*/Name:\tcyc$pid/; s/^Pid:.*/Pid:\t$pid/; s/^Tgid:.*/Tgid:\t$pid/; s/^PPid:.*/PPid:\t$ppid/" \
            "$PROC/203/status" >"$t/$pid/status"
    done
    run --separate-stderr "$BIN/pscap" --proc-root "$t" --tree
    assert_success
    for pid in 400 401 402 500 501 502; do
        [ "$(grep -c "cyc$pid($pid:" <<<"$output")" -eq 1 ] || fail "cyc$pid: $output"
    done
    assert_line 'cyc400(400:4242) [kill +]'
    assert_line '└─ cyc401(401:4242) [kill +]'
    assert_line '   └─ cyc402(402:4242) [kill +]'
    assert_line 'cyc500(500:4242) [kill +]'
    # column mode and JSON: the same rows as without --tree
    run --separate-stderr "$BIN/pscap" --proc-root "$t" -a -r -n -o PID
    flat=$(sort -n <<<"$output")
    run --separate-stderr "$BIN/pscap" --proc-root "$t" -a --tree -r -n -o PID
    assert_equal "$(sort -n <<<"$output")" "$flat"
    run --separate-stderr "$BIN/pscap" --proc-root "$t" -a --tree -J -o PID,PPID
    python3 - "$output" "$flat" <<'PY'
import json, sys
def pids(rows):
    for r in rows:
        yield r["pid"]
        yield from pids(r.get("children", []))
got = sorted(pids(json.loads(sys.argv[1])["processes"]))
assert got == sorted(int(x) for x in sys.argv[2].split()), got
PY
}

@test "a column listed twice shows its value twice, as lsblk does" {
    run --separate-stderr pscap -o PID,PID -r -p 100
    assert_output $'PID PID\n100 100'
    run --separate-stderr pscap -T -r -o +TID -p 300
    assert_line --index 0 'PPID PID TID USER COMMAND EFFECTIVE PERMITTED AMBIENT NO_NEW_PRIVS TID'
    assert_line --index 1 --regexp '^1 300 301 root rawthread net_raw net_raw  no 301$'
}

@test "column mode on a narrow terminal: lists wrap between names, nothing is cut; never on a pipe" {
    command -v script >/dev/null || skip "script (bsdutils) is not installed"
    local t=$BATS_TEST_TMPDIR/proc
    cp -a "$PROC" "$t"
    # every capability but chown: a 40-name list
    sed -i 's/^CapEff:.*/CapEff:\t000001fffffffffe/; s/^CapPrm:.*/CapPrm:\t000001fffffffffe/' "$t/203/status"
    run script -qec "stty cols 100; COLUMNS=100 '$BIN/pscap' --proc-root '$t' -o PID,USER,EFFECTIVE,PERMITTED,CAPS -p 203" /dev/null
    assert_success
    local text=${output//$'\r'/}
    local longest
    longest=$(awk '{ if (length($0) > m) m = length($0) } END { print m }' <<<"$text")
    [ "$longest" -le 100 ] || fail "a line of $longest columns: $text"
    # every name is there, whole, in each list column (two sets and the summary)
    for cap in dac_override net_bind_service checkpoint_restore; do
        [ "$(grep -o "\b$cap,\?" <<<"$text" | wc -l)" -eq 3 ] || fail "$cap: $text"
    done
    # on a pipe: one line per row, the lists whole
    run --separate-stderr "$BIN/pscap" --proc-root "$t" -n -o PID,EFFECTIVE -p 203
    [ "${#lines[@]}" -eq 1 ]
    [[ "$output" == *dac_override,dac_read_search,* ]]
}

@test "-u and -p take lists, as --cap does" {
    run --separate-stderr pscap -n -r -o PID -u root,nobody
    assert_success
    assert_equal "$(paste -sd' ' <<<"$output")" "1 100 101 200 202 204 205 206 207 209"
    run --separate-stderr pscap -n -r -o PID -u 'nobody 4242'
    assert_equal "$(paste -sd' ' <<<"$output")" "200 203"
    run --separate-stderr pscap -n -r -o PID -u nobody -u 4242
    assert_equal "$(paste -sd' ' <<<"$output")" "200 203"
    run --separate-stderr pscap -n -r -o PID -p 200,100 -p 1
    assert_equal "$(paste -sd' ' <<<"$output")" "1 100 200"
    run --separate-stderr pscap -u root,nosuchuser
    assert_failure 1
    assert_equal "$stderr" "pscap: unknown user: nosuchuser"
    run --separate-stderr pscap -p 100,x
    assert_failure 1
    assert_equal "$stderr" "Invalid pid argument: x"
}
