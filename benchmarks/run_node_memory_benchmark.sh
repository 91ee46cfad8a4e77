#!/usr/bin/env bash
# Memory per node of apps/kmeans, whose points are an mpimr::shared_array (one copy per node), at
# 1, 2 and 4 ranks on this node: the peak sum of the ranks' PSS (proportional set size: a shared
# page counts once in the sum; benchmarks/node_pss.py), and the same for RSS (counts it per rank).
# The figure of merit is the memory each added rank costs, as a fraction of one copy of the points:
#   added_per_rank = (PSS(ranks) - PSS(1)) / (ranks - 1) / point bytes
# which is 1 or more when every rank holds its own copy, and what the rest of a rank costs
# (MPI, buffers, its share of the results) when the copy is shared.
# With BASELINE_BUILD=DIR the same runs of DIR/apps/kmeans (e.g. a build from before
# shared_array) are measured in the same run, side by side.
# Prints a table, then `RESULT name value (target op t) ok|MISSED` lines (as run_benchmarks.sh).
# Usage: benchmarks/run_node_memory_benchmark.sh [BUILD_DIR]   (default build/release)
# Env: MEM_POINTS (2000000), MEM_DIMS (8), MEM_RANKS ("1 2 4"), BASELINE_BUILD.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$MPIMR_ROOT"

build=${1:-build/release}
points=${MEM_POINTS:-2000000} dims=${MEM_DIMS:-8} ranks_list=${MEM_RANKS:-"1 2 4"}
[[ -x $build/apps/kmeans ]] || { mpimr_log "no $build/apps/kmeans: build it first"; exit 2; }
read -ra mpirun_flags <<<"$(mpimr_mpirun_flags)"
point_mib=$(awk -v n="$points" -v d="$dims" 'BEGIN { printf "%.1f", n * d * 8 / 1048576 }')

# measure BINARY RANKS -> "pss rss" in MiB
measure() {
  timeout -k 10 600 python3 benchmarks/node_pss.py kmeans -- \
    mpirun "${mpirun_flags[@]}" --oversubscribe -np "$2" "$1" --generate "$points" \
    --dims "$dims" -k 8 --max-iterations 5 --seed 1 2>&1 >/dev/null |
    awk '/^pss_mib/ { print $2, $4 }'
}

printf '%-10s %5s %10s %10s %16s\n' build ranks pss_mib rss_mib added_per_rank
builds=("$build")
[[ -n ${BASELINE_BUILD:-} ]] && builds+=("$BASELINE_BUILD")
declare -A added
for b in "${builds[@]}"; do
  first_pss=""
  for np in $ranks_list; do
    read -r pss rss < <(measure "$b/apps/kmeans" "$np")
    [[ -z $first_pss ]] && first_pss=$pss
    share=-
    if ((np > 1)); then
      share=$(awk -v p="$pss" -v f="$first_pss" -v r="$np" -v m="$point_mib" \
        'BEGIN { printf "%.2f", (p - f) / (r - 1) / m }')
      added[$b]=$share
    fi
    printf '%-10s %5s %10s %10s %16s\n' "$(basename "$b")" "$np" "$pss" "$rss" "$share"
  done
done
echo "points: $points x $dims doubles = $point_mib MiB per copy"
# Target: an added rank costs less than half a copy of the points (a private copy costs >= 1).
awk -v v="${added[$build]}" 'BEGIN { printf "RESULT kmeans_added_memory_per_rank %s (target < 0.5) %s\n", v, (v < 0.5 ? "ok" : "MISSED") }'
