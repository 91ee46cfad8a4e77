#!/usr/bin/env python3
"""End-to-end checks of the workers app under mpiexec, one check per ctest test (see
CMakeLists.txt): every task starts and ends exactly once, in one process at a time, the summary
accounts for all of them consistently with the live lines, and the checksums equal a plain Python
computation of the same kernel.

Usage: workers_test.py CHECK --app PATH [--ranks N...] [options] -- LAUNCHER...
LAUNCHER is the mpiexec command line with {np} where the rank count goes and {app} where the program
goes. Exit status 0 = pass; a failure prints the command line that failed.
"""

import argparse
import re
import shlex

import app_launch
from app_launch import fail

MASK = (1 << 64) - 1


def task_checksum(task, steps):
    """apps/workers/task.hpp's kernel: splitmix64 from the task id, outputs summed mod 2^64."""
    state, total = task, 0
    for _ in range(steps):
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        total = (total + (z ^ (z >> 31))) & MASK
    return total


LIVE = re.compile(r"^\[ *[0-9.]+ s\] task (\d+) (started|ended) +on rank (\d+) "
                  r"\(host (\S+), pid (\d+)\)(?: after [0-9.]+ s, checksum (0x[0-9a-f]{16}))?$")
HEADER = re.compile(r"^summary: (\d+) task\(s\) on (\d+) rank\(s\), schedule (\S+), [0-9.]+ s; "
                    r"(\d+) process\(es\) ran tasks:$")
ROW = re.compile(r"^ +(\d+) +(\S+) +(\d+) +(\d+) +([0-9 ]+)$")
COMBINED = re.compile(r"^combined checksum (0x[0-9a-f]{16}) \(sum of the (\d+) task checksums, "
                      r"mod 2\^64\)$")


def run(launcher, np, app_args, timeout=120):
    # No test here signals mpirun, so none needs its kill grace (see app_launch.run).
    return app_launch.run(launcher, np, app_args, timeout, text=True, no_kill_grace=True)


def check_run(cmd, proc, np, tasks, steps, schedule):
    """Checks one run's output; returns {rank: [task ids in the order the rank ran them]}."""
    where = shlex.join(cmd)
    if proc.returncode != 0 or proc.stderr:
        fail(f"exit code {proc.returncode}: {where}\n{proc.stdout}{proc.stderr}")
    # mpirun forwards each process's lines in order, but may interleave processes arbitrarily: a
    # live line of another rank could even follow rank 0's summary. So sort lines by their form.
    lines = [line for line in proc.stdout.splitlines() if not LIVE.match(line)]
    live = [LIVE.match(line) for line in proc.stdout.splitlines() if LIVE.match(line)]
    if len(lines) < 4 or not HEADER.match(lines[0]) or not lines[1].lstrip().startswith("rank"):
        fail(f"expected the summary (from rank 0 only) after the live lines: {where}\n"
             f"{proc.stdout}")
    expected = {t: task_checksum(t, steps) for t in range(tasks)}

    # The live lines (any order between ranks; in order within one process).
    started, ended, process_of_rank, lines_of_pid = {}, {}, {}, {}
    for m in live:
        task, what, rank, host, pid = int(m[1]), m[2], int(m[3]), m[4], int(m[5])
        if not 0 <= task < tasks or not 0 <= rank < np:
            fail(f"task or rank out of range in {m[0]!r}: {where}")
        seen = started if what == "started" else ended
        if task in seen:
            fail(f"task {task} {what} twice: {where}\n{proc.stdout}")
        seen[task] = (rank, host, pid)
        if process_of_rank.setdefault(rank, (host, pid)) != (host, pid):
            fail(f"rank {rank} reported as {process_of_rank[rank]} and {(host, pid)}: {where}")
        lines_of_pid.setdefault(pid, []).append((what, task))
        if what == "ended" and int(m[6], 16) != expected[task]:
            fail(f"task {task} checksum {m[6]}, expected {expected[task]:#018x}: {where}")
    for name, seen in (("started", started), ("ended", ended)):
        missing = sorted(set(range(tasks)) - set(seen))
        if missing:
            fail(f"tasks {missing} never {name}: {where}\n{proc.stdout}")
    pids = [pid for _, pid in process_of_rank.values()]
    if len(set(pids)) != len(pids):
        fail(f"two ranks share a pid: {process_of_rank}: {where}")
    # One task at a time per process: each start is followed by the end of the same task.
    ran_by_pid = {}
    for pid, events in lines_of_pid.items():
        for k in range(0, len(events), 2):
            if events[k][0] != "started" or events[k + 1:k + 2] != [("ended", events[k][1])]:
                fail(f"process {pid} did not run its tasks one after another: {events}: {where}")
        ran_by_pid[pid] = [task for what, task in events if what == "started"]
    for task in range(tasks):
        if started[task] != ended[task]:
            fail(f"task {task} started in {started[task]} but ended in {ended[task]}: {where}")

    # The summary: rows agree with the live lines.
    h = HEADER.match(lines[0])
    if (int(h[1]), int(h[2]), h[3]) != (tasks, np, schedule):
        fail(f"header says {h[1]} tasks on {h[2]} ranks, schedule {h[3]}: {where}")
    rows = {}
    for line in lines[2:-1]:
        r = ROW.match(line)
        if r is None:
            fail(f"bad summary row {line!r}: {where}\n{proc.stdout}")
        rank, host, pid, count = int(r[1]), r[2], int(r[3]), int(r[4])
        ids = [int(t) for t in r[5].split()]
        if rank in rows or len(ids) != count:
            fail(f"row {line!r}: rank listed twice or {count} tasks != {len(ids)} ids: {where}")
        if process_of_rank.get(rank) != (host, pid):
            fail(f"row {line!r} names a process the live lines give as "
                 f"{process_of_rank.get(rank)}: {where}")
        if ids != ran_by_pid[pid]:
            fail(f"row {line!r}: live lines show {ran_by_pid[pid]} in that order: {where}")
        rows[rank] = ids
    if len(rows) != int(h[4]) or len(rows) != len(process_of_rank) or len(rows) > np:
        fail(f"{len(rows)} rows, header says {h[4]} processes, live lines show "
             f"{len(process_of_rank)} for {np} ranks: {where}\n{proc.stdout}")
    all_ids = sorted(t for ids in rows.values() for t in ids)
    if all_ids != list(range(tasks)):
        fail(f"the summary lists tasks {all_ids}, expected each of 0..{tasks - 1} once: {where}")
    c = COMBINED.match(lines[-1])
    total = sum(expected.values()) & MASK
    if c is None or int(c[1], 16) != total or int(c[2]) != tasks:
        fail(f"last line should be the combined checksum {total:#018x} of {tasks} tasks: "
             f"{where}\n{lines[-1]}")
    return rows


def check_tasks(launcher, ranks, tasks, steps, work_ms, schedule):
    for np in ranks:
        args = ["--tasks", str(tasks), "--work", str(steps), "--work-ms", str(work_ms),
                "--schedule", schedule]
        cmd, proc = run(launcher, np, args)
        rows = check_run(cmd, proc, np, tasks, steps, schedule)
        if schedule == "static":
            # Static blocks: rank r runs one contiguous block of task ids, blocks in rank order.
            flat = [t for rank in sorted(rows) for t in rows[rank]]
            if flat != list(range(tasks)):
                fail(f"static schedule: rows {rows} are not one block per rank: {shlex.join(cmd)}")
        print(f"np {np} {schedule}: {tasks} tasks, each started and ended once; "
              f"{len(rows)} process(es) ran them: "
              + ", ".join(f"rank {r}: {len(ids)}" for r, ids in sorted(rows.items())))


# Each bad command line must exit with 2 and one line on stderr that names the offending text.
BAD_ARGUMENTS = [
    (["--tasks", "0"], "'0'"),
    (["--tasks", "2e6"], "2e6"),
    (["--tasks", "x"], "x"),
    (["--work", "-1"], "-1"),
    (["--work-ms", "1.5"], "1.5"),
    (["--work-ms", "4e6"], "4e6"),
    (["--schedule", "nope"], "nope"),
    (["--bogus"], "--bogus"),
    (["stray"], "stray"),
]
# With several ranks, a few cases show that all ranks agree and nothing hangs.
QUICK_BAD_ARGUMENTS = [BAD_ARGUMENTS[i] for i in (0, 4, 6)]


def check_bad_arguments(launcher, ranks, quick):
    # Little work keeps a run short should a bad argument be wrongly accepted.
    runs = [(np, ["--work", "0"] + args, named) for np in ranks
            for args, named in (QUICK_BAD_ARGUMENTS if quick else BAD_ARGUMENTS)]
    results = app_launch.run_many(launcher, [(np, args) for np, args, _ in runs], timeout=120)
    for (np, args, named), (cmd, proc) in zip(runs, results):
        line = app_launch.expect_one_line_exit_2(cmd, proc, "workers", named)
        print(f"np {np} {' '.join(args)}: exit 2, {line}")


def check_help(launcher, ranks):
    mentions = ("--tasks", "--work", "--work-ms", "--schedule", "mpirun")
    app_launch.expect_help(launcher, ranks, mentions)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("check", choices=["tasks", "bad_arguments", "help"])
    parser.add_argument("--app", required=True, help="path of the workers executable")
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--tasks", type=int, default=7)
    parser.add_argument("--work", type=int, default=20000, help="kernel steps per task")
    parser.add_argument("--work-ms", type=int, default=100)
    parser.add_argument("--schedule", default="dynamic")
    parser.add_argument("--quick", action="store_true", help="bad_arguments: a few cases only")
    opts, launcher = app_launch.parse_with_launcher(parser, "{app}", "app")
    if opts.check == "tasks":
        check_tasks(launcher, opts.ranks, opts.tasks, opts.work, opts.work_ms, opts.schedule)
    elif opts.check == "bad_arguments":
        check_bad_arguments(launcher, opts.ranks, opts.quick)
    else:
        check_help(launcher, opts.ranks)
    print("PASS")


if __name__ == "__main__":
    main()
