#!/usr/bin/env python3
"""End-to-end checks of --checkpoint DIR in pi, integrate, mandelbrot, workers, kmeans, pagerank and
wordcount, one check per ctest test (see CMakeLists.txt).

resume:   a run at 2 ranks gets SIGUSR1 (sent to mpirun, which forwards it to every rank) once its
          journal holds records; it must exit with code 75, print one line saying how many chunks
          are saved (as many as the journal files hold), and write no output. The same command at
          3 ranks must then give the outputs of an uninterrupted run without --checkpoint (the same
          bytes or printed values), take exactly the saved chunks from the journal and remove DIR.
          pi is interrupted twice (2, then 3 ranks) and finishes at 1 rank.
refusals: --checkpoint below a plain file, an empty name, --keep-checkpoint alone: one line, exit 2.
          A kept journal (--keep-checkpoint) stays after success and serves every chunk of a rerun
          at another rank count; a journal of another job (one parameter changed) is refused with
          one line naming the folder, exit 2. --help names both options and exit code 75.

Usage: checkpoint_test.py CHECK --app-name NAME --app PATH -- LAUNCHER...
LAUNCHER is the mpiexec command line with {np} where the rank count goes and {app} where the program
goes. Exit status 0 = pass; a failure prints the command line that failed.
"""

import argparse
import math
import os
import random
import re
import shlex
import signal
import struct
import subprocess
import tempfile
import time

import app_launch
from app_launch import fail

# A loaded 2-core machine can be slow to start 3 ranks; these are limits, not expectations.
RUN_TIMEOUT = 240
RECORD_DEADLINE = 120


# --- the journal, read independently of mpimr (framework/include/mpimr/detail/journal_format.hpp:
# "MPIMRJNL" | u32 version | u32 key length | key | u64 checksum, then records
# u32 magic "RCRD" | u32 0 | u64 operation | u64 chunk | u64 length | payload | u64 checksum).
# Checksums are not verified here (XXH3 is not in Python's standard library).

JOURNAL_MAGIC = b"MPIMRJNL"
RECORD_MAGIC = 0x44524352


def journal_files(folder):
    if not os.path.isdir(folder):
        return []
    return sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".mpimrj"))


def header_size(data):
    """Bytes of the file's header, or None while it is not all there."""
    if len(data) < 16 or data[:8] != JOURNAL_MAGIC:
        return None
    (key_length,) = struct.unpack_from("<I", data, 12)
    size = 16 + key_length + 8
    return size if len(data) >= size else None


def read_journal(path):
    """(key, [(operation, chunk)]) of one file written by a run that ended cleanly."""
    with open(path, "rb") as f:
        data = f.read()
    size = header_size(data)
    if size is None:
        fail(f"journal {path} has no whole header ({len(data)} bytes)")
    key = data[16:size - 8].decode()
    records, at = [], size
    while at < len(data):
        if len(data) - at < 40:
            fail(f"journal {path}: {len(data) - at} stray bytes at offset {at}")
        magic, zero, operation, chunk, length = struct.unpack_from("<IIQQQ", data, at)
        if magic != RECORD_MAGIC or zero != 0 or at + 32 + length + 8 > len(data):
            fail(f"journal {path}: no record at offset {at}")
        records.append((operation, chunk))
        at += 32 + length + 8
    return key, records


def saved_records(folder):
    """Distinct (operation, chunk) pairs over every journal file of the folder, and the keys."""
    pairs, keys = set(), set()
    for path in journal_files(folder):
        key, records = read_journal(path)
        keys.add(key)
        pairs.update(records)
    return pairs, keys


def bytes_past_headers(folder, ignore):
    total = 0
    for path in journal_files(folder):
        if path in ignore:
            continue
        try:
            with open(path, "rb") as f:
                head = f.read(16)
                length = os.fstat(f.fileno()).st_size
        except FileNotFoundError:
            continue
        if len(head) == 16 and head[:8] == JOURNAL_MAGIC:
            (key_length,) = struct.unpack_from("<I", head, 12)
            total += max(0, length - (16 + key_length + 8))
    return total


# --- the six apps: a job of a few seconds at 2 ranks, a small one, and how to compare outputs.


def fields(stdout):
    """The `key value` lines of an app's summary."""
    out = {}
    for line in stdout.splitlines():
        key, _, value = line.partition(" ")
        out.setdefault(key, value.strip())
    return out


def same_fields(keys):
    def compare(ref, got, where):
        a, b = fields(ref["stdout"]), fields(got["stdout"])
        for key in keys:
            if key not in a or a.get(key) != b.get(key):
                fail(f"{key}: {b.get(key)!r}, an uninterrupted run printed {a.get(key)!r}: {where}")
    return compare


def same_files(ref, got, where):
    if sorted(ref["files"]) != sorted(got["files"]):
        fail(f"files {sorted(got['files'])}, an uninterrupted run wrote {sorted(ref['files'])}: "
             f"{where}")
    for name, data in ref["files"].items():
        if got["files"][name] != data:
            fail(f"{name} differs from an uninterrupted run's: {where}")


def both(*checks):
    def compare(ref, got, where):
        for check in checks:
            check(ref, got, where)
    return compare


def mandelbrot_iterations(ref, got, where):
    pattern = re.compile(r"^wrote .*: \d+x\d+ pixels, (\d+) iterations", re.M)
    a, b = pattern.search(ref["stdout"]), pattern.search(got["stdout"])
    if a is None or b is None or a[1] != b[1]:
        fail(f"iteration totals differ: {got['stdout']!r} vs {ref['stdout']!r}: {where}")


def pagerank_top(ref, got, where):
    def top(stdout):
        return [line for line in stdout.splitlines() if line.startswith("top ")]
    if not top(ref["stdout"]) or top(ref["stdout"]) != top(got["stdout"]):
        fail(f"top lines differ from an uninterrupted run's: {where}\n{got['stdout']}")


COMBINED = re.compile(r"^combined checksum (0x[0-9a-f]{16}) ", re.M)


def workers_checksum(ref, got, where):
    a, b = COMBINED.search(ref["stdout"]), COMBINED.search(got["stdout"])
    if a is None or b is None or a[1] != b[1]:
        fail(f"combined checksum differs from an uninterrupted run's: {where}\n{got['stdout']}")


def wordcount_corpus(out, megabytes):
    """A text file of `megabytes` MiB beside the output folder `out` (made once per size): 1 MiB
    of pseudo-random words, repeated, with a line per repetition that differs, so that the counts
    are not all multiples of one number."""
    path = os.path.join(os.path.dirname(out), f"corpus-{megabytes}.txt")
    if not os.path.exists(path):
        rng = random.Random(megabytes)
        syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "qua", "x"]
        block, size = [], 0
        while size < 1 << 20:
            line = " ".join("".join(rng.choice(syllables) for _ in range(rng.randint(1, 4)))
                            for _ in range(rng.randint(1, 12)))
            block.append(line + "\n")
            size += len(line) + 1
        block = "".join(block)
        with open(path, "w") as f:
            for n in range(megabytes):
                f.write(block)
                f.write(f"repetition{'ab'[n % 2] * (n % 7 + 1)} of the block\n")
    return path


APPS = {
    "pi": {
        "long": lambda out: ["--samples", "3e8", "--seed", "7"],
        "small": lambda out: ["--samples", "2e5", "--chunk-size", "1000"],
        "other": lambda out: ["--samples", "2e5", "--chunk-size", "1000", "--seed", "8"],
        "compare": same_fields(["estimate", "hits", "samples", "seed"]),
    },
    "integrate": {
        "long": lambda out: ["--function", "cosine", "--frequency", "1e7", "--chunks", "4000",
                             "--tolerance", "1e-8"],
        "small": lambda out: ["--function", "runge", "--chunks", "64"],
        "other": lambda out: ["--function", "runge", "--chunks", "64", "--tolerance", "1e-9"],
        "compare": same_fields(["value", "error_estimate", "converged", "short_chunks",
                                "bisections", "evaluations"]),
    },
    "mandelbrot": {
        "long": lambda out: ["--width", "1000", "--height", "750", "--max-iterations", "2500",
                             "--output", os.path.join(out, "m.png")],
        "small": lambda out: ["--width", "64", "--height", "48", "--max-iterations", "200",
                              "--output", os.path.join(out, "m.png")],
        "other": lambda out: ["--width", "64", "--height", "48", "--max-iterations", "201",
                              "--output", os.path.join(out, "m.png")],
        "compare": both(same_files, mandelbrot_iterations),
    },
    "workers": {
        # 16 tasks of 0.4 s (sleeping, so the cores stay free): 3.2 s at 2 ranks.
        "long": lambda out: ["--tasks", "16", "--work", "100000", "--work-ms", "400"],
        "tasks": 16,
        "small": lambda out: ["--tasks", "5", "--work", "1000"],
        "other": lambda out: ["--tasks", "5", "--work", "1001"],
        "compare": workers_checksum,
    },
    "kmeans": {
        # 100 iterations of 49 chunks; the signal once about four iterations are journaled.
        "long": lambda out: ["--generate", "200000", "--dims", "4", "-k", "16", "--spread", "4",
                             "--max-iterations", "100", "--seed", "3", "--chunk-size", "4096",
                             "--centroids", os.path.join(out, "c.csv"),
                             "--assignments", os.path.join(out, "a.csv"),
                             "--initial-centroids", os.path.join(out, "i.csv")],
        "min_bytes": 150000,
        "chunks_per_iteration": math.ceil(200000 / 4096),
        "small": lambda out: ["--generate", "3000", "-k", "4", "--seed", "2",
                              "--centroids", os.path.join(out, "c.csv")],
        "other": lambda out: ["--generate", "3000", "-k", "4", "--seed", "3",
                              "--centroids", os.path.join(out, "c.csv")],
        "compare": both(same_files, same_fields(["iterations", "converged", "inertia",
                                                 "last_shift", "empty_clusters"])),
    },
    "pagerank": {
        # 1000 iterations of 8 chunks (2028 vertices, 256 rows a chunk); 16 MB of journal in all.
        "long": lambda out: ["--rmat-scale", "11", "--edge-factor", "256", "--tolerance", "0",
                             "--max-iterations", "1000", "--top", "5",
                             "--output", os.path.join(out, "ranks.csv")],
        "min_bytes": 100000,
        "chunks_per_iteration": math.ceil(2028 / 256),
        "small": lambda out: ["--rmat-scale", "8", "--output", os.path.join(out, "ranks.csv")],
        "other": lambda out: ["--rmat-scale", "8", "--damping", "0.8",
                              "--output", os.path.join(out, "ranks.csv")],
        "compare": both(same_files, pagerank_top,
                        same_fields(["vertices", "edges", "iterations", "l1_change",
                                     "rank_sum"])),
    },
    "wordcount": {
        # 8 KiB splits, one chunk each: about 8000 chunks of journaled (word, count) pairs.
        "long": lambda out: [wordcount_corpus(out, 64), "--split-bytes", "8192",
                             "--output", os.path.join(out, "counts.tsv")],
        "min_bytes": 200000,
        "small": lambda out: [wordcount_corpus(out, 1), "--split-bytes", "65536"],
        "other": lambda out: [wordcount_corpus(out, 1), "--split-bytes", "65537"],
        "compare": same_files,
    },
}


# --- running


def outcome(proc_stdout, out_dir):
    files = {}
    for name in sorted(os.listdir(out_dir)):
        with open(os.path.join(out_dir, name), "rb") as f:
            files[name] = f.read()
    return {"stdout": proc_stdout, "files": files}


def finished_run(launcher, np, args, out_dir):
    cmd, proc = app_launch.run(launcher, np, args, RUN_TIMEOUT, True)
    if proc.returncode != 0:
        fail(f"exit code {proc.returncode}: {shlex.join(cmd)}\n{proc.stdout}{proc.stderr}")
    return shlex.join(cmd), outcome(proc.stdout, out_dir)


def resumed_chunks(stdout, where):
    m = re.search(r"^resumed_chunks +(\d+)$", stdout, re.M)
    if m is None:
        fail(f"no resumed_chunks line: {where}\n{stdout}")
    return int(m[1])


def interrupted_run(launcher, np, args, folder, app_name, min_bytes, scratch):
    """Starts the app, sends mpirun SIGUSR1 once the journal files of this run hold at least
    `min_bytes` past their headers, and checks the stopped run. Returns (chunks saved, stdout)."""
    cmd = [part.replace("{np}", str(np)) for part in launcher] + args
    where = shlex.join(cmd)
    earlier = set(journal_files(folder))
    with tempfile.TemporaryDirectory(prefix="mpimr-session-") as session, \
            open(os.path.join(scratch, "stdout"), "w+") as out, \
            open(os.path.join(scratch, "stderr"), "w+") as err:
        env = dict(os.environ, TMPDIR=session)  # as app_launch.run: a session folder per launch
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, env=env)
        try:
            deadline = time.monotonic() + RECORD_DEADLINE
            while bytes_past_headers(folder, earlier) < max(min_bytes, 1):
                if proc.poll() is not None:
                    out.seek(0)
                    err.seek(0)
                    fail(f"the run ended (exit code {proc.returncode}) before its journal held "
                         f"{min_bytes} bytes of records: {where}\n{out.read()}{err.read()}")
                if time.monotonic() > deadline:
                    fail(f"no journal records after {RECORD_DEADLINE} s: {where}")
                time.sleep(0.02)
            proc.send_signal(signal.SIGUSR1)
            code = proc.wait(timeout=RUN_TIMEOUT)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if code != 75:
        fail(f"exit code {code} after SIGUSR1, expected 75: {where}\n{stdout}{stderr}")
    lines = stderr.splitlines()
    pattern = (rf"^{app_name}: interrupted on rank (\d+) by SIGUSR1; (\d+) chunks? (?:is|are) "
               rf"saved in '{re.escape(folder)}': run the same command again to resume$")
    m = re.match(pattern, lines[0]) if len(lines) == 1 else None
    if m is None:
        fail(f"expected one line '{app_name}: interrupted ... saved in ...' on stderr: {where}\n"
             f"{stderr}")
    if not 0 <= int(m[1]) < np:
        fail(f"rank {m[1]} out of range: {where}")
    saved = int(m[2])
    pairs, keys = saved_records(folder)
    if saved != len(pairs) or saved == 0:
        fail(f"the line says {saved} chunks are saved, the journal files hold {len(pairs)}: "
             f"{where}")
    if len(keys) != 1:
        fail(f"journal files with different keys {keys}: {where}")
    print(f"np {np}: SIGUSR1 -> exit 75, {saved} chunks saved; key '{keys.pop()}'")
    return saved, stdout, where


def check_no_outputs(out_dir, where):
    left = os.listdir(out_dir)
    if left:
        fail(f"an interrupted or refused run left {left} in its output folder: {where}")


def workers_resumed(interrupted_stdout, got_stdout, saved, tasks, where):
    """The tasks that ended before the stop are exactly those the rerun takes from the journal and
    lists as finished by an earlier run; the rerun runs all the others."""
    ended = {int(m[1]) for m in re.finditer(r"\] task (\d+) ended ", interrupted_stdout)}
    m = re.search(r"^  from the checkpoint: (\d+) task\(s\) finished by an earlier run: ([0-9 ]+)$",
                  got_stdout, re.M)
    if m is None:
        fail(f"no 'from the checkpoint' line in the rerun's summary: {where}\n{got_stdout}")
    earlier = [int(t) for t in m[2].split()]
    started = {int(t[1]) for t in re.finditer(r"\] task (\d+) started ", got_stdout)}
    if int(m[1]) != len(earlier) or set(earlier) != ended or len(earlier) != saved:
        fail(f"tasks from the checkpoint {earlier}; the interrupted run ended {sorted(ended)} "
             f"and saved {saved}: {where}\n{got_stdout}")
    if started & ended or started | ended != set(range(tasks)):
        fail(f"the rerun started {sorted(started)}, the interrupted run ended {sorted(ended)}: "
             f"{where}")


def check_resume(launcher, app_name):
    spec = APPS[app_name]
    with tempfile.TemporaryDirectory(prefix="mpimr-ckpt-test-") as tmp:
        ref_dir, run_dir = os.path.join(tmp, "ref"), os.path.join(tmp, "run")
        os.mkdir(ref_dir)
        os.mkdir(run_dir)
        folder = os.path.join(tmp, "ckpt")
        _, reference = finished_run(launcher, 2, spec["long"](ref_dir), ref_dir)
        args = spec["long"](run_dir) + ["--checkpoint", folder]

        saved, stopped_stdout, where = interrupted_run(
            launcher, 2, args, folder, app_name, spec.get("min_bytes", 1), tmp)
        if app_name != "workers" and stopped_stdout:
            fail(f"an interrupted run printed results: {where}\n{stopped_stdout}")
        check_no_outputs(run_dir, where)
        final_ranks = 3
        if app_name == "pi":
            # Stopped again at 3 ranks after taking the first run's chunks; finished at 1 rank.
            saved_before = saved
            saved, stopped_stdout, where = interrupted_run(launcher, 3, args, folder, app_name, 1,
                                                           tmp)
            if saved <= saved_before:
                fail(f"the second run saved no chunks of its own ({saved}): {where}")
            check_no_outputs(run_dir, where)
            final_ranks = 1
        if "chunks_per_iteration" in spec and saved <= spec["chunks_per_iteration"]:
            fail(f"only {saved} chunks saved, less than one iteration: the test should wait longer")

        where, got = finished_run(launcher, final_ranks, args, run_dir)
        spec["compare"](reference, got, where)
        resumed = resumed_chunks(got["stdout"], where)
        if resumed != saved:
            fail(f"the rerun took {resumed} chunks from the journal, {saved} were saved: {where}")
        if app_name == "workers":
            workers_resumed(stopped_stdout, got["stdout"], saved, spec["tasks"], where)
        if os.path.exists(folder):
            fail(f"{folder} is still there after the job completed: {where}")
        print(f"np {final_ranks}: resumed {resumed} chunks, same outputs as an uninterrupted run, "
              f"{folder} removed")


def check_refusals(launcher, app_name):
    spec = APPS[app_name]
    app_launch.expect_help(launcher, [1], ["--checkpoint", "--keep-checkpoint", "code 75"])
    with tempfile.TemporaryDirectory(prefix="mpimr-ckpt-test-") as tmp:
        out = os.path.join(tmp, "out")
        os.mkdir(out)
        plain = os.path.join(tmp, "plain-file")
        with open(plain, "w") as f:
            f.write("not a folder\n")
        below = os.path.join(plain, "ckpt")
        bad = [
            (["--checkpoint", below], f"cannot create checkpoint folder '{below}'"),
            (["--checkpoint", ""], "--checkpoint: the folder name is empty"),
            (["--keep-checkpoint"], "--keep-checkpoint requires --checkpoint"),
        ]
        # At 2 ranks only the folder, which every rank tries: the others fail while parsing, alike.
        for np, extra, named in [(1, *case) for case in bad] + [(2, *bad[0])]:
            cmd, proc = app_launch.run(launcher, np, spec["small"](out) + extra, RUN_TIMEOUT, True,
                                       no_kill_grace=True)
            line = app_launch.expect_one_line_exit_2(cmd, proc, app_name, named)
            check_no_outputs(out, shlex.join(cmd))
            print(f"np {np} {shlex.join(extra)}: exit 2, {line}")

        # A kept journal serves every chunk of a rerun at another rank count.
        folder = os.path.join(tmp, "kept")
        kept = spec["small"](out) + ["--checkpoint", folder, "--keep-checkpoint"]
        where, first = finished_run(launcher, 2, kept, out)
        if resumed_chunks(first["stdout"], where) != 0:
            fail(f"a first run resumed chunks: {where}")
        pairs, _ = saved_records(folder)
        if not pairs:
            fail(f"--keep-checkpoint: no journal records kept in {folder}: {where}")
        for name in os.listdir(out):
            os.remove(os.path.join(out, name))
        where, again = finished_run(launcher, 1, kept, out)
        spec["compare"](first, again, where)
        if resumed_chunks(again["stdout"], where) != len(pairs):
            fail(f"a rerun on a kept journal of {len(pairs)} chunks resumed "
                 f"{resumed_chunks(again['stdout'], where)}: {where}")
        print(f"--keep-checkpoint: {len(pairs)} chunks kept; a rerun at 1 rank took them all")

        # Another job's journal: refused, and left alone.
        for name in os.listdir(out):
            os.remove(os.path.join(out, name))
        before = {path: os.path.getsize(path) for path in journal_files(folder)}
        cmd, proc = app_launch.run(launcher, 2, spec["other"](out) + ["--checkpoint", folder],
                                   RUN_TIMEOUT, True, no_kill_grace=True)
        line = app_launch.expect_one_line_exit_2(cmd, proc, app_name, f"'{folder}'")
        if "another job" not in line:
            fail(f"the line does not say the journal is another job's: {shlex.join(cmd)}\n{line}")
        check_no_outputs(out, shlex.join(cmd))
        after = {path: os.path.getsize(path) for path in journal_files(folder)}
        if after != before:
            fail(f"a refused run changed the journal folder: {before} -> {after}")
        print(f"another job: exit 2, {line[:160]}...")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("check", choices=["resume", "refusals"])
    parser.add_argument("--app-name", required=True, choices=sorted(APPS))
    parser.add_argument("--app", required=True, help="path of the app's executable")
    opts, launcher = app_launch.parse_with_launcher(parser, "{app}", "app")
    if opts.check == "resume":
        check_resume(launcher, opts.app_name)
    else:
        check_refusals(launcher, opts.app_name)
    print("PASS")


if __name__ == "__main__":
    main()
