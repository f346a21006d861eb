"""SVG line plots for the benchmark reports (bench/*_report.py). Standard library only.

    import plot
    svg = plot.line_plot(
        title="pscap: median wall time against processes",
        subtitle=plot.machine_line(machine),
        xlabel="processes in /proc", ylabel="median wall time",
        series=[plot.Series("ours", "capinspect pscap", [(81, 1.4), (1085, 7.5)]), ...])

One line per program, in the order given (plot.ORDER is the usual one: capinspect,
Debian's libcap-ng 0.8.3, upstream 0.9.5, getcap/ss, the floor), with a dot per measured
point (its value in a tooltip), a legend on the right, axis labels and a title with the
machine and kernel. Axes are logarithmic by default (times that grow with N over one or
two decades); log_x=False / log_y=False give linear ones. A series may also carry
"extra" points: drawn hollow and not joined, for sizes that are not on the line's axis
(netcap's "N processes + N sockets"), explained by a note under the plot.
"""
import math
import os
from xml.sax.saxutils import escape

ORDER = ["ours", "debian", "095", "getcap", "ss", "floor"]
COLORS = {
    "ours": "#d62728",
    "debian": "#1f77b4",
    "095": "#2ca02c",
    "getcap": "#9467bd",
    "ss": "#9467bd",
    "floor": "#7f7f7f",
}
DASHES = {"floor": "6,4"}


class Series:
    def __init__(self, key, label, points, extra=(), color=None, dash=None):
        self.key = key
        self.label = label
        self.points = sorted((float(x), float(y)) for x, y in points if y and y > 0)
        self.extra = [(float(x), float(y)) for x, y in extra if y and y > 0]
        self.color = color or COLORS.get(key, "#000000")
        self.dash = dash if dash is not None else DASHES.get(key)


def read_kv(path):
    """The key=value lines the benchmark scripts write (machine description, sizes); {}
    when the file is missing."""
    out = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if "=" in line:
                    k, v = line.rstrip("\n").split("=", 1)
                    out[k] = v
    return out


def read_interleave(path):
    """bench/interleave's report (a line NAME MEDIAN P25 P75 MIN RUNS per program, in ms),
    by program; None when the file is missing."""
    if not os.path.exists(path):
        return None
    out = {}
    with open(path) as f:
        for line in f:
            name, med, p25, p75, mn, n = line.split()
            out[name] = {"median_ms": float(med), "p25_ms": float(p25), "p75_ms": float(p75),
                         "min_ms": float(mn), "runs": int(n)}
    return out


def machine_line(m, run_key="date"):
    """'2 CPUs, Intel(R) Xeon(R) Processor, Linux 6.18.44; run 2026-11-28' from a machine dict."""
    parts = []
    if m.get("nproc"):
        parts.append(f"{m['nproc']} CPUs")
    if m.get("model"):
        parts.append(m["model"])
    if m.get("kernel"):
        parts.append(f"Linux {m['kernel']}")
    s = ", ".join(parts) or "unknown machine"
    if m.get(run_key):
        s += f"; run {m[run_key][:10]}"
    return s


def fmt_count(v):
    """Tick label for a count: 500, 1k, 20k, 1M."""
    for div, suf in ((1e6, "M"), (1e3, "k")):
        if v >= div:
            return f"{v / div:g}{suf}"
    return f"{v:g}"


def fmt_ms(v):
    """Tick label for a time in milliseconds: 0.5 ms, 20 ms, 2 s."""
    if v >= 1000:
        return f"{v / 1000:g} s"
    return f"{v:g} ms"


def fmt_value_ms(v):
    """A measured time in milliseconds, for tooltips."""
    if v >= 1000:
        return f"{v / 1000:.2f} s"
    return f"{v:.3g} ms" if v < 100 else f"{v:.0f} ms"


def _num(v):
    return f"{v:,.0f}" if v == int(v) else f"{v:g}"


class _Axis:
    def __init__(self, lo, hi, log, a, b):
        if lo <= 0 and log:
            lo = min(hi / 10, 1e-3)
        if hi <= lo:
            hi = lo * 10 if log else lo + 1
        self.log = log
        if log:
            self.lo, self.hi = self._log_below(lo), self._log_above(hi)
        else:
            step = self._lin_step(0 if lo >= 0 and lo < hi / 3 else lo, hi)
            self.lo = 0.0 if lo >= 0 and lo < hi / 3 else math.floor(lo / step) * step
            self.hi = math.ceil(hi / step) * step
            self.step = step
        self.a, self.b = a, b  # pixel positions of lo and hi

    @staticmethod
    def _log_below(v):
        d = 10 ** math.floor(math.log10(v))
        return max(m * d for m in (1, 2, 5) if m * d <= v * 1.000001)

    @staticmethod
    def _log_above(v):
        d = 10 ** math.floor(math.log10(v))
        return min(m * d for m in (1, 2, 5, 10) if m * d >= v * 0.999999)

    @staticmethod
    def _lin_step(lo, hi):
        raw = (hi - lo) / 6
        d = 10 ** math.floor(math.log10(raw))
        return min(m * d for m in (1, 2, 5, 10) if m * d >= raw)

    def __call__(self, v):
        if self.log:
            f = (math.log10(v) - math.log10(self.lo)) / (math.log10(self.hi) - math.log10(self.lo))
        else:
            f = (v - self.lo) / (self.hi - self.lo)
        return self.a + f * (self.b - self.a)

    def ticks(self):
        """(value, major) pairs: 1-2-5 majors and every integer minor per decade on a log
        axis; on a linear one, every step."""
        if not self.log:
            n = round((self.hi - self.lo) / self.step)
            return [(self.lo + i * self.step, True) for i in range(n + 1)]
        out = []
        d = 10 ** math.floor(math.log10(self.lo))
        decades = math.log10(self.hi) - math.log10(self.lo)
        majors = (1, 2, 5) if decades <= 4 else (1,)
        while d <= self.hi * 1.0001:
            for k in range(1, 10):
                v = d * k
                if self.lo * 0.9999 <= v <= self.hi * 1.0001:
                    out.append((v, k in majors))
            d *= 10
        return out


def line_plot(title, subtitle, xlabel, ylabel, series, log_x=True, log_y=True, notes=(),
              x_format=fmt_count, y_format=fmt_ms, value_format=fmt_value_ms, x_name="N",
              width=860, height=500):
    """Returns the SVG document (a string) of a line plot of `series` (a list of Series)."""
    series = [s for s in series if s.points or s.extra]
    notes = list(notes)
    left, right, top = 80, 270, 62
    bottom = 58 + 16 * len(notes)
    pw, ph = width - left - right, height - top - bottom
    xs = [p[0] for s in series for p in s.points + s.extra] or [1, 10]
    ys = [p[1] for s in series for p in s.points + s.extra] or [1, 10]
    if log_x:
        xlo, xhi = min(xs) / 1.25, max(xs) * 1.25
    else:
        xlo, xhi = min(xs), max(xs)
    if log_y:
        ylo, yhi = min(ys) / 1.25, max(ys) * 1.25
    else:
        ylo, yhi = min(ys), max(ys) * 1.05
    X = _Axis(xlo, xhi, log_x, left, left + pw)
    Y = _Axis(ylo, yhi, log_y, top + ph, top)

    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
         f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
         f'<rect width="{width}" height="{height}" fill="white"/>',
         f'<text x="{left + pw / 2:.1f}" y="22" text-anchor="middle" font-size="15">{escape(title)}</text>',
         f'<text x="{left + pw / 2:.1f}" y="42" text-anchor="middle" fill="#444">{escape(subtitle)}</text>']
    for v, major in X.ticks():
        x = X(v)
        o.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + ph}" '
                 f'stroke="{"#ccc" if major else "#eee"}"/>')
        if major:
            o.append(f'<text x="{x:.1f}" y="{top + ph + 18}" text-anchor="middle">{escape(x_format(v))}</text>')
    for v, major in Y.ticks():
        y = Y(v)
        o.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" '
                 f'stroke="{"#ccc" if major else "#eee"}"/>')
        if major:
            o.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{escape(y_format(v))}</text>')
    o.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="black"/>')
    scale = ("log-log" if log_x and log_y else "log x" if log_x else "log y" if log_y else "linear")
    o.append(f'<text x="{left + pw / 2:.1f}" y="{top + ph + 40}" text-anchor="middle">'
             f'{escape(xlabel)} ({scale})</text>')
    o.append(f'<text transform="translate(20,{top + ph / 2:.1f}) rotate(-90)" text-anchor="middle">'
             f'{escape(ylabel)}</text>')
    for i, n in enumerate(notes):
        o.append(f'<text x="{left}" y="{top + ph + 58 + 16 * i}" fill="#444">{escape(n)}</text>')

    ly = top + 10
    for s in series:
        c = s.color
        dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
        if len(s.points) > 1:
            o.append(f'<polyline fill="none" stroke="{c}" stroke-width="2"{dash} points="'
                     + " ".join(f"{X(a):.1f},{Y(b):.1f}" for a, b in s.points) + '"/>')
        for a, b in s.points:
            o.append(f'<circle cx="{X(a):.1f}" cy="{Y(b):.1f}" r="3.5" fill="{c}"><title>'
                     f'{escape(s.label)}: {x_name} = {_num(a)}, {escape(value_format(b))}</title></circle>')
        for a, b in s.extra:
            o.append(f'<circle cx="{X(a):.1f}" cy="{Y(b):.1f}" r="4.5" fill="white" stroke="{c}" '
                     f'stroke-width="2"><title>{escape(s.label)}: {x_name} = {_num(a)} (see the note), '
                     f'{escape(value_format(b))}</title></circle>')
        lx = left + pw + 15
        o.append(f'<line x1="{lx}" y1="{ly}" x2="{lx + 20}" y2="{ly}" stroke="{c}" stroke-width="2"{dash}/>')
        o.append(f'<circle cx="{lx + 10}" cy="{ly}" r="3.5" fill="{c}"/>')
        o.append(f'<text x="{lx + 27}" y="{ly + 4}">{escape(s.label)}</text>')
        ly += 22
    o.append("</svg>")
    return "\n".join(o) + "\n"
