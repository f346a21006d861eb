#!/bin/sh
# `make run`: this machine's capability report, printed with the freshly built tools.
# Usage: scripts/report.sh BINDIR
set -u
bin=$1
echo "capinspect report for $(uname -n), Linux $(uname -r), cap_last_cap $(cat /proc/sys/kernel/cap_last_cap 2>/dev/null || echo '?')"
echo
echo "== Processes holding capabilities (pscap)"
"$bin/pscap"
echo
echo "== Non-root processes with capabilities, and processes with ambient capabilities"
"$bin/pscap" -o PID,USER,COMMAND,EFFECTIVE,AMBIENT,NO_NEW_PRIVS,SECCOMP -J | python3 -c '
import json, sys
rows = [p for p in json.load(sys.stdin)["processes"] if p["user"] != "root" or p["ambient"]]
for p in rows:
    print("  pid {pid} {user} {command}: {caps}{amb}".format(caps=", ".join(p["effective"]),
          amb=" (ambient: %s)" % ", ".join(p["ambient"]) if p["ambient"] else "", **p))
if not rows:
    print("  none")
' 2>/dev/null || echo "  (python3 not available)"
