#!/usr/bin/env bats
# filecap on trees with real file capabilities, made here with setcap (and raw
# setxattr for what setcap refuses) on copies of a small binary: every row kind of
# libcap-ng's table, V3 rootids, symlinks and a symlink loop, a FIFO, an unreadable
# directory, hostile names, a tmpfs mounted inside, a 5000-deep path; writes; and
# differential checks against getcap -r, Debian's /usr/bin/filecap (libcap-ng 0.8.3) and,
# when installed, libcap-ng 0.9.5. Needs root. Everything is removed at the end.
load common
bats_require_minimum_version 1.5.0

UP095=/opt/libcap-ng-0.9.5/bin/filecap
HEADER='set       file                   capabilities  rootid'

setup_file() {
    [ "$(id -u)" -eq 0 ] || return 0
    export T
    T=$(mktemp -d /tmp/capinspect-fck.XXXXXX)
    local fc=$T/fc
    mkdir -p "$fc/sub/deeper" "$fc/closed" "$fc/mnt" "$T/hostile"
    local bin=/bin/true
    mk() { cp "$bin" "$1"; }
    # libcap-ng's table (reference §4.3), one file per row kind
    mk "$fc/eff";        setcap cap_net_raw+ep "$fc/eff"
    mk "$fc/perm";       setcap cap_net_raw,cap_chown+p "$fc/perm"
    mk "$fc/inh";        setcap cap_net_raw+i "$fc/inh"
    mk "$fc/inh_e";      setcap cap_net_raw+ie "$fc/inh_e"
    mk "$fc/full";       setcap =ep "$fc/full"
    mk "$fc/full_p";     setcap =p "$fc/full_p"
    mk "$fc/most_p";     setcap 'all=p cap_sys_admin-p' "$fc/most_p"
    mk "$fc/all_ei";     setcap 'all=ei cap_chown+p' "$fc/all_ei"
    mk "$fc/ip";         setcap 'cap_chown,cap_net_admin+ip cap_kill+i' "$fc/ip"
    mk "$fc/p_i";        setcap 'cap_chown+p cap_kill+i' "$fc/p_i"
    mk "$fc/v3";         setcap -n 1000 cap_net_raw+ep "$fc/v3"
    mk "$fc/v3full";     setcap -n 123456 =ep "$fc/v3full"
    mk "$fc/empty";      setcap = "$fc/empty"
    mk "$fc/plain"
    # bits the kernel does not know: setcap refuses them, the kernel stores them
    mk "$fc/hi";         setxattr_raw "$fc/hi" 0100000200000000000000000020000000000000
    mk "$fc/hi_mixed";   setxattr_raw "$fc/hi_mixed" 0100000200200000000000000020000000000000
    mk "$fc/sub/subcap"; setcap cap_sys_ptrace+ep "$fc/sub/subcap"
    mk "$fc/sub/deeper/deepcap"; setcap cap_setuid,cap_setgid+p "$fc/sub/deeper/deepcap"
    mk "$fc/closed/secret"; setcap cap_chown+ep "$fc/closed/secret"
    chmod 000 "$fc/closed"
    ln -s eff "$fc/link_to_eff"
    ln -s sub "$fc/link_to_sub"
    ln -s loop_b "$fc/loop_a"
    ln -s loop_a "$fc/loop_b"
    ln -s /nonexistent "$fc/dangling"
    mkfifo "$fc/fifo"
    # hostile names, in a tree of their own (libcap-ng prints them raw)
    mk "$T/hostile/nl"$'\n'"name"; setcap cap_kill+ep "$T/hostile/nl"$'\n'"name"
    mk "$T/hostile/esc"$'\e'"[31mred"; setcap cap_kill+ep "$T/hostile/esc"$'\e'"[31mred"
    mk "$T/hostile/bad"$'\xff'"utf8"; setcap cap_kill+p "$T/hostile/bad"$'\xff'"utf8"
    mk "$T/hostile/back\\x41slash"; setcap cap_kill+p "$T/hostile/back\\x41slash"
    # a tmpfs inside the tree
    mount -t tmpfs -o size=4m capinspect-test "$fc/mnt"
    mk "$fc/mnt/tmpcap"; setcap cap_net_bind_service+ep "$fc/mnt/tmpcap"
}

teardown_file() {
    [ -n "${T:-}" ] || return 0
    umount "$T/fc/mnt" 2>/dev/null || true
    [ -d "$T/img.mnt" ] && umount "$T/img.mnt" 2>/dev/null || true
    [ -d "$T/cold.mnt" ] && umount "$T/cold.mnt" 2>/dev/null || true
    [ -d "$T/ff.mnt" ] && umount "$T/ff.mnt" 2>/dev/null || true
    chmod 755 "$T/fc/closed" 2>/dev/null || true
    rm -rf "$T"
}

setup() {
    require_root
    FC=$T/fc
    filecap() { "$BIN/filecap" "$@"; }
}

# setxattr_raw FILE HEX: writes security.capability as given (bypassing libcap).
setxattr_raw() {
    python3 -c 'import os, sys; os.setxattr(sys.argv[1], "security.capability", bytes.fromhex(sys.argv[2]))' "$1" "$2"
}

# 0.9.5's row: the set, the path padded to 22 bytes, the capabilities.
row() {
    printf '%s %-22s %s' "$@"
}

@test "default output: libcap-ng 0.9.5's header and rows for every row kind, sorted" {
    run --separate-stderr filecap "$FC"
    assert_success
    [ -z "$stderr" ]
    local most
    most=$(filecap -d | grep -vx sys_admin | paste -sd, | sed 's/,/, /g')
    local expected
    expected="$HEADER
$(row effective "$FC/all_ei" full)
$(row effective "$FC/closed/secret" chown)
$(row effective "$FC/eff" net_raw)
$(row effective "$FC/full" full)
$(row permitted "$FC/full_p" full)
$(row effective "$FC/hi_mixed" net_raw)
$(row effective "$FC/inh_e" none)
$(row permitted "$FC/ip" 'chown, net_admin')
$(row effective "$FC/mnt/tmpcap" net_bind_service)
$(row permitted "$FC/most_p" "$most")
$(row permitted "$FC/p_i" chown)
$(row permitted "$FC/perm" 'chown, net_raw')
$(row permitted "$FC/sub/deeper/deepcap" 'setgid, setuid')
$(row effective "$FC/sub/subcap" sys_ptrace)
$(row effective "$FC/v3" 'net_raw 1000')
$(row effective "$FC/v3full" 'full 123456')"
    diff -u <(printf '%s\n' "$expected") <(printf '%s\n' "$output")
}

@test "not listed: inheritable only, the empty =, unknown bits only, no attribute, symlinks, FIFO" {
    run --separate-stderr filecap "$FC"
    for name in inh empty hi plain link_to_eff link_to_sub loop_a loop_b dangling fifo \
        link_to_sub/subcap; do
        refute_line --regexp "^[a-z]+ $FC/$name( |$)"
    done
}

@test "the same rows as libcap-ng 0.9.5, in sorted order" {
    [ -x "$UP095" ] || skip "libcap-ng 0.9.5 is not installed at $UP095"
    # (sorted by path: libcap-ng prints in readdir order)
    bypath() { sed 1d | awk '{ print $2 "\t" $0 }' | LC_ALL=C sort | cut -f2-; }
    diff -u <("$UP095" "$FC" | bypath) <(filecap "$FC" | sed 1d)
    [ "$("$UP095" "$FC" | head -1)" = "$HEADER" ]
    diff -u <("$UP095" "$FC/eff") <(filecap "$FC/eff")
    diff -u <("$UP095" "$FC/sub/" | bypath) <(filecap "$FC/sub/" | sed 1d)
}

@test "differential: Debian's /usr/bin/filecap lists the same files with the same text" {
    [ -x /usr/bin/filecap ] || skip "libcap-ng-utils is not installed"
    # 0.8.3 separates with four blanks and carries a V3 rootid over to later files
    # (not reproduced): compare set, path and capabilities.
    norm() { sed 1d | sed -E 's/ +/ /g; s/ (1000|123456)$//' | sort; }
    diff -u <(/usr/bin/filecap "$FC" 2>/dev/null | norm) <(filecap "$FC" | norm)
}

@test "differential: column mode lists every file getcap -r lists, with the same sets" {
    command -v getcap >/dev/null || skip "getcap is not installed"
    local last
    last=$(cat /proc/sys/kernel/cap_last_cap)
    run --separate-stderr filecap -J --output-all "$FC"
    assert_success
    python3 - "$output" "$(getcap -r "$FC" 2>/dev/null)" "$last" "$(filecap -d)" <<'PY'
import json, sys
ours = {f["path"]: f for f in json.loads(sys.argv[1])["files"]}
last = int(sys.argv[3])
names = sys.argv[4].split()
def num(n):
    n = n[4:] if n.startswith("cap_") else n
    return names.index(n) if n in names else int(n)
def parse(text):
    # cap_from_text(3): clauses "names OP flags", OP one of = + -, names empty or "all" for all
    sets = {"e": set(), "i": set(), "p": set()}
    for clause in text.split():
        for op in "=+-":
            if op in clause:
                left, flags = clause.split(op, 1)
                break
        caps = set(range(last + 1)) if left in ("", "all") else {num(n) for n in left.split(",")}
        if op == "=":
            for s in sets.values():
                s -= caps
        for f in flags:
            if op == "-":
                sets[f] -= caps
            else:
                sets[f] |= caps
    return sets
theirs = {}
for line in sys.argv[2].splitlines():
    path, text = line.rsplit(" ", 1) if line.count(" ") == 1 else line.split(" ", 1)
    theirs[path] = parse(text)
assert set(ours) == set(theirs), (sorted(set(ours) ^ set(theirs)))
for path, t in theirs.items():
    o = ours[path]
    p = {num(n) for n in o["permitted"]}
    i = {num(n) for n in o["inheritable"]}
    e = (p | i) if o["effective_flag"] else set()
    assert (p, i, e) == (t["p"], t["i"], t["e"]), (path, p, i, e, t)
PY
}

@test "column mode: the findings libcap-ng hides" {
    run --separate-stderr filecap -rn -o PATH,SET,EFFECTIVE_FLAG,PERMITTED,INHERITABLE,ROOTID,VERSION,CAPS "$FC"
    assert_success
    assert_line "$FC/inh inheritable no  net_raw  2 "
    assert_line "$FC/empty empty no    2 "
    assert_line "$FC/hi effective yes cap_45   2 "
    assert_line "$FC/hi_mixed effective yes net_raw,cap_45   2 net_raw"
    assert_line "$FC/v3 effective yes net_raw  1000 3 net_raw"
    assert_line "$FC/full effective yes full   2 full"
    run --separate-stderr filecap -J -o PATH,SET,PERMITTED,ROOTID,VERSION "$FC/v3full"
    python3 - "$output" <<'PY'
import json, sys
f, = json.loads(sys.argv[1])["files"]
assert f["set"] == "effective" and f["rootid"] == 123456 and f["version"] == 3, f
assert f["permitted"][0] == "chown" and "checkpoint_restore" in f["permitted"], f
PY
}

@test "a single file: header and row; nothing for files libcap-ng does not list" {
    run --separate-stderr filecap "$FC/eff"
    assert_success
    assert_output "$HEADER
$(row effective "$FC/eff" net_raw)"
    for name in plain inh empty hi; do
        run --separate-stderr filecap "$FC/$name"
        assert_success
        assert_output ''
        [ -z "$stderr" ]
    done
    run --separate-stderr filecap -rn -o SET "$FC/inh"
    assert_output inheritable
}

@test "-j: the same output whatever the number of threads" {
    local one
    one=$(filecap -j1 "$FC")
    for j in 2 3 16; do
        [ "$(filecap -j "$j" "$FC")" = "$one" ]
    done
    [ "$(filecap "$FC")" = "$one" ]
    [ "$(filecap -j 7 -J --output-all "$FC")" = "$(filecap -j1 -J --output-all "$FC")" ]
}

@test "a tmpfs mounted inside is crossed, or not with -x" {
    run --separate-stderr filecap "$FC"
    assert_line --partial "$FC/mnt/tmpcap"
    run --separate-stderr filecap -x "$FC"
    assert_success
    refute_line --partial "$FC/mnt/tmpcap"
    assert_line --partial "$FC/eff"
    run --separate-stderr filecap --one-file-system "$FC/mnt"
    assert_line --partial "$FC/mnt/tmpcap"
}

@test "--exclude prunes a directory or a file, whatever its spelling" {
    run --separate-stderr filecap --exclude "$FC/sub" --exclude "$FC/eff" "$FC"
    assert_success
    refute_line --partial "$FC/sub/"
    refute_line --partial "$FC/eff "
    assert_line --partial "$FC/perm"
    run --separate-stderr filecap --exclude "$FC/sub/../sub/deeper/" "$FC"
    assert_line --partial "$FC/sub/subcap"
    refute_line --partial deepcap
}

@test "symlinks, a symlink loop and a FIFO: never followed, never blocking" {
    run --separate-stderr timeout 20 "$BIN/filecap" "$FC"
    assert_success
    refute_output --partial link_to
    # a start given with a trailing slash through a symlink: nftw's rule, nothing
    run --separate-stderr filecap "$FC/link_to_sub/"
    assert_success
    assert_output ''
}

@test "an unreadable directory, as a user: reported on stderr, the walk goes on, exit 0" {
    command -v setpriv >/dev/null || skip "setpriv is not installed"
    chmod 755 "$T"
    run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
        "$BIN/filecap" "$FC"
    assert_success
    [ "$stderr" = "filecap: cannot read directory $FC/closed: Permission denied" ]
    assert_line --partial "$FC/eff "
    refute_line --partial secret
}

@test "writing without CAP_SETFCAP: one line, exit 1, the file unchanged" {
    command -v setpriv >/dev/null || skip "setpriv is not installed"
    chmod 755 "$T"
    local f=$T/w.nocap
    cp /bin/true "$f"
    setcap cap_kill+p "$f"
    chmod 644 "$f"
    run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
        "$BIN/filecap" "$f" chown
    assert_failure 1
    [ "$stderr" = "Could not set capabilities on $f: Operation not permitted" ]
    [ "$(getcap "$f")" = "$f cap_kill=p" ]
    rm -f "$f"
}

@test "hostile names are escaped in text, reversible in JSON" {
    run --separate-stderr filecap "$T/hostile"
    assert_success
    [ "${#lines[@]}" -eq 5 ]
    assert_line "$(row permitted "$T/hostile/back\\x41slash" kill)"
    assert_line "$(row permitted "$T/hostile/bad\\xFFutf8" kill)"
    assert_line "$(row effective "$T/hostile/esc\\x1B[31mred" kill)"
    assert_line "$(row effective "$T/hostile/nl\\x0Aname" kill)"
    ! filecap "$T/hostile" | grep -q $'\e'
    run --separate-stderr filecap -J -o PATH "$T/hostile"
    python3 - "$output" "$T/hostile" <<'PY'
import json, os, re, sys
paths = [f["path"] for f in json.loads(sys.argv[1])["files"]]
raw = [re.sub(r"\\x([0-9A-F]{2})", lambda m: chr(int(m.group(1), 16)), p).encode("latin-1") for p in paths]
on_disk = sorted(os.path.join(sys.argv[2].encode(), n) for n in os.listdir(sys.argv[2].encode()))
assert sorted(raw) == on_disk, (raw, on_disk)
PY
    # messages escape too
    run --separate-stderr filecap "$T/hostile/no"$'\n'"such"$'\e'"file"
    assert_failure 1
    [ "$stderr" = "Error checking path $T/hostile/no\x0Asuch\x1Bfile (No such file or directory)" ]
}

@test "a path 5000 directories deep (beyond PATH_MAX)" {
    local deep=$T/deep
    mkdir "$deep"
    python3 - "$deep" <<'PY'
import os, shutil, subprocess, sys
os.chdir(sys.argv[1])
for _ in range(5000):
    os.mkdir("d1")
    os.chdir("d1")
shutil.copy("/bin/true", "leaf")
subprocess.run(["setcap", "cap_sys_nice+ep", "leaf"], check=True)
PY
    run --separate-stderr filecap "$deep"
    assert_success
    [ -z "$stderr" ]
    [ "${#lines[@]}" -eq 2 ]
    local path
    path="$deep$(printf '/d1%.0s' $(seq 5000))/leaf"
    [ "${#path}" -gt 4096 ]
    [ "${lines[1]}" = "effective $path sys_nice" ]
    [ "$(filecap -j1 "$deep")" = "$output" ]
    rm -rf "$deep"
}

@test "-a walks / without a single error line and finds the tree" {
    run --separate-stderr timeout 300 "$BIN/filecap" -a
    assert_success
    [ -z "$stderr" ] || { echo "$stderr" | head >&2; return 1; }
    assert_line --index 0 "$HEADER"
    assert_line "$(row effective "$FC/eff" net_raw)"
    refute_line --partial ' /proc/'
    refute_line --partial ' /sys/'
}

@test "writes: names, case, none, replacing, as libcap-ng does" {
    local f=$T/w
    cp /bin/true "$f"
    run --separate-stderr filecap "$f" chown NET_RAW
    assert_success
    assert_output ''
    [ "$(getcap "$f")" = "$f cap_chown,cap_net_raw=ep" ]
    [ "$(python3 -c 'import os,sys; print(os.getxattr(sys.argv[1], "security.capability").hex())' "$f")" = 0100000201200000000000000000000000000000 ]
    filecap "$f" Kill
    [ "$(getcap "$f")" = "$f cap_kill=ep" ]
    filecap "$f" none chown
    [ "$(getcap "$f")" = "$f cap_chown=ep" ]
    filecap "$f" chown none
    [ -z "$(getcap "$f")" ]
    run --separate-stderr filecap "$f" none
    assert_failure 1
    [ "$stderr" = "Could not set capabilities on $f: No data available" ]
    filecap "$f" kill
    filecap none "$f"
    [ -z "$(getcap "$f")" ]
    rm -f "$f"
}

@test "writes: errors leave the file as it was" {
    local f=$T/w2
    cp /bin/true "$f"
    setcap cap_kill+p "$f"
    run --separate-stderr filecap "$f" bogus
    assert_failure 1
    [ "$stderr" = "filecap: unknown capability: bogus
Try 'filecap --help' for more information." ]
    run --separate-stderr filecap "$f" cap_chown
    assert_failure 1
    run --separate-stderr filecap "$FC/link_to_eff" chown
    assert_failure 1
    [ "$stderr" = "Must be one regular file or directory" ]
    run --separate-stderr filecap "$FC/sub" chown
    assert_failure 1
    [ "$stderr" = "filecap: capability names follow one regular file: chown
Try 'filecap --help' for more information." ]
    run --separate-stderr filecap "$T/missing" chown
    assert_failure 1
    [ "$stderr" = "Error checking path $T/missing (No such file or directory)" ]
    run --separate-stderr filecap /proc/self/status chown
    assert_failure 1
    [ "$stderr" = "Could not set capabilities on /proc/self/status: Operation not supported" ]
    [ "$(getcap "$f")" = "$f cap_kill=p" ]
    [ "$(getcap "$FC/eff")" = "$FC/eff cap_net_raw=ep" ]
    rm -f "$f"
}

@test "writes: --rootid gives a V3 value that getcap -n reads back" {
    local f=$T/w3
    cp /bin/true "$f"
    run --separate-stderr filecap --rootid 1000 "$f" net_raw chown
    assert_success
    [ "$(getcap -n "$f")" = "$f cap_chown,cap_net_raw=ep [rootid=1000]" ]
    run --separate-stderr filecap "$f"
    assert_output "$HEADER
$(row effective "$f" 'chown, net_raw 1000')"
    filecap "$f" kill --rootid 0
    [ "$(getcap -n "$f")" = "$f cap_kill=ep" ]
    rm -f "$f"
}

@test "writes: a running program can be given capabilities (no write open, no ETXTBSY)" {
    local f=$T/sleeper
    cp /bin/sleep "$f"
    "$f" 30 &
    local pid=$!
    run --separate-stderr filecap "$f" net_raw
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    assert_success
    [ "$(getcap "$f")" = "$f cap_net_raw=ep" ]
    rm -f "$f"
}

@test "in a user namespace: a V3 value for another root is EOVERFLOW, as libcap-ng reports it" {
    command -v unshare >/dev/null || skip "unshare is not installed"
    unshare -Ur true 2>/dev/null || skip "user namespaces are not available"
    run --separate-stderr unshare -Ur "$BIN/filecap" "$FC/v3"
    assert_failure 1
    [ "$stderr" = "Unable to get capabilities of $FC/v3: Value too large for defined data type" ]
    run --separate-stderr unshare -Ur "$BIN/filecap" "$FC/sub"
    assert_success
    assert_line --partial subcap
}

@test "without getxattrat (ENOSYS): the same report through /proc/self/fd, then through paths" {
    local nosys=$HELPERS/nosys
    [ -x "$nosys" ] || fail "$nosys is not built (make tests)"
    local want
    want=$(filecap "$FC")
    [ "$("$nosys" 464 "$BIN/filecap" "$FC")" = "$want" ]
    [ "$("$nosys" 464 "$BIN/filecap" -j1 "$FC")" = "$want" ]
    # no /proc either: lgetxattr on the path (the sanitizers' runtime needs /proc)
    if sanitized "$BIN/filecap"; then
        return 0
    fi
    run --separate-stderr unshare -m sh -c 'mount -t tmpfs none /proc && exec "$0" 464 "$1" "$2"' \
        "$nosys" "$BIN/filecap" "$FC"
    assert_success
    [ "$output" = "$want" ]
}

@test "malformed values on disk (ext4 image written with debugfs): invalid, never a crash" {
    for tool in mkfs.ext4 debugfs losetup; do
        command -v $tool >/dev/null || skip "$tool is not installed"
    done
    local img=$T/img mnt=$T/img.mnt
    truncate -s 8M "$img"
    mkfs.ext4 -q -F "$img"
    debugfs -w -R "write /bin/true v1" "$img" >/dev/null 2>&1
    debugfs -w -R "write /bin/true long" "$img" >/dev/null 2>&1
    debugfs -w -R "write /bin/true good" "$img" >/dev/null 2>&1
    printf '\x00\x00\x00\x01\x00\x20\x00\x00\x00\x00\x00\x00' >"$T/v1.bin"
    printf '\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00' >"$T/long.bin"
    printf '\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00' >"$T/good.bin"
    for f in v1 long good; do
        debugfs -w -R "ea_set -f $T/$f.bin $f security.capability" "$img" >/dev/null 2>&1
    done
    mkdir "$mnt"
    mount -o loop,ro "$img" "$mnt" || skip "cannot mount a loop device here"
    run --separate-stderr filecap "$mnt"
    assert_success
    assert_output "$HEADER
$(row effective "$mnt/good" net_raw)"
    [ "$stderr" = "Unable to get capabilities of $mnt/long: Invalid argument
Unable to get capabilities of $mnt/v1: Invalid argument" ]
    run --separate-stderr filecap -rn -o PATH,SET,VERSION "$mnt"
    assert_success
    assert_output "$mnt/good effective 2
$mnt/long invalid 
$mnt/v1 invalid "
    [ -z "$stderr" ]
    run --separate-stderr filecap "$mnt/v1"
    assert_failure 1
    if [ -x /usr/bin/filecap ]; then
        run --separate-stderr /usr/bin/filecap "$mnt/v1"
        [ "$stderr" = "Unable to get capabilities of $mnt/v1: Invalid argument" ]
    fi
    umount "$mnt"
    rm -f "$img"
}

# run_limited NPROC ARGS...: filecap as a uid with no other process, allowed NPROC threads
# in all (ulimit -u: RLIMIT_NPROC, which root is exempt from).
run_limited() {
    local nproc=$1
    shift
    # (LeakSanitizer needs a thread of its own at exit, which the limit refuses it)
    run --separate-stderr bash -c 'ulimit -u "$0" && exec setpriv --reuid=42451 --regid=42451 \
        --clear-groups --inh-caps=-all "$@"' "$nproc" \
        env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" "$BIN/filecap" "$@"
}

@test "threads that cannot be started (ulimit -u, pids.max): the search goes on with fewer" {
    command -v setpriv >/dev/null || skip "setpriv is not installed"
    chmod 755 "$T"
    local tree=$T/limited want
    mkdir -p "$tree"
    for d in a b c d e f g h; do
        mkdir -p "$tree/$d/sub"
        cp /bin/true "$tree/$d/sub/prog"
    done
    setcap cap_net_raw+ep "$tree/c/sub/prog"
    setcap cap_chown+p "$tree/h/sub/prog"
    want=$(filecap -j1 "$tree")
    [ -n "$want" ]
    # not one thread more than the calling one: all the rows, and one line saying so
    run_limited 1 -j4 "$tree"
    assert_success
    assert_output "$want"
    [ "$stderr" = "filecap: could not start a thread to read directories (Resource temporarily unavailable); searched with one" ]
    # some of them: quiet
    run_limited 2 -j4 "$tree"
    assert_success
    assert_output "$want"
    [ -z "$stderr" ]
    rm -rf "$tree"
}

@test "threads that cannot be started while the search waits for the disk: no abort" {
    command -v setpriv >/dev/null || skip "setpriv is not installed"
    command -v mkfs.ext4 >/dev/null || skip "mkfs.ext4 is not installed"
    chmod 755 "$T"
    local img=$T/cold.img mnt=$T/cold.mnt want
    truncate -s 32M "$img"
    mkfs.ext4 -q -F "$img"
    mkdir "$mnt"
    mount -o loop "$img" "$mnt" || skip "cannot mount a loop device here"
    rmdir "$mnt/lost+found"
    python3 - "$mnt" <<'PY'
import os, sys
for a in range(40):
    for b in range(10):
        d = os.path.join(sys.argv[1], "d%02d" % a, "s%02d" % b)
        os.makedirs(d)
        for f in range(3):
            open(os.path.join(d, "f%d" % f), "w").close()
PY
    cp /bin/true "$mnt/d05/s05/prog"
    setcap cap_net_raw+ep "$mnt/d05/s05/prog"
    want=$(filecap -j1 "$mnt")
    # mounted again: a cold cache, so the default jobs add threads for the disk reads
    umount "$mnt"
    mount -o loop "$img" "$mnt"
    run_limited 2 "$mnt"
    umount "$mnt"
    rm -f "$img"
    assert_success
    assert_output "$want"
    [ -z "$stderr" ]
}

@test "writes: a V3 value this namespace cannot name (EOVERFLOW) is removed or replaced" {
    command -v unshare >/dev/null || skip "unshare is not installed"
    unshare -Ur true 2>/dev/null || skip "user namespaces are not available"
    local f=$T/w.ns
    cp /bin/true "$f"
    # the kernel refuses to return the value here; setcap -r and libcap-ng remove it all the same
    setcap -n 1000 cap_net_raw+ep "$f"
    run --separate-stderr unshare -Ur "$BIN/filecap" "$f" none
    assert_success
    [ -z "$stderr" ]
    [ -z "$(getcap -n "$f")" ]
    setcap -n 1000 cap_net_raw+ep "$f"
    run --separate-stderr unshare -Ur "$BIN/filecap" "$f" chown
    assert_success
    [ -z "$stderr" ]
    [ "$(getcap -n "$f")" = "$f cap_chown=ep" ]
    # where the kernel refuses (a user's namespace does not map the file's owner), its reason
    chmod 755 "$T"
    setcap -n 1000 cap_net_raw+ep "$f"
    if setpriv --reuid=42451 --regid=42451 --clear-groups unshare -Ur true 2>/dev/null; then
        run --separate-stderr setpriv --reuid=42451 --regid=42451 --clear-groups \
            unshare -Ur "$BIN/filecap" "$f" none
        assert_failure 1
        [ "$stderr" = "Could not set capabilities on $f: Operation not permitted" ]
        [ "$(getcap -n "$f")" = "$f cap_net_raw=ep [rootid=1000]" ]
    fi
    rm -f "$f"
}

@test "writes: a value whose root uid is 0xffffffff on disk is removed or replaced" {
    for tool in mkfs.ext4 debugfs losetup; do
        command -v $tool >/dev/null || skip "$tool is not installed"
    done
    # No system call writes this value (the kernel takes -1 for no uid): debugfs does.
    local img=$T/ff.img mnt=$T/ff.mnt
    truncate -s 8M "$img"
    mkfs.ext4 -q -F "$img"
    printf '\x01\x00\x00\x03\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\xff' >"$T/ff.bin"
    for f in a b; do
        debugfs -w -R "write /bin/true $f" "$img" >/dev/null 2>&1
        debugfs -w -R "ea_set -f $T/ff.bin $f security.capability" "$img" >/dev/null 2>&1
    done
    mkdir "$mnt"
    mount -o loop "$img" "$mnt" || skip "cannot mount a loop device here"
    run --separate-stderr filecap "$mnt/a"
    [ "$stderr" = "Unable to get capabilities of $mnt/a: Value too large for defined data type" ]
    run --separate-stderr filecap "$mnt/a" none
    local none_status=$status none_stderr=$stderr
    run --separate-stderr filecap "$mnt/b" kill
    local kill_status=$status kill_stderr=$stderr
    local a b
    a=$(getcap -n "$mnt/a") b=$(getcap -n "$mnt/b")
    umount "$mnt"
    rm -f "$img" "$T/ff.bin"
    [ "$none_status" -eq 0 ] && [ -z "$none_stderr" ] || fail "none: $none_status $none_stderr"
    [ "$kill_status" -eq 0 ] && [ -z "$kill_stderr" ] || fail "kill: $kill_status $kill_stderr"
    [ -z "$a" ]
    [ "$b" = "$mnt/b cap_kill=ep" ]
}

@test "a report that cannot be written (a full pipe): the threads read ahead a bounded amount" {
    [ -x /usr/bin/time ] || skip "/usr/bin/time is not installed"
    if sanitized "$BIN/filecap"; then
        skip "a sanitizer's memory says nothing about the walk's"
    fi
    # 2100 directories of 16 files with capabilities and 244-byte names: every directory
    # read ahead of the report holds about 7 KiB of results
    local tree=$T/wide rss rows
    python3 - "$tree" <<'PY'
import os, sys
value = bytes.fromhex("0100000200200000000000000000000000000000")
os.mkdir(sys.argv[1])
for d in range(2100):
    path = os.path.join(sys.argv[1], "d%04d" % d)
    os.mkdir(path)
    for f in range(16):
        fd = os.open(os.path.join(path, "f%02d" % f + "x" * 241), os.O_CREAT | os.O_WRONLY, 0o644)
        os.setxattr(fd, "security.capability", value)
        os.close(fd)
PY
    # The report stalls for two seconds, as behind a slow reader; meanwhile the other
    # thread reads on, as far as the bound lets it.
    /usr/bin/time -f %M -o "$T/wide.rss" "$BIN/filecap" -j2 "$tree" | { sleep 2; wc -l; } >"$T/wide.rows"
    rss=$(cat "$T/wide.rss") rows=$(cat "$T/wide.rows")
    rm -rf "$tree" "$T/wide.rss" "$T/wide.rows"
    [ "$rows" -eq $((2100 * 16 + 1)) ]
    # peak resident memory in KiB: the target of bench/filecap.sh is 8 MB
    [ "$rss" -lt 8000 ] || fail "peak resident memory $rss KiB"
}
