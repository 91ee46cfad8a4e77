#!/usr/bin/env python3
"""End-to-end checks of the pi app under mpiexec, one check per ctest test (see CMakeLists.txt).

Usage: pi_test.py CHECK --pi PATH [--ranks N...] [--schedule S] [--chunk-size C] -- LAUNCHER...
LAUNCHER is the mpiexec command line with {np} where the rank count goes and {pi} where the program
goes, e.g.  mpiexec -n {np} --oversubscribe {pi}.  App arguments are appended after it.
Exit status 0 = pass; a failure prints the command line that failed, so it can be rerun by hand.
"""

import argparse
import math
import shlex
import sys

import app_launch
from app_launch import fail

SEED = "12345"



def run(launcher, np, app_args, timeout=90):
    # No test here signals mpirun, so none needs its kill grace (see app_launch.run).
    return app_launch.run(launcher, np, app_args, timeout, text=True, no_kill_grace=True)


def fields(cmd, proc):
    """The app's `key value` lines as a dict; fails unless the run succeeded."""
    if proc.returncode != 0:
        fail(f"exit code {proc.returncode} from {shlex.join(cmd)}\n{proc.stdout}{proc.stderr}")
    out = {}
    for line in proc.stdout.splitlines():
        key, _, value = line.partition(" ")
        out[key] = value.strip()
    for key in ("estimate", "hits", "ranks"):
        if key not in out:
            fail(f"no '{key}' line in the output of {shlex.join(cmd)}:\n{proc.stdout}")
    return out


def check_same_bits(launcher, ranks, schedule, chunk_size):
    # Reference: one rank, static schedule. Every rank count and schedule must print the same bits.
    # 3000017 samples: the last chunk is a short one.
    base = ["--samples", "3000017", "--seed", SEED, "--chunk-size", chunk_size]
    cmd, proc = run(launcher, 1, base + ["--schedule", "static"])
    reference = fields(cmd, proc)
    for np in ranks:
        cmd, proc = run(launcher, np, base + ["--schedule", schedule])
        got = fields(cmd, proc)
        if got["ranks"] != str(np):
            fail(f"asked for {np} ranks, app reports {got['ranks']}: {shlex.join(cmd)}")
        for key in ("estimate", "hits"):
            if got[key] != reference[key]:
                fail(f"{key} {got[key]} at {np} ranks ({schedule}) differs from {reference[key]} "
                     f"at 1 rank (static): {shlex.join(cmd)}")
        print(f"np {np} {schedule}: estimate {got['estimate']} (same as 1 rank)")


def check_accuracy(launcher, ranks):
    n = 1_000_000
    p = math.pi / 4
    sigma = 4 * math.sqrt(p * (1 - p) / n)
    for np in ranks:
        for seed in ("1", "2", "3"):
            cmd, proc = run(launcher, np, ["--samples", "1e6", "--seed", seed])
            estimate = float(fields(cmd, proc)["estimate"])
            error = abs(estimate - math.pi)
            if error > 5 * sigma:
                fail(f"estimate {estimate} is {error / sigma:.1f} sigma from pi: {shlex.join(cmd)}")
            print(f"np {np} seed {seed}: estimate {estimate}, {error / sigma:.2f} sigma from pi")


# Each bad command line must exit with 2 and one line on stderr that names the offending text.
BAD_ARGUMENTS = [
    (["--samples", "-5"], "-5"),
    (["--samples", "abc"], "abc"),
    (["--samples", "0"], "'0'"),
    (["--samples", "1.5"], "1.5"),
    (["--samples", "1e30"], "1e30"),
    (["--bogus"], "--bogus"),
    (["--schedule", "nope"], "nope"),
    (["--chunk-size", "-1"], "-1"),
    (["--seed", "x1"], "x1"),
    (["stray"], "stray"),
]


def check_bad_arguments(launcher, ranks):
    # A small --samples keeps a run short should a bad argument be wrongly accepted.
    runs = [(np, ([] if "--samples" in args else ["--samples", "1000"]) + args, named)
            for np in ranks for args, named in BAD_ARGUMENTS]
    results = app_launch.run_many(launcher, [(np, args) for np, args, _ in runs], timeout=90)
    for (np, args, named), (cmd, proc) in zip(runs, results):
        line = app_launch.expect_one_line_exit_2(cmd, proc, "pi", named)
        print(f"np {np} {' '.join(args)}: exit 2, {line}")


def check_help(launcher, ranks):
    mentions = ("--samples", "--seed", "--schedule", "--chunk-size")
    app_launch.expect_help(launcher, ranks, mentions)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("check", choices=["same_bits", "accuracy", "bad_arguments", "help"])
    parser.add_argument("--pi", required=True, help="path of the pi executable")
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--schedule", default="dynamic")
    parser.add_argument("--chunk-size", default="1000", help="0: mpimr's automatic choice")
    opts, launcher = app_launch.parse_with_launcher(parser, "{pi}", "pi")
    if opts.check == "same_bits":
        check_same_bits(launcher, opts.ranks, opts.schedule, opts.chunk_size)
    elif opts.check == "accuracy":
        check_accuracy(launcher, opts.ranks)
    elif opts.check == "bad_arguments":
        check_bad_arguments(launcher, opts.ranks)
    else:
        check_help(launcher, opts.ranks)
    print("PASS")

if __name__ == "__main__":
    main()
