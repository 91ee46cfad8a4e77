#!/usr/bin/env python3
"""End-to-end checks of the pagerank app under mpiexec, one check per ctest test (CMakeLists.txt).

Usage: pagerank_test.py CHECK --app PATH [--ranks N...] -- LAUNCHER...
LAUNCHER is the mpiexec command line with {np} where the rank count goes and {app} where the program
goes, e.g.  mpiexec -n {np} --oversubscribe {app}.  App arguments are appended after it.
The reference is a plain power iteration written below (duplicate edges count once, a self-loop is
an out-link, the dangling vertices' rank is spread evenly over all vertices, stop once the L1
change of an iteration is below the tolerance), on the same edge-list files the app reads.
Exit status 0 = pass; a failure prints the command line that failed, so it can be rerun by hand.
"""

import argparse
import os
import shlex
import tempfile

import app_launch
from app_launch import fail

TIMING_KEYS = {"ranks", "schedule", "chunk_size", "setup_seconds", "loop_seconds",
               "iteration_seconds", "first_iteration_seconds"}


def run(launcher, np, app_args, timeout=120):
    # No test here signals mpirun, so none needs its kill grace (see app_launch.run).
    return app_launch.run(launcher, np, app_args, timeout, text=True, no_kill_grace=True)


def run_many(launcher, runs):
    return app_launch.run_many(launcher, runs, timeout=120)


def summary(cmd, proc):
    """The app's `key value` lines as a dict and its `top id rank` lines as a list; fails unless
    the run succeeded."""
    if proc.returncode != 0:
        fail(f"exit code {proc.returncode}: {shlex.join(cmd)}\n{proc.stdout}{proc.stderr}")
    out, top = {}, []
    for line in proc.stdout.splitlines():
        key, _, value = line.partition(" ")
        if key == "top":
            vertex, rank = value.split()
            top.append((int(vertex), rank))
        else:
            out[key] = value.strip()
    for key in ("vertices", "edges", "dangling", "iterations", "converged", "l1_change",
                "rank_sum", "ranks", "iteration_seconds"):
        if key not in out:
            fail(f"no '{key}' line in the output of {shlex.join(cmd)}:\n{proc.stdout}")
    return out, top


# --- the reference: power iteration, written plainly ---------------------------------------------

def read_edges(path):
    """(src, dst) pairs of an edge-list file: blank lines and '#' comments skipped."""
    edges = []
    with open(path, newline="") as f:
        for line in f:
            fields = line.rstrip("\n").rstrip("\r").replace("\t", " ").split(" ")
            fields = [x for x in fields if x]
            if not fields or fields[0].startswith("#"):
                continue
            src, dst = fields
            edges.append((int(src), int(dst)))
    return edges


def pagerank(edges, damping, tolerance, max_iterations):
    """-> (ids ascending, ranks by id, iterations, converged, last L1 change, graph facts)."""
    ids = sorted({v for edge in edges for v in edge})
    index = {v: i for i, v in enumerate(ids)}
    n = len(ids)
    links = sorted({(index[a], index[b]) for a, b in edges})  # a duplicate edge counts once
    out_degree = [0] * n
    in_links = [[] for _ in range(n)]
    for a, b in links:  # sorted by source: each in-link list ascends
        out_degree[a] += 1
        in_links[b].append(a)
    weight = [1.0 / d if d else 0.0 for d in out_degree]
    dangling = [j for j in range(n) if out_degree[j] == 0]
    x = [1.0 / n] * n
    iterations, converged, change = 0, False, 0.0
    while iterations < max_iterations:
        mass = 0.0
        for j in dangling:
            mass += x[j]
        base = (1.0 - damping) / n + damping * mass / n
        new = []
        for i in range(n):
            total = 0.0
            for j in in_links[i]:
                total += weight[j] * x[j]
            new.append(damping * total + base)
        change = 0.0
        for a, b in zip(new, x):
            change += abs(a - b)
        x = new
        iterations += 1
        if change < tolerance:
            converged = True
            break
    facts = {"vertices": n, "edges": len(links), "dangling": len(dangling)}
    return ids, x, iterations, converged, change, facts


def read_ranks(path, where):
    with open(path) as f:
        lines = f.read().splitlines()
    if not lines or lines[0] != "id,rank":
        fail(f"{path} does not start with the header 'id,rank': {where}")
    rows = []
    for line in lines[1:]:
        vertex, rank = line.split(",")
        rows.append((int(vertex), float(rank)))
    return rows


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def compare(cmd, got, top, csv_path, reference, expect_top):
    """The app's run against the reference: graph facts, iterations, convergence, every rank
    within 1e-12, the sum within 1e-12 of 1, and the top lines against the app's own file."""
    where = shlex.join(cmd)
    ids, x, iterations, converged, change, facts = reference
    for key, value in facts.items():
        if got[key] != str(value):
            fail(f"{key} {got[key]}, expected {value}: {where}")
    if int(got["iterations"]) != iterations:
        fail(f"{got['iterations']} iterations, the reference took {iterations}: {where}")
    if got["converged"] != ("yes" if converged else "no"):
        fail(f"converged {got['converged']}, the reference says {converged}: {where}")
    if abs(float(got["l1_change"]) - change) > 1e-12:
        fail(f"last L1 change {got['l1_change']}, the reference's {change!r}: {where}")
    rows = read_ranks(csv_path, where)
    if [v for v, _ in rows] != ids:
        fail(f"the file lists ids {[v for v, _ in rows][:10]}..., expected {ids[:10]}...: {where}")
    worst = max(abs(r - e) for (_, r), e in zip(rows, x))
    if worst > 1e-12:
        fail(f"a rank differs from the reference by {worst:.3e} (> 1e-12): {where}")
    total = sum(r for _, r in rows)
    if abs(total - 1.0) > 1e-12 or abs(float(got["rank_sum"]) - 1.0) > 1e-12:
        fail(f"ranks sum to {total!r} (file) and {got['rank_sum']} (printed), not 1: {where}")
    # The K largest, ties by id, from the values in the file (equal values are equal bits there).
    best = sorted(rows, key=lambda row: (-row[1], row[0]))[:expect_top]
    if [(v, float(r)) for v, r in top] != best:
        fail(f"top lines {top}, expected {best}: {where}")
    return worst


def run_and_compare(launcher, runs, reference, folder, expect_top):
    """Runs [(np, args, tag)] (each writing --output to its own file) and checks every one against
    the reference, and that all wrote the same bytes and printed the same results."""
    outputs = [os.path.join(folder, f"ranks-{tag}.csv") for _, _, tag in runs]
    # One launch at a time: these runs compute, and the test claims at most 4 processors.
    results = [run(launcher, np, args + ["--output", out])
               for (np, args, _), out in zip(runs, outputs)]
    first_bytes, first_lines = None, None
    for (np, args, tag), out, (cmd, proc) in zip(runs, outputs, results):
        got, top = summary(cmd, proc)
        worst = compare(cmd, got, top, out, reference, expect_top)
        if got["ranks"] != str(np):
            fail(f"asked for {np} ranks, the app reports {got['ranks']}: {shlex.join(cmd)}")
        lines = ([line for line in proc.stdout.splitlines()
                  if line.split(" ", 1)[0] not in TIMING_KEYS])
        data = read_bytes(out)
        if first_bytes is None:
            first_bytes, first_lines = data, lines
        elif data != first_bytes or lines != first_lines:
            fail(f"output differs from the first run's ({runs[0][2]}): {shlex.join(cmd)}")
        print(f"{tag}: {got['iterations']} iterations, converged {got['converged']}, worst "
              f"difference {worst:.1e}, same bytes as {runs[0][2]}")


# A small graph with everything the rules cover: sparse ids up to 2^64 - 1, vertices without
# out-links (1000, 2000), self-loops (42 also links elsewhere; 555 and 2^64 - 1 only to themselves),
# an edge given three times, two vertices with equal ranks (1000 and 2000, 7th and 8th: --top 7
# must pick 1000, the lower id), and comments, blank lines, tabs, runs of blanks, CRLF, a line
# without a final newline.
HAND_MADE = (
    "# a hand-made graph\n"
    "0 7\n"
    "7 42\r\n"
    "7\t42\n"
    "   # an indented comment\n"
    "\n"
    "7  42\n"
    "42 42\n"
    "42 0\n"
    "42\t\t123456789012\n"
    "  \t \n"
    "123456789012 0\n"
    "123456789012 18446744073709551615\n"
    "0 1000\n"
    "0 2000\n"
    "555 555\n"
    "7 555\n"
    "18446744073709551615 18446744073709551615\n"
    "5 7"
)


def check_reference(launcher, ranks):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "graph.txt")
        with open(path, "w", newline="") as f:
            f.write(HAND_MADE)
        edges = read_edges(path)
        # Chunks of 2 and 3 rows (the graph has 9 vertices): many chunks, a short last one.
        schedules = ["static", "dynamic", "guided", "auto"]
        variants = [
            ("default", [], 0.85, 1e-9, 1000),
            ("damping-0.5", ["--damping", "0.5", "--tolerance", "1e-12"], 0.5, 1e-12, 1000),
            ("cut-short", ["--max-iterations", "5"], 0.85, 1e-9, 5),
            # The weighted ranks in one vector per node instead of one per rank.
            ("shared-weights", ["--shared-weights-from", "0"], 0.85, 1e-9, 1000),
        ]
        for name, extra, damping, tolerance, max_iterations in variants:
            reference = pagerank(edges, damping, tolerance, max_iterations)
            runs = [(np, [path, "--top", "7", "--schedule", schedules[i % 4], "--chunk-size",
                          str(2 + i % 2)] + extra, f"{name}-np{np}")
                    for i, np in enumerate(ranks)]
            run_and_compare(launcher, runs, reference, folder, 7)
        # The premises of the variants: the default converges, and its 7th and 8th are a tie.
        ids, x, _, converged, _, _ = pagerank(edges, 0.85, 1e-9, 1000)
        order = sorted(range(len(ids)), key=lambda i: (-x[i], ids[i]))
        if not converged or [ids[i] for i in order[6:8]] != [1000, 2000] or \
                x[order[6]] != x[order[7]]:
            fail("the hand-made graph no longer has what the checks rely on")


def check_rmat(launcher, ranks):
    """An R-MAT graph written with --write-edges; the reference runs on that file, and the app
    reading it back must write the same bytes as the app that generated it."""
    with tempfile.TemporaryDirectory() as folder:
        scale, factor = 11, 8
        edge_file = os.path.join(folder, "rmat.txt")
        base = ["--rmat-scale", str(scale), "--edge-factor", str(factor), "--seed", "3",
                "--top", "10"]
        cmd, proc = run(launcher, ranks[-1], base + ["--write-edges", edge_file, "--output",
                                                     os.path.join(folder, "gen.csv")])
        summary(cmd, proc)
        edges = read_edges(edge_file)
        where = shlex.join(cmd)
        if len(edges) != factor << scale:
            fail(f"{len(edges)} edges written, expected {factor << scale}: {where}")
        if any(v >= 1 << scale for edge in edges for v in edge):
            fail(f"an id is not below 2^{scale}: {where}")
        unique = set(edges)
        loops = sum(1 for a, b in unique if a == b)
        if len(unique) == len(edges) or loops == 0:
            fail(f"expected duplicates and self-loops in an R-MAT graph: {len(unique)} distinct of "
                 f"{len(edges)}, {loops} self-loops: {where}")
        # Skewed in-degrees, as R-MAT makes them: the busiest vertex far above the mean.
        in_degree = {}
        for _, b in unique:
            in_degree[b] = in_degree.get(b, 0) + 1
        if max(in_degree.values()) < 10 * len(unique) / len(in_degree):
            fail(f"in-degrees not skewed: max {max(in_degree.values())}: {where}")
        reference = pagerank(edges, 0.85, 1e-9, 1000)
        print(f"R-MAT scale {scale}: {len(edges)} edges, {len(unique)} distinct, {loops} "
              f"self-loops, {reference[5]['vertices']} vertices, {reference[5]['dangling']} "
              f"dangling, {reference[2]} iterations")
        runs = [(np, base, f"rmat-np{np}") for np in ranks]
        runs += [(np, [edge_file, "--top", "10"], f"file-np{np}") for np in (1, ranks[-1])]
        run_and_compare(launcher, runs, reference, folder, 10)
        if read_bytes(os.path.join(folder, "gen.csv")) != read_bytes(
                os.path.join(folder, f"ranks-{runs[0][2]}.csv")):
            fail("the run that wrote the edges wrote other ranks than the others")
        # Another seed, another graph; the same seed, the same file (checked at 1 rank).
        other = os.path.join(folder, "other.txt")
        again = os.path.join(folder, "again.txt")
        results = run_many(launcher, [
            (1, base[:4] + ["--seed", "4", "--write-edges", other]),
            (1, base + ["--write-edges", again])])
        for cmd, proc in results:
            summary(cmd, proc)
        if read_bytes(other) == read_bytes(edge_file) or read_bytes(again) != read_bytes(edge_file):
            fail("seed 4 must give another edge file, seed 3 the same one at 1 rank")
        print("seed 4: another graph; seed 3 at 1 rank: the same edge file")


# Malformed inputs: (file name, contents, text the one stderr line must contain).
BAD_FILES = [
    ("word.txt", "1 2\n3 x\n", "line 2: vertex id 'x' is not a non-negative integer"),
    ("one_field.txt", "# c\n1 2\n\n7\n", "line 4: expected 2 fields 'src dst', found 1"),
    ("three_fields.txt", "1 2 3\n", "line 1: expected 2 fields 'src dst', found 3"),
    ("negative.txt", "1 2\n2 3\n-1 2\n", "line 3: vertex id '-1' is negative"),
    ("too_large.txt", "1 2\n1 18446744073709551616\n",
     "line 2: vertex id '18446744073709551616' is too large"),
    ("fraction.txt", "1.5 2\n", "line 1: vertex id '1.5' is not a non-negative integer"),
    ("plus.txt", "1 2\r\n+3 2\r\n", "line 2: vertex id '+3' is not a non-negative integer"),
    ("comma.txt", "1,2\n", "line 1: expected 2 fields 'src dst', found 1"),
    ("empty.txt", "", "no edges"),
    ("comments.txt", "# only\n#comments\n\n", "no edges"),
]

# The cases also run at more than one rank (each run that fails costs mpirun two idle seconds).
MANY_RANKS_FILES = {"word.txt", "negative.txt", "empty.txt", "missing.txt"}


def expect_one_line_exit_2(cmd, proc, named):
    return app_launch.expect_one_line_exit_2(cmd, proc, "pagerank", named)


def check_bad_input(launcher, ranks):
    with tempfile.TemporaryDirectory() as folder:
        cases = []
        for name, text, named in BAD_FILES:
            path = os.path.join(folder, name)
            with open(path, "w", newline="") as f:
                f.write(text)
            cases.append(([path], f"{path}, {named}" if "line" in named else f"{path}: {named}"))
        missing = os.path.join(folder, "missing.txt")
        cases.append(([missing], f"cannot open '{missing}'"))
        cases.append(([folder], "is a directory"))
        runs = [(np, args, named) for np in ranks for args, named in cases
                if np == 1 or os.path.basename(args[0]) in MANY_RANKS_FILES]
        results = run_many(launcher, [(np, args) for np, args, _ in runs])
        for (np, args, named), (cmd, proc) in zip(runs, results):
            line = expect_one_line_exit_2(cmd, proc, named)
            print(f"np {np} {os.path.basename(args[0])}: exit 2, {line}")


def check_bad_arguments(launcher, ranks):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "graph.txt")
        with open(path, "w") as f:
            f.write("1 2\n2 3\n")
        rmat = ["--rmat-scale", "4"]
        cases = [
            ([], "give an edge-list file or --rmat-scale"),
            ([path] + rmat, "not both"),
            ([path, path], "graph.txt"),
            ([""], "the edge-list file name is empty"),
            (["--rmat-scale", "0"], "--rmat-scale: value '0'"),
            (["--rmat-scale", "31"], "'31' is too large"),
            (["--rmat-scale", "x"], "'x'"),
            (rmat + ["--edge-factor", "0"], "--edge-factor: value '0'"),
            (rmat + ["--edge-factor", "-2"], "'-2'"),
            (["--rmat-scale", "30", "--edge-factor", "2"], "more than 2147483647"),
            (rmat + ["--seed", "1.5"], "'1.5'"),
            ([path, "--edge-factor", "4"], "--edge-factor applies only with --rmat-scale"),
            ([path, "--seed", "4"], "--seed applies only with --rmat-scale"),
            ([path, "--write-edges", os.path.join(folder, "e.txt")], "--write-edges applies only"),
            ([path, "--damping", "1.5"], "--damping: value '1.5' is not between 0 and 1"),
            ([path, "--damping", "-0.1"], "'-0.1'"),
            ([path, "--damping", "abc"], "'abc' is not a finite number"),
            ([path, "--tolerance", "-1e-9"], "'-1e-9' must not be negative"),
            ([path, "--tolerance", "nan"], "'nan'"),
            ([path, "--max-iterations", "0"], "--max-iterations: value '0'"),
            ([path, "--max-iterations", "ten"], "'ten'"),
            ([path, "--top", "-1"], "--top: value '-1'"),
            ([path, "--chunk-size", "2x"], "'2x'"),
            ([path, "--schedule", "nope"], "nope"),
            ([path, "--output", ""], "--output: the file name is empty"),
            ([path, "--bogus"], "--bogus"),
        ]
        # At more than one rank: every third case.
        runs = [(np, args, named) for np in ranks for i, (args, named) in enumerate(cases)
                if np == 1 or i % 3 == 2]
        results = run_many(launcher, [(np, args) for np, args, _ in runs])
        for (np, args, named), (cmd, proc) in zip(runs, results):
            line = expect_one_line_exit_2(cmd, proc, named)
            print(f"np {np} {shlex.join(a if a != path else 'graph.txt' for a in args)}: "
                  f"exit 2, {line}")


def check_outputs(launcher, ranks):
    """Outputs that cannot be written: refused before any work, and no file at all (not even the
    one that could have been written)."""
    with tempfile.TemporaryDirectory() as folder:
        good = os.path.join(folder, "ranks.csv")
        cases = [
            (["--output", os.path.join(folder, "no_such_folder", "r.csv")], "no_such_folder"),
            (["--output", folder], "is a directory"),
            (["--write-edges", os.path.join(good, "e.txt")], "ranks.csv"),
        ]
        with open(good, "w") as f:
            f.write("a file, not a folder\n")
        runs = [(np, ["--rmat-scale", "5", "--write-edges", os.path.join(folder, "e.txt"),
                      "--output", os.path.join(folder, "r.csv")] + args, named)
                for np in ranks for args, named in cases]
        results = run_many(launcher, [(np, args) for np, args, _ in runs])
        for (np, args, named), (cmd, proc) in zip(runs, results):
            line = expect_one_line_exit_2(cmd, proc, named)
            left = sorted(os.listdir(folder))
            if left != ["ranks.csv"]:
                fail(f"files left behind: {left}: {shlex.join(cmd)}")
            print(f"np {np}: exit 2, {line}; no file written")


def check_help(launcher, ranks):
    mentions = ("--rmat-scale", "--edge-factor", "--seed", "--damping", "--tolerance",
                "--max-iterations", "--top", "--output", "--write-edges", "--chunk-size",
                "--shared-weights-from", "--schedule")
    app_launch.expect_help(launcher, ranks, mentions)


CHECKS = {
    "reference": check_reference,
    "rmat": check_rmat,
    "bad_input": check_bad_input,
    "bad_arguments": check_bad_arguments,
    "outputs": check_outputs,
    "help": check_help,
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("check", choices=list(CHECKS))
    parser.add_argument("--app", required=True, help="path of the pagerank executable")
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2, 3, 4])
    opts, launcher = app_launch.parse_with_launcher(parser, "{app}", "app")
    CHECKS[opts.check](launcher, opts.ranks)
    print("PASS")


if __name__ == "__main__":
    main()
