#!/usr/bin/env python3
"""End-to-end checks of the integrate app under mpiexec, one check per ctest test (CMakeLists.txt).

Usage: integrate_test.py CHECK --app PATH [--function NAME] [--ranks N...] -- LAUNCHER...
LAUNCHER is the mpiexec command line with {np} where the rank count goes and {app} where the program
goes, e.g.  mpiexec -n {np} --oversubscribe {app}.  App arguments are appended after it.
Values are checked against closed forms computed here with Python's math module.
Exit status 0 = pass; a failure prints the command line that failed, so it can be rerun by hand.
"""

import argparse
import math
import shlex

import app_launch
from app_launch import fail


def run(launcher, np, app_args, timeout=90):
    # No test here signals mpirun, so none needs its kill grace (see app_launch.run).
    return app_launch.run(launcher, np, app_args, timeout, text=True, no_kill_grace=True)


def run_many(launcher, runs):
    return app_launch.run_many(launcher, runs, timeout=90)


def closed_form(function, a, b, c=0.0, w=1.0, k=1.0):
    """The integral over [a, b], written out independently of the app."""
    if function == "exp-cos":
        antiderivative = lambda x: math.exp(x) * (math.sin(x) + math.cos(x)) / 2
        return antiderivative(b) - antiderivative(a)
    if function == "runge":
        return math.atan(b) - math.atan(a)
    if function == "gaussian":
        return w * math.sqrt(math.pi) / 2 * (math.erf((b - c) / w) - math.erf((a - c) / w))
    if function == "lorentzian":
        return (math.atan((b - c) / w) - math.atan((a - c) / w)) / w
    if function == "cosine":
        return (math.sin(k * b) - math.sin(k * a)) / k
    raise ValueError(function)


# One case per function: interval, tolerance, parameters and a chunk count that does not divide
# the interval evenly. The peaks sit off chunk boundaries; the cosine makes ~3000 oscillations.
CASES = {
    "exp-cos": dict(a=-1.0, b=3.0, tol=1e-9, chunks=37),
    "runge": dict(a=-5.0, b=5.0, tol=1e-11, chunks=64),
    "gaussian": dict(a=0.0, b=1.0, tol=1e-12, chunks=37, c=0.3, w=1e-3),
    "lorentzian": dict(a=-1.0, b=2.0, tol=1e-7, chunks=50, c=0.3, w=1e-4),
    "cosine": dict(a=0.0, b=2.0, tol=1e-10, chunks=100, k=1e4),
}


def case_arguments(function):
    case = CASES[function]
    args = ["--function", function, "--from", repr(case["a"]), "--to", repr(case["b"]),
            "--tolerance", repr(case["tol"]), "--chunks", str(case["chunks"])]
    if "c" in case:
        args += ["--peak-center", repr(case["c"]), "--peak-width", repr(case["w"])]
    if "k" in case:
        args += ["--frequency", repr(case["k"])]
    return args


def fields(cmd, proc, expected_code=0):
    """The app's `key value` lines as a dict; fails unless the run ended with `expected_code`."""
    if proc.returncode != expected_code:
        fail(f"exit code {proc.returncode}, expected {expected_code}: {shlex.join(cmd)}\n"
             f"{proc.stdout}{proc.stderr}")
    out = {}
    for line in proc.stdout.splitlines():
        key, _, value = line.partition(" ")
        out[key] = value.strip()
    for key in ("value", "error_estimate", "converged", "ranks"):
        if key not in out:
            fail(f"no '{key}' line in the output of {shlex.join(cmd)}:\n{proc.stdout}")
    return out


def check_accuracy(launcher, function, ranks):
    """Right value at every rank count, the same text everywhere, and an honest error estimate."""
    case = CASES[function]
    exact = closed_form(function, case["a"], case["b"], case.get("c", 0.0), case.get("w", 1.0),
                        case.get("k", 1.0))
    args = case_arguments(function)
    first = None
    # Then the other schedules at 2 ranks (or the one rank count given): same bits again.
    other = 2 if 2 in ranks else ranks[-1]
    runs = [(np, "auto") for np in ranks] + [(other, "static"), (other, "guided")]
    for np, schedule in runs:
        cmd, proc = run(launcher, np, args + ["--schedule", schedule])
        got = fields(cmd, proc)
        where = shlex.join(cmd)
        if got["ranks"] != str(np):
            fail(f"asked for {np} ranks, app reports {got['ranks']}: {where}")
        value = float(got["value"])
        estimate = float(got["error_estimate"])
        if got["converged"] != "yes":
            fail(f"not converged: {where}\n{proc.stdout}")
        if abs(value - exact) > case["tol"]:
            fail(f"value {value!r} is {abs(value - exact):.3e} from the closed form {exact!r}, more "
                 f"than the tolerance {case['tol']}: {where}")
        if not estimate <= case["tol"]:
            fail(f"error estimate {estimate} exceeds the tolerance {case['tol']}: {where}")
        if first is None:
            first = (got["value"], got["error_estimate"], np, schedule)
        elif (got["value"], got["error_estimate"]) != first[:2]:
            fail(f"value {got['value']} (estimate {got['error_estimate']}) at {np} ranks "
                 f"({schedule}) differs from {first[0]} ({first[1]}) at {first[2]} ranks "
                 f"({first[3]}): {where}")
        print(f"np {np} {schedule} {function}: {got['value']} (closed form {exact!r}, "
              f"true error {abs(value - exact):.2e}, estimate {estimate:.2e})")


def check_not_converged(launcher, ranks):
    """A tolerance out of reach within the subdivision limit: exit 3, said once on stderr."""
    args = ["--function", "cosine", "--frequency", "1e5", "--tolerance", "1e-12",
            "--max-subdivisions", "5"]
    for np, (cmd, proc) in zip(ranks, run_many(launcher, [(np, args) for np in ranks])):
        got = fields(cmd, proc, expected_code=3)
        where = shlex.join(cmd)
        lines = proc.stderr.splitlines()
        if got["converged"] != "no":
            fail(f"expected 'converged no': {where}\n{proc.stdout}")
        if len(lines) != 1 or "not converged" not in lines[0] or "limit 5" not in lines[0]:
            fail(f"expected one stderr line naming the subdivision limit: {where}\n{proc.stderr}")
        if int(got["short_chunks"]) == 0:
            fail(f"no chunk reported short: {where}\n{proc.stdout}")
        print(f"np {np}: exit 3, {lines[0]}")


# Each bad command line must exit with 2 and one line on stderr that names the offending text.
BAD_ARGUMENTS = [
    (["--function", "sinc"], "'sinc'"),
    (["--function", ""], "unknown function"),
    (["--from", "2", "--to", "1"], "--from 2"),
    (["--from", "1", "--to", "1"], "--from 1"),
    (["--from", "nan"], "nan"),
    (["--to", "inf"], "inf"),
    (["--from", "abc"], "abc"),
    (["--to", "1e400"], "1e400"),
    (["--to", "2x"], "2x"),
    (["--from", "-1e308", "--to", "1e308"], "overflows"),
    (["--from", "0", "--to", "800"], "overflows"),
    (["--tolerance", "0"], "'0'"),
    (["--tolerance", "-1e-6"], "-1e-6"),
    (["--tolerance", "tiny"], "tiny"),
    (["--chunks", "0"], "'0'"),
    (["--chunks", "2.5"], "2.5"),
    (["--chunks", "1e7"], "1e7"),
    (["--from", "1", "--to", "1.0000000000000002", "--chunks", "4"], "--chunks"),
    (["--max-subdivisions", "-3"], "-3"),
    (["--peak-width", "0"], "--peak-width"),
    (["--peak-center", "x"], "--peak-center"),
    (["--frequency", "-5"], "-5"),
    (["--schedule", "nope"], "nope"),
    (["--bogus"], "--bogus"),
    (["stray"], "stray"),
]


def check_bad_arguments(launcher, ranks):
    # At more than one rank, every third case: enough to show that only rank 0 speaks and no rank
    # hangs (each run that fails costs mpirun two idle seconds).
    cases = [(np, args, named) for np in ranks for i, (args, named) in enumerate(BAD_ARGUMENTS)
             if np == 1 or i % 3 == 0]
    results = run_many(launcher, [(np, args) for np, args, _ in cases])
    for (np, args, named), (cmd, proc) in zip(cases, results):
        line = app_launch.expect_one_line_exit_2(cmd, proc, "integrate", named)
        if args[:2] == ["--function", "sinc"] and not all(name in line for name in CASES):
            fail(f"the message should list the valid functions: {shlex.join(cmd)}\n{line}")
        print(f"np {np} {shlex.join(args)}: exit 2, {line}")


def check_help(launcher, ranks):
    mentions = ["--function", "--from", "--to", "--tolerance", "--chunks", "--schedule",
                "--max-subdivisions", "--peak-width", "--frequency"] + list(CASES)
    app_launch.expect_help(launcher, ranks, mentions)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("check", choices=["accuracy", "not_converged", "bad_arguments", "help"])
    parser.add_argument("--app", required=True, help="path of the integrate executable")
    parser.add_argument("--function", choices=list(CASES), default="exp-cos")
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2, 3, 4])
    opts, launcher = app_launch.parse_with_launcher(parser, "{app}", "app")
    if opts.check == "accuracy":
        check_accuracy(launcher, opts.function, opts.ranks)
    elif opts.check == "not_converged":
        check_not_converged(launcher, opts.ranks)
    elif opts.check == "bad_arguments":
        check_bad_arguments(launcher, opts.ranks)
    else:
        check_help(launcher, opts.ranks)
    print("PASS")


if __name__ == "__main__":
    main()
