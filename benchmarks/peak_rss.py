#!/usr/bin/env python3
"""Runs one command and records its peak resident memory (max RSS) and run time, per MPI rank.

Usage: mpirun -np N python3 benchmarks/peak_rss.py OUT_DIR PROGRAM [ARGS...]
Each rank runs PROGRAM as its child, waits for it, and writes one line "KIB SECONDS" to
OUT_DIR/rank<R>.txt: the child's max RSS in KiB (getrusage(RUSAGE_CHILDREN): the child alone, not
this wrapper) and its wall time from start to exit (so without mpirun's and Python's start-up).
R is the rank from the launcher's environment (Open MPI, MPICH/PMI, Slurm; 0 without a launcher).
The exit status is the child's, so a failing rank still fails the run.
"""
import os
import resource
import subprocess
import sys
import time


def rank() -> int:
    for name in ("OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK", "SLURM_PROCID"):
        if os.environ.get(name, "").isdigit():
            return int(os.environ[name])
    return 0


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    out_dir, command = sys.argv[1], sys.argv[2:]
    start = time.monotonic()
    status = subprocess.call(command)
    seconds = time.monotonic() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, f"rank{rank()}.txt"), "w", encoding="ascii") as f:
        f.write(f"{peak_kib} {seconds:.4f}\n")
    # A child killed by a signal reports -signal; turn it into the shell's 128 + signal.
    return status if status >= 0 else 128 - status


if __name__ == "__main__":
    sys.exit(main())
