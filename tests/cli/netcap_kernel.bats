#!/usr/bin/env bats
# netcap against the running kernel: sockets held by the sockholder helper (which opens
# them, then execs capholder under a known capability state), checked row by row in
# libcap-ng 0.9.5's layout, against Debian's /usr/bin/netcap (libcap-ng 0.8.3) and against
# ss(8). Loopback addresses only. Needs root.
#
# Every holder is started in the background with its stdin on a FIFO that this shell
# keeps open; teardown closes the FIFOs (the holders then exit by themselves), waits for
# them, and kills only a holder that is still there, by its pid (a forked child only if
# its start time is still the recorded one).

load common
load holders
bats_require_minimum_version 1.5.0

HEADER='ppid    pid     acct             command         type     port            capabilities'

setup() {
    require_root
    HOLDER_PIDS=()
    HOLDER_FDS=()
    CHILD_PIDS=()
    CHILD_STARTS=()
    SOCKHOLDER="$HELPERS/sockholder"
    [ -x "$SOCKHOLDER" ] || fail "$SOCKHOLDER is not built (make tests)"
    [ -x "$HELPERS/capholder" ] || fail "$HELPERS/capholder is not built (make tests)"
    [ -x "$BIN/netcap" ] || fail "$BIN/netcap is not built (make all)"
}

# Field 22 of /proc/PID/stat: the start time, to recognise a pid that was reused.
start_time() {
    read_stat "$1" && printf '%s\n' "${STAT[19]}"
}

# True while the forked child number I is alive and still the process we started.
child_alive() {
    read_stat "${CHILD_PIDS[$1]}" && [ "${STAT[0]}" != Z ] && [ "${STAT[19]}" = "${CHILD_STARTS[$1]}" ]
}

teardown() {
    stop_holders
    local j
    for j in "${!CHILD_PIDS[@]}"; do
        end_by_pid "${CHILD_PIDS[$j]}" child_alive "$j"
    done
    CHILD_PIDS=() CHILD_STARTS=()
}

# start_holder NAME COMMAND... — runs COMMAND (sockholder, possibly behind unshare) in the
# background and waits for its "ready" lines (two with --fork). Sets HOLDER_PID, CHILD_PID
# (with --fork) and SOCKS: one "KIND FD PORT" line per socket, in the order opened.
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
    local want=1 i
    [[ " $* " == *" --fork "* ]] && want=2
    for ((i = 0; i < 200; i++)); do
        [ "$(grep -c '^ready ' "$dir/out")" -ge "$want" ] && break
        holder_alive "$launched" || break
        sleep 0.05
    done
    [ "$(grep -c '^ready ' "$dir/out")" -ge "$want" ] ||
        fail "holder $name did not get ready: $(cat "$dir/err")"
    HOLDER_PID=$launched
    grep -qx "ready $launched" "$dir/out" || fail "holder $name: no 'ready $launched' line: $(cat "$dir/out")"
    CHILD_PID=$(awk '$1 == "child" { print $2 }' "$dir/out")
    if [ -n "$CHILD_PID" ]; then
        CHILD_PIDS+=("$CHILD_PID")
        CHILD_STARTS+=("$(start_time "$CHILD_PID")")
    fi
    SOCKS=$(awk '$1 == "sock" { print $2, $3, $4 }' "$dir/out")
}

# The local port of the N-th (1-based) socket of kind KIND in $SOCKS.
port_of() {
    awk -v k="$1" -v n="$2" '$1 == k && ++seen == n { print $3 }' <<<"$SOCKS"
}

ppid_of() {
    local stat
    stat=$(cat "/proc/$1/stat")
    stat=${stat##*) }
    local -a f
    read -r -a f <<<"$stat"
    printf '%s\n' "${f[1]}"
}

# libcap-ng 0.9.5's row: ppid pid acct command type port, then the capabilities tail.
row() {
    printf '%-7s %-7s %-16s %-15s %-8s %-15s %s\n' "$@"
}

# A full run of netcap into $BATS_TEST_TMPDIR/full.out (stderr in full.err), exit status 0;
# the header comes first unless there is no row at all.
netcap_full() {
    local status=0
    "$BIN/netcap" "$@" >"$BATS_TEST_TMPDIR/full.out" 2>"$BATS_TEST_TMPDIR/full.err" || status=$?
    [ "$status" -eq 0 ] || fail "netcap $* exited $status: $(cat "$BATS_TEST_TMPDIR/full.err")"
    [ ! -s "$BATS_TEST_TMPDIR/full.out" ] ||
        assert_equal "$(head -n 1 "$BATS_TEST_TMPDIR/full.out")" "$HEADER"
}

# The rows of the given pids in the last full run, in output order.
rows_of() {
    local pids=" $* "
    awk -v pids="$pids" 'NR > 1 && index(pids, " " $2 " ")' "$BATS_TEST_TMPDIR/full.out"
}

# Checks that the rows of PIDS in the last full run are exactly the EXPECTED lines (in any
# order: the kernel's hash order), and that they come in libcap-ng's table order.
assert_rows() {
    local expected=$1
    shift
    local got
    got=$(rows_of "$@")
    assert_equal "$(sort <<<"$got")" "$(sort <<<"$expected" | sed '/^$/d')"
    local order
    order=$(awk '{ print $5 }' <<<"$got" | uniq | tr '\n' ' ')
    local rank=" tcp tcp6 udp udp6 udplite udplite6 raw raw6 pkt " last=0 t pos
    for t in $order; do
        pos=${rank%% $t *}
        pos=${#pos}
        ((pos >= last)) || fail "table order broken: $order"
        last=$pos
    done
}

@test "kernel: TCP listeners, established pairs, UDP and UDP-Lite on 127.0.0.1 and ::1" {
    start_holder a "$SOCKHOLDER" --tcp 127.0.0.1:0 --tcp '[::1]:0' --tcp-pair 127.0.0.1 \
        --tcp-pair '[::1]' --udp 127.0.0.1:0 --udp '[::1]:0' --udp-conn 127.0.0.1 \
        --udplite 127.0.0.1:0 --udplite '[::1]:0' \
        -- --comm nc_inet --caps net_bind_service,net_admin
    local pid=$HOLDER_PID ppid caps='net_bind_service, net_admin +' expected="" kind _fd port
    ppid=$(ppid_of "$pid")
    while read -r kind _fd port; do
        expected+=$(row "$ppid" "$pid" root nc_inet "$kind" "$port" "$caps")$'\n'
    done <<<"$SOCKS"
    assert_equal "$(wc -l <<<"$SOCKS")" 13
    netcap_full
    assert_rows "$expected" "$pid"
    # both ends of each connection: the listener's port twice (listener, accepted socket)
    local p
    p=$(port_of tcp 2)
    run awk -v p="$p" '$6 == p' <<<"$(rows_of "$pid")"
    assert_equal "${#lines[@]}" 2
    # the capabilities start in column 74
    local line
    line=$(rows_of "$pid" | head -n 1)
    assert_equal "${line:74}" "$caps"
}

@test "kernel: raw ICMP/ICMPv6 and packet sockets: port 0, interface names, trailing blank" {
    start_holder b "$SOCKHOLDER" --raw4 --raw6 --packet --packet=lo \
        -- --comm nc_raw --drop-bounding --caps net_admin,net_raw
    local pid=$HOLDER_PID ppid caps='net_admin, net_raw '
    ppid=$(ppid_of "$pid")
    netcap_full
    assert_rows "$(row "$ppid" "$pid" root nc_raw raw 0 "$caps"
                  row "$ppid" "$pid" root nc_raw raw6 0 "$caps"
                  row "$ppid" "$pid" root nc_raw pkt '*' "$caps"
                  row "$ppid" "$pid" root nc_raw pkt lo "$caps")" "$pid"
    # column mode: the protocols, the ethertype (ETH_P_ALL) and the interfaces
    run --separate-stderr "$BIN/netcap" -rn -o PID,PROTO,STATE,LPORT,IFACE,CAPS
    assert_success
    run grep "^$pid " <<<"$output"
    assert_equal "$(sort <<<"$output")" "$(sort <<EOF
$pid pkt UNCONN 3 * net_admin,\x20net_raw
$pid pkt UNCONN 3 lo net_admin,\x20net_raw
$pid raw UNCONN 1  net_admin,\x20net_raw
$pid raw6 UNCONN 58  net_admin,\x20net_raw
EOF
)"
}

@test "kernel: a non-root owner with ambient capabilities: @+" {
    local user
    user=$(getent passwd 65534 | cut -d: -f1)
    [ -n "$user" ] || skip "uid 65534 has no passwd entry here"
    start_holder c "$SOCKHOLDER" --tcp 127.0.0.1:0 --udp '[::1]:0' \
        -- --comm nc_amb --uid 65534 --caps net_bind_service,net_raw --ambient net_bind_service
    local pid=$HOLDER_PID ppid caps='net_bind_service, net_raw @+'
    run grep -E '^(Uid|CapAmb):' "/proc/$pid/status"
    assert_output $'Uid:\t65534\t65534\t65534\t65534\nCapAmb:\t0000000000000400'
    ppid=$(ppid_of "$pid")
    netcap_full
    assert_rows "$(row "$ppid" "$pid" "$user" nc_amb tcp "$(port_of tcp 1)" "$caps"
                  row "$ppid" "$pid" "$user" nc_amb udp6 "$(port_of udp6 1)" "$caps")" "$pid"
    run --separate-stderr "$BIN/netcap" -J -o PID,UID,USER,PROTO,LADDR,LPORT,EFFECTIVE,AMBIENT,CAPS
    assert_success
    PID=$pid USERNAME=$user TCP=$(port_of tcp 1) UDP=$(port_of udp6 1) python3 -c '
import json, os, sys
rows = [r for r in json.load(sys.stdin)["sockets"] if r["pid"] == int(os.environ["PID"])]
got = sorted((r["proto"], r["laddr"], r["lport"]) for r in rows)
assert got == [("tcp", "127.0.0.1", int(os.environ["TCP"])), ("udp6", "::1", int(os.environ["UDP"]))], got
for r in rows:
    assert r["uid"] == 65534 and r["user"] == os.environ["USERNAME"], r
    assert r["effective"] == ["net_bind_service", "net_raw"], r
    assert r["ambient"] == ["net_bind_service"], r
    assert r["caps"] == "net_bind_service, net_raw @ +", r
' <<<"$output"
}

@test "kernel: a socket shared with a forked child: a row per owner; two fds: one row" {
    start_holder d "$SOCKHOLDER" --tcp 127.0.0.1:0 --dup --fork -- --comm nc_shared --caps net_bind_service
    local pid=$HOLDER_PID child=$CHILD_PID ppid port
    [ -n "$child" ] || fail "no child"
    assert_equal "$(ppid_of "$child")" "$pid"
    # the socket is on fds 3 and 100 of both processes
    assert_equal "$(readlink "/proc/$pid/fd/3")" "$(readlink "/proc/$pid/fd/100")"
    assert_equal "$(readlink "/proc/$pid/fd/3")" "$(readlink "/proc/$child/fd/100")"
    ppid=$(ppid_of "$pid")
    port=$(port_of tcp 1)
    netcap_full
    assert_rows "$(row "$ppid" "$pid" root nc_shared tcp "$port" 'net_bind_service +'
                  row "$pid" "$child" root nc_shared tcp "$port" 'net_bind_service +')" "$pid" "$child"
    # owners in pid order
    assert_equal "$(rows_of "$pid" "$child" | awk '{ print $2 }' | tr '\n' ' ')" \
        "$(printf '%s\n' "$pid" "$child" | sort -n | tr '\n' ' ')"
}

@test "kernel: SO_REUSEPORT pairs: one row per process on the same ports" {
    start_holder e1 "$SOCKHOLDER" --reuseport --tcp 127.0.0.1:0 --udp 127.0.0.1:0 \
        -- --comm nc_rp1 --uid 65534 --caps net_bind_service
    local rp1=$HOLDER_PID tport udport
    tport=$(port_of tcp 1) udport=$(port_of udp 1)
    start_holder e2 "$SOCKHOLDER" --reuseport --tcp "127.0.0.1:$tport" --udp "127.0.0.1:$udport" \
        -- --comm nc_rp2 --uid 65534 --caps net_bind_service
    local rp2=$HOLDER_PID user
    user=$(getent passwd 65534 | cut -d: -f1)
    user=${user:-65534}
    local caps='net_bind_service +'
    netcap_full
    assert_rows "$(row "$(ppid_of "$rp1")" "$rp1" "$user" nc_rp1 tcp "$tport" "$caps"
                  row "$(ppid_of "$rp1")" "$rp1" "$user" nc_rp1 udp "$udport" "$caps"
                  row "$(ppid_of "$rp2")" "$rp2" "$user" nc_rp2 tcp "$tport" "$caps"
                  row "$(ppid_of "$rp2")" "$rp2" "$user" nc_rp2 udp "$udport" "$caps")" "$rp1" "$rp2"
    # two sockets, not one shared: different inodes
    run --separate-stderr "$BIN/netcap" -rn -o PID,PROTO,LPORT,INODE
    local i1 i2
    i1=$(awk -v p="$rp1" -v t="$tport" '$1 == p && $2 == "tcp" && $3 == t { print $4 }' <<<"$output")
    i2=$(awk -v p="$rp2" -v t="$tport" '$1 == p && $2 == "tcp" && $3 == t { print $4 }' <<<"$output")
    [ -n "$i1" ] && [ -n "$i2" ] && [ "$i1" != "$i2" ] || fail "inodes '$i1' '$i2'"
}

@test "kernel: processes without effective capabilities are absent" {
    start_holder f1 "$SOCKHOLDER" --tcp 127.0.0.1:0 --udp 127.0.0.1:0 -- --comm nc_prm --permitted-only net_raw
    local prm=$HOLDER_PID prm_port
    prm_port=$(port_of tcp 1)
    start_holder f2 "$SOCKHOLDER" --tcp 127.0.0.1:0 -- --comm nc_none --uid 65534 --caps ''
    local none=$HOLDER_PID none_port
    none_port=$(port_of tcp 1)
    # a holder with capabilities beside them, so the report is not empty
    start_holder f3 "$SOCKHOLDER" --tcp 127.0.0.1:0 -- --comm nc_some --caps net_raw
    local some=$HOLDER_PID
    run grep '^CapEff:' "/proc/$prm/status" "/proc/$none/status"
    assert_output "/proc/$prm/status:CapEff:	0000000000000000
/proc/$none/status:CapEff:	0000000000000000"
    netcap_full
    assert_rows "$(row "$(ppid_of "$some")" "$some" root nc_some tcp "$(port_of tcp 1)" 'net_raw +')" "$some"
    assert_equal "$(rows_of "$prm" "$none")" ''
    run awk -v a="$prm_port" -v b="$none_port" 'NR > 1 && ($6 == a || $6 == b)' "$BATS_TEST_TMPDIR/full.out"
    assert_output ''
    run --separate-stderr "$BIN/netcap" -rn -o PID --output-all
    refute_line --regexp "^[0-9]+ ($prm|$none) "
}

@test "kernel: hostile command name is escaped, no raw control byte" {
    local comm
    comm=$(printf '%b' 'nc\x1bbad\nx')
    start_holder g "$SOCKHOLDER" --tcp 127.0.0.1:0 -- --comm "$comm" --caps chown
    local pid=$HOLDER_PID
    netcap_full
    assert_rows "$(row "$(ppid_of "$pid")" "$pid" root 'nc\x1Bbad\x0Ax' tcp "$(port_of tcp 1)" 'chown +')" "$pid"
    run env LC_ALL=C grep -c '[[:cntrl:]]' "$BATS_TEST_TMPDIR/full.out"
    assert_output 0
}

@test "kernel: -l keeps listeners, unconnected datagram and raw sockets, packet sockets" {
    start_holder h "$SOCKHOLDER" --tcp-pair 127.0.0.1 --udp 127.0.0.1:0 --udp-conn 127.0.0.1 \
        --raw4 --packet=lo -- --comm nc_listen --caps net_raw
    local pid=$HOLDER_PID
    run --separate-stderr "$BIN/netcap" -l -rn -o PID,PROTO,STATE,LADDR,LPORT,IFACE
    assert_success
    run grep "^$pid " <<<"$output"
    assert_equal "$(sort <<<"$output")" "$(sort <<EOF
$pid tcp LISTEN 127.0.0.1 $(port_of tcp 1) 
$pid udp UNCONN 127.0.0.1 $(port_of udp 1) 
$pid raw UNCONN * 1 
$pid pkt UNCONN * 3 lo
EOF
)"
    # without -l: the accepted and the client socket, the connected UDP socket too
    run --separate-stderr "$BIN/netcap" -rn -o PID,PROTO,STATE,LPORT,RADDR,RPORT
    run grep "^$pid " <<<"$output"
    assert_equal "${#lines[@]}" 7
    assert_line "$pid tcp ESTAB $(port_of tcp 3) 127.0.0.1 $(port_of tcp 1)"
    assert_line "$pid udp ESTAB $(port_of udp 2) 127.0.0.1 9"
}

@test "kernel: --all-netns reports a holder in a second network namespace, with NETNS" {
    unshare -n true 2>/dev/null || skip "cannot create a network namespace here"
    command -v ip >/dev/null || skip "ip (iproute2) is not installed"
    start_holder n unshare -n sh -c 'ip link set lo up && exec "$0" "$@"' "$SOCKHOLDER" \
        --tcp 127.0.0.1:0 --udp '[::1]:0' --raw4 --packet=lo -- --comm nc_netns --caps net_admin
    local pid=$HOLDER_PID ns own
    ns=$(readlink "/proc/$pid/ns/net")
    own=$(readlink /proc/self/ns/net)
    [ "$ns" != "$own" ] || fail "the holder is in our namespace"
    ns=${ns#net:[} ns=${ns%]}
    # not visible from our namespace
    netcap_full
    assert_equal "$(rows_of "$pid")" ''
    # visible with --all-netns; its loopback is ifindex 1 there, named lo; the raw socket
    # comes from that namespace's /proc/net/raw where the kernel has no raw_diag
    local ppid caps='net_admin +'
    ppid=$(ppid_of "$pid")
    netcap_full --all-netns
    assert_rows "$(row "$ppid" "$pid" root nc_netns tcp "$(port_of tcp 1)" "$caps"
                  row "$ppid" "$pid" root nc_netns udp6 "$(port_of udp6 1)" "$caps"
                  row "$ppid" "$pid" root nc_netns raw 0 "$caps"
                  row "$ppid" "$pid" root nc_netns pkt lo "$caps")" "$pid"
    run --separate-stderr "$BIN/netcap" --all-netns -rn -o PID,PROTO,LPORT,IFACE,NETNS
    assert_success
    run grep "^$pid " <<<"$output"
    assert_equal "$(sort <<<"$output")" "$(sort <<EOF
$pid tcp $(port_of tcp 1)  $ns
$pid udp6 $(port_of udp6 1)  $ns
$pid raw 1  $ns
$pid pkt 3 lo $ns
EOF
)"
    # in column mode the default column list gains NETNS with --all-netns
    run --separate-stderr "$BIN/netcap" --all-netns -r
    assert_line --index 0 'PID USER COMMAND PROTO STATE LADDR LPORT RADDR RPORT EFFECTIVE NETNS'
    assert_line --regexp "^$pid root nc_netns tcp LISTEN 127\.0\.0\.1 [0-9]+ \*  net_admin $ns\$"
}

@test "kernel: non-root: libcap-ng's hint on stderr, exit 0" {
    command -v setpriv >/dev/null || skip "setpriv is not installed"
    start_holder i "$SOCKHOLDER" --tcp 127.0.0.1:0 -- --comm nc_hint --caps net_bind_service
    run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN/netcap"
    assert_success
    refute_output --partial nc_hint
    [[ $stderr == *"You may need to be root to get a full report"* ]] || fail "no hint: $stderr"
    assert_equal "$(grep -c 'You may need to be root' <<<"$stderr")" 1
    [[ $stderr == *"netcap: the open files of "*" could not be read: Permission denied"* ]] ||
        fail "no count: $stderr"
}

# caps_by_layout LINE W1 S1 W2 S2 W3 S3 W4 S4 W5 S5 W6 S6: "PID|COMMAND|TYPE|PORT|CAPS" of a
# row made of six left-justified fields (width Wn then Sn blanks) and the capabilities.
# Fields hold no blanks and may overflow their width; the port is not empty.
fields_by_layout() {
    local line=$1
    shift
    local -a f
    read -r -a f <<<"$line"
    local off=0 i w s len
    for i in 0 1 2 3 4 5; do
        w=$1 s=$2
        shift 2
        len=${#f[i]}
        ((off += (len > w ? len : w) + s))
    done
    printf '%s|%s|%s|%s|%s\n' "${f[1]}" "${f[3]}" "${f[4]}" "${f[5]}" "${line:off}"
}

@test "kernel: the same rows as Debian's netcap 0.8.3, but for its documented bugs" {
    [ -x /usr/bin/netcap ] || skip "no /usr/bin/netcap"
    local -A ours_wanted=()
    start_holder a "$SOCKHOLDER" --tcp 127.0.0.1:0 --tcp-pair '[::1]' --udp 127.0.0.1:0 \
        --udp '[::1]:0' --udp-conn 127.0.0.1 --udplite 127.0.0.1:0 --udplite '[::1]:0' \
        -- --comm nc_inet --caps net_bind_service,net_admin
    ours_wanted[$HOLDER_PID]=1
    start_holder b "$SOCKHOLDER" --raw4 --raw6 --packet --packet=lo \
        -- --comm nc_raw --drop-bounding --caps net_admin,net_raw
    ours_wanted[$HOLDER_PID]=1
    start_holder c "$SOCKHOLDER" --tcp 127.0.0.1:0 -- --comm nc_amb --uid 65534 \
        --caps net_bind_service,net_raw --ambient net_bind_service
    ours_wanted[$HOLDER_PID]=1
    start_holder d "$SOCKHOLDER" --tcp 127.0.0.1:0 --dup --fork -- --comm nc_shared --caps net_bind_service
    ours_wanted[$HOLDER_PID]=1
    local child=$CHILD_PID later=$CHILD_PID
    ((child > HOLDER_PID)) || later=$HOLDER_PID
    ours_wanted[$child]=1
    start_holder e1 "$SOCKHOLDER" --reuseport --tcp 127.0.0.1:0 -- --comm nc_rp1 --caps net_bind_service
    ours_wanted[$HOLDER_PID]=1
    start_holder e2 "$SOCKHOLDER" --reuseport --tcp "127.0.0.1:$(port_of tcp 1)" -- --comm nc_rp2 --caps net_bind_service
    ours_wanted[$HOLDER_PID]=1

    netcap_full
    /usr/bin/netcap >"$BATS_TEST_TMPDIR/debian.out" 2>"$BATS_TEST_TMPDIR/debian.err" ||
        fail "Debian's netcap failed: $(cat "$BATS_TEST_TMPDIR/debian.err")"
    assert_equal "$(head -n 1 "$BATS_TEST_TMPDIR/debian.out")" \
        'ppid  pid   acct       command          type     port   capabilities'

    # Records PID|COMMAND|TYPE|PORT|CAPS of our holders; the account is left out (0.8.3
    # keeps a stale name), packet ports too (0.8.3 names interfaces by /proc/net/dev line).
    local line rec ours="" theirs=""
    while IFS= read -r line; do
        rec=$(fields_by_layout "$line" 7 1 7 1 16 1 15 1 8 1 15 1)
        [ -n "${ours_wanted[${rec%%|*}]:-}" ] || continue
        # 0.8.3 reports a shared socket for its first owner only: the lower pid
        [ "${rec%%|*}" = "$later" ] && continue
        ours+="$(sed -E 's/^([^|]*\|[^|]*\|pkt)\|[^|]*\|/\1|IFACE|/' <<<"$rec")"$'\n'
    done < <(tail -n +2 "$BATS_TEST_TMPDIR/full.out")
    while IFS= read -r line; do
        rec=$(fields_by_layout "$line" 5 1 5 1 10 1 16 1 8 1 6 1)
        [ -n "${ours_wanted[${rec%%|*}]:-}" ] || continue
        theirs+="$(sed -E 's/^([^|]*\|[^|]*\|pkt)\|[^|]*\|/\1|IFACE|/' <<<"$rec")"$'\n'
    done < <(tail -n +2 "$BATS_TEST_TMPDIR/debian.out")
    ours=$(sort <<<"$ours" | sed '/^$/d')
    theirs=$(sort <<<"$theirs" | sed '/^$/d')
    # 9 + 4 + 1 + 1 (the shared one, once) + 1 + 1 sockets
    assert_equal "$(wc -l <<<"$ours")" 17
    assert_equal "$ours" "$theirs"
    # and the later owner's row is ours alone (0.9.5's rule)
    run awk -v c="$later" '$2 == c' "$BATS_TEST_TMPDIR/full.out"
    assert_equal "${#lines[@]}" 1
    run awk -v c="$later" '$2 == c' "$BATS_TEST_TMPDIR/debian.out"
    assert_output ''
}

@test "kernel: the listener set agrees with ss -lnp (pids and ports)" {
    command -v ss >/dev/null || skip "ss is not installed"
    start_holder a "$SOCKHOLDER" --tcp 127.0.0.1:0 --tcp-pair '[::1]' --udp 127.0.0.1:0 \
        --udp '[::1]:0' --udp-conn 127.0.0.1 --raw4 --raw6 --packet=lo \
        -- --comm nc_ss --caps net_bind_service,net_raw
    local a=$HOLDER_PID
    start_holder b "$SOCKHOLDER" --tcp 127.0.0.1:0 --fork -- --comm nc_ss2 --uid 65534 \
        --caps net_bind_service --ambient net_bind_service
    local b=$HOLDER_PID child=$CHILD_PID
    local pids=" $a $b $child "

    # ours: PID PROTO(v4/v6 folded) PORT-or-IFACE; udplite has no counterpart in ss
    run --separate-stderr "$BIN/netcap" -l -rn -o PID,PROTO,LPORT,IFACE
    assert_success
    local ours
    ours=$(awk -v pids="$pids" 'index(pids, " " $1 " ") && $2 !~ /^udplite/ {
            p = $2; sub(/6$/, "", p); key = (p == "pkt") ? $4 : $3
            print $1, p, key }' <<<"$output" | sort -u)
    # ss: one "users:((name,pid=N,fd=M),...)" list per socket
    local theirs
    theirs=$(ss -H -lnp -A inet,packet 2>/dev/null | awk -v pids="$pids" '{
            proto = $1; if (proto == "p_raw") proto = "pkt"
            local = $5; key = local; sub(/.*:/, "", key)
            users = $0; sub(/.*users:\(/, "", users)
            while (match(users, /pid=[0-9]+/)) {
                pid = substr(users, RSTART + 4, RLENGTH - 4)
                users = substr(users, RSTART + RLENGTH)
                if (index(pids, " " pid " ")) print pid, proto, key
            }
        }' | sort -u)
    [ -n "$ours" ] || fail "no rows of ours"
    assert_equal "$ours" "$theirs"
    # 2 TCP listeners, 2 UDP, raw, raw6 (folded into raw), pkt for a; 1 TCP for b and its child
    assert_equal "$(wc -l <<<"$ours")" 9
}

@test "kernel: a hostile interface name is escaped in every mode" {
    unshare -n true 2>/dev/null || skip "cannot create a network namespace here"
    command -v ip >/dev/null || skip "ip (iproute2) is not installed"
    # in a private namespace, its loopback renamed to "n<ESC>x" (the kernel allows it)
    IFN=$(printf 'n\033x') start_holder x unshare -n sh -c \
        'ip link set lo name "$IFN" && exec "$0" --packet="$IFN" -- --comm nc_ifname --caps net_raw' "$SOCKHOLDER"
    local pid=$HOLDER_PID
    netcap_full --all-netns
    assert_rows "$(row "$(ppid_of "$pid")" "$pid" root nc_ifname pkt 'n\x1Bx' 'net_raw +')" "$pid"
    run env LC_ALL=C grep -c '[[:cntrl:]]' "$BATS_TEST_TMPDIR/full.out"
    assert_output 0
    run --separate-stderr "$BIN/netcap" --all-netns -J -o PID,IFACE
    assert_success
    PID=$pid python3 -c '
import json, os, sys
rows = [r for r in json.load(sys.stdin)["sockets"] if r["pid"] == int(os.environ["PID"])]
assert rows == [{"pid": int(os.environ["PID"]), "iface": "n\\x1Bx"}], rows
' <<<"$output"
    run --separate-stderr "$BIN/netcap" --all-netns -rn -o PID,IFACE
    assert_line "$pid n\\x1bx"
}
