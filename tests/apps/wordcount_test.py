#!/usr/bin/env python3
"""End-to-end checks of the wordcount app under mpiexec, one check per ctest test (CMakeLists.txt).

Usage: wordcount_test.py CHECK --app PATH [--generator PATH] [--ranks N...] [--splits B...]
                         [--shuffles B...] -- LAUNCHER...
LAUNCHER is the mpiexec command line with {np} where the rank count goes and {app} where the program
goes, e.g.  mpiexec -n {np} --oversubscribe {app}.  App arguments are appended after it.
The reference counts come from the classic shell pipeline (tr | sort | uniq -c), run per file and
summed here, so words cannot glue across a file that lacks a trailing newline.
The corpus_* checks test the corpus generator (wordcount-corpus, given by --generator).
Exit status 0 = pass, 77 = skipped (no input available); a failure prints the failing command line.
"""

import argparse
import collections
import glob
import hashlib
import math
import os
import random
import re
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
    # No test here signals mpirun, so none needs its kill grace (see app_launch.run).
    return app_launch.run(launcher, np, app_args, timeout, text=False, no_kill_grace=True)


def reference(files):
    """word -> count over `files`, from the shell pipeline per file."""
    total = collections.Counter()
    for path in files:
        out = subprocess.run(["sh", "-c", PIPELINE, "sh", path], capture_output=True, check=True)
        for line in out.stdout.splitlines():
            count, word = line.split()
            total[word] += int(count)
    return total


def generate(generator, path, args):
    """Runs the corpus generator plainly (no launcher): writes `path`."""
    cmd = [generator, "--output", path] + args
    proc = subprocess.run(cmd, capture_output=True, timeout=120)
    if proc.returncode != 0:
        fail(f"exit code {proc.returncode}: {shlex.join(cmd)}\n{proc.stderr.decode()}")


def make_corpus(root, generator=None):
    """A folder of awkward files, one of them from the corpus generator when there is one; returns
    the list of regular files in it."""
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
    if generator:
        paths.append(os.path.join(root, "zipf.txt"))
        generate(generator, paths[-1], ["--bytes", "40000", "--vocabulary", "3000"])
    return paths


def license_files():
    return sorted(p for p in glob.glob("/usr/share/common-licenses/*") if os.path.isfile(p))


def read_output(path):
    with open(path, "rb") as f:
        data = f.read()
    return data


def expected_output(counts):
    return b"".join(w + b"\t" + str(n).encode() + b"\n" for w, n in sorted(counts.items()))


def check_output(launcher, ranks, splits, inputs, files, extra_args=()):
    expected = expected_output(reference(files))
    with tempfile.TemporaryDirectory() as out_dir:
        for np in ranks:
            for split in splits:
                out = os.path.join(out_dir, f"counts_{np}_{split}.tsv")
                cmd, proc = run(launcher, np, ["--output", out, "--split-bytes", str(split)]
                                + list(extra_args) + inputs)
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
                print(f"np {np} split {split}{''.join(' ' + a for a in extra_args)}: "
                      f"{len(expected.splitlines())} words match")


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


def expect_usage_error(cmd, proc, named, program="wordcount", code=2):
    where = shlex.join(cmd)
    if proc.returncode != code:
        fail(f"exit code {proc.returncode}, expected {code}: {where}\n{proc.stderr.decode()}")
    lines = app_launch.app_stderr_lines(proc.stderr.decode(errors="replace"))
    if len(lines) != 1:
        fail(f"expected one line on stderr, got {len(lines)}: {where}\n{proc.stderr.decode()}")
    if not lines[0].startswith(program + ": ") or named not in lines[0]:
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
    runs = [(np, args + [corpus_dir], named) for np in ranks for args, named in BAD_ARGUMENTS]
    results = app_launch.run_many(launcher, [(np, args) for np, args, _ in runs], 120, text=False)
    for (np, args, named), (cmd, proc) in zip(runs, results):
        line = expect_usage_error(cmd, proc, named)
        print(f"np {np} {' '.join(args)}: exit 2, {line}")


def check_shuffle(launcher, ranks, shuffles, generator):
    """Shuffle budgets of a few hundred or thousand bytes: the exchange needs many rounds."""
    with tempfile.TemporaryDirectory() as root:
        corpus = os.path.join(root, "zipf.txt")
        generate(generator, corpus, ["--bytes", "300000", "--vocabulary", "20000", "--seed", "3"])
        for budget in shuffles:
            check_output(launcher, ranks, [65536], [corpus], [corpus],
                         ["--shuffle-bytes", str(budget)])


def run_generator(gen_launcher, np, args):
    return app_launch.run(gen_launcher, np, args, 120, text=False, no_kill_grace=True)


def check_corpus_determinism(gen_launcher, ranks, generator):
    args = ["--bytes", "300000", "--vocabulary", "5000", "--seed", "11"]
    with tempfile.TemporaryDirectory() as root:
        def make(name, extra, np=None):
            path = os.path.join(root, name)
            if np is None:
                generate(generator, path, args + extra)
            else:
                cmd, proc = run_generator(gen_launcher, np, ["--output", path] + args + extra)
                if proc.returncode != 0:
                    fail(f"exit code {proc.returncode}: {shlex.join(cmd)}\n"
                         f"{proc.stderr.decode()}")
            return read_output(path)

        base = make("plain", [])
        with open(os.path.join(root, "again"), "wb") as f:
            f.write(b"an older, longer file that must be replaced whole\n" * 10000)
        if make("again", []) != base:
            fail("two runs with the same options differ")
        for np in ranks:
            if make(f"np{np}", [], np) != base:
                fail(f"{np} ranks under the launcher give other bytes than a plain run")
            print(f"np {np}: same bytes as a plain run")
        # Options given later win, so these override what `args` says.
        for extra in (["--seed", "12"], ["--vocabulary", "5001"], ["--exponent", "1.1"]):
            if make("other", extra) == base:
                fail(f"{' '.join(extra)} gives the same bytes as {' '.join(args)}")
        # Pinned bytes: the same options must give the same file on every machine and build, so a
        # change here is a change of the corpus (benchmarks compare runs on it): make it on purpose.
        golden = hashlib.sha256(make("golden", ["--bytes", "100000", "--vocabulary", "200000",
                                                "--seed", "1"])).hexdigest()
        if golden != GOLDEN_SHA256:
            fail(f"--bytes 100000 --seed 1 has SHA-256 {golden}, expected {GOLDEN_SHA256}")
        leftovers = [n for n in os.listdir(root) if ".tmp." in n]
        if leftovers:
            fail(f"temporary files left behind: {leftovers}")
    print("same options, same bytes; other options, other bytes")


GOLDEN_SHA256 = "b50a1ad136c01a31c40572bcd58ae479fad466586f6e431f2dffa8179c472bfe"
CORPUS_SIZES = ["0", "1", "2", "3", "17", "1000", "1e5", "1048575", "1048576", "1048577", "2.5e6"]


def check_corpus_size(generator):
    block = 1 << 20  # zipf_corpus::block_bytes: every block is whole lines, made on its own
    with tempfile.TemporaryDirectory() as root:
        path = os.path.join(root, "corpus.txt")
        for text in CORPUS_SIZES:
            size = int(float(text))  # exact for these
            generate(generator, path, ["--bytes", text, "--vocabulary", "1000"])
            data = read_output(path)
            if len(data) != size:
                fail(f"--bytes {text} wrote {len(data)} bytes")
            if size and not data.endswith(b"\n"):
                fail(f"--bytes {text}: the last line has no newline")
            for end in range(block, size, block):
                if data[end - 1:end] != b"\n":
                    fail(f"--bytes {text}: block ending at byte {end} does not end a line")
            if b"\0" in data:
                fail(f"--bytes {text}: NUL bytes in the corpus")
            print(f"--bytes {text}: {len(data)} bytes, whole lines")


# (vocabulary, exponent): flat and steep laws, a vocabulary that is all used and one mostly not.
ZIPF_CASES = [(200000, 1.0), (1000, 1.0), (20000, 0.7), (1000000, 1.5)]


def check_corpus_zipf(generator):
    with tempfile.TemporaryDirectory() as root:
        path = os.path.join(root, "corpus.txt")
        for vocabulary, exponent in ZIPF_CASES:
            args = ["--bytes", "3e6", "--vocabulary", str(vocabulary), "--exponent", str(exponent)]
            generate(generator, path, args)
            data = read_output(path)
            tokens = re.findall(rb"[A-Za-z]+", data)
            counts = collections.Counter(t.lower() for t in tokens)
            n = len(tokens)
            harmonic = math.fsum(k ** -exponent for k in range(1, vocabulary + 1))
            top = sorted(counts.values(), reverse=True)[:10]
            for k, got in enumerate(top, 1):
                p = k ** -exponent / harmonic
                mean, sigma = n * p, math.sqrt(n * p * (1 - p))
                if abs(got - mean) > 6 * sigma:
                    fail(f"{' '.join(args)}: word {k} occurs {got} times in {n}, expected "
                         f"{mean:.0f} +- {sigma:.0f}")
            ratio, expected = top[0] / top[9], 10 ** exponent
            if not 0.85 < ratio / expected < 1.15:  # its noise is a few percent at this size
                fail(f"{' '.join(args)}: count of word 1 / word 10 is {ratio:.3f}, "
                     f"expected about {expected:.3f}")
            if len(counts) > vocabulary:
                fail(f"{' '.join(args)}: {len(counts)} distinct words")
            # When even the rarest word is expected many times, all must show up: a smaller
            # number would mean two vocabulary entries are the same word after lowercasing.
            rarest = n * vocabulary ** -exponent / harmonic
            if rarest > 20 and len(counts) != vocabulary:
                fail(f"{' '.join(args)}: {len(counts)} distinct words, expected {vocabulary}")
            # What wordcount must cope with: mixed case, tabs, digits, punctuation, UTF-8.
            for what, pattern in [("Capitalised", rb"\b[A-Z][a-z]"), ("UPPER", rb"[A-Z]{3}"),
                                  ("tab", rb"\t"), ("digit", rb"[0-9]"), ("comma", rb","),
                                  ("UTF-8", rb"[\x80-\xff]"), ("blank line", rb"\n\n")]:
                if not re.search(pattern, data):
                    fail(f"{' '.join(args)}: no {what} in the corpus")
            print(f"{' '.join(args)}: {n} words, {len(counts)} distinct, top/10th {ratio:.3f} "
                  f"(expected {expected:.3f})")


CORPUS_BAD_ARGUMENTS = [
    (["--bogus", "--output", "OUT"], "--bogus"),
    ([], "--output"),
    (["--output", ""], "--output"),
    (["--bytes", "-1", "--output", "OUT"], "-1"),
    (["--bytes", "12k", "--output", "OUT"], "12k"),
    (["--bytes", "1e99", "--output", "OUT"], "1e99"),
    (["--vocabulary", "0", "--output", "OUT"], "'0'"),
    (["--vocabulary", "1e8", "--output", "OUT"], "1e8"),
    (["--vocabulary", "2.5", "--output", "OUT"], "2.5"),
    (["--seed", "x", "--output", "OUT"], "'x'"),
    (["--exponent", "0", "--output", "OUT"], "'0'"),
    (["--exponent", "-1", "--output", "OUT"], "-1"),
    (["--exponent", "nan", "--output", "OUT"], "nan"),
    (["--exponent", "inf", "--output", "OUT"], "inf"),
    (["--exponent", "1e999", "--output", "OUT"], "1e999"),
    (["--exponent", "1.5x", "--output", "OUT"], "1.5x"),
]


def check_corpus_arguments(gen_launcher, ranks, generator):
    """Every case plainly (a singleton MPI process), then some under the launcher at each rank
    count: a launch costs a second or two, and several ranks only add that rank 0 alone speaks."""
    with tempfile.TemporaryDirectory() as root:
        out = os.path.join(root, "corpus.txt")
        for launcher, np, cases in [([generator], None, CORPUS_BAD_ARGUMENTS)] + [
                (gen_launcher, np, CORPUS_BAD_ARGUMENTS[::4]) for np in ranks]:
            where = "plain" if np is None else f"np {np}"
            for args, named in cases:
                args = [out if a == "OUT" else a for a in args]
                cmd, proc = run_generator(launcher, np, args)
                line = expect_usage_error(cmd, proc, named, "wordcount-corpus")
                if os.listdir(root):
                    fail(f"files left behind: {os.listdir(root)}: {shlex.join(cmd)}")
                print(f"{where} {shlex.join(args)}: exit 2, {line}")
            # Files that cannot be written: exit 1 (not a bad option), one line, nothing left.
            for target in (os.path.join(root, "missing", "corpus.txt"), root):
                cmd, proc = run_generator(launcher, np, ["--bytes", "1000", "--output", target])
                line = expect_usage_error(cmd, proc, target, "wordcount-corpus", code=1)
                leftovers = glob.glob(glob.escape(root) + "*.tmp.*") + os.listdir(root)
                if leftovers:
                    fail(f"files left behind: {leftovers}: {shlex.join(cmd)}")
                print(f"{where} --output {target}: exit 1, {line}")
            cmd, proc = run_generator(launcher, np, ["--help"])
            text = proc.stdout.decode()
            if proc.returncode != 0 or proc.stderr or text.count("Usage:") != 1:
                fail(f"--help: exit {proc.returncode}, stdout {text!r}, stderr "
                     f"{proc.stderr.decode()!r}: {shlex.join(cmd)}")
            for option in ("--bytes", "--vocabulary", "--seed", "--exponent", "--output"):
                if option not in text:
                    fail(f"--help does not mention {option}: {shlex.join(cmd)}")
            print(f"{where} --help: exit 0, usage once")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("check", choices=["output", "top", "summary", "missing", "bad_arguments",
                                          "shuffle", "corpus_determinism", "corpus_size",
                                          "corpus_zipf", "corpus_arguments"])
    parser.add_argument("--app", required=True, help="path of the wordcount executable")
    parser.add_argument("--generator", help="path of the wordcount-corpus executable")
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--splits", type=int, nargs="+", default=[7, 1048576])
    parser.add_argument("--shuffles", type=int, nargs="+", default=[256, 4096])
    parser.add_argument("--corpus", choices=["generated", "licenses"], default="generated")
    opts, launcher = app_launch.parse_with_launcher(parser, "{app}", "app")
    # The same launch line with the generator where wordcount was.
    gen_launcher = [opts.generator if part == opts.app else part for part in launcher]
    generator_checks = {
        "shuffle": lambda: check_shuffle(launcher, opts.ranks, opts.shuffles, opts.generator),
        "corpus_determinism": lambda: check_corpus_determinism(gen_launcher, opts.ranks,
                                                               opts.generator),
        "corpus_size": lambda: check_corpus_size(opts.generator),
        "corpus_zipf": lambda: check_corpus_zipf(opts.generator),
        "corpus_arguments": lambda: check_corpus_arguments(gen_launcher, opts.ranks,
                                                           opts.generator),
    }
    if opts.check in generator_checks:
        if not opts.generator:
            parser.error(f"{opts.check} needs --generator")
        generator_checks[opts.check]()
        print("PASS")
        return
    with tempfile.TemporaryDirectory() as corpus_dir:
        if opts.corpus == "licenses":
            files = license_files()
            if not files:
                print("SKIP: no files in /usr/share/common-licenses")
                sys.exit(SKIP)
            inputs = files
        else:
            files = make_corpus(corpus_dir, opts.generator)
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
