#!/usr/bin/env python3
"""Hostile input (issue 5): for each app, a table of bad options, input files and checkpoint
folders and the one clear error each must get; one ctest test per app (see CMakeLists.txt).

Usage: hostile_input_test.py APP|journal_cuts --app PATH [--ranks N...] [--wide-ranks N...]
                             -- LAUNCHER...
LAUNCHER is the mpiexec command line with {np} where the rank count goes and {app} where the
program goes. Every row runs at one of --ranks (1 2), in turn; the rows marked wide at all of them
and at one of --wide-ranks (3 4), in turn. A refused run must: exit with 2 within the time limit, print nothing on
stdout and exactly one line on stderr ('APP: ...', no MPI abort text, no stack trace, no control
byte, short) that matches the row's pattern, which names the bad value, file or line; and leave
the folders as they were: no output file created, a pre-existing output file untouched, no
temporary left behind. The
rows that must succeed (CRLF line ends, binary text, a 50 MB line for wordcount) are checked against
a reference computed here; those with a damaged checkpoint folder against the same run without
--checkpoint. No run may take more memory than a bound that grows with its input (peak RSS of the
largest process of the run). Rows that show a bug in code this test may not fix are listed, not
run (known_bug).
journal_cuts: a real journal of pi cut at every byte of its header and first record and at a sample
of the rest; each cut must resume to the uninterrupted output.
"""

import argparse
import collections
import concurrent.futures
import ctypes
import ctypes.util
import dataclasses
import hashlib
import math
import os
import random
import re
import shlex
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from typing import Optional

import app_launch
from app_launch import fail

HUGE = 50_000_000  # bytes of the one-line files
TOO_BIG = str(2**64)  # one more than the largest 64-bit count
RUN_TIMEOUT = 150  # seconds; a hang shows as a timeout
SENTINEL = b"an output file of an earlier run: must stay as it is\n"
MAX_LINE = 400  # a clear error is short; a quoted 50 MB field is not


# --- input makers: each writes the file (or folder, link, ...) at `path` --------------------------

def text(data):
    def make(path):
        with open(path, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
    return make


def garbage(size, seed):
    """Random bytes with NULs in them, the same for every run."""
    def make(path):
        data = bytearray(random.Random(seed).randbytes(size))
        data[::97] = bytes(len(data[::97]))  # NULs at least every 97 bytes
        with open(path, "wb") as f:
            f.write(data)
    return make


def one_line(unit, size=HUGE, head=b""):
    """`head`, then `unit` repeated up to `size` bytes, and no newline at all."""
    def make(path):
        with open(path, "wb") as f:
            f.write(head + (unit * (size // len(unit) + 1))[:size])
    return make


def folder(path):
    os.mkdir(path)


def empty_folder_tree(path):
    os.makedirs(os.path.join(path, "sub", "deeper"))


def dangling(path):
    os.symlink(path + ".nowhere", path)


def symlink_loop(path):
    os.symlink(path + ".other", path)
    os.symlink(path, path + ".other")


def fifo(path):
    # Opening it blocks until a writer comes, which never happens: a reader must refuse it.
    os.mkfifo(path)


def nothing(path):
    del path


# --- the table ----------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class row:
    args: list
    # code 2: a regex the stderr line must match after "APP: ". code 0: check(stdout, out_bytes,
    # input_bytes) -> a problem or None, or SAME_AS_PLAIN.
    expect: object
    make: Optional[tuple] = None  # (file name, maker): the file {in} stands for
    code: int = 2
    wide: bool = False
    # Set for a row that shows a bug this test may not fix (in code another developer owns): the
    # row is listed, not run, until the bug is fixed.
    known_bug: Optional[str] = None


def bad(args, pattern, make=None, wide=False):
    return row(args, pattern, make, 2, wide)


def good(args, check, make=None, wide=False):
    return row(args, check, make, 0, wide)


def count_rows(option, zero_ok, maximum=None, wide=False, exotic=False):
    """An option that takes a count: not a number, negative, empty, huge, zero when it must be
    positive, one over its maximum; with `exotic`, also the near misses and a missing value (all
    counts go through one parser, app::check_count, so once per app is enough)."""
    kind = "non-negative" if zero_ok else "positive"
    values = ["abc", "-5", ""] + (["1.5", " 7", "0x10", "1e", "--5", "1e-3"] if exotic else [])
    rows = [bad([option, value], rf"{option}: value '{re.escape(value)}' is not a {kind} integer$",
                wide=wide and value == "abc")
            for value in values]
    for value in ("1e400", TOO_BIG):
        rows.append(bad([option, value],
                        rf"{option}: value '{value}' is too large \(at most \d+\)$"))
    if not zero_ok:
        rows.append(bad([option, "0"], rf"{option}: value '0' is not a positive integer$"))
    if maximum is not None:
        rows.append(bad([option, str(maximum + 1)],
                        rf"{option}: value '{maximum + 1}' is too large \(at most {maximum}\)$"))
    if exotic:
        rows.append(bad([option], rf"^{option}: 1 required \S+ missing$"))
    return rows


def real_rows(option, message="is not a finite number", exotic=False):
    """An option that takes a real number: not a number, empty, not finite, out of double's range;
    with `exotic`, also the near misses."""
    values = ["abc", "", "nan", "1e400"] + (["inf", "-inf", "1,5", "0x1p3", "1e", "--1"]
                                            if exotic else [])
    return [bad([option, value], rf"{option}: value '{re.escape(value)}' {message}$")
            for value in values]


def schedule_rows(wide=False, exotic=False):
    """--schedule: a name that is not one; with `exotic`, also the near misses (every app parses
    it with app::check_schedule)."""
    values = ["nope", ""] + (["STATIC", "static_blocks", "17"] if exotic else [])
    return [bad(["--schedule", value],
                rf"--schedule: unknown schedule '{value}' \(expected auto, static, dynamic, "
                rf"guided or adaptive\)$", wide=wide and value == "nope")
            for value in values]


def common_rows():
    return [bad(["--bogus"], r"The following argument was not expected: --bogus$")]


PLAIN_FILE = ("plain.txt", text("a plain file\n"))


def output_rows(option, missing_says, below_file_says, directory_says, make=PLAIN_FILE):
    """An output in a folder that does not exist, below a plain file ({in}, made by `make`), a
    folder, an empty name."""
    return [
        bad([option, "{dir}/no_such_folder/out"], missing_says, make, wide=True),
        bad([option, "{in}/out"], below_file_says, make),
        bad([option, "{dir}"], directory_says, make),
        bad([option, ""], rf"{option}: the file name is empty$", make),
    ]


def refused_outputs(option):
    """What wordcount, kmeans and pagerank (app::check_output_path and its like) say about an output
    in a missing folder, below a plain file, and onto a folder (see output_rows)."""
    return (rf"{option}: no folder '\{{dir\}}/no_such_folder' to write "
            r"'\{dir\}/no_such_folder/out' in$",
            rf"{option}: no folder '\{{in\}}' to write '\{{in\}}/out' in$",
            rf"{option}: '\{{dir\}}' is a directory$")


def file_rows(app_args, missing_says, directory_says, not_regular_says):
    """An input that is missing, a dangling link, a folder, a FIFO (opening one blocks) or a loop
    of links; {in} is where the file should be."""
    return [
        bad(app_args, missing_says, ("missing.txt", nothing), wide=True),
        bad(app_args, missing_says, ("dangling.txt", dangling)),
        bad(app_args, directory_says, ("folder.txt", folder)),
        bad(app_args, not_regular_says, ("fifo.txt", fifo)),
        bad(app_args, r"'\{in\}': Too many levels of symbolic links$", ("loop.txt", symlink_loop)),
    ]


def pi_rows():
    return (count_rows("--samples", zero_ok=False, wide=True, exotic=True)
            + count_rows("--seed", zero_ok=True)
            + count_rows("--chunk-size", zero_ok=True, maximum=2**63 - 1)
            + schedule_rows(wide=True, exotic=True) + common_rows()
            + [bad(["-Z"], r"The following argument was not expected: -Z$"),
               bad(["stray"], r"The following argument was not expected: stray$")])


def workers_rows():
    return (count_rows("--tasks", zero_ok=False, maximum=1_000_000, wide=True, exotic=True)
            + count_rows("--work", zero_ok=True, maximum=10**12)
            + count_rows("--work-ms", zero_ok=True, maximum=3_600_000) + schedule_rows()
            + common_rows())


def integrate_rows():
    rows = [bad(["--function", name], rf"--function: unknown function '{re.escape(name)}'",
                wide=name == "sine") for name in ("sine", "", "EXP-COS")]
    for option in ("--from", "--to", "--tolerance", "--peak-center", "--peak-width", "--frequency"):
        rows += real_rows(option, exotic=option == "--from")
    rows += [
        bad(["--from", "1", "--to", "1"], r"--from 1 must be less than --to 1$", wide=True),
        bad(["--from", "2", "--to", "-2"], r"--from 2 must be less than --to -2$"),
        bad(["--from", "-1e308", "--to", "1e308"], r"width of \[-1e308, 1e308\] overflows"),
        bad(["--tolerance", "0"], r"--tolerance: value '0' must be positive$"),
        bad(["--tolerance", "-1e-9"], r"--tolerance: value '-1e-9' must be positive$"),
        bad(["--peak-width", "0"], r"--peak-width: value '0' must be positive$"),
        bad(["--frequency", "-3"], r"--frequency: value '-3' must be positive$"),
        bad(["--from", "1", "--to", "1.000000000000001", "--chunks", "1000"],
            r"--chunks: 1000 chunks are too many for \[1, 1.000000000000001\]"),
    ]
    rows += count_rows("--chunks", zero_ok=False, maximum=1_000_000, exotic=True)
    rows += count_rows("--max-subdivisions", zero_ok=False, maximum=10_000_000)
    return rows + schedule_rows() + common_rows()


def mandelbrot_rows():
    rows = count_rows("--width", zero_ok=False, maximum=2**20, wide=True, exotic=True)
    rows += count_rows("--height", zero_ok=False, maximum=2**20)
    rows += count_rows("--max-iterations", zero_ok=False, maximum=10**9)
    rows += count_rows("--chunk-size", zero_ok=True, maximum=2**63 - 1)
    for option in ("--center-x", "--center-y", "--view-width"):
        rows += real_rows(option, "is not a finite real number", exotic=option == "--center-x")
    rows += [
        bad(["--width", "8193", "--height", "8193"],
            r"--width/--height: 8193x8193 is 67125249 pixels"),
        bad(["--view-width", "0"], r"--view-width: value '0' does not give the pixels a positive"),
        bad(["--view-width", "-1"], r"--view-width: value '-1' does not give the pixels a"),
        bad(["--view-width", "1e-323"], r"--view-width: value '1e-323' does not give"),
    ]
    rows += [bad(["--julia", value],
                 rf"--julia: value '{re.escape(value)}' is not two real numbers")
             for value in ("", "1", "a,b", "1,2,3", "nan,0", "1e400,0", ",")]
    rows += output_rows("--output", r"--output: directory '\{dir\}/no_such_folder' of '\{dir\}/"
                        r"no_such_folder/out' does not exist$",
                        r"--output: directory '\{in\}' of '\{in\}/out' is not a directory$",
                        r"--output: '\{dir\}' is a directory, not a file$")
    rows.append(bad(["--output", "{dir}/"], r"--output: '\{dir\}/' is a directory, not a file$"))
    return rows + schedule_rows() + common_rows()


# wordcount: the reference counts are computed here from the bytes (a word is a maximal run of
# ASCII letters, lowercased), and the --output file must hold them, sorted by word.
def word_counts(data):
    return collections.Counter(w.lower() for w in re.findall(rb"[A-Za-z]+", data))


def expect_counts(stdout, out, data):
    want = b"".join(b"%s\t%d\n" % (w, n) for w, n in sorted(word_counts(data).items()))
    if stdout:
        return f"unexpected stdout {stdout[:200]!r}"
    if out != want:
        return (f"--output holds {len(out or b'')} bytes {(out or b'')[:80]!r}..., expected "
                f"{len(want)} bytes {want[:80]!r}...")
    return None


def wordcount_rows():
    crlf = "Hello world\r\nhello\r\n\r\nWORLD again\r"
    rows = [
        bad([], r"no input files given$", wide=True),
        bad(["{in}"], r"input directory '\{in\}' holds no files$", ("empty_folder", folder)),
        bad(["{in}"], r"input directory '\{in\}' holds no files$",
            ("empty_tree", empty_folder_tree)),
        bad(["{in}"], r"input '\{in\}' does not exist$", ("missing.txt", nothing), wide=True),
        bad(["{in}"], r"input '\{in\}' does not exist$", ("dangling.txt", dangling)),
        bad(["{in}"], r"input '\{in\}' is neither a regular file nor a directory$",
            ("fifo.txt", fifo)),
        bad(["{in}"], r"cannot access input '\{in\}': Too many levels of symbolic links$",
            ("loop.txt", symlink_loop)),
        good(["{in}"], expect_counts, ("empty.txt", text(""))),
        good(["{in}"], expect_counts, ("crlf.txt", text(crlf)), wide=True),
        good(["{in}", "--split-bytes", "3"], expect_counts, ("crlf.txt", text(crlf))),
        good(["{in}", "--split-bytes", "7"], expect_counts, ("garbage.bin", garbage(1 << 16, 1))),
        good(["{in}"], expect_counts, ("one_word.txt", one_line(b"a"))),
        good(["{in}", "--split-bytes", "1000000"], expect_counts,
             ("words.txt", one_line(b"ab CD\0"))),
    ]
    good_file = ("words.txt", text("the quick brown fox\n"))
    for option, zero_ok in (("--top", False), ("--split-bytes", False), ("--shuffle-bytes", True)):
        rows += [dataclasses.replace(r, args=["{in}"] + r.args, make=good_file)
                 for r in count_rows(option, zero_ok, exotic=option == "--top")]
    rows += [dataclasses.replace(r, args=["{in}"] + r.args, make=good_file)
             for r in schedule_rows() + common_rows()]
    rows += [dataclasses.replace(r, args=["{in}"] + r.args)
             for r in output_rows("--output", *refused_outputs("--output"), good_file)]
    return rows


KMEANS_POINTS = "x,y\n0,0\n1,0\n0,1\n5,5\n"


def expect_centroid(want):
    """The single centroid of -k 1: the mean, written as kmeans writes numbers."""
    def check(stdout, out, data):
        del data
        if "clusters        1" not in stdout:
            return f"no 'clusters 1' line in {stdout[:300]!r}"
        text_want = "x1,x2\n" + ",".join(format(v, ".17g") for v in want) + "\n"
        if out != text_want.encode():
            return f"--centroids holds {out!r}, expected {text_want!r}"
        return None
    return check


def kmeans_rows():
    rows = file_rows(["{in}", "-k", "1"], r"cannot open '\{in\}': No such file or directory$",
                     r"cannot read '\{in\}': it is a directory$",
                     r"cannot read '\{in\}': it is not a regular file")
    # (file, its text, what the message says after the file name, also at 3 and 4 ranks)
    nan = " is not a finite number$"
    csv = [
        ("empty.csv", "", ": no data rows$", True),
        ("blank.csv", "\n \t\n\r\n", ": no data rows$", False),
        ("header_only.csv", "x,y\n", ": no data rows$", False),
        ("ragged.csv", "1,2\n3,4\n5\n", ", line 3: 1 fields, but line 1 has 2$", True),
        ("ragged_long.csv", "a,b\n1,2\n3,4,5\n", ", line 3: 3 fields, but line 1 has 2$", False),
        ("word.csv", "1,2\n3,four\n", ", line 2, field 2: 'four'" + nan, False),
        ("nan.csv", "1,2\nnan,3\n", ", line 2, field 1: 'nan'" + nan, False),
        ("inf.csv", "1,2\n3,inf\n", ", line 2, field 2: 'inf'" + nan, False),
        ("minus_inf.csv", "1,2\n-Infinity,3\n", ", line 2, field 1: '-Infinity'" + nan, False),
        ("overflow.csv", "1,2\n1e400,3\n", ", line 2, field 1: '1e400'" + nan, False),
        ("empty_field.csv", "1,2\n3,\n", ", line 2, field 2: ''" + nan, False),
        ("hex.csv", "1,2\n0x10,3\n", ", line 2, field 1: '0x10'" + nan, False),
        ("quoted.csv", '1,2\n"3",4\n', ", line 2, field 1: '\"3\"'" + nan, False),
        ("cr_only.csv", "1,2\r3,4\r5,6\r", r", line 1, field 2: '2\\x0d3'" + nan, False),
        ("nul.csv", "1,2\n3,\x004\n", r", line 2, field 2: '\\x004'" + nan, False),
        ("semicolons.csv", "1;2\n3;4\n", ", line 2, field 1: '3;4'" + nan, False),
    ]
    rows += [bad(["{in}", "-k", "1"], r"\{in\}" + says, (name, text(data)), wide=wide)
             for name, data, says, wide in csv]
    rows += [
        bad(["{in}", "-k", "1"], r"\{in\}, line \d+(, field \d+)?: ",
            ("garbage.bin", garbage(4096, 2))),
        # One field of 50 MB on line 2: the message quotes the start of it, not all of it.
        bad(["{in}", "-k", "1"], r"\{in\}, line 2, field 1: '9{20,}.*' is not a finite number$",
            ("huge_line.csv", one_line(b"9", head=b"1\n"))),
        bad(["{in}", "-k", "5"], r"--clusters 5 exceeds the number of points \(4\)$",
            ("points.csv", text(KMEANS_POINTS))),
        good(["{in}", "-k", "1"], expect_centroid([1.5, 1.5]),
             ("crlf.csv", text("1,2\r\n3,4\r\n\r\n0,-1\r\n2,1\r\n")), wide=True),
    ]
    points = ("points.csv", text(KMEANS_POINTS))
    on_file = [("--clusters", False, 1_000_000), ("--seed", True, None),
               ("--max-iterations", True, None), ("--chunk-size", True, 2**40)]
    for option, zero_ok, maximum in on_file:
        rows += [dataclasses.replace(r, args=["{in}", "-k", "1"] + r.args, make=points)
                 for r in count_rows(option, zero_ok, maximum, exotic=option == "--clusters")]
    rows += [dataclasses.replace(r, args=["{in}", "-k", "1"] + r.args, make=points)
             for r in real_rows("--tolerance", exotic=True) + schedule_rows() + common_rows()]
    rows.append(bad(["{in}", "-k", "1", "--tolerance", "-1"],
                    r"--tolerance: value '-1' must not be negative$", points))
    generated = [("--generate", False, 1_000_000_000), ("--dims", False, 100_000),
                 ("--blobs", False, 1_000_000)]
    for option, zero_ok, maximum in generated:
        base = ["-k", "1"] if option == "--generate" else ["-k", "1", "--generate", "10"]
        rows += [dataclasses.replace(r, args=base + r.args)
                 for r in count_rows(option, zero_ok, maximum)]
    rows += [dataclasses.replace(r, args=["-k", "1", "--generate", "10"] + r.args)
             for r in real_rows("--spread")]
    rows += [
        bad(["-k", "1", "--generate", "10", "--spread", "-1"],
            r"--spread: value '-1' must not be negative$"),
        bad(["-k", "1", "--generate", "1000000", "--dims", "10000"],
            r"--generate 1000000 --dims 10000: more than 2e9 values$"),
        bad(["{in}", "-k", "1", "--generate", "10"],
            r"give a CSV file \('\{in\}'\) or --generate, not both$", points),
        bad(["-k", "1"], r"give a CSV file of points or --generate N$"),
        bad(["{in}"], r"--clusters is required$", points),
        bad(["", "-k", "1"], r"the points file name is empty$"),
        bad(["{in}", "{in}", "-k", "1"], r"not expected: \{in\}$", points),
    ]
    for option in ("--centroids", "--assignments"):
        rows += [dataclasses.replace(r, args=["{in}", "-k", "1"] + r.args)
                 for r in output_rows(option, *refused_outputs(option), points)]
    return rows


def expect_two_cycle(stdout, out, data):
    """Two vertices linking each other: rank 1/2 each."""
    del data
    if not re.search(r"^vertices +2$", stdout, re.M) or not re.search(r"^edges +2$", stdout, re.M):
        return f"not the graph 1 <-> 2: {stdout[:300]!r}"
    lines = (out or b"").decode().splitlines()
    if lines[:1] != ["id,rank"] or len(lines) != 3:
        return f"--output holds {out!r}"
    ranks = {int(i): float(r) for i, r in (line.split(",") for line in lines[1:])}
    if set(ranks) != {1, 2} or any(not math.isclose(r, 0.5, abs_tol=1e-12) for r in ranks.values()):
        return f"ranks {ranks}, expected 0.5 for vertices 1 and 2"
    return None


def pagerank_rows():
    rows = file_rows(["{in}"], r"cannot open '\{in\}': No such file or directory$",
                     r"cannot read '\{in\}': it is a directory$",
                     r"cannot read '\{in\}': it is not a regular file")
    # (file, its text, what the message says after the file name, also at 3 and 4 ranks)
    fields = "expected 2 fields 'src dst', found "
    not_id = " is not a non-negative integer$"
    edges = [
        ("empty.txt", "", ": no edges$", True),
        ("comments.txt", "# only\n  # comments\n\n#\n", ": no edges$", False),
        ("one_field.txt", "1 2\n3\n", ", line 2: " + fields + "1$", True),
        ("three_fields.txt", "1 2 3\n", ", line 1: " + fields + "3$", False),
        ("comma.txt", "1,2\n", ", line 1: " + fields + "1$", False),
        ("trailing_comment.txt", "1 2 # a comment\n", ", line 1: " + fields + "5$", False),
        ("negative.txt", "1 2\n-3 1\n", ", line 2: vertex id '-3' is negative$", False),
        ("minus_zero.txt", "-0 1\n", ", line 1: vertex id '-0' is negative$", False),
        ("too_large.txt", f"1 {TOO_BIG}\n",
         f", line 1: vertex id '{TOO_BIG}' is too large \\(at most {2**64 - 1}\\)$", True),
        ("far_too_large.txt", "1 " + "9" * 40 + "\n", ", line 1: vertex id '9{40}' is too large",
         False),
        ("word.txt", "1 two\n", ", line 1: vertex id 'two'" + not_id, False),
        ("fraction.txt", "1.0 2\n", ", line 1: vertex id '1.0'" + not_id, False),
        ("plus.txt", "+1 2\n", r", line 1: vertex id '\+1'" + not_id, False),
        ("hex.txt", "0x1 2\n", ", line 1: vertex id '0x1'" + not_id, False),
        ("exponent.txt", "1e3 2\n", ", line 1: vertex id '1e3'" + not_id, False),
        ("nul.txt", "1 2\n3\x00 4\n", r", line 2: vertex id '3\\x00'" + not_id, False),
        ("cr_only.txt", "1 2\r3 4\r", ", line 1: " + fields + "3$", False),
    ]
    rows += [bad(["{in}"], r"\{in\}" + says, (name, text(data)), wide=wide)
             for name, data, says, wide in edges]
    rows += [
        bad(["{in}"], r"\{in\}, line \d+: ", ("garbage.bin", garbage(4096, 3))),
        # One id of 50 MB: the message quotes the start of it, not all of it.
        bad(["{in}"], r"\{in\}, line 1: vertex id '9{20,}.*' is too large", ("huge_id.txt",
            one_line(b"9", head=b"1 "))),
        bad(["{in}"], r"\{in\}, line 1: expected 2 fields 'src dst', found 25000000$",
            ("huge_line.txt", one_line(b"1 2 "))),
        good(["{in}"], expect_two_cycle, ("crlf.txt", text("# two\r\n1\t2\r\n2 1\r\n")), wide=True),
    ]
    graph = ("graph.txt", text("1 2\n2 3\n3 1\n"))
    for option, zero_ok, maximum in (("--max-iterations", False, None), ("--top", True, None),
                                     ("--chunk-size", True, 2**40),
                                     ("--shared-weights-from", True, None)):
        rows += [dataclasses.replace(r, args=["{in}"] + r.args, make=graph)
                 for r in count_rows(option, zero_ok, maximum, exotic=option == "--max-iterations")]
    for option in ("--damping", "--tolerance"):
        rows += [dataclasses.replace(r, args=["{in}"] + r.args, make=graph)
                 for r in real_rows(option, exotic=option == "--damping")]
    rows += [dataclasses.replace(r, args=["{in}"] + r.args, make=graph)
             for r in schedule_rows() + common_rows()]
    rows += [
        bad(["{in}", "--damping", "1.01"], r"--damping: value '1.01' is not between 0 and 1$",
            graph),
        bad(["{in}", "--damping", "-0.1"], r"--damping: value '-0.1' is not between 0 and 1$",
            graph),
        bad(["{in}", "--tolerance", "-1e-9"], r"--tolerance: value '-1e-9' must not be negative$",
            graph),
        bad(["{in}", "--seed", "3"], r"--seed applies only with --rmat-scale$", graph),
        bad(["{in}", "--rmat-scale", "3"],
            r"give an edge-list file \('\{in\}'\) or --rmat-scale, not both$", graph),
        bad([], r"give an edge-list file or --rmat-scale S$"),
        bad([""], r"the edge-list file name is empty$"),
        bad(["--rmat-scale", "30", "--edge-factor", "2"],
            r"--rmat-scale 30 --edge-factor 2: 2147483648 edges, more than 2147483647$"),
    ]
    rows += [dataclasses.replace(r, args=["--rmat-scale", "3"] + r.args)
             for r in count_rows("--edge-factor", False, 2**31 - 1) + count_rows("--seed", True)]
    rows += count_rows("--rmat-scale", zero_ok=False, maximum=30)
    rows += [dataclasses.replace(r, args=["{in}"] + r.args)
             for r in output_rows("--output", *refused_outputs("--output"), graph)]
    rows += [dataclasses.replace(r, args=["--rmat-scale", "3"] + r.args)
             for r in output_rows("--write-edges", *refused_outputs("--write-edges"))]
    return rows


# --- checkpoint journals (framework/include/mpimr/detail/journal_format.hpp): "MPIMRJNL" | u32
# version | u32 key length | key | u64 XXH3 of those bytes, little-endian. XXH3 comes from the
# libxxhash that mpimr links (ctypes; Python's standard library has no xxhash).

def xxh3_64(data):
    if not hasattr(xxh3_64, "function"):
        library = ctypes.CDLL(ctypes.util.find_library("xxhash") or "libxxhash.so.0")
        library.XXH3_64bits.restype = ctypes.c_uint64
        library.XXH3_64bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
        xxh3_64.function = library.XXH3_64bits
    return xxh3_64.function(data, len(data))


def journal_header(key, version=1, checksum_of_version=None):
    """A journal header; `checksum_of_version` computes the checksum as if the version were that
    one (a header patched afterwards: it fails its checksum)."""
    def head(v):
        return b"MPIMRJNL" + struct.pack("<II", v, len(key)) + key
    summed = head(version if checksum_of_version is None else checksum_of_version)
    return head(version) + struct.pack("<Q", xxh3_64(summed))


def checkpoint_folder(files):
    """A checkpoint folder holding `files` ({name: bytes, or a maker of that path})."""
    def make(path):
        os.mkdir(path)
        for name, content in files.items():
            where = os.path.join(path, name)
            if callable(content):
                content(where)
            else:
                with open(where, "wb") as f:
                    f.write(content)
    return make


# Marks a good row whose outputs must equal those of the same command without --checkpoint.
SAME_AS_PLAIN = "same outputs as without --checkpoint"
CHECKPOINT_APPS = ("pi", "workers", "integrate", "mandelbrot", "kmeans", "pagerank", "wordcount")
# Small jobs that read no input file made by the row, so that {in} can be the checkpoint folder
# (wordcount counts the words of this script).
SMALL_JOB = {"pi": [], "workers": [], "integrate": [], "mandelbrot": [],
             "kmeans": ["-k", "2", "--generate", "200"], "pagerank": ["--rmat-scale", "5"],
             "wordcount": [os.path.abspath(__file__), "--split-bytes", "4096"]}
# The stdout lines that do not change from run to run (no times, no pids), by first word; the
# output file is compared too.
STABLE_LINES = {"pi": ("estimate", "hits"), "workers": ("combined",),
                "integrate": ("value", "error_estimate", "bisections"), "mandelbrot": (),
                "kmeans": ("iterations", "converged", "inertia"),
                "pagerank": ("iterations", "l1_change", "rank_sum", "top"),
                "wordcount": ("distinct_words", "total_words")}


def checkpoint_rows(app):
    job = SMALL_JOB[app]
    other_job = journal_header(b"another job entirely")
    future = journal_header(f"{app} from a later mpimr".encode(), version=2)
    patched = journal_header(b"patched", version=2, checksum_of_version=1)
    in_folder = r"'\{in\}/[^']*\.mpimrj'"
    return [
        bad(job + ["--checkpoint", "{in}/ckpt"],
            r"cannot create checkpoint folder '\{in\}/ckpt': Not a directory$", PLAIN_FILE,
            wide=True),
        bad(job + ["--checkpoint", "{in}"],
            r"cannot create checkpoint folder '\{in\}': (File exists|Not a directory)$",
            PLAIN_FILE),
        bad(job + ["--checkpoint", ""], r"--checkpoint: the folder name is empty$"),
        bad(job + ["--keep-checkpoint"], r"--keep-checkpoint requires --checkpoint$"),
        bad(job + ["--checkpoint", "/proc/self"],
            r"cannot create checkpoint journal '/proc/self/run-[0-9a-f]+-rank-0\.mpimrj': "),
        bad(job + ["--checkpoint", "{in}"],
            r"checkpoint folder '\{in\}' holds the journal of another job \(key 'another job "
            r"entirely'", ("other_job", checkpoint_folder({"run-1-rank-0.mpimrj": other_job})),
            wide=True),
        bad(job + ["--checkpoint", "{in}"],
            r"checkpoint journal '\{in\}/run-1-rank-0\.mpimrj' was written in journal format 2; "
            r"this mpimr reads format 1",
            ("future", checkpoint_folder({"run-1-rank-0.mpimrj": future}))),
        # The version patched without its checksum: a torn header, which holds nothing; ignored.
        good(job + ["--checkpoint", "{in}"], SAME_AS_PLAIN,
             ("patched", checkpoint_folder({"run-1-rank-0.mpimrj": patched}))),
        good(job + ["--checkpoint", "{in}"], SAME_AS_PLAIN,
             ("garbage", checkpoint_folder({"run-2-rank-0.mpimrj": garbage(300, 4),
                                            "notes.txt": b"not a journal, kept\n"}))),
        good(job + ["--checkpoint", "{in}", "--keep-checkpoint"], SAME_AS_PLAIN,
             ("kept", checkpoint_folder({"empty.mpimrj": b""}))),
        row(job + ["--checkpoint", "{in}"], in_folder, ("fifo_journal", checkpoint_folder(
            {"run-3-rank-0.mpimrj": fifo}))),
        row(job + ["--checkpoint", "{in}"], in_folder, ("folder_journal", checkpoint_folder(
            {"run-4-rank-0.mpimrj": folder}))),
    ]


TABLES = {"pi": pi_rows, "workers": workers_rows, "integrate": integrate_rows,
          "mandelbrot": mandelbrot_rows, "wordcount": wordcount_rows, "kmeans": kmeans_rows,
          "pagerank": pagerank_rows}
# Put before each row's own arguments (a repeated option takes its last value, so a row overrides
# them): small work, should a bad argument be wrongly accepted, and the output file of each app.
BASE_ARGS = {
    "pi": ["--samples", "1000"],
    "workers": ["--tasks", "3", "--work", "1000"],
    "integrate": ["--chunks", "4"],
    "mandelbrot": ["--width", "16", "--height", "12", "--max-iterations", "20",
                   "--output", "{out}"],
    "wordcount": ["--output", "{out}"],
    "kmeans": ["--centroids", "{out}"],
    "pagerank": ["--output", "{out}"],
}
OUTPUT_NAME = "output"


# --- running ------------------------------------------------------------------------------------

@dataclasses.dataclass
class outcome:
    code: int
    stdout: bytes
    stderr: bytes
    peak_rss: int  # bytes, the largest process of the run (mpirun or a rank)
    seconds: float
    timed_out: bool


# Runs the command given after it and writes the peak RSS of its largest descendant (getrusage of
# the children, in KiB) to the file named first. The peak must be taken here, in a small process:
# a child's peak RSS starts at its parent's at the fork, which would be this test's.
PEAK_RSS_WRAPPER = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[2:]).returncode
with open(sys.argv[1], "w") as f:
    f.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code if code >= 0 else 128 - code)
"""


def launch(cmd, cwd, timeout):
    """Runs `cmd` in `cwd` with its own Open MPI session folder (see app_launch.run), killing its
    whole process group after `timeout` seconds."""
    with tempfile.TemporaryDirectory(prefix="mpimr-session-") as session, \
            tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        # After a rank exits non-zero, mpirun sends the others SIGTERM and by default waits a
        # second before SIGKILL, twice: two idle seconds per refused run, most of this test's time.
        # Ranks that refused an argument are finalizing by then (Open MPI's MPI_Finalize waits for
        # every rank), so nothing the test looks at depends on that wait.
        env = dict(os.environ, TMPDIR=session, OMPI_MCA_odls_base_sigkill_timeout="0")
        rss_file = os.path.join(session, "peak_rss")
        start = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-c", PEAK_RSS_WRAPPER, rss_file] + cmd, cwd=cwd,
                                env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                start_new_session=True)
        timed_out = False
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        seconds = time.monotonic() - start
        peak = 0
        if os.path.exists(rss_file):
            with open(rss_file) as f:
                peak = int(f.read()) * 1024
        out.seek(0)
        err.seek(0)
        return outcome(proc.returncode, out.read(), err.read(), peak, seconds, timed_out)


def snapshot(path):
    """Every entry below `path`: its kind and, for files, a digest of its bytes."""
    found = {}
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            full = os.path.join(root, name)
            rel = os.path.relpath(full, path)
            if os.path.islink(full):
                found[rel] = ("link", os.readlink(full))
            elif os.path.isfile(full):
                with open(full, "rb") as f:
                    found[rel] = ("file", hashlib.sha256(f.read()).hexdigest())
            else:
                found[rel] = ("other", "")
    return found


def substitute(value, places, escape=False):
    """{in}, {out} and {dir} in an argument, or \\{in\\} and so on in a pattern, replaced by the
    paths."""
    for key, path in places.items():
        if escape:
            value = value.replace("\\{" + key + "\\}", re.escape(path))
        else:
            value = value.replace("{" + key + "}", path)
    return value


def stable_lines(app, stdout):
    return [line for line in stdout.splitlines() if line.split(" ", 1)[0] in STABLE_LINES[app]]


def read_or_none(path):
    if not os.path.isfile(path):
        return None
    with open(path, "rb") as f:
        return f.read()


def plain_reference(app, launcher, np, scratch):
    """(stable stdout lines, output bytes) of the small job without --checkpoint at `np` ranks."""
    run_folder = os.path.join(scratch, f"reference_np{np}")
    os.mkdir(run_folder)
    out_path = os.path.join(run_folder, OUTPUT_NAME)
    places = {"out": out_path, "dir": run_folder, "in": ""}
    args = [substitute(a, places) for a in BASE_ARGS[app] + SMALL_JOB[app]]
    cmd = [part.replace("{np}", str(np)) for part in launcher] + args
    got = launch(cmd, run_folder, RUN_TIMEOUT)
    if got.code != 0 or got.stderr:
        fail(f"the reference run failed (exit {got.code}): {shlex.join(cmd)}\n"
             f"{got.stderr.decode(errors='replace')}")
    return stable_lines(app, got.stdout.decode()), read_or_none(out_path)


def checkpoint_outcome(r, folder, before):
    """After a successful run with --checkpoint `folder`: a problem with what is left there, or
    None. The journal is removed unless kept; files that are not journals stay as they were."""
    after = snapshot(folder) if os.path.isdir(folder) else {}
    journals = [name for name in after if name.endswith(".mpimrj")]
    if "--keep-checkpoint" in r.args:
        if not [name for name in journals if name not in before]:
            return f"--keep-checkpoint left no journal of this run in {folder}: {sorted(after)}"
        return None
    if journals:
        return f"journal files left after success: {journals}"
    for name, state in before.items():
        if not name.endswith(".mpimrj") and after.get(name) != state:
            return f"'{name}', not a journal, was changed or removed from the checkpoint folder"
    return None


def run_row(app, launcher, r, np, inputs, input_bytes, scratch, index, references):
    """One row at one rank count; returns a problem or None, and a line for the log."""
    run_folder = os.path.join(scratch, f"run{index}_np{np}")
    os.mkdir(run_folder)
    out_path = os.path.join(run_folder, OUTPUT_NAME)
    has_output = "{out}" in BASE_ARGS[app]
    if has_output and np % 2 == 0:
        with open(out_path, "wb") as f:  # at even rank counts the output exists already
            f.write(SENTINEL)
    # A checkpoint folder that the run may use and complete is its own copy: runs of the row at
    # other rank counts go on at the same time, and would remove or add each other's journals.
    checkpointed = r.expect is SAME_AS_PLAIN
    if checkpointed:
        copy = os.path.join(scratch, f"checkpoint{index}_np{np}", os.path.basename(inputs))
        shutil.copytree(inputs, copy, symlinks=True)
        inputs = copy
    places = {"out": out_path, "dir": run_folder, "in": inputs or ""}
    args = [substitute(a, places) for a in BASE_ARGS[app] + r.args]
    cmd = [part.replace("{np}", str(np)) for part in launcher] + args
    where = shlex.join(cmd)
    # What the run may touch: its own folder and its input's (other runs go on beside them); a
    # checkpoint folder that the run may use is looked at apart.
    watched = [run_folder] + ([os.path.dirname(inputs)] if inputs and not checkpointed else [])
    before = {w: snapshot(w) for w in watched}
    checkpoint_before = snapshot(inputs) if checkpointed else None
    got = launch(cmd, run_folder, RUN_TIMEOUT)
    after = {w: snapshot(w) for w in watched}
    stdout = got.stdout.decode(errors="replace")
    stderr = got.stderr.decode(errors="replace")
    said = f"exit {got.code}, stdout {stdout[:300]!r}, stderr {stderr[:600]!r}"
    if got.timed_out:
        return f"no end after {RUN_TIMEOUT} s (a hang): {where}", None
    # A bound that grows with the input: 8 bytes per input byte (a line of it, its fields, a copy
    # or two) over the 256 MiB that small runs stay far below.
    bound = (256 << 20) + 8 * len(input_bytes or b"")
    if got.peak_rss > bound:
        return f"peak RSS {got.peak_rss >> 20} MiB, over {bound >> 20} MiB: {where}", None
    if got.code != r.code:
        return f"exit code {got.code}, expected {r.code}: {where}\n{said}", None
    if r.code == 0:
        if got.stderr:
            return f"unexpected stderr: {where}\n{said}", None
        out = read_or_none(out_path)
        if checkpointed:
            want_lines, want_out = references[np]
            problem = None
            if stable_lines(app, stdout) != want_lines or out != want_out:
                problem = (f"outputs differ from the run without --checkpoint: "
                           f"{stable_lines(app, stdout)} vs {want_lines}, output file "
                           f"{'equal' if out == want_out else 'differs'}")
            problem = problem or checkpoint_outcome(r, inputs, checkpoint_before)
        else:
            problem = r.expect(stdout, out, input_bytes or b"")
        if problem:
            return f"{problem}: {where}", None
        after[run_folder].pop(OUTPUT_NAME, None)
        before[run_folder].pop(OUTPUT_NAME, None)
        if after != before:
            return f"files other than the output created, changed or removed: {where}", None
        return None, (f"np {np} exit 0, checked against the reference ({got.seconds:.1f} s, "
                      f"peak RSS {got.peak_rss >> 20} MiB)")
    lines = app_launch.app_stderr_lines(got.stderr)
    if len(lines) != 1:
        return f"expected one line on stderr, got {len(lines)}: {where}\n{said}", None
    line = lines[0].decode(errors="replace")
    if any(ord(c) < 0x20 or ord(c) == 0x7f for c in line):
        return f"a control byte in the error line {line!r}: {where}", None
    if len(line) > MAX_LINE:
        return f"error line of {len(line)} characters: {line[:200]!r}...: {where}", None
    if not line.startswith(f"{app}: "):
        return f"the error line does not start with '{app}: ': {where}\n{said}", None
    pattern = substitute(r.expect, places, escape=True)
    if not re.search(pattern, line[len(app) + 2:]):
        return f"error line {line!r} does not match {pattern!r}: {where}", None
    if got.stdout:
        return f"unexpected stdout: {where}\n{said}", None
    for w in watched:
        if after[w] != before[w]:
            changed = sorted(k for k in set(before[w]) | set(after[w])
                             if before[w].get(k) != after[w].get(k))
            return f"files created, changed or removed in {w}: {changed}: {where}", None
    return None, f"np {np} exit 2 ({got.seconds:.1f} s, peak RSS {got.peak_rss >> 20} MiB), {line}"


def make_inputs(table, scratch):
    """Makes each row's input once, in its own folder; returns [(path or None, bytes or None)]."""
    made = []
    for index, r in enumerate(table):
        if r.make is None:
            made.append((None, None))
            continue
        name, maker = r.make
        where = os.path.join(scratch, f"input{index}")
        os.mkdir(where)
        path = os.path.join(where, name)
        maker(path)
        data = None
        if os.path.isfile(path) and not os.path.islink(path):
            with open(path, "rb") as f:
                data = f.read()
        made.append((path, data))
    return made


# --- a real journal cut at many places ------------------------------------------------------------

CUT_JOB = ["--samples", "3000", "--chunk-size", "1000", "--seed", "7"]


def record_ends(data):
    """Offsets where the header and each record of a whole journal file end."""
    (key_length,) = struct.unpack_from("<I", data, 12)
    at = 16 + key_length + 8
    ends = [at]
    while at < len(data):
        (length,) = struct.unpack_from("<Q", data, at + 24)
        at += 32 + length + 8
        ends.append(at)
    if at != len(data):
        fail(f"the journal does not end with a whole record ({at} of {len(data)} bytes)")
    return ends


def check_journal_cuts(launcher, jobs, wide_every):
    """pi's journal of 3 chunks, kept after a run at 1 rank, cut at the places chosen below: a run
    on each cut must print what a run without --checkpoint prints, take exactly the whole records
    before the cut, say nothing on stderr, and remove the journal."""
    with tempfile.TemporaryDirectory(prefix="mpimr-hostile-cuts-") as scratch:
        def pi_run(np, extra, name):
            folder = os.path.join(scratch, name)
            os.makedirs(folder, exist_ok=True)
            cmd = [part.replace("{np}", str(np)) for part in launcher] + CUT_JOB + extra
            return cmd, launch(cmd, folder, RUN_TIMEOUT)

        cmd, plain = pi_run(1, [], "plain")
        if plain.code != 0:
            fail(f"exit {plain.code}: {shlex.join(cmd)}")
        want = stable_lines("pi", plain.stdout.decode())
        kept = os.path.join(scratch, "kept")
        cmd, first = pi_run(1, ["--checkpoint", kept, "--keep-checkpoint"], "first")
        files = ([name for name in os.listdir(kept) if name.endswith(".mpimrj")]
                 if first.code == 0 else [])
        if len(files) != 1:
            fail(f"expected one journal file from one rank, found {files}: {shlex.join(cmd)}")
        with open(os.path.join(kept, files[0]), "rb") as f:
            journal = f.read()
        ends = record_ends(journal)

        def one(run):
            cut, np = run
            folder = os.path.join(scratch, f"cut{cut}_np{np}")
            os.mkdir(folder)
            with open(os.path.join(folder, files[0]), "wb") as f:
                f.write(journal[:cut])
            cmd, got = pi_run(np, ["--checkpoint", folder], f"run{cut}_np{np}")
            where = shlex.join(cmd)
            stdout = got.stdout.decode(errors="replace")
            whole = sum(1 for end in ends[1:] if end <= cut)
            if got.timed_out or got.code != 0 or got.stderr:
                return f"cut at {cut}: exit {got.code}, stderr {got.stderr[:300]!r}: {where}"
            if stable_lines("pi", stdout) != want:
                return f"cut at {cut}: {stable_lines('pi', stdout)} instead of {want}: {where}"
            if f"resumed_chunks {whole}" not in stdout:
                return f"cut at {cut}: expected {whole} chunks resumed: {where}\n{stdout}"
            if os.path.exists(folder) and any(n.endswith(".mpimrj") for n in os.listdir(folder)):
                return f"cut at {cut}: journal left after success: {os.listdir(folder)}"
            return None

        # Every byte of the header and of the first record; the later records have the same
        # layout, so every 7th byte of them and each side of every record end.
        cuts = set(range(ends[1] + 1)) | set(range(ends[1], len(journal) + 1, 7))
        cuts |= {cut for end in ends for cut in (end - 1, end, end + 1) if cut <= len(journal)}
        runs = [(cut, 1) for cut in sorted(cuts)]
        runs += [(cut, 2) for cut in range(0, len(journal) + 1, wide_every)]
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            problems = [p for p in pool.map(one, runs) if p]
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    print(f"journal of {len(journal)} bytes (header {ends[0]}, records ending at {ends[1:]}) "
          f"cut at {len(cuts)} of its {len(journal) + 1} places: {len(runs)} runs (these at 1 "
          f"rank, every {wide_every}th place at 2), {len(problems)} failed")
    return problems


def row_ranks(index, r, ranks, wide_ranks):
    """The rank counts a row runs at: a wide row at all of `ranks` and one of `wide_ranks`; any
    other row at one of `ranks`; the one taken in turn by row number, so that each rank count sees
    about as many rows. A launch is most of a row's cost, and what several ranks add (they agree,
    rank 0 alone speaks, none hangs) the wide rows check at more rank counts."""
    if r.wide:
        return ranks + wide_ranks[index % len(wide_ranks):][:1]
    return [ranks[index % len(ranks)]]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("table", choices=sorted(TABLES) + ["journal_cuts"],
                        help="an app's table, or journal_cuts (pi's journal cut at many places)")
    parser.add_argument("--app", required=True, help="path of the app's executable")
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--wide-ranks", type=int, nargs="*", default=[3, 4])
    # A refused run keeps mpirun waiting about two seconds with idle ranks: launches overlap.
    parser.add_argument("--jobs", type=int, default=6, help="launches at a time")
    opts, launcher = app_launch.parse_with_launcher(parser, "{app}", "app")
    if opts.table == "journal_cuts":
        if check_journal_cuts(launcher, opts.jobs, wide_every=16):
            sys.exit(1)
        print("PASS")
        return
    app = opts.table
    table = TABLES[app]() + (checkpoint_rows(app) if app in CHECKPOINT_APPS else [])
    with tempfile.TemporaryDirectory(prefix="mpimr-hostile-") as scratch:
        inputs = make_inputs(table, scratch)
        runs = [(index, np) for index, r in enumerate(table) if not r.known_bug
                for np in row_ranks(index, r, opts.ranks, opts.wide_ranks)]
        references = {np: plain_reference(app, launcher, np, scratch)
                      for np in sorted({np for index, np in runs
                                        if table[index].expect is SAME_AS_PLAIN})}
        # Rows with the big inputs first, so that they do not finish last alone.
        runs.sort(key=lambda run: -len(inputs[run[0]][1] or b""))

        def one(run):
            index, np = run
            path, data = inputs[index]
            return run_row(app, launcher, table[index], np, path, data, scratch, index, references)

        with concurrent.futures.ThreadPoolExecutor(max_workers=opts.jobs) as pool:
            results = list(pool.map(one, runs))
    problems = []
    for (index, np), (problem, log) in zip(runs, results):
        r = table[index]
        shown = " ".join(shlex.quote(a) for a in r.args)
        name = f" [{r.make[0]}]" if r.make else ""
        if problem:
            problems.append(f"row {index}{name} {shown}: {problem}")
        else:
            print(f"row {index}{name} {shown}: {log}")
    known = [(index, r) for index, r in enumerate(table) if r.known_bug]
    for index, r in known:
        print(f"row {index} [{r.make[0] if r.make else ''}] not run, KNOWN BUG: {r.known_bug}")
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    wide = sum(1 for r in table if r.wide and not r.known_bug)
    print(f"{app}: {len(table) - len(known)} rows, each at one of {opts.ranks} in turn, {wide} "
          f"of them at {opts.ranks} and one of {opts.wide_ranks}: {len(runs)} runs, "
          f"{len(problems)} failed; {len(known)} rows not run (known bugs)")
    if problems:
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    main()
