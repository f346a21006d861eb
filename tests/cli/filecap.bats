#!/usr/bin/env bats
# filecap without capabilities to look at: libcap-ng's argument grammar, messages and exit
# codes, -d, the column options, help and version, walks of trees without capabilities.
# Runs as any user; tests/cli/filecap_kernel.bats has the trees with capabilities (root).
load common

USAGE='usage: filecap [-a | -d | /dir | /dir/file [cap1 cap2 ...] ]'
UP095=/opt/libcap-ng-0.9.5/bin/filecap

setup() {
    T=$(mktemp -d /tmp/capinspect-filecap.XXXXXX)
    mkdir "$T/dir" "$T/dir/sub"
    : >"$T/dir/plain"
    : >"$T/dir/sub/other"
    ln -s plain "$T/dir/link"
    ln -s sub "$T/dir/linkdir"
    mkfifo "$T/dir/fifo"
    filecap() { "$BIN/filecap" "$@"; }
}

teardown() {
    rm -rf "$T"
}

@test "usage: libcap-ng's line on stderr, exit 1" {
    for args in "-a $T/dir" "-a -a" "-a none" "-a -d" "chown $T/dir/plain" "$T/dir chown" "$T/dir -a"; do
        run --separate-stderr filecap $args
        assert_failure 1
        [ "$stderr" = "$USAGE" ] || { echo "$args: $stderr" >&2; return 1; }
        [ -z "$output" ]
    done
}

@test "anything that is not an absolute path, -a or -d is a capability name" {
    for args in "dir" "./dir" "$T/dir/plain cap_chown" "$T/dir/plain all" "$T/dir/plain 0" \
        "$T/dir/plain bogus" "--bogus" "-z" "-"; do
        run --separate-stderr filecap $args
        assert_failure 1
        [ "$stderr" = "Unrecognized capability.
$USAGE" ] || { echo "[$args]: $stderr" >&2; return 1; }
    done
}

@test "paths: missing, not a regular file or directory, or a second path" {
    run --separate-stderr filecap "$T/missing"
    assert_failure 1
    [ "$stderr" = "Error checking path $T/missing (No such file or directory)" ]
    for args in "$T/dir/link" "$T/dir/linkdir" "$T/dir/fifo" /dev/null "$T/dir $T/dir" \
        "$T/dir/plain $T/dir/sub/other" "$T/dir/plain $T/dir"; do
        run --separate-stderr filecap $args
        assert_failure 1
        [ "$stderr" = "Must be one regular file or directory" ] || { echo "$args: $stderr" >&2; return 1; }
    done
    # left to right: the first bad argument decides
    run --separate-stderr filecap "$T/missing" -d
    assert_failure 1
    [ "$stderr" = "Error checking path $T/missing (No such file or directory)" ]
    run --separate-stderr filecap "$T/dir/plain" "$T/missing"
    [ "$stderr" = "Error checking path $T/missing (No such file or directory)" ]
}

@test "-d lists the names of the running kernel's capabilities and ignores what follows" {
    local last
    last=$(cat /proc/sys/kernel/cap_last_cap)
    run --separate-stderr filecap -d
    assert_success
    [ "${#lines[@]}" -eq $((last + 1)) ]
    [ "${lines[0]}" = chown ]
    [ "${lines[13]}" = net_raw ]
    run --separate-stderr filecap -d -x --bogus
    assert_success
    [ "${#lines[@]}" -eq $((last + 1)) ]
    run --separate-stderr filecap -d -a
    assert_success
    if [ -x "$UP095" ] && [ "$last" -eq 40 ]; then
        diff <("$UP095" -d) <(filecap -d)
    fi
}

@test "-d with column options: names and numbers in columns, raw, without headings, in JSON" {
    local last
    last=$(cat /proc/sys/kernel/cap_last_cap)
    for args in "-d -J" "-J -d" "-d --json -x --bogus"; do
        run --separate-stderr filecap $args
        assert_success
        python3 - "$output" "$last" <<'PY'
import json, sys
caps = json.loads(sys.argv[1])["capabilities"]
assert [c["number"] for c in caps] == list(range(int(sys.argv[2]) + 1)), caps
assert caps[0] == {"name": "chown", "number": 0} and caps[13]["name"] == "net_raw", caps[:14]
PY
    done
    run --separate-stderr filecap -d -r
    assert_success
    [ "${#lines[@]}" -eq $((last + 2)) ]
    [ "${lines[0]}" = "NAME NUMBER" ]
    [ "${lines[14]}" = "net_raw 13" ]
    run --separate-stderr filecap -d -n
    assert_success
    [ "${#lines[@]}" -eq $((last + 1)) ]
    assert_line --regexp '^net_raw +13$'
    run --separate-stderr filecap -d -rn -o NUMBER,name
    assert_line --index 13 "13 net_raw"
    run --separate-stderr filecap -d --output-all -J
    assert_success
    # -H lists -d's columns then
    run --separate-stderr filecap -d -H
    assert_success
    [ "${#lines[@]}" -eq 2 ]
    assert_line --regexp '^ +NAME  '
    assert_line --regexp '^ +NUMBER  '
    run --separate-stderr filecap -d -o PATH
    assert_failure 1
    [ "$stderr" = "filecap: unknown column: PATH" ]
    run --separate-stderr filecap -d -o
    assert_failure 1
    [ "$stderr" = "filecap: option '-o' requires an argument
$USAGE" ]
}

@test "nothing to report: no output, exit 0" {
    run --separate-stderr filecap "$T/dir"
    assert_success
    assert_output ''
    [ -z "$stderr" ]
    run --separate-stderr filecap "$T/dir/plain"
    assert_success
    assert_output ''
    run --separate-stderr filecap "$T/dir" none
    assert_success
    assert_output ''
    run --separate-stderr filecap -J "$T/dir"
    assert_success
    assert_output '{
   "schema_version": 2,
   "files": []
}'
}

@test "no argument walks \$PATH: missing and empty elements, unset PATH" {
    run --separate-stderr env PATH="$T/missing::$T/dir" "$BIN/filecap"
    assert_success
    assert_output ''
    [ -z "$stderr" ]
    run --separate-stderr env -u PATH "$BIN/filecap"
    assert_success
    assert_output ''
    run --separate-stderr env PATH="$T/dir" "$BIN/filecap" none
    assert_success
}

@test "options: bad job counts, missing arguments, --rootid without a write" {
    for n in 0 -1 x 1025 ''; do
        run --separate-stderr filecap -j "$n" "$T/dir"
        assert_failure 1
        [ "$stderr" = "filecap: invalid number of jobs: $n" ] || [ -z "$n" ]
    done
    run --separate-stderr filecap "$T/dir" -j
    assert_failure 1
    [ "$stderr" = "filecap: option '-j' requires an argument
$USAGE" ]
    run --separate-stderr filecap --rootid 1000 "$T/dir"
    assert_failure 1
    [ "$stderr" = "filecap: --rootid applies only when setting capabilities on a file" ]
    run --separate-stderr filecap --rootid nosuchuser_x "$T/dir/plain" chown
    assert_failure 1
    [ "$stderr" = "filecap: invalid root uid: nosuchuser_x" ]
    run --separate-stderr filecap --exclude "$T/missing" "$T/dir"
    assert_success
    [ "$stderr" = "filecap: cannot exclude $T/missing: No such file or directory" ]
    run --separate-stderr filecap -j 3 -x --jobs=2 --one-file-system "$T/dir"
    assert_success
}

@test "column options: -H, -H -J, unknown and empty column lists" {
    run --separate-stderr filecap -H
    assert_success
    [ "${#lines[@]}" -eq 8 ]
    assert_line --regexp '^ +PATH  file path$'
    assert_line --regexp '^ +ROOTID  root uid'
    run --separate-stderr filecap -H -J
    python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert [c["json"] for c in d["columns"]] == ["path","set","caps","effective_flag","permitted","inheritable","rootid","version"]' "$output"
    run --separate-stderr filecap -o PATH,BOGUS "$T/dir"
    assert_failure 1
    [ "$stderr" = "filecap: unknown column: BOGUS" ]
    run --separate-stderr filecap -o '' "$T/dir"
    assert_failure 1
    [ "$stderr" = "filecap: missing column name in ''" ]
}

@test "--help and --version on stdout, exit 0" {
    run --separate-stderr filecap --help
    assert_success
    assert_line --index 0 'Usage:'
    assert_output --partial 'Available output columns:'
    assert_output --partial '--one-file-system'
    [ -z "$stderr" ]
    run filecap -h
    assert_success
    run filecap -V
    assert_success
    assert_output --regexp '^filecap from capinspect [0-9.]+$'
}

@test "write errors are reported; a closed pipe is quiet" {
    run bash -c '"$0" -d >/dev/full' "$BIN/filecap"
    assert_failure 1
    assert_output 'filecap: write error: No space left on device'
    run bash -c 'set -o pipefail; "$0" -d 2>&1 | head -1' "$BIN/filecap"
    assert_output chown
}

@test "a single file on a file system without extended attributes: libcap-ng's message, exit 1" {
    run --separate-stderr filecap /proc/self/status
    assert_failure 1
    [ "$stderr" = "Unable to get capabilities of /proc/self/status: Operation not supported" ]
    # walks skip such files: they cannot hold capabilities
    run --separate-stderr filecap /proc/self/net
    assert_success
    [ -z "$stderr" ]
}

@test "writing without CAP_SETFCAP fails cleanly and leaves the file alone" {
    [ "$(id -u)" -ne 0 ] || skip "runs as a user without CAP_SETFCAP (filecap_kernel.bats runs it through setpriv)"
    run --separate-stderr filecap "$T/dir/plain" chown
    assert_failure 1
    [ "$stderr" = "Could not set capabilities on $T/dir/plain: Operation not permitted" ]
}
