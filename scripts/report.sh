#!/bin/sh
# `make run`: this machine's capability report, printed with the freshly built tools.
# Usage: scripts/report.sh BINDIR
set -u
bin=$1

# Runs a report; says "none" rather than nothing when it finds nothing.
show_or_none() {
    out=$("$@") || return
    if [ -n "$out" ]; then printf '%s\n' "$out"; else echo "  none"; fi
}
echo "capinspect report for $(uname -n), Linux $(uname -r), cap_last_cap $(cat /proc/sys/kernel/cap_last_cap 2>/dev/null || echo '?')"
echo
echo "== Processes holding capabilities (pscap)"
"$bin/pscap"
echo
echo "== Non-root processes with capabilities, and ambient capabilities (pscap -J)"
"$bin/pscap" -o PID,USER,COMMAND,EFFECTIVE,AMBIENT,NO_NEW_PRIVS -J | python3 -c '
import json, sys
rows = [p for p in json.load(sys.stdin)["processes"] if p["user"] != "root" or p["ambient"]]
for p in rows:
    print("  pid {pid} {user} {command}: {caps}{amb}".format(caps=", ".join(p["effective"]),
          amb=" (ambient: %s)" % ", ".join(p["ambient"]) if p["ambient"] else "", **p))
if not rows:
    print("  none")
' 2>/dev/null || echo "  (python3 not available)"
echo
echo "== Listening sockets of capability holders (netcap -l)"
show_or_none "$bin/netcap" -l -o PID,USER,COMMAND,PROTO,LADDR,LPORT,CAPS
echo
echo "== Files with capabilities in \$PATH (filecap)"
show_or_none "$bin/filecap"
echo
echo "== This shell's capabilities, and whether a child could regain root (captest)"
"$bin/captest" --text
echo
echo "== Why one capability holder holds its capabilities (capinspect explain)"
# A holder that is not root tells more than root's "uid 0 at exec"; else the first one.
holder=$("$bin/pscap" -o PID,UID,EFFECTIVE -J | python3 -c '
import json, sys
rows = [p for p in json.load(sys.stdin)["processes"] if p["effective"]]
rows.sort(key=lambda p: (p["uid"] == 0, p["pid"]))
print(rows[0]["pid"] if rows else "")
' 2>/dev/null)
if [ -n "$holder" ]; then
    "$bin/capinspect" explain "$holder"
else
    echo "  no process holds capabilities (or python3 is not available)"
fi
echo
echo "== Services against the sandbox of their units (capinspect unit --all)"
if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ] && [ -d /run/systemd/system ]; then
    "$bin/capinspect" unit --all
else
    echo "  skipped: systemd is not PID 1 here"
fi
