#!/usr/bin/env python3
"""Turns bench/results/raw/pscap-* (written by bench/pscap.sh) into pscap.md, pscap.json
and pscap.svg (bench/plot.py). Standard library only."""
import json
import os
import re
import statistics
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plot  # noqa: E402

TOOLS = ["ours", "debian", "095", "floor"]
LABELS = {
    "ours": "capinspect pscap",
    "debian": "Debian pscap (libcap-ng 0.8.3)",
    "095": "libcap-ng 0.9.5 pscap",
    "floor": "C floor",
}



def size_key(label):
    return 0 if label == "quiet" else int(label)


def parse_strace(path):
    """strace -c summary → {"total": calls, "errors": n, "by_call": {name: calls}}"""
    by_call, total, errors = {}, None, 0
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) < 5 or not re.match(r"^[0-9.]+$", parts[0]):
                continue
            name = parts[-1]
            calls = int(parts[3])
            errs = int(parts[4]) if len(parts) == 6 else 0
            if name == "total":
                total, errors = calls, errs
            else:
                by_call[name] = calls
    return {"total": total, "errors": errors, "by_call": by_call}


def main(raw, out):
    machine = plot.read_kv(os.path.join(raw, "pscap-machine.txt"))
    sizes = sorted({m.group(1) for f in os.listdir(raw) if (m := re.match(r"pscap-(\w+)\.procs$", f))},
                   key=size_key)
    result = {"machine": machine, "sizes": {}, "strace": {}, "targets": []}
    for size in sizes:
        procs = plot.read_kv(os.path.join(raw, f"pscap-{size}.procs"))
        entry = {"procs": int(procs["procs"]), "requested": int(procs["requested"]),
                 "busy_before_pct": int(procs.get("busy", -1)), "tools": {}}
        rounds = sorted(f for f in os.listdir(raw) if f.startswith(f"pscap-{size}.round") and f.endswith(".json"))
        for rf in rounds:
            with open(os.path.join(raw, rf)) as f:
                data = json.load(f)
            for res in data["results"]:
                t = entry["tools"].setdefault(res["command"], {"round_medians_ms": [], "times_ms": []})
                t["round_medians_ms"].append(res["median"] * 1e3)
                t["times_ms"].extend(x * 1e3 for x in res["times"])
        for t in entry["tools"].values():
            t["median_ms"] = statistics.median(t["round_medians_ms"])
            t["min_ms"] = min(t["times_ms"])
            t["mean_ms"] = statistics.fmean(t["times_ms"])
            t["stdev_ms"] = statistics.stdev(t["times_ms"]) if len(t["times_ms"]) > 1 else 0.0
        med = {k: v["median_ms"] for k, v in entry["tools"].items()}
        ratios = {}
        if "ours" in med:
            if "debian" in med:
                ratios["debian/ours"] = med["debian"] / med["ours"]
            if "floor" in med:
                ratios["ours/floor"] = med["ours"] / med["floor"]
            if "095" in med:
                ratios["095/ours"] = med["095"] / med["ours"]
        entry["ratios"] = ratios
        inter = plot.read_interleave(os.path.join(raw, f"pscap-{size}.interleave.txt"))
        if inter is not None:
            im = {k: v["median_ms"] for k, v in inter.items()}
            iratios = {}
            if "ours" in im:
                if "debian" in im:
                    iratios["debian/ours"] = im["debian"] / im["ours"]
                if "floor" in im:
                    iratios["ours/floor"] = im["ours"] / im["floor"]
                if "095" in im:
                    iratios["095/ours"] = im["095"] / im["ours"]
            entry["interleaved"] = {"tools": inter, "ratios": iratios}
        result["sizes"][size] = entry

    # System calls.
    for f in sorted(os.listdir(raw)):
        m = re.match(r"pscap-strace-(\w+)-(\w+)\.txt$", f)
        if m:
            size, tool = m.groups()
            s = parse_strace(os.path.join(raw, f))
            if size in result["sizes"]:
                s["per_process"] = s["total"] / result["sizes"][size]["procs"]
            result["strace"].setdefault(size, {})[tool] = s
    st = result["strace"]
    if "quiet" in st and "1000" in st:
        dp = result["sizes"]["1000"]["procs"] - result["sizes"]["quiet"]["procs"]
        for tool, s in st["1000"].items():
            q = st["quiet"].get(tool)
            if q and dp > 0:
                s["marginal_per_process"] = (s["total"] - q["total"]) / dp

    # Targets.
    def target(name, size, value, ok, text, scope="issue target"):
        t = {"target": name, "size": size, "value": value, "met": ok, "text": text, "scope": scope}
        ir = result["sizes"][size].get("interleaved", {}).get("ratios", {})
        key = {"≥5x faster than Debian": "debian/ours", "within 1.2x of the floor": "ours/floor",
               "never slower than 0.9.5": "095/ours", "quiet: ≤1.2x Debian's time": "debian/ours"}[name]
        if key in ir:
            v = ir[key]
            if name.startswith("quiet"):
                v = 1 / v
            t["interleaved_value"] = v
        result["targets"].append(t)

    big = max((s for s in sizes if s != "quiet"), key=size_key, default=None)
    if big:
        r = result["sizes"][big]["ratios"]
        if "debian/ours" in r:
            target("≥5x faster than Debian", big, r["debian/ours"], r["debian/ours"] >= 5,
                   f"debian/ours = {r['debian/ours']:.2f} (need ≥ 5)")
        if "ours/floor" in r:
            target("within 1.2x of the floor", big, r["ours/floor"], r["ours/floor"] <= 1.2,
                   f"ours/floor = {r['ours/floor']:.2f} (need ≤ 1.2)")
    for size in sizes:
        r = result["sizes"][size]["ratios"]
        if "095/ours" in r:
            target("never slower than 0.9.5", size, r["095/ours"], r["095/ours"] >= 1.0,
                   f"095/ours = {r['095/ours']:.2f} (need ≥ 1.0)",
                   "issue target" if size == big else "also checked")
    if "quiet" in result["sizes"]:
        r = result["sizes"]["quiet"]["ratios"]
        if "debian/ours" in r:
            v = 1 / r["debian/ours"]
            target("quiet: ≤1.2x Debian's time", "quiet", v, v <= 1.2, f"ours/debian = {v:.2f} (need ≤ 1.2)")

    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "pscap.json"), "w") as f:
        json.dump(result, f, indent=1)
    with open(os.path.join(out, "pscap.md"), "w") as f:
        f.write(markdown(result, sizes))
    with open(os.path.join(out, "pscap.svg"), "w") as f:
        f.write(svg(result, sizes))


def fmt_ms(v):
    return f"{v:.2f}" if v < 100 else f"{v:.1f}"


def markdown(res, sizes):
    m = res["machine"]
    tools = [t for t in TOOLS if any(t in res["sizes"][s]["tools"] for s in sizes)]
    L = []
    L.append("# pscap benchmark\n")
    L.append(f"Machine: {m.get('nproc')} CPUs, {m.get('model')}, kernel {m.get('kernel')}, "
             f"{m.get('procs_idle')} processes when idle, load average {m.get('loadavg')} at the start. hyperfine {m.get('hyperfine')}, "
             f"{m.get('rounds')} rounds × {m.get('runs')} runs (+{m.get('warmup')} warm-up) per program "
             f"and size; a program's time is the median of its per-round medians. "
             f"Generated processes: {m.get('pct')}% hold capabilities. Run {m.get('date')}.\n")
    if m.get("have095") != "1":
        L.append("libcap-ng 0.9.5 was not installed at /opt/libcap-ng-0.9.5: its column is missing.\n")
    L.append("Programs: " + ", ".join(f"**{t}** = {LABELS[t]}" for t in tools) + ".\n")
    L.append("## Median time (ms)\n")
    head = ("| size | processes | CPU busy before (%) | " + " | ".join(tools)
            + " | debian/ours | ours/floor | 095/ours |")
    L.append(head)
    L.append("|" + "---|" * (head.count("|") - 1))
    for s in sizes:
        e = res["sizes"][s]
        r = e["ratios"]
        cells = [fmt_ms(e["tools"][t]["median_ms"]) if t in e["tools"] else "–" for t in tools]
        rat = [f"{r[k]:.2f}" if k in r else "–" for k in ("debian/ours", "ours/floor", "095/ours")]
        L.append(f"| {s} | {e['procs']} | {e['busy_before_pct']} | " + " | ".join(cells) + " | "
                 + " | ".join(rat) + " |")
    L.append("")
    L.append("CPU busy before: share of the machine's CPU time used by other work in the second "
             "before the size was measured (the script waits for it to drop below its threshold). "
             "High values mean noisy numbers.\n")
    L.append("![pscap: median wall time against processes, log-log](pscap.svg)\n")
    L.append("## Targets\n")
    L.append("| target | size | measured (hyperfine) | met | round-robin cross-check | scope |")
    L.append("|---|---|---|---|---|---|")
    for t in res["targets"]:
        cross = f"{t['interleaved_value']:.2f}" if "interleaved_value" in t else "–"
        L.append(f"| {t['target']} | {t['size']} | {t['text']} | {'yes' if t['met'] else '**no**'} | "
                 f"{cross} | {t['scope']} |")
    L.append("")
    if any("interleaved" in res["sizes"][s] for s in sizes):
        L.append("## Round-robin cross-check (median ms)\n")
        L.append("bench/interleave runs the programs in turn, rotating the order, so that a change in "
                 "the background load hits all of them alike.\n")
        L.append("| size | rounds | " + " | ".join(tools) + " | debian/ours | ours/floor | 095/ours |")
        L.append("|---|---|" + "---|" * (len(tools) + 3))
        for s in sizes:
            il = res["sizes"][s].get("interleaved")
            if not il:
                continue
            cells = [fmt_ms(il["tools"][t]["median_ms"]) if t in il["tools"] else "–" for t in tools]
            rat = [f"{il['ratios'][k]:.2f}" if k in il["ratios"] else "–"
                   for k in ("debian/ours", "ours/floor", "095/ours")]
            runs = next(iter(il["tools"].values()))["runs"]
            L.append(f"| {s} | {runs} | " + " | ".join(cells) + " | " + " | ".join(rat) + " |")
        L.append("")
    if res["strace"]:
        L.append("## System calls (strace -c -f)\n")
        L.append("Per process = all calls of one run / processes in /proc (start-up included); "
                 "marginal = extra calls per extra process between the quiet system and the 1000 size.\n")
        L.append("| size | program | calls | per process | marginal per process | main calls |")
        L.append("|---|---|---|---|---|---|")
        for s in sorted(res["strace"], key=size_key):
            for t in TOOLS:
                c = res["strace"][s].get(t)
                if not c:
                    continue
                top = sorted(c["by_call"].items(), key=lambda kv: -kv[1])[:5]
                marg = f"{c['marginal_per_process']:.2f}" if "marginal_per_process" in c else "–"
                L.append(f"| {s} | {t} | {c['total']} | {c.get('per_process', 0):.2f} | {marg} | "
                         + ", ".join(f"{k} {v}" for k, v in top) + " |")
        L.append("")
    L.append("## Raw numbers (ms)\n")
    L.append("| size | program | round medians | min | mean ± stdev | runs |")
    L.append("|---|---|---|---|---|---|")
    for s in sizes:
        for t in tools:
            d = res["sizes"][s]["tools"].get(t)
            if not d:
                continue
            L.append(f"| {s} | {t} | " + ", ".join(fmt_ms(x) for x in d["round_medians_ms"])
                     + f" | {fmt_ms(d['min_ms'])} | {fmt_ms(d['mean_ms'])} ± {fmt_ms(d['stdev_ms'])} | "
                     f"{len(d['times_ms'])} |")
    L.append("")
    L.append("Every run's time is in pscap.json; the hyperfine exports are in bench/results/raw/ "
             "(not committed).\n")
    return "\n".join(L)


def svg(res, sizes):
    series = []
    for t in TOOLS:
        pts = [(res["sizes"][s]["procs"], res["sizes"][s]["tools"][t]["median_ms"])
               for s in sizes if t in res["sizes"][s]["tools"]]
        if pts:
            series.append(plot.Series(t, LABELS[t], pts))
    m = res["machine"]
    return plot.line_plot(
        title="pscap: median wall time against processes",
        subtitle=plot.machine_line(m),
        xlabel="processes in /proc", ylabel="median wall time (hyperfine)",
        series=series, x_name="processes",
        notes=[f"{m.get('pct', '?')}% of the generated processes hold capabilities; "
               "the leftmost points are the quiet system."])


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: pscap_report.py RAW_DIR OUT_DIR")
    main(sys.argv[1], sys.argv[2])
