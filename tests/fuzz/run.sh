#!/bin/sh
# Runs every fuzz target for SECONDS each, its corpus seeded from tests/fixtures.
# A crash leaves its input in BUILD/artifacts/ and fails the run: turn it into a unit test.
# Usage: tests/fuzz/run.sh BUILD SECONDS
set -u
B=$1 SECONDS_EACH=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
fix="$top/tests/fixtures"
mkdir -p "$B/artifacts"
failed=0 ran=0

seed() {  # seed TARGET FILES... (copies each file into the target's corpus)
    dir="$B/corpus/$1"; shift
    mkdir -p "$dir"
    for f in "$@"; do [ -f "$f" ] && cp "$f" "$dir/$(echo "$f" | cksum | cut -d' ' -f1)"; done
    return 0
}

seed fuzz_proc_status $(find "$fix" -name status)
seed fuzz_cgroup $(find "$fix" -name cgroup)
# proc_net: the first byte picks the table kind (the order of all_socket_kinds).
i=0
for t in tcp tcp6 udp udp6 udplite udplite6 raw raw6 packet; do
    for f in $(find "$fix" -path "*/net/$t"); do
        mkdir -p "$B/corpus/fuzz_proc_net"
        { printf "\\$(printf '%03o' $i)"; cat "$f"; } > "$B/corpus/fuzz_proc_net/$t-$(echo "$f" | cksum | cut -d' ' -f1)"
    done
    i=$((i + 1))
done
mkdir -p "$B/corpus/fuzz_cap_names" "$B/corpus/fuzz_escape" "$B/corpus/fuzz_sock_diag" \
    "$B/corpus/fuzz_mountinfo" "$B/corpus/fuzz_net_dev" "$B/corpus/fuzz_capability_conf"
printf '36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n' \
    > "$B/corpus/fuzz_mountinfo/line"
cp /proc/self/mountinfo "$B/corpus/fuzz_mountinfo/self" 2>/dev/null
cp /proc/self/net/dev "$B/corpus/fuzz_net_dev/self" 2>/dev/null
printf 'cap_net_raw,^cap_chown,!cap_sys_admin alice @staff\nnone *\n' > "$B/corpus/fuzz_capability_conf/rules"
printf 'net_raw,CAP_CHOWN 13' > "$B/corpus/fuzz_cap_names/list"
printf '000001ffffffffff' > "$B/corpus/fuzz_cap_names/mask"
printf 'bad\033na\nme\\x\377\302\233' > "$B/corpus/fuzz_escape/hostile"
seed fuzz_snapshot "$fix"/snapshots/*.json
for f in $(find "$fix" -name '*.bin' 2>/dev/null); do
    case $f in
        *xattr*|*vfs_cap*) seed fuzz_vfs_cap "$f" ;;
        *diag*) seed fuzz_sock_diag "$f" ;;
    esac
done

for target in "$B"/fuzz_*; do
    [ -x "$target" ] || continue
    name=$(basename "$target")
    mkdir -p "$B/corpus/$name"
    ran=$((ran + 1))
    echo "== $name (${SECONDS_EACH}s)"
    if ! "$target" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
            -artifact_prefix="$B/artifacts/$name-" "$B/corpus/$name" >"$B/$name.log" 2>&1; then
        failed=$((failed + 1))
        tail -40 "$B/$name.log"
        echo "FAILED: $name (input saved in $B/artifacts/)"
    else
        grep -E '^(#[0-9]+ *DONE|Done)' "$B/$name.log" | tail -1
    fi
done
echo "fuzz: $ran targets, $failed failed"
[ "$ran" -gt 0 ] && [ "$failed" -eq 0 ]
