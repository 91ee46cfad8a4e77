#!/usr/bin/env bash
# Throughput of apps/farm on trivial tasks: FARM_TASKS lines of `true`, run by the farm at 1, 2 and
# 4 ranks (4 oversubscribed on 2 cores) and at 2 ranks x --per-rank 2, and by `xargs -P2` and GNU
# parallel -j2 on the same task list in the same run. Every runner starts each line through
# /bin/sh -c, as the farm does (xargs: -I{} sh -c {}); the farm also writes each task's stdout and
# stderr files and the results table. Prints tasks/s per runner (the farm's both with mpirun's
# start-up and as its own summary times it), then `RESULT farm_vs_xargs_2ranks RATIO (target >= 1)
# ok|MISSED` (as run_benchmarks.sh) and the same by the farm's own time.
# Usage: benchmarks/run_farm_benchmark.sh [BUILD_DIR]   (default build/release; build farm first)
# Env: FARM_TASKS (2000), FARM_RANKS ("1 2 4"), FARM_TIMEOUT (600 s per run).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$MPIMR_ROOT"

build=${1:-build/release}
tasks=${FARM_TASKS:-2000}
read -r -a rank_counts <<<"${FARM_RANKS:-1 2 4}"
limit=${FARM_TIMEOUT:-600}
farm=$build/apps/farm
[[ -x $farm ]] || { mpimr_log "missing $farm: build $build first"; exit 1; }
command -v parallel >/dev/null || { mpimr_log "GNU parallel is missing (apt-get install parallel)"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/mpimr-farm.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tmp"
for ((i = 0; i < tasks; i++)); do echo true; done >"$work/tasks.txt"
echo "farm benchmark: $tasks tasks of 'true'; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-28s %10s %12s %14s\n' runner seconds "tasks/s" "tasks/s (own)"

now() { date +%s.%N; }
rate() { awk -v n="$tasks" -v s="$1" 'BEGIN { printf "%.0f", n / s }'; }

# timed NAME COMMAND...: runs COMMAND, prints its row and sets `last_rate`.
last_rate=0 last_own=0
timed() {
  local name=$1 start end seconds
  shift
  start=$(now)
  timeout -k 10 "$limit" "$@" >/dev/null
  end=$(now)
  seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
  last_rate=$(rate "$seconds")
  printf '%-28s %10s %12s %14s\n' "$name" "$seconds" "$last_rate" "-"
}

# farm_run NP [OPTIONS...]: one farm run; its row shows the rate with mpirun's start-up and the
# rate by the farm's own summary time (tasks only). Sets `last_rate` to the former.
farm_run() {
  local np=$1 start end seconds own
  shift
  rm -rf "$work/out"
  start=$(now)
  # shellcheck disable=SC2046  # the flags are single words, split on purpose
  TMPDIR=$work/tmp timeout -k 10 "$limit" mpirun -np "$np" $(mpimr_mpirun_flags "$np") \
    --bind-to none "$farm" "$work/tasks.txt" -o "$work/out" "$@" >"$work/summary"
  end=$(now)
  seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
  own=$(sed -n 's/.* at once, \([0-9.]*\) s:.*/\1/p' "$work/summary")
  last_rate=$(rate "$seconds")
  last_own=$(rate "$own")
  printf '%-28s %10s %12s %14s\n' "farm $np rank(s) $*" "$seconds" "$last_rate" "$last_own"
}

timed "xargs -P2 sh -c" xargs -P2 -I{} sh -c {} <"$work/tasks.txt"
xargs_rate=$last_rate
timed "parallel -j2" parallel --will-cite -j2 <"$work/tasks.txt"
farm_2=0 farm_2_own=0
for np in "${rank_counts[@]}"; do
  farm_run "$np"
  if ((np == 2)); then farm_2=$last_rate farm_2_own=$last_own; fi
done
farm_run 2 --per-rank 2
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
# Two ratios at 2 ranks: with mpirun's start-up in the farm's time (the target), and by the farm's
# own summary time (the steady rate, which longer task lists approach).
result() {
  local ratio verdict
  ratio=$(awk -v a="$2" -v b="$xargs_rate" 'BEGIN { printf "%.2f", a / b }')
  verdict=$(awk -v r="$ratio" 'BEGIN { print (r >= 1 ? "ok" : "MISSED") }')
  echo "RESULT $1 $ratio (target >= 1) $verdict"
}
if ((farm_2 > 0)); then
  result farm_vs_xargs_2ranks "$farm_2"
  result farm_own_vs_xargs_2ranks "$farm_2_own"
fi
