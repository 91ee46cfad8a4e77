#!/usr/bin/env python3
"""End-to-end checks of the farm app under mpiexec, one check per ctest test (see CMakeLists.txt).

serial:    a task file (exit codes, a missing command, stderr, stdin, megabytes of output) and a
           template over a parameter file, run at each rank count (and --per-rank 3): every task's
           exit status and output files equal running the same commands one by one with Python's
           subprocess; results.csv and results.json agree with them.
timeout:   a task whose grandchild sleeps and a task that ignores SIGTERM end at --timeout; a task
           that leaves a process behind and exits 0 succeeds; none of their processes survives.
retries:   a task that fails the first time (marker file) succeeds with --retries 1 and fails
           without; without --keep-going no task starts after a failure (1 rank).
bad_input: missing, empty or unreadable task files, unknown placeholders, an unwritable output
           folder and bad numbers: one stderr line naming the problem, exit 2.
resume:    a run with --checkpoint stopped mid-run (SIGUSR1 to mpirun; SIGTERM to the ranks as
           Slurm sends it) exits 75, and the same command at another rank count finishes: every task
           succeeded exactly once (per-task marker files), none lost, no process left.
help:      --help at 1 and 2 ranks.

Usage: farm_test.py CHECK --app PATH [--ranks N...] -- LAUNCHER...
LAUNCHER is the mpiexec command line with {np} where the rank count goes and {app} where the program
goes. Exit status 0 = pass.
"""

import argparse
import csv
import json
import os
import shlex
import signal
import subprocess
import tempfile
import time

import app_launch
from app_launch import fail

TIMEOUT = 120

# Tasks whose results the serial reference must reproduce. Outputs depend only on the command.
SERIAL_TASKS = [
    "echo hello world",
    "exit 3",
    "no_such_command_farm_test",
    "echo to-stderr >&2; echo to-stdout",
    "cat; echo after-stdin",  # stdin is /dev/null: cat ends at once
    "yes 0123456789abcdef | head -c 3000000",  # megabytes of stdout
    "printf 'a,b\\n\"quoted\"\\n'",
    "kill -9 $$",  # ended by a signal
    "sleep 0.1; echo slept",
    "i=0; while [ $i -lt 2000 ]; do echo line $i; i=$((i+1)); done",
    # The launcher's variables for the farm's ranks are not passed on (none here either).
    "env | grep -E '^(OMPI_COMM_WORLD|OMPI_MCA_ess|PMIX_RANK|PMI_RANK)' | sort",
]


def run(launcher, np, args, timeout=TIMEOUT):
    return app_launch.run(launcher, np, args, timeout, text=True)


def serial_reference(commands):
    """[(exit status or None, signal, stdout bytes, stderr bytes)] of each command run alone."""
    out = []
    for command in commands:
        # As the farm documents it: /bin/sh -c LINE, argv[0] "sh" (named in sh's own errors).
        proc = subprocess.run(["sh", "-c", command], executable="/bin/sh", stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=60)
        code = proc.returncode
        out.append((code if code >= 0 else None, -code if code < 0 else 0, proc.stdout,
                    proc.stderr))
    return out


def read_table(folder):
    with open(os.path.join(folder, "results.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    with open(os.path.join(folder, "results.json")) as f:
        table = json.load(f)
    if len(rows) != len(table):
        fail(f"results.csv has {len(rows)} rows, results.json {len(table)}")
    for row, obj in zip(rows, table):
        for key in ("task", "command", "status", "attempts"):
            if str(obj[key]) != row[key]:
                fail(f"CSV and JSON disagree on {key}: {row[key]!r} vs {obj[key]!r}")
    return rows


def output_of(folder, task, suffix):
    with open(os.path.join(folder, f"task-{task:06}.{suffix}"), "rb") as f:
        return f.read()


def compare_with_serial(cmd, proc, folder, commands, np):
    where = shlex.join(cmd)
    reference = serial_reference(commands)
    any_failed = any(code != 0 for code, _, _, _ in reference)
    if proc.returncode != (1 if any_failed else 0):
        fail(f"exit code {proc.returncode}: {where}\n{proc.stdout}{proc.stderr}")
    rows = read_table(folder)
    if [r["command"] for r in rows] != commands:
        fail(f"results.csv lists other commands: {where}")
    ranks_seen = set()
    for task, (row, (code, sig, out, err)) in enumerate(zip(rows, reference), start=1):
        expected_status = "ok" if code == 0 else "failed"
        got = (row["status"], row["exit_status"], row["signal"], row["attempts"])
        want = (expected_status, "" if code is None else str(code), str(sig), "1")
        if got != want:
            fail(f"task {task} ({commands[task - 1]!r}): got {got}, serial run {want}: {where}")
        if output_of(folder, task, "out") != out or output_of(folder, task, "err") != err:
            fail(f"task {task} ({commands[task - 1]!r}): output files differ from the serial "
                 f"run: {where}")
        if not 0 <= int(row["rank"]) < np or float(row["seconds"]) < 0 or not row["host"]:
            fail(f"task {task}: bad rank, seconds or host {row}: {where}")
        ranks_seen.add(int(row["rank"]))
    summary = proc.stdout.splitlines()[0] if proc.stdout else ""
    failed = sum(1 for code, _, _, _ in reference if code != 0)
    if f"{len(commands) - failed} succeeded, {failed} failed" not in summary:
        fail(f"summary does not count {failed} failures: {where}\n{proc.stdout}")
    print(f"np {np}: {len(commands)} tasks equal the serial run (ranks used: {sorted(ranks_seen)})")


def check_serial(launcher, ranks):
    with tempfile.TemporaryDirectory(prefix="farm-") as tmp:
        tasks = os.path.join(tmp, "tasks.txt")
        with open(tasks, "w") as f:
            f.write("# a comment, then a blank line\n\n")
            f.write("\n".join(SERIAL_TASKS) + "\n")
        for np in ranks:
            folder = os.path.join(tmp, f"out-{np}")
            cmd, proc = run(launcher, np, [tasks, "--keep-going", "-o", folder])
            compare_with_serial(cmd, proc, folder, SERIAL_TASKS, np)
        folder = os.path.join(tmp, "out-per-rank")
        cmd, proc = run(launcher, 2, [tasks, "--keep-going", "--per-rank", "3", "-o", folder])
        compare_with_serial(cmd, proc, folder, SERIAL_TASKS, 2)

        # The template: the expected commands are made here, independently of the farm.
        params = os.path.join(tmp, "params.txt")
        lines = [f"{a} {b}" for a in ("x", "y", "z") for b in range(3)] + ["  spaced   out  "]
        with open(params, "w") as f:
            f.write("# comment\n" + "\n".join(lines) + "\n\n")
        template = "echo {2}-{1} task {#} line '{}' {{literal}"
        expected = []
        for i, line in enumerate(lines, start=1):
            fields = line.split()
            expected.append(f"echo {fields[1]}-{fields[0]} task {i} line '{line}' {{literal}}")
        for np in ranks[-2:]:
            folder = os.path.join(tmp, f"template-{np}")
            cmd, proc = run(launcher, np, ["--template", template, "--params", params, "-o",
                                           folder])
            compare_with_serial(cmd, proc, folder, expected, np)


def pid_alive(pid):
    """True for a live process (a zombie is not alive)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def expect_no_survivors(folder, where):
    """Every pid written to folder/*.pid by a task must be gone."""
    pids = []
    for name in sorted(os.listdir(folder)):
        if name.endswith(".pid"):
            with open(os.path.join(folder, name)) as f:
                pids += [int(p) for p in f.read().split()]
    alive = [p for p in pids if pid_alive(p)]
    if alive:
        for p in alive:
            os.kill(p, signal.SIGKILL)
        fail(f"task processes survived the farm: {alive}: {where}")
    return len(pids)


def check_timeout(launcher, ranks):
    with tempfile.TemporaryDirectory(prefix="farm-") as tmp:
        tasks = os.path.join(tmp, "tasks.txt")
        with open(tasks, "w") as f:
            # A grandchild sleeping in the background; the shell waits for it.
            f.write(f"sleep 60 & echo $! > {tmp}/grandchild.pid; wait\n")
            # Ignores SIGTERM: only SIGKILL after the grace period ends it.
            f.write(f"trap '' TERM; echo $$ > {tmp}/stubborn.pid; sleep 60 & wait; sleep 60\n")
            # Leaves a process behind and succeeds: the leftover dies with its task.
            f.write(f"sleep 60 & echo $! > {tmp}/leftover.pid; echo left\n")
        for np in ranks:
            folder = os.path.join(tmp, f"out-{np}")
            cmd, proc = run(launcher, np, [tasks, "--keep-going", "--timeout", "1", "--grace",
                                           "0.5", "-o", folder])
            where = shlex.join(cmd)
            if proc.returncode != 1:
                fail(f"exit code {proc.returncode}, expected 1: {where}\n{proc.stderr}")
            rows = read_table(folder)
            got = [(r["status"], r["signal"]) for r in rows]
            if got[0][0] != "timeout" or got[1] != ("timeout", "9") or got[2] != ("ok", "0"):
                fail(f"statuses {got}: {where}")
            if "2 failed (2 timed out)" not in proc.stdout:
                fail(f"summary does not count 2 timeouts: {where}\n{proc.stdout}")
            count = expect_no_survivors(tmp, where)
            print(f"np {np}: 2 timeouts, {count} task processes checked gone")


def check_retries(launcher, ranks):
    with tempfile.TemporaryDirectory(prefix="farm-") as tmp:
        tasks = os.path.join(tmp, "tasks.txt")
        marker = os.path.join(tmp, "marker")
        with open(tasks, "w") as f:
            f.write("echo first\n")
            f.write(f"if [ -e {marker} ]; then echo second; else touch {marker}; exit 5; fi\n")
        for np in ranks:
            for retries, status, attempts in (("1", "ok", "2"), ("0", "failed", "1")):
                if os.path.exists(marker):
                    os.remove(marker)
                folder = os.path.join(tmp, f"out-{np}-{retries}")
                cmd, proc = run(launcher, np, [tasks, "--retries", retries, "-o", folder])
                rows = read_table(folder)
                got = (rows[1]["status"], rows[1]["attempts"], proc.returncode)
                if got != (status, attempts, 0 if status == "ok" else 1):
                    fail(f"retried task: got {got}: {shlex.join(cmd)}\n{proc.stderr}")
                if status == "ok" and output_of(folder, 2, "out") != b"second\n":
                    fail(f"the last attempt's output is not kept: {shlex.join(cmd)}")
            print(f"np {np}: --retries 1 succeeds on the second attempt, --retries 0 fails")

        # Without --keep-going, one rank takes the tasks in order and stops at the failure.
        with open(tasks, "w") as f:
            # Task 1 and the failing task 2 leave a process behind: both must be gone after.
            f.write(f"sleep 60 > /dev/null 2>&1 & echo $! > {tmp}/left1.pid\n")
            f.write(f"sleep 60 > /dev/null 2>&1 & echo $! > {tmp}/left2.pid; exit 4\n")
            f.write("true\ntrue\n")
        folder = os.path.join(tmp, "stop")
        cmd, proc = run(launcher, 1, [tasks, "-o", folder])
        rows = read_table(folder)
        got = [r["status"] for r in rows]
        lines = proc.stderr.splitlines()
        if (proc.returncode != 1 or got != ["ok", "failed", "not_run", "not_run"] or
                len(lines) != 1 or "task 2 failed: exit status 4" not in lines[0]):
            fail(f"stop at the first failure: exit {proc.returncode}, statuses {got}: "
                 f"{shlex.join(cmd)}\n{proc.stderr}")
        left = expect_no_survivors(tmp, shlex.join(cmd))
        print(f"np 1: without --keep-going, tasks 3 and 4 did not run after task 2 failed; "
              f"{left} processes left behind by tasks are gone")

        # The same stop under --checkpoint keeps what succeeded: a rerun (at 2 ranks) runs the
        # failed task and the ones that did not run, and not task 1 again.
        log = os.path.join(tmp, "runs.log")
        with open(tasks, "w") as f:
            f.write(f"echo 1 >> {log}\n")
            f.write(f"if [ -e {marker}-2 ]; then echo 2 >> {log}; "
                    f"else touch {marker}-2; exit 4; fi\n")
            f.write(f"echo 3 >> {log}\n")
        args = [tasks, "-o", os.path.join(tmp, "ckpt-out"), "--checkpoint",
                os.path.join(tmp, "ckpt")]
        first = run(launcher, 1, args)
        cmd, proc = run(launcher, 2, args)
        with open(log) as f:
            runs = sorted(f.read().split())
        rows = read_table(os.path.join(tmp, "ckpt-out"))
        if (first[1].returncode != 1 or proc.returncode != 0 or runs != ["1", "2", "3"] or
                [r["status"] for r in rows] != ["ok"] * 3 or
                "resumed_chunks 1" not in proc.stdout.splitlines()):
            fail(f"rerun after a stop at a failure: exit codes {first[1].returncode} then "
                 f"{proc.returncode}, tasks run {runs}: {shlex.join(cmd)}\n{proc.stdout}")
        print("np 1 then 2: after a stop at a failure under --checkpoint, the rerun ran tasks 2 "
              "and 3 only")


def check_bad_input(launcher, ranks):
    with tempfile.TemporaryDirectory(prefix="farm-") as tmp:
        def write(name, data):
            path = os.path.join(tmp, name)
            with open(path, "wb") as f:
                f.write(data)
            return path

        tasks = write("tasks.txt", b"true\n")
        empty = write("empty.txt", b"# only a comment\n\n   \n")
        nul = write("nul.txt", b"true\necho a\0b\n")
        params = write("params.txt", b"one two\nthree\n")
        a_file = write("a-file", b"x\n")
        out = os.path.join(tmp, "out")
        missing = os.path.join(tmp, "missing.txt")
        rows = [
            ([missing, "-o", out], "missing.txt"),
            ([empty, "-o", out], "holds no task"),
            ([nul, "-o", out], "nul.txt:2"),
            ([tmp, "-o", out], "is a directory"),
            (["--template", "echo {x}", "--params", params, "-o", out], "{x}"),
            (["--template", "echo {1", "--params", params, "-o", out], "unterminated"),
            (["--template", "echo {2}", "--params", params, "-o", out], "params.txt:2"),
            (["--template", "echo {}", "--params", missing, "-o", out], "missing.txt"),
            (["--template", "echo {}", "--params", empty, "-o", out], "no parameter line"),
            (["--template", "echo {}", "-o", out], "--template needs --params"),
            ([tasks, "--template", "echo {}", "--params", params], "not both"),
            ([], "no tasks"),
            ([tasks, "-o", a_file], a_file),
            ([tasks, "-o", os.path.join(a_file, "sub")], os.path.join(a_file, "sub")),
            ([tasks, "-o", ""], "--output-dir"),
            ([tasks, "-o", out, "--timeout", "-1"], "-1"),
            ([tasks, "-o", out, "--timeout", "soon"], "soon"),
            ([tasks, "-o", out, "--grace", "nan"], "nan"),
            ([tasks, "-o", out, "--retries", "1.5"], "1.5"),
            ([tasks, "-o", out, "--per-rank", "0"], "--per-rank"),
            ([tasks, "-o", out, "--per-rank", "x"], "x"),
            ([tasks, "-o", out, "--no-such-option"], "--no-such-option"),
            ([tasks, "-o", out, "--checkpoint", ""], "--checkpoint"),
        ]
        # Every row at the first rank count; at the others every fourth row and the output
        # folders (which every rank checks itself), to keep the test short.
        cases = [(ranks[0], args, named) for args, named in rows]
        cases += [(np, args, named) for np in ranks[1:] for i, (args, named) in enumerate(rows)
                  if i % 4 == 0 or named.startswith(a_file)]
        results = app_launch.run_many(launcher, [(np, args) for np, args, _ in cases], TIMEOUT)
        for (_, _, named), (cmd, proc) in zip(cases, results):
            app_launch.expect_one_line_exit_2(cmd, proc, "farm", named)
            if os.path.exists(os.path.join(out, "results.csv")):
                fail(f"a refused run wrote results: {shlex.join(cmd)}")
        print(f"{len(rows)} bad inputs refused with one line and exit 2 at {ranks[0]} rank(s), "
              f"{len(cases) - len(rows)} of them also at {ranks[1:]}")


def rank_pids(parent):
    """Pids of the farm processes whose parent is `parent` (mpirun's ranks on this node)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        if ppid == parent and comm == "farm":
            pids.append(int(entry))
    return pids


def interrupt_run(launcher, np, args, marks, how):
    """Starts the farm, stops it once 3 tasks finished (SIGUSR1 to mpirun, or SIGTERM to each
    rank), and checks exit 75 and the one line on stderr."""
    cmd = [part.replace("{np}", str(np)) for part in launcher] + args
    with tempfile.TemporaryDirectory(prefix="mpimr-session-") as session:
        env = dict(os.environ, TMPDIR=session)
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=env)
        try:
            deadline = time.monotonic() + 60
            while len([n for n in os.listdir(marks) if n.startswith("done.")]) < 3:
                if time.monotonic() > deadline or proc.poll() is not None:
                    fail(f"the run did not finish 3 tasks to stop at: {shlex.join(cmd)}")
                time.sleep(0.05)
            if how == "usr1":
                proc.send_signal(signal.SIGUSR1)
            else:
                for pid in rank_pids(proc.pid):
                    os.kill(pid, signal.SIGTERM)
            stdout, stderr = proc.communicate(timeout=TIMEOUT)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    where = shlex.join(cmd)
    lines = stderr.splitlines()
    if proc.returncode != 75 or len(lines) != 1 or "interrupted" not in lines[0]:
        fail(f"exit code {proc.returncode} after the stop, expected 75 and one line: {where}\n"
             f"{stdout}{stderr}")
    return lines[0]


def check_resume(launcher, ranks):
    # With --keep-going, task 1 fails in the stopped run (a marker file) and is journaled as
    # failed: the rerun must run it again, since a rerun skips only what succeeded.
    for how, first, second, keep_going in (("usr1", 2, 3, True), ("term", 3, 1, False)):
        with tempfile.TemporaryDirectory(prefix="farm-") as tmp:
            marks = os.path.join(tmp, "marks")
            os.mkdir(marks)
            tasks = os.path.join(tmp, "tasks.txt")
            count = 16
            with open(tasks, "w") as f:
                if keep_going:
                    f.write(f"if [ -e {tmp}/failed-once ]; then echo done >> {marks}/done.1; "
                            f"else touch {tmp}/failed-once; exit 1; fi\n")
                for t in range(2 if keep_going else 1, count + 1):
                    # The sleep's pid, for the orphan check; "done" only once the work is over.
                    f.write(f"echo start >> {marks}/start.{t}; sleep 0.4 & "
                            f"echo $! >> {marks}/sleep.pid; wait $! && echo done >> "
                            f"{marks}/done.{t}\n")
            ckpt = os.path.join(tmp, "ckpt")
            args = [tasks, "--checkpoint", ckpt, "-o", os.path.join(tmp, "out"), "--grace", "2"]
            args += ["--keep-going"] if keep_going else []
            line = interrupt_run(launcher, first, args, marks, how)
            expect_no_survivors(marks, line)
            done_first = {n for n in os.listdir(marks) if n.startswith("done.")}
            if keep_going and (not os.path.exists(os.path.join(tmp, "failed-once")) or
                               "done.1" in done_first):
                fail(f"task 1 did not fail in the stopped run: {line}")
            cmd, proc = run(launcher, second, args)
            where = shlex.join(cmd)
            if proc.returncode != 0:
                fail(f"exit code {proc.returncode} on resume: {where}\n{proc.stdout}{proc.stderr}")
            for t in range(1, count + 1):
                path = os.path.join(marks, f"done.{t}")
                if not os.path.exists(path):
                    fail(f"task {t} was lost: {where}")
                with open(path) as f:
                    if f.read() != "done\n":
                        fail(f"task {t} ran to success more than once: {where}")
            rows = read_table(os.path.join(tmp, "out"))
            if [r["status"] for r in rows] != ["ok"] * count:
                fail(f"the resumed run's table is not all ok: {where}")
            expect_no_survivors(marks, where)
            if os.path.exists(ckpt):
                fail(f"the checkpoint folder stayed after the job completed: {where}")
            print(f"{how}: stopped at {first} ranks after {len(done_first)} tasks ({line}); "
                  f"resumed at {second} ranks, every task done once"
                  f"{' (task 1, failed before the stop, ran again)' if keep_going else ''}")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("check", choices=["serial", "timeout", "retries", "bad_input", "resume",
                                          "help"])
    parser.add_argument("--app", required=True)
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    opts, launcher = app_launch.parse_with_launcher(parser, "{app}", "app")
    if opts.check == "help":
        app_launch.expect_help(launcher, opts.ranks, ["--template", "--timeout", "--checkpoint"])
        return
    {"serial": check_serial, "timeout": check_timeout, "retries": check_retries,
     "bad_input": check_bad_input, "resume": check_resume}[opts.check](launcher, opts.ranks)


if __name__ == "__main__":
    main()
