#!/usr/bin/env python3
"""Turns the raw files of bench/filecap.sh (bench/results/raw/filecap-*) into filecap.md,
filecap.json and the plots filecap.svg (warm cache, 2 threads) and filecap-cold.svg (cold
cache; bench/plot.py). Standard library only.

Usage: filecap_report.py RAW_DIR "SIZES" [OUT_DIR]
Without OUT_DIR the markdown goes to standard output and nothing else is written.
"""
import glob
import json
import os
import re
import statistics
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plot  # noqa: E402

PROGRAMS = ["ours", "debian", "095", "getcap", "floor", "ours-j16"]
LABELS = {
    "ours": "capinspect filecap",
    "debian": "Debian filecap (libcap-ng 0.8.3)",
    "095": "libcap-ng 0.9.5 filecap",
    "getcap": "getcap -r (libcap2 2.66)",
    "floor": "C floor",
    "ours-j16": "capinspect filecap -j16",
}
SCENARIOS = [("warm2", "warm cache, 2 threads"), ("warm1", "warm cache, 1 thread"),
             ("cold", "cold cache (default jobs)")]
RATIOS = ["debian/ours", "095/ours", "getcap/ours", "ours/floor"]
# The peak memory measurements of filecap.sh, in the order shown.
MAXRSS = ["ours", "ours-j1", "ours-j2", "ours-1cpu", "ours-stalled", "ours-cold", "ours-cold-j1",
          "ours-cold-j2", "ours-cold-1cpu", "debian"]
MAXRSS_NOTE = ("ours with its default jobs, -j1, -j2 and on one CPU, warm and, marked cold, with cold "
               "caches; -j2 behind a reader that stalls for 2 s; Debian's")

raw = sys.argv[1]
sizes = sys.argv[2].split() if len(sys.argv) > 2 else []
out_dir = sys.argv[3] if len(sys.argv) > 3 else None
# Every size measured so far (a run with KEEP=1 adds to earlier ones).
found = {re.match(r"filecap-(\d+)\.gen$", os.path.basename(p)).group(1)
         for p in glob.glob(os.path.join(raw, "filecap-*.gen"))}
sizes = sorted(set(sizes) | found, key=int)


def read(name, default=""):
    try:
        with open(os.path.join(raw, name)) as f:
            return f.read().strip()
    except OSError:
        return default


def rounds(scenario):
    """[(hyperfine results, busy)] of a scenario's rounds."""
    rs = []
    for path in sorted(glob.glob(os.path.join(raw, f"filecap-{scenario}.round*.json"))):
        with open(path) as f:
            doc = json.load(f)
        rs.append((doc["results"], read(os.path.basename(path).replace(".json", ".busy"), "?")))
    return rs


def scenario(name):
    """{"tools": {program: {median_ms, round_medians_ms, cpu_ms}}, "busy": [...], "ratios": {...},
    "cpu_ratios": {...}} or None. A program's time is the median of its per-round medians,
    its CPU time (user + system, less sensitive than wall time to other work on a shared
    machine) the median of the rounds' means."""
    rs = rounds(name)
    if not rs:
        return None
    tools = {}
    for results, _busy in rs:
        for r in results:
            t = tools.setdefault(r["command"], {"round_medians_ms": [], "round_cpu_ms": []})
            t["round_medians_ms"].append(r["median"] * 1e3)
            t["round_cpu_ms"].append((r["user"] + r["system"]) * 1e3)
    for t in tools.values():
        t["median_ms"] = statistics.median(t["round_medians_ms"])
        t["cpu_ms"] = statistics.median(t["round_cpu_ms"])
    return {"tools": tools, "busy": [b for _r, b in rs],
            "ratios": ratios({k: v["median_ms"] for k, v in tools.items()}),
            "cpu_ratios": ratios({k: v["cpu_ms"] for k, v in tools.items()})}


def ratios(med):
    r = {}
    if med.get("ours"):
        for other in ("debian", "095", "getcap"):
            if med.get(other):
                r[f"{other}/ours"] = med[other] / med["ours"]
        if med.get("floor"):
            r["ours/floor"] = med["ours"] / med["floor"]
    return r


def ms(v):
    return "–" if v is None else f"{v:.0f}" if v >= 1000 else f"{v:.1f}"


def f2(v):
    return "–" if v is None else f"{v:.2f}"


machine = dict(
    line.split("=", 1) for line in read("filecap-machine.txt").splitlines()
    if "=" in line and " " not in line.split("=", 1)[0]
)
settings = next((line for line in read("filecap-machine.txt").splitlines() if line.startswith("pct=")), "")
machine.pop("pct", None)
opts = dict(kv.split("=", 1) for kv in settings.split() if "=" in kv)
res = {"machine": machine, "settings": settings, "sizes": {}, "targets": []}

out = []
w = out.append
w("# filecap benchmark\n")
w(
    f"Machine: {machine.get('nproc', '?')} CPUs, {machine.get('model', '?')}, kernel {machine.get('kernel', '?')}, "
    f"trees on {machine.get('fs', '?')}, load average {machine.get('loadavg', '?')} at the start, "
    f"hyperfine {machine.get('hyperfine', '?')}, run {machine.get('date', '?')}. {settings}.\n"
)
w(
    "Programs: **ours** = capinspect `filecap` (default jobs = CPUs; `-jN` as shown), "
    "**debian** = Debian 12 `/usr/bin/filecap` (libcap-ng 0.8.3: nftw, then open + fgetxattr + close per file), "
    "**095** = upstream libcap-ng 0.9.5 `filecap` (when installed at /opt/libcap-ng-0.9.5), "
    "**getcap** = `getcap -r` (libcap2: nftw + one getxattr per file; timed only, its output differs), "
    "**floor** = `bench/floor/filecap_floor.c` (getdents64 + one getxattrat per regular file, 1 or 2 threads, "
    "no sorting, no output). Each program walks the same generated tree (`bench/filetree.c`); a time is the "
    "median of the per-round medians of hyperfine runs, the rounds in a rotating order.\n"
)
w("Reading the numbers: the machine has 2 CPUs and is shared; the column *CPU busy before* "
  "says how busy other work kept it just before each round. At 90 % and more, a second "
  "thread gets little CPU, so the 2-thread wall times (and every ratio built on them) say "
  "little; the CPU times (user + system) below each table are much less sensitive to that "
  "load, and compare the work each program does.\n")
if any(read(f"filecap-{s}.gen") for s in sizes) and len(sizes) > 1:
    w("![filecap: median wall time against files, warm cache, 2 threads, log-log](filecap.svg)\n")
    if any(glob.glob(os.path.join(raw, f"filecap-{s}.cold.round*.json")) for s in sizes):
        w("![filecap: median wall time against files, cold cache, log-log](filecap-cold.svg)\n")

for size in sizes:
    n = int(size)
    entry = {"files": n, "tree": read(f"filecap-{size}.gen"), "check": read(f"filecap-{size}.check", "?"),
             "rows": len(read(f"filecap-{size}.ours.rows").splitlines()),
             "floor_attributes": read(f"filecap-{size}.floor.txt", "?"),
             "getcap_rows": read(f"filecap-{size}.getcap.count") or None,
             "scenarios": {}}
    for scen, _label in SCENARIOS:
        s = scenario(f"{size}.{scen}")
        if s:
            entry["scenarios"][scen] = s
    res["sizes"][size] = entry
    progs = [p for p in PROGRAMS if any(p in s["tools"] for s in entry["scenarios"].values())]
    w(f"\n## {n:,} files\n")
    getcap_note = (f"; getcap listed {entry['getcap_rows']} files" if entry["getcap_rows"] else "")
    w(f"Tree: {entry['tree']}. Same files and sets as Debian's, same rows as libcap-ng 0.9.5 "
      f"(sorted): **{entry['check']}** ({entry['rows']} rows; the floor counted "
      f"{entry['floor_attributes']} files with the attribute, including those libcap-ng does not list"
      f"{getcap_note}).\n")
    w("Median wall time (ms):\n")
    w("| scenario | " + " | ".join(progs) + " | " + " | ".join(RATIOS) + " | CPU busy before (%) |")
    w("|" + "---|" * (len(progs) + len(RATIOS) + 2))
    for scen, label in SCENARIOS:
        s = entry["scenarios"].get(scen)
        if not s:
            continue
        w(f"| {label} | " + " | ".join(ms(s["tools"].get(p, {}).get("median_ms")) for p in progs) + " | "
          + " | ".join(f2(s["ratios"].get(k)) for k in RATIOS) + f" | {', '.join(s['busy'])} |")
    w("")
    warm = [(scen, label) for scen, label in SCENARIOS[:2] if scen in entry["scenarios"]]
    if warm:
        wprogs = [p for p in progs if p != "ours-j16"]
        w("CPU time (ms, user + system, median of the rounds' means; the other users of the machine "
          "inflate it much less than wall time):\n")
        w("| scenario | " + " | ".join(wprogs) + " | " + " | ".join(RATIOS) + " |")
        w("|" + "---|" * (len(wprogs) + len(RATIOS) + 1))
        for scen, label in warm:
            s = entry["scenarios"][scen]
            w(f"| {label} | " + " | ".join(ms(s["tools"].get(p, {}).get("cpu_ms")) for p in wprogs) + " | "
              + " | ".join(f2(s["cpu_ratios"].get(k)) for k in RATIOS) + " |")
        w("")
    if "warm1" in entry["scenarios"]:
        per_file = {k: v["median_ms"] / n * 1e3 for k, v in entry["scenarios"]["warm1"]["tools"].items()}
        entry["per_file_us_warm1"] = per_file
        w("Per file, warm, 1 thread: " + ", ".join(f"{k} {v:.2f} µs" for k, v in per_file.items()) + ".\n")
    rss = {p: read(f"filecap-{size}.{p}.maxrss") for p in MAXRSS}
    entry["maxrss_kib"] = {p: int(v) for p, v in rss.items() if v.isdigit()}
    if entry["maxrss_kib"]:
        w("Peak memory (maximum resident set, /usr/bin/time; " + MAXRSS_NOTE + "): " +
          ", ".join(f"{p} {v / 1024:.1f} MB" for p, v in entry["maxrss_kib"].items()) + ".\n")

    def target(name, value, bound, at_least):
        if value is None:
            return
        res["targets"].append({"target": name, "size": size, "value": value, "bound": bound,
                               "met": value >= bound if at_least else value <= bound})

    sc = entry["scenarios"]
    if "warm2" in sc:
        r = sc["warm2"]["ratios"]
        target(f"{size}: warm, 2 threads, ≥ 2.8× Debian", r.get("debian/ours"), 2.8, True)
        target(f"{size}: warm, 2 threads, ≤ 1.25× the floor", r.get("ours/floor"), 1.25, False)
    if "warm1" in sc:
        target(f"{size}: warm, -j1, ≥ 1.6× Debian", sc["warm1"]["ratios"].get("debian/ours"), 1.6, True)
    if "cold" in sc:
        target(f"{size}: cold, ≥ 2.5× Debian", sc["cold"]["ratios"].get("debian/ours"), 2.5, True)
    for scen, label in SCENARIOS:
        if scen in sc:
            target(f"{size}: {label}, never slower than 0.9.5 (095/ours ≥ 1)",
                   sc[scen]["ratios"].get("095/ours"), 1.0, True)
    ours_rss = [v for p, v in entry["maxrss_kib"].items() if p.startswith("ours")]
    if ours_rss:
        target(f"{size}: peak memory < 8 MB (the largest of ours)", max(ours_rss) / 1024, 8, False)

# Linearity: time per file at each size (warm, 1 thread).
lin = [(s, res["sizes"][s]["per_file_us_warm1"]["ours"]) for s in sizes
       if "ours" in res["sizes"][s].get("per_file_us_warm1", {})]
if len(lin) >= 2:
    res["linearity_us_per_file"] = dict(lin)
    w("\n## Linearity\n")
    steps = ", ".join(f"{int(b[0]):,}/{int(a[0]):,}: {b[1] / a[1]:.2f}" for a, b in zip(lin, lin[1:]))
    w("Time per file, warm cache, `-j1`: " + ", ".join(f"{int(s):,} files: {t:.2f} µs" for s, t in lin) +
      f" (ratio largest/smallest {lin[-1][1] / lin[0][1]:.2f}; from size to size {steps}).\n")
    res["targets"].append({"target": "linear in the number of files (per-file time ratio, largest/smallest "
                                     "size, ≤ 1.25)", "size": f"{lin[-1][0]}/{lin[0][0]}",
                           "value": lin[-1][1] / lin[0][1], "bound": 1.25,
                           "met": lin[-1][1] / lin[0][1] <= 1.25})
    # The kernel's own cost per file grows with the tree (dentries and inodes outgrow the
    # CPU caches): the floor shows how much of the growth is the machine's.
    flo = [(s, res["sizes"][s]["per_file_us_warm1"].get("floor")) for s, _ in lin]
    if all(f for _, f in flo):
        rel = [(s, t / f) for (s, t), (_, f) in zip(lin, flo)]
        w("The floor's time per file over the same sizes: " +
          ", ".join(f"{f:.2f} µs" for _, f in flo) +
          f" (ratio {flo[-1][1] / flo[0][1]:.2f}): most of the growth is the kernel's. "
          "Ours ÷ floor per size: " + ", ".join(f"{r:.2f}" for _, r in rel) + ".\n")
        res["targets"].append({"target": "linear relative to the floor (ours÷floor per file, largest/smallest "
                                         "size, ≤ 1.25)", "size": f"{lin[-1][0]}/{lin[0][0]}",
                               "value": rel[-1][1] / rel[0][1], "bound": 1.25,
                               "met": rel[-1][1] / rel[0][1] <= 1.25})

# filecap -a on this machine
whole = {}
for prog in ("ours", "debian"):
    t = read(f"filecap-all.{prog}.time").split()
    if len(t) != 2:
        continue
    errs = read(f"filecap-all.{prog}.err")
    whole[prog] = {"rows": len(read(f"filecap-all.{prog}.out").splitlines()),
                   "error_lines": len(errs.splitlines()) if errs else 0,
                   "wall_s": float(t[1]) - float(t[0])}
if whole:
    res["whole_system"] = whole
    w("\n## `filecap -a` on this machine\n")
    w("| program | rows | error lines on stderr | wall time |")
    w("|---|---|---|---|")
    for prog, x in whole.items():
        w(f"| {prog} | {x['rows']} | {x['error_lines']} | {x['wall_s']:.2f} s |")
    if "ours" in whole:
        res["targets"].append({"target": "`filecap -a`: no error line", "size": "-",
                               "value": whole["ours"]["error_lines"], "bound": 0,
                               "met": whole["ours"]["error_lines"] == 0})
    w("")

w("\n## Targets\n")
w("| target | measured | met |")
w("|---|---|---|")
for t in res["targets"]:
    w(f"| {t['target']} | {t['value']:.2f} | {'yes' if t['met'] else '**no**'} |")

for size in sizes:
    st = read(f"filecap-{size}.strace-ours")
    if st:
        w(f"\n## System calls at {int(size):,} files (strace -c -f, -j1)\n")
        for prog in ("ours", "debian"):
            text = read(f"filecap-{size}.strace-{prog}")
            calls = {}
            for line in text.splitlines():
                m = re.match(r"\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)$", line)
                if m and m.group(2) != "total":
                    calls[m.group(2)] = int(m.group(1))
            total = sum(calls.values())
            top = ", ".join(f"{k} {v}" for k, v in sorted(calls.items(), key=lambda kv: -kv[1])[:6])
            w(f"- {prog}: {total} calls ({total / int(size):.2f} per file): {top}")
        w("\n(strace does not name getxattrat (464) on Debian 12, so ours' per-file call is not in "
          "its table: add one per regular file.)")
        break
w("")
w("Every figure is in filecap.json; the hyperfine exports and the outputs are in "
  "bench/results/raw/filecap-* (not committed).\n")


def svg(scen, title, notes):
    series = []
    for p in PROGRAMS:
        pts = [(int(s), res["sizes"][s]["scenarios"][scen]["tools"][p]["median_ms"]) for s in sizes
               if p in res["sizes"][s]["scenarios"].get(scen, {}).get("tools", {})]
        if pts:
            label = LABELS[p]
            if p == "ours" and scen == "warm2":
                label += " -j2"
            elif p == "ours" and scen == "cold":
                label += " (default jobs)"
            elif p == "floor" and scen != "warm1":
                label += ", 2 threads"
            series.append(plot.Series(p, label, pts, dash="2,3" if p == "ours-j16" else None,
                                      color="#ff7f0e" if p == "ours-j16" else None))
    return plot.line_plot(title=title, subtitle=plot.machine_line(machine),
                          xlabel="files in the tree", ylabel="median wall time",
                          series=series, notes=notes, x_name="files")


if out_dir:
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "filecap.md"), "w") as f:
        f.write("\n".join(out) + "\n")
    with open(os.path.join(out_dir, "filecap.json"), "w") as f:
        json.dump(res, f, indent=1)
    fs = machine.get("fs", "?")
    with open(os.path.join(out_dir, "filecap.svg"), "w") as f:
        single = [n for p, n in (("debian", "Debian's filecap"), ("095", "0.9.5's"), ("getcap", "getcap"))
                  if any(p in res["sizes"][s]["scenarios"].get("warm2", {}).get("tools", {}) for s in sizes)]
        one = (", ".join(single[:-1]) + " and " + single[-1] if len(single) > 1 else "".join(single))
        f.write(svg("warm2", "filecap: median wall time against files (warm cache, 2 threads)",
                    [f"Generated trees on {fs}, {opts.get('pct', '?')}% of the files with capabilities"
                     + (f"; {one} {'have' if len(single) > 1 else 'has'} one thread." if single else ".")]))
    if any("cold" in res["sizes"][s]["scenarios"] for s in sizes):
        with open(os.path.join(out_dir, "filecap-cold.svg"), "w") as f:
            f.write(svg("cold", "filecap: median wall time against files (cold cache)",
                        [f"Page, dentry and inode caches dropped before every run; trees on {fs}."]))
else:
    print("\n".join(out))
