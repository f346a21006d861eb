#!/usr/bin/env python3
"""Turns bench/results/raw/captest-* (written by bench/captest.sh) into captest.md and
captest.json. Standard library only.

Usage: captest_report.py RAW_DIR OUT_DIR
"""
import json
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plot  # noqa: E402

TOOLS = ["ours", "debian", "095"]
LABELS = {
    "ours": "capinspect captest",
    "debian": "Debian captest (libcap-ng 0.8.3)",
    "095": "libcap-ng 0.9.5 captest",
}
SCENARIOS = {
    "default": "`captest` (report, shadow child, captest --no-child child)",
    "text": "`captest --text`",
    "nochild": "`captest --no-child` (one process)",
}
ORDER = ["default", "text", "nochild"]
TARGET = 1.1  # ours/debian: "no slower than 1.1x Debian's"



def ratios(med):
    r = {}
    if "ours" in med:
        if "debian" in med:
            r["ours/debian"] = med["ours"] / med["debian"]
        if "095" in med:
            r["095/ours"] = med["095"] / med["ours"]
    return r


def main(raw, out):
    machine = plot.read_kv(os.path.join(raw, "captest-machine.txt"))
    found = {m.group(1) for f in os.listdir(raw) if (m := re.match(r"captest-(\w+)\.round\d+\.json$", f))}
    scens = [s for s in ORDER if s in found] + sorted(found - set(ORDER))
    res = {"machine": machine, "scenarios": {}, "targets": []}
    for sc in scens:
        e = {"tools": {}}
        try:
            with open(os.path.join(raw, f"captest-{sc}.busy")) as f:
                e["busy_before_pct"] = int(f.read().strip())
        except (OSError, ValueError):
            pass
        for f in sorted(os.listdir(raw)):
            if not re.match(rf"captest-{sc}\.round\d+\.json$", f):
                continue
            with open(os.path.join(raw, f)) as fh:
                for r in json.load(fh)["results"]:
                    t = e["tools"].setdefault(r["command"], {"round_medians_ms": [], "times_ms": [],
                                                             "round_cpu_ms": []})
                    t["round_medians_ms"].append(r["median"] * 1e3)
                    t["times_ms"].extend(x * 1e3 for x in r["times"])
                    t["round_cpu_ms"].append((r["user"] + r["system"]) * 1e3)
        for t in e["tools"].values():
            t["median_ms"] = statistics.median(t["round_medians_ms"])
            t["min_ms"] = min(t["times_ms"])
            t["cpu_ms"] = statistics.median(t["round_cpu_ms"])
        e["ratios"] = ratios({k: v["median_ms"] for k, v in e["tools"].items()})
        e["cpu_ratios"] = ratios({k: v["cpu_ms"] for k, v in e["tools"].items()})
        inter = plot.read_interleave(os.path.join(raw, f"captest-{sc}.interleave.txt"))
        if inter is not None:
            e["interleaved"] = {"tools": inter, "ratios": ratios({k: v["median_ms"] for k, v in inter.items()})}
        # Same report? Debian's and 0.9.5's hex words and layout are the reference.
        outputs = {}
        for p in TOOLS:
            path = os.path.join(raw, f"captest-{sc}.{p}.txt")
            if os.path.exists(path):
                with open(path, "rb") as f:
                    outputs[p] = f.read()
        e["same_output_as"] = {p: outputs[p] == outputs["ours"] for p in outputs if p != "ours" and "ours" in outputs}
        res["scenarios"][sc] = e

        r = e["ratios"]
        il_r = e.get("interleaved", {}).get("ratios", {})
        if "ours/debian" in r:
            res["targets"].append({
                "target": f"≤ {TARGET}× Debian's time", "scenario": sc, "value": r["ours/debian"],
                "met": r["ours/debian"] <= TARGET, "interleaved_value": il_r.get("ours/debian"),
                "cpu_value": e["cpu_ratios"].get("ours/debian")})
        if "095/ours" in r:
            res["targets"].append({
                "target": "never slower than 0.9.5", "scenario": sc, "value": r["095/ours"],
                "met": r["095/ours"] >= 1.0, "interleaved_value": il_r.get("095/ours"),
                "cpu_value": e["cpu_ratios"].get("095/ours")})

    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "captest.json"), "w") as f:
        json.dump(res, f, indent=1)
    with open(os.path.join(out, "captest.md"), "w") as f:
        f.write(markdown(res, scens))


def f2(v):
    return "–" if v is None else f"{v:.2f}"


def markdown(res, scens):
    m = res["machine"]
    tools = [t for t in TOOLS if any(t in res["scenarios"][s]["tools"] for s in scens)]
    rk = ["ours/debian", "095/ours"]
    L = ["# captest benchmark\n"]
    L.append(f"Machine: {m.get('nproc')} CPUs, {m.get('model')}, kernel {m.get('kernel')}, load average "
             f"{m.get('loadavg')} at the start; hyperfine {m.get('hyperfine')}; run as uid {m.get('uid')} "
             f"{m.get('date')}.\n")
    L.append(f"Method (`sh bench/captest.sh`): captest does a fixed amount of work, so this measures "
             f"start-up and the report. Per scenario, {m.get('rounds')} rounds of `hyperfine -N` over the "
             f"programs ({m.get('runs')} runs each after {m.get('warmup')} warm-up), the order rotated by "
             f"one per round; a program's time is the median of its per-round medians. Then "
             f"`bench/interleave` runs them round-robin {m.get('iter')} times as a cross-check.\n")
    L.append("Programs: " + ", ".join(f"**{t}** = {LABELS[t]}" for t in tools) + ". "
             "The default report starts two children: `sh -c 'cat /etc/shadow'` and a captest "
             "`--no-child` (Debian's runs `sh -c \"/usr/bin/captest --no-child\"`; ours execs "
             "/proc/self/exe directly; 0.9.5 runs Debian's /usr/bin/captest through sh, a path built in).\n")
    if "095" not in tools:
        L.append("libcap-ng 0.9.5 was not installed at /opt/libcap-ng-0.9.5: its column is missing.\n")
    L.append("## Median time (ms)\n")
    L.append("| scenario | CPU busy before (%) | " + " | ".join(tools) + " | " + " | ".join(rk) + " |")
    L.append("|" + "---|" * (len(tools) + len(rk) + 2))
    for s in scens:
        e = res["scenarios"][s]
        cells = [f"{e['tools'][t]['median_ms']:.2f}" if t in e["tools"] else "–" for t in tools]
        L.append(f"| {SCENARIOS.get(s, s)} | {e.get('busy_before_pct', '?')} | " + " | ".join(cells) + " | "
                 + " | ".join(f2(e["ratios"].get(k)) for k in rk) + " |")
    L.append("")
    L.append("ours/debian is the time ratio (the target is ≤ 1.1); 095/ours how many times faster ours "
             "is than 0.9.5 (≥ 1 means not slower).\n")
    L.append("## Targets\n")
    L.append("| target | scenario | measured (hyperfine) | met | round-robin cross-check | CPU time |")
    L.append("|---|---|---|---|---|---|")
    for t in res["targets"]:
        L.append(f"| {t['target']} | {t['scenario']} | {t['value']:.2f} | {'yes' if t['met'] else '**no**'} | "
                 f"{f2(t.get('interleaved_value'))} | {f2(t.get('cpu_value'))} |")
    L.append("")
    L.append("## CPU time (ms, user + system, children included)\n")
    L.append("| scenario | " + " | ".join(tools) + " | " + " | ".join(rk) + " |")
    L.append("|" + "---|" * (len(tools) + len(rk) + 1))
    for s in scens:
        e = res["scenarios"][s]
        cells = [f"{e['tools'][t]['cpu_ms']:.2f}" if t in e["tools"] else "–" for t in tools]
        L.append(f"| {s} | " + " | ".join(cells) + " | " + " | ".join(f2(e["cpu_ratios"].get(k)) for k in rk) + " |")
    L.append("")
    if any("interleaved" in res["scenarios"][s] for s in scens):
        L.append("## Round-robin cross-check (median ms)\n")
        L.append("| scenario | rounds | " + " | ".join(tools) + " | " + " | ".join(rk) + " |")
        L.append("|" + "---|" * (len(tools) + len(rk) + 2))
        for s in scens:
            il = res["scenarios"][s].get("interleaved")
            if not il:
                continue
            n = next(iter(il["tools"].values()))["runs"]
            cells = [f"{il['tools'][t]['median_ms']:.2f}" if t in il["tools"] else "–" for t in tools]
            L.append(f"| {s} | {n} | " + " | ".join(cells) + " | "
                     + " | ".join(f2(il["ratios"].get(k)) for k in rk) + " |")
        L.append("")
    L.append("## Raw numbers (ms)\n")
    L.append("| scenario | program | round medians | min | runs | same output as ours |")
    L.append("|---|---|---|---|---|---|")
    for s in scens:
        e = res["scenarios"][s]
        for t in tools:
            d = e["tools"].get(t)
            if not d:
                continue
            same = "–" if t == "ours" else {True: "yes", False: "no"}.get(e["same_output_as"].get(t), "?")
            L.append(f"| {s} | {t} | " + ", ".join(f"{x:.2f}" for x in d["round_medians_ms"])
                     + f" | {d['min_ms']:.2f} | {len(d['times_ms'])} | {same} |")
    L.append("")
    L.append("Every figure is in captest.json; the hyperfine exports and the outputs are in "
             "bench/results/raw/captest-* (not committed).\n")
    return "\n".join(L)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: captest_report.py RAW_DIR OUT_DIR")
    main(sys.argv[1], sys.argv[2])
