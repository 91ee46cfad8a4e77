#!/usr/bin/env python3
"""End-to-end checks of --report, --report-json FILE and MPIMR_REPORT, through pi.

json:     pi at 2 ranks with --report and --report-json: the JSON parses, has exactly the fields
          docs/run_report.md documents (top level and per rank), its chunk and item counts add up
          to what the test computes from --samples and --chunk-size, times and ratios are within
          their bounds, the version is the project's; stderr holds the table (one line per rank).
          At 1 rank, MPIMR_REPORT=table,json:BAD with --report-json GOOD: the option wins for the
          file, the variable still asks for the table.
refusals: an unwritable --report-json (missing folder, a folder) or a malformed MPIMR_REPORT: one
          line, exit 2, before any computation (no output, no file).

Usage: report_test.py CHECK --app PATH --source DIR -- LAUNCHER...
"""

import argparse
import json
import math
import os
import re
import shlex
import tempfile

import app_launch
from app_launch import fail

RUN_TIMEOUT = 120
SAMPLES = 200000
CHUNK = 3000


def documented_fields(source):
    """The backquoted first column of the two field tables in docs/run_report.md."""
    with open(os.path.join(source, "docs", "run_report.md"), encoding="utf-8") as f:
        text = f.read()
    tables = text.split("Per rank (`ranks[]`):")
    if len(tables) != 2:
        fail("docs/run_report.md: no 'Per rank (`ranks[]`):' table")
    pattern = re.compile(r"^\| `([a-z_]+)` \|", re.MULTILINE)
    top, per_rank = (pattern.findall(t) for t in tables)
    if not top or not per_rank:
        fail("docs/run_report.md: empty field tables")
    return top, per_rank


def project_version(source):
    with open(os.path.join(source, "CMakeLists.txt"), encoding="utf-8") as f:
        match = re.search(r"project\(\s*mpimr\s+VERSION\s+([0-9.]+)", f.read())
    if not match:
        fail("no project(mpimr VERSION ...) in CMakeLists.txt")
    return match.group(1)


def run_ok(launcher, np, args, env=None):
    changes = {"MPIMR_REPORT": None, **(env or {})}
    cmd, proc = app_launch.run(launcher, np, args, RUN_TIMEOUT, True, env_changes=changes)
    if proc.returncode != 0:
        fail(f"exit code {proc.returncode}: {shlex.join(cmd)}\n{proc.stderr}")
    return cmd, proc


def check_report(path, np, top, per_rank, version, where):
    with open(path, encoding="utf-8") as f:
        report = json.load(f)
    if sorted(report) != sorted(top):
        fail(f"top-level fields {sorted(report)} != documented {sorted(top)}: {where}")
    for rank in report["ranks"]:
        if sorted(rank) != sorted(per_rank):
            fail(f"rank fields {sorted(rank)} != documented {sorted(per_rank)}: {where}")
    expected_chunks = math.ceil(SAMPLES / CHUNK)
    checks = {
        "chunk_count": (report["chunk_count"], expected_chunks),
        "sum of chunks": (sum(r["chunks"] for r in report["ranks"]), expected_chunks),
        "items": (report["items"], SAMPLES),
        "sum of items": (sum(r["items"] for r in report["ranks"]), SAMPLES),
        "rank_count": (report["rank_count"], np),
        "ranks": ([r["rank"] for r in report["ranks"]], list(range(np))),
        "chunk_size": (report["chunk_size"], CHUNK),
        "operations": (report["operations"], 1),
        "schedule": (report["schedule"], "dynamic"),
        "mpimr_version": (report["mpimr_version"], version),
        "bytes balance": (sum(r["bytes_sent"] for r in report["ranks"]),
                          sum(r["bytes_received"] for r in report["ranks"])),
    }
    for name, (got, expected) in checks.items():
        if got != expected:
            fail(f"{name}: {got}, expected {expected}: {where}")
    wall = report["wall_seconds"]
    busy = [r["busy_seconds"] for r in report["ranks"]]
    for r in report["ranks"]:
        if not 0 <= r["busy_seconds"] <= wall or r["wait_seconds"] < 0:
            fail(f"rank {r['rank']}: busy {r['busy_seconds']}, wait {r['wait_seconds']}, wall "
                 f"{wall}: {where}")
    mean = sum(busy) / len(busy)
    if mean > 0 and not math.isclose(report["load_imbalance"], max(busy) / mean, rel_tol=1e-9):
        fail(f"load_imbalance {report['load_imbalance']} != max/mean busy: {where}")
    if not 0 < report["parallel_efficiency"] <= 1:
        fail(f"parallel_efficiency {report['parallel_efficiency']}: {where}")
    if not report["hosts"] or any(r["host"] not in report["hosts"] for r in report["ranks"]):
        fail(f"hosts {report['hosts']} do not cover the ranks' hosts: {where}")
    return report


def check_json(launcher, source):
    top, per_rank = documented_fields(source)
    version = project_version(source)
    args = ["--samples", str(SAMPLES), "--chunk-size", str(CHUNK)]
    with tempfile.TemporaryDirectory(prefix="mpimr-report-") as folder:
        path = os.path.join(folder, "report.json")
        cmd, proc = run_ok(launcher, 2, args + ["--report", "--report-json", path])
        where = shlex.join(cmd)
        report = check_report(path, 2, top, per_rank, version, where)
        rank_lines = [l for l in proc.stderr.splitlines() if re.match(r"^\s+[01]\s+\S+\s+\d+", l)]
        if len(rank_lines) != 2 or "parallel efficiency" not in proc.stderr:
            fail(f"no table with 2 rank lines on stderr: {where}\n{proc.stderr}")
        if "estimate" not in proc.stdout:
            fail(f"no estimate on stdout: {where}\n{proc.stdout}")
        print(f"np 2: {report['chunk_count']} chunks, efficiency {report['parallel_efficiency']:.3f}")

        # The option wins over the variable's file; the variable's table still comes.
        good = os.path.join(folder, "from_option.json")
        env = {"MPIMR_REPORT": "table,json:" + os.path.join(folder, "missing", "x.json")}
        cmd, proc = run_ok(launcher, 1, args + ["--report-json", good], env)
        check_report(good, 1, top, per_rank, version, shlex.join(cmd))
        if "parallel efficiency" not in proc.stderr:
            fail(f"MPIMR_REPORT=table printed no table: {shlex.join(cmd)}\n{proc.stderr}")
        print("np 1: --report-json wins over MPIMR_REPORT's file; its table printed")


def check_refusals(launcher):
    with tempfile.TemporaryDirectory(prefix="mpimr-report-") as folder:
        missing = os.path.join(folder, "missing", "r.json")
        runs = [(2, ["--samples", "1e9", "--report-json", missing]),
                (1, ["--samples", "1e9", "--report-json", folder])]
        for (cmd, proc), named in zip(app_launch.run_many(launcher, runs, RUN_TIMEOUT),
                                      [missing, folder]):
            app_launch.expect_one_line_exit_2(cmd, proc, "pi", named)
        cmd, proc = app_launch.run(launcher, 2, ["--samples", "1e9"], RUN_TIMEOUT, True, True,
                                   {"MPIMR_REPORT": "json"})
        app_launch.expect_one_line_exit_2(cmd, proc, "pi", "MPIMR_REPORT='json'")
        if os.path.exists(missing) or os.listdir(folder):
            fail(f"a refused run left files in {folder}: {os.listdir(folder)}")
    print("refusals: one line, exit 2, no file")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("check", choices=["json", "refusals"])
    parser.add_argument("--app", required=True)
    parser.add_argument("--source", required=True)
    opts, launcher = app_launch.parse_with_launcher(parser, "{app}", "app")
    if opts.check == "json":
        check_json(launcher, opts.source)
    else:
        check_refusals(launcher)


if __name__ == "__main__":
    main()
