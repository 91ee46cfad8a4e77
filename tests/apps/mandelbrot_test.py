#!/usr/bin/env python3
"""End-to-end checks of the mandelbrot app under mpiexec, one check per ctest test (see
CMakeLists.txt). The images are decoded here (PNG: IHDR, IDAT, zlib, the five row filters) and
compared pixel for pixel with a plain Python rendering of the same escape-time iteration and
palette.

Usage: mandelbrot_test.py CHECK --app PATH [--ranks N...] [--schedule S] -- LAUNCHER...
LAUNCHER is the mpiexec command line with {np} where the rank count goes and {app} where the program
goes. Exit status 0 = pass; a failure prints the command line that failed.
"""

import argparse
import os
import re
import shlex
import struct
import tempfile
import zlib

import app_launch
from app_launch import fail

# --- The reference: the same double operations in the same order as apps/mandelbrot/fractal.hpp,
# --- and the same integer palette as apps/mandelbrot/palette.hpp.

ANCHORS = [(0, 7, 100), (32, 107, 203), (237, 255, 255), (255, 170, 0), (0, 2, 0)]
STEPS = 16


def colour(n, max_iterations):
    if n >= max_iterations:
        return (0, 0, 0)
    segment, t = divmod(n % (len(ANCHORS) * STEPS), STEPS)
    a, b = ANCHORS[segment], ANCHORS[(segment + 1) % len(ANCHORS)]
    return tuple((a[k] * (STEPS - t) + b[k] * t) // STEPS for k in range(3))


def escape_count(z_re, z_im, c_re, c_im, max_iterations):
    n = 0
    while n < max_iterations:
        re2 = z_re * z_re
        im2 = z_im * z_im
        if re2 + im2 > 4.0:
            break
        z_im = 2.0 * z_re * z_im + c_im
        z_re = re2 - im2 + c_re
        n += 1
    return n


def reference(view):
    """(rows of (r, g, b) pixels, sum of escape counts) for a view dict as in VIEWS."""
    width, height, max_iterations = view["width"], view["height"], view["max_iterations"]
    center_re, center_im = float(view["center_x"]), float(view["center_y"])
    step = float(view["view_width"]) / width
    half_w, half_h = (width - 1.0) / 2.0, (height - 1.0) / 2.0
    julia = [float(part) for part in view["julia"].split(",")] if "julia" in view else None
    rows, total = [], 0
    for y in range(height):
        im = center_im - (y - half_h) * step
        row = []
        for x in range(width):
            re_ = center_re + (x - half_w) * step
            if julia:
                n = escape_count(re_, im, julia[0], julia[1], max_iterations)
            else:
                n = escape_count(0.0, 0.0, re_, im, max_iterations)
            total += n
            row.append(colour(n, max_iterations))
        rows.append(row)
    return rows, total


def app_arguments(view):
    args = ["--width", str(view["width"]), "--height", str(view["height"]),
            f"--center-x={view['center_x']}", f"--center-y={view['center_y']}",
            "--view-width", view["view_width"], "--max-iterations", str(view["max_iterations"])]
    if "julia" in view:
        args.append(f"--julia={view['julia']}")
    return args


# Small views, so the Python reference stays well under a second each: the whole set; a zoom into
# the seahorse valley (uneven rows, odd sizes: the centre falls on a pixel); a Julia set.
VIEWS = {
    "whole": dict(width=64, height=48, center_x="-0.75", center_y="0", view_width="3.2",
                  max_iterations=200),
    "seahorse": dict(width=63, height=37, center_x="-0.7453", center_y="0.1127",
                     view_width="0.02", max_iterations=500),
    "julia": dict(width=64, height=48, center_x="0", center_y="0", view_width="3.2",
                  max_iterations=200, julia="-0.8,0.156"),
    "julia_offset": dict(width=40, height=50, center_x="0.3", center_y="-0.2", view_width="1.5",
                         max_iterations=300, julia="-0.122,0.745"),
}

# --- A PNG reader: 8-bit RGB, not interlaced, any of the five row filters.


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode_png(data):
    """Rows of (r, g, b) pixels; raises ValueError on anything but a valid 8-bit RGB PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("no PNG signature")
    pos, header, idat, seen_end = 8, None, b"", False
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if zlib.crc32(kind + body) != crc:
            raise ValueError(f"bad CRC in chunk {kind!r}")
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            seen_end = True
            break
    if header is None or not seen_end or pos != len(data):
        raise ValueError("missing IHDR or IEND, or bytes after IEND")
    width, height, depth, colour_type, compression, filter_method, interlace = header
    if (depth, colour_type, compression, filter_method, interlace) != (8, 2, 0, 0, 0):
        raise ValueError(f"not an 8-bit RGB non-interlaced PNG: IHDR {header}")
    raw = zlib.decompress(idat)
    stride, bpp = 3 * width, 3
    if len(raw) != height * (stride + 1):
        raise ValueError(f"{len(raw)} bytes of image data for {width}x{height}")
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            up_left = previous[i - bpp] if i >= bpp else 0
            if kind == 0:
                predicted = 0
            elif kind == 1:
                predicted = left
            elif kind == 2:
                predicted = up
            elif kind == 3:
                predicted = (left + up) // 2
            elif kind == 4:
                predicted = paeth(left, up, up_left)
            else:
                raise ValueError(f"row {y} has filter type {kind}")
            line[i] = (line[i] + predicted) & 0xFF
        rows.append([tuple(line[x * 3:x * 3 + 3]) for x in range(width)])
        previous = line
    return rows


# --- Running the app.

SUMMARY = re.compile(r"^wrote (.+?)(?: \(Julia set of c = [^)]*\))?: (\d+)x(\d+) pixels, "
                     r"(\d+) iterations \(at most (\d+) per pixel\); rendered in [0-9.]+ s on "
                     r"(\d+) rank\(s\)")


def run(launcher, np, app_args, timeout=120):
    # No test here signals mpirun, so none needs its kill grace (see app_launch.run).
    return app_launch.run(launcher, np, app_args, timeout, text=True, no_kill_grace=True)


def render(launcher, np, args, output):
    """Runs the app; returns (summary match, file bytes)."""
    cmd, proc = run(launcher, np, args + ["--output", output])
    where = shlex.join(cmd)
    if proc.returncode != 0:
        fail(f"exit code {proc.returncode} from {where}\n{proc.stdout}{proc.stderr}")
    lines = proc.stdout.splitlines()
    if len(lines) != 1 or not SUMMARY.match(lines[0]):
        fail(f"expected one summary line (from rank 0 only), got: {where}\n{proc.stdout}")
    summary = SUMMARY.match(lines[0])
    if summary.group(1) != output or int(summary.group(6)) != np:
        fail(f"summary names {summary.group(1)} on {summary.group(6)} ranks: {where}\n{lines[0]}")
    if proc.stderr:
        fail(f"unexpected stderr: {where}\n{proc.stderr}")
    with open(output, "rb") as f:
        data = f.read()
    leftovers = [n for n in os.listdir(os.path.dirname(output)) if ".tmp." in n]
    if leftovers:
        fail(f"temporary files left beside the output: {leftovers}: {where}")
    return cmd, summary, data


def check_reference(launcher, ranks, views):
    schedules = ["static", "dynamic", "guided", "auto"]
    with tempfile.TemporaryDirectory() as folder:
        for name in views:
            view = VIEWS[name]
            expected, expected_total = reference(view)
            black = sum(p == (0, 0, 0) for row in expected for p in row)
            if black == 0 or black == view["width"] * view["height"]:
                fail(f"view {name} is all inside or all outside: a weak test")
            for i, np in enumerate(ranks):
                schedule = schedules[i % len(schedules)]
                args = app_arguments(view) + ["--schedule", schedule, "--chunk-size", "2"]
                output = os.path.join(folder, f"{name}.{np}.png")
                cmd, summary, data = render(launcher, np, args, output)
                where = shlex.join(cmd)
                try:
                    got = decode_png(data)
                except (ValueError, zlib.error, struct.error) as e:
                    fail(f"{output} is not a valid 8-bit RGB PNG ({e}): {where}")
                if len(got) != view["height"] or any(len(r) != view["width"] for r in got):
                    fail(f"image is not {view['width']}x{view['height']}: {where}")
                wrong = [(x, y) for y in range(view["height"]) for x in range(view["width"])
                         if got[y][x] != expected[y][x]]
                if wrong:
                    x, y = wrong[0]
                    fail(f"{len(wrong)} pixels differ from the reference, first at x={x} y={y}: "
                         f"{got[y][x]} instead of {expected[y][x]}: {where}")
                if int(summary.group(4)) != expected_total:
                    fail(f"summary says {summary.group(4)} iterations, reference "
                         f"{expected_total}: {where}")
                print(f"{name} np {np} {schedule}: {view['width']}x{view['height']} pixels as the "
                      f"reference ({black} inside), {expected_total} iterations")


# Uneven rows: a zoom where some rows are nearly all inside the set and others escape at once.
SAME_BITS_VIEW = dict(width=96, height=71, center_x="-0.16", center_y="1.0405",
                      view_width="0.05", max_iterations=2000)


def check_same_bits(launcher, ranks, schedule, chunk_sizes):
    with tempfile.TemporaryDirectory() as folder:
        base = app_arguments(SAME_BITS_VIEW)
        reference_path = os.path.join(folder, "reference.png")
        _, reference_summary, reference_bytes = render(
            launcher, 1, base + ["--schedule", "static", "--chunk-size", "1"], reference_path)
        for np in ranks:
            for chunk_size in chunk_sizes:
                output = os.path.join(folder, f"np{np}.{chunk_size}.png")
                cmd, summary, data = render(
                    launcher, np, base + ["--schedule", schedule, "--chunk-size", chunk_size],
                    output)
                if data != reference_bytes:
                    fail(f"{output} differs from the 1-rank static image: {shlex.join(cmd)}")
                if summary.group(4) != reference_summary.group(4):
                    fail(f"{summary.group(4)} iterations, 1 rank static gave "
                         f"{reference_summary.group(4)}: {shlex.join(cmd)}")
                print(f"np {np} {schedule} chunk {chunk_size}: same {len(data)} bytes as 1 rank "
                      f"static")


# Each bad command line must exit with 2, one line on stderr naming the offending text, and no file.
# One case per check the app itself makes (app_support's count parsing is tested with pi): a failing
# launch costs mpirun about 2 s, so the list stays short. {folder} is the test's empty folder.
BAD_ARGUMENTS = [
    (["--width", "0"], "'0'"),
    (["--width", "10000", "--height", "10000"], "10000x10000"),
    (["--max-iterations", "5e9"], "5e9"),
    (["--center-x", "nan"], "nan"),
    (["--center-y", "0.5x"], "0.5x"),
    (["--view-width", "-1"], "-1"),
    (["--julia", "1,2,3"], "1,2,3"),
    (["--schedule", "nope"], "nope"),
    (["--bogus"], "--bogus"),
]
# With several ranks, a few cases show that all ranks agree and nothing hangs.
QUICK_BAD_ARGUMENTS = [
    (["--width", "0"], "'0'"),
    (["--julia", "a,b"], "a,b"),
    (["--output", "{folder}/missing/out.png"], "missing"),
]


def expect_refusal(launcher, np, args, named, folder):
    cmd, proc = run(launcher, np, args)
    where = shlex.join(cmd)
    if proc.returncode != 2:
        fail(f"exit code {proc.returncode}, expected 2: {where}\n{proc.stdout}{proc.stderr}")
    lines = app_launch.app_stderr_lines(proc.stderr)
    if len(lines) != 1:
        fail(f"expected one line on stderr, got {len(lines)}: {where}\n{proc.stderr}")
    if named not in lines[0] or not lines[0].startswith("mandelbrot: "):
        fail(f"stderr does not name '{named}': {where}\n{proc.stderr}")
    if proc.stdout:
        fail(f"unexpected stdout: {where}\n{proc.stdout}")
    left = sorted(os.listdir(folder))
    if left:
        fail(f"files left in {folder}: {left}: {where}")
    return lines[0]


def check_bad_arguments(launcher, ranks, quick):
    with tempfile.TemporaryDirectory() as folder:
        # A small image keeps the run short should a bad argument be wrongly accepted.
        small = ["--width", "8", "--height", "8", "--output", os.path.join(folder, "out.png")]
        for np in ranks:
            for args, named in QUICK_BAD_ARGUMENTS if quick else BAD_ARGUMENTS:
                args = [a.replace("{folder}", folder) for a in args]
                line = expect_refusal(launcher, np, small + args, named, folder)
                print(f"np {np} {' '.join(args)}: exit 2, {line}")


def check_bad_output(launcher, ranks):
    with tempfile.TemporaryDirectory() as folder:
        work = os.path.join(folder, "work")
        os.mkdir(work)
        plain_file = os.path.join(folder, "plain")
        with open(plain_file, "w") as f:
            f.write("not a directory\n")
        cases = [
            (os.path.join(folder, "missing", "out.png"), "missing"),
            (work, work),                                      # an existing directory
            (work + "/", work),                                # names a directory
            (os.path.join(plain_file, "out.png"), "not a directory"),  # its directory is a file
            ("", "empty"),
        ]
        small = ["--width", "8", "--height", "8"]
        for np in ranks:
            for output, named in cases:
                before = sorted(os.listdir(folder))
                cmd, proc = run(launcher, np, small + ["--output", output])
                where = shlex.join(cmd)
                lines = proc.stderr.splitlines()
                if proc.returncode != 2 or len(lines) != 1 or named not in lines[0]:
                    fail(f"expected exit 2 and one line naming '{named}', got {proc.returncode}: "
                         f"{where}\n{proc.stderr}")
                if sorted(os.listdir(folder)) != before or os.listdir(work):
                    fail(f"files appeared: {sorted(os.listdir(folder))}: {where}")
                print(f"np {np} --output '{output}': exit 2, {lines[0]}")


def check_help(launcher, ranks):
    mentions = ("--width", "--height", "--center-x", "--center-y", "--view-width",
                "--max-iterations", "--julia", "--output", "--schedule", "--chunk-size")
    app_launch.expect_help(launcher, ranks, mentions)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("check", choices=["reference", "same_bits", "bad_arguments", "bad_output",
                                          "help"])
    parser.add_argument("--app", required=True, help="path of the mandelbrot executable")
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--views", nargs="+", choices=sorted(VIEWS), default=sorted(VIEWS))
    parser.add_argument("--schedule", default="dynamic")
    parser.add_argument("--chunk-sizes", nargs="+", default=["1", "5"])
    parser.add_argument("--quick", action="store_true", help="bad_arguments: a few cases only")
    opts, launcher = app_launch.parse_with_launcher(parser, "{app}", "app")
    if opts.check == "reference":
        check_reference(launcher, opts.ranks, opts.views)
    elif opts.check == "same_bits":
        check_same_bits(launcher, opts.ranks, opts.schedule, opts.chunk_sizes)
    elif opts.check == "bad_arguments":
        check_bad_arguments(launcher, opts.ranks, opts.quick)
    elif opts.check == "bad_output":
        check_bad_output(launcher, opts.ranks)
    else:
        check_help(launcher, opts.ranks)
    print("PASS")


if __name__ == "__main__":
    main()
