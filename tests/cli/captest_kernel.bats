#!/usr/bin/env bats
# captest against the running kernel, as root: the report of every prepared state checked
# line by line (the expected masks come from this shell's own /proc status, so the tests
# do not depend on which capabilities the machine's root has), the same state run through
# Debian's /usr/bin/captest (libcap-ng 0.8.3) for the lines both print the same, --json
# checked against --text, and the capsh --decode check of the numeric words.
#
# States: plain root; --drop-all, --drop-caps, --id, --id --ambient, --lock, --text; uid
# 65534 without capabilities; uid 65534 with ambient capabilities; a reduced bounding set;
# a copy with file capabilities and a set-user-ID root copy, both run by uid 65534;
# --init-grp without and with a passwd entry for uid 99.
#
# Documented differences from upstream that the comparisons leave out: the numeric
# ambient label (upstream 0.8.3 prints "Ambient :", compared as "Ambient:"), the order of
# the blocks (compared block by block), and for the copies the child's block (ours runs
# the copy again, upstream runs /usr/bin/captest).

load common
load captest_helpers
bats_require_minimum_version 1.5.0

setup() {
    require_root
    [ -x "$CAPTEST" ] || fail "$CAPTEST is not built (make all)"
    T=$BATS_TEST_TMPDIR
    E=$(shell_mask CapEff) P=$(shell_mask CapPrm) I=$(shell_mask CapInh)
    B=$(shell_mask CapBnd) A=$(shell_mask CapAmb)
    G=$(id -g)
    ZERO=0000000000000000
    CHOWN=0000000000000001
    # What root's child gets from a plain exec: bounding | inheritable, effective.
    ROOT_CHILD=$(or_mask "$B" "$I")
    [ "$A" = "$ZERO" ] || skip "this shell has ambient capabilities"
    [ "$((16#$E))" -ne 0 ] || skip "this root shell has no capabilities"
    COPY_DIR=
    CREATED_USER=
}

teardown() {
    remove_copy_dir
    if [ -n "${CREATED_USER:-}" ]; then
        userdel "$CREATED_USER" 2>/dev/null || true
        CREATED_USER=
    fi
}

# run_ok OUT COMMAND...: runs COMMAND, which must exit 0 with an empty stderr.
run_ok() {
    local out=$1
    run_captest "$@"
    [ "$CAPTEST_STATUS" -eq 0 ] || fail "$* exited $CAPTEST_STATUS: $(cat "$out.err")"
    [ ! -s "$out.err" ] || fail "$* wrote to stderr: $(cat "$out.err")"
}

# same_as_upstream OURS THEIRS [parent]: the parent blocks are equal, and the child
# blocks too unless "parent" is given.
same_as_upstream() {
    split_ours "$1"
    split_upstream "$2"
    diff -u "$2.parent" "$1.parent" >&2 || fail "parent block differs from upstream's (- upstream, + ours)"
    if [ "${3:-}" != parent ]; then
        diff -u "$2.child" "$1.child" >&2 || fail "child block differs from upstream's (- upstream, + ours)"
    fi
}

# json_and_decode_checks NAME COMMAND...: runs COMMAND (a captest run in some state,
# options last) with --text, --json and as it is; checks that --json says what --text
# says, and that the numeric Effective words decode to the --text names.
json_and_decode_checks() {
    local name=$1
    shift
    run_ok "$T/$name.text" "$@" --text
    run_ok "$T/$name.json" "$@" --json
    json_matches_text "$T/$name.json" "$T/$name.text" || fail "$name: --json and --text differ"
    run_ok "$T/$name.num" "$@"
    decode_matches_text "$T/$name.num" "$T/$name.text"
}

# strip_verbose FILE: the report without the lines --verbose adds.
strip_verbose() {
    awk '
        skip > 0 { skip--; next }
        /^Predicted child capabilities:$/ { skip = 5; next }
        /^(All securebits|No new privileges|Seccomp|User namespace|Predicted child|Child all securebits|Child no new privileges|Child seccomp|Child user namespace|Child after execve)/ { next }
        { print }' "$1"
}

# decode_matches_text NUMERIC TEXT: the well-known downstream check: the two words of
# every "Effective:" line, decoded by capsh, give the names of the matching --text line.
decode_matches_text() {
    have_capsh || skip "capsh is not installed"
    local -a words names
    mapfile -t words < <(sed -n 's/^Effective:    \([0-9A-F]\{8\}\), \([0-9A-F]\{8\}\)$/\1\2/p' "$1")
    mapfile -t names < <(sed -n 's/^\(Child \)\{0,1\}Effective: //p' "$2")
    [ "${#words[@]}" -eq "${#names[@]}" ] || fail "${#words[@]} numeric Effective lines, ${#names[@]} text ones"
    local k
    for k in "${!words[@]}"; do
        assert_equal "$(cap_names "${words[k]}")" "${names[k]}"
    done
}

@test "kernel: plain root: every line, numeric" {
    run_ok "$T/ours" "$CAPTEST"
    assert_file_is "$T/ours" "User  credentials uid:0 euid:0 suid:0
Group credentials gid:$G egid:$G sgid:$G
$(numeric_block "$E" "$P" "$I" "$B" "$A")
securebits flags: none
Attempting direct access to shadow...SUCCESS
Attempting to access shadow by child process...SUCCESS
Attempting to regain root...SUCCESS - PRIVILEGE ESCALATION POSSIBLE
Child User  credentials uid:0 euid:0 suid:0
Child Group credentials gid:0 egid:0 sgid:0
Child capabilities:
$(numeric_block "$ROOT_CHILD" "$ROOT_CHILD" "$I" "$B" "$ZERO")
Child securebits flags: none
Attempting direct access to shadow...SUCCESS"
    require_upstream
    run_ok "$T/theirs" "$UPSTREAM"
    same_as_upstream "$T/ours" "$T/theirs"
    json_and_decode_checks root "$CAPTEST"
}

@test "kernel: --text as root: every line, names from capsh" {
    have_capsh || skip "capsh is not installed"
    run_ok "$T/ours" "$CAPTEST" --text
    assert_file_is "$T/ours" "User  credentials uid:0 euid:0 suid:0
Group credentials gid:$G egid:$G sgid:$G
$(text_block "" "$E" "$P" "$I" "$B" "$A")
securebits flags: none
Attempting direct access to shadow...SUCCESS
Attempting to access shadow by child process...SUCCESS
Attempting to regain root...SUCCESS - PRIVILEGE ESCALATION POSSIBLE
Child User  credentials uid:0 euid:0 suid:0
Child Group credentials gid:0 egid:0 sgid:0
$(text_block "Child " "$ROOT_CHILD" "$ROOT_CHILD" "$I" "$B" "$ZERO")
Child securebits flags: none
Attempting direct access to shadow...SUCCESS"
    # "none" for the empty sets, ", " between names
    run grep -c '^Inheritable: none$' "$T/ours"
    [ "$(cap_names "$I")" != none ] || assert_output 1
    require_upstream
    run_ok "$T/theirs" "$UPSTREAM" --text
    same_as_upstream "$T/ours" "$T/theirs"
}

@test "kernel: --drop-all: nothing left, and nothing for the child" {
    run_ok "$T/ours" "$CAPTEST" --drop-all
    assert_file_is "$T/ours" "User  credentials uid:0 euid:0 suid:0
Group credentials gid:$G egid:$G sgid:$G
Current capabilities: none
securebits flags: none
Attempting direct access to shadow...SUCCESS
Attempting to access shadow by child process...SUCCESS
Child User  credentials uid:0 euid:0 suid:0
Child Group credentials gid:$G egid:$G sgid:$G
Child capabilities: none
Child securebits flags: none"
    run_ok "$T/ours.text" "$CAPTEST" --drop-all --text
    assert_file_is "$T/ours.text" "$(cat "$T/ours")"
    require_upstream
    run_ok "$T/theirs" "$UPSTREAM" --drop-all
    same_as_upstream "$T/ours" "$T/theirs"
    json_and_decode_checks dropall "$CAPTEST" --drop-all
    # the bounding and ambient sets are empty too
    run_ok "$T/ours.json" "$CAPTEST" --drop-all --json
    run python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for who in ("parent", "child"):
    caps = d[who]["capabilities"]
    assert all(caps[k] == [] for k in caps), (who, caps)
' "$T/ours.json"
    assert_success
}

@test "kernel: --drop-caps: none here, but the child regains root and everything" {
    run_ok "$T/ours" "$CAPTEST" --drop-caps
    assert_file_is "$T/ours" "User  credentials uid:0 euid:0 suid:0
Group credentials gid:$G egid:$G sgid:$G
Current capabilities: none
securebits flags: none
Attempting direct access to shadow...SUCCESS
Attempting to access shadow by child process...SUCCESS
Attempting to regain root...SUCCESS - PRIVILEGE ESCALATION POSSIBLE
Child User  credentials uid:0 euid:0 suid:0
Child Group credentials gid:0 egid:0 sgid:0
Child capabilities:
$(numeric_block "$B" "$B" "$ZERO" "$B" "$ZERO")
Child securebits flags: none
Attempting direct access to shadow...SUCCESS"
    require_upstream
    run_ok "$T/theirs" "$UPSTREAM" --drop-caps
    same_as_upstream "$T/ours" "$T/theirs"
    json_and_decode_checks dropcaps "$CAPTEST" --drop-caps
}

@test "kernel: --id: uid 99 with chown only, the child keeps nothing" {
    run_ok "$T/ours" "$CAPTEST" --id
    assert_file_is "$T/ours" "Keeping CAP_CHOWN to show capabilities across uid change.
User  credentials uid:99 euid:99 suid:99
Group credentials gid:99 egid:99 sgid:99
$(numeric_block "$CHOWN" "$CHOWN" "$ZERO" "$ZERO" "$ZERO")
securebits flags: none
Attempting direct access to shadow...FAILED (Permission denied)
Attempting to access shadow by child process...FAILED
Child User  credentials uid:99 euid:99 suid:99
Child Group credentials gid:99 egid:99 sgid:99
Child capabilities: none
Child securebits flags: none"
    # --lock is ignored with --id, as upstream ignores it
    run_ok "$T/locked" "$CAPTEST" --id --lock
    assert_file_is "$T/locked" "$(cat "$T/ours")"
    require_upstream
    run_ok "$T/theirs" "$UPSTREAM" --id
    same_as_upstream "$T/ours" "$T/theirs"
    json_and_decode_checks id "$CAPTEST" --id
}

@test "kernel: --id --ambient: chown survives the child's execve through the ambient set" {
    run_ok "$T/ours" "$CAPTEST" --id --ambient
    assert_file_is "$T/ours" "Keeping CAP_CHOWN to show capabilities across uid change.
User  credentials uid:99 euid:99 suid:99
Group credentials gid:99 egid:99 sgid:99
$(numeric_block "$CHOWN" "$CHOWN" "$CHOWN" "$ZERO" "$CHOWN")
securebits flags: none
Attempting direct access to shadow...FAILED (Permission denied)
Attempting to access shadow by child process...FAILED
Child User  credentials uid:99 euid:99 suid:99
Child Group credentials gid:99 egid:99 sgid:99
Child capabilities:
$(numeric_block "$CHOWN" "$CHOWN" "$CHOWN" "$ZERO" "$CHOWN")
Child securebits flags: none"
    run_ok "$T/ours.text" "$CAPTEST" --id --ambient --text
    assert_file_is "$T/ours.text" "Keeping CAP_CHOWN to show capabilities across uid change.
User  credentials uid:99 euid:99 suid:99
Group credentials gid:99 egid:99 sgid:99
Effective: chown
Permitted: chown
Inheritable: chown
Bounding Set: none
Ambient: chown
securebits flags: none
Attempting direct access to shadow...FAILED (Permission denied)
Attempting to access shadow by child process...FAILED
Child User  credentials uid:99 euid:99 suid:99
Child Group credentials gid:99 egid:99 sgid:99
Child Effective: chown
Child Permitted: chown
Child Inheritable: chown
Child Bounding Set: none
Child Ambient: chown
Child securebits flags: none"
    require_upstream
    run_ok "$T/theirs" "$UPSTREAM" --id --ambient
    same_as_upstream "$T/ours" "$T/theirs"
    run_ok "$T/theirs.text" "$UPSTREAM" --id --ambient --text
    same_as_upstream "$T/ours.text" "$T/theirs.text"
    json_and_decode_checks idamb "$CAPTEST" --id --ambient
}

@test "kernel: --lock: the four securebits, and a child without capabilities" {
    local flags='NOROOT, NOROOT_LOCKED, NO_SETUID_FIXUP, NO_SETUID_FIXUP_LOCKED'
    run_ok "$T/ours" "$CAPTEST" --lock
    assert_file_is "$T/ours" "User  credentials uid:0 euid:0 suid:0
Group credentials gid:$G egid:$G sgid:$G
$(numeric_block "$E" "$P" "$I" "$B" "$A")
securebits flags: $flags
Attempting direct access to shadow...SUCCESS
Attempting to access shadow by child process...SUCCESS
Child User  credentials uid:0 euid:0 suid:0
Child Group credentials gid:$G egid:$G sgid:$G
Child capabilities: none
Child securebits flags: $flags"
    require_upstream
    run_ok "$T/theirs" "$UPSTREAM" --lock
    same_as_upstream "$T/ours" "$T/theirs"
    json_and_decode_checks lock "$CAPTEST" --lock
    # with --drop-all the lock comes before the drop, as upstream does it
    run_ok "$T/both" "$CAPTEST" --drop-all --lock
    run grep -x "securebits flags: $flags" "$T/both"
    assert_success
    run grep -x 'Current capabilities: none' "$T/both"
    assert_success
}

@test "kernel: uid 65534 without capabilities" {
    require_setpriv
    make_copy_dir
    local bin
    bin=$(copy_captest captest)
    run_ok "$T/ours" as_nobody "$bin"
    assert_file_is "$T/ours" "User  credentials uid:$NOBODY euid:$NOBODY suid:$NOBODY
Group credentials gid:$NOBODY egid:$NOBODY sgid:$NOBODY
Current capabilities: none
securebits flags: none
Attempting direct access to shadow...FAILED (Permission denied)
Attempting to access shadow by child process...FAILED
Child User  credentials uid:$NOBODY euid:$NOBODY suid:$NOBODY
Child Group credentials gid:$NOBODY egid:$NOBODY sgid:$NOBODY
Child capabilities: none
Child securebits flags: none"
    require_upstream
    run_ok "$T/theirs" as_nobody "$UPSTREAM"
    same_as_upstream "$T/ours" "$T/theirs"
    json_and_decode_checks nobody as_nobody "$bin"
}

@test "kernel: uid 65534 with ambient chown and net_raw (setpriv --ambient-caps)" {
    require_setpriv
    make_copy_dir
    local bin amb=0000000000002001
    bin=$(copy_captest captest)
    local -a state=(as_nobody --inh-caps +chown,+net_raw --ambient-caps +chown,+net_raw)
    run_ok "$T/ours" "${state[@]}" "$bin"
    assert_file_is "$T/ours" "User  credentials uid:$NOBODY euid:$NOBODY suid:$NOBODY
Group credentials gid:$NOBODY egid:$NOBODY sgid:$NOBODY
$(numeric_block "$amb" "$amb" "$amb" "$B" "$amb")
securebits flags: none
Attempting direct access to shadow...FAILED (Permission denied)
Attempting to access shadow by child process...FAILED
Child User  credentials uid:$NOBODY euid:$NOBODY suid:$NOBODY
Child Group credentials gid:$NOBODY egid:$NOBODY sgid:$NOBODY
Child capabilities:
$(numeric_block "$amb" "$amb" "$amb" "$B" "$amb")
Child securebits flags: none"
    run_ok "$T/ours.text" "${state[@]}" "$bin" --text
    run grep -x -e 'Effective: chown, net_raw' -e 'Child Ambient: chown, net_raw' "$T/ours.text"
    assert_equal "${#lines[@]}" 2
    require_upstream
    run_ok "$T/theirs" "${state[@]}" "$UPSTREAM"
    same_as_upstream "$T/ours" "$T/theirs"
    json_and_decode_checks ambient "${state[@]}" "$bin"
}

@test "kernel: reduced bounding set (capsh --drop=cap_sys_admin,cap_net_raw)" {
    have_capsh || skip "capsh is not installed"
    local dropped=0000000000202000 reduced
    reduced=$(printf '%016x' $((16#$B & ~16#$dropped)))
    local -a state=("$CAPSH" --drop=cap_sys_admin,cap_net_raw -- -c 'exec "$0" "$@"')
    run_ok "$T/ours" "${state[@]}" "$CAPTEST"
    assert_file_is "$T/ours" "User  credentials uid:0 euid:0 suid:0
Group credentials gid:$G egid:$G sgid:$G
$(numeric_block "$reduced" "$reduced" "$I" "$reduced" "$ZERO")
securebits flags: none
Attempting direct access to shadow...SUCCESS
Attempting to access shadow by child process...SUCCESS
Attempting to regain root...SUCCESS - PRIVILEGE ESCALATION POSSIBLE
Child User  credentials uid:0 euid:0 suid:0
Child Group credentials gid:0 egid:0 sgid:0
Child capabilities:
$(numeric_block "$reduced" "$reduced" "$I" "$reduced" "$ZERO")
Child securebits flags: none
Attempting direct access to shadow...SUCCESS"
    run_ok "$T/ours.text" "${state[@]}" "$CAPTEST" --text
    run grep -c -e 'sys_admin' -e 'net_raw' "$T/ours.text"
    assert_output 0
    require_upstream
    run_ok "$T/theirs" "${state[@]}" "$UPSTREAM"
    same_as_upstream "$T/ours" "$T/theirs"
    json_and_decode_checks bounding "${state[@]}" "$CAPTEST"
}

@test "kernel: a copy with file capabilities run by uid 65534 (+ep, then +p)" {
    require_setpriv
    command -v setcap >/dev/null || skip "setcap is not installed"
    make_copy_dir
    local bin
    bin=$(copy_captest fcap)
    setcap cap_chown+ep "$bin"
    run_ok "$T/ours" as_nobody "$bin"
    # The child is this same copy, so it gets chown again (upstream's child,
    # /usr/bin/captest, gets nothing).
    assert_file_is "$T/ours" "User  credentials uid:$NOBODY euid:$NOBODY suid:$NOBODY
Group credentials gid:$NOBODY egid:$NOBODY sgid:$NOBODY
$(numeric_block "$CHOWN" "$CHOWN" "$ZERO" "$B" "$ZERO")
securebits flags: none
Attempting direct access to shadow...FAILED (Permission denied)
Attempting to access shadow by child process...FAILED
Child User  credentials uid:$NOBODY euid:$NOBODY suid:$NOBODY
Child Group credentials gid:$NOBODY egid:$NOBODY sgid:$NOBODY
Child capabilities:
$(numeric_block "$CHOWN" "$CHOWN" "$ZERO" "$B" "$ZERO")
Child securebits flags: none"
    json_and_decode_checks fcap as_nobody "$bin"
    if [ -x "$UPSTREAM" ]; then
        local up="$COPY_DIR/bin/upstream-fcap"
        cp "$UPSTREAM" "$up"
        setcap cap_chown+ep "$up"
        run_ok "$T/theirs" as_nobody "$up"
        same_as_upstream "$T/ours" "$T/theirs" parent
    fi

    # permitted only: nothing effective, here and in the child
    setcap cap_chown+p "$bin"
    run_ok "$T/prm" as_nobody "$bin"
    assert_file_is "$T/prm" "User  credentials uid:$NOBODY euid:$NOBODY suid:$NOBODY
Group credentials gid:$NOBODY egid:$NOBODY sgid:$NOBODY
Current capabilities: none
securebits flags: none
Attempting direct access to shadow...FAILED (Permission denied)
Attempting to access shadow by child process...FAILED
Child User  credentials uid:$NOBODY euid:$NOBODY suid:$NOBODY
Child Group credentials gid:$NOBODY egid:$NOBODY sgid:$NOBODY
Child capabilities: none
Child securebits flags: none"
    run_ok "$T/prm.json" as_nobody "$bin" --json
    run python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for who in ("parent", "child"):
    c = d[who]["capabilities"]
    assert c["effective"] == [] and c["permitted"] == ["chown"], (who, c)
assert d["parent"]["predicted_child"]["privileged_file"] is True
assert d["child"]["as_predicted"] is True
' "$T/prm.json"
    assert_success
}

@test "kernel: a set-user-ID root copy run by uid 65534: mismatch note, root regained" {
    require_setpriv
    make_copy_dir
    local bin
    bin=$(copy_captest suid 4755)
    run_ok "$T/ours" as_nobody "$bin"
    # The direct check uses the real uid; the shell of the child check drops the
    # set-user-ID identity; the child, this same copy, is set-user-ID root again and
    # regains root.
    assert_file_is "$T/ours" "User  credentials uid:$NOBODY euid:0 suid:0
Group credentials gid:$NOBODY egid:$NOBODY sgid:$NOBODY
Note: app has mismatching credentials!!
$(numeric_block "$ROOT_CHILD" "$ROOT_CHILD" "$I" "$B" "$ZERO")
securebits flags: none
Attempting direct access to shadow...FAILED (Permission denied)
Attempting to access shadow by child process...FAILED
Attempting to regain root...SUCCESS - PRIVILEGE ESCALATION POSSIBLE
Child User  credentials uid:0 euid:0 suid:0
Child Group credentials gid:0 egid:0 sgid:0
Child capabilities:
$(numeric_block "$ROOT_CHILD" "$ROOT_CHILD" "$I" "$B" "$ZERO")
Child securebits flags: none
Attempting direct access to shadow...SUCCESS"
    json_and_decode_checks suid as_nobody "$bin"
    run_captest "$T/gate" as_nobody "$bin" --fail-if-escalation
    assert_equal "$CAPTEST_STATUS" 2
    if [ -x "$UPSTREAM" ]; then
        local up
        up="$COPY_DIR/bin/upstream-suid"
        cp "$UPSTREAM" "$up"
        chmod 4755 "$up"
        run_ok "$T/theirs" as_nobody "$up"
        same_as_upstream "$T/ours" "$T/theirs" parent
    fi
}

@test "kernel: --init-grp without a passwd entry for uid 99: Error changing uid: -10" {
    ! getent passwd 99 >/dev/null || skip "uid 99 has a passwd entry here"
    run_captest "$T/ours" "$CAPTEST" --init-grp
    assert_equal "$CAPTEST_STATUS" 1
    assert_file_is "$T/ours" "Error changing uid: -10
chown, setgid, setuid, setpcap"
    [ ! -s "$T/ours.err" ] || fail "stderr: $(cat "$T/ours.err")"
    if [ -x "$UPSTREAM" ]; then
        run_captest "$T/theirs" "$UPSTREAM" --init-grp
        assert_equal "$CAPTEST_STATUS" 1
        diff -u "$T/theirs" "$T/ours"
    fi
    # with --json the lines go to stderr, stdout stays empty
    run_captest "$T/json" "$CAPTEST" --init-grp --json
    assert_equal "$CAPTEST_STATUS" 1
    [ ! -s "$T/json" ] || fail "stdout: $(cat "$T/json")"
    assert_equal "$(cat "$T/json.err")" "Error changing uid: -10
chown, setgid, setuid, setpcap"
}

@test "kernel: --init-grp with a passwd entry for uid 99 (a test account)" {
    getent passwd 99 >/dev/null && skip "uid 99 already has a passwd entry; not touching it"
    command -v useradd >/dev/null || skip "useradd is not installed"
    local name=captest-t99
    ! getent passwd "$name" >/dev/null || skip "an account $name exists"
    useradd --system --no-create-home --no-user-group --uid 99 --gid "$NOBODY" \
        --shell /usr/sbin/nologin "$name" 2>/dev/null || skip "cannot create a test account"
    CREATED_USER=$name
    run_ok "$T/ours" "$CAPTEST" --init-grp
    assert_file_is "$T/ours" "Keeping CAP_CHOWN to show capabilities across uid change.
User  credentials uid:99 euid:99 suid:99
Group credentials gid:99 egid:99 sgid:99
$(numeric_block "$CHOWN" "$CHOWN" "$ZERO" "$ZERO" "$ZERO")
securebits flags: none
Attempting direct access to shadow...FAILED (Permission denied)
Attempting to access shadow by child process...FAILED
Child User  credentials uid:99 euid:99 suid:99
Child Group credentials gid:99 egid:99 sgid:99
Child capabilities: none
Child securebits flags: none"
    # initgroups(): the supplementary groups are gid 99 and the account's memberships
    run_ok "$T/ours.json" "$CAPTEST" --init-grp --json
    run python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["options"]["uid_change"]["supplementary_groups"] == "initialized", d["options"]
assert d["parent"]["credentials"]["groups"] == [99], d["parent"]["credentials"]
' "$T/ours.json"
    assert_success
    require_upstream
    run_ok "$T/theirs" "$UPSTREAM" --init-grp
    same_as_upstream "$T/ours" "$T/theirs"
    userdel "$name"
    CREATED_USER=
    ! getent passwd 99 >/dev/null || fail "the test account is still there"
}

@test "kernel: errors of the transitions: 0.9.5's messages and exit status 1" {
    # an ambient capability that is neither permitted nor inheritable
    run_captest "$T/a" "$CAPTEST" --drop-caps --ambient
    assert_equal "$CAPTEST_STATUS" 1
    assert_equal "$(cat "$T/a.err")" "capng_apply failed"
    [ ! -s "$T/a" ] || fail "stdout: $(cat "$T/a")"
    require_setpriv
    make_copy_dir
    local bin
    bin=$(copy_captest captest)
    # without CAP_SETPCAP the bounding set cannot be cleared
    run_captest "$T/b" as_nobody "$bin" --drop-all
    assert_equal "$CAPTEST_STATUS" 1
    assert_equal "$(cat "$T/b.err")" "capng_apply failed"
    # without CAP_SETPCAP the securebits cannot be set
    run_captest "$T/c" as_nobody "$bin" --lock
    assert_equal "$CAPTEST_STATUS" 1
    assert_equal "$(cat "$T/c.err")" "capng_lock failed"
    [ ! -s "$T/c" ] || fail "stdout: $(cat "$T/c")"
    # without CAP_SETUID the uid cannot change: libcap-ng's code and its effective list
    local opts
    for opts in --id --init-grp "--id --ambient"; do
        run_captest "$T/d" as_nobody "$bin" $opts
        assert_equal "$CAPTEST_STATUS" 1
        assert_file_is "$T/d" "Error changing uid: -3
chown, setgid, setuid, setpcap"
        if [ -x "$UPSTREAM" ]; then
            run_captest "$T/d.up" as_nobody "$UPSTREAM" $opts
            diff -u "$T/d.up" "$T/d"
        fi
    done
    # --drop-caps works without privilege
    run_ok "$T/e" as_nobody "$bin" --drop-caps
    run grep -x 'Current capabilities: none' "$T/e"
    assert_success
}

@test "kernel: the child cannot run: a +ep copy whose bounding set was emptied" {
    command -v setcap >/dev/null || skip "setcap is not installed"
    make_copy_dir
    local bin
    bin=$(copy_captest fcap)
    setcap cap_chown+ep "$bin"
    run_captest "$T/out" "$bin" --drop-all -v
    assert_equal "$CAPTEST_STATUS" 1
    run grep -x "Predicted child execve: fails (EPERM): the file's effective flag is set and not all of its permitted capabilities are available" "$T/out"
    assert_success
    assert_equal "$(tail -n 1 "$T/out")" "Attempting to access shadow by child process...SUCCESS"
    assert_equal "$(cat "$T/out.err")" "fcap: cannot run the child: /proc/self/exe: Operation not permitted"
}

@test "kernel: --verbose in several states: the extra lines, the child as predicted" {
    run_ok "$T/lock" "$CAPTEST" --lock -v
    run grep -x -e 'All securebits: NOROOT, NOROOT_LOCKED, NO_SETUID_FIXUP, NO_SETUID_FIXUP_LOCKED' \
        -e 'No new privileges: yes' -e 'Child no new privileges: yes' -e 'Child after execve: as predicted' \
        -e 'Predicted child credentials uid:0 euid:0 suid:0 gid:0 egid:0 sgid:0' "$T/lock"
    assert_equal "${#lines[@]}" 5
    # the default lines are all there, in order; --verbose only adds lines
    run_ok "$T/plain" "$CAPTEST" --lock
    diff -u "$T/plain" <(strip_verbose "$T/lock")
    run_ok "$T/plain.text" "$CAPTEST" --text
    run_ok "$T/verbose.text" "$CAPTEST" --text --verbose
    diff -u "$T/plain.text" <(strip_verbose "$T/verbose.text")

    local opts
    for opts in "" --drop-all --drop-caps --id "--id --ambient" --text; do
        run_ok "$T/v" "$CAPTEST" -v $opts
        run grep -x 'Child after execve: as predicted' "$T/v"
        assert_success
    done

    # seccomp: a helper installs filters and no_new_privs first
    local helper="$HELPERS/seccomp_exec"
    if [ -x "$helper" ]; then
        run_ok "$T/sc" "$helper" --filters 2 "$CAPTEST" -v
        run grep -x -e 'Seccomp: filter, 2 filters' -e 'Child seccomp: filter, 2 filters' \
            -e 'No new privileges: yes' -e 'Child after execve: as predicted' "$T/sc"
        assert_equal "${#lines[@]}" 4
    fi

    # a child user namespace
    if unshare -Ur true 2>/dev/null; then
        run_ok "$T/ns" unshare -Ur "$CAPTEST" -v
        run grep -x -e 'User namespace: child, uid map: 0 0 1, gid map: 0 0 1' \
            -e 'Child user namespace: child, uid map: 0 0 1, gid map: 0 0 1' "$T/ns"
        assert_equal "${#lines[@]}" 2
        run_ok "$T/ns.json" unshare -Ur "$CAPTEST" --json
        run python3 -c '
import json, sys
ns = json.load(open(sys.argv[1]))["parent"]["user_namespace"]
assert ns["initial"] is False and ns["uid_map"] == [{"inside": 0, "outside": 0, "count": 1}], ns
' "$T/ns.json"
        assert_success
    fi
}

@test "kernel: --fail-if-escalation: 2 when the child regains root or new capabilities" {
    run_captest "$T/a" "$CAPTEST" --fail-if-escalation
    assert_equal "$CAPTEST_STATUS" 2
    assert_equal "$(cat "$T/a.err")" "captest: privilege escalation: the child regained root"
    run_captest "$T/b" "$CAPTEST" --fail-if-escalation --drop-caps
    assert_equal "$CAPTEST_STATUS" 2
    run cat "$T/b.err"
    assert_output --regexp '^captest: privilege escalation: the child regained root and the child got capabilities this process lacks: chown, '
    local opts
    for opts in --drop-all --lock --id "--id --ambient"; do
        run_captest "$T/c" "$CAPTEST" --fail-if-escalation $opts
        assert_equal "$CAPTEST_STATUS" 0
        [ ! -s "$T/c.err" ] || fail "$opts: $(cat "$T/c.err")"
    done
    # the report is the same with or without the option
    run_ok "$T/d" "$CAPTEST" --drop-all
    run_captest "$T/e" "$CAPTEST" --drop-all --fail-if-escalation
    diff -u "$T/d" "$T/e"
    # JSON says the same
    run_captest "$T/f" "$CAPTEST" --json --fail-if-escalation --drop-caps
    assert_equal "$CAPTEST_STATUS" 2
    run python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))["escalation"]
assert e["regained_root"] is True and e["detected"] is True and "chown" in e["new_capabilities"], e
' "$T/f"
    assert_success
}

@test "kernel: Error getting capabilities when capget fails (seccomp makes it EPERM)" {
    local helper="$HELPERS/seccomp_exec"
    [ -x "$helper" ] || fail "$helper is not built (make tests)"
    local nr
    nr=$(printf '#include <sys/syscall.h>\nSYS_capget\n' | cc -E -P - 2>/dev/null | tail -n 1)
    [[ $nr =~ ^[0-9]+$ ]] || skip "cannot find the number of capget"
    run_captest "$T/out" "$helper" --deny "$nr" "$CAPTEST"
    assert_equal "$CAPTEST_STATUS" 1
    assert_file_is "$T/out" "Error getting capabilities"
    assert_equal "$(cat "$T/out.err")" "captest: capget 0: Operation not permitted"
    # with --json the line goes to stderr: stdout is for the document only
    run_captest "$T/json" "$helper" --deny "$nr" "$CAPTEST" --json
    assert_equal "$CAPTEST_STATUS" 1
    [ ! -s "$T/json" ] || fail "stdout: $(cat "$T/json")"
    assert_equal "$(cat "$T/json.err")" "Error getting capabilities
captest: capget 0: Operation not permitted"
}

@test "kernel: without /proc the report is the same, the extras say unknown" {
    unshare -m true 2>/dev/null || skip "cannot create a mount namespace here"
    ! sanitized "$CAPTEST" || skip "AddressSanitizer's runtime needs /proc"
    run_ok "$T/with" "$CAPTEST" -v
    run_captest "$T/without" unshare -m sh -c 'umount -l /proc && exec "$0" -v' "$CAPTEST"
    [ "$CAPTEST_STATUS" -eq 0 ] || fail "exit $CAPTEST_STATUS: $(cat "$T/without.err")"
    [ ! -s "$T/without.err" ] || fail "stderr: $(cat "$T/without.err")"
    # the user namespace maps and the number of seccomp filters come from /proc only
    diff -u <(sed -e 's/^\(\(Child user\|User\) namespace:\) initial$/\1 unknown/' "$T/with") "$T/without"
    run grep -c -x -e 'User namespace: unknown' -e 'Child user namespace: unknown' \
        -e 'Child after execve: as predicted' "$T/without"
    assert_output 3
    run_captest "$T/json" unshare -m sh -c 'umount -l /proc && exec "$0" --json' "$CAPTEST"
    assert_equal "$CAPTEST_STATUS" 0
    run python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for who in ("parent", "child"):
    assert d[who]["user_namespace"] is None and d[who]["seccomp_filters"] is None, d[who]
assert d["child"]["as_predicted"] is True
' "$T/json"
    assert_success
}

@test "kernel: --lock keeps the securebits already set, as libcap-ng 0.9.5 does" {
    have_capsh || skip "capsh is not installed"
    # NO_CAP_AMBIENT_RAISE (0x40) survives execve; Debian's 0.8.3 library would drop it.
    run_ok "$T/out" "$CAPSH" --secbits=0x40 -- -c 'exec "$0" --lock -v' "$CAPTEST"
    run grep -x -e 'securebits flags: NOROOT, NOROOT_LOCKED, NO_SETUID_FIXUP, NO_SETUID_FIXUP_LOCKED' \
        -e 'All securebits: NOROOT, NOROOT_LOCKED, NO_SETUID_FIXUP, NO_SETUID_FIXUP_LOCKED, NO_CAP_AMBIENT_RAISE' \
        -e 'Child all securebits: NOROOT, NOROOT_LOCKED, NO_SETUID_FIXUP, NO_SETUID_FIXUP_LOCKED, NO_CAP_AMBIENT_RAISE' \
        "$T/out"
    assert_equal "${#lines[@]}" 3
    run_ok "$T/json" "$CAPSH" --secbits=0x40 -- -c 'exec "$0" --lock --json' "$CAPTEST"
    run python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["parent"]["securebits"]["value"] == 0x4f, d["parent"]["securebits"]
assert d["child"]["securebits"]["value"] == 0x4f, d["child"]["securebits"]
assert d["parent"]["no_new_privs"] is True
' "$T/json"
    assert_success
}

@test "kernel: libcap-ng is loaded only for a change: without it the report works, a change fails in one line" {
    unshare -m true 2>/dev/null || skip "cannot create a mount namespace here"
    ! ldd "$CAPTEST" 2>/dev/null | grep -q libcap-ng || fail "captest links libcap-ng at start-up"
    local lib
    lib=$(ldconfig -p | sed -n 's/^[[:space:]]*libcap-ng\.so\.0 (libc6,x86-64) => //p' | head -n 1)
    [ -n "$lib" ] || skip "libcap-ng.so.0 is not in the loader cache"
    # In a mount namespace of its own, the library becomes an empty file.
    hide() { unshare -m sh -c 'mount --bind /dev/null "$0" && exec "$@"' "$lib" "$@"; }
    run_ok "$T/with" "$CAPTEST"
    run_captest "$T/without" hide "$CAPTEST"
    assert_equal "$CAPTEST_STATUS" 0
    [ ! -s "$T/without.err" ] || fail "stderr: $(cat "$T/without.err")"
    diff -u "$T/with" "$T/without"
    local opts
    for opts in --drop-all --drop-caps --id --init-grp --lock; do
        run_captest "$T/change" hide "$CAPTEST" $opts
        assert_equal "$CAPTEST_STATUS" 1
        [ ! -s "$T/change" ] || fail "$opts: stdout: $(cat "$T/change")"
        run cat "$T/change.err"
        assert_equal "${#lines[@]}" 1
        assert_output --regexp "^captest: cannot load $lib: .*|^captest: cannot load libcap-ng\.so\.0: .*"
    done
}
