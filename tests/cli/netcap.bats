#!/usr/bin/env bats
# netcap on the fixture proc tree (tests/fixtures/proc-net, made by make-proc-net.sh):
# the classic layout against a fixed expected file, row selection, column mode, every
# option and every error path. Packet interfaces are numbers here: names come from the
# running system's ifindex table, which a saved tree cannot use.
load common

USAGE='usage: netcap [--advanced [--interface IFACE] [--list-interfaces] [--json] [--no-color]]'

# err MESSAGE: a usage error as every tool says it (util-linux's form).
err() { printf "netcap: %s\nTry 'netcap --help' for more information." "$1"; }
HEADER='ppid    pid     acct             command         type     port            capabilities'
MALFORMED_PROC="netcap: 1 process skipped for malformed data (first: \$PROC/217/status: malformed field CapEff)"

setup() {
    PROC="$FIXTURES/proc-net"
    EXPECTED="$FIXTURES/expected"
    netcap() { "$BIN/netcap" --proc-root "$PROC" "$@"; }
    MALFORMED_PROC="netcap: 1 process skipped for malformed data (first: $PROC/217/status: malformed field CapEff)"
}

# 0.9.5's row: %-7 %-7 %-16 %-15 %-8 %-15, then CAPS, a blank, the glued markers.
row() {
    printf '%-7s %-7s %-16s %-15s %-8s %-15s %s' "$@"
}

# A writable copy of the fixture tree (symlinks kept) in $COPY.
copy_fixture() {
    COPY="$BATS_TEST_TMPDIR/proc"
    cp -a "$PROC" "$COPY"
}

@test "classic output is libcap-ng 0.9.5's layout, byte for byte" {
    run --separate-stderr netcap
    assert_success
    diff -u "$EXPECTED/netcap-default.txt" <(printf '%s\n' "$output")
    # What could not be used is counted on stderr: the malformed status file and the three
    # malformed table lines (tcp: too few fields, udp6: bad address, packet: bad ifindex).
    assert_equal "$stderr" "$MALFORMED_PROC"$'\n''netcap: 3 malformed socket entries skipped'
}

@test "classic widths: type at 49, port at 58, capabilities at 74; trailing blank without markers" {
    run --separate-stderr netcap
    assert_equal "${lines[0]}" "$HEADER"
    local header=${lines[0]}
    assert_equal "${header:49:4}" type
    assert_equal "${header:58:4}" port
    assert_equal "${header:74}" capabilities
    local line
    local n=0
    for line in "${lines[@]:1}"; do
        # every row whose command fits its column has its fields at the header's offsets
        # (the escaped hostile name is 17 bytes and pushes its row right, as in 0.9.5)
        [[ $line == *'bad\x1B'* ]] && continue
        [ "${line:48:1}" = ' ' ] && [ "${line:49:1}" != ' ' ] && [ "${line:57:1}" = ' ' ] &&
            [ "${line:58:1}" != ' ' ] && [ "${line:73:1}" = ' ' ] && [ "${line:74:1}" != ' ' ] ||
            fail "misaligned: '$line'"
        n=$((n + 1))
    done
    assert_equal "$n" 40
    # markers glued: "@+"; no markers: the row ends in one blank
    assert_line "$(row 1 200 nobody ambsrv tcp 80 'net_bind_service, net_raw @+')"
    assert_line "$(row 1 202 root nobnd raw 0 'net_admin, net_raw ')"
    run bash -c '"$0" --proc-root "$1" 2>/dev/null | grep -c " $"' "$BIN/netcap" "$PROC"
    assert_output 6    # nobnd's raw, raw, raw6 and three packet rows
}

@test "every TCP state is reported, in the kernel's table order" {
    run --separate-stderr netcap
    local -a ports
    mapfile -t ports < <(printf '%s\n' "${lines[@]}" | awk '$2 == 213 { print $6 }')
    assert_equal "${ports[*]}" '40001 40002 40003 40004 40005 40006 40007 40008 8443 40010'
    # both ends of an established connection, and its listener
    assert_line "$(row 1 205 root estab tcp 53658 'net_bind_service, net_admin +')"
    run bash -c '"$0" --proc-root "$1" 2>/dev/null | awk "\$2 == 205 && \$5 == \"tcp\" && \$6 == 7070" | wc -l' \
        "$BIN/netcap" "$PROC"
    assert_output 2
}

@test "every owner of a shared socket; one row per process for a socket on two fds" {
    run --separate-stderr netcap
    assert_line "$(row 1 206 root sharedsrv tcp 81 'net_bind_service +')"
    assert_line "$(row 206 207 root sharedsrv tcp 81 'net_bind_service +')"
    # SO_REUSEPORT: two sockets, two processes, same port; kernel order (rp2 first)
    run bash -c '"$0" --proc-root "$1" 2>/dev/null | awk "\$6 == 6001 { print \$2 }"' "$BIN/netcap" "$PROC"
    assert_output $'209\n208'
    # dupfd holds socket 2100 on fds 3 and 9: one row (0.9.5 prints two)
    run bash -c '"$0" --proc-root "$1" 2>/dev/null | grep -c " dupfd "' "$BIN/netcap" "$PROC"
    assert_output 1
    # a socket shared by a holder and a process without capabilities: the holder's row only
    run bash -c '"$0" --proc-root "$1" 2>/dev/null | awk "\$6 == 5000"' "$BIN/netcap" "$PROC"
    assert_output "$(row 1 215 root ruid udp 5000 'net_bind_service +')"
}

@test "raw sockets show port 0; packet sockets their interface index, * when unbound" {
    run --separate-stderr netcap
    assert_line --index 36 "$(row 1 202 root nobnd raw 0 'net_admin, net_raw ')"
    assert_line --index 37 "$(row 1 202 root nobnd raw 0 'net_admin, net_raw ')"
    assert_line --index 38 "$(row 1 202 root nobnd raw6 0 'net_admin, net_raw ')"
    # no /proc/net/dev line lookup: ifindex 0 is "*", others are the index (a saved tree
    # has no interface names; on the live system they are names, see netcap_kernel.bats)
    assert_line --index 39 "$(row 1 202 root nobnd pkt '*' 'net_admin, net_raw ')"
    assert_line --index 40 "$(row 1 202 root nobnd pkt 1 'net_admin, net_raw ')"
    assert_line --index 41 "$(row 1 202 root nobnd pkt 4 'net_admin, net_raw ')"
    [ "${#lines[@]}" -eq 42 ]
}

@test "selection: no kernel threads, no empty or permitted-only processes, no ownerless sockets" {
    run --separate-stderr netcap
    refute_output --regexp '(^|'$'\n'')[0-9]+ +(2|50) '
    local absent
    for absent in kthreadd kworker prmonly nocaps broken idle; do
        refute_output --partial " $absent "
    done
    # the sockets of those processes, the ownerless listener, the vanished process's one,
    # the unix socket and the TIME-WAIT line with inode 0
    for absent in ' 1 ' ' 2 ' ' 8081 ' ' 8082 ' ' 8086 ' ' 8088 ' ' 9999 ' ' 40011 '; do
        refute_output --regexp "(tcp|udp) +${absent# }"
    done
    # pid 1 is shown (0.9.5 rule) and a 15-byte command fills its column
    assert_line "$(row 0 1 root systemd tcp6 9090 'full +')"
    assert_line "$(row 1 214 root fifteen_bytes_x tcp 65535 'full +')"
}

@test "accounts: effective uid, root without lookup, the number without a passwd entry" {
    getent passwd 65534 | grep -q '^nobody:' || skip "uid 65534 is not nobody here"
    ! getent passwd 4242 >/dev/null || skip "uid 4242 has a passwd entry here"
    run --separate-stderr netcap
    assert_line "$(row 1 215 root ruid udp 67 'net_bind_service +')"       # ruid 1000, euid 0
    assert_line "$(row 1 203 4242 nopw tcp6 8443 'kill +')"
    assert_line "$(row 1 203 4242 nopw udp6 5354 'kill +')"
    assert_line "$(row 1 211 nobody 'a) (b' tcp 8084 'chown, fowner, sys_ptrace +')"  # the P list
}

@test "hostile command names are escaped, never printed raw" {
    run --separate-stderr netcap
    assert_line "$(row 1 204 root 'bad\x1Bna\x0Ame\x' tcp 8083 'chown +')"
    run bash -c '"$0" --proc-root "$1" 2>&1 | od -An -tx1 | grep -cw 1b' "$BIN/netcap" "$PROC"
    assert_output 0
    [ "$(netcap 2>/dev/null | wc -l)" -eq 42 ]   # the newline did not split the row
}

@test "old kernels, old link form, non-socket fds" {
    run --separate-stderr netcap
    assert_line "$(row 1 216 root oldkernel tcp 8085 'net_bind_service +')"  # no CapAmb line
    assert_line "$(row 1 218 root oldlink tcp 8087 'net_bind_service +')"    # [0000]:2190
    # sshd: /dev/null, a pipe, an eventfd and a unix socket beside its listener
    run bash -c '"$0" --proc-root "$1" 2>/dev/null | grep -c " sshd "' "$BIN/netcap" "$PROC"
    assert_output 1
}

@test "nothing found: no output at all, exit 0" {
    run --separate-stderr "$BIN/netcap" --proc-root "$FIXTURES/proc-basic"
    assert_success
    assert_output ''
    copy_fixture
    rm "$COPY"/net/*
    run --separate-stderr "$BIN/netcap" --proc-root "$COPY"
    assert_success
    assert_output ''
    assert_equal "$stderr" "netcap: 1 process skipped for malformed data (first: $COPY/217/status: malformed field CapEff)"
}

@test "what could not be read is counted on stderr, the rest still reported" {
    copy_fixture
    # a table that cannot be read (a directory), a fd/ that is not a directory
    rm "$COPY/net/udp6" && mkdir "$COPY/net/udp6" && : >"$COPY/net/udp6/x"
    rm -r "$COPY/203/fd" && : >"$COPY/203/fd"
    run --separate-stderr "$BIN/netcap" --proc-root "$COPY"
    assert_success
    refute_output --partial ' nopw '
    assert_line --partial ' ambsrv          udp      5353 '
    assert_equal "$stderr" "netcap: 1 process skipped for malformed data (first: $COPY/217/status: malformed field CapEff)
netcap: the open files of 1 process could not be read: Not a directory
netcap: cannot read sockets: $COPY/net/udp6: Is a directory
netcap: 2 malformed socket entries skipped"
}

@test "non-root: libcap-ng's hint and the count, exit 0" {
    require_root
    command -v setpriv >/dev/null || skip "setpriv is not installed"
    local dir
    dir=$(mktemp -d /tmp/netcap-bats.XXXXXX)
    chmod 755 "$dir"
    cp -a "$PROC" "$dir/proc"
    chmod 700 "$dir/proc/200/fd" "$dir/proc/205/fd"
    run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN/netcap" --proc-root "$dir/proc"
    rm -rf "$dir"
    assert_success
    refute_output --partial ambsrv
    refute_output --partial estab
    assert_line --partial ' sshd '
    assert_equal "$stderr" "netcap: 1 process skipped for malformed data (first: $dir/proc/217/status: malformed field CapEff)
You may need to be root to get a full report
netcap: the open files of 2 processes could not be read: Permission denied
netcap: 3 malformed socket entries skipped"
}

@test "proc root that cannot be opened: Can't open, exit 1; no cap_last_cap: exit 1" {
    run --separate-stderr "$BIN/netcap" --proc-root /nonexistent
    assert_failure 1
    assert_output ''
    assert_equal "$stderr" "Can't open /nonexistent: No such file or directory"
    run --separate-stderr "$BIN/netcap" --proc-root "$PROC/net"
    assert_failure 1
    assert_equal "$stderr" "netcap: cannot read cap_last_cap: $PROC/net/sys/kernel/cap_last_cap: No such file or directory"
}

@test "column mode: fixed expected table" {
    run --separate-stderr netcap -o PPID,PID,UID,USER,COMMAND,PROTO,STATE,LADDR,LPORT,RADDR,RPORT,IFACE,INODE,CAPS
    assert_success
    diff -u "$EXPECTED/netcap-columns.txt" <(printf '%s\n' "$output")
    assert_equal "$stderr" "$MALFORMED_PROC"$'\n''netcap: 3 malformed socket entries skipped'
}

@test "column mode: the default columns; +COL appends; --output-all" {
    run --separate-stderr netcap -o PID
    [ "${#lines[@]}" -eq 42 ]
    run --separate-stderr netcap -n
    [ "${#lines[@]}" -eq 41 ]
    run --separate-stderr netcap -r
    assert_line --index 0 'PID USER COMMAND PROTO STATE LADDR LPORT RADDR RPORT EFFECTIVE'
    run --separate-stderr netcap -r -o +INODE,NO_NEW_PRIVS
    assert_line --index 0 'PID USER COMMAND PROTO STATE LADDR LPORT RADDR RPORT EFFECTIVE INODE NO_NEW_PRIVS'
    assert_line --index 1 '211 nobody a)\x20(b tcp LISTEN * 8084 *  chown,fowner 2110 no'
    run --separate-stderr netcap -r --output-all
    local -a cols
    mapfile -t cols < <("$BIN/netcap" -H | awk '{ print $1 }')
    assert_line --index 0 "${cols[*]}"
    [ "${#cols[@]}" -eq 22 ]
}

@test "column mode: -r escapes blanks, -n drops the heading" {
    run --separate-stderr netcap -rn -o PID,COMMAND,CAPS
    assert_line --index 0 '211 a)\x20(b chown,\x20fowner,\x20sys_ptrace\x20+'
    assert_line --index 1 '204 bad\x1bna\x0ame\x5cx chown\x20+'
    assert_line '200 ambsrv net_bind_service,\x20net_raw\x20@\x20+'
    assert_line '202 nobnd net_admin,\x20net_raw'
    [ "${#lines[@]}" -eq 41 ]
}

@test "column mode: states, addresses, ports, interfaces" {
    run --separate-stderr netcap -rn -o PROTO,STATE,LADDR,LPORT,RADDR,RPORT,IFACE,INODE
    assert_line 'tcp SYN-SENT 192.0.2.2 40001 198.51.100.7 443  2131'
    assert_line 'tcp SYN-RECV 192.0.2.2 40002 198.51.100.7 443  2132'
    assert_line 'tcp FIN-WAIT-1 192.0.2.2 40003 198.51.100.7 443  2133'
    assert_line 'tcp FIN-WAIT-2 192.0.2.2 40004 198.51.100.7 443  2134'
    assert_line 'tcp TIME-WAIT 192.0.2.2 40005 198.51.100.7 443  2135'
    assert_line 'tcp UNCONN 192.0.2.2 40006 198.51.100.7 443  2136'
    assert_line 'tcp CLOSE-WAIT 192.0.2.2 40007 198.51.100.7 443  2137'
    assert_line 'tcp LAST-ACK 192.0.2.2 40008 198.51.100.7 443  2138'
    assert_line 'tcp LISTEN 192.0.2.2 8443 *   2139'
    assert_line 'tcp CLOSING 192.0.2.2 40010 198.51.100.7 443  2140'
    assert_line 'tcp ESTAB 127.0.0.1 7070 127.0.0.1 53658  2071'
    assert_line 'tcp6 LISTEN * 8443 *   2050'
    assert_line 'udp ESTAB 127.0.0.1 6100 127.0.0.1 53  2100'
    assert_line 'udplite6 UNCONN ::1 5556 *   2074'
    # raw: LPORT is the IP protocol; packet: the ethertype and the interface index
    assert_line 'raw UNCONN * 1 *   2040'
    assert_line 'raw ESTAB 127.0.0.1 255 127.0.0.1   2045'
    assert_line 'raw6 UNCONN * 58 2001:db8::5   2041'
    assert_line 'pkt UNCONN * 3   * 2042'
    assert_line 'pkt UNCONN * 3   1 2043'
    assert_line 'pkt UNCONN * 2048   4 2044'
}

@test "-l/--listening: TCP LISTEN, unconnected UDP and raw, every packet socket" {
    run --separate-stderr netcap -l -r -o PID,PROTO,STATE,LADDR,LPORT,IFACE,INODE
    assert_success
    diff -u "$EXPECTED/netcap-listening-raw.txt" <(printf '%s\n' "$output")
    refute_output --regexp ' (ESTAB|SYN-SENT|CLOSE-WAIT|TIME-WAIT|CLOSING) '
    refute_line --partial ' 2100'   # connected UDP
    refute_line --partial ' 2045'   # connected raw
    assert_line '213 tcp LISTEN 192.0.2.2 8443  2139'
    run --separate-stderr netcap --listening -rn -o PROTO
    assert_equal "$(sort <<<"$output" | uniq -c | awk '{ printf "%s=%s ", $2, $1 }')" \
        'pkt=3 raw=1 raw6=1 tcp=13 tcp6=2 udp=5 udp6=1 udplite=1 udplite6=1 '
    # -l alone switches to column mode
    run --separate-stderr netcap -l
    assert_line --index 0 --regexp '^ *PID +USER +COMMAND +PROTO +STATE +LADDR +LPORT +RADDR +RPORT +EFFECTIVE$'
}

@test "JSON: parsed and checked field by field" {
    run --separate-stderr netcap -J --output-all
    assert_success
    python3 - "$output" <<'PY'
import json, re, sys
doc = json.loads(sys.argv[1])
assert list(doc) == ["schema_version", "sockets"] and doc["schema_version"] == 2, list(doc)
rows = doc["sockets"]
assert len(rows) == 41, len(rows)
keys = ["ppid", "pid", "uid", "user", "command", "proto", "state", "laddr", "lport", "raddr",
        "rport", "iface", "netns", "inode", "caps", "effective", "permitted", "inheritable",
        "bounding", "ambient", "no_new_privs", "seccomp"]
for r in rows:
    assert list(r) == keys, list(r)
by_inode = {}
for r in rows:
    by_inode.setdefault(r["inode"], []).append(r)
a = by_inode[2020][0]
assert (a["ppid"], a["pid"], a["uid"], a["user"], a["command"]) == (1, 200, 65534, "nobody", "ambsrv"), a
assert (a["proto"], a["state"], a["laddr"], a["lport"], a["raddr"], a["rport"]) == \
    ("tcp", "LISTEN", "*", 80, "*", None), a
assert a["iface"] is None and a["netns"] is None, a
assert a["caps"] == "net_bind_service, net_raw @ +", a
for s in ("effective", "permitted", "inheritable", "ambient"):
    assert a[s] == ["net_bind_service", "net_raw"], (s, a[s])
assert len(a["bounding"]) == 41 and a["bounding"][-1] == "checkpoint_restore", a["bounding"]
assert a["no_new_privs"] is False and a["seccomp"] == "disabled", a
# shared socket: both owners; dupfd: one row
assert [r["pid"] for r in by_inode[2080]] == [206, 207]
assert [r["pid"] for r in by_inode[2100]] == [210]
assert [r["pid"] for r in by_inode[2126]] == [215]
# established pair
e = by_inode[2072][0]
assert (e["state"], e["laddr"], e["lport"], e["raddr"], e["rport"]) == \
    ("ESTAB", "127.0.0.1", 53658, "127.0.0.1", 7070), e
# raw: protocol in lport, no remote port; packet: ethertype, interface, no remote end
r = by_inode[2041][0]
assert (r["proto"], r["lport"], r["raddr"], r["rport"], r["iface"]) == ("raw6", 58, "2001:db8::5", None, None), r
p = {x["inode"]: x for x in rows if x["proto"] == "pkt"}
assert sorted(p) == [2042, 2043, 2044]
assert [p[i]["iface"] for i in (2042, 2043, 2044)] == ["*", "1", "4"], p
assert [p[i]["lport"] for i in (2042, 2043, 2044)] == [3, 3, 2048], p
assert all(p[i]["raddr"] is None and p[i]["rport"] is None for i in p), p
# no markers, emptied bounding set
n = by_inode[2040][0]
assert n["caps"] == "net_admin, net_raw" and n["bounding"] == [], n
# full set: names, not "full"
s = by_inode[2001][0]
assert s["caps"] == "full +" and len(s["effective"]) == 41, s
# old kernel: unknown is null
o = by_inode[2170][0]
assert o["ambient"] is None and o["no_new_privs"] is None and o["seccomp"] is None, o
# uid without a name; real uid 1000 / effective 0
assert by_inode[2050][0]["user"] == "4242" and by_inode[2050][0]["uid"] == 4242
assert by_inode[2160][0]["uid"] == 0 and by_inode[2160][0]["user"] == "root"
# names round-trip: every \xHH is one byte
name = by_inode[2060][0]["command"]
assert name == "bad\\x1Bna\\x0Ame\\x5Cx", name
raw = re.sub(r"\\x([0-9A-F]{2})", lambda m: chr(int(m.group(1), 16)), name)
assert raw == "bad\x1bna\nme\\x", raw
assert by_inode[2110][0]["command"] == "a) (b"
# no kernel thread, no process without effective caps
pids = {r["pid"] for r in rows}
assert not pids & {2, 50, 201, 212, 217, 219, 220}, pids
PY
}

@test "JSON: --json without --advanced is column JSON; -o narrows it; -r and -n ignored" {
    run --separate-stderr netcap --json -o PID,PROTO,LPORT -l -r -n
    assert_success
    python3 - "$output" <<'PY'
import json, sys
rows = json.loads(sys.argv[1])["sockets"]
assert all(list(r) == ["pid", "proto", "lport"] for r in rows), rows
assert {"pid": 202, "proto": "pkt", "lport": 2048} in rows, rows
assert {"pid": 210, "proto": "udp", "lport": 6100} not in rows, rows
assert len(rows) == 28, len(rows)
PY
    run --separate-stderr "$BIN/netcap" --proc-root "$FIXTURES/proc-basic" -J
    assert_success
    python3 -c 'import json, sys; assert json.load(sys.stdin) == {"schema_version": 2, "sockets": []}' <<<"$output"
}

@test "-H lists every column; -H -J as JSON" {
    run --separate-stderr "$BIN/netcap" -H
    assert_success
    [ "${#lines[@]}" -eq 22 ]
    assert_line --regexp '^ +PROTO  socket type '
    assert_line --regexp '^ +IFACE  interface a packet socket is bound to'
    run --separate-stderr "$BIN/netcap" -H -J
    assert_success
    python3 - "$output" <<'PY'
import json, sys
cols = json.loads(sys.argv[1])["columns"]
names = [c["name"] for c in cols]
assert names == ["PPID", "PID", "UID", "USER", "COMMAND", "PROTO", "STATE", "LADDR", "LPORT",
                 "RADDR", "RPORT", "IFACE", "NETNS", "INODE", "CAPS", "EFFECTIVE", "PERMITTED",
                 "INHERITABLE", "BOUNDING", "AMBIENT", "NO_NEW_PRIVS", "SECCOMP"], names
assert all(c["json"] == c["name"].lower() and c["description"] for c in cols), cols
PY
}

@test "column list errors: exit 1" {
    run --separate-stderr netcap -o ''
    assert_failure 1
    assert_equal "$stderr" "netcap: missing column name in ''"
    run --separate-stderr netcap -o PID,BOGUS
    assert_failure 1
    assert_equal "$stderr" 'netcap: unknown column: BOGUS'
    run --separate-stderr netcap -o pid,proto
    assert_success
    assert_line --index 0 --regexp '^ *PID PROTO *$'
}

@test "unknown options: what was wrong and how to get help, exit 1" {
    local spec
    for spec in "-x|invalid option -- 'x'" "--bogus|unrecognized option '--bogus'" "foo|unexpected argument 'foo'" \
        "-Z|invalid option -- 'Z'" "--json=1|option '--json' doesn't allow an argument" \
        "--listening=x|option '--listening' doesn't allow an argument" "-lX|invalid option -- 'X'"; do
        run --separate-stderr "$BIN/netcap" "${spec%%|*}"
        assert_failure 1
        assert_output ''
        assert_equal "$stderr" "$(err "${spec#*|}")"
    done
    # an operand after valid options, and a hostile word, escaped
    run --separate-stderr "$BIN/netcap" -l stray
    assert_failure 1
    assert_equal "$stderr" "$(err "unexpected argument 'stray'")"
    run --separate-stderr "$BIN/netcap" $'bad\033word'
    assert_failure 1
    assert_equal "$stderr" "$(err "unexpected argument 'bad\x1Bword'")"
}

@test "advanced-only options without --advanced: 0.9.5's messages and order" {
    run --separate-stderr "$BIN/netcap" --list-interfaces
    assert_failure 1
    assert_equal "$stderr" "$(err "--list-interfaces is only valid with --advanced")"
    local arg
    for arg in '--interface lo' --interface=lo; do
        run --separate-stderr "$BIN/netcap" $arg
        assert_failure 1
        assert_equal "$stderr" "$(err "--interface is only valid with --advanced")"
    done
    # checked in 0.9.5's order: list-interfaces before interface
    run --separate-stderr "$BIN/netcap" --interface lo --list-interfaces
    assert_equal "$stderr" "$(err "--list-interfaces is only valid with --advanced")"
    # --json is valid now, so the next check speaks
    run --separate-stderr "$BIN/netcap" --json --list-interfaces
    assert_failure 1
    assert_equal "$stderr" "$(err "--list-interfaces is only valid with --advanced")"
    run --separate-stderr "$BIN/netcap" --interface=
    assert_failure 1
    assert_equal "$stderr" "$(err "option '--interface' requires an argument")"
}

@test "--interface as the last word: it requires an argument" {
    run --separate-stderr "$BIN/netcap" --interface
    assert_failure 1
    assert_equal "$stderr" "$(err "option '--interface' requires an argument")"
}

@test "--no-color without --advanced: only valid with --advanced, also with --json" {
    run --separate-stderr "$BIN/netcap" --no-color
    assert_failure 1
    assert_output ''
    assert_equal "$stderr" "$(err "--no-color is only valid with --advanced")"
    run --separate-stderr "$BIN/netcap" --json --no-color
    assert_failure 1
    assert_equal "$stderr" "$(err "--no-color is only valid with --advanced")"
}

@test "options that need an argument fail without one, exit 1" {
    local spec
    for spec in "-o|option requires an argument -- 'o'" "--output|option '--output' requires an argument" \
        "--proc-root|option '--proc-root' requires an argument"; do
        run --separate-stderr "$BIN/netcap" "${spec%%|*}"
        assert_failure 1
        assert_output ''
        assert_equal "$stderr" "$(err "${spec#*|}")"
    done
}

@test "-h/--help and -V/--version on stdout, exit 0" {
    local arg
    for arg in -h --help; do
        run --separate-stderr "$BIN/netcap" "$arg"
        assert_success
        assert_line --index 0 'Usage:'
        assert_output --partial 'Available output columns:'
        assert_output --partial '--proc-root <dir>'
        assert_equal "$stderr" ''
    done
    for arg in -V --version; do
        run --separate-stderr "$BIN/netcap" "$arg"
        assert_success
        assert_output --regexp '^netcap from capinspect [0-9.]+$'
        assert_equal "$stderr" ''
    done
}

@test "write errors are reported; a closed pipe is quiet" {
    run bash -c '"$0" --proc-root "$1" >/dev/full' "$BIN/netcap" "$PROC"
    assert_failure 1
    assert_output --partial 'netcap: write error: No space left on device'
    run bash -c '"$0" --proc-root "$1" -J -o PID >/dev/full' "$BIN/netcap" "$PROC"
    assert_failure 1
    assert_output --partial 'netcap: write error: No space left on device'
    run bash -c 'set -o pipefail; "$0" --proc-root "$1" 2>/dev/null | head -1' "$BIN/netcap" "$PROC"
    assert_output "$HEADER"
}

@test "fixture: the tree is what make-proc-net.sh writes" {
    local dir="$BATS_TEST_TMPDIR/fixtures"
    mkdir -p "$dir"
    cp "$FIXTURES/make-proc-net.sh" "$FIXTURES/proc-lib.sh" "$dir/"
    bash "$dir/make-proc-net.sh"
    diff -r --no-dereference "$PROC" "$dir/proc-net"
}

@test "a column listed twice shows its value twice, as lsblk does" {
    run --separate-stderr netcap -r -o PID,LPORT,+LPORT -n
    assert_failure   # '+' only at the start
    run --separate-stderr netcap -r -n -o PID,LPORT,LPORT
    assert_success
    while read -r pid a b; do
        [ -n "$a" ] && [ "$a" = "$b" ] || fail "row '$pid $a $b'"
    done <<<"$output"
    run --separate-stderr netcap -r -o +LADDR
    assert_line --index 0 'PID USER COMMAND PROTO STATE LADDR LPORT RADDR RPORT EFFECTIVE LADDR'
    assert_line --index 1 --regexp ' \*$'
}
