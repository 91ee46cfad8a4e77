#!/usr/bin/env python3
"""Checks under a private local Slurm (local_slurm.py), one check per ctest test (see
CMakeLists.txt). The batch scripts are README.md's own: each is the ```sh block after a line
`<!-- tested: slurm NAME -->` (readme_scripts.py), submitted with sbatch after the few
replacements listed in REPLACE (resources this one machine has, smaller problems), each of which
must apply.

fixture:      Slurm starts with PMIx among srun's MPI types, srun puts 2 tasks on each node under
              the node's host name, a batch job completes, and nothing (process, file) is left
              after a run, after a failing run with a job running, and (by the next run's
              clean-up) after a kill -9 of the run.
pi:           README's two pi scripts (srun --mpi=pmix; exec mpirun inside the allocation) at 1,
              2, 3 and 4 tasks on one node (2 and 4 on 2 nodes): each job completes, pi reports
              that many ranks, its estimate is 4 hits / samples, within 5 standard errors of
              pi, and has the bits of a 1-rank mpirun run made here without Slurm.
signal:       README's long-job script (--launcher srun: `--signal=USR1` to every rank and a
              resubmission when srun exits 75; mpirun: `--signal=B:USR1` to the batch shell,
              which is mpirun, and a resubmission queued up front with afternotok), stopped by
              the signal Slurm would send (scancel --signal=USR1, with --batch for mpirun) once its
              journal holds records: the job ends with exit code 75 and no image, the next job
              resumes exactly the saved chunks and writes the bytes of an uninterrupted run made
              here without Slurm, the journal is gone, and (mpirun) the third job, queued by the
              second, is cancelled because the second succeeded.
farm:         README's parameter sweep script (srun, farm --template with --checkpoint): every
              task's output holds its parameter line, the results table is all ok and names
              only the cluster's nodes as hosts.

--nodes 2 (or 3) runs a check on emulated nodes (tests/cluster/emulated_nodes.py), one slurmd
per node, slurmctld on node 0; the scripts' --nodes become N (the pi and long-job scripts' 2 is
then kept as written).

Usage: slurm_test.py CHECK [--launcher srun|mpirun] [--nodes N] --apps DIR
Exit status 0 = pass, 77 = skipped (no local Slurm here: one line says why).
"""

import argparse
import collections
import contextlib
import csv
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "apps"))
import checkpoint_test  # noqa: E402  (tests/apps: reading journals)
import readme_scripts  # noqa: E402
from app_launch import fail  # noqa: E402
from local_slurm import (ENDED, SKIP, LocalSlurm, Unavailable, exit_on_signals,  # noqa: E402
                         missing_prerequisite, processes_with_conf)
from emulated_nodes import EmulatedNodes  # noqa: E402  (tests/cluster, on sys.path by now)
from emulated_nodes import Unavailable as NodesUnavailable  # noqa: E402

# Limits for one job or mpirun on a loaded 2-core machine, not expectations.
JOB_LIMIT_S = 180

# What the README's scripts ask for that this machine cannot give, and problem sizes of seconds:
# (README text, text submitted). {nodes} is the run's node count, {tasks} its tasks per node.
# Every entry must occur in its block, so that a README edit that drops it fails here instead of
# going untested.
NODES = ("--nodes=2", "--nodes={nodes}")
TASKS = ("--ntasks-per-node=32", "--ntasks-per-node={tasks}")
REPLACE = {
    "pi-srun": [NODES, TASKS, ("--samples 1e11", "--samples 2e7")],
    "pi-mpirun": [NODES, TASKS, ("--samples 1e11", "--samples 2e7")],
    "signal-srun": [NODES, TASKS, ("--width 40000 --height 40000", "--width 1200 --height 900")],
    "signal-mpirun": [NODES, TASKS, ("--width 40000 --height 40000", "--width 1200 --height 900")],
    "farm-sweep": [("--nodes=4", "--nodes={nodes}"), TASKS, ("--timeout 3600", "--timeout 60"),
                   ("--grace 60", "--grace 5")],
}


def readme_script(name, nodes, tasks):
    """README's script `name` with REPLACE applied for `nodes` nodes of `tasks` tasks, and the
    replacements as one line."""
    try:
        return readme_scripts.adapted(f"slurm {name}", [
            (old, new.format(nodes=nodes, tasks=tasks)) for old, new in REPLACE[name]])
    except readme_scripts.Stale as e:
        fail(str(e))


def prepare_work(slurm, apps):
    """The job's folder (its working directory, as the folder one submits from on a cluster):
    build/release/apps holds copies of the build's apps, so the README's paths work as written.
    Copies, not a link: each emulated node has a private /tmp, where the build may live (a CI
    clone), and a node would not see it."""
    target = os.path.join(slurm.work, "build", "release", "apps")
    os.makedirs(target)
    for name in os.listdir(apps):
        path = os.path.join(apps, name)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            shutil.copy2(path, target)
    share_sanitizer_files(slurm)


def share_sanitizer_files(slurm):
    """Sanitized apps read the suppressions files their *SAN_OPTIONS name, on every node; those
    files live in the source tree, which a node's private /tmp hides in a CI clone (every rank then
    failed: 'AddressSanitizer: failed to read suppressions file'). Copies them into the work folder
    and points the options there."""
    for variable in ("ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS"):
        if not slurm.env.get(variable):
            continue
        parts = []
        for part in slurm.env[variable].split(":"):
            key, _, path = part.partition("=")
            if key == "suppressions" and os.path.isfile(path):
                copy = os.path.join(slurm.work, f"{variable.lower()}-{os.path.basename(path)}")
                shutil.copy2(path, copy)
                part = f"{key}={copy}"
            parts.append(part)
        slurm.env[variable] = ":".join(parts)


def submit(slurm, name, tasks):
    """Writes README's script `name` for `tasks` tasks per node into the work folder and submits
    it; returns the job id."""
    script, done = readme_script(name, len(slurm.names), tasks)
    path = os.path.join(slurm.work, f"{name}-{tasks}.sh")
    with open(path, "w", encoding="utf-8") as f:
        f.write(script)
    job = slurm.sbatch([path])
    print(f"job {job}: README's {name} script on {len(slurm.names)} node(s) x {tasks} task(s) "
          f"({done})")
    return job


@contextlib.contextmanager
def local_slurm(opts, cpus):
    """A LocalSlurm of `cpus` CPUs per node: this machine, or --nodes emulated nodes."""
    if opts.nodes == 1:
        with LocalSlurm(cpus) as slurm:
            yield slurm
    else:
        with EmulatedNodes(opts.nodes) as nodes, LocalSlurm(cpus, nodes) as slurm:
            yield slurm


def job_output(slurm, job):
    path = os.path.join(slurm.work, f"slurm-{job}.out")
    return Path(path).read_text(encoding="utf-8", errors="replace") if os.path.exists(path) else ""


def expect_state(slurm, job, fields, state, exit_code):
    if fields["JobState"] != state or fields["ExitCode"] != exit_code:
        fail(f"job {job}: {fields['JobState']} exit code {fields['ExitCode']}, expected {state} "
             f"{exit_code}:\n{job_output(slurm, job)}")


class Reference:
    """The reference: mpirun on this machine, without Slurm, started at once (it runs while the
    test's Slurm starts and its jobs run); `stdout()` waits for its end. Leaving the `with`
    block ends it if it still runs (a failed check)."""

    def __init__(self, np, args):
        self.cmd = ["timeout", "-k", "5", str(JOB_LIMIT_S), "mpirun", "-np", str(np), "-q",
                    "--allow-run-as-root", "--oversubscribe", "--bind-to", "none", *args]
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stdout(self):
        out, err = self.proc.communicate(timeout=JOB_LIMIT_S + 30)
        if self.proc.returncode != 0:
            fail(f"exit code {self.proc.returncode}: {shlex.join(self.cmd)}\n{out}{err}")
        return out


def check_fixture(opts):
    with local_slurm(opts, 4) as slurm:
        conf, folder = slurm.conf, slurm.folder
        print(f"Slurm up in {slurm.start_seconds:.2f} s: nodes {slurm.names}, slurmctld port "
              f"{slurm.ctld_port}, slurmd port {slurm.slurmd_port}")
        types = slurm.run(["srun", "--mpi=list"])
        if "pmix" not in types.stdout + types.stderr:
            fail(f"srun --mpi=list does not offer pmix:\n{types.stdout}{types.stderr}")
        started = time.monotonic()
        # Two tasks on each node, under the node's host name.
        tasks = 2 * len(slurm.names)
        proc = slurm.run(["srun", "-N", str(len(slurm.names)), "--ntasks-per-node=2", "hostname"])
        if proc.returncode != 0 or sorted(proc.stdout.split()) != sorted(slurm.names * 2):
            fail(f"srun --ntasks-per-node=2 hostname: exit code {proc.returncode}, printed "
                 f"{proc.stdout!r}, expected each of {slurm.names} twice\n{proc.stderr}")
        print(f"srun --ntasks-per-node=2 hostname: {tasks} tasks, 2 on each of {slurm.names} in "
              f"{time.monotonic() - started:.2f} s")
        started = time.monotonic()
        job = slurm.sbatch(["--wrap", "true"])
        expect_state(slurm, job, slurm.wait_job(job), "COMPLETED", "0:0")
        print(f"sbatch --wrap true: job {job} completed, seen {time.monotonic() - started:.2f} s "
              f"after the submission")
        if not processes_with_conf(conf):
            fail("no process found with this run's SLURM_CONF: the clean-up would miss them")
    print(f"removed in {slurm.stop_seconds:.2f} s")
    expect_removed(conf, folder, "after a run")

    class Planned(Exception):
        pass
    try:
        with local_slurm(opts, 2) as slurm:
            conf, folder = slurm.conf, slurm.folder
            slurm.sbatch(["--wrap", "sleep 600"])
            raise Planned()
    except Planned:
        pass
    expect_removed(conf, folder, "after a failing run with a job running")
    print("removed after an exception inside the run, its running job too")

    # A run killed before its cleanup (the command-line form, whose command prints where its
    # Slurm is and stays): the next run's clean-up (here --cleanup) removes what it left.
    run = subprocess.Popen([sys.executable, str(HERE / "local_slurm.py"), "--cpus", "2", "--",
                            "sh", "-c", 'echo "$SLURM_CONF" && exec sleep 600'],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        conf = run.stdout.readline().strip()
    finally:
        run.kill()
        run.wait()
    folder = os.path.dirname(conf)
    if not conf or not processes_with_conf(conf) or not os.path.isdir(folder):
        fail(f"a killed run's daemons should still be there before cleanup: '{conf}'")
    subprocess.run([sys.executable, str(HERE / "local_slurm.py"), "--cleanup"], check=True,
                   timeout=60)
    expect_removed(conf, folder, "after kill -9 and --cleanup")
    print("a killed run's daemons and folder removed by --cleanup")


def expect_removed(conf, folder, what):
    left = processes_with_conf(conf)
    if left or os.path.exists(folder):
        fail(f"{what}: left behind: processes {left}, folder {folder} "
             f"{'exists' if os.path.exists(folder) else 'removed'}")


def check_pi(opts):
    pi = os.path.join(opts.apps, "pi")
    # 1 to 4 ranks: 1, 2, 3 and 4 tasks on one node, 1 and 2 tasks per node on 2 nodes; each
    # with srun and with mpirun. Each node has the CPUs for all jobs at once.
    per_node = (1, 2, 3, 4) if opts.nodes == 1 else (1, 2)
    with Reference(1, [pi, "--samples", "2e7"]) as here, \
            local_slurm(opts, 2 * sum(per_node)) as slurm:
        prepare_work(slurm, opts.apps)
        jobs = [(name, tasks * opts.nodes, submit(slurm, name, tasks))
                for name in ("pi-srun", "pi-mpirun") for tasks in per_node]
        reference = checkpoint_test.fields(here.stdout())
        for name, ranks, job in jobs:
            fields = slurm.wait_job(job, JOB_LIMIT_S)
            expect_state(slurm, job, fields, "COMPLETED", "0:0")
            out = job_output(slurm, job)
            got = checkpoint_test.fields(out)
            where = f"job {job} ({name}, {ranks} ranks):\n{out}"
            if got.get("ranks") != str(ranks) or got.get("samples") != "20000000":
                fail(f"ranks {got.get('ranks')}, samples {got.get('samples')}: {where}")
            estimate, hits, samples = float(got["estimate"]), int(got["hits"]), 20_000_000
            p = math.pi / 4
            error = 4 * math.sqrt(p * (1 - p) / samples)
            if not math.isclose(estimate, 4 * hits / samples, rel_tol=1e-15):
                fail(f"estimate {estimate} is not 4 * hits / samples: {where}")
            if abs(estimate - math.pi) > 5 * error:
                fail(f"estimate {estimate} is {abs(estimate - math.pi) / error:.1f} standard "
                     f"errors from pi: {where}")
            if (got["estimate"], got["hits"]) != (reference["estimate"], reference["hits"]):
                fail(f"estimate {got['estimate']} hits {got['hits']}, a 1-rank mpirun run here "
                     f"gave {reference['estimate']} {reference['hits']}: {where}")
            print(f"job {job} ({name}): {ranks} ranks, estimate {estimate} "
                  f"({abs(estimate - math.pi) / error:.2f} standard errors from pi), the bits of a "
                  f"1-rank run; ran {fields['StartTime']} to {fields['EndTime']}")


def journal_bytes(folder):
    return checkpoint_test.bytes_past_headers(folder, set()) if os.path.isdir(folder) else 0


def check_signal(opts):
    # 2 ranks: 2 tasks on one node, or 1 on each of 2 nodes.
    name, tasks = f"signal-{opts.launcher}", 2 // opts.nodes
    script, _ = readme_script(name, opts.nodes, tasks)
    # The script's mandelbrot arguments: the reference runs them without --checkpoint.
    args = shlex.split(re.search(r"apps/mandelbrot (.*)", script.replace("\\\n", " "))[1])
    image_name = args[args.index("--output") + 1]
    at = args.index("--checkpoint")
    with contextlib.ExitStack() as stack:
        reference = os.path.join(stack.enter_context(tempfile.TemporaryDirectory()), "ref.png")
        here = stack.enter_context(Reference(2, [
            os.path.join(opts.apps, "mandelbrot"),
            *(reference if arg == image_name else arg for arg in args[:at] + args[at + 2:])]))
        slurm = stack.enter_context(local_slurm(opts, 2))
        prepare_work(slurm, opts.apps)
        journal = os.path.join(slurm.work, args[args.index("--checkpoint") + 1])
        image = os.path.join(slurm.work, image_name)
        started = time.monotonic()
        first = submit(slurm, name, tasks)
        deadline = time.monotonic() + JOB_LIMIT_S
        next_look = time.monotonic()
        while journal_bytes(journal) < 2000:
            if time.monotonic() > deadline:
                fail(f"job {first}: no journal records after {JOB_LIMIT_S} s:\n"
                     f"{job_output(slurm, first)}")
            if time.monotonic() > next_look:  # a job that already ended will write none
                state = slurm.jobs().get(first, {}).get("JobState")
                if state in ENDED:
                    fail(f"job {first} ended ({state}) before its journal had records:\n"
                         f"{job_output(slurm, first)}")
                next_look = time.monotonic() + 0.5
            time.sleep(0.02)
        running = time.monotonic() - started
        # What Slurm sends at --signal=USR1@T (every task of every step) or --signal=B:USR1@T
        # (the batch shell), without waiting for the time limit and slurmctld's 30 s tick.
        where_to = ["--batch"] if opts.launcher == "mpirun" else []
        signalled = time.monotonic()
        proc = slurm.run(["scancel", "--signal=USR1", *where_to, first])
        if proc.returncode != 0:
            fail(f"scancel --signal=USR1 {' '.join(where_to)} {first}: {proc.stderr}")
        fields = slurm.wait_job(first, JOB_LIMIT_S)
        stopped = time.monotonic() - signalled
        expect_state(slurm, first, fields, "FAILED", "75:0")
        saved, _ = checkpoint_test.saved_records(journal)
        out = job_output(slurm, first)
        stop_command = shlex.join(['scancel', '--signal=USR1', *where_to])
        print(f"job {first}: journal records after {running:.2f} s; "
              f"{stop_command}: ended {stopped:.2f} s later, exit code 75, "
              f"{len(saved)} chunks saved; its output: {out.strip()}")
        if os.path.exists(image) or not saved or "interrupted" not in out:
            fail(f"job {first}: expected no {image_name}, saved chunks and an 'interrupted' "
                 f"line:\n{out}")
        # Job ids grow: the resubmission is the first after `first`. Under mpirun it may already
        # be running, and then has queued the third job itself (checked below).
        others = sorted((job for job in slurm.jobs() if job != first), key=int)
        most = 2 if opts.launcher == "mpirun" else 1
        if not 1 <= len(others) <= most:
            fail(f"expected one resubmitted job after {first}, found {others}")
        second = others[0]
        fields = slurm.wait_job(second, JOB_LIMIT_S)
        expect_state(slurm, second, fields, "COMPLETED", "0:0")
        out = job_output(slurm, second)
        resumed = checkpoint_test.resumed_chunks(out, f"job {second}")
        here.stdout()
        with open(reference, "rb") as a, open(image, "rb") as b:
            if a.read() != b.read():
                fail(f"job {second}: {image_name} differs from an uninterrupted run's")
        if resumed != len(saved) or os.path.exists(journal):
            fail(f"job {second}: resumed {resumed} chunks of {len(saved)} saved; journal "
                 f"{'still there' if os.path.exists(journal) else 'gone'}:\n{out}")
        print(f"job {second} (the resubmission): resumed {resumed} chunks, {image_name} equals "
              f"an uninterrupted run's, journal gone; {time.monotonic() - signalled:.2f} s from "
              f"the signal to its end")
        if opts.launcher == "mpirun":
            # The second job queued a third, to run if the second failed: it never will.
            others = [job for job in slurm.jobs() if job not in (first, second)]
            if len(others) != 1:
                fail(f"expected one job queued by {second}, found {others}")
            fields = slurm.wait_job(others[0], 60)
            if fields["JobState"] != "CANCELLED":
                fail(f"job {others[0]}, queued by {second} after its success: "
                     f"{fields['JobState']} ({fields.get('Reason')}), expected CANCELLED")
            print(f"job {others[0]} (queued by {second} in case it failed): CANCELLED "
                  f"({fields.get('Reason')})")


def check_farm(opts):
    lines = [f"{a} {b}" for a in ("0.1", "0.25", "1e-3") for b in ("1", "-2", "3.5", "40")]
    with local_slurm(opts, 3) as slurm:
        prepare_work(slurm, opts.apps)
        work = Path(slurm.work)
        (work / "sweep.txt").write_text("# alpha beta\n" + "\n".join(lines) + "\n")
        (work / "results").mkdir()
        # The simulation: writes its two parameters to its --out file.
        simulate = work / "simulate"
        simulate.write_text('#!/bin/sh\nset -eu\nprintf "%s %s\\n" "$2" "$4" > "$6"\n')
        simulate.chmod(0o755)
        job = submit(slurm, "farm-sweep", 3 if opts.nodes == 1 else 2)
        fields = slurm.wait_job(job, JOB_LIMIT_S)
        expect_state(slurm, job, fields, "COMPLETED", "0:0")
        for number, line in enumerate(lines, start=1):
            out = work / "results" / f"run-{number}.h5"
            if not out.exists() or out.read_text().split() != line.split():
                fail(f"job {job}: {out} holds {out.read_text() if out.exists() else 'nothing'}, "
                     f"expected '{line}':\n{job_output(slurm, job)}")
        with open(work / "farm-out" / "results.csv", newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        statuses = [row["status"] for row in rows]
        if len(statuses) != len(lines) or set(statuses) != {"ok"}:
            fail(f"job {job}: results.csv statuses {statuses}:\n{job_output(slurm, job)}")
        hosts = collections.Counter(row["host"] for row in rows)
        if not set(hosts) <= set(slurm.names):
            fail(f"job {job}: tasks ran on {dict(hosts)}, not only on {slurm.names}")
        print(f"job {job}: {len(lines)} tasks, every output holds its parameters, results.csv "
              f"all ok, tasks per host {dict(hosts)}; "
              f"ran {fields['StartTime']} to {fields['EndTime']}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("check", choices=["fixture", "pi", "signal", "farm"])
    parser.add_argument("--launcher", choices=["srun", "mpirun"], default="srun")
    parser.add_argument("--apps", required=True, help="the build's apps folder")
    parser.add_argument("--nodes", type=int, choices=[1, 2, 3], default=1,
                        help="1: this machine; 2 or 3: emulated nodes (tests/cluster)")
    opts = parser.parse_args()
    exit_on_signals()
    if reason := missing_prerequisite():
        print(f"SKIPPED: {reason}")
        sys.exit(SKIP)
    started = time.monotonic()
    try:
        globals()[f"check_{opts.check}"](opts)
    except (Unavailable, NodesUnavailable) as e:
        print(f"SKIPPED: {e}")
        sys.exit(SKIP)
    launcher = f" {opts.launcher}" if opts.check == "signal" else ""
    print(f"{opts.check}{launcher} on {opts.nodes} node(s): passed in "
          f"{time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
