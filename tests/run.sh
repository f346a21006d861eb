#!/bin/sh
# Runs every test and prints one closing line: "N passed, N failed[, N skipped]".
# Usage: tests/run.sh BUILD_DIR    (make check calls it)
set -u
B=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
export CAPINSPECT_BUILD="$top/$B"
passed=0 failed=0 skipped=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== unit tests"
if "$CAPINSPECT_BUILD/tests/unit-tests" --no-version >"$log" 2>&1; then :; fi
cat "$log"
line=$(grep '^\[doctest\] test cases:' "$log" | tail -1)
if [ -n "$line" ]; then
    set -- $(echo "$line" | tr -cs '0-9' ' ')
    # "test cases: T | P passed | F failed | S skipped"
    passed=$((passed + $2)); failed=$((failed + $3)); skipped=$((skipped + $4))
else
    echo "unit tests did not run to completion"; failed=$((failed + 1))
fi

echo "== command-line tests"
bats --tap "$top/tests/cli" >"$log" 2>&1
cat "$log"
p=$(grep -c '^ok ' "$log"); s=$(grep -c '^ok .*# skip' "$log"); f=$(grep -c '^not ok ' "$log")
plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$log" | head -1)
passed=$((passed + p - s)); skipped=$((skipped + s)); failed=$((failed + f))
if [ -z "$plan" ] || [ $((p + f)) -ne "$plan" ]; then
    echo "bats did not run to completion"; failed=$((failed + 1))
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
