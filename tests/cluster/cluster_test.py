#!/usr/bin/env python3
"""Checks across emulated cluster nodes (emulated_nodes.py: network namespaces with their own
addresses and host names, mpirun on node 0 starting daemons on the others over TCP), one check per
ctest test (see CMakeLists.txt). Ranks go round-robin over the nodes (--map-by node).

fixture:    ranks land on every node under the node's host name; each node has only its own
            address and the machine's own interfaces are untouched; everything is removed after a
            run, after a failing run, and (by the next run) after a kill -9.
schedules:  pi at 2, 3, 4 and 6 ranks over 2 and 3 nodes prints the bits of a 1-rank run made here
            without nodes.
wordcount:  counts under a schedule at 2, 3, 4 and 6 ranks with small splits and shuffle budgets (many exchange rounds
            between nodes) equal those Python counts itself.
checkpoint: pi or wordcount on 2 nodes (4 ranks) stopped by SIGUSR1 to mpirun exits 75 with no
            result; rerun on 3 nodes (6 ranks) it gives the result of an uninterrupted run (the
            same printed bits, the same output file), takes exactly the saved chunks and removes
            the journal.
kill_node:  SIGKILL to every process of one node (its daemon and ranks) of a running job: mpirun
            ends by itself within fault_test.py's limit, non-zero, and no process is left on any
            node.
cut_link:   the link of one node cut mid-run, with a stall limit of 2 s: rank 0 names that node's
            ranks, every rank ends by itself, mpirun exits non-zero (through its time limit).
balance:    rank 0's first chunk ends only after every other chunk is done (balance_probe): the job
            completes, rank 0 ran one chunk and every other rank, on every node, took some.
shared_array: mpi_test_shared_array at 4 ranks on 2 nodes, kmeans (points in a shared_array)
            on 2 nodes with generated and CSV points: the centroids of a 1-rank run; pagerank
            (graph and rank vectors in shared arrays) at 4 and 3 ranks: the ranks of 1 rank.

Usage: cluster_test.py CHECK [options] --pi PATH --wordcount PATH --victim PATH --probe PATH
                       --kmeans PATH --pagerank PATH --shared-test PATH
Exit status 0 = pass, 77 = skipped (this machine cannot host emulated nodes: one line says why).
"""

import argparse
import collections
import os
import random
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "apps"))
sys.path.insert(0, str(HERE.parent / "faults"))
import checkpoint_test  # noqa: E402  (tests/apps: reading journals)
import fault_test  # noqa: E402  (tests/faults: a job under watch, its underway lines)
from app_launch import fail  # noqa: E402
from emulated_nodes import (SKIP, EmulatedNodes, Unavailable, exit_on_signals,  # noqa: E402
                            missing_prerequisite)

# Limits for one mpirun (its own timeout -k) on a loaded 2-core machine, not expectations.
RUN_TIMEOUT = 240


def run_on_nodes(nodes, np, args, text=True):
    """mpirun -np NP over the nodes, ranks round-robin; returns (printable command, process)."""
    cmd = nodes.mpirun_command(["-np", str(np), "--map-by", "node", "-q", *args], RUN_TIMEOUT)
    proc = subprocess.run(cmd, capture_output=True, text=text, timeout=RUN_TIMEOUT + 30,
                          check=False)
    return shlex.join(cmd), proc


def run_here(np, args):
    """The reference: mpirun on this machine, no nodes."""
    cmd = ["timeout", "-k", "5", str(RUN_TIMEOUT), "mpirun", "-np", str(np), "-q",
           "--allow-run-as-root", "--oversubscribe", "--bind-to", "none", *args]
    with tempfile.TemporaryDirectory(prefix="mpimr-session-") as session:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=RUN_TIMEOUT + 30,
                              env=dict(os.environ, TMPDIR=session), check=False)
    return shlex.join(cmd), proc


def fields(where, proc, keys):
    """An app's `key value` lines; fails unless it succeeded and printed `keys`."""
    if proc.returncode != 0:
        fail(f"exit code {proc.returncode}: {where}\n{proc.stdout}{proc.stderr}")
    out = checkpoint_test.fields(proc.stdout)
    for key in keys:
        if key not in out:
            fail(f"no '{key}' line: {where}\n{proc.stdout}")
    return out


def netns_listing():
    return set(os.listdir("/run/netns")) if os.path.isdir("/run/netns") else set()


def root_links():
    out = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True,
                         check=True).stdout
    return sorted(line.split(":")[1].strip() for line in out.splitlines())


def expect_removed(names, folder, what):
    left = sorted(set(names) & netns_listing())
    if left or os.path.exists(folder):
        fail(f"{what}: left behind: namespaces {left}, folder {folder} "
             f"{'exists' if os.path.exists(folder) else 'removed'}")


def check_fixture(opts):
    links_before = root_links()
    with EmulatedNodes(3, slots=2) as nodes:
        print(f"3 nodes up in {nodes.setup_seconds:.3f} s: "
              + ", ".join(f"{n} {a}" for n, a in zip(nodes.names, nodes.addresses)))
        where, proc = run_on_nodes(nodes, 6, ["hostname"])
        if proc.returncode != 0:
            fail(f"exit code {proc.returncode}: {where}\n{proc.stderr}")
        got = collections.Counter(proc.stdout.split())
        if got != collections.Counter({name: 2 for name in nodes.names}):
            fail(f"expected two ranks on each of {nodes.names}, got {dict(got)}: {where}")
        if socket.gethostname() in got:
            fail(f"a rank ran under this machine's own host name: {where}")
        for i, address in enumerate(nodes.addresses):
            out = subprocess.run(nodes.on_node(i, ["ip", "-o", "-4", "addr", "show"]),
                                 capture_output=True, text=True, check=True).stdout
            found = sorted(re.findall(r"inet (\S+)/", out))
            if found != sorted(["127.0.0.1", address]):
                fail(f"node {i} has addresses {found}, expected 127.0.0.1 and {address}")
        if root_links() != links_before:
            fail(f"this machine's interfaces changed: {links_before} -> {root_links()}")
        names, folder = list(nodes.created), nodes.folder
        print(f"ranks on {sorted(got)}; each node has only its address; no interface added here")
    print(f"removed in {nodes.teardown_seconds:.3f} s")
    expect_removed(names, folder, "after a run")

    class Planned(Exception):
        pass
    try:
        with EmulatedNodes(2) as nodes:
            names, folder = list(nodes.created), nodes.folder
            raise Planned()
    except Planned:
        pass
    expect_removed(names, folder, "after a failing run")
    print("removed after an exception inside the run")

    # A run killed before its cleanup: the next run (here --cleanup) removes what it left.
    child = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; sys.path.insert(0, sys.argv[1]); import emulated_nodes\n"
         "with emulated_nodes.EmulatedNodes(2) as n:\n"
         "    print(n.folder, *n.created, flush=True); time.sleep(600)", str(HERE)],
        stdout=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline().split()
    finally:
        child.kill()
        child.wait()
    if len(line) != 4:
        fail(f"the child run did not report its nodes: {line}")
    folder, names = line[0], line[1:]
    if not set(names) <= netns_listing() or not os.path.isdir(folder):
        fail(f"a killed run's nodes should still be there before cleanup: {names}, {folder}")
    subprocess.run([sys.executable, str(HERE / "emulated_nodes.py"), "--cleanup"], check=True)
    expect_removed(names, folder, "after kill -9 and --cleanup")
    print(f"a killed run's {len(names)} namespaces and folder removed by --cleanup")


def check_schedules(opts):
    # 3000017 samples in chunks of 1000: the last chunk is short.
    base = [opts.pi, "--samples", "3000017", "--seed", "12345", "--chunk-size", "1000"]
    where, proc = run_here(1, base + ["--schedule", "static"])
    reference = fields(where, proc, ["estimate", "hits"])
    with EmulatedNodes(3) as nodes:
        for np in (2, 3, 4, 6):
            where, proc = run_on_nodes(nodes, np, base + ["--schedule", opts.schedule])
            got = fields(where, proc, ["estimate", "hits", "ranks"])
            if got["ranks"] != str(np):
                fail(f"asked for {np} ranks, pi reports {got['ranks']}: {where}")
            for key in ("estimate", "hits"):
                if got[key] != reference[key]:
                    fail(f"{key} {got[key]} at {np} ranks on {min(np, 3)} nodes "
                         f"({opts.schedule}) differs from {reference[key]} at 1 rank: {where}")
            print(f"np {np} on {min(np, 3)} nodes, {opts.schedule}: estimate {got['estimate']} "
                  f"hits {got['hits']} (same as 1 rank)")


def write_corpus(folder):
    """Three files of pseudo-random words in mixed case between punctuation, digits, UTF-8 and
    blank lines, one line longer than a split; returns their paths."""
    rng = random.Random(11)
    stems = ["node", "Rank", "chunk", "MPI", "tcp", "bridge", "veth", "quorum", "x", "Ünï"]
    syllables = ["ka", "Lo", "mi", "ne", "RU", "sa", "ti", "vo", "ze", "qua"]
    paths = []
    for n in range(3):
        # Thousands of distinct words (many keys to send between nodes), a few very common.
        words = [rng.choice(stems) + rng.choice(["", "s", "ed", "ing", "7", "-a"])
                 if rng.random() < 0.3 else
                 "".join(rng.choice(syllables) for _ in range(rng.randint(1, 4)))
                 for _ in range(20000 + 7000 * n)]
        text = []
        for i, word in enumerate(words):
            text.append(word)
            text.append(rng.choice([" ", " ", ", ", ".\n", "\n\n", "\t", "  "]))
            if i == 5000:
                text.append(" ".join(words[:3000]) + "\n")  # a line of ~20 kB
        path = os.path.join(folder, f"part{n}.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write("".join(text))
        paths.append(path)
    return paths


def python_counts(paths):
    """Words as wordcount defines them: maximal runs of ASCII letters, lowercased."""
    counts = collections.Counter()
    for path in paths:
        with open(path, "rb") as f:
            counts.update(word.lower() for word in re.findall(rb"[A-Za-z]+", f.read()))
    return b"".join(w + b"\t" + str(n).encode() + b"\n" for w, n in sorted(counts.items()))


def check_wordcount(opts):
    with tempfile.TemporaryDirectory(prefix="mpimr-cluster-wc-") as folder:
        inputs = write_corpus(folder)
        expected = python_counts(inputs)
        with EmulatedNodes(3) as nodes:
            for np in (2, 3, 4, 6):
                out = os.path.join(folder, f"counts-{np}.tsv")
                where, proc = run_on_nodes(nodes, np, [
                    opts.wordcount, "--output", out, "--split-bytes", "4096",
                    "--shuffle-bytes", "4096", "--schedule", opts.schedule, *inputs], text=False)
                if proc.returncode != 0:
                    fail(f"exit code {proc.returncode}: {where}\n{proc.stderr.decode()}")
                with open(out, "rb") as f:
                    got = f.read()
                if got != expected:
                    fail(f"counts differ from Python's ({len(got)} vs {len(expected)} bytes): "
                         f"{where}")
                print(f"np {np} on {min(np, 3)} nodes, {opts.schedule}: "
                      f"{len(expected.splitlines())} words, counts equal Python's")


def child_named(parent, name):
    """The pid of `parent`'s child called `name` (mpirun under timeout), or None."""
    for entry in os.listdir("/proc"):
        stat = fault_test.proc_stat(int(entry)) if entry.isdigit() else None
        if stat is None or stat[0] != name:
            continue
        with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as f:
            ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        if ppid == parent:
            return int(entry)
    return None


def checkpoint_job(opts, folder):
    """The app's long job as (arguments, {out} standing for its output file; journal bytes to
    wait for before the signal; its result from (stdout, output file), None when it has none)."""
    if opts.app == "pi":
        def pi_result(stdout, _out):
            got = checkpoint_test.fields(stdout)
            return (got["estimate"], got["hits"]) if "estimate" in got else None
        return [opts.pi, "--samples", "3e8", "--seed", "7"], 2000, pi_result

    def counts(_stdout, out):
        if not os.path.exists(out):
            return None
        with open(out, "rb") as f:
            return f.read()
    # 32 MiB in 8 KiB splits: 4096 chunks of journaled (word, count) pairs.
    corpus = checkpoint_test.wordcount_corpus(os.path.join(folder, "out"), 32)
    return ([opts.wordcount, corpus, "--split-bytes", "8192", "--output", "{out}"], 100000,
            counts)


def check_checkpoint(opts):
    with tempfile.TemporaryDirectory(prefix="mpimr-cluster-ckpt-") as folder:
        args, min_bytes, result = checkpoint_job(opts, folder)

        def with_out(out):
            return [out if arg == "{out}" else arg for arg in args]
        where, proc = run_here(2, with_out(os.path.join(folder, "reference")))
        reference = result(proc.stdout, os.path.join(folder, "reference"))
        if proc.returncode != 0 or reference is None:
            fail(f"exit code {proc.returncode}, no result: {where}\n{proc.stderr}")
        journal, out = os.path.join(folder, "journal"), os.path.join(folder, "resumed")
        args = with_out(out) + ["--checkpoint", journal]
        with EmulatedNodes(3) as nodes:
            # 4 ranks filling node 0's and node 1's 2 slots each (--map-by slot).
            cmd = nodes.mpirun_command(["-np", "4", "--map-by", "slot", "-q", *args],
                                       RUN_TIMEOUT)
            where = shlex.join(cmd)
            job = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
            try:
                deadline = time.monotonic() + checkpoint_test.RECORD_DEADLINE
                while checkpoint_test.bytes_past_headers(journal, set()) < min_bytes:
                    if time.monotonic() > deadline or job.poll() is not None:
                        fail(f"the journal did not grow (exit code {job.poll()}): {where}")
                    time.sleep(0.02)
                mpirun = child_named(job.pid, "mpirun")
                if mpirun is None:
                    fail(f"no mpirun under {job.pid}: {where}")
                os.kill(mpirun, signal.SIGUSR1)
                stdout, stderr = job.communicate(timeout=RUN_TIMEOUT)
            finally:
                if job.poll() is None:
                    job.kill()
                    job.wait()
            saved, _ = checkpoint_test.saved_records(journal)
            print(f"{opts.app} np 4 on 2 nodes, SIGUSR1 to mpirun: exit code {job.returncode}, "
                  f"{len(saved)} chunks saved; stderr: {stderr.strip()}")
            if job.returncode != 75 or result(stdout, out) is not None:
                fail(f"exit code {job.returncode} (expected 75, no result): {where}\n{stdout}"
                     f"{stderr}")
            if not saved:
                fail(f"no chunk in the journal after the interruption: {where}")
            where, proc = run_on_nodes(nodes, 6, args)
            if proc.returncode != 0:
                fail(f"exit code {proc.returncode}: {where}\n{proc.stdout}{proc.stderr}")
            resumed = checkpoint_test.resumed_chunks(proc.stdout, where)
            if result(proc.stdout, out) != reference:
                fail(f"the resumed run's result differs from an uninterrupted one's (2 ranks "
                     f"here): {where}")
            if resumed != len(saved):
                fail(f"resumed {resumed} chunks, the journal held {len(saved)}: {where}")
            if os.path.exists(journal):
                fail(f"the journal {journal} is still there after success: {where}")
            print(f"{opts.app} np 6 on 3 nodes: resumed {resumed} chunks, the result of an "
                  f"uninterrupted run")


def check_kill_node(opts):
    np, victim_node = 6, 2 if opts.operation == "reduce" else 1
    with tempfile.TemporaryDirectory(prefix="mpimr-cluster-kill-") as folder, \
            EmulatedNodes(3) as nodes:
        cmd = nodes.mpirun_command(["-np", str(np), "--map-by", "node", opts.victim,
                                    "--operation", opts.operation], RUN_TIMEOUT)
        job = fault_test.Job(cmd, folder)
        try:
            pids = job.wait_underway(np)
            # --map-by node: rank r runs on node r mod 3.
            on_node = set(nodes.processes(victim_node))
            expected = {pids[r] for r in range(np) if r % 3 == victim_node}
            if not expected <= on_node:
                fail(f"ranks {sorted(expected)} are not all on node {victim_node} "
                     f"({sorted(on_node)}): {job.where}")
            killed = nodes.kill_node(victim_node)
            job.expect_failed_end(f"np {np} {opts.operation} on 3 nodes, SIGKILL to the "
                                  f"{len(killed)} processes of node {victim_node} (its daemon "
                                  f"and ranks {sorted(r for r in range(np) if r % 3 == victim_node)})")
            if any(line.startswith(("sum ", "keys ")) for line in job.stdout):
                fail(f"the job completed: the fault came too late to test anything: {job.where}")
            # The other nodes' daemons and ranks go with mpirun.
            deadline = time.monotonic() + 10
            while any(nodes.processes(i) for i in range(3)):
                if time.monotonic() > deadline:
                    left = {i: nodes.processes(i) for i in range(3)}
                    fail(f"processes left on the nodes 10 s after mpirun ended: {left}")
                time.sleep(0.05)
            print("no process left on any node")
        finally:
            job.kill_everything()


def ranks_left(pids):
    """Ranks (pid -> start time) still alive, zombies aside."""
    return sorted(pid for pid, start in pids.items()
                  if (stat := fault_test.proc_stat(pid)) is not None and stat[1] != "Z"
                  and stat[3] == start)


def check_cut_link(opts):
    """The link of one node cut mid-run, with a stall limit: rank 0 names exactly the ranks of
    that node, every rank on every node ends by itself, and mpirun exits non-zero, at the latest
    through its time limit: Open MPI's mpirun waits for the unreachable daemon (it did not end by
    itself in our runs), which is why every mpirun runs under timeout -k."""
    np, cut, limit_s, run_limit_s = 6, 2, 2, 25
    with tempfile.TemporaryDirectory(prefix="mpimr-cluster-cut-") as folder, \
            EmulatedNodes(3) as nodes:
        cmd = nodes.mpirun_command(["-np", str(np), "--map-by", "node",
                                    "-x", f"MPIMR_STALL_LIMIT={limit_s}", opts.victim],
                                   run_limit_s)
        job = fault_test.Job(cmd, folder)
        try:
            pids = job.wait_underway(np)
            ranks = {pid: job.starts[pid] for pid in pids.values() if pid in job.starts}
            cut_off = sorted(r for r in range(np) if r % 3 == cut)
            cut_at = time.monotonic()
            subprocess.run(["ip", "-n", nodes.switch, "link", "set", f"p{cut}", "down"],
                           check=True)
            while left := ranks_left(ranks):
                if time.monotonic() > cut_at + fault_test.END_LIMIT_S:
                    fail(f"ranks {left} still run {fault_test.END_LIMIT_S} s after the cut: "
                         f"{job.where}\n" + "\n".join(job.stderr))
                time.sleep(0.05)
            ranks_end = time.monotonic() - cut_at
            if job.proc.poll() is not None:
                fail(f"mpirun ended (exit code {job.proc.returncode}) before the ranks: they did "
                     f"not end by themselves: {job.where}\n" + "\n".join(job.stderr))
            try:
                code = job.proc.wait(timeout=run_limit_s + 30)
            except subprocess.TimeoutExpired:
                fail(f"mpirun outlived its time limit: {job.where}")
            mpirun_end = time.monotonic() - cut_at
            for reader in job.readers:
                reader.join(timeout=5)
            named = set()
            for match in filter(None, map(fault_test.STALL_LINE.match, job.stderr)):
                for part in match.group(2).replace(" ", "").split(","):
                    first, _, last = part.partition("-")
                    named.update(range(int(first), int(last or first) + 1))
            print(f"np {np} on 3 nodes, stall limit {limit_s} s, link of node {cut} cut: every "
                  f"rank gone {ranks_end:.2f} s later, mpirun exit code {code} after "
                  f"{mpirun_end:.2f} s (time limit {run_limit_s} s from its start); rank 0 named "
                  f"ranks {sorted(named)}; left on node {cut}: {nodes.processes(cut)}")
            if code == 0:
                fail(f"exit code 0 after the cut: {job.where}")
            if named != set(cut_off):
                fail(f"the stall lines name ranks {sorted(named)}, not those of node {cut} "
                     f"{cut_off}: {job.where}\n" + "\n".join(job.stderr))
        finally:
            job.kill_everything()


def check_balance(opts):
    chunks = 60
    with EmulatedNodes(3) as nodes:
        for np in (3, 6):
            with tempfile.TemporaryDirectory(prefix="mpimr-cluster-balance-") as done:
                where, proc = run_on_nodes(nodes, np, [opts.probe, "--done-dir", done,
                                                       "--chunks", str(chunks)])
                if proc.returncode != 0:
                    fail(f"exit code {proc.returncode}: {where}\n{proc.stdout}{proc.stderr}")
                lines = proc.stdout.splitlines()
                ranks = {}
                for line in lines:
                    match = re.fullmatch(r"rank (\d+) host (\S+) chunks (\d+)", line)
                    if match:
                        ranks[int(match[1])] = (match[2], int(match[3]))
                if "nodes 3" not in lines or "rank0_waited yes" not in lines:
                    fail(f"expected 'nodes 3' and 'rank0_waited yes': {where}\n{proc.stdout}")
                if sorted(ranks) != list(range(np)):
                    fail(f"expected a line per rank: {where}\n{proc.stdout}")
                for rank, (host, taken) in ranks.items():
                    if host != nodes.names[rank % 3]:
                        fail(f"rank {rank} ran on {host}, not {nodes.names[rank % 3]}: {where}")
                    if (rank == 0 and taken != 1) or (rank != 0 and taken == 0):
                        fail(f"rank {rank} ran {taken} chunks: {where}\n{proc.stdout}")
                if sum(taken for _, taken in ranks.values()) != chunks:
                    fail(f"the chunks taken do not add up to {chunks}: {where}\n{proc.stdout}")
                spread = ", ".join(f"rank {r} ({h}) {t}" for r, (h, t) in sorted(ranks.items()))
                print(f"np {np} on 3 nodes: while rank 0 was in one chunk: {spread}")


def check_shared_array(opts):
    """mpimr::shared_array across 2 nodes: its own test program (one maker per node, each node's
    shares covering its array once), and kmeans, whose points are one, generated in parallel per
    node or read from a CSV file once per node: its centroids equal a 1-rank run's, byte for
    byte."""
    with tempfile.TemporaryDirectory(prefix="mpimr-shared-") as folder, EmulatedNodes(2) as nodes:
        where, proc = run_on_nodes(nodes, 4, [opts.shared_test])
        if proc.returncode != 0 or "PASSED" not in proc.stdout:
            fail(f"exit code {proc.returncode}: {where}\n{proc.stdout}{proc.stderr}")
        print(f"{opts.shared_test} at 4 ranks on 2 nodes: passed")
        points = os.path.join(folder, "points.csv")
        base = ["-k", "5", "--seed", "7"]
        generated = ["--generate", "20000", "--dims", "3", "--blobs", "5"]

        def centroids(run, np, inputs, name):
            out = os.path.join(folder, name)
            where, proc = run(np, [opts.kmeans, *base, *inputs, "--centroids", out])
            fields(where, proc, ["points"])
            return Path(out).read_bytes(), where

        where, proc = run_here(1, [opts.kmeans, *base, *generated, "--write-points", points])
        fields(where, proc, ["points"])
        for inputs, what in ((generated, "generated"), ([points], "read from CSV")):
            want, _ = centroids(run_here, 1, inputs, "reference.csv")
            got, where = centroids(lambda np, args: run_on_nodes(nodes, np, args), 4, inputs,
                                   "nodes.csv")
            if got != want:
                fail(f"kmeans centroids ({what}) at 4 ranks on 2 nodes differ from 1 rank's: "
                     f"{where}\n{got.decode()}\nvs\n{want.decode()}")
            print(f"kmeans, points {what}, at 4 ranks on 2 nodes: the centroids of 1 rank")
        # pagerank: the graph and both rank vectors are shared arrays; the node leaders exchange
        # their nodes' rows every iteration (static blocks, and dynamic chunks scattered over
        # ranks and nodes), and with --shared-weights-from 0 each node refills its own vector of
        # weighted ranks. Its ranks are the same bits at every rank count.
        graph = ["--rmat-scale", "12", "--seed", "3", "--top", "3"]
        want_ranks = None
        for np, schedule, weights in ((1, "static", "0"), (4, "static", "0"),
                                      (4, "adaptive", "100000000"), (3, "dynamic", "0")):
            out = os.path.join(folder, f"ranks{np}-{schedule}.csv")
            run = run_here if np == 1 else (lambda n, a: run_on_nodes(nodes, n, a))
            where, proc = run(np, [opts.pagerank, *graph, "--schedule", schedule,
                                   "--chunk-size", "37", "--shared-weights-from", weights,
                                   "--output", out])
            fields(where, proc, ["iterations"])
            got = Path(out).read_bytes()
            if want_ranks is None:
                want_ranks = got
            elif got != want_ranks:
                fail(f"pagerank ranks at {np} ranks on 2 nodes ({schedule}) differ from 1 rank's: "
                     f"{where}")
            else:
                print(f"pagerank, {schedule}, shared weights from {weights}, at {np} ranks on 2 "
                      "nodes: the ranks of 1 rank")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("check", choices=["fixture", "schedules", "wordcount", "checkpoint",
                                          "kill_node", "cut_link", "balance", "shared_array"])
    parser.add_argument("--schedule", default="dynamic")
    parser.add_argument("--operation", choices=["reduce", "by_key"], default="reduce")
    parser.add_argument("--app", choices=["pi", "wordcount"], default="pi")
    for program in ("pi", "wordcount", "victim", "probe", "kmeans", "pagerank", "shared-test"):
        parser.add_argument(f"--{program}", required=True)
    opts = parser.parse_args()
    exit_on_signals()
    if reason := missing_prerequisite():
        print(f"SKIPPED: {reason}")
        sys.exit(SKIP)
    try:
        globals()[f"check_{opts.check}"](opts)
    except Unavailable as e:
        print(f"SKIPPED: {e}")
        sys.exit(SKIP)


if __name__ == "__main__":
    main()
