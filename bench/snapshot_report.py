#!/usr/bin/env python3
"""The report of bench/snapshot.sh, from its raw files: python3 bench/snapshot_report.py RAW.

A command's time is the median of its per-round medians; its CPU time (user + system,
which a busy machine disturbs less than the wall clock) the median of its per-round means.
"""
import json
import statistics
import sys

raw = sys.argv[1]
info = dict(line.rstrip("\n").split("=", 1) for line in open(f"{raw}/snapshot-info.txt") if "=" in line)
rounds = int(info["rounds"])
wall = {"snapshot": [], "tools": []}
cpu = {"snapshot": [], "tools": []}
busy = []
for r in range(1, rounds + 1):
    for res in json.load(open(f"{raw}/snapshot-round{r}.json"))["results"]:
        wall[res["command"]].append(res["median"])
        cpu[res["command"]].append(res["user"] + res["system"])
    busy.append(open(f"{raw}/snapshot-round{r}.busy").read().strip())
peak = dict(zip(*[iter(info["peak_kib"].split())] * 2))
mib = lambda name: f"{int(peak[name]) / 1024:.1f} MiB"
met = lambda ok: "met" if ok else "**missed**"
s, t = statistics.median(wall["snapshot"]), statistics.median(wall["tools"])
cs, ct = statistics.median(cpu["snapshot"]), statistics.median(cpu["tools"])
ratios = [a / b for a, b in zip(wall["snapshot"], wall["tools"])]
rounds_text = lambda xs: ", ".join(f"{x:.2f}" for x in xs)

print("# capinspect snapshot against pscap + netcap --all-netns + filecap")
print()
print(f"Measured by `{info['command']}` on {info['machine']}, commit {info['commit']}; {info['workload']}, "
      f"warm cache. The snapshot held {info['counts']}. Other load on the CPUs before each round: "
      f"{', '.join(busy)}% (high values mean noisy wall times; the CPU times are steadier).")
print()
print("| command | wall time (median) | per-round medians (s) | CPU time, user + system |")
print("|---|---|---|---|")
print(f"| `capinspect snapshot --files TREE` | {s:.2f} s | {rounds_text(wall['snapshot'])} | {cs:.2f} s |")
print(f"| `pscap; netcap --all-netns; filecap TREE` | {t:.2f} s | {rounds_text(wall['tools'])} | {ct:.2f} s |")
print()
print(f"Snapshot ÷ tools: {s / t:.2f} in wall time (per round {min(ratios):.2f}–{max(ratios):.2f}), "
      f"{cs / ct:.2f} in CPU time; target ≤ 1.5: {met(s / t <= 1.5)}.")
print()
print(f"Peak memory (maximum resident set): snapshot {mib('snapshot')} (target < 64 MB: "
      f"{met(int(peak['snapshot']) * 1024 < 64 * 1000 * 1000)}); pscap {mib('pscap')}, "
      f"netcap --all-netns {mib('netcap')}, filecap {mib('filecap')}.")
