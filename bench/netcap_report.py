#!/usr/bin/env python3
"""Turns bench/results/raw/netcap-* (written by bench/netcap.sh) into netcap.md,
netcap.json and netcap.svg (bench/plot.py). Standard library only."""
import json
import os
import re
import statistics
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plot  # noqa: E402

TOOLS = ["ours", "debian", "095", "ss", "floor"]
LABELS = {
    "ours": "capinspect netcap",
    "debian": "Debian netcap (libcap-ng 0.8.3)",
    "095": "libcap-ng 0.9.5 netcap",
    "ss": "ss -tuwanp (iproute2)",
    "floor": "C floor (bench/floor/netcap_floor.c)",
}



def size_key(label):
    m = re.match(r"(procs)?(\d+)$", label)
    return (1 if m.group(1) else 0, int(m.group(2)))


def fmt_ms(v):
    return f"{v:.1f}" if v < 1000 else f"{v:.0f}"


def main(raw, out):
    machine = plot.read_kv(os.path.join(raw, "netcap-machine.txt"))
    if machine.get("ss_command"):
        LABELS["ss"] = f"{machine['ss_command']} (iproute2)"
    sizes = sorted({m.group(1) for f in os.listdir(raw) if (m := re.match(r"netcap-(\w+)\.info$", f))},
                   key=size_key)
    res = {"machine": machine, "sizes": {}, "targets": []}
    for size in sizes:
        info = plot.read_kv(os.path.join(raw, f"netcap-{size}.info"))
        e = {k: int(v) for k, v in info.items()}
        e["tools"] = {}
        with open(os.path.join(raw, f"netcap-{size}.probe")) as f:
            for line in f:
                p, secs, kib, *cpu = line.split()
                e["tools"].setdefault(p, {"round_medians_ms": [], "times_ms": [], "peak_kib": [],
                                          "round_cpu_ms": []})
                e["tools"][p]["probe_ms"] = float(secs) * 1e3
                e["tools"][p]["peak_kib"].append(int(kib))
                if cpu:
                    e["tools"][p]["probe_cpu_ms"] = float(cpu[0]) * 1e3
        for f in sorted(os.listdir(raw)):
            m = re.match(rf"netcap-{size}\.(\w+)\.round(\d+)\.json$", f)
            if not m:
                continue
            with open(os.path.join(raw, f)) as fh:
                r = json.load(fh)["results"][0]
            t = e["tools"][m.group(1)]
            t["round_medians_ms"].append(r["median"] * 1e3)
            t["times_ms"].extend(x * 1e3 for x in r["times"])
            t["round_cpu_ms"].append((r["user"] + r["system"]) * 1e3)
            t["runner"] = "hyperfine"
        slow = os.path.join(raw, f"netcap-{size}.slow")
        if os.path.exists(slow):
            with open(slow) as f:
                for line in f:
                    p, _r, secs, kib, *cpu = line.split()
                    t = e["tools"][p]
                    t["round_medians_ms"].append(float(secs) * 1e3)
                    t["times_ms"].append(float(secs) * 1e3)
                    t["peak_kib"].append(int(kib))
                    if cpu:
                        t["round_cpu_ms"].append(float(cpu[0]) * 1e3)
                    t["runner"] = "/usr/bin/time"
        for t in e["tools"].values():
            if t["round_medians_ms"]:
                t["median_ms"] = statistics.median(t["round_medians_ms"])
                t["min_ms"] = min(t["times_ms"])
            else:
                t["median_ms"] = t["probe_ms"]
                t["min_ms"] = t["probe_ms"]
            t["max_peak_kib"] = max(t["peak_kib"])
            if t["round_cpu_ms"]:
                t["cpu_ms"] = statistics.median(t["round_cpu_ms"])
            elif "probe_cpu_ms" in t:
                t["cpu_ms"] = t["probe_cpu_ms"]
        med = {k: v["median_ms"] for k, v in e["tools"].items()}
        e["ratios"] = ratios(med)
        if all("cpu_ms" in v for v in e["tools"].values()):
            e["cpu_ratios"] = ratios({k: v["cpu_ms"] for k, v in e["tools"].items()})
        checks = {}
        cpath = os.path.join(raw, f"netcap-{size}.checks")
        if os.path.exists(cpath):
            with open(cpath) as f:
                for line in f:
                    k, v = line.split()
                    checks[k] = v
        e["checks"] = checks
        inter = plot.read_interleave(os.path.join(raw, f"netcap-{size}.interleave.txt"))
        if inter is not None:
            e["interleaved"] = {"tools": inter, "ratios": ratios({k: v["median_ms"] for k, v in inter.items()})}
        res["sizes"][size] = e

    def target(name, size, value, ok, text, cpu=None):
        t = {"target": name, "size": size, "value": value, "met": ok, "text": text}
        if cpu is not None:
            t["cpu_value"] = cpu
        res["targets"].append(t)

    def cpu_ratio(size, key):
        return S[size].get("cpu_ratios", {}).get(key)

    S = res["sizes"]
    if "100000" in S and "debian/ours" in S["100000"]["ratios"]:
        v = S["100000"]["ratios"]["debian/ours"]
        target("≥100× faster than Debian", "100000", v, v >= 100, f"debian/ours = {v:.1f}",
               cpu_ratio("100000", "debian/ours"))
    if "100000" in S and "10000" in S:
        v = S["100000"]["tools"]["ours"]["median_ms"] / S["10000"]["tools"]["ours"]["median_ms"]
        c = None
        if "cpu_ms" in S["100000"]["tools"]["ours"] and "cpu_ms" in S["10000"]["tools"]["ours"]:
            c = S["100000"]["tools"]["ours"]["cpu_ms"] / S["10000"]["tools"]["ours"]["cpu_ms"]
        target("linear: t(100k)/t(10k) ≤ 12", "100000/10000", v, v <= 12, f"ours: {v:.1f}", c)
        if "floor" in S["100000"]["tools"]:
            fv = S["100000"]["tools"]["floor"]["median_ms"] / S["10000"]["tools"]["floor"]["median_ms"]
            res["floor_scaling"] = fv
    if "10000" in S and "debian/ours" in S["10000"]["ratios"]:
        v = S["10000"]["ratios"]["debian/ours"]
        target("≥4× faster than Debian", "10000", v, v >= 4, f"debian/ours = {v:.2f}",
               cpu_ratio("10000", "debian/ours"))
    for s in S:
        if s.startswith("procs") and "debian/ours" in S[s]["ratios"]:
            v = S[s]["ratios"]["debian/ours"]
            target("≥2.5× faster than Debian", s, v, v >= 2.5, f"debian/ours = {v:.2f}",
                   cpu_ratio(s, "debian/ours"))
    for s in S:
        if "ours/floor" in S[s]["ratios"]:
            v = S[s]["ratios"]["ours/floor"]
            target("within 1.5× of the floor", s, v, v <= 1.5, f"ours/floor = {v:.2f}",
                   cpu_ratio(s, "ours/floor"))
    if "100000" in S:
        kib = S["100000"]["tools"]["ours"]["max_peak_kib"]
        target("peak memory < 16 MB", "100000", kib, kib < 16 * 1024, f"ours: {kib / 1024:.1f} MiB")

    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "netcap.json"), "w") as f:
        json.dump(res, f, indent=1)
    with open(os.path.join(out, "netcap.md"), "w") as f:
        f.write(markdown(res, sizes))
    with open(os.path.join(out, "netcap.svg"), "w") as f:
        f.write(svg(res, sizes))


def svg(res, sizes):
    """Time against sockets; the procsN sizes (N sockets + N processes) as hollow points."""
    series = []
    for t in TOOLS:
        pts, extra = [], []
        for s in sizes:
            e = res["sizes"][s]
            if t in e["tools"]:
                (extra if s.startswith("procs") else pts).append((e["sockets"], e["tools"][t]["median_ms"]))
        if pts or extra:
            series.append(plot.Series(t, LABELS[t].replace(" (bench/floor/netcap_floor.c)", ""), pts, extra))
    notes = []
    if any(s.startswith("procs") for s in sizes):
        notes.append("Hollow points: N sockets plus N generated processes (20% holding capabilities).")
    return plot.line_plot(
        title="netcap: median wall time against sockets",
        subtitle=plot.machine_line(res["machine"]),
        xlabel="sockets in the network namespace", ylabel="median wall time",
        series=series, notes=notes, x_name="sockets")


def ratios(med):
    r = {}
    if "ours" in med:
        for other in ("debian", "095", "ss"):
            if other in med:
                r[f"{other}/ours"] = med[other] / med["ours"]
        if "floor" in med:
            r["ours/floor"] = med["ours"] / med["floor"]
    return r


def markdown(res, sizes):
    m = res["machine"]
    tools = [t for t in TOOLS if any(t in res["sizes"][s]["tools"] for s in sizes)]
    rk = ["debian/ours", "095/ours", "ss/ours", "ours/floor"]
    L = ["# netcap benchmark\n"]
    L.append(f"Machine: {m.get('nproc')} CPUs, {m.get('model')}, kernel {m.get('kernel')}, "
             f"{m.get('procs_idle')} processes when idle, load average {m.get('loadavg')} at the start; "
             f"hyperfine {m.get('hyperfine')}; `ulimit -Hn` {m.get('nofile_hard')}. Run {m.get('date')}.\n")
    L.append(f"Method (`sh bench/netcap.sh`, as root): everything runs in a private network namespace "
             f"holding only the generated sockets (loopback); the process walk sees the whole machine. "
             f"Sockets come from `bench/sockets.c` (TCP listeners and established pairs on IPv4 and IPv6, "
             f"UDP, raw, packet; {m.get('pct')}% of its processes hold capabilities); `procsN` adds N "
             f"processes from `bench/procs.c` (20% holding capabilities). Per size: one probe run of each "
             f"program under `/usr/bin/time -v` (peak memory), then {m.get('rounds')} rounds in rotating "
             f"order; in a round a program runs {m.get('runs')} times under hyperfine (+{m.get('warmup')} "
             f"warm-up), or once under `/usr/bin/time` when its probe took more than {m.get('slow')} s. "
             f"A program's time is the median of its per-round medians.\n")
    L.append("Programs: " + ", ".join(f"**{t}** = {LABELS[t]}" for t in tools) + ".\n")
    L.append("## Median time (ms)\n")
    head = "| size | sockets | processes | CPU busy before (%) | " + " | ".join(tools) + " | " + " | ".join(rk) + " |"
    L.append(head)
    L.append("|" + "---|" * (head.count("|") - 1))
    for s in sizes:
        e = res["sizes"][s]
        cells = [fmt_ms(e["tools"][t]["median_ms"]) if t in e["tools"] else "–" for t in tools]
        rat = [f"{e['ratios'][k]:.2f}" if k in e["ratios"] else "–" for k in rk]
        L.append(f"| {s} | {e.get('sockets')} | {e.get('procs')} | {e.get('busy')} | " + " | ".join(cells)
                 + " | " + " | ".join(rat) + " |")
    L.append("")
    L.append("![netcap: median wall time against sockets, log-log](netcap.svg)\n")
    if any("cpu_ratios" in res["sizes"][s] for s in sizes):
        L.append("## CPU time (ms, user + system)\n")
        L.append("On a shared machine the wall clock also counts the time a program waits for a CPU; "
                 "its CPU time is disturbed less (cache and lock contention remain).\n")
        L.append("| size | " + " | ".join(tools) + " | " + " | ".join(rk) + " |")
        L.append("|" + "---|" * (len(tools) + len(rk) + 1))
        for s in sizes:
            e = res["sizes"][s]
            if "cpu_ratios" not in e:
                continue
            cells = [fmt_ms(e["tools"][t]["cpu_ms"]) if t in e["tools"] else "–" for t in tools]
            rat = [f"{e['cpu_ratios'][k]:.2f}" if k in e["cpu_ratios"] else "–" for k in rk]
            L.append(f"| {s} | " + " | ".join(cells) + " | " + " | ".join(rat) + " |")
        L.append("")
    L.append("## Peak memory (MiB, maximum resident set size)\n")
    L.append("| size | " + " | ".join(tools) + " |")
    L.append("|" + "---|" * (len(tools) + 1))
    for s in sizes:
        e = res["sizes"][s]
        L.append(f"| {s} | " + " | ".join(f"{e['tools'][t]['max_peak_kib'] / 1024:.1f}" if t in e["tools"] else "–"
                                           for t in tools) + " |")
    L.append("")
    L.append("## Targets (issue 4)\n")
    L.append("| target | size | measured (wall clock) | met | the same on CPU time |")
    L.append("|---|---|---|---|---|")
    for t in res["targets"]:
        cpu = f"{t['cpu_value']:.2f}" if "cpu_value" in t else "–"
        L.append(f"| {t['target']} | {t['size']} | {t['text']} | {'yes' if t['met'] else '**no**'} | {cpu} |")
    if "floor_scaling" in res:
        L.append(f"\nThe floor itself scales by {res['floor_scaling']:.1f} from 10k to 100k sockets.")
    L.append("")
    L.append("## Checks\n")
    L.append("| size | rows | ours = floor (byte for byte) | ours = 0.9.5 (same rows; packet interfaces aside) |")
    L.append("|---|---|---|---|")
    for s in sizes:
        c = res["sizes"][s]["checks"]
        L.append(f"| {s} | {c.get('rows', '–')} | {c.get('ours=floor', '–')} | {c.get('ours=095', '–')} |")
    L.append("")
    if any("interleaved" in res["sizes"][s] for s in sizes):
        L.append("## Round-robin cross-check (median ms)\n")
        L.append("bench/interleave runs the programs in turn, rotating the order, so that a change in the "
                 "background load hits all of them alike (only where every program is fast).\n")
        L.append("| size | rounds | " + " | ".join(tools) + " | " + " | ".join(rk) + " |")
        L.append("|" + "---|" * (len(tools) + len(rk) + 2))
        for s in sizes:
            il = res["sizes"][s].get("interleaved")
            if not il:
                continue
            n = next(iter(il["tools"].values()))["runs"]
            cells = [fmt_ms(il["tools"][t]["median_ms"]) if t in il["tools"] else "–" for t in tools]
            rat = [f"{il['ratios'][k]:.2f}" if k in il["ratios"] else "–" for k in rk]
            L.append(f"| {s} | {n} | " + " | ".join(cells) + " | " + " | ".join(rat) + " |")
        L.append("")
    L.append("## Raw numbers (ms)\n")
    L.append("| size | program | runner | round medians | min | probe |")
    L.append("|---|---|---|---|---|---|")
    for s in sizes:
        for t in tools:
            x = res["sizes"][s]["tools"].get(t)
            if not x:
                continue
            L.append(f"| {s} | {t} | {x.get('runner', 'probe')} | "
                     + ", ".join(fmt_ms(v) for v in x["round_medians_ms"])
                     + f" | {fmt_ms(x['min_ms'])} | {fmt_ms(x['probe_ms'])} |")
    L.append("")
    L.append("Every figure is in netcap.json; the hyperfine exports and the outputs are in "
             "bench/results/raw/netcap-* (not committed).\n")
    return "\n".join(L)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: netcap_report.py RAW_DIR OUT_DIR")
    main(sys.argv[1], sys.argv[2])
