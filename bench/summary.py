#!/usr/bin/env python3
"""Prints the benchmark summary (markdown) from bench/results/*.json: for each tool a table
of median times and ratios per size, the machine and kernel, the targets missed and the
plots. Standard library only.

    python3 bench/summary.py                    # print it
    python3 bench/summary.py --readme README.md # replace the part of README.md between
                                                # the summary markers with it

The reports themselves (bench/results/*.md) come from `make bench` (bench/*.sh).
"""
import json
import os
import sys

BEGIN = "<!-- begin bench/summary.py output: refresh with `python3 bench/summary.py --readme README.md` -->"
END = "<!-- end bench/summary.py output -->"

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.environ.get("BENCH_RESULTS") or os.path.join(HERE, "results")
NAMES = {
    "ours": "capinspect",
    "debian": "libcap-ng 0.8.3 (Debian)",
    "095": "libcap-ng 0.9.5",
    "getcap": "getcap -r",
    "ss": "ss -p",
    "floor": "floor",
}
SHORT = {"ours": "ours", "debian": "0.8.3", "095": "0.9.5", "getcap": "getcap", "ss": "ss", "floor": "floor"}


def load(name):
    try:
        with open(os.path.join(RESULTS, name)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def t(ms):
    """A median time: 1.42 ms, 48.8 ms, 324 ms, 13.5 s."""
    if ms is None:
        return "–"
    if ms >= 10000:
        return f"{ms / 1000:.1f} s"
    if ms >= 1000:
        return f"{ms / 1000:.2f} s"
    if ms >= 100:
        return f"{ms:.0f} ms"
    if ms >= 10:
        return f"{ms:.1f} ms"
    return f"{ms:.2f} ms"


def r(v):
    if v is None:
        return "–"
    return f"{v:.0f}" if v >= 100 else f"{v:.1f}" if v >= 10 else f"{v:.2f}"


def machine(m, what):
    parts = [f"{m['nproc']} CPUs" if m.get("nproc") else None, m.get("model"),
             f"Linux {m['kernel']}" if m.get("kernel") else None]
    s = ", ".join(p for p in parts if p)
    date = (m.get("date") or "")[:10]
    return f"{what} on {s}{', ' + date if date else ''}"


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out


def columns(programs, present):
    return [p for p in programs if p in present]


def ratio_heads(progs):
    heads, keys = [], []
    for other in ("debian", "095", "getcap", "ss"):
        if other in progs:
            heads.append(f"{SHORT[other]} ÷ ours")
            keys.append(f"{other}/ours")
    if "floor" in progs:
        heads.append("ours ÷ floor")
        keys.append("ours/floor")
    return heads, keys


def missed(targets, fmt):
    miss = [fmt(x) for x in targets if not x.get("met")]
    if not targets:
        return []
    if not miss:
        return [f"Targets: all {len(targets)} met."]
    return [f"Targets: {len(targets) - len(miss)} of {len(targets)} met; missed: " + "; ".join(miss) + "."]


def pscap(L, prefix):
    d = load("pscap.json")
    if not d:
        return
    sizes = sorted(d["sizes"], key=lambda s: 0 if s == "quiet" else int(s))
    present = {p for s in sizes for p in d["sizes"][s]["tools"]}
    progs = columns(["ours", "debian", "095", "floor"], present)
    rh, rk = ratio_heads(progs)
    rows = []
    for s in sizes:
        e = d["sizes"][s]
        label = f"quiet system ({e['procs']})" if s == "quiet" else f"{int(s):,} generated ({e['procs']})"
        rows.append([label] + [t(e["tools"].get(p, {}).get("median_ms")) for p in progs]
                    + [r(e["ratios"].get(k)) for k in rk] + [e.get("busy_before_pct", "?")])
    L.append("### pscap\n")
    L.append(machine(d["machine"], "Measured") + f"; {d['machine'].get('pct', '?')}% of the generated "
             f"processes hold capabilities. Details: [pscap.md]({prefix}pscap.md).\n")
    L += table(["processes (in /proc)"] + [NAMES[p] for p in progs] + rh + ["other load (%)"], rows)
    L.append("")
    marg = {p: c["marginal_per_process"] for p, c in d.get("strace", {}).get("1000", {}).items()
            if "marginal_per_process" in c}
    if marg:
        L.append("System calls per additional process (strace, quiet system → 1,000): "
                 + ", ".join(f"{NAMES[p]} {marg[p]:.1f}" for p in progs if p in marg) + ".\n")
    L += missed(d.get("targets", []), lambda x: f"{x['target']} at {x['size']}: {x['text']}")
    L.append("")
    L.append(f"![pscap: median time against processes]({prefix}pscap.svg)\n")


def netcap(L, prefix):
    d = load("netcap.json")
    if not d:
        return
    sizes = list(d["sizes"])
    present = {p for s in sizes for p in d["sizes"][s]["tools"]}
    progs = columns(["ours", "debian", "095", "ss", "floor"], present)
    rh, rk = ratio_heads(progs)
    rows = []
    for s in sizes:
        e = d["sizes"][s]
        if s.startswith("procs"):
            label = f"{int(s[5:]):,} processes + {e.get('sockets', 0):,} sockets"
        else:
            label = f"{int(s):,} sockets"
        rows.append([label] + [t(e["tools"].get(p, {}).get("median_ms")) for p in progs]
                    + [r(e["ratios"].get(k)) for k in rk] + [e.get("busy", "?")])
    ss = d["machine"].get("ss_command", "ss -tuwanp")
    L.append("### netcap\n")
    L.append(machine(d["machine"], "Measured") + f"; in a private network namespace holding only the "
             f"generated sockets; ss is `{ss}`. Details: [netcap.md]({prefix}netcap.md).\n")
    L += table(["size"] + [NAMES[p] for p in progs] + rh + ["other load (%)"], rows)
    L.append("")
    L += missed(d.get("targets", []), lambda x: f"{x['target']} at {x['size']}: {x['text']}")
    L.append("")
    L.append(f"![netcap: median time against sockets]({prefix}netcap.svg)\n")


def filecap(L, prefix):
    d = load("filecap.json")
    if not d:
        return
    sizes = sorted(d["sizes"], key=int)
    present = {p for s in sizes for sc in d["sizes"][s]["scenarios"].values() for p in sc["tools"]}
    progs = columns(["ours", "debian", "095", "getcap", "floor"], present)
    rh, rk = ratio_heads(progs)
    labels = {"warm2": "warm, 2 threads", "warm1": "warm, 1 thread", "cold": "cold cache"}
    rows = []
    for scen in ("warm2", "warm1", "cold"):
        for s in sizes:
            e = d["sizes"][s]["scenarios"].get(scen)
            if not e:
                continue
            busy = [int(b) for b in e.get("busy", []) if str(b).isdigit()]
            rows.append([f"{int(s):,}", labels[scen]] + [t(e["tools"].get(p, {}).get("median_ms")) for p in progs]
                        + [r(e["ratios"].get(k)) for k in rk] + [max(busy) if busy else "?"])
    L.append("### filecap\n")
    L.append(machine(d["machine"], "Measured") + f"; generated trees on {d['machine'].get('fs', '?')}; "
             "ours runs with -j2 (warm, 2 threads), -j1 (1 thread) or its default (cold); the others "
             f"have one thread, the floor as many as ours. Details: [filecap.md]({prefix}filecap.md).\n")
    L += table(["files", "cache"] + [NAMES[p] for p in progs] + rh + ["other load (%, max)"], rows)
    L.append("")
    L += missed(d.get("targets", []), lambda x: f"{x['target']} ({x['value']:.2f})")
    L.append("")
    L.append(f"![filecap: median time against files, warm cache, 2 threads]({prefix}filecap.svg)\n")
    if os.path.exists(os.path.join(RESULTS, "filecap-cold.svg")):
        L.append(f"![filecap: median time against files, cold cache]({prefix}filecap-cold.svg)\n")


def captest(L, prefix):
    d = load("captest.json")
    if not d:
        return
    scens = list(d["scenarios"])
    present = {p for s in scens for p in d["scenarios"][s]["tools"]}
    progs = columns(["ours", "debian", "095"], present)
    names = {"default": "`captest`", "text": "`captest --text`", "nochild": "`captest --no-child`"}
    rows = []
    for s in scens:
        e = d["scenarios"][s]
        rows.append([names.get(s, s)] + [t(e["tools"].get(p, {}).get("median_ms")) for p in progs]
                    + [r(e["ratios"].get("ours/debian")), r(e["ratios"].get("095/ours"))]
                    + [e.get("busy_before_pct", "?")])
    L.append("### captest\n")
    L.append(machine(d["machine"], "Measured") + f", as uid {d['machine'].get('uid', '?')}: start-up and "
             f"report only. Details: [captest.md]({prefix}captest.md).\n")
    L += table(["command"] + [NAMES[p] for p in progs] + ["ours ÷ 0.8.3 (target ≤ 1.1)", "0.9.5 ÷ ours",
                                                          "other load (%)"], rows)
    L.append("")
    L += missed(d.get("targets", []), lambda x: f"{x['target']} for {x['scenario']} ({x['value']:.2f})")
    L.append("")


def summary(prefix="bench/results/"):
    L = [BEGIN, ""]
    L.append("Median wall times; each program runs several times per round, in rounds that rotate "
             "the programs' order, and its time is the median of its round medians. \"A ÷ B\" is A's "
             "time over B's: above 1, B is faster. \"Other load\" is how busy other work kept the "
             "shared machine's CPUs just before the measurement: high values mean noisy figures. "
             "The floor is a minimal C program doing the least work that gives the same answer "
             "(bench/floor/).\n")
    for f in (pscap, netcap, filecap, captest):
        f(L, prefix)
    while L and L[-1].strip() == "":
        L.pop()
    L[-1] = L[-1].rstrip("\n")
    L += ["", END]
    return "\n".join(L) + "\n"


def main(argv):
    if len(argv) == 1:
        sys.stdout.write(summary())
        return 0
    if len(argv) == 3 and argv[1] == "--readme":
        path = argv[2]
        with open(path) as f:
            text = f.read()
        if BEGIN not in text or END not in text:
            sys.stderr.write(f"summary.py: {path} has no summary markers ({BEGIN} ... {END})\n")
            return 1
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        new = head + summary().rstrip("\n") + tail
        if new != text:
            with open(path, "w") as f:
                f.write(new)
        return 0
    sys.stderr.write("usage: summary.py [--readme README.md]\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
