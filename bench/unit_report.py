"""unit_report.py RAW OUT: bench/results/unit.md and unit.json from bench/unit.sh's raw files.

A program's time at a size is the median of its per-round medians (hyperfine's).
"""
import json
import os
import statistics
import sys

raw, out = sys.argv[1], sys.argv[2]
SIZES = [("services", "the services alone"), ("others", "the services and the other processes")]
PROGRAMS = [("unit", "`capinspect unit --all`"), ("unit-json", "`capinspect unit --all -J`"), ("pscap", "`pscap`")]


def read(name, default=""):
    try:
        return open(os.path.join(raw, name)).read().strip()
    except OSError:
        return default


machine = dict(line.split("=", 1) for line in read("unit-machine.txt").splitlines() if "=" in line)


def fmt_time(s):
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 0.01:
        return f"{s * 1000:.1f} ms"
    return f"{s * 1000:.2f} ms"


results = {"machine": machine, "sizes": {}}
for size, _ in SIZES:
    rounds = {}
    r = 1
    while os.path.exists(os.path.join(raw, f"unit-{size}.round{r}.json")):
        for res in json.load(open(os.path.join(raw, f"unit-{size}.round{r}.json")))["results"]:
            rounds.setdefault(res["command"], []).append(res["median"])
        r += 1
    if not rounds:
        continue
    results["sizes"][size] = {
        "processes": int(read(f"unit-{size}.processes", "0") or 0),
        "busy_percent": int(read(f"unit-{size}.busy", "0") or 0),
        "median_seconds": {p: statistics.median(v) for p, v in rounds.items()},
        "round_medians": rounds,
        "status_files_read": {p: int(read(f"unit-{size}.status-{p}", "0") or 0) for p in ("unit", "pscap")},
    }

json.dump(results, open(os.path.join(out, "unit.json"), "w"), indent=2)

lines = [
    "# capinspect unit --all against pscap",
    "",
    f"Measured with `bash bench/unit.sh` on {machine.get('nproc', '?')} CPUs, {machine.get('model', '?')}, "
    f"Linux {machine.get('kernel', '?')}, {machine.get('date', '?')}, inside a systemd-nspawn container "
    f"running {machine.get('systemd', 'systemd')} with {machine.get('services', '?')} sandboxed services "
    f"({machine.get('running', '?')} running services in all); then {machine.get('others', '?')} more "
    "processes that belong to no service. Median wall times (the median of "
    f"{machine.get('rounds', '?')} hyperfine rounds of {machine.get('runs', '?')} runs, the order rotated "
    "each round); \"status files read\" counts the /proc/PID/status files each program opened (strace).",
    "",
    "| processes in the container | " + " | ".join(label for _, label in PROGRAMS)
    + " | unit ÷ pscap | status files read: unit, pscap | other load (%) |",
    "|---|" + "---|" * len(PROGRAMS) + "---|---|---|",
]
for size, label in SIZES:
    s = results["sizes"].get(size)
    if not s:
        continue
    med = s["median_seconds"]
    ratio = med.get("unit", 0) / med["pscap"] if med.get("pscap") else float("nan")
    lines.append(
        f"| {label} ({s['processes']}) | "
        + " | ".join(fmt_time(med[p]) if p in med else "–" for p, _ in PROGRAMS)
        + f" | {ratio:.2f} | {s['status_files_read']['unit']}, {s['status_files_read']['pscap']}"
        + f" | {s['busy_percent']} |"
    )
lines += [
    "",
    "`capinspect unit --all` asks systemd for the running services (one D-Bus call), reads each "
    "one's properties (two GetAll calls) and walks only the processes of each service's cgroup, "
    "with their threads and the mounts its settings need; pscap lists every process and reads the "
    "status of those that hold capabilities. The other processes add nothing to what unit --all reads.",
    "",
]
open(os.path.join(out, "unit.md"), "w").write("\n".join(lines))
print("\n".join(lines))
