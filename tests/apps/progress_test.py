#!/usr/bin/env python3
"""End-to-end checks of progress lines (--progress, --no-progress, MPIMR_PROGRESS), through pi.

file:     stderr a pipe (as in a batch job). MPIMR_PROGRESS=on,0.05 at 2 ranks: every stderr line is a
          progress line "mpimr: DONE/TOTAL chunks ..." with TOTAL the chunk count the test computes,
          DONE never decreasing, the last line TOTAL/TOTAL; the estimate is that of a run without
          progress. --no-progress wins over the variable (no line); without either, a pipe gets none.
          A malformed MPIMR_PROGRESS (or MPIMR_SCHEDULE) at 3 ranks: one line, exit code 2.
terminal: stderr a pseudo-terminal (Python's pty) and MPIMR_PROGRESS=auto,0.05: progress is on
          by default, drawn as one line redrawn with carriage returns (no line feed before the end),
          ending with TOTAL/TOTAL and one line feed.

Usage: progress_test.py CHECK --app PATH -- LAUNCHER...
"""

import argparse
import math
import os
import pty
import re
import shlex
import subprocess
import tempfile
import time

import app_launch
from app_launch import fail

RUN_TIMEOUT = 120
SAMPLES = 20000000
CHUNK = 200000
TOTAL = math.ceil(SAMPLES / CHUNK)
ARGS = ["--samples", str(SAMPLES), "--chunk-size", str(CHUNK)]
LINE = re.compile(r"^mpimr: (\d+)/(\d+) chunks \([0-9.]+%\), [0-9.e+]+ chunks/s, "
                  r"elapsed [0-9hms.]+, ETA [0-9hms.?]+$")


def run(launcher, np, args, env):
    changes = {"MPIMR_PROGRESS": None, **env}
    cmd, proc = app_launch.run(launcher, np, args, RUN_TIMEOUT, True, env_changes=changes)
    if proc.returncode != 0:
        fail(f"exit code {proc.returncode}: {shlex.join(cmd)}\n{proc.stderr}")
    return cmd, proc


def check_counts(lines, where):
    """Every line a progress line of TOTAL chunks, counts not decreasing, the last one complete."""
    if not lines:
        fail(f"no progress line: {where}")
    done = []
    for line in lines:
        match = LINE.match(line)
        if not match:
            fail(f"not a progress line: {line!r}: {where}")
        if int(match.group(2)) != TOTAL:
            fail(f"total {match.group(2)}, expected {TOTAL}: {line!r}: {where}")
        done.append(int(match.group(1)))
    if done != sorted(done) or done[-1] != TOTAL:
        fail(f"counts {done} do not rise to {TOTAL}: {where}")
    return done


def check_file(launcher):
    _, plain = run(launcher, 2, ARGS, {})
    if plain.stderr:
        fail(f"progress without being asked for, stderr a pipe:\n{plain.stderr}")
    started = time.monotonic()
    cmd, proc = run(launcher, 2, ARGS, {"MPIMR_PROGRESS": "on,0.05"})
    # What the run did, for a failure: seen once in CI, a run with no stderr at all.
    where = (f"{shlex.join(cmd)} (exit {proc.returncode} after {time.monotonic() - started:.2f} s,"
             f" stdout {proc.stdout!r})")
    done = check_counts(proc.stderr.splitlines(), where)
    if proc.stdout.splitlines()[0] != plain.stdout.splitlines()[0]:
        fail(f"the estimate changed with progress on: {where}\n{proc.stdout}")
    print(f"np 2, MPIMR_PROGRESS=on,0.05: {len(done)} lines, counts {done}")
    cmd, proc = run(launcher, 1, ARGS + ["--no-progress"], {"MPIMR_PROGRESS": "on,0.05"})
    if proc.stderr:
        fail(f"--no-progress printed: {shlex.join(cmd)}\n{proc.stderr}")
    print("--no-progress wins over MPIMR_PROGRESS=on")
    # A malformed variable: one line from rank 0 that names it, exit code 2, at 3 ranks.
    for variable, value in (("MPIMR_PROGRESS", "often"), ("MPIMR_PROGRESS", "on,0"),
                            ("MPIMR_SCHEDULE", "sometimes")):
        cmd, proc = app_launch.run(launcher, 3, ARGS, RUN_TIMEOUT, True, True, {variable: value})
        app_launch.expect_one_line_exit_2(cmd, proc, "pi", f"{variable}='{value}'")
    print("a malformed MPIMR_PROGRESS or MPIMR_SCHEDULE: one line, exit code 2")


def check_terminal(launcher):
    cmd = [part.replace("{np}", "2") for part in launcher] + ARGS
    # auto: on because stderr is a terminal; the short interval only makes redraws frequent.
    env = dict(os.environ, MPIMR_PROGRESS="auto,0.05")
    primary, secondary = pty.openpty()
    with tempfile.TemporaryDirectory(prefix="mpimr-session-") as session:
        env["TMPDIR"] = session
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=secondary, env=env)
        os.close(secondary)
        output = b""
        while True:
            try:
                data = os.read(primary, 4096)
            except OSError:  # EIO: every writer closed the terminal
                break
            if not data:
                break
            output += data
        try:
            stdout, _ = proc.communicate(timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            fail(f"timed out: {shlex.join(cmd)}")
        os.close(primary)
    where = shlex.join(cmd)
    if proc.returncode != 0 or b"estimate" not in stdout:
        fail(f"exit code {proc.returncode}: {where}\n{output!r}")
    text = output.decode()
    # The terminal turns the one line feed into CR LF; before it, only redraws.
    if not text.endswith("\r\n") or "\n" in text[:-1]:
        fail(f"not one redrawn line ending in one line feed: {where}\n{text!r}")
    draws = [d.replace("\x1b[K", "") for d in text[:-2].split("\r") if d]
    done = check_counts(draws, where)
    print(f"np 2 on a terminal: {len(done)} redraws, counts {done}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("check", choices=["file", "terminal"])
    parser.add_argument("--app", required=True)
    opts, launcher = app_launch.parse_with_launcher(parser, "{app}", "app")
    if opts.check == "file":
        check_file(launcher)
    else:
        check_terminal(launcher)


if __name__ == "__main__":
    main()
