#!/usr/bin/env python3
"""README.md's cluster command as written, across 2 emulated nodes (emulated_nodes.py), with a
hostfile in hostfile.example's format: hostfile.example itself with its node names replaced by the
nodes' (comments, slots= and the commented-out lines kept), and the README's mpirun line
(`<!-- tested: cluster hostfile-mpirun -->`, its MCA settings as written, the nodes' subnet for its
example one) with only what emulation needs added after `mpirun` (the launch agent instead of
ssh, a session folder of the run's, root) and a smaller problem.

Checks: the same line with `hostname` in place of pi puts 2 ranks on each node under its host
name (the hostfile parsed, --map-by node); pi at 4 ranks prints the bits of a 1-rank run here.
Usage: hostfile_test.py --pi PATH. Exit status 0 = pass, 77 = skipped (one line says why).
"""

import argparse
import collections
import os
import shlex
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "apps"))
sys.path.insert(0, str(HERE.parent / "slurm"))
import readme_scripts  # noqa: E402  (tests/slurm: README.md's blocks)
from app_launch import fail  # noqa: E402
from cluster_test import RUN_TIMEOUT, fields, run_here  # noqa: E402
from emulated_nodes import (KILL_AFTER_S, SKIP, EmulatedNodes, Unavailable,  # noqa: E402
                            exit_on_signals, missing_prerequisite)

EXAMPLE = HERE.parent.parent / "hostfile.example"


def example_hostfile(names):
    """hostfile.example with node01, node02 replaced by `names`."""
    text = EXAMPLE.read_text(encoding="utf-8")
    for example, name in zip(("node01", "node02"), names):
        if f"\n{example} slots=" not in text:
            fail(f"{EXAMPLE} has no line '{example} slots=...' any more (update this test)")
        text = text.replace(example, name)
    return text


def readme_command(nodes, hostfile, program, extra):
    """README's mpirun line for these nodes: the argv to run on node 0."""
    launch = ["timeout", "-k", str(KILL_AFTER_S), str(RUN_TIMEOUT), "mpirun",
              "--allow-run-as-root", "--bind-to", "none",
              "--mca", "plm_rsh_agent", f"{nodes.agent} {nodes.nodes_file}",
              "--mca", "plm_rsh_no_tree_spawn", "1", "--mca", "orte_tmpdir_base", nodes.session]
    try:
        text, _ = readme_scripts.adapted("cluster hostfile-mpirun", [
            ("mpirun --hostfile hostfile -np 64", f"mpirun --hostfile {hostfile} -np 4"),
            ("10.1.0.0/24", nodes.subnet),
            ("build/release/apps/pi --samples 1e11", f"{shlex.quote(program)} {extra}")])
    except readme_scripts.Stale as e:
        fail(str(e))
    words = shlex.split(text.replace("\\\n", " "))  # a shell joins continued lines
    if words[0] != "mpirun":
        fail(f"README's cluster command does not start with mpirun: {text}")
    return launch + words[1:]


def run(cmd):
    """(printable command, process) of `cmd`, as cluster_test.fields takes them."""
    return shlex.join(cmd), subprocess.run(cmd, capture_output=True, text=True,
                                           timeout=RUN_TIMEOUT + 30, check=False)


def check(opts):
    args = "--samples 2e6 --seed 5"
    reference = fields(*run_here(1, [opts.pi, *args.split()]), ["estimate", "hits"])
    with EmulatedNodes(2) as nodes:
        hostfile = os.path.join(nodes.folder, "hostfile")
        with open(hostfile, "w", encoding="utf-8") as f:
            f.write(example_hostfile(nodes.names))
        cmd = nodes.on_node(0, readme_command(nodes, hostfile, "hostname", ""))
        where, proc = run(cmd)
        fields(where, proc, [])
        placed = collections.Counter(proc.stdout.split())
        if placed != collections.Counter({name: 2 for name in nodes.names}):
            fail(f"expected 2 ranks on each of {nodes.names}, got {dict(placed)}: "
                 f"{shlex.join(cmd)}")
        print(f"README's line with hostname, hostfile.example's format: {dict(placed)}")
        cmd = nodes.on_node(0, readme_command(nodes, hostfile, opts.pi, args))
        got = fields(*run(cmd), ["estimate", "hits", "ranks"])
        if got["ranks"] != "4" or (got["estimate"], got["hits"]) != (
                reference["estimate"], reference["hits"]):
            fail(f"ranks {got.get('ranks')}, estimate {got.get('estimate')}, hits "
                 f"{got.get('hits')}; a 1-rank run here: {reference['estimate']} "
                 f"{reference['hits']}: {shlex.join(cmd)}")
        print(f"README's line with pi at 4 ranks on 2 nodes: estimate {got['estimate']}, the bits "
              f"of a 1-rank run")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pi", required=True)
    opts = parser.parse_args()
    exit_on_signals()
    try:
        reason = missing_prerequisite()
        if reason:
            raise Unavailable(reason)
        check(opts)
    except Unavailable as e:
        print(f"SKIPPED: {e}")
        sys.exit(SKIP)


if __name__ == "__main__":
    main()
