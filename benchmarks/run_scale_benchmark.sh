#!/usr/bin/env bash
# The measured tables of docs/scale.md: how mpimr's operations, its dynamic schedule and its memory
# per rank change with the rank count, on this machine with oversubscribed ranks and across emulated
# nodes (tests/cluster/emulated_nodes.py; needs root, else that part says it is skipped).
# With more ranks than cores the times measure message counts and serialisation (every message
# waits for its receiver to get a core), not the speed of a real cluster; the message counts are
# exact. `uptime` load is printed above each table: other jobs on the machine skew the times.
#
# Tables (benchmarks/bench_scale.cpp does the measuring):
#   ops       per call of each operation over 4 one-index chunks per rank: slowest rank's time,
#             the payload bytes mpimr's run report counted (all ranks), and on emulated nodes the
#             packets and bytes the nodes sent each other (eth0 counters, TCP ACKs included);
#   handout   chunks per second with an empty body per schedule (dynamic: one hand-out per chunk),
#             and with rank 0 asleep 1 ms in each of its chunks (others_chunks_per_s: the rate the
#             dispenser serves the other ranks), on one node (node counter), one node with
#             MPIMR_DISPENSER=service (rank 0's service thread, as between nodes), and on 2-3
#             emulated nodes;
#   memory    node PSS and RSS (benchmarks/node_pss.py) of ranks idle after one reduce, and of ranks
#             in a map_reduce_by_key shuffle, divided by the ranks: memory per rank.
# Usage: benchmarks/run_scale_benchmark.sh [BUILD_DIR]   (default build/release; needs bench_scale)
# Env: SCALE_RANKS ("1 2 4 8 16 32 64"), SCALE_MEM_RANKS ("1 2 4 8 16 32"), SCALE_REPS (50),
#      SCALE_NODE_REPS (20: the 2-node sweep),
#      SCALE_CHUNKS (100000; node counter), SCALE_SERVICE_CHUNKS (20000), SCALE_BYKEY
#      ("1000000 100000": items, keys), SCALE_NODES (1; 0 skips the emulated nodes),
#      SCALE_PARTS ("ops handout nodes memory"), SCALE_TIMEOUT (120 s per mpirun).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$MPIMR_ROOT"

build=${1:-build/release}
bench=$build/benchmarks/bench_scale
[[ -x $bench ]] || { mpimr_log "no $bench: build the target bench_scale first"; exit 2; }
ranks=${SCALE_RANKS:-"1 2 4 8 16 32 64"}
mem_ranks=${SCALE_MEM_RANKS:-"1 2 4 8 16 32"}
reps=${SCALE_REPS:-50}
node_reps=${SCALE_NODE_REPS:-20}
chunks=${SCALE_CHUNKS:-100000}
service_chunks=${SCALE_SERVICE_CHUNKS:-20000}
read -r bykey_items bykey_keys <<<"${SCALE_BYKEY:-"1000000 100000"}"
parts=${SCALE_PARTS:-"ops handout nodes memory"}
limit=${SCALE_TIMEOUT:-120}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

local_mpirun() { timeout -k 5 "$limit" mpirun --oversubscribe --bind-to none -q "$@"; }

# ROW lines (`ROW kind key=value ...`) on stdin -> aligned columns under one header.
table() {
  awk '$1 == "ROW" {
    n++; nf = NF
    for (i = 3; i <= NF; i++) {
      split($i, kv, "="); key[i] = kv[1]; val[n, i] = kv[2]
      if (length(kv[1]) > w[i]) w[i] = length(kv[1])
      if (length(kv[2]) > w[i]) w[i] = length(kv[2])
    }
  }
  END {
    if (n == 0) { print "(no rows)"; exit }
    for (i = 3; i <= nf; i++) printf("%-" w[i] "s ", key[i]); print ""
    for (r = 1; r <= n; r++) { for (i = 3; i <= nf; i++) printf("%-" w[i] "s ", val[r, i]); print "" }
  }'
}
heading() { printf '\n== %s\n# %s\n' "$1" "$(uptime | sed 's/.*load average/load average/')"; }
wants() { [[ " $parts " == *" $1 "* ]]; }

if wants ops; then
  heading "ops: one node, $reps calls per operation (bench_scale ops $reps)"
  for np in $ranks; do
    local_mpirun -np "$np" "$bench" ops "$reps"
  done | table
fi

if wants handout; then
  heading "handout: one node, node counter, $chunks one-index chunks (bench_scale handout)"
  for np in $ranks; do local_mpirun -np "$np" "$bench" handout "$chunks" 3; done | table
  heading "handout: one node, MPIMR_DISPENSER=service, $service_chunks chunks"
  for np in $ranks; do
    [[ $np == 1 ]] && continue  # one rank never uses the service
    MPIMR_DISPENSER=service local_mpirun -x MPIMR_DISPENSER -np "$np" "$bench" handout \
      "$service_chunks" 3
  done | table
fi

# on_nodes NODES SLOTS ARGS...: bench_scale ARGS on emulated nodes, ranks round-robin over them.
on_nodes() {
  local nodes=$1 slots=$2
  shift 2
  python3 tests/cluster/emulated_nodes.py --nodes "$nodes" --slots "$slots" --timeout "$limit" \
    -- '{mpirun}' -np $((nodes * slots)) --map-by node -q "$@" 2>/dev/null
}

if wants nodes && [[ ${SCALE_NODES:-1} != 0 ]]; then
  if ! why=$(python3 tests/cluster/emulated_nodes.py --check 2>&1); then
    printf '\n== emulated nodes skipped: %s\n' "$why"
  else
    heading "handout: emulated nodes (TCP between them), $service_chunks chunks"
    for shape in "2 1" "2 2" "3 1" "3 2" "3 4"; do
      read -r nodes slots <<<"$shape"
      on_nodes "$nodes" "$slots" "$(realpath "$bench")" handout "$service_chunks" 3 || true
    done | table
    heading "ops: 3 emulated nodes, $reps calls per operation"
    for slots in 1 2; do
      on_nodes 3 "$slots" "$(realpath "$bench")" ops "$reps" || true
    done | table
    heading "ops: 2 emulated nodes, 1 to 4 ranks each, $node_reps calls per operation"
    for slots in 1 2 4; do
      on_nodes 2 "$slots" "$(realpath "$bench")" ops "$node_reps" || true
    done | table
  fi
fi

if wants memory; then
  heading "memory: idle (one reduce, then asleep); bykey ($bykey_items pairs, $bykey_keys keys)"
  for np in $mem_ranks; do
    for what in idle bykey; do
      if [[ $what == idle ]]; then args=(idle 2); else args=(bykey "$bykey_items" "$bykey_keys"); fi
      read -r pss rss < <(python3 benchmarks/node_pss.py bench_scale -- \
        timeout -k 5 "$limit" mpirun --oversubscribe --bind-to none -q -np "$np" "$bench" \
        "${args[@]}" 2>&1 >/dev/null | awk '/^pss_mib/ { print $2, $4 }')
      awk -v w="$what" -v n="$np" -v p="$pss" -v r="$rss" 'BEGIN {
        printf "ROW mem state=%s np=%d node_pss_mib=%s node_rss_mib=%s pss_per_rank_mib=%.1f " \
          "rss_per_rank_mib=%.1f\n", w, n, p, r, p / n, r / n }'
    done
  done | table
fi
