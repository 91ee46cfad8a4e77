#!/usr/bin/env bash
# Load: many chunks on many ranks, and memory that must not grow with the number of chunks. Runs
# bench_load (one operation over CHUNKS one-index chunks with a trivial body, checked against its
# closed form) for each kind at each chunk count, at 2 ranks and at 16 ranks oversubscribed
# (--oversubscribe --bind-to none), every rank wrapped by peak_rss.py. Prints a table of time and
# peak RSS per rank, then RSS growth between the last two chunk counts: a `RESULT name value
# (target op t) ok|MISSED` line (as run_benchmarks.sh) for every kind that keeps nothing per chunk,
# and for the deterministic reduce on the dynamic schedule, which must keep partials whose sibling
# ran on another rank, the bytes per chunk it kept.
# Usage: benchmarks/run_load_benchmark.sh [BUILD_DIR]   (default build/release; build it first)
# Env: LOAD_CHUNKS ("1e5 1e6 1e7"), LOAD_RANKS ("2 16"), LOAD_KINDS (all of bench_load's:
#      "reduce for_each map_reduce_by_key reduce_det_static reduce_det"), LOAD_TIMEOUT (300 s per
#      launch), LOAD_GROWTH_MIB (1: the target for growth per rank).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$MPIMR_ROOT"

build=${1:-build/release}
read -r -a chunk_counts <<<"${LOAD_CHUNKS:-1e5 1e6 1e7}"
read -r -a rank_counts <<<"${LOAD_RANKS:-2 16}"
read -r -a kinds <<<"${LOAD_KINDS:-reduce for_each map_reduce_by_key reduce_det_static reduce_det}"
limit=${LOAD_TIMEOUT:-300}
target=${LOAD_GROWTH_MIB:-1}
bench=$build/benchmarks/bench_load
peak_rss=$MPIMR_ROOT/benchmarks/peak_rss.py
[[ -x $bench ]] || { mpimr_log "missing $bench: build $build first"; exit 1; }
((${#chunk_counts[@]} >= 2)) || { mpimr_log "LOAD_CHUNKS needs two counts or more"; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/mpimr-load.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tmp"
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
# Open MPI: more ranks than cores, none pinned (so 16 ranks share the cores as the kernel sees fit).
placement=()
[[ "$(mpirun --version 2>&1)" == *"Open MPI"* ]] && placement=(--oversubscribe --bind-to none)

# launch NP KIND CHUNKS: one run; sets `op_seconds` (the operation alone, slowest rank), `seconds`
# (slowest rank, exec to exit), `rss_max` and `rss_min` (KiB, over the ranks) and `rss_sum`.
# Returns 1 when the run took longer than LOAD_TIMEOUT (a result: too slow); a failing run stops
# the script.
op_seconds="" seconds="" rss_max="" rss_min="" rss_sum=""
launch() {
  local np=$1 files status=0
  rm -rf "$work/rss"
  # Open MPI's session folder goes in TMPDIR: a folder of our own, away from concurrent launches.
  # shellcheck disable=SC2046  # the flags are single words, split on purpose
  TMPDIR=$work/tmp timeout "$limit" mpirun -np "$np" \
    $(mpimr_mpirun_flags "$np" | sed 's/--oversubscribe//') "${placement[@]}" \
    python3 "$peak_rss" "$work/rss" "$bench" "$2" "$3" >"$work/out" 2>"$work/stderr" || status=$?
  ((status == 124)) && return 1
  if ((status != 0)); then
    mpimr_log "FAIL: bench_load $2 $3 at $np ranks, exit status $status:"
    cat "$work/stderr" >&2
    exit 1
  fi
  files=("$work"/rss/rank*.txt)
  ((${#files[@]} == np)) || { mpimr_log "FAIL: measures of ${#files[@]} ranks, not $np"; exit 1; }
  op_seconds=$(awk '$1 == "seconds" { print $2 }' "$work/out")
  read -r rss_max rss_min rss_sum seconds < <(cat "${files[@]}" | awk '
    NR == 1 || $1 < lo { lo = $1 } $1 > hi { hi = $1 } $2 > s { s = $2 } { sum += $1 }
    END { printf "%d %d %d %.3f\n", hi, lo, sum, s }')
}

declare -A max=() sum=()
printf '%-18s %5s %10s %9s %9s %12s %12s\n' kind ranks chunks "op s" "run s" "RSS max MiB" \
  "RSS min MiB"
for np in "${rank_counts[@]}"; do
  for kind in "${kinds[@]}"; do
    for n in "${chunk_counts[@]}"; do
      if ! launch "$np" "$kind" "$n"; then
        printf '%-18s %5s %10s %9s\n' "$kind" "$np" "$n" "over ${limit}s: stopped"
        continue
      fi
      max[$kind.$np.$n]=$rss_max sum[$kind.$np.$n]=$rss_sum
      printf '%-18s %5s %10s %9s %9s %12.1f %12.1f\n' "$kind" "$np" "$n" "$op_seconds" \
        "$seconds" "$(awk -v k="$rss_max" 'BEGIN { print k / 1024 }')" \
        "$(awk -v k="$rss_min" 'BEGIN { print k / 1024 }')"
    done
  done
done

# Growth from the next-to-last to the last chunk count: the largest rank's peak RSS, in MiB.
small=${chunk_counts[-2]} large=${chunk_counts[-1]}
echo
echo "=== RSS growth from $small to $large chunks ($(nproc) cores; load average at start" \
  "$load_at_start, at end $(cut -d' ' -f1-3 /proc/loadavg))"
for np in "${rank_counts[@]}"; do
  for kind in "${kinds[@]}"; do
    if [[ -z ${max[$kind.$np.$small]:-} || -z ${max[$kind.$np.$large]:-} ]]; then
      echo "RESULT load_rss_growth_mib_per_rank_${kind}_np$np timeout (target <= $target) MISSED"
      continue
    fi
    growth=$(awk -v a="${max[$kind.$np.$small]}" -v b="${max[$kind.$np.$large]}" \
      'BEGIN { printf "%.2f", (b - a) / 1024 }')
    if [[ $kind == reduce_det ]]; then
      # Partials kept, per chunk: all ranks' growth together, and the largest rank's over its share.
      awk -v a="${sum[$kind.$np.$small]}" -v b="${sum[$kind.$np.$large]}" -v g="$growth" \
        -v s="$small" -v l="$large" -v np="$np" 'BEGIN {
          d = l - s
          printf "INFO load_rss_growth_mib_per_rank_%s_np%d %s\n", "reduce_det", np, g
          printf "INFO load_reduce_det_bytes_per_chunk_np%d %.1f (all ranks together)\n", np,
            (b - a) * 1024 / d
          printf "INFO load_reduce_det_bytes_per_own_chunk_np%d %.1f (largest rank, chunks/ranks)\n",
            np, g * 1048576 / (d / np)
        }'
    else
      verdict=$(awk -v g="$growth" -v t="$target" 'BEGIN { print (g <= t) ? "ok" : "MISSED" }')
      echo "RESULT load_rss_growth_mib_per_rank_${kind}_np$np $growth (target <= $target) $verdict"
    fi
  done
done
