#!/usr/bin/env bats
# Hostile input, every tool, one place (issue #7). Each case gives a clear diagnostic or
# is skipped and counted, the rest of the report stays right, and no raw control byte
# (below 0x20 but the row-ending newline, 0x7F, a C1 control) nor invalid UTF-8 reaches
# stdout or stderr; JSON parses and its names round-trip.
#
# pscap and netcap, on a proc tree written at test time by
# tests/fixtures/make-proc-hostile.sh (nothing of it is committed):
#   skipped and counted  status without CapEff (300), without Name (301), CapPrm twice
#                        (302), a non-hex mask (303), a 17-digit mask (304), NUL bytes in a
#                        mask (305), an empty file (306), a megabyte-long mask (307), a NUL
#                        inside a key (308), a megabyte of garbage without a newline (309),
#                        a NUL byte in the Name (411); a malformed thread status (501, -T)
#   reported             a megabyte-long unknown line (400), duplicated unknown lines and
#                        a line without a colon (401), no trailing newline (402)
#   names, escaped       newline (403), ESC sequence raw (404) and as \e (405), invalid
#                        UTF-8 (406), a C1 control (407), CR TAB DEL BEL (408), 255 bytes of
#                        ASCII (409) and of UTF-8 (410), a backslash (412), a megabyte
#                        (413), valid UTF-8 (414), an OSC title sequence (415), a forged
#                        row (416), CRLF (417), bidirectional overrides and isolates and a
#                        line separator (418-420), an OSC sequence in a thread (502, -T)
#   /proc/net            lines truncated, with extra fields, garbage with ESC, a NUL in a
#                        field, a non-hex port, an inode beyond 64 bits or negative, a
#                        megabyte line, blanks only, an address one digit short, no
#                        trailing newline, a header without newline, an empty table, a
#                        table that is a directory, a table without its header line;
#                        fd links that are not sockets or not well-formed ones
# pscap: default, -a, --tree, -T, -J --output-all, column mode, raw, -p per malformed pid.
# netcap: default, -l (column mode), -J --output-all.
# The command line: options and operands with ESC sequences and invalid UTF-8, for
# pscap, netcap and captest (captest reads nothing else that is hostile).
# filecap (root): names with newline, ESC, invalid UTF-8, a C1 control, CR TAB DEL and
# 255 bytes set with setcap; malformed security.capability values (bad revision, wrong
# sizes) under hostile names on an ext4 image written with debugfs (the kernel refuses
# to store them through setxattr).
load common

setup_file() {
    export HPROC="$BATS_FILE_TMPDIR/proc"
    bash "$FIXTURES/make-proc-hostile.sh" "$HPROC"
    # The original bytes of every reported name, for the JSON round trip.
    cat > "$BATS_FILE_TMPDIR/hostile_names.py" <<'PY'
NAMES = {
    1: b"systemd", 100: b"sshd", 101: b"sshd", 200: b"ambsrv", 201: b"prmonly", 202: b"nobnd",
    400: b"megaline", 401: b"dupunknown", 402: b"notrail", 403: b"nl\nname",
    404: b"esc\x1b[31mred", 405: b"old\x1b[2Jclr", 406: b"bad\xff\xc0\xafutf8\xed\xa0\x80\xe2\x82",
    407: b"c1\xc2\x9b31m", 408: b"cr\rtab\tdel\x7fbel\x07", 409: b"L" * 255,
    410: "\u20ac".encode() * 85, 412: b"back\\x41slash", 413: b"M" * 1048576,
    414: "caf\u00e9".encode(), 415: b"\x1b]0;pwned\x07",
    416: b"x\n1       1       root             fake            full +", 417: b"crlf\r",
    418: "x\u202eevil".encode(), 419: "\u2066iso\u2069".encode(), 420: "line\u2028sep".encode(),
    500: b"threaded",
}
HOSTILE = [p for p in NAMES if p >= 400]

import re
def unescape(s):
    """The reversible JSON escape undone: every \\xHH is the byte HH."""
    out, i = bytearray(), 0
    for m in re.finditer(r"\\x([0-9A-F]{2})", s):
        out += s[i:m.start()].encode()
        out.append(int(m.group(1), 16))
        i = m.end()
    return bytes(out + s[i:].encode())
PY
}

setup() {
    OUT=$BATS_TEST_TMPDIR/out
    ERR=$BATS_TEST_TMPDIR/err
    export PYTHONPATH=$BATS_FILE_TMPDIR
}

# on TOOL ARGS...: runs TOOL on the hostile tree, stdout to $OUT, stderr to $ERR, the exit
# status in $rc. (Not bats' run: a megabyte-long name makes column mode write 26 MB.)
on() {
    local tool=$1
    shift
    rc=0
    COLUMNS=80 "$BIN/$tool" --proc-root "$HPROC" "$@" >"$OUT" 2>"$ERR" || rc=$?
}

# clean FILE...: no raw control byte (but newline), no DEL, no C1 control, no
# bidirectional control or line/paragraph separator (U+202A..U+202E, U+2066..U+2069,
# U+2028, U+2029), valid UTF-8.
UNSAFE='[\x00-\x09\x0B-\x1F\x7F]|\xC2[\x80-\x9F]|\xE2\x80[\xA8-\xAE]|\xE2\x81[\xA6-\xA9]'
clean() {
    local f
    for f in "$@"; do
        if LC_ALL=C grep -naP "$UNSAFE" "$f" >/dev/null; then
            echo "raw control byte in $f:" >&2
            LC_ALL=C grep -naP "$UNSAFE" "$f" | cut -c1-200 | od -c | head >&2
            return 1
        fi
        python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$f" ||
            { echo "invalid UTF-8 in $f" >&2; return 1; }
    done
}

# same EXPECTED ACTUAL: byte for byte, with a readable diff of the first 200 bytes of
# each line when not.
same() {
    cmp -s "$1" "$2" && return 0
    diff -u <(cut -c1-200 "$1") <(cut -c1-200 "$2") >&2 || true
    cmp "$1" "$2" >&2 || true
    return 1
}

# The text escape of each reported hostile name (escape_name: upper-case \xHH).
megabyte() { head -c 1048576 /dev/zero | tr '\0' "$1"; }
text_name() {
    case $1 in
    400) printf megaline ;;
    401) printf dupunknown ;;
    402) printf notrail ;;
    403) printf '%s' 'nl\x0Aname' ;;
    404) printf '%s' 'esc\x1B[31mred' ;;
    405) printf '%s' 'old\x1B[2Jclr' ;;
    406) printf '%s' 'bad\xFF\xC0\xAFutf8\xED\xA0\x80\xE2\x82' ;;
    407) printf '%s' 'c1\xC2\x9B31m' ;;
    408) printf '%s' 'cr\x0Dtab\x09del\x7Fbel\x07' ;;
    409) printf 'L%.0s' {1..255} ;;
    410) printf '\xe2\x82\xac%.0s' {1..85} ;;
    412) printf '%s' 'back\x41slash' ;;
    413) megabyte M ;;
    414) printf 'caf\xc3\xa9' ;;
    415) printf '%s' '\x1B]0;pwned\x07' ;;
    416) printf '%s' 'x\x0A1       1       root             fake            full +' ;;
    417) printf '%s' 'crlf\x0D' ;;
    418) printf '%s' 'x\xE2\x80\xAEevil' ;;
    419) printf '%s' '\xE2\x81\xA6iso\xE2\x81\xA9' ;;
    420) printf '%s' 'line\xE2\x80\xA8sep' ;;
    500) printf threaded ;;
    esac
}
HOSTILE_PIDS="400 401 402 403 404 405 406 407 408 409 410 412 413 414 415 416 417 418 419 420 500"
MALFORMED_PIDS="300 301 302 303 304 305 306 307 308 309 411"

# 0.9.5's rows, padded by bytes as its printf does.
ps_row() { printf '%-7s %-7s %-16s %-15s %s\n' "$@"; }
ps_thread_row() { printf '%-7s %-7s %-7s %-16s %-15s %s\n' "$@"; }
net_row() { printf '%-7s %-7s %-16s %-15s %-8s %-15s %s\n' "$@"; }

skipped_line() {
    echo "$1: $2 processes skipped for malformed data (first: $HPROC/300/status: missing field CapEff)"
}

@test "fixture: the generated tree holds the hostile bytes it promises" {
    # NUL bytes in 305's mask, 308's key, 411's name and a line of net/tcp
    for f in 305/status 308/status 411/status net/tcp; do
        [ "$(LC_ALL=C grep -caP '\x00' "$HPROC/$f")" -eq 1 ]
    done
    # megabyte lines
    for f in 307/status 309/status 400/status 413/status net/tcp; do
        [ "$(wc -L < "$HPROC/$f")" -ge 1048576 ]
    done
    # no trailing newline (402's last line is CapBnd, udp's last entry, udp6's header)
    [ "$(tail -c 16 "$HPROC/402/status")" = 000001ffffffffff ]
    [ "$(tail -c 1 "$HPROC/net/udp" | od -An -c | tr -d ' ')" = '0' ]
    [ "$(tail -c 5 "$HPROC/net/udp6")" = drops ]
    # raw control bytes in names and tables, the kernel's \n escape
    LC_ALL=C grep -qaP '^Name:\tesc\x1b\[31mred$' "$HPROC/404/status"
    LC_ALL=C grep -qaP '^Name:\tcr\rtab\tdel\x7fbel\x07$' "$HPROC/408/status"
    LC_ALL=C grep -qaP '^Name:\tcrlf\r$' "$HPROC/417/status"
    grep -qxF $'Name:\tnl\\nname' "$HPROC/403/status"
    LC_ALL=C grep -qaP '^\x1b\[31mgarbage' "$HPROC/net/tcp"
    [ "$(grep -c '^CapPrm:' "$HPROC/302/status")" -eq 2 ]
    ! grep -q '^CapEff:' "$HPROC/300/status"
    [ ! -s "$HPROC/306/status" ]
    [ -d "$HPROC/net/udplite" ]
    [ "$(head -c 6 "$HPROC/net/raw6")" = '   58:' ]
}

@test "column mode in the C and a UTF-8 locale: never hangs, every name escaped" {
    # libsmartcols cannot measure a byte above 0x7F outside a UTF-8 locale; handed one
    # with its encoding off it looped forever.
    for loc in C POSIX C.UTF-8; do
        for tool in "pscap -a -o PID,COMMAND" "pscap -a --tree -o PID,COMMAND" "netcap -o PID,COMMAND"; do
            rc=0
            LC_ALL=$loc timeout 20 "$BIN/${tool%% *}" --proc-root "$HPROC" ${tool#* } >"$OUT" 2>"$ERR" || rc=$?
            [ "$rc" -eq 0 ] || fail "LC_ALL=$loc $tool: exit $rc (124: it hung)"
            clean "$OUT" "$ERR"
            grep -qF 'x\xE2\x80\xAEevil' "$OUT" || fail "LC_ALL=$loc $tool: 418 not escaped"
            if [ "$loc" = C.UTF-8 ]; then
                grep -qF "$(printf 'caf\xc3\xa9')" "$OUT" || fail "$tool: valid UTF-8 escaped in UTF-8"
            else
                # Outside UTF-8 only ASCII: valid UTF-8 is escaped too.
                ! LC_ALL=C grep -qaP '[\x80-\xFF]' "$OUT" || fail "LC_ALL=$loc $tool: a byte above 0x7F"
                grep -qF 'caf\xC3\xA9' "$OUT" || fail "LC_ALL=$loc $tool: 414 not escaped"
            fi
        done
    done
}

@test "pscap: malformed processes skipped and counted in one line, the rest byte for byte" {
    on pscap
    [ "$rc" -eq 0 ]
    {
        echo 'ppid    pid     uid              command         capabilities'
        ps_row 0 1 root systemd 'full +'
        ps_row 1 100 root sshd 'net_bind_service, net_admin, net_raw +'
        ps_row 100 101 root sshd 'net_admin, net_raw +'
        ps_row 1 200 nobody ambsrv 'net_bind_service, net_raw @ +'
        ps_row 1 202 root nobnd 'net_admin, net_raw'
        for pid in $HOSTILE_PIDS; do ps_row 1 "$pid" root "$(text_name "$pid")" 'kill +'; done
    } > "$BATS_TEST_TMPDIR/want"
    same "$BATS_TEST_TMPDIR/want" "$OUT"
    [ "$(cat "$ERR")" = "$(skipped_line pscap 11)" ]
    clean "$OUT" "$ERR"
    # -a changes nothing in this layout (it needs --tree or a column option)
    on pscap -a
    [ "$rc" -eq 0 ]
    same "$BATS_TEST_TMPDIR/want" "$OUT"
    [ "$(cat "$ERR")" = "$(skipped_line pscap 11)" ]
}

@test "pscap -p: each malformed status file gets a diagnostic that names its fault" {
    declare -A fault=(
        [300]='missing field CapEff' [301]='missing field Name' [302]='duplicated field CapPrm'
        [303]='malformed field CapEff' [304]='malformed field CapBnd' [305]='malformed field CapPrm'
        [306]='missing field Name' [307]='malformed field CapInh' [308]='missing field CapEff'
        [309]='missing field Name' [411]='malformed field Name'
    )
    [ "${#fault[@]}" -eq 11 ]
    for pid in $MALFORMED_PIDS; do
        on pscap -p "$pid"
        [ "$rc" -eq 0 ]
        [ ! -s "$OUT" ]
        [ "$(cat "$ERR")" = "pscap: 1 process skipped for malformed data (first: $HPROC/$pid/status: ${fault[$pid]})" ]
    done
    # and a hostile name alone: its row, nothing on stderr
    on pscap -p 404
    [ "$(cat "$OUT")" = "ppid    pid     uid              command         capabilities
$(ps_row 1 404 root 'esc\x1B[31mred' 'kill +')" ]
    [ ! -s "$ERR" ]
}

@test "pscap --tree: the rest of the tree right, long names wrapped between characters" {
    on pscap --tree
    [ "$rc" -eq 0 ]
    [ "$(cat "$ERR")" = "$(skipped_line pscap 11)" ]
    clean "$OUT" "$ERR"
    # the short nodes, byte for byte
    grep -qxF 'systemd(1:root) [full +]' "$OUT"
    grep -qxF '├─ sshd(100:root) [net_bind_service, net_admin, net_raw +]' "$OUT"
    grep -qxF '│  └─ sshd(101:root) [net_admin, net_raw +]' "$OUT"
    grep -qxF '├─ ambsrv(200:nobody) [net_bind_service, net_raw @ +]' "$OUT"
    grep -qxF '├─ nobnd(202:root) [net_admin, net_raw]' "$OUT"
    grep -qxF '├─ esc\x1B[31mred(404:root) [kill +]' "$OUT"
    grep -qxF '└─ threaded(500:root) [kill +]' "$OUT"
    # every node, its lines joined again; every line within 80 bytes
    python3 - "$OUT" <<'PY'
import sys
from hostile_names import NAMES, HOSTILE
text = open(sys.argv[1], "rb").read().decode("utf-8")
assert text.endswith("\n")
units = ("├─ ", "└─ ", "│  ", "   ")
nodes = []
for line in text[:-1].split("\n"):
    assert len(line.encode()) <= 80, (len(line.encode()), line[:100])
    depth = 0
    while line[3 * depth:3 * depth + 3] in units:
        depth += 1
    prefix, content = line[:3 * depth], line[3 * depth:]
    if depth == 0 or prefix[-3:] in ("├─ ", "└─ "):
        nodes.append([depth, content])
    else:
        nodes[-1][1] += content
def esc(b):  # escape_name: \xHH for controls, display controls and invalid UTF-8
    out = ""
    for ch in b.decode("utf-8", "surrogateescape"):
        o = ord(ch)
        if 0xDC80 <= o <= 0xDCFF:
            out += "\\x%02X" % (o - 0xDC00)
        elif o < 0x20 or o == 0x7F:
            out += "\\x%02X" % o
        elif 0x80 <= o <= 0x9F or 0x2028 <= o <= 0x202E or 0x2066 <= o <= 0x2069:
            out += "".join("\\x%02X" % c for c in ch.encode())
        else:
            out += ch
    return out
want = [[0, "systemd(1:root) [full +]"],
        [1, "sshd(100:root) [net_bind_service, net_admin, net_raw +]"],
        [2, "sshd(101:root) [net_admin, net_raw +]"],
        [1, "ambsrv(200:nobody) [net_bind_service, net_raw @ +]"],
        [1, "nobnd(202:root) [net_admin, net_raw]"]]
want += [[1, "%s(%d:root) [kill +]" % (esc(NAMES[p]), p)] for p in sorted(HOSTILE)]
assert len(nodes) == len(want), (len(nodes), len(want))
for got, exp in zip(nodes, want):
    assert got == exp, (got[0], got[1][:120], exp[0], exp[1][:120])
PY
}

@test "pscap -T: a malformed thread counted, a hostile thread name escaped" {
    on pscap -T
    [ "$rc" -eq 0 ]
    {
        echo 'ppid    pid     tid     uid              command         capabilities'
        ps_thread_row 0 1 1 root systemd 'full +'
        ps_thread_row 1 100 100 root sshd 'net_bind_service, net_admin, net_raw +'
        ps_thread_row 100 101 101 root sshd 'net_admin, net_raw +'
        ps_thread_row 1 200 200 nobody ambsrv 'net_bind_service, net_raw @ +'
        ps_thread_row 1 202 202 root nobnd 'net_admin, net_raw'
        for pid in $HOSTILE_PIDS; do ps_thread_row 1 "$pid" "$pid" root "$(text_name "$pid")" 'kill +'; done
        ps_thread_row 1 500 502 root 'thr\x1B]0;x\x07' 'net_raw +'
    } > "$BATS_TEST_TMPDIR/want"
    same "$BATS_TEST_TMPDIR/want" "$OUT"
    # the eleven processes and thread 501
    [ "$(cat "$ERR")" = "$(skipped_line pscap 12)" ]
    clean "$OUT" "$ERR"
}

@test "pscap -J --output-all: valid JSON, names round-trip, the rest of the report right" {
    on pscap -J --output-all
    [ "$rc" -eq 0 ]
    [ "$(cat "$ERR")" = "$(skipped_line pscap 11)" ]
    clean "$OUT" "$ERR"
    python3 - "$OUT" <<'PY'
import json, sys
from hostile_names import NAMES, HOSTILE, unescape
procs = json.load(open(sys.argv[1], "rb"))["processes"]
pids = [p["pid"] for p in procs]
assert pids == [1, 100, 101, 200, 202] + sorted(HOSTILE), pids
for p in procs:
    # every byte of the name comes back; in the text nothing needed the escape but it
    assert unescape(p["command"]) == NAMES[p["pid"]], (p["pid"], p["command"][:80])
    assert all(0x20 <= ord(c) != 0x7F and not 0x80 <= ord(c) <= 0x9F for c in p["command"]), p["pid"]
    assert p["userns"] == 4026531837 and p["child_userns"] is False, p
    assert p["unit"] is None and p["exe"] is None, p
by = {p["pid"]: p for p in procs}
full = by[1]["effective"]
assert len(full) == 41 and full[0] == "chown" and full[-1] == "checkpoint_restore", full
assert by[1]["permitted"] == full and by[1]["bounding"] == full and by[1]["ppid"] == 0
assert by[1]["caps"] == "full +"
s = by[100]
assert (s["ppid"], s["uid"], s["user"]) == (1, 0, "root"), s
assert s["effective"] == ["net_admin", "net_raw"], s
assert s["permitted"] == ["net_bind_service", "net_admin", "net_raw"], s
assert s["caps"] == "net_bind_service, net_admin, net_raw +", s
a = by[200]
assert (a["uid"], a["user"]) == (65534, "nobody"), a
assert a["ambient"] == a["inheritable"] == a["effective"] == ["net_bind_service", "net_raw"], a
assert a["caps"] == "net_bind_service, net_raw @ +" and a["no_new_privs"] is False, a
assert a["seccomp"] == "disabled" and a["seccomp_filters"] == 0, a
assert by[202]["bounding"] == [] and by[202]["caps"] == "net_admin, net_raw", by[202]
assert by[101]["ppid"] == 100
for pid in HOSTILE:
    h = by[pid]
    assert h["effective"] == h["permitted"] == ["kill"] and h["caps"] == "kill +", h
# 402 has no trailing newline and, cut before CapAmb, none of the later optional lines
assert by[402]["ambient"] is None and by[402]["no_new_privs"] is None and by[402]["seccomp"] is None
assert by[402]["bounding"] == full
PY
}

@test "pscap column mode (-a -o ..., -r): the rest of the table byte for byte" {
    on pscap -a -o PID,PPID,USER,EFFECTIVE,PERMITTED,AMBIENT,NO_NEW_PRIVS,COMMAND
    [ "$rc" -eq 0 ]
    [ "$(cat "$ERR")" = "$(skipped_line pscap 11)" ]
    clean "$OUT" "$ERR"
    {
        echo 'PID PPID USER   EFFECTIVE                PERMITTED                          AMBIENT                  NO_NEW_PRIVS COMMAND'
        echo '  1    0 root   full                     full                                                        no           systemd'
        echo '100    1 root   net_admin,net_raw        net_bind_service,net_admin,net_raw                          no           sshd'
        echo '101  100 root   net_admin,net_raw        net_admin,net_raw                                           no           sshd'
        echo '200    1 nobody net_bind_service,net_raw net_bind_service,net_raw           net_bind_service,net_raw no           ambsrv'
        echo '201    1 nobody                          net_raw                                                     no           prmonly'
        echo '202    1 root   net_admin,net_raw        net_admin,net_raw                                           no           nobnd'
        for pid in $HOSTILE_PIDS; do
            if [ "$pid" = 402 ]; then
                echo "402    1 root   kill                     kill                                                                     notrail"
            else
                printf '%s    1 root   kill                     kill                                                        no           %s\n' "$pid" "$(text_name "$pid")"
            fi
        done
    } > "$BATS_TEST_TMPDIR/want"
    same "$BATS_TEST_TMPDIR/want" "$OUT"
    # raw: util-linux's encoding (lower-case \xhh, also for blanks and non-ASCII bytes)
    on pscap -r -o PID,COMMAND
    [ "$rc" -eq 0 ]
    clean "$OUT" "$ERR"
    [ "$(sed -n 1,6p "$OUT")" = 'PID COMMAND
1 systemd
100 sshd
101 sshd
200 ambsrv
202 nobnd' ]
    grep -qxF '403 nl\x0aname' "$OUT"
    grep -qxF '404 esc\x1b[31mred' "$OUT"
    grep -qxF '406 bad\xff\xc0\xafutf8\xed\xa0\x80\xe2\x82' "$OUT"
    grep -qxF '407 c1\xc2\x9b31m' "$OUT"
    grep -qxF '408 cr\x0dtab\x09del\x7fbel\x07' "$OUT"
    grep -qxF '412 back\x5cx41slash' "$OUT"
    grep -qxF '415 \x1b]0;pwned\x07' "$OUT"
    grep -qxF '417 crlf\x0d' "$OUT"
    # one line per process: no name split a row
    [ "$(wc -l < "$OUT")" -eq 27 ]
    [ "$(cut -d' ' -f1 "$OUT" | paste -sd' ')" = "PID 1 100 101 200 202 $HOSTILE_PIDS" ]
}

@test "netcap: malformed processes and socket lines counted, the rest byte for byte" {
    on netcap
    [ "$rc" -eq 0 ]
    {
        echo 'ppid    pid     acct             command         type     port            capabilities'
        net_row 1 100 root sshd tcp 22 'net_bind_service, net_admin, net_raw +'
        net_row 1 200 nobody ambsrv tcp 80 'net_bind_service, net_raw @+'
        for pid in $HOSTILE_PIDS; do net_row 1 "$pid" root "$(text_name "$pid")" tcp $((7000 + pid - 400)) 'kill +'; done
        net_row 0 1 root systemd tcp 8000 'full +'              # extra fields
        net_row 0 1 root systemd tcp6 9090 'full +'
        net_row 1 200 nobody ambsrv udp 5353 'net_bind_service, net_raw @+'   # no newline
        net_row 1 202 root nobnd raw 0 'net_admin, net_raw '    # extra fields
        net_row 1 202 root nobnd raw6 0 'net_admin, net_raw '   # no header line
        net_row 1 202 root nobnd pkt '*' 'net_admin, net_raw '  # extra fields
    } > "$BATS_TEST_TMPDIR/want"
    same "$BATS_TEST_TMPDIR/want" "$OUT"
    # tcp: 9 malformed lines, tcp6: 2, raw: 1, packet: 1
    [ "$(cat "$ERR")" = "$(skipped_line netcap 11)
netcap: cannot read sockets: $HPROC/net/udplite: Is a directory
netcap: 13 malformed socket entries skipped" ]
    clean "$OUT" "$ERR"
}

@test "netcap -l: listening sockets only, the same counts" {
    on netcap -l -o PID,PROTO,STATE,LADDR,LPORT,RADDR,RPORT,INODE
    [ "$rc" -eq 0 ]
    {
        echo 'PID PROTO STATE  LADDR LPORT RADDR RPORT INODE'
        echo '100 tcp   LISTEN *        22 *            5010'
        echo '200 tcp   LISTEN *        80 *            5020'
        for pid in $HOSTILE_PIDS; do
            printf '%3d tcp   LISTEN *      %4d *            %d\n' "$pid" $((7000 + pid - 400)) $((7000 + pid))
        done
        echo '  1 tcp6  LISTEN *      9090 *            5001'
        echo '200 udp   UNCONN *      5353 *            5021'
        echo '202 raw   UNCONN *         1 *            5040'
        echo '202 raw6  UNCONN *        58 *            5042'
        echo '202 pkt   UNCONN *         3              5041'
    } > "$BATS_TEST_TMPDIR/want"
    same "$BATS_TEST_TMPDIR/want" "$OUT"
    [ "$(cat "$ERR")" = "$(skipped_line netcap 11)
netcap: cannot read sockets: $HPROC/net/udplite: Is a directory
netcap: 13 malformed socket entries skipped" ]
    clean "$OUT" "$ERR"
}

@test "netcap -J --output-all: valid JSON, names round-trip, every socket where it belongs" {
    on netcap -J --output-all
    [ "$rc" -eq 0 ]
    [ "$(sed -n 3p "$ERR")" = 'netcap: 13 malformed socket entries skipped' ]
    clean "$OUT" "$ERR"
    python3 - "$OUT" <<'PY'
import json, sys
from hostile_names import NAMES, HOSTILE, unescape
rows = json.load(open(sys.argv[1], "rb"))["sockets"]
got = [(r["pid"], r["proto"], r["state"], r["laddr"], r["lport"], r["raddr"], r["rport"], r["inode"]) for r in rows]
want = [(100, "tcp", "LISTEN", "*", 22, "*", None, 5010), (200, "tcp", "LISTEN", "*", 80, "*", None, 5020)]
want += [(p, "tcp", "LISTEN", "*", 7000 + p - 400, "*", None, 7000 + p) for p in sorted(HOSTILE)]
want += [(1, "tcp", "ESTAB", "127.0.0.1", 8000, "127.0.0.1", 22, 5002),
         (1, "tcp6", "LISTEN", "*", 9090, "*", None, 5001),
         (200, "udp", "UNCONN", "*", 5353, "*", None, 5021),
         (202, "raw", "UNCONN", "*", 1, "*", None, 5040),
         (202, "raw6", "UNCONN", "*", 58, "*", None, 5042),
         (202, "pkt", "UNCONN", "*", 3, None, None, 5041)]
assert got == want, [g for g in got if g not in want] + ["|"] + [w for w in want if w not in got]
for r in rows:
    assert unescape(r["command"]) == NAMES[r["pid"]], (r["pid"], r["command"][:80])
    assert r["user"] == ("nobody" if r["pid"] == 200 else "root"), r
by = {r["inode"]: r for r in rows}
assert by[5020]["ambient"] == ["net_bind_service", "net_raw"] and by[5020]["caps"] == "net_bind_service, net_raw @ +"
assert by[5041]["iface"] == "*" and by[5041]["bounding"] == [] and by[5041]["caps"] == "net_admin, net_raw"
assert len(by[5002]["effective"]) == 41 and by[5002]["caps"] == "full +"
PY
}

@test "the command line: ESC sequences and invalid UTF-8 in arguments are escaped in messages" {
    local esc=$'\e[31m'
    run --separate-stderr "$BIN/captest" "--bo${esc}gus"
    assert_failure 1
    [ -z "$output" ]
    [ "$stderr" = $'captest: unrecognized option \'--bo\\x1B[31mgus\'\nTry \'captest --help\' for more information.' ]
    run --separate-stderr "$BIN/captest" $'oper\eand\xff'
    assert_failure 1
    [ "$stderr" = $'captest: unexpected argument \'oper\\x1Band\\xFF\'\nTry \'captest --help\' for more information.' ]

    run --separate-stderr "$BIN/pscap" --proc-root "$HPROC" -o "PID,X${esc}"
    assert_failure 1
    [ "$stderr" = 'pscap: unknown column: X\x1B[31m' ]
    run --separate-stderr "$BIN/pscap" --proc-root "$HPROC" --cap "net_raw,${esc}"$'\xff'
    assert_failure 1
    [ "$stderr" = 'pscap: unknown capability: \x1B[31m\xFF' ]
    run --separate-stderr "$BIN/pscap" -p $'1\e'
    assert_failure 1
    [ "$stderr" = 'Invalid pid argument: 1\x1B' ]
    run --separate-stderr "$BIN/pscap" -u "no${esc}user"
    assert_failure 1
    [ "$stderr" = 'pscap: unknown user: no\x1B[31muser' ]
    run --separate-stderr "$BIN/pscap" --proc-root "$BATS_TEST_TMPDIR/no${esc}dir"
    assert_failure 1
    [ "$stderr" = "Can't open $BATS_TEST_TMPDIR/no\\x1B[31mdir: No such file or directory" ]

    run --separate-stderr "$BIN/netcap" --proc-root "$HPROC" -o "PID,X${esc}"
    assert_failure 1
    [ "$stderr" = 'netcap: unknown column: X\x1B[31m' ]
    run --separate-stderr "$BIN/netcap" "--b${esc}"
    assert_failure 1
    [ "$stderr" = $'netcap: unrecognized option \'--b\\x1B[31m\'\nTry \'netcap --help\' for more information.' ]
    run --separate-stderr "$BIN/netcap" --proc-root "$BATS_TEST_TMPDIR/no${esc}dir"
    assert_failure 1
    [ "$stderr" = "Can't open $BATS_TEST_TMPDIR/no\\x1B[31mdir: No such file or directory" ]

    # a proc root whose own path is hostile: the diagnostics quote it escaped
    local root=$BATS_TEST_TMPDIR/proc${esc}root
    ln -s "$HPROC" "$root"
    run --separate-stderr "$BIN/pscap" --proc-root "$root" -p 303
    assert_success
    [ "$stderr" = "pscap: 1 process skipped for malformed data (first: $BATS_TEST_TMPDIR/proc\\x1B[31mroot/303/status: malformed field CapEff)" ]
    run --separate-stderr "$BIN/netcap" --proc-root "$root" -l -o PID
    assert_success
    [ "$(printf '%s\n' "$stderr" | sed -n 2p)" = "netcap: cannot read sockets: $BATS_TEST_TMPDIR/proc\\x1B[31mroot/net/udplite: Is a directory" ]
}

@test "the program name (argv[0]) is escaped in every message" {
    local t
    for t in pscap netcap captest; do
        run --separate-stderr bash -c 'exec -a "$1" "$2" --bogus-option' sh $'x/'"$t"$'\e[31m\xff' "$BIN/$t"
        assert_failure
        clean <(printf '%s' "$stderr") || fail "$t: raw bytes in: $stderr"
        [[ "$stderr" == "$t"'\x1B[31m\xFF: '* ]] || fail "$t: $stderr"
    done
    for t in pscap netcap filecap; do
        run --separate-stderr bash -c 'exec -a "$1" "$2" -o BOGUS' sh "$t"$'\e[31m' "$BIN/$t"
        assert_equal "$stderr" "$t"'\x1B[31m: unknown column: BOGUS'
    done
}

# --- filecap (root) ---------------------------------------------------------------------

# 0.9.5's row: the set, the path padded to 22 bytes, the capabilities.
file_row() { printf '%s %-22s %s\n' "$@"; }

@test "filecap: hostile file names with real file capabilities, escaped in text, reversible in JSON" {
    require_root
    command -v setcap >/dev/null || skip "setcap is not installed"
    local d=$BATS_TEST_TMPDIR/names
    mkdir "$d"
    # a digit first: the sorted order is the order of this list
    local names=(
        $'1nl\nname' $'2esc\e[31mred' $'3bad\xff\xfeutf8' $'4c1\xc2\x9bx'
        $'5cr\rtab\tdel\x7f' "6$(printf 'F%.0s' {1..254})" $'7back\\x41slash' 8plain
    )
    local n
    for n in "${names[@]}"; do cp /bin/true "$d/$n"; done
    for n in "${names[@]:0:7}"; do setcap cap_net_raw+ep "$d/$n"; done
    setcap cap_chown+p "$d/8plain"
    [ "${#names[5]}" -eq 255 ]

    run --separate-stderr "$BIN/filecap" "$d"
    assert_success
    [ -z "$stderr" ]
    {
        echo 'set       file                   capabilities  rootid'
        file_row effective "$d/1nl\\x0Aname" net_raw
        file_row effective "$d/2esc\\x1B[31mred" net_raw
        file_row effective "$d/3bad\\xFF\\xFEutf8" net_raw
        file_row effective "$d/4c1\\xC2\\x9Bx" net_raw
        file_row effective "$d/5cr\\x0Dtab\\x09del\\x7F" net_raw
        file_row effective "$d/${names[5]}" net_raw
        file_row effective "$d/7back\\x41slash" net_raw
        file_row permitted "$d/8plain" chown
    } > "$BATS_TEST_TMPDIR/want"
    printf '%s\n' "$output" > "$OUT"
    same "$BATS_TEST_TMPDIR/want" "$OUT"
    clean "$OUT"

    COLUMNS=80 "$BIN/filecap" -n -o SET,PERMITTED,VERSION,PATH "$d" > "$OUT" 2> "$ERR"
    [ ! -s "$ERR" ]
    {
        printf 'effective net_raw         2 %s\n' "$d/1nl\\x0Aname" "$d/2esc\\x1B[31mred" "$d/3bad\\xFF\\xFEutf8" \
            "$d/4c1\\xC2\\x9Bx" "$d/5cr\\x0Dtab\\x09del\\x7F" "$d/${names[5]}" "$d/7back\\x41slash"
        printf 'permitted chown           2 %s\n' "$d/8plain"
    } > "$BATS_TEST_TMPDIR/want"
    same "$BATS_TEST_TMPDIR/want" "$OUT"
    clean "$OUT"

    "$BIN/filecap" -J -o PATH,SET,PERMITTED "$d" > "$OUT" 2> "$ERR"
    [ ! -s "$ERR" ]
    clean "$OUT"
    python3 - "$OUT" "$d" <<'PY'
import json, os, sys
from hostile_names import unescape
files = json.load(open(sys.argv[1], "rb"))["files"]
d = sys.argv[2].encode()
on_disk = sorted(os.path.join(d, n) for n in os.listdir(d))
assert [unescape(f["path"]) for f in files] == on_disk, [f["path"] for f in files]
assert [f["set"] for f in files] == ["effective"] * 7 + ["permitted"], files
assert [f["permitted"] for f in files] == [["net_raw"]] * 7 + [["chown"]], files
PY
}

teardown() {
    if [ -n "${IMG_MNT:-}" ] && mountpoint -q "$IMG_MNT"; then umount "$IMG_MNT"; fi
}

@test "filecap: display controls in file names; column mode in the C locale does not hang" {
    require_root
    command -v setcap >/dev/null || skip "setcap is not installed"
    local d=$BATS_TEST_TMPDIR/bidi
    mkdir "$d"
    cp /bin/true "$d/$(printf 'x\xe2\x80\xaeevil')"
    cp /bin/true "$d/$(printf 'caf\xc3\xa9')"
    setcap cap_net_raw+ep "$d/$(printf 'x\xe2\x80\xaeevil')"
    setcap cap_net_raw+ep "$d/$(printf 'caf\xc3\xa9')"
    # the default text: the override escaped, valid UTF-8 left as it is
    "$BIN/filecap" "$d" > "$OUT" 2> "$ERR"
    clean "$OUT" "$ERR"
    grep -qF "$d/x\xE2\x80\xAEevil" "$OUT"
    grep -qF "$d/$(printf 'caf\xc3\xa9')" "$OUT"
    for loc in C C.UTF-8; do
        rc=0
        LC_ALL=$loc timeout 20 "$BIN/filecap" -o PATH,SET "$d" > "$OUT" 2> "$ERR" || rc=$?
        [ "$rc" -eq 0 ] || fail "LC_ALL=$loc filecap -o: exit $rc (124: it hung)"
        clean "$OUT" "$ERR"
        grep -qF "$d/x\xE2\x80\xAEevil" "$OUT"
    done
    grep -qF "$d/$(printf 'caf\xc3\xa9')" "$OUT"   # C.UTF-8: left as it is
    # JSON: the names round-trip
    "$BIN/filecap" -J -o PATH "$d" > "$OUT"
    python3 - "$OUT" "$d" <<'PY'
import json, os, sys
from hostile_names import unescape
files = json.load(open(sys.argv[1], "rb"))["files"]
d = sys.argv[2].encode()
assert sorted(unescape(f["path"]) for f in files) == sorted(os.path.join(d, n) for n in os.listdir(d)), files
PY
}

@test "filecap: malformed security.capability values under hostile names, one diagnostic each" {
    require_root
    for tool in mkfs.ext4 debugfs; do
        command -v $tool >/dev/null || skip "$tool is not installed"
    done
    local img=$BATS_TEST_TMPDIR/img
    IMG_MNT=$BATS_TEST_TMPDIR/mnt
    truncate -s 8M "$img"
    mkfs.ext4 -q -F "$img"
    # revision 0xFF; a revision 2 value a byte short; revision 3 at revision 2's size;
    # the 4-byte header alone; a good one
    printf '\x00\x00\x00\xff\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00' > "$BATS_TEST_TMPDIR/badrev"
    printf '\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00' > "$BATS_TEST_TMPDIR/short"
    printf '\x01\x00\x00\x03\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00' > "$BATS_TEST_TMPDIR/v3size"
    printf '\x01\x00\x00\x02' > "$BATS_TEST_TMPDIR/header"
    printf '\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00' > "$BATS_TEST_TMPDIR/good"
    local f
    for f in badrev short v3size header good; do
        debugfs -w -R "write /bin/true $f" "$img" >/dev/null 2>&1
        debugfs -w -R "ea_set -f $BATS_TEST_TMPDIR/$f $f security.capability" "$img" >/dev/null 2>&1
    done
    mkdir "$IMG_MNT"
    mount -o loop "$img" "$IMG_MNT" 2>/dev/null || skip "cannot mount a loop device here"
    local m=$IMG_MNT
    # renamed to hostile names (a rename keeps the attribute); the digit gives the order
    mv "$m/badrev" "$m/1esc"$'\e[31m'"red"
    mv "$m/short" "$m/2nl"$'\n'"name"
    mv "$m/v3size" "$m/3bad"$'\xff'"utf8"
    mv "$m/header" "$m/4$(printf 'H%.0s' {1..254})"
    mv "$m/good" "$m/5good"$'\xc2\x9b'
    local long=4$(printf 'H%.0s' {1..254})

    run --separate-stderr "$BIN/filecap" "$m"
    assert_success
    [ "$output" = "set       file                   capabilities  rootid
$(file_row effective "$m/5good\\xC2\\x9B" net_raw)" ]
    [ "$stderr" = "Unable to get capabilities of $m/1esc\\x1B[31mred: Invalid argument
Unable to get capabilities of $m/2nl\\x0Aname: Invalid argument
Unable to get capabilities of $m/3bad\\xFFutf8: Invalid argument
Unable to get capabilities of $m/$long: Invalid argument" ]
    printf '%s\n' "$output" > "$OUT"
    printf '%s\n' "$stderr" > "$ERR"
    clean "$OUT" "$ERR"

    # column mode: an invalid row each, no message
    COLUMNS=80 "$BIN/filecap" -n -o SET,VERSION,PATH "$m" > "$OUT" 2> "$ERR"
    [ ! -s "$ERR" ]
    {
        printf 'invalid           %s\n' "$m/1esc\\x1B[31mred" "$m/2nl\\x0Aname" "$m/3bad\\xFFutf8" "$m/$long"
        printf 'effective       2 %s\n' "$m/5good\\xC2\\x9B"
    } > "$BATS_TEST_TMPDIR/want"
    same "$BATS_TEST_TMPDIR/want" "$OUT"
    clean "$OUT"

    "$BIN/filecap" -J -o PATH,SET,PERMITTED,INHERITABLE,VERSION "$m" > "$OUT" 2> "$ERR"
    [ ! -s "$ERR" ]
    clean "$OUT"
    python3 - "$OUT" "$m" <<'PY'
import json, os, sys
from hostile_names import unescape
files = json.load(open(sys.argv[1], "rb"))["files"]
m = sys.argv[2].encode()
want = sorted(os.path.join(m, n) for n in os.listdir(m) if n != b"lost+found")
assert [unescape(f["path"]) for f in files] == want, [f["path"] for f in files]
for f in files[:4]:
    assert f["set"] == "invalid" and f["permitted"] is None and f["inheritable"] is None, f
    assert f["version"] is None, f
assert files[4]["set"] == "effective" and files[4]["permitted"] == ["net_raw"] and files[4]["version"] == 2
PY
    umount "$m"
}
