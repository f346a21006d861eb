#!/usr/bin/env python3
"""Turns bench/results/raw/ (written by bench/pscap.sh) into pscap.md, pscap.json and
pscap.svg. Standard library only; the SVG is written by hand."""
import json
import math
import os
import re
import statistics
import sys

TOOLS = ["ours", "debian", "095", "floor"]
LABELS = {
    "ours": "capinspect pscap",
    "debian": "Debian pscap (libcap-ng 0.8.3)",
    "095": "libcap-ng 0.9.5 pscap",
    "floor": "C floor",
}
COLORS = {"ours": "#d62728", "debian": "#1f77b4", "095": "#2ca02c", "floor": "#7f7f7f"}


def read_kv(path):
    out = {}
    with open(path) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                out[k] = v
    return out


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
    machine = read_kv(os.path.join(raw, "machine.txt"))
    sizes = sorted({f.split(".")[0] for f in os.listdir(raw) if f.endswith(".procs")}, key=size_key)
    result = {"machine": machine, "sizes": {}, "strace": {}, "targets": []}
    for size in sizes:
        procs = read_kv(os.path.join(raw, f"{size}.procs"))
        entry = {"procs": int(procs["procs"]), "requested": int(procs["requested"]),
                 "busy_before_pct": int(procs.get("busy", -1)), "tools": {}}
        rounds = sorted(f for f in os.listdir(raw) if f.startswith(f"{size}.round") and f.endswith(".json"))
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
        il = os.path.join(raw, f"{size}.interleave.txt")
        if os.path.exists(il):
            inter = {}
            with open(il) as f:
                for line in f:
                    name, med, p25, p75, mn, n = line.split()
                    inter[name] = {"median_ms": float(med), "p25_ms": float(p25), "p75_ms": float(p75),
                                   "min_ms": float(mn), "runs": int(n)}
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
        m = re.match(r"strace-(\w+)-(\w+)\.txt$", f)
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
        key = {"≥5x faster than Debian": "debian/ours", "within 1.5x of the floor": "ours/floor",
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
            target("within 1.5x of the floor", big, r["ours/floor"], r["ours/floor"] <= 1.5,
                   f"ours/floor = {r['ours/floor']:.2f} (need ≤ 1.5)")
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
             "(not committed). Plot: pscap.svg.\n")
    return "\n".join(L)


def svg(res, sizes):
    W, H = 820, 480
    left, right, top, bottom = 80, 260, 40, 60
    pw, ph = W - left - right, H - top - bottom
    pts = {}
    for s in sizes:
        e = res["sizes"][s]
        for t, d in e["tools"].items():
            pts.setdefault(t, []).append((e["procs"], d["median_ms"]))
    xs = [p[0] for v in pts.values() for p in v] or [1]
    ys = [p[1] for v in pts.values() for p in v] or [1]

    def nice_below(v):
        d = 10 ** math.floor(math.log10(v))
        return max(m * d for m in (1, 2, 5) if m * d <= v)

    def nice_above(v):
        d = 10 ** math.floor(math.log10(v))
        return min(m * d for m in (1, 2, 5, 10) if m * d >= v)

    x0, x1 = nice_below(min(xs) * 0.9), nice_above(max(xs) * 1.1)
    y0, y1 = nice_below(min(ys) * 0.9), nice_above(max(ys) * 1.1)

    def X(v):
        return left + (math.log10(v) - math.log10(x0)) / (math.log10(x1) - math.log10(x0)) * pw

    def Y(v):
        return top + ph - (math.log10(v) - math.log10(y0)) / (math.log10(y1) - math.log10(y0)) * ph

    def ticks(lo, hi):
        d = 10 ** math.floor(math.log10(lo))
        while d <= hi * 1.0001:
            for k in range(1, 10):
                v = d * k
                if lo * 0.9999 <= v <= hi * 1.0001:
                    yield v, k in (1, 2, 5)
            d *= 10

    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
         'font-family="sans-serif" font-size="12">',
         f'<rect width="{W}" height="{H}" fill="white"/>',
         f'<text x="{left + pw / 2}" y="22" text-anchor="middle" font-size="15">'
         'pscap: median wall time vs processes (log-log)</text>']
    for v, major in ticks(x0, x1):
        x = X(v)
        o.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + ph}" stroke="{"#ccc" if major else "#eee"}"/>')
        if major:
            o.append(f'<text x="{x:.1f}" y="{top + ph + 18}" text-anchor="middle">{v:g}</text>')
    for v, major in ticks(y0, y1):
        y = Y(v)
        o.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="{"#ccc" if major else "#eee"}"/>')
        if major:
            o.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{v:g}</text>')
    o.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="black"/>')
    o.append(f'<text x="{left + pw / 2}" y="{H - 15}" text-anchor="middle">processes in /proc</text>')
    o.append(f'<text transform="translate(20,{top + ph / 2}) rotate(-90)" text-anchor="middle">median time (ms)</text>')
    ly = top + 10
    for t in TOOLS:
        if t not in pts:
            continue
        p = sorted(pts[t])
        c = COLORS[t]
        o.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>'
                 % (c, " ".join(f"{X(a):.1f},{Y(b):.1f}" for a, b in p)))
        for a, b in p:
            o.append(f'<circle cx="{X(a):.1f}" cy="{Y(b):.1f}" r="3.5" fill="{c}"><title>{LABELS[t]}: '
                     f'{a} processes, {b:.2f} ms</title></circle>')
        o.append(f'<line x1="{left + pw + 15}" y1="{ly}" x2="{left + pw + 35}" y2="{ly}" stroke="{c}" stroke-width="2"/>')
        o.append(f'<circle cx="{left + pw + 25}" cy="{ly}" r="3.5" fill="{c}"/>')
        o.append(f'<text x="{left + pw + 42}" y="{ly + 4}">{LABELS[t]}</text>')
        ly += 22
    o.append("</svg>")
    return "\n".join(o) + "\n"


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: pscap_report.py RAW_DIR OUT_DIR")
    main(sys.argv[1], sys.argv[2])
