#!/bin/sh
# Install what capinspect needs to build and test, from Debian's packages.
# Prints the exact apt-get command and stops when it cannot run it itself.
# Usage: deps.sh [PACKAGE...]    (packages needed beyond these, e.g. make fuzz's)
set -eu

PACKAGES="g++ make pkg-config libcap-dev libcap-ng-dev libfmt-dev libsmartcols-dev
libmnl-dev nlohmann-json3-dev libsystemd-dev doctest-dev bats bats-assert bats-support
libcap-ng-utils libcap2-bin iproute2 util-linux procps passwd python3 man-db mandoc zsh fish
systemd-container clang $*"

missing=""
for p in $PACKAGES; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$status" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
if ! command -v apt-get >/dev/null 2>&1 || [ ! -r /etc/debian_version ]; then
    echo "deps: not a Debian-like system; install the equivalents of:$missing" >&2
    exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing packages; as root run: apt-get update && $cmd" >&2
    exit 1
fi
# An image without package lists (a fresh container) needs them fetched first.
if ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then
    echo "deps: apt-get update"
    apt-get update -q
fi
echo "deps: $cmd"
DEBIAN_FRONTEND=noninteractive $cmd -q || {
    apt-get update -q && DEBIAN_FRONTEND=noninteractive $cmd -q
}
