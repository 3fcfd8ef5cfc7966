#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The host half of `make bench`: reads the JSON files fwctl_bench wrote in
the guest and prints the Rust/C tables, then writes bench.json and bench.png
beside them.

    report.py OUTDIR

OUTDIR/icount holds the boot under QEMU's -icount shift=0,sleep=off, where
every time is a count of guest instructions (the primary table, and the
chart); OUTDIR/wall, if there, the wall-clock boot (the secondary table,
with the threads).  An OUTDIR with the JSON files directly in it is a
wall-clock boot of its own.

Every ratio compares figures of the same boot.  The micro-benchmarks ran
six times on each core, in the order Rust C C Rust Rust C C Rust Rust C C
Rust, so that a steady drift over the boot weighs on both alike.  Load on
the host only ever slows a run down, so each core's figure is its best run
(the lowest latency, the highest throughput); the ratio of the two cores'
medians is shown beside it, and the spread columns, (max - min) / median
of each core's runs, show the noise.  A Rust figure is marked worse than
C's ("!") only when both ratios say so, and "?" when one does.

Python's standard library only: the chart is drawn pixel by pixel, with the
kernel tree's 8x16 console font (lib/fonts/font_8x16.c) for its text.
"""

import json
import math
import os
import re
import struct
import sys
import zlib

SIZES = [16, 128, 129, 4096, 65536, 2097152]
# A Rust figure this much worse than C's is flagged.
TOLERANCE = 0.05


def size_name(n):
    if n >= 1 << 20:
        return f"{n >> 20} MiB"
    if n >= 1 << 10:
        return f"{n >> 10} KiB"
    return f"{n} B"


def load(outdir, name):
    path = os.path.join(outdir, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def mean(xs):
    xs = [x for x in xs if x is not None]
    return sum(xs) / len(xs) if xs else None


def median(xs):
    xs = sorted(x for x in xs if x is not None)
    if not xs:
        return None
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def dig(obj, *keys):
    for k in keys:
        if obj is None:
            return None
        obj = obj.get(k)
    return obj


def best(xs, better):
    xs = [x for x in xs if x is not None]
    if not xs:
        return None
    return min(xs) if better == "lower" else max(xs)


def ratio(a, b):
    return a / b if a is not None and b else None


class Row:
    """One figure: both cores' values, their ratio and its floors."""

    def __init__(self, section, figure, unit, better, rust_runs, c_runs,
                 rust_floor=None, c_floor=None, rust_enotty=None,
                 c_enotty=None):
        self.section = section
        self.figure = figure
        self.unit = unit
        self.better = better
        self.rust_runs = rust_runs
        self.c_runs = c_runs
        self.rust = best(rust_runs, better)
        self.c = best(c_runs, better)
        self.ratio = ratio(self.rust, self.c)
        self.median_ratio = ratio(median(rust_runs), median(c_runs))
        self.rust_floor = rust_floor
        self.c_floor = c_floor
        self.rust_enotty = rust_enotty
        self.c_enotty = c_enotty

    @staticmethod
    def spread(runs):
        """(max - min) / median of several runs, None for a single run."""
        runs = [r for r in runs if r is not None]
        m = median(runs)
        if len(runs) < 2 or not m:
            return None
        return (max(runs) - min(runs)) / m

    def worse(self, r):
        """Whether the ratio r says Rust is worse by more than the
        tolerance."""
        if r is None:
            return False
        if self.better == "lower":
            return r > 1 + TOLERANCE
        return r < 1 - TOLERANCE

    def slower(self):
        """Whether the best runs say Rust is worse than C."""
        return self.worse(self.ratio)

    def flag(self):
        """'!' both the best runs and the medians say Rust is worse by
        more than the tolerance; '?' only one of them does (noise)."""
        n = self.worse(self.ratio) + self.worse(self.median_ratio)
        return {0: "", 1: "?", 2: "!"}[n]

    def as_dict(self):
        return {
            "section": self.section, "figure": self.figure,
            "unit": self.unit, "better": self.better,
            "rust_best": self.rust, "c_best": self.c,
            "rust_over_c": self.ratio,
            "rust_over_c_medians": self.median_ratio,
            "rust_runs": self.rust_runs, "c_runs": self.c_runs,
            "rust_over_copy_floor": self.rust_floor,
            "c_over_copy_floor": self.c_floor,
            "rust_over_enotty": self.rust_enotty,
            "c_over_enotty": self.c_enotty,
            "rust_spread": self.spread(self.rust_runs),
            "c_spread": self.spread(self.c_runs),
            "rust_worse_by_more_than_5pct": self.flag(),
        }


def micro_runs(d, core):
    return [v for k, v in sorted(d.items())
            if k.startswith(f"micro-{core}-") and v is not None]


def build_rows(d, icount=False):
    """The table's rows.  Under icount, times are guest instructions (one
    per nanosecond of the guest's clock) and there are no throughputs."""
    rows = []
    rm, cm = micro_runs(d, "rust"), micro_runs(d, "c")
    tu = "instr" if icount else "us"

    def runs(ms, *keys):
        return [dig(m, *keys) for m in ms]

    def per_run_ratio(ms, num_keys, den_keys):
        vals = []
        for m in ms:
            a, b = dig(m, *num_keys), dig(m, *den_keys)
            vals.append(a / b if a is not None and b else None)
        return best(vals, "lower")

    us = 1 if icount else 1e-3
    for what, copy in (("rpc", "copy_rpc"), ("info", "copy_info")):
        for s in SIZES:
            k = str(s)
            for stat in ("median_ns", "p99_ns"):
                floor_keys = ("sizes", k, copy, stat)
                rows.append(Row(
                    "latency",
                    f"{what.upper()} {size_name(s)} {stat[:-3]}", tu,
                    "lower",
                    [v * us for v in runs(rm, "sizes", k, what, stat)],
                    [v * us for v in runs(cm, "sizes", k, what, stat)],
                    per_run_ratio(rm, ("sizes", k, what, stat), floor_keys),
                    per_run_ratio(cm, ("sizes", k, what, stat), floor_keys),
                    per_run_ratio(rm, ("sizes", k, what, stat),
                                  ("enotty", stat)),
                    per_run_ratio(cm, ("sizes", k, what, stat),
                                  ("enotty", stat))))
    if icount:
        # Large payloads per byte: what each byte costs on top of the call.
        for what in ("rpc", "info"):
            for s in SIZES:
                if s < 4096:
                    continue
                k = str(s)
                rows.append(Row(
                    "per byte", f"{what.upper()} {size_name(s)} per byte",
                    "instr/B", "lower",
                    [v / s for v in runs(rm, "sizes", k, what, "median_ns")
                     if v is not None],
                    [v / s for v in runs(cm, "sizes", k, what, "median_ns")
                     if v is not None]))
    for stat in ("median_ns", "p99_ns"):
        rows.append(Row("latency", f"open+close {stat[:-3]}", tu, "lower",
                        [v * us for v in runs(rm, "open_close", stat)],
                        [v * us for v in runs(cm, "open_close", stat)]))
    for what in ("rpc", "info") if not icount else ():
        for s in SIZES:
            for t in (1, 2):
                key = f"{what}_tput_{t}"
                rows.append(Row(
                    "throughput",
                    f"{what.upper()} {size_name(s)} {t} thread{'s' * (t > 1)}",
                    "calls/s", "higher",
                    runs(rm, "sizes", str(s), key),
                    runs(cm, "sizes", str(s), key)))
    for where, label in (("one_dev", "one device"),
                         ("sep_dev", "own devices")) if not icount else ():
        for t in (1, 2, 8):
            rows.append(Row(
                "threads", f"RPC 16 B, {t} thread{'s' * (t > 1)}, {label}",
                "calls/s", "higher",
                runs(rm, "threads", f"{where}_{t}"),
                runs(cm, "threads", f"{where}_{t}")))
    # The floors themselves: the same code on both cores, so their ratio
    # says how far apart two runs of identical work are.
    for stat in ("median_ns", "p99_ns"):
        rows.append(Row("floor", f"ENOTTY {stat[:-3]}", tu, "lower",
                        [v * us for v in runs(rm, "enotty", stat)],
                        [v * us for v in runs(cm, "enotty", stat)]))
    for s in SIZES:
        for copy, label in (("copy_rpc", "in+out"), ("copy_info", "out")):
            rows.append(Row(
                "floor", f"copy {label} {size_name(s)} median", tu,
                "lower",
                [v * us for v in runs(rm, "sizes", str(s), copy,
                                      "median_ns")],
                [v * us for v in runs(cm, "sizes", str(s), copy,
                                      "median_ns")]))

    rs, cs = d.get("scale-rust"), d.get("scale-c")
    # Per device: ms (instructions under icount: ms * 1e6).
    ms = 1e6 if icount else 1
    mu = "instr" if icount else "ms"

    def per_dev(sc, n, key):
        v = dig(sc, "register", n, key)
        return v * ms if v is not None else None

    for n in ("1", "64", "1024", "4096"):
        rows.append(Row("scale", f"register {n} devices, per device", mu,
                        "lower", [per_dev(rs, n, "ms_per_device")],
                        [per_dev(cs, n, "ms_per_device")]))
        rows.append(Row("scale", f"unregister {n} devices, per device", mu,
                        "lower", [per_dev(rs, n, "unregister_ms_per_device")],
                        [per_dev(cs, n, "unregister_ms_per_device")]))
    for n in ("1", "64", "1024", "4096"):
        rows.append(Row("scale", f"slabinfo objects per device ({n})",
                        "bytes", "lower",
                        [dig(rs, "register", n, "slabinfo",
                             "total_bytes_per_unit")],
                        [dig(cs, "register", n, "slabinfo",
                             "total_bytes_per_unit")]))
    for n in ("64", "1024", "4096"):
        rows.append(Row("scale", f"slab per device ({n})", "bytes",
                        "lower",
                        [dig(rs, "register", n, "slab_bytes_per_device")],
                        [dig(cs, "register", n, "slab_bytes_per_device")]))
        rows.append(Row("scale", f"MemAvailable per device ({n})",
                        "bytes", "lower",
                        [dig(rs, "register", n, "avail_bytes_per_device")],
                        [dig(cs, "register", n,
                             "avail_bytes_per_device")]))
    fd_us = 1e3 if icount else 1
    for key, label, unit, f in (
            ("slab_bytes_per_fd", "slab per open FD (10,000)", "bytes", 1),
            ("avail_bytes_per_fd", "MemAvailable per open FD", "bytes", 1),
            ("open_us_each", "open(), per FD", tu, fd_us),
            ("close_us_each", "close(), per FD", tu, fd_us)):
        rv, cv = dig(rs, "fds", key), dig(cs, "fds", key)
        rows.append(Row("scale", label, unit, "lower",
                        [rv * f if rv is not None else None],
                        [cv * f if cv is not None else None]))
    rows.append(Row("scale", "slabinfo objects per open FD", "bytes",
                    "lower",
                    [dig(rs, "fds", "slabinfo", "total_bytes_per_unit")],
                    [dig(cs, "fds", "slabinfo", "total_bytes_per_unit")]))

    rc, cc = d.get("cxl-rust"), d.get("cxl-c")
    for key, label in (("get_supported_features", "Get Supported Features"),
                       ("get_feature", "Get Feature (mailbox)")):
        for stat in ("median_ns", "p99_ns"):
            rv, cv = dig(rc, key, stat), dig(cc, key, stat)
            rows.append(Row("cxl", f"{label} {stat[:-3]}", tu, "lower",
                            [rv * us if rv is not None else None],
                            [cv * us if cv is not None else None]))
    return rows


def fmt(v, unit=None):
    if v is None:
        return "-"
    if unit == "calls/s":
        return f"{v:,.0f}"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 100:
        return f"{v:.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def fmt_ratio(v):
    return "-" if v is None else f"{v:.3f}"


def fmt_pct(v):
    return "-" if v is None else f"{v:.0%}"


def print_table(rows):
    head = ("figure", "unit", "Rust", "C", "Rust/C", "", "median",
            "R÷copy", "C÷copy", "R÷ENOTTY", "C÷ENOTTY", "R sprd", "C sprd")
    widths = (38, 7, 10, 10, 7, 1, 7, 7, 7, 8, 8, 6, 6)
    line = "  ".join(h.rjust(w) if i > 1 else h.ljust(w)
                     for i, (h, w) in enumerate(zip(head, widths)))
    section = None
    for r in rows:
        if r.section != section:
            section = r.section
            better = "lower" if r.better == "lower" else "higher"
            print()
            print(f"== {section} ({better} is better; Rust and C: best "
                  f"run; ! = Rust worse than C by more than {TOLERANCE:.0%}, "
                  "? = only by best or by median)")
            print(line)
        cells = (r.figure, r.unit, fmt(r.rust, r.unit), fmt(r.c, r.unit),
                 fmt_ratio(r.ratio), r.flag(), fmt_ratio(r.median_ratio),
                 fmt(r.rust_floor), fmt(r.c_floor), fmt(r.rust_enotty),
                 fmt(r.c_enotty), fmt_pct(r.spread(r.rust_runs)),
                 fmt_pct(r.spread(r.c_runs)))
        print("  ".join(c.rjust(w) if i > 1 else c.ljust(w)
                        for i, (c, w) in enumerate(zip(cells, widths))))


def slab_detail(d):
    for keys, what in ((("fds", "slabinfo"), "open FD"),
                       (("register", "4096", "slabinfo"),
                        "device (1024 to 4096)")):
        for core in ("rust", "c"):
            s = dig(d.get(f"scale-{core}"), *keys)
            if not s:
                continue
            parts = [f"{k} {v:.0f}" for k, v in s.items()
                     if k != "total_bytes_per_unit"]
            print(f"  {core}: slab caches grown per {what} (bytes): "
                  + ", ".join(parts))


# The chart

class Canvas:
    def __init__(self, w, h, font):
        self.w, self.h = w, h
        self.px = bytearray(b"\xff" * (w * h * 3))
        self.font = font

    def dot(self, x, y, c):
        if 0 <= x < self.w and 0 <= y < self.h:
            i = (y * self.w + x) * 3
            self.px[i:i + 3] = bytes(c)

    def rect(self, x0, y0, x1, y1, c):
        x0, y0, x1, y1 = int(x0), int(y0), int(x1), int(y1)
        for y in range(max(0, y0), min(self.h, y1 + 1)):
            for x in range(max(0, x0), min(self.w, x1 + 1)):
                self.dot(x, y, c)

    def line(self, x0, y0, x1, y1, c, width=1, dash=0):
        x0, y0, x1, y1 = int(round(x0)), int(round(y0)), int(round(x1)), \
            int(round(y1))
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        err, step = dx + dy, 0
        half = width // 2
        while True:
            if not dash or (step // dash) % 2 == 0:
                self.rect(x0 - half, y0 - half, x0 - half + width - 1,
                          y0 - half + width - 1, c)
            step += 1
            if x0 == x1 and y0 == y1:
                break
            e2 = 2 * err
            if e2 >= dy:
                err += dy
                x0 += sx
            if e2 <= dx:
                err += dx
                y0 += sy

    def marker(self, x, y, c):
        self.rect(int(x) - 3, int(y) - 3, int(x) + 3, int(y) + 3, c)

    def text(self, x, y, s, c=(0, 0, 0), anchor="left"):
        if not self.font:
            return
        w = 8 * len(s)
        if anchor == "center":
            x -= w // 2
        elif anchor == "right":
            x -= w
        for i, ch in enumerate(s):
            glyph = self.font[ord(ch) & 0xff]
            for row in range(16):
                bits = glyph[row]
                for col in range(8):
                    if bits & (0x80 >> col):
                        self.dot(x + 8 * i + col, y + row, c)

    def png(self, path):
        raw = b"".join(b"\x00" + bytes(self.px[y * self.w * 3:
                                                (y + 1) * self.w * 3])
                       for y in range(self.h))

        def chunk(kind, data):
            body = kind + data
            return (struct.pack(">I", len(data)) + body
                    + struct.pack(">I", zlib.crc32(body) & 0xffffffff))

        with open(path, "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n")
            f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", self.w, self.h,
                                               8, 2, 0, 0, 0)))
            f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
            f.write(chunk(b"IEND", b""))


def load_font():
    """The kernel's 8x16 console font: 256 glyphs of 16 rows."""
    ksrc = os.environ.get("KSRC") or os.path.expanduser(
        "~/.cache/fwctl-rs/src/linux-source-7.3")
    path = os.path.join(ksrc, "lib/fonts/font_8x16.c")
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return None
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    start = text.find("fontdata_8x16")
    data = [int(h, 16) for h in re.findall(r"0x([0-9a-fA-F]{2})\b",
                                           text[start:])]
    if len(data) < 256 * 16:
        return None
    return [data[i * 16:(i + 1) * 16] for i in range(256)]


COLORS = {
    "rpc": (31, 119, 180), "info": (214, 39, 40),
    "copy_rpc": (120, 120, 120), "copy_info": (180, 180, 180),
    "enotty": (44, 160, 44),
}


class Panel:
    def __init__(self, cv, x, y, w, h, ymin, ymax, ylog, title, ylabel):
        self.cv, self.x, self.y, self.w, self.h = cv, x, y, w, h
        self.ymin, self.ymax, self.ylog = ymin, ymax, ylog
        self.xmin, self.xmax = math.log2(SIZES[0]), math.log2(SIZES[-1])
        cv.text(x + w // 2, y - 40, title, anchor="center")
        cv.text(x - 70, y - 20, ylabel)
        cv.line(x, y, x, y + h, (0, 0, 0))
        cv.line(x, y + h, x + w, y + h, (0, 0, 0))
        for s in SIZES:
            px = self.px(s)
            cv.line(px, y, px, y + h, (225, 225, 225))
            cv.text(int(px), y + h + 8, size_name(s), anchor="center")
        cv.text(x + w // 2, y + h + 30, "payload size", anchor="center")

    def px(self, s):
        return self.x + (math.log2(s) - self.xmin) / (
            self.xmax - self.xmin) * self.w

    def py(self, v):
        if self.ylog:
            f = (math.log10(v) - math.log10(self.ymin)) / (
                math.log10(self.ymax) - math.log10(self.ymin))
        else:
            f = (v - self.ymin) / (self.ymax - self.ymin)
        f = min(max(f, 0.0), 1.0)
        return self.y + self.h - f * self.h

    def gridline(self, v, label, color=(225, 225, 225), dash=0):
        py = self.py(v)
        self.cv.line(self.x, py, self.x + self.w, py, color, dash=dash)
        self.cv.text(self.x - 6, int(py) - 8, label, anchor="right")

    def series(self, points, color, width=2, dash=0):
        pts = [(self.px(s), self.py(v)) for s, v in points if v]
        for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
            self.cv.line(x0, y0, x1, y1, color, width=width, dash=dash)
        for x0, y0 in pts:
            self.cv.marker(x0, y0, color)


def draw_chart(rows, d, path, icount=False):
    font = load_font()
    scale = 1 if icount else 1e3
    unit = "guest instructions" if icount else "us"
    cv = Canvas(1200, 620, font)
    rm, cm = micro_runs(d, "rust"), micro_runs(d, "c")

    def med(ms, *keys):
        return best([dig(m, *keys) for m in ms], "lower")

    lat = {}
    for core, ms in (("rust", rm), ("c", cm)):
        for what in ("rpc", "info", "copy_rpc", "copy_info"):
            lat[core, what] = [(s, med(ms, "sizes", str(s), what,
                                       "median_ns") / scale) for s in SIZES]
        lat[core, "enotty"] = [(s, med(ms, "enotty", "median_ns") / scale)
                               for s in SIZES]
    vals = [v for series in lat.values() for _, v in series if v]
    lo = 10 ** math.floor(math.log10(min(vals)))
    hi = 10 ** math.ceil(math.log10(max(vals)))
    p = Panel(cv, 90, 70, 470, 440, lo, hi, True,
              f"median latency ({unit}, log scale)",
              "instr" if icount else "us")
    v = lo
    while v <= hi:
        p.gridline(v, f"{v:g}")
        v *= 10
    for what in ("copy_info", "copy_rpc", "enotty"):
        p.series(lat["c", what], COLORS[what], width=1, dash=4)
    for what in ("rpc", "info"):
        p.series(lat["c", what], COLORS[what], width=2, dash=6)
        p.series(lat["rust", what], COLORS[what], width=3)

    by = {(r.section, r.figure): r for r in rows}
    ratios = {}
    for what in ("RPC", "INFO"):
        for stat in ("median", "p99"):
            ratios[what, stat] = [
                (s, by[("latency", f"{what} {size_name(s)} {stat}")].ratio)
                for s in SIZES]
    rv = [v for series in ratios.values() for _, v in series if v]
    rlo = min(0.8, math.floor(min(rv) * 10) / 10)
    rhi = max(1.2, math.ceil(max(rv) * 10) / 10)
    q = Panel(cv, 690, 70, 470, 440, rlo, rhi, False,
              "Rust/C latency ratio (below 1: Rust faster)", "Rust/C")
    step = 0.1 if rhi - rlo <= 1 else 0.5
    v = rlo
    while v <= rhi + 1e-9:
        q.gridline(v, f"{v:.1f}")
        v += step
    q.gridline(1 + TOLERANCE, "", color=(230, 180, 180), dash=3)
    q.gridline(1 - TOLERANCE, "", color=(230, 180, 180), dash=3)
    q.gridline(1.0, "1.0", color=(0, 0, 0))
    q.series(ratios["RPC", "median"], COLORS["rpc"], width=3)
    q.series(ratios["RPC", "p99"], COLORS["rpc"], width=1, dash=4)
    q.series(ratios["INFO", "median"], COLORS["info"], width=3)
    q.series(ratios["INFO", "p99"], COLORS["info"], width=1, dash=4)

    # Legend
    y = 572
    items = [("Rust RPC", COLORS["rpc"], 3, 0), ("C RPC", COLORS["rpc"], 2, 6),
             ("Rust INFO", COLORS["info"], 3, 0),
             ("C INFO", COLORS["info"], 2, 6),
             ("copy floor", COLORS["copy_rpc"], 1, 4),
             ("ENOTTY", COLORS["enotty"], 1, 4)]
    x = 90
    for label, color, width, dash in items:
        cv.line(x, y + 8, x + 30, y + 8, color, width=width, dash=dash)
        cv.text(x + 36, y, label)
        x += 46 + 8 * len(label)
    cv.text(900, y, "ratios: thick median, thin p99")
    cv.png(path)
    return font is not None


def report(outdir, icount):
    """Prints one boot's table; returns its rows and raw figures."""
    names = [f"micro-{c}-{i}" for c in ("rust", "c") for i in range(1, 7)]
    names += ["scale-rust", "scale-c", "cxl-rust", "cxl-c"]
    d = {n: load(outdir, n + ".json") for n in names}
    if not micro_runs(d, "rust") or not micro_runs(d, "c"):
        sys.exit(f"report: no micro-benchmark of both cores in {outdir}")
    rows = build_rows(d, icount)
    print_table(rows)
    print()
    slab_detail(d)

    print()
    for mark, what in (("!", "by the best runs and by the medians"),
                       ("?", "by one of them only")):
        worse = [r for r in rows if r.flag() == mark and r.section != "floor"]
        if worse:
            print(f"Rust worse than C by more than {TOLERANCE:.0%}, {what}: "
                  + "; ".join(f"{r.figure} ({fmt_ratio(r.ratio)})"
                              for r in worse))
    if not any(r.slower() for r in rows if r.section != "floor"):
        print(f"Rust is within {TOLERANCE:.0%} of C or better on every "
              "figure.")
    if icount:
        over = [r for r in rows if r.section not in ("floor",)
                and r.ratio is not None and r.better == "lower"
                and r.ratio > 1.0]
        print("Rust/C above 1.00 (the goal): "
              + ("; ".join(f"{r.figure} ({fmt_ratio(r.ratio)})"
                           for r in over) if over else "none"))
    return rows, d


def read_meta(*paths):
    meta = {}
    for path in paths:
        if os.path.exists(path):
            with open(path) as f:
                for line in f:
                    k, _, v = line.partition(":")
                    meta[k.strip()] = v.strip()
    return meta


def boot(outdir, bootdir, icount):
    """One boot's table, printed; its rows, figures and JSON entry."""
    rows, d = report(bootdir, icount)
    entry = {"meta": read_meta(os.path.join(bootdir, "guest.txt"),
                               os.path.join(outdir, "host.txt")),
             "rows": [r.as_dict() for r in rows], "raw": d}
    return rows, d, entry


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: report.py OUTDIR")
    outdir = sys.argv[1]
    icdir, walldir = (os.path.join(outdir, n) for n in ("icount", "wall"))
    result = {"tolerance": TOLERANCE}
    icount = os.path.isdir(icdir)
    if icount:
        print("== Guest instructions per call (QEMU -icount shift=0,sleep=off,"
              " one vCPU): the primary figures")
        rows, d, result["instructions"] = boot(outdir, icdir, True)
        if os.path.exists(os.path.join(walldir, "micro-rust-1.json")):
            print()
            print("== Wall-clock time (two vCPUs, TCG; secondary: the host's"
                  " load varies it by tens of percent)")
            result["wall"] = boot(outdir, walldir, False)[2]
    else:
        rows, d, result["wall"] = boot(outdir, outdir, False)
    with open(os.path.join(outdir, "bench.json"), "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    # The chart: the primary figures.
    png = os.path.join(outdir, "bench.png")
    if not draw_chart(rows, d, png, icount=icount):
        print("report: no kernel font found, the chart has no text")


if __name__ == "__main__":
    main()
