#!/usr/bin/env python3
"""Runs a command (an mpirun line) and records the peak memory of the node's ranks together: the
largest sum, over one sampling instant, of the proportional set size (PSS) of every process named
NAME below it, and the same for RSS. PSS divides each shared page among the processes that map it,
so the sum counts a node-shared array once; RSS counts it once per rank.

Usage: node_pss.py NAME -- COMMAND...
Prints one line on stderr, apart from the command's output: "pss_mib P rss_mib R ranks N" (N: the
most processes seen at once). The exit status is the command's. Linux only (/proc/PID/smaps_rollup).
"""
import os
import subprocess
import sys
import time

INTERVAL = 0.02  # seconds between samples: the steady state of a run lasts far longer


def children_of(pids):
    """Every process whose parent is in `pids`, recursively."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    # The name may hold spaces and parentheses: the parent id follows the last ')'.
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    found, frontier = set(), set(pids)
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def memory_kib(pid):
    """(Pss, Rss) of `pid` in KiB, or None when it is gone."""
    values = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("Pss", "Rss"):
                    values[key] = int(rest.split()[0])
    except (OSError, ValueError):
        return None
    return values.get("Pss", 0), values.get("Rss", 0)


def name_of(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return None


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    name, command = sys.argv[1][:15], sys.argv[3:]  # comm holds at most 15 characters
    proc = subprocess.Popen(command)
    peak_pss = peak_rss = most = 0
    while proc.poll() is None:
        ranks = [pid for pid in children_of({proc.pid}) if name_of(pid) == name]
        samples = [m for m in map(memory_kib, ranks) if m is not None]
        peak_pss = max(peak_pss, sum(p for p, _ in samples))
        peak_rss = max(peak_rss, sum(r for _, r in samples))
        most = max(most, len(samples))
        time.sleep(INTERVAL)
    print(f"pss_mib {peak_pss / 1024:.1f} rss_mib {peak_rss / 1024:.1f} ranks {most}",
          file=sys.stderr)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
