#!/usr/bin/env python3
"""Fault tests: a job under mpirun whose rank is killed (SIGKILL) or leaves without MPI_Finalize
(_exit(3)) mid-run, or is stopped (SIGSTOP) while another leaves, must end by itself, soon, with
a non-zero exit code, and leave no process of the job behind. One check per ctest test (see
CMakeLists.txt).

Usage: fault_test.py CHECK --victim PATH [--ranks N...] [--targets RANK...] [--operation OP]
                     -- LAUNCHER...
LAUNCHER is the mpiexec command line with {np} where the rank count goes and {app} where the
program goes. Every faulty run prints how long the job took to end after the fault and what
mpirun printed on stderr: the figures quoted for issue 5.
"""

import argparse
import os
import queue
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "apps"))
import app_launch  # noqa: E402  (tests/apps: the launcher's command line, failing with one line)
from app_launch import fail  # noqa: E402

# How long a faulty job may take to end. Generous on purpose: a loaded 2-core machine must not
# fail the suite; a hang is still caught, and the printed figures say how long it really took.
END_LIMIT_S = 30
# How long the ranks may take to start and report that they are underway.
START_LIMIT_S = 60
UNDERWAY = re.compile(r"^underway rank (\d+) pid (\d+)$")


class Job:
    """One mpirun in a session of its own, its stdout lines arriving on a queue."""

    def __init__(self, cmd, session_dir, extra_env=None):
        self.cmd = cmd
        self.where = shlex.join(cmd)
        # A TMPDIR per launch: concurrent mpiruns race on a shared session folder (app_launch.py).
        env = dict(os.environ, TMPDIR=session_dir, **(extra_env or {}))
        if extra_env:
            self.where = " ".join(f"{k}={v}" for k, v in extra_env.items()) + " " + self.where
        # Its own session: Open MPI gives each rank a process group of its own but leaves it in
        # mpirun's session, so the session id finds every process of the job.
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=env,
                                     start_new_session=True)
        self.lines = queue.Queue()
        self.stdout = []
        self.stderr = []
        self.readers = [
            threading.Thread(target=self._read, args=(self.proc.stdout, self.stdout, self.lines)),
            threading.Thread(target=self._read, args=(self.proc.stderr, self.stderr, None)),
        ]
        for reader in self.readers:
            reader.daemon = True
            reader.start()
        self.pids = {}  # rank -> pid, from the underway lines
        self.starts = {}  # pid -> start time, to tell a rank from a later process with its pid

    @staticmethod
    def _read(stream, keep, lines):
        for line in stream:
            keep.append(line.rstrip("\n"))
            if lines is not None:
                lines.put(line.rstrip("\n"))

    def wait_underway(self, np):
        """Waits until every rank said it is computing; returns {rank: pid}."""
        deadline = time.monotonic() + START_LIMIT_S
        while len(self.pids) < np:
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                fail(f"{len(self.pids)} of {np} ranks underway within {START_LIMIT_S} s (mpirun "
                     f"exit code {self.proc.poll()}): {self.where}\n" + "\n".join(self.stderr))
            try:
                line = self.lines.get(timeout=min(left, 0.5))
            except queue.Empty:
                continue
            match = UNDERWAY.match(line)
            if match:
                pid = int(match.group(2))
                self.pids[int(match.group(1))] = pid
                stat = proc_stat(pid)
                if stat is not None:
                    self.starts[pid] = stat[3]
        return self.pids

    def wait_end(self, since):
        """Waits for mpirun to exit; returns (exit code, seconds since `since`)."""
        try:
            code = self.proc.wait(timeout=END_LIMIT_S)
        except subprocess.TimeoutExpired:
            fail(f"the job did not end within {END_LIMIT_S} s of the fault: {self.where}\n"
                 + "\n".join(self.stderr))
        elapsed = time.monotonic() - since
        # The pipes close once every process that held them is gone; a survivor is caught below.
        for reader in self.readers:
            reader.join(timeout=5)
        return code, elapsed

    def expect_failed_end(self, what):
        """Waits for the end after the fault `what`, prints how long it took and what mpirun
        said, and fails unless the exit code is non-zero and no process of the job is left.
        Returns the seconds from now to the end."""
        code, elapsed = self.wait_end(time.monotonic())
        left = survivors_after_end(self.proc.pid, self.starts)
        print(f"{what}: mpirun exit code {code} after {elapsed:.2f} s; {len(self.stderr)} stderr "
              f"lines:")
        for line in self.stderr:
            print(f"    | {line}")
        if code == 0:
            fail(f"exit code 0 after {what}: {self.where}")
        if left:
            fail(f"processes of the job outlived mpirun: {left}: {self.where}")
        return elapsed

    def kill_everything(self):
        """Whatever still runs of this job, after a failed check. Open MPI puts each rank in a
        process group of its own, so the job is found by session, not by process group."""
        for pid, _ in survivors(self.proc.pid, self.starts):
            try:
                os.kill(pid, signal.SIGKILL)  # ends stopped processes too
            except ProcessLookupError:
                pass
        self.proc.wait()


def proc_stat(pid):
    """(name, state, session id, start time) of a process from /proc, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    # After the name: state ppid pgrp session ..., start time is field 22 of the whole line.
    return stat[stat.index("(") + 1:stat.rindex(")")], fields[0], int(fields[3]), int(fields[19])


def survivors(session, ranks):
    """Live (not zombie) processes of the job: those in mpirun's session (mpirun, ranks, an
    orted), and the ranks themselves in case one left the session. `ranks` maps pid to start
    time, so a pid reused since by another process does not count. [(pid, name)]."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        stat = proc_stat(int(entry))
        if stat is None or stat[1] == "Z":
            continue  # gone, or dead and only not yet reaped by its parent
        name, _, sid, start = stat
        if sid == session or ranks.get(int(entry)) == start:
            found.append((int(entry), name))
    return found


def survivors_after_end(session, ranks, grace_s=3.0):
    """survivors() once they had up to `grace_s` to finish dying: a rank that mpirun killed can
    still be tearing down its memory when mpirun returns (under AddressSanitizer, with terabytes of
    shadow mappings, CI saw one alive just after mpirun ended, in 3 of 174 tests). One still alive
    after the grace outlived the job. [(pid, name)]."""
    deadline = time.monotonic() + grace_s
    left = survivors(session, ranks)
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = survivors(session, ranks)
    return left


def target_ranks(targets, np):
    """"0", "1", "last", "mpirun" -> distinct rank numbers for this rank count (-1: mpirun)."""
    ranks = []
    for target in targets:
        rank = {"last": np - 1, "mpirun": -1}.get(target)
        rank = int(target) if rank is None else rank
        if rank < np and rank not in ranks:
            ranks.append(rank)
    return ranks


def wait_stopped(pid):
    deadline = time.monotonic() + START_LIMIT_S
    while True:
        stat = proc_stat(pid)
        if stat is not None and stat[1] == "T":
            return
        if stat is None or time.monotonic() > deadline:
            fail(f"pid {pid} did not stop within {START_LIMIT_S} s of SIGSTOP (state {stat})")
        time.sleep(0.01)


def run_fault(launcher, np, operation, target, fault):
    """Starts a long job and, once every rank is computing, makes `fault` happen on rank `target`:
    "kill" sends SIGKILL; "exit" has it call _exit(3); "stop" sends SIGSTOP and then has another
    rank call _exit(3), as a rank that gives up waiting would. Checks how the job ends and prints
    the seconds from the fault (for "stop", from the other rank's exit) to mpirun's exit."""
    # For "stop": the rank that leaves while `target` is stopped.
    leaving = target if fault == "exit" else (0 if target != 0 else np - 1)
    if fault == "stop" and leaving == target:
        fail("a stopped rank needs another rank to leave: run it at 2 ranks or more")
    with tempfile.TemporaryDirectory(prefix="mpimr-fault-") as tmp:
        exit_file = Path(tmp) / "exit-now"
        args = ["--operation", operation]
        if fault in ("exit", "stop"):
            args += ["--exit-rank", str(leaving), "--exit-file", str(exit_file)]
        session_dir = Path(tmp) / "session"
        session_dir.mkdir()
        run = Job([p.replace("{np}", str(np)) for p in launcher] + args, str(session_dir))
        try:
            pids = run.wait_underway(np)
            if fault == "kill":
                os.kill(pids[target], signal.SIGKILL)
                what = f"SIGKILL to rank {target} (pid {pids[target]})"
            else:
                what = f"_exit(3) on rank {leaving} (pid {pids[leaving]})"
                if fault == "stop":
                    os.kill(pids[target], signal.SIGSTOP)
                    wait_stopped(pids[target])
                    what = f"SIGSTOP to rank {target} (pid {pids[target]}), then " + what
                exit_file.touch()
            run.expect_failed_end(f"np {np} {operation}, {what}")
            said = f"exiting rank {leaving} pid {pids[leaving]}"
            if fault != "kill" and said not in run.stdout:
                fail(f"no '{said}' line: the job did not end the way the test meant: "
                     f"{run.where}\n" + "\n".join(run.stdout + run.stderr))
            if any(line.startswith(("sum ", "keys ")) for line in run.stdout):
                fail(f"the job completed: the fault came too late to test anything: {run.where}")
        finally:
            run.kill_everything()


# The stall limit the stall checks set (MPIMR_STALL_LIMIT), in seconds.
STALL_LIMIT_S = 2
STALL_LINE = re.compile(r"^mpimr: rank (\d+) has had no sign of life from ranks? ([0-9, -]+) for "
                        r"\d+ s \(stall limit \d+ s\)")


def run_stall(launcher, np, operation, target):
    """SIGSTOPs rank `target` of a job with a stall limit and nothing else: the job must end by
    itself, non-zero, with one line naming the stopped rank, and leave no process behind."""
    with tempfile.TemporaryDirectory(prefix="mpimr-stall-") as tmp:
        session_dir = Path(tmp) / "session"
        session_dir.mkdir()
        run = Job([p.replace("{np}", str(np)) for p in launcher] + ["--operation", operation],
                  str(session_dir), {"MPIMR_STALL_LIMIT": str(STALL_LIMIT_S)})
        try:
            pids = run.wait_underway(np)
            os.kill(pids[target], signal.SIGSTOP)
            wait_stopped(pids[target])
            elapsed = run.expect_failed_end(
                f"np {np} {operation}, SIGSTOP to rank {target} with stall limit "
                f"{STALL_LIMIT_S} s")
            verdicts = [m for m in map(STALL_LINE.match, run.stderr) if m]
            if not verdicts:
                fail(f"no stall line on stderr: {run.where}\n" + "\n".join(run.stderr))
            for verdict in verdicts:
                # Rank 0 names the stopped rank; when rank 0 is the stopped one, others name it.
                named = verdict.group(2)
                if str(target) not in re.split(r"[, -]+", named) and not (
                        "-" in named and int(named.split("-")[0]) <= target
                        <= int(named.split("-")[-1].split(",")[0])):
                    fail(f"the stall line names ranks {named}, not the stopped rank {target}: "
                         f"{verdict.group(0)}")
            if elapsed < STALL_LIMIT_S:
                fail(f"the job ended {elapsed:.2f} s after the stop, before the stall limit "
                     f"({STALL_LIMIT_S} s): not the stall limit's doing: {run.where}")
        finally:
            run.kill_everything()


def run_signal(launcher, np, operation, target, signal_name):
    """Graceful stop: `signal_name` sent to rank `target` alone (as a user's kill or srun's
    --signal would) or to mpirun (target -1: mpirun forwards SIGUSR1/SIGUSR2 to every rank) makes
    every rank stop and throw mpimr::interrupted, so the job ends cleanly with exit code 75 and
    rank 0's one line naming the signal; no abort, no process left."""
    signal_number = getattr(signal, signal_name)
    with tempfile.TemporaryDirectory(prefix="mpimr-signal-") as tmp:
        session_dir = Path(tmp) / "session"
        session_dir.mkdir()
        run = Job([p.replace("{np}", str(np)) for p in launcher] + ["--operation", operation],
                  str(session_dir))
        try:
            pids = run.wait_underway(np)
            os.kill(run.proc.pid if target < 0 else pids[target], signal_number)
            whom = "mpirun" if target < 0 else f"rank {target}"
            code, elapsed = run.wait_end(time.monotonic())
            left = survivors_after_end(run.proc.pid, run.starts)
            print(f"np {np} {operation}, {signal_name} to {whom}: exit code {code} after "
                  f"{elapsed:.2f} s; stderr: {run.stderr}")
            if code != 75:
                fail(f"exit code {code}, not 75 (interrupted), after {signal_name} to {whom}: "
                     f"{run.where}\n" + "\n".join(run.stderr))
            expected = re.compile(rf"^fault_victim: interrupted on rank \d+ by {signal_name}$")
            said = [line for line in run.stderr if expected.match(line)]
            if len(said) != 1:
                fail(f"expected one line 'fault_victim: interrupted on rank R by {signal_name}' "
                     f"from rank 0, got: {run.stderr}")
            if target >= 0 and f"rank {target} " not in said[0]:
                fail(f"the line names another rank than {target}: {said[0]}")
            if left:
                fail(f"processes of the job outlived mpirun: {left}: {run.where}")
        finally:
            run.kill_everything()


def run_kill_resume(launcher, np, target):
    """SIGKILL to rank `target` of a checkpointed job once its journal holds some records; the
    rerun on another rank count must complete with the right sum, taking chunks from the journal
    (the killed rank may have left a torn record: its chunk is computed again)."""
    chunks = 600
    rerun_np = 3 if np != 3 else 2
    with tempfile.TemporaryDirectory(prefix="mpimr-resume-") as tmp:
        journal = Path(tmp) / "journal"
        args = ["--chunks", str(chunks), "--chunk-ms", "10", "--checkpoint", str(journal)]
        session_dir = Path(tmp) / "session"
        session_dir.mkdir()
        run = Job([p.replace("{np}", str(np)) for p in launcher] + args, str(session_dir))
        try:
            pids = run.wait_underway(np)
            # About 80 records (48 bytes each) past the headers, with its own deadline.
            deadline = time.monotonic() + START_LIMIT_S
            while sum(f.stat().st_size for f in journal.glob("*.mpimrj")) < 4096:
                if time.monotonic() > deadline or run.proc.poll() is not None:
                    fail(f"the journal in {journal} did not grow: {run.where}")
                time.sleep(0.02)
            os.kill(pids[target], signal.SIGKILL)
            run.expect_failed_end(f"np {np} checkpointed reduce, SIGKILL to rank {target}")
        finally:
            run.kill_everything()
        cmd, proc = app_launch.run(launcher, rerun_np, args, 120, True)
        where = shlex.join(cmd)
        lines = [line for line in proc.stdout.splitlines() if not UNDERWAY.match(line)]
        expected_sum = f"sum {sum(i * i for i in range(chunks))}"
        resumed = [int(line.split()[1]) for line in lines if line.startswith("resumed ")]
        print(f"rerun at {rerun_np} ranks: exit code {proc.returncode}, {lines}")
        if proc.returncode != 0 or expected_sum not in lines or len(resumed) != 1:
            fail(f"the rerun did not complete with '{expected_sum}' and a 'resumed' line: "
                 f"exit code {proc.returncode}: {where}\n{proc.stdout}{proc.stderr}")
        if not 0 < resumed[0] < chunks:
            fail(f"the rerun took {resumed[0]} of {chunks} chunks from the journal: {where}")
        if journal.exists():
            fail(f"the journal {journal} is still there after the rerun completed: {where}")


def check_busy(launcher, ranks):
    """A rank busy in one chunk for longer than the stall limit is alive: with a 1 s limit and
    every rank's first chunk taking 3.5 s the job completes with the right result."""
    chunks = 40
    expected = f"sum {sum(i * i for i in range(chunks))}"
    for np in ranks:
        with tempfile.TemporaryDirectory(prefix="mpimr-busy-") as tmp:
            run = Job([p.replace("{np}", str(np)) for p in launcher] +
                      ["--chunks", str(chunks), "--chunk-ms", "1", "--first-chunk-ms", "3500"],
                      tmp, {"MPIMR_STALL_LIMIT": "1"})
            try:
                code, _ = run.wait_end(time.monotonic())
                results = [line for line in run.stdout if not UNDERWAY.match(line)]
                if code != 0 or results != [expected]:
                    fail(f"exit code {code}, output {results} (expected '{expected}'): "
                         f"{run.where}\n" + "\n".join(run.stderr))
                print(f"np {np}: busy ranks are alive: {expected}")
            finally:
                run.kill_everything()


def check_faults(launcher, ranks, targets, operation, fault):
    for np in ranks:
        for target in target_ranks(targets, np):
            if fault == "stall":
                run_stall(launcher, np, operation, target)
            elif fault == "kill_resume":
                run_kill_resume(launcher, np, target)
            elif fault.startswith("SIG"):
                run_signal(launcher, np, operation, target, fault)
            else:
                run_fault(launcher, np, operation, target, fault)


def check_control(launcher, ranks):
    """Without a fault the very same job completes with the right result, so a faulty run's exit
    code is the fault's doing."""
    chunks = 300
    sum_of_squares = sum(i * i for i in range(chunks))
    # by_key: chunk i emits ((1000 i + j) mod 5003, 1) for j < 1000.
    keys = len({(1000 * i + j) % 5003 for i in range(chunks) for j in range(1000)})
    for np in ranks:
        for operation, expected in (("reduce", f"sum {sum_of_squares}"),
                                    ("by_key", f"keys {keys} total {chunks * 1000}")):
            cmd, proc = app_launch.run(
                launcher, np, ["--operation", operation, "--chunks", str(chunks), "--chunk-ms",
                               "1"], 120, True)
            where = shlex.join(cmd)
            if proc.returncode != 0:
                fail(f"exit code {proc.returncode}: {where}\n{proc.stdout}{proc.stderr}")
            results = [line for line in proc.stdout.splitlines() if not UNDERWAY.match(line)]
            if results != [expected]:
                fail(f"expected '{expected}' (rank 0 alone), got {results}: {where}")
            print(f"np {np} {operation}: {expected}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("check", choices=["kill", "exit", "stop", "stall", "busy", "control",
                                          "kill_resume",
                                          "SIGTERM", "SIGINT", "SIGUSR1", "SIGUSR2"])
    parser.add_argument("--victim", required=True, help="path of the fault_victim executable")
    parser.add_argument("--ranks", type=int, nargs="+", default=[2, 3, 4])
    parser.add_argument("--targets", nargs="+", default=["1"],
                        help="ranks to hit: numbers or 'last'")
    parser.add_argument("--operation", choices=["reduce", "by_key"], default="reduce")
    opts, launcher = app_launch.parse_with_launcher(parser, "{app}", "victim")
    if opts.check == "control":
        check_control(launcher, opts.ranks)
    elif opts.check == "busy":
        check_busy(launcher, opts.ranks)
    else:
        check_faults(launcher, opts.ranks, opts.targets, opts.operation, opts.check)


if __name__ == "__main__":
    main()
