#!/usr/bin/env python3
"""End-to-end checks of the kmeans app under mpiexec, one check per ctest test (CMakeLists.txt).

Usage: kmeans_test.py CHECK --app PATH [--ranks N...] -- LAUNCHER...
LAUNCHER is the mpiexec command line with {np} where the rank count goes and {app} where the program
goes, e.g.  mpiexec -n {np} --oversubscribe {app}.  App arguments are appended after it.
The reference is a plain Lloyd's algorithm written below, started from the centroids the app
wrote with --initial-centroids (its k-means++ seeds), so the two must agree on every iteration.
Exit status 0 = pass; a failure prints the command line that failed, so it can be rerun by hand.
"""

import argparse
import math
import os
import random
import shlex
import tempfile

import app_launch
from app_launch import fail


def run(launcher, np, app_args, timeout=120):
    # No test here signals mpirun, so none needs its kill grace (see app_launch.run).
    return app_launch.run(launcher, np, app_args, timeout, text=True, no_kill_grace=True)


def run_many(launcher, runs):
    return app_launch.run_many(launcher, runs, timeout=120)


def fields(cmd, proc):
    """The app's `key value` lines as a dict; fails unless the run succeeded."""
    if proc.returncode != 0:
        fail(f"exit code {proc.returncode}: {shlex.join(cmd)}\n{proc.stdout}{proc.stderr}")
    out = {}
    for line in proc.stdout.splitlines():
        key, _, value = line.partition(" ")
        out[key] = value.strip()
    for key in ("iterations", "converged", "inertia", "empty_clusters", "ranks"):
        if key not in out:
            fail(f"no '{key}' line in the output of {shlex.join(cmd)}:\n{proc.stdout}")
    return out


# --- the reference: Lloyd's algorithm, written plainly -------------------------------------------

def squared_distance(x, c):
    # Coordinate by coordinate, as the app sums: the same rounding, so the same nearest centroid.
    total = 0.0
    for a, b in zip(x, c):
        diff = a - b
        total += diff * diff
    return total


def nearest(x, centroids):
    best, best_d = 0, squared_distance(x, centroids[0])
    for j in range(1, len(centroids)):
        d = squared_distance(x, centroids[j])
        if d < best_d:  # ties go to the lowest index
            best, best_d = j, d
    return best, best_d


def lloyd(points, initial, max_iterations, tolerance):
    """Returns (centroids, labels, inertia, iterations, converged). An empty cluster keeps its
    centroid; the labels and inertia are those of the final centroids."""
    centroids = [list(c) for c in initial]
    k, dims = len(centroids), len(centroids[0])
    iterations, converged = 0, False
    while iterations < max_iterations:
        sums = [[0.0] * dims for _ in range(k)]
        counts = [0] * k
        for x in points:
            j, _ = nearest(x, centroids)
            counts[j] += 1
            for t in range(dims):
                sums[j][t] += x[t]
        shift = 0.0
        for j in range(k):
            if counts[j] == 0:
                continue
            moved = 0.0
            for t in range(dims):
                mean = sums[j][t] / counts[j]
                moved += (mean - centroids[j][t]) ** 2
                centroids[j][t] = mean
            shift = max(shift, math.sqrt(moved))
        iterations += 1
        if shift <= tolerance:
            converged = True
            break
    labels, inertia = [], 0.0
    for x in points:
        j, d = nearest(x, centroids)
        labels.append(j)
        inertia += d
    return centroids, labels, inertia, iterations, converged


# --- files -----------------------------------------------------------------------------------------

def write_points(path, points, header=True):
    with open(path, "w") as f:
        if header:
            f.write(",".join(f"c{t}" for t in range(len(points[0]))) + "\n")
        for p in points:
            f.write(",".join(repr(v) for v in p) + "\n")


def read_rows(path):
    """A CSV the app wrote: its header and its rows of numbers."""
    with open(path) as f:
        lines = f.read().splitlines()
    return lines[0], [[float(v) for v in line.split(",")] for line in lines[1:]]


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def blobs(rng, centres, per_blob, spread):
    """Points around `centres`, shuffled; returns (points, true blob of each point)."""
    labelled = [([c + rng.gauss(0.0, spread) for c in centre], b)
                for b, centre in enumerate(centres) for _ in range(per_blob)]
    rng.shuffle(labelled)
    return [p for p, _ in labelled], [b for _, b in labelled]


def overlapping_points():
    """1500 points in 3-D around 4 blobs that touch, so Lloyd takes a good number of steps."""
    rng = random.Random(4242)
    centres = [[rng.uniform(-4, 4) for _ in range(3)] for _ in range(4)]
    return blobs(rng, centres, 375, 1.5)[0]


# --- checks ----------------------------------------------------------------------------------------

def run_and_collect(launcher, np, args, folder, tag):
    """Runs the app writing all its files into `folder`/`tag`-*; returns (fields, paths)."""
    paths = {name: os.path.join(folder, f"{tag}-{name}.csv")
             for name in ("initial", "centroids", "assignments")}
    cmd, proc = run(launcher, np, args + ["--initial-centroids", paths["initial"],
                                          "--centroids", paths["centroids"],
                                          "--assignments", paths["assignments"]])
    got = fields(cmd, proc)
    if got["ranks"] != str(np):
        fail(f"asked for {np} ranks, app reports {got['ranks']}: {shlex.join(cmd)}")
    return cmd, got, paths


def compare_with_reference(cmd, got, paths, points, max_iterations, tolerance):
    where = shlex.join(cmd)
    _, initial = read_rows(paths["initial"])
    _, centroids = read_rows(paths["centroids"])
    header, assignment_rows = read_rows(paths["assignments"])
    labels = [int(r[0]) for r in assignment_rows]
    if header != "cluster" or len(labels) != len(points):
        fail(f"assignments file: header {header!r}, {len(labels)} rows for {len(points)} points: "
             f"{where}")
    # k-means++ seeds are distinct input points (when the points are).
    as_points = {tuple(p) for p in points}
    if any(tuple(c) not in as_points for c in initial):
        fail(f"an initial centroid is not one of the points: {where}")
    if len({tuple(c) for c in initial}) != len(initial):
        fail(f"the initial centroids repeat a point: {where}")
    ref_centroids, ref_labels, ref_inertia, ref_iterations, ref_converged = lloyd(
        points, initial, max_iterations, tolerance)
    if int(got["iterations"]) != ref_iterations:
        fail(f"{got['iterations']} iterations, the reference took {ref_iterations}: {where}")
    if (got["converged"] == "yes") != ref_converged:
        fail(f"converged {got['converged']}, the reference says {ref_converged}: {where}")
    if labels != ref_labels:
        first = next(i for i, (a, b) in enumerate(zip(labels, ref_labels)) if a != b)
        fail(f"point {first} is in cluster {labels[first]}, the reference says "
             f"{ref_labels[first]}: {where}")
    worst = max(abs(a - b) for c, r in zip(centroids, ref_centroids) for a, b in zip(c, r))
    if len(centroids) != len(ref_centroids) or worst > 1e-9:
        fail(f"centroids differ from the reference by {worst:.3e}: {where}")
    inertia = float(got["inertia"])
    if abs(inertia - ref_inertia) > 1e-9 * max(1.0, ref_inertia):
        fail(f"inertia {inertia!r}, the reference {ref_inertia!r}: {where}")
    return ref_iterations, worst


def check_reference(launcher, ranks):
    """CSV input: agrees with the plain Lloyd, and every file is the same bytes at every rank count
    and schedule."""
    points = overlapping_points()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "points.csv")
        write_points(path, points)
        # Until convergence (tolerance 0: until the assignment stops changing), then cut short.
        for max_iterations, tolerance in ((300, "0"), (3, "1e-12")):
            args = [path, "-k", "4", "--seed", "9", "--chunk-size", "100",
                    "--max-iterations", str(max_iterations), "--tolerance", tolerance]
            other = 2 if 2 in ranks else ranks[-1]
            runs = [(np, "auto") for np in ranks] + [(other, s) for s in ("static", "dynamic",
                                                                          "guided")]
            first = None
            for np, schedule in runs:
                cmd, got, paths = run_and_collect(launcher, np, args + ["--schedule", schedule],
                                                  folder, f"np{np}-{schedule}")
                files = [read_bytes(p) for p in paths.values()]
                summary = (got["iterations"], got["converged"], got["inertia"])
                if first is None:
                    iterations, worst = compare_with_reference(cmd, got, paths, points,
                                                               max_iterations, float(tolerance))
                    first = (files, summary, np, schedule)
                    print(f"np {np}: {iterations} iterations, converged {got['converged']}, "
                          f"inertia {got['inertia']}; reference agrees (centroids within "
                          f"{worst:.1e})")
                    continue
                if summary != first[1]:
                    fail(f"{summary} at {np} ranks ({schedule}) differs from {first[1]} at "
                         f"{first[2]} ranks ({first[3]}): {shlex.join(cmd)}")
                for name, a, b in zip(paths, files, first[0]):
                    if a != b:
                        fail(f"{name} file at {np} ranks ({schedule}) differs from the one at "
                             f"{first[2]} ranks ({first[3]}): {shlex.join(cmd)}")
                print(f"np {np} {schedule}: same files and summary as np {first[2]}")
        if first[1][1] != "no":
            fail("the run cut short at 3 iterations should not have converged")


def check_generated(launcher, ranks):
    """--generate: the same points and results at every rank count, in agreement with the
    reference; another seed gives other points."""
    # Blobs that overlap (spread 4 in a box of side 20): some 27 iterations.
    args = ["--generate", "3000", "--dims", "4", "--blobs", "6", "-k", "5", "--seed", "11",
            "--spread", "4", "--chunk-size", "256"]
    with tempfile.TemporaryDirectory() as folder:
        first = None
        for np in ranks:
            points_path = os.path.join(folder, f"np{np}-points.csv")
            cmd, got, paths = run_and_collect(launcher, np, args + ["--write-points", points_path],
                                              folder, f"np{np}")
            files = [read_bytes(p) for p in list(paths.values()) + [points_path]]
            if first is None:
                header, points = read_rows(points_path)
                if header != "x1,x2,x3,x4" or len(points) != 3000 or len(points[0]) != 4:
                    fail(f"points file: header {header!r}, {len(points)} rows: {shlex.join(cmd)}")
                iterations, worst = compare_with_reference(cmd, got, paths, points, 300, 0.0)
                first = (files, got["inertia"], np)
                print(f"np {np}: {iterations} iterations, inertia {got['inertia']}; reference "
                      f"agrees (centroids within {worst:.1e})")
            elif files != first[0] or got["inertia"] != first[1]:
                fail(f"files or inertia at {np} ranks differ from those at {first[2]}: "
                     f"{shlex.join(cmd)}")
            else:
                print(f"np {np}: same points, centroids, assignments and inertia")
        other = os.path.join(folder, "seed12.csv")
        seed12 = [a if a != "11" else "12" for a in args]
        cmd, proc = run(launcher, ranks[0], seed12 + ["--write-points", other])
        fields(cmd, proc)
        if read_bytes(other) == first[0][3]:
            fail(f"seeds 11 and 12 generated the same points: {shlex.join(cmd)}")


def expected_chunk_size(points):
    """The default chunk size as documented: about 1024 points, all chunks of one size."""
    chunks = max(1, (points + 512) // 1024)  # rounded half up
    return -(-points // chunks)


def check_default_chunk(launcher, ranks):
    """Without --chunk-size the app picks chunks of about 1024 points, all of one size (10 of 1000
    for 10^4 points), and its results are those of that chunk size given explicitly, at every rank
    count."""
    with tempfile.TemporaryDirectory() as folder:
        for points in (1, 700, 1536, 10000, 25000):
            want = expected_chunk_size(points)
            args = ["--generate", str(points), "--dims", "3", "--blobs", "4", "-k",
                    str(min(points, 4)), "--seed", "5", "--max-iterations", "40"]
            cmd, explicit, explicit_paths = run_and_collect(
                launcher, ranks[0], args + ["--chunk-size", str(want)], folder, f"{points}-given")
            if explicit["chunk_size"] != str(want):
                fail(f"chunk_size {explicit['chunk_size']}, asked for {want}: {shlex.join(cmd)}")
            expected_files = [read_bytes(p) for p in explicit_paths.values()]
            for np in ranks:
                cmd, got, paths = run_and_collect(launcher, np, args, folder, f"{points}-np{np}")
                if got["chunk_size"] != str(want):
                    fail(f"default chunk_size {got['chunk_size']} for {points} points, expected "
                         f"{want}: {shlex.join(cmd)}")
                if (got["inertia"], got["iterations"]) != (explicit["inertia"],
                                                           explicit["iterations"]) or \
                        [read_bytes(p) for p in paths.values()] != expected_files:
                    fail(f"the default chunk size at {np} ranks gives other results than "
                         f"--chunk-size {want} at {ranks[0]}: {shlex.join(cmd)}")
            print(f"{points} points: chunks of {want}, the same results at ranks {ranks}")


def check_blobs(launcher, ranks):
    """Well-separated blobs are found: every true centre has a centroid near it, and every blob
    is one cluster."""
    centres = [[0.0, 0.0], [40.0, 0.0], [0.0, 40.0], [40.0, 40.0], [20.0, 20.0], [-40.0, 20.0]]
    rng = random.Random(77)
    points, truth = blobs(rng, centres, 200, 0.5)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "blobs.csv")
        write_points(path, points, header=False)
        for np, seed in zip(ranks * 3, ("1", "2", "3")):
            cmd, got, paths = run_and_collect(launcher, np, [path, "-k", "6", "--seed", seed],
                                              folder, f"seed{seed}")
            where = shlex.join(cmd)
            _, centroids = read_rows(paths["centroids"])
            _, rows = read_rows(paths["assignments"])
            for centre in centres:
                gap = min(math.dist(centre, c) for c in centroids)
                if gap > 0.3:
                    fail(f"no centroid within 0.3 of the blob centre {centre} (nearest {gap:.3f}): "
                         f"{where}")
            cluster_of_blob = {}
            for label, blob in zip((int(r[0]) for r in rows), truth):
                if cluster_of_blob.setdefault(blob, label) != label:
                    fail(f"blob {blob} is split between clusters: {where}")
            if len(set(cluster_of_blob.values())) != len(centres):
                fail(f"two blobs share a cluster: {where}")
            print(f"np {np} seed {seed}: all {len(centres)} blobs recovered in "
                  f"{got['iterations']} iterations")


def check_empty_cluster(launcher, ranks):
    """Three distinct points (each five times) and k = 4: k-means++ runs out of points away from
    its centroids and repeats point 0; the repeat gets no points and keeps its place."""
    points = [[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]] * 5
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "three.csv")
        write_points(path, points)
        for np in ranks:
            cmd, got, paths = run_and_collect(launcher, np, [path, "-k", "4", "--seed", "5"],
                                              folder, f"np{np}")
            where = shlex.join(cmd)
            _, initial = read_rows(paths["initial"])
            _, centroids = read_rows(paths["centroids"])
            if initial[3] != points[0] or sorted(initial[:3]) != sorted(points[:3]):
                fail(f"initial centroids {initial}: expected the 3 points, then point 0: {where}")
            ref_centroids, ref_labels, ref_inertia, _, _ = lloyd(points, initial, 300, 0.0)
            if centroids != ref_centroids or got["empty_clusters"] != "1" or ref_inertia != 0:
                fail(f"centroids {centroids} ({got['empty_clusters']} empty), expected "
                     f"{ref_centroids} with one empty: {where}")
            print(f"np {np}: one empty cluster, kept at {centroids[3]}")


# Malformed inputs: (file name, contents, text the one stderr line must contain).
BAD_FILES = [
    ("cell.csv", "x,y\n1,2\n3,abc\n", "line 3, field 2: 'abc'"),
    ("ragged.csv", "1,2\n3,4\n5,6,7\n", "line 3: 3 fields"),
    ("short.csv", "a,b,c\n1,2,3\n\n4,5\n", "line 4: 2 fields"),
    ("empty.csv", "", "no data rows"),
    ("header_only.csv", "x,y\n", "no data rows"),
    ("blank.csv", "\n  \n", "no data rows"),
    ("nan.csv", "1,2\n3,nan\n", "line 2, field 2: 'nan'"),
    ("inf.csv", "1,2\n-inf,3\n", "line 2, field 1: '-inf'"),
    ("huge.csv", "1,2\n1e999,3\n", "line 2, field 1: '1e999'"),
    ("empty_field.csv", "1,2\n3,\n", "line 2, field 2: ''"),
    # No number on line 1, so it reads as a header; line 2 then is not numbers.
    ("semicolons.csv", "1;2\n3;4\n", "line 2, field 1: '3;4'"),
]


def expect_one_line_exit_2(cmd, proc, named):
    return app_launch.expect_one_line_exit_2(cmd, proc, "kmeans", named)


# The cases also run at more than one rank (the paths are shared, so a few show that only rank 0
# speaks and that no rank hangs; each run that fails costs mpirun two idle seconds).
MANY_RANKS_FILES = {"cell.csv", "ragged.csv", "empty.csv", "missing.csv"}


def check_bad_input(launcher, ranks):
    with tempfile.TemporaryDirectory() as folder:
        cases = []
        for name, text, named in BAD_FILES:
            path = os.path.join(folder, name)
            with open(path, "w") as f:
                f.write(text)
            cases.append(([path, "-k", "1"], named))
        cases.append(([os.path.join(folder, "missing.csv"), "-k", "1"], "missing.csv"))
        cases.append(([folder, "-k", "1"], "is a directory"))
        runs = [(np, args, named) for np in ranks for args, named in cases
                if np == 1 or os.path.basename(args[0]) in MANY_RANKS_FILES]
        results = run_many(launcher, [(np, args) for np, args, _ in runs])
        for (np, args, named), (cmd, proc) in zip(runs, results):
            line = expect_one_line_exit_2(cmd, proc, named)
            print(f"np {np} {os.path.basename(args[0])}: exit 2, {line}")


def check_bad_arguments(launcher, ranks):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "three.csv")
        write_points(path, [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
        cases = [
            ([path, "-k", "0"], "'0'"),
            ([path, "-k", "abc"], "abc"),
            ([path, "-k", "4"], "--clusters 4 exceeds the number of points (3)"),
            ([path], "--clusters"),
            (["-k", "2"], "--generate"),
            ([path, "-k", "2", "--generate", "10"], "not both"),
            ([path, "-k", "2", "--dims", "3"], "--dims"),
            ([path, "-k", "2", "--spread", "3"], "--spread"),
            (["-k", "2", "--generate", "0"], "--generate"),
            (["-k", "2", "--generate", "1"], "--clusters 2 exceeds the number of points (1)"),
            (["-k", "2", "--generate", "10", "--dims", "0"], "--dims"),
            (["-k", "2", "--generate", "10", "--spread", "-1"], "-1"),
            (["-k", "2", "--generate", "10", "--blobs", "x"], "'x'"),
            ([path, "-k", "2", "--tolerance", "-1"], "-1"),
            ([path, "-k", "2", "--tolerance", "abc"], "abc"),
            ([path, "-k", "2", "--max-iterations", "-1"], "-1"),
            ([path, "-k", "2", "--seed", "1.5"], "1.5"),
            ([path, "-k", "2", "--chunk-size", "-1"], "--chunk-size"),
            ([path, "-k", "2", "--schedule", "nope"], "nope"),
            ([path, "-k", "2", "--centroids", ""], "--centroids"),
            ([path, "-k", "2", "--bogus"], "--bogus"),
            ([path, path, "-k", "2"], "three.csv"),
        ]
        # At more than one rank: every third case, the run-time check of k among them.
        runs = [(np, args, named) for np in ranks for i, (args, named) in enumerate(cases)
                if np == 1 or i % 3 == 2]
        results = run_many(launcher, [(np, args) for np, args, _ in runs])
        for (np, args, named), (cmd, proc) in zip(runs, results):
            line = expect_one_line_exit_2(cmd, proc, named)
            print(f"np {np} {shlex.join(args[1:] if args and args[0] == path else args)}: "
                  f"exit 2, {line}")


def check_outputs(launcher, ranks):
    """Outputs that cannot be written: refused before any work, and no output file at all (not
    even those that could have been written)."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "three.csv")
        write_points(path, [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
        good = os.path.join(folder, "centroids.csv")
        cases = [
            (["--assignments", os.path.join(folder, "no_such_folder", "a.csv")], "no_such_folder"),
            (["--initial-centroids", folder], "is a directory"),
            (["--write-points", os.path.join(path, "p.csv")], "three.csv"),
        ]
        runs = [(np, [path, "-k", "2", "--centroids", good] + args, named)
                for np in ranks for args, named in cases]
        results = run_many(launcher, [(np, args) for np, args, _ in runs])
        for (np, args, named), (cmd, proc) in zip(runs, results):
            line = expect_one_line_exit_2(cmd, proc, named)
            left = sorted(os.listdir(folder))
            if left != ["three.csv"]:
                fail(f"files left behind: {left}: {shlex.join(cmd)}")
            print(f"np {np}: exit 2, {line}; no file written")


def check_help(launcher, ranks):
    mentions = ("--clusters", "--seed", "--max-iterations", "--tolerance", "--generate", "--dims",
                "--blobs", "--centroids", "--assignments", "--initial-centroids", "--schedule")
    app_launch.expect_help(launcher, ranks, mentions)


CHECKS = {
    "reference": check_reference,
    "generated": check_generated,
    "blobs": check_blobs,
    "default_chunk": check_default_chunk,
    "empty_cluster": check_empty_cluster,
    "bad_input": check_bad_input,
    "bad_arguments": check_bad_arguments,
    "outputs": check_outputs,
    "help": check_help,
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("check", choices=list(CHECKS))
    parser.add_argument("--app", required=True, help="path of the kmeans executable")
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2, 3, 4])
    opts, launcher = app_launch.parse_with_launcher(parser, "{app}", "app")
    CHECKS[opts.check](launcher, opts.ranks)
    print("PASS")


if __name__ == "__main__":
    main()
