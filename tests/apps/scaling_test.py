#!/usr/bin/env python3
"""End-to-end checks of scripts/scaling (issue 6's scaling pictures), through a small mandelbrot.

run:      scripts/scaling at ranks 1,2,3 (3 oversubscribes a 2-core machine), --repeat 1: one CSV
          row per rank count; seconds > 0; every compute time is the wall_seconds of the run's own
          report JSON; speedup recomputed here from the medians (1 at 1 rank) and efficiency =
          speedup / ranks; the oversubscribed rows are those above the cores, and stderr says so;
          busy_wait.json is one of the 3-rank reports, with one entry per rank. speedup.png and
          busy_wait.png are decoded here (struct and zlib only: signature, chunk CRCs, IHDR width
          and height > 0, IDAT inflated and unfiltered to the size IHDR gives) and must hold the
          busy and wait bar colours, and the oversubscribed shade exactly when a row is
          oversubscribed (on at least 5% of the picture). --busy-wait on a report made up here
          (5 ranks) draws its chart.
refusals: unknown app or option, bad --ranks (0, negative, not a number, empty, twice), bad
          --repeat and --max-ranks, an --out below a plain file, --report-json among the app's
          arguments, unreadable or malformed --busy-wait files: one stderr line naming the value,
          exit 2, no output folder made. A run that fails (mandelbrot --width 0): exit 1, one line
          with the rank count, the app's exit code and its message; no PNG and no CSV written.

Usage: scaling_test.py CHECK --script scripts/scaling --build BUILD_DIR
Exit code 77 (skipped) when gnuplot is not installed (scripts/test installs it).
"""

import argparse
import collections
import csv
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

from mandelbrot_test import decode_png

RUN_TIMEOUT = 120
SMALL = ["--width", "160", "--height", "120", "--max-iterations", "200"]
# The colours scripts/scaling.py draws with (its SHADE, BUSY_COLOUR and WAIT_COLOUR).
SHADE = (0xFD, 0xF0, 0xD5)
BUSY = (0x3B, 0x75, 0xAF)
WAIT = (0xEF, 0x86, 0x36)


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def scaling(script, args, timeout=RUN_TIMEOUT):
    proc = subprocess.run([script] + args, capture_output=True, text=True, timeout=timeout,
                          check=False)
    return proc


# --- PNG decoding: mandelbrot_test.py's reader (struct and zlib only; 8-bit RGB, as gnuplot's
# pngcairo writes).

def read_png(path):
    """(width, height, Counter of (r, g, b) colours) of the PNG at `path`, checked whole."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        rows = decode_png(data)
    except (ValueError, struct.error, zlib.error) as e:
        fail(f"{path}: not a valid PNG: {e}")
    width, height = struct.unpack(">II", data[16:24])  # IHDR, which decode_png checked
    if width == 0 or height == 0 or len(rows) != height or any(len(r) != width for r in rows):
        fail(f"{path}: IHDR width {width}, height {height}")
    colours = collections.Counter()
    for row in rows:
        colours.update(row)
    return width, height, colours


def check_chart(path, wanted, unwanted=()):
    """wanted: {colour: least fraction of the pixels}; unwanted: colours on at most 0.1%."""
    width, height, colours = read_png(path)
    if len(colours) < 3:
        fail(f"{path}: {width}x{height} but only {len(colours)} colour(s): nothing drawn")
    pixels = width * height
    for colour, fraction in wanted.items():
        if colours[colour] < max(1, fraction * pixels):
            fail(f"{path}: colour #{bytes(colour).hex()} on {colours[colour]} of {pixels} "
                 f"pixels, expected at least {fraction:.1%}")
    for colour in unwanted:
        if colours[colour] > 0.001 * pixels:
            fail(f"{path}: colour #{bytes(colour).hex()} on {colours[colour]} pixels, should "
                 "not be drawn")


# --- checks ---------------------------------------------------------------------------------------

def close(a, b, tolerance=2e-5):
    return abs(a - b) <= tolerance * max(1.0, abs(a), abs(b))


def check_run(args):
    ranks = [1, 2, 3]
    with tempfile.TemporaryDirectory(prefix="mpimr-scaling-test-") as tmp:
        out = os.path.join(tmp, "out")
        cmd = ["--build", args.build, "--ranks", ",".join(map(str, ranks)), "--repeat", "1",
               "--timeout", "60", "--out", out, "mandelbrot"] + SMALL + \
              ["--output", os.path.join(tmp, "m.png")]
        proc = scaling(args.script, cmd)
        if proc.returncode != 0:
            fail(f"exit code {proc.returncode}: {cmd}\n{proc.stderr}")
        with open(os.path.join(out, "scaling.json"), encoding="utf-8") as f:
            summary = json.load(f)
        cores = summary["cores"]
        if not 1 <= cores <= os.cpu_count():
            fail(f"scaling.json: cores {cores}, this machine has {os.cpu_count()} CPUs")
        with open(os.path.join(out, "scaling.csv"), encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        if [int(row["ranks"]) for row in rows] != ranks:
            fail(f"scaling.csv: rank counts {[row['ranks'] for row in rows]}, expected {ranks}")
        base = float(rows[0]["compute_seconds_median"])
        base_wall = float(rows[0]["wall_seconds_median"])
        for row, entry in zip(rows, summary["rows"]):
            r = int(row["ranks"])
            compute = [float(x) for x in row["compute_seconds"].split()]
            wall = [float(x) for x in row["wall_seconds"].split()]
            if len(compute) != 1 or len(wall) != 1:
                fail(f"{r} ranks: {len(compute)} compute and {len(wall)} wall times for 1 repeat")
            median = float(row["compute_seconds_median"])
            wall_median = float(row["wall_seconds_median"])
            if not (median > 0 and wall_median > 0 and close(median, compute[0])
                    and close(wall_median, wall[0])):
                fail(f"{r} ranks: medians {median}, {wall_median} of {compute}, {wall}")
            if wall_median < median:
                fail(f"{r} ranks: the whole mpirun ({wall_median} s) took less than its "
                     f"operations ({median} s)")
            # The compute time is the report's wall_seconds; the report is the run's own.
            with open(os.path.join(out, entry["reports"][0]), encoding="utf-8") as f:
                report = json.load(f)
            if report["rank_count"] != r or len(report["ranks"]) != r:
                fail(f"{entry['reports'][0]}: rank_count {report['rank_count']} for {r} ranks")
            if not close(report["wall_seconds"], compute[0], 1e-5):
                fail(f"{r} ranks: compute {compute[0]} s, report wall_seconds "
                     f"{report['wall_seconds']}")
            speedup, efficiency = float(row["speedup"]), float(row["efficiency"])
            expected = {"speedup": (speedup, base / median),
                        "efficiency": (efficiency, speedup / r),
                        "wall_speedup": (float(row["wall_speedup"]), base_wall / wall_median),
                        "wall_efficiency": (float(row["wall_efficiency"]),
                                            float(row["wall_speedup"]) / r),
                        "json speedup": (entry["speedup"], speedup),
                        "json ranks": (entry["ranks"], r)}
            for name, (got, want) in expected.items():
                if not close(got, want):
                    fail(f"{r} ranks: {name} {got}, expected {want}")
            if row["oversubscribed"] != ("yes" if r > cores else "no"):
                fail(f"{r} ranks on {cores} cores: oversubscribed '{row['oversubscribed']}'")
        if not close(float(rows[0]["speedup"]), 1.0, 1e-9):
            fail(f"speedup at 1 rank is {rows[0]['speedup']}")
        over = [r for r in ranks if r > cores]
        if bool(over) != ("oversubscribed" in proc.stderr):
            fail(f"oversubscribed ranks {over} on {cores} cores, stderr:\n{proc.stderr}")

        # The busy/wait chart's source: one of the widest run's reports, one entry per rank.
        with open(os.path.join(out, "busy_wait.json"), encoding="utf-8") as f:
            source = json.load(f)
        if [rank["rank"] for rank in source["ranks"]] != list(range(ranks[-1])):
            fail(f"busy_wait.json: ranks {[rank['rank'] for rank in source['ranks']]}")
        with open(os.path.join(out, "reports", f"np{ranks[-1]}-1.json"), encoding="utf-8") as f:
            if json.load(f) != source:
                fail("busy_wait.json is not the report of the widest run")
        # The shaded region right of the cores is at least a sixth of the plot.
        check_chart(os.path.join(out, "speedup.png"), {SHADE: 0.05} if over else {},
                    [] if over else [SHADE])
        # A rank may wait for a few pixels' worth only.
        check_chart(os.path.join(out, "busy_wait.png"), {BUSY: 0.02, WAIT: 0})
        extra = set(os.listdir(out)) - {"scaling.csv", "scaling.json", "speedup.png",
                                        "busy_wait.png", "busy_wait.json", "reports"}
        if extra:
            fail(f"unexpected files left in the output folder: {sorted(extra)}")

        # --busy-wait on any report: 5 made-up ranks.
        made_up = {"ranks": [{"rank": i, "busy_seconds": 1.0 + i, "wait_seconds": 0.5 * (4 - i)}
                             for i in range(5)], "schedule": "dynamic", "wall_seconds": 5.0}
        report = os.path.join(tmp, "made up.json")
        with open(report, "w", encoding="utf-8") as f:
            json.dump(made_up, f)
        proc = scaling(args.script, ["--busy-wait", report])
        chart = os.path.join(tmp, "made up.png")
        if proc.returncode != 0 or not os.path.isfile(chart):
            fail(f"--busy-wait: exit code {proc.returncode}\n{proc.stderr}")
        check_chart(chart, {BUSY: 0.05, WAIT: 0.01})


def expect_refusal(script, args, named, code=2, where=None):
    proc = scaling(script, args)
    lines = proc.stderr.splitlines()
    if proc.returncode != code or len(lines) != 1 or not lines[0].startswith("scripts/scaling: ") \
            or named not in lines[0]:
        fail(f"{args}: expected exit code {code} and one stderr line naming '{named}'; got exit "
             f"code {proc.returncode}, stderr:\n{proc.stderr}")
    if where is not None and os.path.exists(where):
        fail(f"{args}: refused, but made {where}")
    return lines[0]


def check_refusals(args):
    with tempfile.TemporaryDirectory(prefix="mpimr-scaling-test-") as tmp:
        out = os.path.join(tmp, "out")
        base = ["--build", args.build, "--out", out]
        for bad_args, named in [
            (["nosuchapp"], "nosuchapp"),
            (["--frobnicate", "mandelbrot"], "--frobnicate"),
            (["--ranks", "0", "mandelbrot"], "'0'"),
            (["--ranks", "1,-2", "mandelbrot"], "'-2'"),
            (["--ranks", "1,two", "mandelbrot"], "'two'"),
            (["--ranks", "1,,2", "mandelbrot"], "''"),
            (["--ranks", "2,2", "mandelbrot"], "2 is listed twice"),
            (["--repeat", "0", "mandelbrot"], "'0'"),
            (["--repeat", "many", "mandelbrot"], "'many'"),
            (["--max-ranks", "-4", "mandelbrot"], "'-4'"),
            (["--timeout", "soon", "mandelbrot"], "'soon'"),
            (["mandelbrot", "--report-json", "x.json"], "--report-json"),
        ]:
            expect_refusal(args.script, base + bad_args, named, where=out)

        plain = os.path.join(tmp, "plain")
        with open(plain, "w", encoding="utf-8") as f:
            f.write("a file\n")
        below = os.path.join(plain, "out")
        expect_refusal(args.script, ["--build", args.build, "--out", below, "mandelbrot"], below)

        for name, text in [("missing.json", None), ("garbage.json", "not json {"),
                           ("no_ranks.json", '{"ranks": []}'),
                           ("bad_rank.json",
                            '{"ranks": [{"busy_seconds": -1, "wait_seconds": 0}]}')]:
            path = os.path.join(tmp, name)
            if text is not None:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
            png = os.path.join(tmp, name + ".png")
            expect_refusal(args.script, ["--busy-wait", path, "--out", png], name, where=png)

        # A run that fails: the rank count, the app's exit code and message; nothing drawn.
        line = expect_refusal(args.script, base + ["--ranks", "1,2", "--repeat", "1", "mandelbrot",
                                                   "--width", "0"], "exit code 2", code=1)
        if "at 1 rank(s)" not in line or "--width" not in line:
            fail(f"the failure line names neither the rank count nor the app's message: {line}")
        left = sorted(name for name in os.listdir(out) if name != "reports")
        if left:
            fail(f"a failed study left {left} in {out}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("check", choices=["run", "refusals"])
    parser.add_argument("--script", required=True)
    parser.add_argument("--build", required=True)
    args = parser.parse_args()
    if not (shutil.which("gnuplot") or shutil.which("gnuplot-nox")):
        print("SKIPPED: gnuplot is not installed (scripts/test installs gnuplot-nox)")
        sys.exit(77)
    {"run": check_run, "refusals": check_refusals}[args.check](args)
    print(f"OK: scaling {args.check}")


if __name__ == "__main__":
    main()
