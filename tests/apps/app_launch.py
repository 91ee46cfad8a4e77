"""What the app end-to-end tests share: failing with one line, launching an app under the MPI
launcher given after "--" with {np} and an app placeholder, and parsing such a command line."""
import concurrent.futures
import os
import re
import shlex
import subprocess
import sys
import tempfile


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def run(launcher, np, app_args, timeout, text, no_kill_grace=False, env_changes=None):
    """Runs the app at `np` ranks. no_kill_grace: for runs that end by themselves (never signalled
    by the test): after a rank exits non-zero, mpirun sends the others SIGTERM and by default waits
    a second before SIGKILL, twice, which is most of a refused run's time. Ranks that refused an
    argument are finalizing by then, so nothing a refusal check looks at depends on that wait. A
    test that signals mpirun must keep the grace: it is the ranks' time to stop cleanly.
    env_changes: {name: value} set for this launch, or {name: None} to unset."""
    cmd = [part.replace("{np}", str(np)) for part in launcher] + app_args
    # Each launch gets its own session folder: Open MPI 4's mpirun, started several at a time
    # (run_many, ctest -j), can fail to create the shared one in /tmp and exit 1 (ORTE_ERROR_LOG
    # in session_dir.c, seen in CI).
    with tempfile.TemporaryDirectory(prefix="mpimr-session-") as session:
        env = dict(os.environ, TMPDIR=session)
        for name, value in (env_changes or {}).items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        if no_kill_grace:
            env["OMPI_MCA_odls_base_sigkill_timeout"] = "0"
        proc = subprocess.run(cmd, capture_output=True, text=text, timeout=timeout, env=env)
    return cmd, proc


def run_many(launcher, runs, timeout, text=True):
    """[(np, app_args)] -> [(cmd, proc)] in the same order, four launches at a time and without
    mpirun's kill grace (see run): most of a launch is waiting, not CPU, and these runs are many
    and mostly refused."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda r: run(launcher, r[0], r[1], timeout, text, True), runs))


# Open MPI's event library sometimes warns as the launcher tears a job down ("[warn] Epoll MOD(1) on
# fd 23 failed. ... Bad file descriptor"): a race in mpirun's own shutdown, known upstream
# (reported upstream: open-mpi/ompi#2004, #5520), seen here once in CI for a refused run at 3
# ranks. It is the launcher's line, not the app's, so the one-line checks leave it out.
_LAUNCHER_EVENT_WARNING = re.compile(r"^\[warn\] Epoll (ADD|MOD|DEL)\(\d+\) on fd \d+ failed\.")


def app_stderr_lines(stderr):
    """The lines of a run's stderr (str, or bytes split at b"\\n" only) without Open MPI's
    event-library teardown warnings (see above)."""
    if isinstance(stderr, bytes):
        lines = stderr.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        return [line for line in lines
                if not _LAUNCHER_EVENT_WARNING.match(line.decode(errors="replace"))]
    return [line for line in stderr.splitlines() if not _LAUNCHER_EVENT_WARNING.match(line)]


def expect_one_line_exit_2(cmd, proc, app_name, named):
    """A refused run: exit code 2, nothing on stdout, one stderr line '<app_name>: ...' that
    contains `named`. Returns that line."""
    where = shlex.join(cmd)
    if proc.returncode != 2:
        fail(f"exit code {proc.returncode}, expected 2: {where}\n{proc.stderr}")
    lines = app_stderr_lines(proc.stderr)
    if len(lines) != 1:
        fail(f"expected one line on stderr, got {len(lines)}: {where}\n{proc.stderr}")
    if named not in lines[0] or not lines[0].startswith(f"{app_name}: "):
        fail(f"stderr does not name '{named}': {where}\n{proc.stderr}")
    if proc.stdout:
        fail(f"unexpected stdout: {where}\n{proc.stdout}")
    return lines[0]


def expect_help(launcher, ranks, mentions, timeout=60):
    """`--help` at each rank count: exit 0, one usage text (rank 0 alone prints it) that mentions
    every string of `mentions`."""
    for np in ranks:
        cmd, proc = run(launcher, np, ["--help"], timeout, True)
        if proc.returncode != 0:
            fail(f"exit code {proc.returncode}, expected 0: {shlex.join(cmd)}\n{proc.stderr}")
        for text in mentions:
            if text not in proc.stdout:
                fail(f"help does not mention {text}: {shlex.join(cmd)}\n{proc.stdout}")
        if proc.stdout.count("Usage:") != 1:
            fail(f"help should be printed once (by rank 0 only): {shlex.join(cmd)}\n{proc.stdout}")
        print(f"np {np} --help: exit 0")


def parse_with_launcher(parser, placeholder, app_path_option):
    """Parses `CHECK [options] -- LAUNCHER...`; returns (options, launcher with the app filled in).
    Split at "--" by hand: argparse.REMAINDER would swallow the options after CHECK too."""
    argv = sys.argv[1:]
    if "--" not in argv:
        parser.error("missing '--' before the launcher")
    split = argv.index("--")
    opts = parser.parse_args(argv[:split])
    launcher = argv[split + 1:]
    if placeholder not in launcher or not any("{np}" in part for part in launcher):
        parser.error(f"the launcher needs {{np}} and {placeholder} placeholders")
    app = getattr(opts, app_path_option)
    return opts, [app if part == placeholder else part for part in launcher]
