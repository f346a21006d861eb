# Shared set-up for the bats files: where the built tools are, and bats-assert.
bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

: "${CAPINSPECT_BUILD:=$BATS_TEST_DIRNAME/../../build}"
BIN="$CAPINSPECT_BUILD/bin"
HELPERS="$CAPINSPECT_BUILD/tests/helpers"
FIXTURES="$BATS_TEST_DIRNAME/../fixtures"
export LC_ALL=C.UTF-8

require_root() {
    [ "$(id -u)" -eq 0 ] || skip "needs root"
}

# True when the program at $1 is built with a sanitizer (make SANITIZE=...), whose runtime
# needs /proc, spare descriptors and terabytes of address space.
sanitized() {
    ldd "$1" 2>/dev/null | grep -q 'lib[at]san'
}
