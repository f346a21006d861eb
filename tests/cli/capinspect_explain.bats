#!/usr/bin/env bats
# capinspect explain against the running kernel: processes whose capabilities come from
# each source (file capabilities of a setcap'd copy of the capholder helper, a set-user-ID
# root copy, ambient capabilities from the parent, uid 0, a child user namespace), what
# limits them (an ancestor's bounding set, no_new_privs), threads that differ, and bad
# input. Needs root (setcap, setpriv). Every copy lives in a directory this file makes and
# removes; every holder is ended through its stdin, or by its pid.

load common
load holders

setup() {
    require_root
    HOLDER_PIDS=() HOLDER_FDS=()
    CAPHOLDER=$HELPERS/capholder
    [ -x "$CAPHOLDER" ] || fail "$CAPHOLDER is not built (make tests)"
    # The copies must be reachable by the users the holders run as.
    WORK=$(mktemp -d /tmp/capinspect-explain.XXXXXX)
    chmod 755 "$WORK"
}

teardown() {
    stop_holders
    rm -rf "$WORK"
}

# start NAME COMMAND...: runs COMMAND in the background with its stdin on a FIFO this shell
# keeps open, and waits for the capholder it runs (perhaps below a shell) to say
# "ready PID [TID]". Sets PID (and TID).
start() {
    local name=$1 line='' i
    shift
    mkfifo "$WORK/$name.in"
    "$@" <"$WORK/$name.in" >"$WORK/$name.out" 2>"$WORK/$name.err" 3>&- &
    HOLDER_PIDS+=("$!")
    local fd
    exec {fd}>"$WORK/$name.in"
    HOLDER_FDS+=("$fd")
    for ((i = 0; i < 200; i++)); do
        [ -s "$WORK/$name.out" ] && IFS= read -r line <"$WORK/$name.out" && [[ $line == "ready "* ]] && break
        line=''
        sleep 0.05
    done
    [[ $line == "ready "* ]] || fail "holder $name did not get ready: $(cat "$WORK/$name.err")"
    read -r _ PID TID <<<"$line"
}

# copy NAME: a copy of capholder in WORK, for setcap and chmod.
copy() {
    cp "$CAPHOLDER" "$WORK/$1"
    chmod 755 "$WORK/$1"
}

# sh -c "$BEHIND_SH" COMMAND ARGS...: runs COMMAND as a child of the shell, on the shell's
# stdin (an asynchronous command of sh gets /dev/null, so through fd 3).
BEHIND_SH='exec 3<&0; "$0" "$@" <&3 3<&- & wait'

as_nobody() {
    setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
}

@test "explain: file capabilities of the running executable, read through /proc/PID/exe" {
    copy fcap
    setcap cap_net_raw+ep "$WORK/fcap"
    start a as_nobody "$WORK/fcap" --comm fcap
    run --separate-stderr "$BIN/capinspect" explain "$PID"
    assert_success
    assert_line --index 0 "pid $PID (fcap), uid 65534 (nobody), exe $WORK/fcap"
    assert_line "cap_net_raw: effective, permitted"
    assert_line --regexp "^  observed +source $WORK/fcap \\(inode [0-9]+, device [0-9]+:[0-9]+\\) has the file capabilities cap_net_raw=ep \\(revision 2\\); this is the file as it is now"
    assert_line --regexp "^  inferred +source at exec the file's permitted set, within the bounding set, gave it as permitted, and the file's effective flag made it effective$"
    assert_line --regexp "^  observed +scope +it acts on the host"
    # Only what it holds: nothing else is explained.
    [ "$(grep -c '^cap_' <<<"$output")" -eq 1 ]

    # The file now, not as it was at exec: without its capabilities, no source is left.
    setcap -r "$WORK/fcap"
    run --separate-stderr "$BIN/capinspect" explain "$PID"
    assert_success
    assert_line --regexp "^  observed +source $WORK/fcap has no file capabilities$"
    assert_line --regexp "^  inferred +source no source is visible now"
}

@test "explain: a V3 file capability applies in the user namespace whose root it names, not elsewhere" {
    copy v3
    setcap -n 1000 cap_net_raw+ep "$WORK/v3"
    start inside setpriv --reuid=1000 --regid=1000 --clear-groups -- unshare -Ur "$WORK/v3" --comm v3inside
    run --separate-stderr "$BIN/capinspect" explain "$PID" net_raw
    assert_success
    assert_line --partial "has the file capabilities cap_net_raw=ep (revision 3, root id 1000: for the user namespace whose root is uid 1000)"
    assert_line --regexp "^  inferred +source at exec the file's permitted set"
    assert_line --regexp "^  observed +source it runs as root of its user namespace \\(uid 0 there, uid 1000 as the reader sees it\\)$"
    assert_line --regexp "^  observed +scope +it acts only inside a user namespace owned by uid 1000, 1 level below the reader's, on what that namespace owns, not on the host$"

    start outside as_nobody "$WORK/v3" --comm v3outside
    run --separate-stderr "$BIN/capinspect" explain "$PID" net_raw
    assert_success
    assert_line "cap_net_raw: not held"
    assert_line --regexp "^  observed +source they do not apply to it: its user namespace's root is uid 0, not 1000$"
    assert_line --regexp "^  inferred +limit +what stops it: the process is not root$"
}

@test "explain: a set-user-ID root executable run by another user" {
    copy suid
    chmod 4755 "$WORK/suid"
    start a as_nobody "$WORK/suid" --comm suid
    run --separate-stderr "$BIN/capinspect" explain "$PID" sys_admin
    assert_success
    assert_line --index 0 "pid $PID (suid), uid 0 (root), real uid 65534, exe $WORK/suid"
    assert_line --regexp "^  observed +source real uid 65534, effective uid 0; $WORK/suid is set-user-ID root \\(mode 4755, owner 0\\)$"
    assert_line --regexp "^  inferred +source exec of a set-user-ID-root file made it root"
    assert_line --regexp "^  not observable source unless SECBIT_NOROOT was set then"
}

@test "explain: uid 0 at exec, every capability with one derivation" {
    start a "$CAPHOLDER" --comm rootholder
    run --separate-stderr "$BIN/capinspect" explain "$PID"
    assert_success
    # All of root's capabilities share the derivation: shown once.
    assert_line --regexp "^cap_chown, cap_dac_override, .* \\([0-9]+ capabilities\\): effective, permitted$"
    assert_line --regexp "^  observed +source it runs as root \\(uid 0\\)$"
    assert_line --regexp "^  inferred +source an exec as root gives every capability of the bounding set"
    assert_line --regexp "^  not observable source unless SECBIT_NOROOT was set"
    # JSON keeps one explanation per capability.
    run --separate-stderr "$BIN/capinspect" explain "$PID" -J
    assert_success
    [ "$(jq '.explanations | length' <<<"$output")" -eq "$(jq '.process.permitted | length' <<<"$output")" ]
}

@test "explain: ambient capabilities inherited from the parent, or raised by the process" {
    # setpriv gives sh the ambient capability; capholder, its child, inherits it.
    start a setpriv --reuid=4242 --regid=4242 --clear-groups --inh-caps=+net_bind_service \
        --ambient-caps=+net_bind_service -- sh -c "$BEHIND_SH" "$CAPHOLDER" --comm ambchild
    parent=$(awk '$1 == "PPid:" { print $2 }' "/proc/$PID/status")
    run --separate-stderr "$BIN/capinspect" explain "$PID"
    assert_success
    assert_line "cap_net_bind_service: effective, permitted, inheritable, ambient"
    assert_line --regexp "^  observed +source in the ambient set"
    assert_line --regexp "^  observed +source its parent pid $parent \\(sh\\) holds it in its ambient set too: inherited$"
    assert_line --regexp "^  observed +source its parent pid $parent \\(sh\\) holds it in its inheritable set$"

    start b "$CAPHOLDER" --comm ambself --uid 4242 --caps net_bind_service --ambient net_bind_service
    run --separate-stderr "$BIN/capinspect" explain "$PID" net_bind_service
    assert_success
    assert_line --regexp "^  observed +source its parent pid [0-9]+ \\(.*\\) does not hold it in its ambient set: raised by the process itself"
}

@test "explain: a capability an ancestor dropped from the bounding set, and no_new_privs" {
    start a setpriv --bounding-set=-sys_admin -- sh -c "$BEHIND_SH" "$CAPHOLDER" --comm nobnd --nnp
    parent=$(awk '$1 == "PPid:" { print $2 }' "/proc/$PID/status")
    grandparent=$(awk '$1 == "PPid:" { print $2 }' "/proc/$parent/status")
    run --separate-stderr "$BIN/capinspect" explain "$PID" sys_admin
    assert_success
    assert_line "cap_sys_admin: not held"
    assert_line --regexp "^  observed +limit +not in the bounding set: no exec can grant it"
    assert_line --regexp "^  observed +limit +the nearest ancestor that already lacks it is pid $parent \\(sh\\); it was dropped in pid $parent \\(sh\\), whose parent pid $grandparent \\(.*\\) has it$"
    assert_line --regexp "^  observed +limit +no_new_privs is set"
    assert_line --regexp "^  inferred +limit +what stops it: it is not in the bounding set"
}

@test "explain: threads whose sets differ from the leader's" {
    start a "$CAPHOLDER" --comm threaded --thread-caps net_raw
    run --separate-stderr "$BIN/capinspect" explain "$PID" net_raw
    assert_success
    assert_line "cap_net_raw: not held"
    assert_line --regexp "^  observed +thread +thread $TID \\(threaded\\) holds it in the effective and permitted sets, unlike the leader$"
    # Named or not, a thread's capability is explained.
    run --separate-stderr "$BIN/capinspect" explain "$PID"
    assert_line "cap_net_raw: not held"
}

@test "explain: a capability that is not held says what stops it" {
    start a "$CAPHOLDER" --comm little --uid 4242 --caps net_raw
    run --separate-stderr "$BIN/capinspect" explain "$PID" CAP_NET_ADMIN 12
    assert_success
    assert_line "cap_net_admin: not held"
    assert_line --regexp "^  observed +held +pid $PID \\(little\\) does not hold cap_net_admin in any set$"
    assert_line --regexp "^  inferred +limit +what stops it: the process is not root and its executable has no file capability for it$"
}

@test "explain -J: the shape, and every step marked" {
    start a "$CAPHOLDER" --comm jsonholder --uid 4242 --caps net_raw,net_bind_service --ambient net_bind_service
    run --separate-stderr "$BIN/capinspect" explain -J "$PID"
    assert_success
    run jq -e --argjson pid "$PID" '
        .schema_version == 2 and .process.pid == $pid and .process.command == "jsonholder" and
        .process.uid == 4242 and .process.ambient == ["net_bind_service"] and .process.scope == "host" and
        ([.explanations[].capability] == ["net_bind_service", "net_raw"]) and
        (.explanations[0].held == ["effective", "permitted", "inheritable", "ambient"]) and
        all(.explanations[].steps[]; (.role | IN("held", "source", "limit", "scope", "thread")) and
            (.evidence | IN("observed", "inferred", "not-observable")) and (.detail | type == "string"))' <<<"$output"
    assert_success
}

@test "explain: a hostile command name is escaped in text and round-trips in JSON" {
    start a "$CAPHOLDER" --comm $'ev\033[2Jil\n'
    run --separate-stderr "$BIN/capinspect" explain "$PID"
    assert_success
    assert_line --index 0 --partial 'pid '"$PID"' (ev\x1B[2Jil\x0A)'
    [[ $output != *$'\033'* ]]
    run --separate-stderr "$BIN/capinspect" explain -J "$PID"
    assert_success
    [ "$(jq -r .process.command <<<"$output")" = 'ev\x1B[2Jil\x0A' ]
}

@test "explain: bad input is one line and exit status 2" {
    run --separate-stderr "$BIN/capinspect" explain
    assert_equal "$status" 2
    assert_equal "$stderr" "capinspect explain: no process id given
Try 'capinspect explain --help' for more information."
    run --separate-stderr "$BIN/capinspect" explain 12ab
    assert_equal "$status" 2
    assert_equal "${stderr_lines[0]}" "capinspect explain: invalid process id '12ab'"
    run --separate-stderr "$BIN/capinspect" explain 1 cap_bogus
    assert_equal "$status" 2
    assert_equal "${stderr_lines[0]}" "capinspect explain: unknown capability 'cap_bogus'"
    run --separate-stderr "$BIN/capinspect" explain --bogus 1
    assert_equal "$status" 2
    assert_equal "${stderr_lines[0]}" "capinspect explain: unrecognized option '--bogus'"
    # A pid no process has (beyond pid_max), and a thread that is not a leader.
    run --separate-stderr "$BIN/capinspect" explain 2147483647
    assert_equal "$status" 2
    assert_equal "$stderr" "capinspect explain: no process 2147483647 (a kernel thread, a thread that is not its process's leader, or gone)"
    [ -z "$output" ]
    start a "$CAPHOLDER" --comm threaded --thread-caps net_raw
    run --separate-stderr "$BIN/capinspect" explain "$TID"
    assert_equal "$status" 2
    assert_equal "${#stderr_lines[@]}" 1
}

@test "explain --help" {
    run --separate-stderr "$BIN/capinspect" explain --help
    assert_success
    assert_line --index 0 "Usage:"
    assert_line " capinspect explain [options] <pid> [<capability>...]"
    [ -z "$stderr" ]
}
