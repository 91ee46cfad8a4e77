#!/usr/bin/env python3
"""End-to-end checks of the wordcount app under mpiexec, one check per ctest test (CMakeLists.txt).

Usage: wordcount_test.py CHECK --app PATH [--ranks N...] [--splits B...] -- LAUNCHER...
LAUNCHER is the mpiexec command line with {np} where the rank count goes and {app} where the program
goes, e.g.  mpiexec -n {np} --oversubscribe {app}.  App arguments are appended after it.
The reference counts come from the classic shell pipeline (tr | sort | uniq -c), run per file and
summed here, so words cannot glue across a file that lacks a trailing newline.
Exit status 0 = pass, 77 = skipped (no input available); a failure prints the failing command line.
"""

import argparse
import collections
import glob
import os
import random
import shlex
import subprocess
import sys
import tempfile

import app_launch
from app_launch import fail

SKIP = 77
PIPELINE = ("LC_ALL=C tr -cs 'A-Za-z' '\\n' < \"$1\" | LC_ALL=C tr 'A-Z' 'a-z' | grep -v '^$' "
            "| LC_ALL=C sort | uniq -c")



def run(launcher, np, app_args, timeout=120):
    return app_launch.run(launcher, np, app_args, timeout, text=False)


def reference(files):
    """word -> count over `files`, from the shell pipeline per file."""
    total = collections.Counter()
    for path in files:
        out = subprocess.run(["sh", "-c", PIPELINE, "sh", path], capture_output=True, check=True)
        for line in out.stdout.splitlines():
            count, word = line.split()
            total[word] += int(count)
    return total


def make_corpus(root):
    """A folder of awkward files; returns the list of regular files in it."""
    rng = random.Random(20240917)
    vocabulary = ["Alpha", "beta", "GAMMA", "delta", "eps", "zeta", "Eta", "theta", "iota", "kappa",
                  "x", "Y", "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma"]
    files = {
        "plain.txt": b"Hello world\nhello World, HELLO... world!\n\nThe end.\n",
        "empty.txt": b"",
        "no_newline.txt": b"this file ends without newline glued",
        "utf8.txt": "über Straße café naïve Ärger\nÜBER über\n".encode(),
        "digits.txt": b"a1b c2d3e 42 1984 x9 9x\n",
        "nul.bin": b"foo\0bar\0\0baz\nFOO\0\n\0\0\0",
        "crlf.txt": b"Windows line\r\nendings here\r\n",
        "bytes.bin": bytes(range(256)) * 4,
        "sub/nested.txt": b"nested words in a sub folder\nwords\n",
        "sub/deeper/more.txt": b"more\tand MORE\x7fand\xffmore\n",
    }
    words = [rng.choice(vocabulary) + rng.choice(["", "", "'s", "-", "3", ".", ","])
             for _ in range(20000)]
    line = " ".join(words).encode()
    files["long_line.txt"] = line[:100_000] + b"\n"
    many = "\n".join(" ".join(rng.choice(vocabulary) for _ in range(rng.randrange(0, 12)))
                     for _ in range(3000))
    files["many_lines.txt"] = many.encode()
    paths = []
    for name, data in files.items():
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        paths.append(path)
    return paths


def license_files():
    return sorted(p for p in glob.glob("/usr/share/common-licenses/*") if os.path.isfile(p))


def read_output(path):
    with open(path, "rb") as f:
        data = f.read()
    return data


def expected_output(counts):
    return b"".join(w + b"\t" + str(n).encode() + b"\n" for w, n in sorted(counts.items()))


def check_output(launcher, ranks, splits, inputs, files):
    expected = expected_output(reference(files))
    with tempfile.TemporaryDirectory() as out_dir:
        for np in ranks:
            for split in splits:
                out = os.path.join(out_dir, f"counts_{np}_{split}.tsv")
                cmd, proc = run(launcher, np,
                                ["--output", out, "--split-bytes", str(split)] + inputs)
                where = shlex.join(cmd)
                if proc.returncode != 0:
                    fail(f"exit code {proc.returncode}: {where}\n{proc.stderr.decode()}")
                got = read_output(out)
                if got != expected:
                    fail(f"output differs from the reference ({len(got)} vs {len(expected)} "
                         f"bytes): {where}")
                leftovers = [n for n in os.listdir(out_dir) if ".tmp." in n]
                if leftovers:
                    fail(f"temporary files left behind: {leftovers}: {where}")
                print(f"np {np} split {split}: {len(expected.splitlines())} words match")


def check_top(launcher, ranks, splits, inputs, files, k=5):
    counts = reference(files)
    best = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:k]
    expected = b"".join(str(n).encode() + b"\t" + w + b"\n" for w, n in best)
    for np in ranks:
        for split in splits:
            cmd, proc = run(launcher, np, ["--top", str(k), "--split-bytes", str(split)] + inputs)
            where = shlex.join(cmd)
            if proc.returncode != 0:
                fail(f"exit code {proc.returncode}: {where}\n{proc.stderr.decode()}")
            if proc.stdout != expected:
                fail(f"top {k} differs: {where}\ngot:\n{proc.stdout.decode()}"
                     f"expected:\n{expected.decode()}")
            print(f"np {np} split {split}: top {k} matches")


def check_summary(launcher, ranks, inputs, files):
    counts = reference(files)
    expected = f"distinct_words {len(counts)}\ntotal_words    {sum(counts.values())}\n".encode()
    for np in ranks:
        cmd, proc = run(launcher, np, inputs)
        if proc.returncode != 0 or proc.stdout != expected:
            fail(f"exit {proc.returncode}, stdout {proc.stdout!r}, expected {expected!r}: "
                 f"{shlex.join(cmd)}\n{proc.stderr.decode()}")
        print(f"np {np}: summary matches")


def expect_usage_error(cmd, proc, named):
    where = shlex.join(cmd)
    if proc.returncode != 2:
        fail(f"exit code {proc.returncode}, expected 2: {where}\n{proc.stderr.decode()}")
    lines = proc.stderr.decode(errors="replace").splitlines()
    if len(lines) != 1:
        fail(f"expected one line on stderr, got {len(lines)}: {where}\n{proc.stderr.decode()}")
    if not lines[0].startswith("wordcount: ") or named not in lines[0]:
        fail(f"stderr does not name '{named}': {where}\n{lines[0]}")
    if proc.stdout:
        fail(f"unexpected stdout: {where}\n{proc.stdout.decode()}")
    return lines[0]


def check_missing(launcher, ranks, corpus_dir):
    with tempfile.TemporaryDirectory() as out_dir:
        out = os.path.join(out_dir, "counts.tsv")
        cases = [
            [corpus_dir, os.path.join(corpus_dir, "no_such_file.txt")],
            [os.path.join(out_dir, "missing_dir")],
        ]
        empty_dir = os.path.join(out_dir, "empty_dir")
        os.mkdir(empty_dir)
        for np in ranks:
            for inputs in cases:
                cmd, proc = run(launcher, np, ["--output", out] + inputs)
                line = expect_usage_error(cmd, proc, inputs[-1])
                if os.listdir(out_dir) != ["empty_dir"]:
                    fail(f"files left behind: {os.listdir(out_dir)}: {shlex.join(cmd)}")
                print(f"np {np}: exit 2, {line}")
            for args in (["--output", out, empty_dir], ["--output", out]):
                cmd, proc = run(launcher, np, args)
                line = expect_usage_error(cmd, proc, "")
                if os.listdir(out_dir) != ["empty_dir"]:
                    fail(f"files left behind: {os.listdir(out_dir)}: {shlex.join(cmd)}")
                print(f"np {np}: exit 2, {line}")


BAD_ARGUMENTS = [
    (["--bogus"], "--bogus"),
    (["--top", "0"], "'0'"),
    (["--top", "-3"], "-3"),
    (["--top", "abc"], "abc"),
    (["--split-bytes", "0"], "'0'"),
    (["--split-bytes", "1e99"], "1e99"),
    (["--split-bytes", "99999999999999999999999"], "99999999999999999999999"),
    (["--schedule", "nope"], "nope"),
]


def check_bad_arguments(launcher, ranks, corpus_dir):
    for np in ranks:
        for args, named in BAD_ARGUMENTS:
            cmd, proc = run(launcher, np, args + [corpus_dir])
            line = expect_usage_error(cmd, proc, named)
            print(f"np {np} {' '.join(args)}: exit 2, {line}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("check", choices=["output", "top", "summary", "missing", "bad_arguments"])
    parser.add_argument("--app", required=True, help="path of the wordcount executable")
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--splits", type=int, nargs="+", default=[7, 1048576])
    parser.add_argument("--corpus", choices=["generated", "licenses"], default="generated")
    opts, launcher = app_launch.parse_with_launcher(parser, "{app}", "app")
    with tempfile.TemporaryDirectory() as corpus_dir:
        if opts.corpus == "licenses":
            files = license_files()
            if not files:
                print("SKIP: no files in /usr/share/common-licenses")
                sys.exit(SKIP)
            inputs = files
        else:
            files = make_corpus(corpus_dir)
            inputs = [corpus_dir]  # the folder: the app must find every file in it
        if opts.check == "output":
            check_output(launcher, opts.ranks, opts.splits, inputs, files)
        elif opts.check == "top":
            check_top(launcher, opts.ranks, opts.splits, inputs, files)
        elif opts.check == "summary":
            check_summary(launcher, opts.ranks, inputs, files)
        elif opts.check == "missing":
            check_missing(launcher, opts.ranks, corpus_dir)
        else:
            check_bad_arguments(launcher, opts.ranks, corpus_dir)
    print("PASS")


if __name__ == "__main__":
    main()
