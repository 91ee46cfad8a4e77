#!/usr/bin/env bash
# Memory per node of apps/kmeans and apps/pagerank, whose inputs (the points; the link graph) are
# mpimr::shared_array (one copy per node), at 1, 2 and 4 ranks on this node: the peak sum of the
# ranks' PSS (proportional set size: a shared page counts once in the sum; benchmarks/node_pss.py)
# and the same for RSS (which counts it once per rank). The figure of merit is the node's growth,
# PSS at the most ranks / PSS at 1 rank: about the rank count when every rank holds its own copy
# of the input, near 1 when the node holds one.
# With BASELINE_BUILD=DIR the same runs of DIR's apps (e.g. a build from before shared_array) are
# measured in the same run, side by side.
# Prints a table, then `RESULT name value (target op t) ok|MISSED` lines (as run_benchmarks.sh).
# Usage: benchmarks/run_node_memory_benchmark.sh [BUILD_DIR]   (default build/release)
# Env: MEM_RANKS ("1 2 4"), MEM_KMEANS ("--generate 2000000 --dims 8 -k 8 --max-iterations 5":
#      122 MiB of points), MEM_PAGERANK ("--rmat-scale 20 --max-iterations 10": 16.8M edges),
#      BASELINE_BUILD.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$MPIMR_ROOT"

build=${1:-build/release}
ranks_list=${MEM_RANKS:-"1 2 4"}
declare -A app_args=(
  [kmeans]=${MEM_KMEANS:-"--generate 2000000 --dims 8 -k 8 --max-iterations 5"}
  [pagerank]=${MEM_PAGERANK:-"--rmat-scale 20 --max-iterations 10"}
)
for app in kmeans pagerank; do
  [[ -x $build/apps/$app ]] || { mpimr_log "no $build/apps/$app: build it first"; exit 2; }
done
read -ra mpirun_flags <<<"$(mpimr_mpirun_flags)"

# measure APP_PATH RANKS ARGS... -> "pss rss" in MiB
measure() {
  local app=$1 np=$2
  shift 2
  timeout -k 10 600 python3 benchmarks/node_pss.py "$(basename "$app")" -- \
    mpirun "${mpirun_flags[@]}" --oversubscribe -np "$np" "$app" "$@" 2>&1 >/dev/null |
    awk '/^pss_mib/ { print $2, $4 }'
}

builds=("$build")
[[ -n ${BASELINE_BUILD:-} ]] && builds+=("$BASELINE_BUILD")
printf '%-9s %-10s %5s %10s %10s %8s\n' app build ranks pss_mib rss_mib growth
results=()
for app in kmeans pagerank; do
  read -ra args <<<"${app_args[$app]}"
  for b in "${builds[@]}"; do
    first=""
    for np in $ranks_list; do
      read -r pss rss < <(measure "$b/apps/$app" "$np" "${args[@]}")
      [[ -z $first ]] && first=$pss
      growth=$(awk -v p="$pss" -v f="$first" 'BEGIN { printf "%.2f", p / f }')
      printf '%-9s %-10s %5s %10s %10s %8s\n' "$app" "$(basename "$b")" "$np" "$pss" "$rss" "$growth"
    done
    [[ $b == "$build" ]] && results+=("$app $growth $np")
  done
done
# Target: the node's memory grows by less than half from 1 rank to the most (private copies
# multiply it by about the rank count).
for r in "${results[@]}"; do
  read -r app growth np <<<"$r"
  awk -v a="$app" -v g="$growth" -v n="$np" 'BEGIN {
    printf "RESULT %s_node_memory_growth_1_to_%s_ranks %s (target < 1.5) %s\n", a, n, g,
      (g < 1.5 ? "ok" : "MISSED") }'
done
