#!/usr/bin/env bats
# capinspect snapshot, diff and verify.
# - Fixture snapshots (tests/fixtures/snapshots, made by make-snapshots.py): every kind of
#   change named exactly, the same machine restarted diffs clean, broken documents exit 2
#   with one line, hostile names escaped in text and unchanged in JSON.
# - The running kernel (root): each scenario runs in a private pid, mount and network
#   namespace (snapshot_ns.bash), so that the snapshots see only the helpers it starts,
#   whatever else the machine runs; the helpers die with the namespace. Files with
#   capabilities are copies of /bin/true in the test's directory, removed in teardown.

load common
bats_require_minimum_version 1.5.0

SNAPS="$BATS_TEST_DIRNAME/../fixtures/snapshots"

setup_file() {
    # changes.py DIFF.json: one line per change, "KIND KEY [SET=CAPS ...]", in diff order.
    cat >"$BATS_FILE_TMPDIR/changes.py" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin)
def who(c):
    for k in ("unit", "exe", "command"):
        if c.get(k) is not None:
            return f"{k}={c[k]}"
    return "owner=none"
for c in doc["changes"]:
    kind = c["change"]
    if "path" in c:
        print(kind, c["path"])
    elif "proto" in c:
        print(kind, c["proto"], c["exposure"], c["lport"], who(c))
    else:
        line = [kind, who(c), "user=" + c["user"]]
        if kind.startswith("capabilities_"):
            for s in ("effective", "permitted", "inheritable", "bounding", "ambient"):
                if c[s]:
                    line.append(s + "=" + ",".join(c[s]))
        print(" ".join(line))
PY
}

setup() {
    W="$BATS_TEST_TMPDIR/w"
    mkdir -p "$W"
    [ -x "$BIN/capinspect" ] || fail "$BIN/capinspect is not built (make all)"
}

teardown() {
    # The setcap'd copies and snapshots; the namespace's processes ended with it.
    rm -rf "$W"
}

changes() {
    python3 "$BATS_FILE_TMPDIR/changes.py" "$@"
}

# in_ns: runs the bash script on stdin as the first process of a private pid, mount and
# network namespace, with snapshot_ns.bash's helpers; `run` records the outcome.
in_ns() {
    require_root
    unshare --pid --fork --mount-proc --net true 2>/dev/null || skip "cannot create pid and network namespaces here"
    [ -x "$HELPERS/capholder" ] || fail "$HELPERS/capholder is not built (make tests)"
    cat >"$W/script.sh"
    run --separate-stderr env BIN="$BIN" HELPERS="$HELPERS" W="$W" \
        unshare --pid --fork --mount-proc --net \
        bash -c "source '$BATS_TEST_DIRNAME/snapshot_ns.bash' && source '$W/script.sh'"
}

# --- fixtures ------------------------------------------------------------------------------

@test "fixtures: the committed snapshots are what make-snapshots.py writes" {
    python3 "$BATS_TEST_DIRNAME/../fixtures/make-snapshots.py" "$W/made"
    run diff -r "$SNAPS" "$W/made"
    assert_success
}

@test "diff: the same machine restarted (new pids, inodes, order, a worker more) diffs clean" {
    for pair in "base base" "base restarted" "restarted base"; do
        set -- $pair
        run --separate-stderr "$BIN/capinspect" diff "$SNAPS/$1.json" "$SNAPS/$2.json"
        assert_success
        assert_output "no differences"
        [ -z "$stderr" ] || fail "stderr: $stderr"
        run --separate-stderr "$BIN/capinspect" diff -J "$SNAPS/$1.json" "$SNAPS/$2.json"
        assert_success
        run jq -c '[.gained, .lost, .changes]' <<<"$output"
        assert_output '[0,0,[]]'
    done
}

@test "diff: every kind of change on fixtures is named exactly, with exit status 1" {
    local -A want=(
        [gain-process]="process_added unit=backup.service user=root"
        [gain-capability]="capabilities_added unit=nginx.service user=www-data permitted=net_admin"
        [gain-scope]="scope_widened exe=/usr/bin/shim user=root"
        [gain-defences]="defences_weakened unit=chrony.service user=_chrony"
        [gain-file]="file_added /usr/sbin/new-tool"
        [gain-file-changed]="file_changed /usr/bin/ping"
        [gain-listener]="listener_added tcp wildcard 8443 unit=nginx.service"
        [loss-process]="process_removed exe=/usr/bin/shim user=root
listener_removed pkt raw 3 exe=/usr/bin/shim
listener_removed tcp namespace_wildcard 80 exe=/usr/bin/shim"
        [loss-capability]="capabilities_removed unit=chrony.service user=_chrony effective=sys_time permitted=sys_time"
        [loss-file]="file_removed /usr/bin/ping"
        [loss-file-reduced]="file_reduced /usr/bin/ping"
        [loss-listener]="listener_removed udp address 5353 owner=none"
    )
    local name n
    for name in "${!want[@]}"; do
        run --separate-stderr "$BIN/capinspect" diff -J "$SNAPS/base.json" "$SNAPS/$name.json"
        [ "$status" -eq 1 ] || fail "$name: exit $status"
        assert_equal "$(changes <<<"$output")" "${want[$name]}"
        n=$(wc -l <<<"${want[$name]}")
        # gains and losses: by the kind of change, and counted
        if [[ $name == gain-* ]]; then
            assert_equal "$(jq -c '[.gained, .lost, ([.changes[] | select(.gain)] | length)]' <<<"$output")" "[$n,0,$n]"
        else
            assert_equal "$(jq -c '[.gained, .lost, ([.changes[] | select(.gain)] | length)]' <<<"$output")" "[0,$n,0]"
        fi
        # the text says the same, one line per change
        run --separate-stderr "$BIN/capinspect" diff "$SNAPS/base.json" "$SNAPS/$name.json"
        [ "$status" -eq 1 ] || fail "$name: text exit $status"
        assert_equal "$(grep -c '^  [+-] ' <<<"$output")" "$(wc -l <<<"${want[$name]}")"
    done
}

@test "diff: text for a person, gains first; colour only on a terminal that shows it" {
    run --separate-stderr "$BIN/capinspect" diff "$SNAPS/gain-scope.json" "$SNAPS/gain-defences.json"
    [ "$status" -eq 1 ]
    assert_output "1 gained, 1 lost
Gained:
  + weaker defences unit chrony.service (user _chrony): no_new_privs yes -> no; seccomp filter -> disabled
Lost:
  - namespace scope exe /usr/bin/shim (user root): host -> user namespace only"
    local cmd="'$BIN/capinspect' diff '$SNAPS/gain-scope.json' '$SNAPS/gain-defences.json'"
    run env TERM=xterm script -qec "$cmd" /dev/null
    [[ $output == *$'\e[31m  + weaker defences'* ]] || fail "no colour on a terminal: $output"
    [[ $output == *$'\e[1mGained:\e[0m'* ]] || fail "no bold heading: $output"
    for env in "TERM=xterm NO_COLOR=1" "TERM=dumb" "TERM="; do
        run env $env script -qec "$cmd" /dev/null
        [[ $output != *$'\e['* ]] || fail "colour with $env"
    done
    run env TERM=xterm script -qec "$cmd --no-color" /dev/null
    [[ $output != *$'\e['* ]] || fail "colour with --no-color"
}

@test "diff: hostile names are escaped in text and unchanged in JSON" {
    # base.json holds /usr/lib/odd\x0A\x1B[31mname\xFF; take it away.
    jq -c 'del(.files[] | select(.path | startswith("/usr/lib/odd")))' "$SNAPS/base.json" >"$W/gone.json"
    run --separate-stderr "$BIN/capinspect" diff "$SNAPS/base.json" "$W/gone.json"
    [ "$status" -eq 1 ]
    assert_line '  - file removed /usr/lib/odd\x0A\x1B[31mname\xFF: was effective sys_admin'
    run env LC_ALL=C grep -c '[[:cntrl:]]' <<<"$output"
    assert_output 0
    # The same line in the C locale: still nothing raw.
    run --separate-stderr env LC_ALL=C "$BIN/capinspect" diff "$SNAPS/base.json" "$W/gone.json"
    assert_line '  - file removed /usr/lib/odd\x0A\x1B[31mname\xFF: was effective sys_admin'
    run --separate-stderr "$BIN/capinspect" diff -J "$SNAPS/base.json" "$W/gone.json"
    run jq -r '.changes[0].path' <<<"$output"
    assert_output "$(jq -r '.files[] | select(.path | startswith("/usr/lib/odd")) | .path' "$SNAPS/base.json")"
}

@test "diff: broken, truncated and newer snapshots exit 2 with one line, never a crash" {
    local base="$SNAPS/base.json" f status_ok
    printf '' >"$W/empty.json"
    head -c 3000 /dev/urandom >"$W/random.json"
    printf '{"schema_version": 2, "snapshot": {"capinspect_version": "0.1.0", "hostname": "h", "kernel": "k", "time": "t", "cap_last_cap": 99}}' >"$W/range.json"
    local -A expect=(
        [bad-newer]="schema_version 3 is newer than this capinspect reads (2)"
        [bad-type]="processes[1].effective: expected an array of capability names, found a string"
        [bad-capability]='processes[1].effective: unknown capability "fly"'
        [bad-not-snapshot]='no "snapshot" object: not a capinspect snapshot'
        [bad-truncated]="not valid JSON: parse error"
    )
    for f in "${!expect[@]}"; do
        for order in old new; do
            if [ $order = old ]; then
                run --separate-stderr "$BIN/capinspect" diff "$SNAPS/$f.json" "$base"
            else
                run --separate-stderr "$BIN/capinspect" diff "$base" "$SNAPS/$f.json"
            fi
            [ "$status" -eq 2 ] || fail "$f ($order): exit $status"
            assert_output ''
            [ "$(wc -l <<<"$stderr")" -eq 1 ] || fail "$f: more than one line: $stderr"
            [[ $stderr == "capinspect diff: $SNAPS/$f.json: ${expect[$f]}"* ]] || fail "$f: $stderr"
        done
    done
    for f in "$W/empty.json" "$W/random.json" "$W/range.json" "$W/missing.json" "$W" /dev/null; do
        run --separate-stderr "$BIN/capinspect" diff "$base" "$f"
        [ "$status" -eq 2 ] || fail "$f: exit $status"
        [ "$(wc -l <<<"$stderr")" -eq 1 ] || fail "$f: $stderr"
        [[ $stderr == "capinspect diff: "* ]] || fail "$f: $stderr"
    done
    # Every cut of a snapshot, 64 of them.
    local size n
    size=$(wc -c <"$base")
    for ((n = 0; n < size; n += size / 64)); do
        head -c "$n" "$base" >"$W/cut.json"
        run --separate-stderr "$BIN/capinspect" diff "$base" "$W/cut.json"
        [ "$status" -eq 2 ] || fail "cut at $n: exit $status"
        [ "$(wc -l <<<"$stderr")" -eq 1 ] || fail "cut at $n: $stderr"
    done
    # Standard input is a snapshot too.
    run --separate-stderr "$BIN/capinspect" diff - "$SNAPS/gain-file.json" <"$base"
    [ "$status" -eq 1 ]
}

@test "snapshot, diff, verify: --help, and bad command lines exit 2 the util-linux way" {
    run --separate-stderr "$BIN/capinspect" --help
    assert_success
    local help=$output
    for c in snapshot diff verify; do
        grep -qE "^ $c +[a-z]" <<<"$help" || fail "capinspect --help does not list $c: $help"
        run --separate-stderr "$BIN/capinspect" $c --help
        assert_success
        assert_line --index 0 "Usage:"
        assert_line --partial "Exit status:"
        assert_line "For more details see capinspect(8)."
        run --separate-stderr "$BIN/capinspect" $c --bogus
        [ "$status" -eq 2 ] || fail "$c --bogus: exit $status"
        assert_equal "$stderr" "capinspect $c: unrecognized option '--bogus'
Try 'capinspect $c --help' for more information."
    done
    local -a bad=(
        "diff|capinspect diff: two snapshots needed: OLD NEW"
        "diff a b c|capinspect diff: too many arguments"
        "diff - -|capinspect diff: only one snapshot can come from standard input"
        "snapshot --files|capinspect snapshot: option '--files' requires an argument"
        "snapshot --files /usr --no-files|capinspect snapshot: --files and --no-files exclude each other"
        "snapshot /usr|capinspect snapshot: unexpected argument '/usr' (directories follow --files)"
        "snapshot -j 0|capinspect snapshot: invalid number of jobs: 0"
        "verify|capinspect verify: --baseline is required"
        "verify --baseline x y|capinspect verify: unexpected argument 'y'"
        "verify --baseline $SNAPS/base.json -j x|capinspect verify: invalid number of jobs: x"
    )
    local b args message
    for b in "${bad[@]}"; do
        args=${b%%|*} message=${b#*|}
        # shellcheck disable=SC2086
        run --separate-stderr "$BIN/capinspect" $args
        [ "$status" -eq 2 ] || fail "$args: exit $status"
        assert_output ''
        assert_equal "$(head -n 1 <<<"$stderr")" "$message"
    done
    run --separate-stderr "$BIN/capinspect" verify --baseline "$W/missing.json"
    [ "$status" -eq 2 ]
    assert_equal "$stderr" "capinspect verify: cannot read $W/missing.json: No such file or directory"
    run --separate-stderr "$BIN/capinspect" verify --baseline "$SNAPS/bad-newer.json"
    [ "$status" -eq 2 ]
    [[ $stderr == *"schema_version 3 is newer"* ]] || fail "$stderr"
}

# --- the running kernel --------------------------------------------------------------------

@test "live: a restart with new pids and order diffs clean; then exactly the gains, in diff and verify" {
    in_ns <<'EOF'
mkdir "$W/files" "$W/bin"
cp /bin/true "$W/files/ping"
setcap cap_net_raw+ep "$W/files/ping"
cp "$HELPERS/capholder" "$W/bin/threaded"
start_all() {
    hold a "$HELPERS/capholder" --caps net_raw
    hold b "$HELPERS/sockholder" --tcp 127.0.0.1:4242 --udp '[::1]:5353' --raw4 -- --uid 65534 --caps net_bind_service,net_raw
    hold c "$W/bin/threaded" --caps net_raw,chown --thread-caps chown
}
start_all
snap "$W/s1.json" --files "$W/files"
release a; release b; release c
hold c "$W/bin/threaded" --caps net_raw,chown --thread-caps chown
hold b "$HELPERS/sockholder" --tcp 127.0.0.1:4242 --udp '[::1]:5353' --raw4 -- --uid 65534 --caps net_bind_service,net_raw
hold a "$HELPERS/capholder" --caps net_raw
snap "$W/s2.json" --files "$W/files"
"$BIN/capinspect" diff "$W/s1.json" "$W/s2.json" >"$W/d12.txt"; echo "clean $?"

# The changes: a holder gains a capability, a new privileged program, a new listener of
# a capability holder, a new file with capabilities.
release a
hold a "$HELPERS/capholder" --caps net_raw,sys_admin
cp "$HELPERS/capholder" "$W/bin/newprivd"
hold d "$W/bin/newprivd" --caps kill
hold e "$HELPERS/sockholder" --tcp 127.0.0.1:4244 -- --uid 65534 --caps net_bind_service
cp /bin/true "$W/files/newfile"
setcap cap_sys_time+ep "$W/files/newfile"
snap "$W/s3.json" --files "$W/files"
"$BIN/capinspect" diff -J "$W/s1.json" "$W/s3.json" >"$W/d13.json"; echo "diff $?"
"$BIN/capinspect" diff "$W/s1.json" "$W/s3.json" >"$W/d13.txt"
"$BIN/capinspect" verify --baseline "$W/s1.json" -J >"$W/v.json" 2>"$W/v.err"; echo "verify $?"
"$BIN/capinspect" verify --baseline "$W/s1.json" >"$W/v.txt" 2>&1; echo "verify-text $?"
EOF
    assert_success
    assert_output "clean 0
diff 1
verify 1
verify-text 1"
    assert_equal "$(cat "$W/d12.txt")" "no differences"
    # the premise: other pids, another order, other inodes
    run jq -c '[.processes[].pid]' "$W/s1.json"
    local p1=$output
    run jq -c '[.processes[].pid]' "$W/s2.json"
    [ "$p1" != "$output" ] || fail "the same pids: $p1"
    [ "$(jq -c '[.sockets[].inode] | sort' "$W/s1.json")" != "$(jq -c '[.sockets[].inode] | sort' "$W/s2.json")" ] ||
        fail "the same socket inodes"
    [ "$(jq -c '[.processes[].exe]' "$W/s1.json")" != "$(jq -c '[.processes[].exe]' "$W/s2.json")" ] ||
        fail "the same order"
    local cap
    cap=$(readlink -f "$HELPERS/capholder")
    local expected="process_added exe=$W/bin/newprivd user=root
capabilities_added exe=$cap user=root effective=sys_admin permitted=sys_admin
file_added $W/files/newfile
listener_added tcp loopback 4244 exe=$cap"
    assert_equal "$(changes "$W/d13.json")" "$expected"
    assert_equal "$(changes "$W/v.json")" "$expected"
    assert_equal "$(jq -c '[.gained, .lost, .passed, .allow_losses]' "$W/v.json")" '[4,0,false,false]'
    [ ! -s "$W/v.err" ] || fail "verify said: $(cat "$W/v.err")"
    run cat "$W/d13.txt"
    assert_line --index 0 "4 gained, 0 lost"
    assert_line --index 1 "Gained:"
    assert_line --regexp "^  \\+ new listener tcp loopback port 4244, exe .*/capholder: 1 process \\(pid [0-9]+\\)\$"
    run tail -n 1 "$W/v.txt"
    assert_output "verify: FAILED: privilege gained (4 changes)"
}

@test "live: losses fail verify unless --allow-losses; user namespace -> host is a gain" {
    in_ns <<'EOF'
mkdir "$W/bin"
cp "$HELPERS/capholder" "$W/bin/nsholder"
# (no bounding set: the one of a new user namespace is full, the host's may not be)
hold u unshare --user --map-root-user "$W/bin/nsholder" --caps net_admin --drop-bounding
hold k "$HELPERS/capholder" --caps kill
snap "$W/s1.json" --no-files
"$BIN/capinspect" verify --baseline "$W/s1.json" >/dev/null; echo "same $?"
release k
"$BIN/capinspect" verify --baseline "$W/s1.json" -J >"$W/loss.json"; echo "loss $?"
"$BIN/capinspect" verify --baseline "$W/s1.json" --allow-losses >"$W/loss.txt"; echo "allowed $?"
release u
hold u "$W/bin/nsholder" --caps net_admin --drop-bounding
"$BIN/capinspect" verify --baseline "$W/s1.json" --allow-losses -J >"$W/scope.json"; echo "scope $?"
EOF
    assert_success
    assert_output "same 0
loss 1
allowed 0
scope 1"
    assert_equal "$(jq -r '.processes[] | select(.exe | endswith("/nsholder")) | .scope' "$W/s1.json")" userns
    local cap
    cap=$(readlink -f "$HELPERS/capholder")
    assert_equal "$(changes "$W/loss.json")" "process_removed exe=$cap user=root"
    assert_equal "$(jq -c '[.gained, .lost, .passed]' "$W/loss.json")" '[0,1,false]'
    run tail -n 1 "$W/loss.txt"
    assert_output "verify: passed: nothing gained (1 loss allowed)"
    assert_equal "$(changes "$W/scope.json")" "scope_widened exe=$W/bin/nsholder user=root
process_removed exe=$cap user=root"
    assert_equal "$(jq -c '[.gained, .lost, .passed, .allow_losses]' "$W/scope.json")" '[1,1,false,true]'
}

@test "live: the document agrees with pscap, netcap --all-netns and filecap; threads and exposure" {
    in_ns <<'EOF'
mkdir "$W/files"
cp /bin/true "$W/files/eff"; setcap cap_net_raw+ep "$W/files/eff"
cp /bin/true "$W/files/inh"; setcap cap_net_raw+i "$W/files/inh"
cp /bin/true "$W/files/empty"; setcap = "$W/files/empty"
cp /bin/true "$W/files/ns"; setcap -n 1000 cap_net_admin+ep "$W/files/ns"
cp /bin/true "$W/files/plain"
hold t "$HELPERS/capholder" --caps net_raw,chown --thread-caps chown
hold s "$HELPERS/sockholder" --tcp 127.0.0.1:4242 --tcp 0.0.0.0:4243 --udp '[::1]:5353' --raw6 --packet -- --caps net_raw
hold n unshare --net sh -c 'ip link set lo up && exec "$0" "$@"' "$HELPERS/sockholder" --tcp 0.0.0.0:4245 -- --caps net_admin
head -n 1 "$W/holders/t.out" >"$W/t.ready"
snap "$W/s.json" --files "$W/files"
"$BIN/pscap" -J -o PID,EFFECTIVE,PERMITTED >"$W/pscap.json"
"$BIN/netcap" --all-netns -l -J -o PID,INODE,PROTO,LPORT,NETNS >"$W/netcap.json"
"$BIN/filecap" -J -o PATH,SET,PERMITTED,INHERITABLE,ROOTID,VERSION "$W/files" >"$W/filecap.json"
EOF
    assert_success
    local s="$W/s.json"
    # processes: the same as pscap's, with the same sets
    # (pscap lists the holders of effective capabilities; the snapshot also those whose
    # threads alone hold some)
    assert_equal "$(jq -c '[.processes[] | select(.effective != []) | [.pid, .effective, .permitted]] | sort' "$s")" \
        "$(jq -c '[.processes[] | [.pid, .effective, .permitted]] | sort' "$W/pscap.json")"
    # the thread whose sets differ, by its tid
    local pid tid
    read -r _ pid tid <"$W/t.ready"
    assert_equal "$(jq -c ".processes[] | select(.pid == $pid) | [.threads[] | [.tid, .effective]]" "$s")" \
        "[[$tid,[\"chown\"]]]"
    # sockets: netcap's listeners of the same holders, in every namespace, with exposure
    assert_equal "$(jq -c '[.sockets[] | .pids[] as $p | [$p, .inode, .proto, .lport, .netns]] | sort' "$s")" \
        "$(jq -c '[.sockets[] | [.pid, .inode, .proto, .lport, .netns]] | sort' "$W/netcap.json")"
    assert_equal "$(jq -c '[.sockets[] | [.proto, .lport, .exposure]] | sort' "$s")" \
        '[["pkt",3,"raw"],["raw6",58,"raw"],["tcp",4242,"loopback"],["tcp",4243,"wildcard"],["tcp",4245,"namespace_wildcard"],["udp6",5353,"loopback"]]'
    # files: filecap's findings, all of them (inheritable-only, empty, V3 root id)
    assert_equal "$(jq -c '[.files[] | [.path, .set, .permitted, .inheritable, .rootid, .version]]' "$s")" \
        "$(jq -c '[.files[] | [.path, .set, .permitted, .inheritable, .rootid, .version]]' "$W/filecap.json")"
    assert_equal "$(jq -c '[.files[] | .set]' "$s")" '["effective","empty","inheritable","effective"]'
    assert_equal "$(jq -c '.snapshot | [.file_roots, .cap_last_cap, (.time | test("^[0-9-]+T[0-9:]+Z$"))]' "$s")" \
        "[[\"$W/files\"],$(cat /proc/sys/kernel/cap_last_cap),true]"
    assert_equal "$(jq -c '.unread' "$s")" '[]'
}

@test "live: hostile names round-trip through snapshot and diff, escaped in text" {
    in_ns <<'EOF'
mkdir "$W/files" "$W/bin"
snap "$W/s0.json" --files "$W/files"
exe="$W/bin/"$'cap\e]0;pwned\aholder\n+ forged \xff\xe2\x80\xae'
cp "$HELPERS/capholder" "$exe"
hold h "$exe" --comm $'x\e[31mred' --caps chown
f="$W/files/"$'f\x01\\x41\xc2\x9b'
cp /bin/true "$f"
setcap cap_net_raw+ep "$f"
snap "$W/s1.json" --files "$W/files"
"$BIN/capinspect" diff "$W/s0.json" "$W/s1.json" >"$W/d.txt"; echo "diff $?"
"$BIN/capinspect" diff -J "$W/s0.json" "$W/s1.json" >"$W/d.json"
printf '%s' "$exe" >"$W/exe.name"; printf '%s' "$f" >"$W/file.name"
EOF
    assert_success
    assert_output "diff 1"
    # JSON: the reversible escape gives back the bytes, in the snapshot and in the diff
    python3 - "$W" <<'PY'
import json, re, sys
w = sys.argv[1]
unescape = lambda s: re.sub(rb"\\x([0-9A-F]{2})", lambda m: bytes([int(m.group(1), 16)]), s.encode())
exe, f = open(w + "/exe.name", "rb").read(), open(w + "/file.name", "rb").read()
snap, diff = json.load(open(w + "/s1.json")), json.load(open(w + "/d.json"))
assert [unescape(p["exe"]) for p in snap["processes"] if p["command"].startswith("x")] == [exe], snap["processes"]
assert [p["command"] for p in snap["processes"] if p["command"].startswith("x")] == ["x\\x1B[31mred"]
assert [unescape(x["path"]) for x in snap["files"]] == [f]
assert sorted(unescape(c.get("exe") or c.get("path")) for c in diff["changes"]) == sorted([exe, f]), diff
PY
    run env LC_ALL=C grep -c '[[:cntrl:]]' "$W/d.txt"
    assert_output 0
    run grep -c '^  + ' "$W/d.txt"
    assert_output 2
    run cat "$W/d.txt"
    assert_line --partial 'holder\x0A+ forged \xFF\xE2\x80\xAE (user root)'
    assert_line --partial '/files/f\x01\x41\xC2\x9B: effective net_raw'
}

@test "live: -o replaces the file whole or not at all; write errors exit 2 with one line" {
    in_ns <<'EOF'
mkdir "$W/mnt"
mount -t tmpfs -o size=64k tmpfs "$W/mnt"
printf 'old\n' >"$W/mnt/snap.json"
chmod 640 "$W/mnt/snap.json"
hold a "$HELPERS/capholder" --caps net_raw
"$BIN/capinspect" snapshot --no-files -o "$W/mnt/snap.json" 2>"$W/ok.err"; echo "ok $?"
stat -c %a "$W/mnt/snap.json"
jq -r .schema_version "$W/mnt/snap.json"
cp "$W/mnt/snap.json" "$W/good.json"
# A full file system: the old file stays whole, no temporary file is left.
avail=$(df --output=avail -B1 "$W/mnt" | tail -n 1)
head -c $((avail - 2048)) /dev/zero >"$W/mnt/filler" 2>/dev/null
"$BIN/capinspect" snapshot --no-files -o "$W/mnt/snap.json" 2>"$W/full.err"; echo "full $?"
cmp -s "$W/mnt/snap.json" "$W/good.json" && echo "unchanged"
ls -A "$W/mnt" | tr '\n' ' '; echo
rm "$W/mnt/filler"
mount -o remount,ro "$W/mnt"
"$BIN/capinspect" snapshot --no-files -o "$W/mnt/snap.json" 2>"$W/ro.err"; echo "ro $?"
cmp -s "$W/mnt/snap.json" "$W/good.json" && echo "unchanged"
"$BIN/capinspect" snapshot --no-files -o /dev/full 2>"$W/devfull.err"; echo "devfull $?"
"$BIN/capinspect" snapshot --no-files -o "$W/nodir/snap.json" 2>"$W/nodir.err"; echo "nodir $?"
"$BIN/capinspect" snapshot --no-files >/dev/full 2>"$W/stdout.err"; echo "stdout $?"
"$BIN/capinspect" diff "$W/good.json" "$W/good.json" >/dev/full 2>"$W/diff.err"; echo "diff $?"
EOF
    assert_success
    assert_output "ok 0
640
2
full 2
unchanged
filler snap.json 
ro 2
unchanged
devfull 2
nodir 2
stdout 2
diff 2"
    assert_equal "$(cat "$W/ok.err")" ""
    assert_equal "$(cat "$W/full.err")" "capinspect snapshot: cannot write $W/mnt/snap.json: No space left on device"
    assert_equal "$(cat "$W/ro.err")" "capinspect snapshot: cannot write $W/mnt/snap.json: Read-only file system"
    assert_equal "$(cat "$W/devfull.err")" "capinspect snapshot: cannot write /dev/full: No space left on device"
    assert_equal "$(cat "$W/nodir.err")" "capinspect snapshot: cannot write $W/nodir/snap.json: No such file or directory"
    assert_equal "$(cat "$W/stdout.err")" "capinspect snapshot: write error: No space left on device"
    assert_equal "$(cat "$W/diff.err")" "capinspect diff: write error: No space left on device"
}

@test "live: as nobody, a root holder's listener has no visible owner and the shortfall is recorded" {
    command -v setpriv >/dev/null || skip "setpriv is not installed"
    in_ns <<'EOF'
hold r "$HELPERS/sockholder" --tcp 127.0.0.1:4300 -- --caps net_bind_service
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
    "$BIN/capinspect" snapshot --no-files >"$W/s.json" 2>"$W/s.err"; echo "nobody $?"
"$BIN/capinspect" snapshot --files "$W/nowhere" >"$W/n.json" 2>"$W/n.err"; echo "missing root $?"
EOF
    assert_success
    assert_output "nobody 0
missing root 0"
    assert_equal "$(jq -c '[.sockets[] | select(.lport == 4300) | [.exposure, .pids]]' "$W/s.json")" '[["loopback",[]]]'
    assert_equal "$(jq -c '[.unread[] | select(.what == "open files") | .error]' "$W/s.json")" '["Permission denied"]'
    grep -q '^capinspect snapshot: the open files of [0-9]* process.* could not be read: Permission denied$' "$W/s.err" ||
        fail "stderr: $(cat "$W/s.err")"
    assert_equal "$(jq -c '[.unread[] | [.what, .path, .error]]' "$W/n.json")" \
        "[[\"directory\",\"$W/nowhere\",\"No such file or directory\"]]"
    assert_equal "$(cat "$W/n.err")" "capinspect snapshot: cannot read directory $W/nowhere: No such file or directory"
    # diff says that a snapshot could not read everything
    run --separate-stderr "$BIN/capinspect" diff "$W/n.json" "$W/n.json"
    assert_success
    assert_line --index 0 'note: the old and the new snapshot could not read everything (see "unread" in the snapshots)'
}

@test "completions: bash, zsh and fish offer every command and every long option --help lists" {
    local top=$BATS_TEST_DIRNAME/../.. c o options
    # bash, by running the function: the commands, then each command's options
    complete_bash() {
        bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _capinspect; printf "%s\n" "${COMPREPLY[@]}"' \
            sh "$top/completions/bash/capinspect" "$@"
    }
    run complete_bash "$BIN/capinspect" ''
    for c in snapshot diff verify; do assert_line "$c"; done
    for c in snapshot diff verify; do
        options=$("$BIN/capinspect" $c --help | sed -n '/^Options:/,/^$/p' | grep -oE -- '--[a-z][a-z-]+' | sort -u)
        [ -n "$options" ] || fail "capinspect $c --help lists no option"
        run complete_bash "$BIN/capinspect" "$c" --
        for o in $options; do
            assert_line -- "$o"
            grep -qE -- "--${o#--}([^a-z-]|\$)" "$top/completions/zsh/_capinspect" || fail "zsh: $c $o"
            # fish: a line for the option, for every command or for this one
            grep -E -- " -l ${o#--}( |\$)" "$top/completions/fish/capinspect.fish" |
                grep -qE -- "^complete -c capinspect (-n '__fish_seen_subcommand_from [a-z ]*\<$c\>[a-z ]*' )?-[sl] " ||
                fail "fish: $c $o"
        done
    done
    run complete_bash "$BIN/capinspect" snapshot --files "$BATS_TEST_DIRNAME/../fixtures/snap"
    assert_output "$BATS_TEST_DIRNAME/../fixtures/snapshots"
}
