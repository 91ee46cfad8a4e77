#!/usr/bin/env bash
# k-means and PageRank: time per iteration of apps/kmeans and apps/pagerank at 2 ranks (and at 1)
# against a serial Eigen implementation of the same algorithm on the same data
# (bench_kmeans_serial, bench_pagerank_serial), at three problem sizes two orders of magnitude
# apart. Parallel efficiency = serial time / (2 x mpimr time at 2 ranks), formed within each
# repetition (runs seconds apart) and reported as the median. Times are the programs' own
# `iteration_seconds`, measured by rank 0 around the iterations alone (no start-up, input
# generation, seeding or building of the link matrix): the median iteration, serial and parallel
# alike (the first ones read the data for the first time, slowly on some machines, and the
# adaptive schedule learns the ranks' speeds in them; k-means on 10^4 points converges in 35
# iterations, about 5 ms). Every program runs at most NUM_ITERATIONS iterations; the
# PageRank runs must agree on the ten highest-ranked vertices, or the script fails. Both apps run
# with their default schedule, auto, which for both means adaptive: one block per rank (each rank
# then joins its own partials before k-means' deterministic exchange), bounds that follow the
# ranks' measured times; both with their default chunk sizes (k-means: about 1024 points, all
# chunks of one size; PageRank: about 1024 chunks) unless NUM_KMEANS_CHUNK is set.
# The machine's own ceiling, measured in the same repetitions: two copies of the serial program at
# once, one per core (kind `pair`). ceiling = serial / pair is how fast a core runs while the other
# is busy too, against alone (1.0: the cores share nothing that slows them; memory-bound sweeps
# share the memory bandwidth and the last-level cache); vs_pair = pair / (2 x mpimr at 2 ranks) is
# mpimr's efficiency against what two busy cores can deliver, so that what mpimr costs is told
# apart from what the machine costs.
# Both apps are measured a second way, serial and 2-rank iterations taking turns within one launch
# (bench_kmeans_interleaved, bench_pagerank_interleaved), in tables with their own RESULT lines.
# Prints a table, then `RESULT name value (target op t) ok|MISSED` lines (as run_benchmarks.sh),
# then a `NOTE` line for each figure taken in a minute when the machine did not give two full,
# equal cores (a launch-table ceiling below 0.9; in turns, one core's serial loop over 1.25x slower
# than the other's).
# Usage: benchmarks/run_numeric_benchmark.sh [BUILD_DIR]   (default build/release; build it first)
# Env: NUM_REPS (5: at 3, one slow minute of the machine decided some medians), NUM_ITERATIONS (default by size, iterations_for),
#      NUM_KMEANS_SIZES ("10000 100000 1000000" points),
#      NUM_KMEANS_DIMS (4), NUM_KMEANS_K (16), NUM_KMEANS_CHUNK (points per chunk; default: the
#      app's),
#      NUM_PAGERANK_SCALES ("14 17 21": R-MAT 2^S ids), NUM_EDGE_FACTOR (16),
#      NUM_APPS ("kmeans pagerank": which to run), NUM_QUICK=1 (small sizes, 1 repetition: a smoke
#      run).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$MPIMR_ROOT"

build=${1:-build/release}
if [[ ${NUM_QUICK:-0} == 1 ]]; then
  reps=${NUM_REPS:-1} kmeans_sizes=${NUM_KMEANS_SIZES:-"1000 10000 100000"}
  scales=${NUM_PAGERANK_SCALES:-"10 13 16"}
else
  reps=${NUM_REPS:-5} kmeans_sizes=${NUM_KMEANS_SIZES:-"10000 100000 1000000"}
  scales=${NUM_PAGERANK_SCALES:-"14 17 21"}
fi
# Iterations a run: NUM_ITERATIONS, or by size so that every run iterates for 0.1-0.5 s. Twenty
# iterations of 0.1 ms (PageRank scale 14) are 2 ms of work right after start-up, and their median
# swung from 0.72 to 1.02 efficiency between two runs minutes apart.
iterations_for() {
  if [[ -n ${NUM_ITERATIONS:-} ]]; then echo "$NUM_ITERATIONS"; return; fi
  local app=$1 size=$2
  if [[ $app == pagerank ]]; then
    if ((size <= 15)); then echo 2000; elif ((size <= 18)); then echo 200; else echo 20; fi
  else
    if ((size <= 10000)); then echo 1000; elif ((size <= 100000)); then echo 100; else echo 20; fi
  fi
}
apps=${NUM_APPS:-"kmeans pagerank"}
dims=${NUM_KMEANS_DIMS:-4} k=${NUM_KMEANS_K:-16}
# The k-means chunk size as the app's option and as the interleaved bench's CHUNK argument.
chunk_option=() chunk_argument=()
if [[ -n ${NUM_KMEANS_CHUNK:-} ]]; then
  chunk_option=(--chunk-size "$NUM_KMEANS_CHUNK") chunk_argument=("$NUM_KMEANS_CHUNK")
fi
edge_factor=${NUM_EDGE_FACTOR:-16}
kmeans=$build/apps/kmeans
pagerank=$build/apps/pagerank
kmeans_serial=$build/benchmarks/bench_kmeans_serial
pagerank_serial=$build/benchmarks/bench_pagerank_serial
for exe in "$kmeans" "$pagerank" "$kmeans_serial" "$pagerank_serial"; do
  [[ -x $exe ]] || { mpimr_log "missing $exe: build $build first"; exit 1; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/mpimr-numeric.XXXXXX")
trap 'rm -rf "$work"' EXIT
# The machine may be shared: say how busy it was, at the start and at the end.
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)

# launch NP OUT PROGRAM ARGS... : one run under mpirun (the serial programs too, so that every run
# is placed and bound alike); stdout to OUT. A failing or hanging run stops the script.
launch() {
  local np=$1 out=$2
  shift 2
  # shellcheck disable=SC2046  # the flags are single words, split on purpose
  if ! timeout 900 mpirun -np "$np" $(mpimr_mpirun_flags "$np") "$@" >"$out" 2>"$work/stderr"; then
    mpimr_log "FAIL: $* at $np ranks:"
    cat "$work/stderr" >&2
    exit 1
  fi
}
field() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# pair OUT PROGRAM ARGS...: two copies of a serial program at once, one per core (placed and bound
# by mpirun as the 2-rank runs are); OUT gets the output of the copy with the longer time per
# iteration (a 2-rank job waits for its slower rank every iteration).
pair() {
  local out=$1
  shift
  # shellcheck disable=SC2016  # expanded by the launched shell, per copy
  launch 2 "$work/pair.log" bash -c '"$@" > "$0.$OMPI_COMM_WORLD_RANK"' "$work/pair.out" "$@"
  if awk -v a="$(field iteration_seconds "$work/pair.out.0")" \
    -v b="$(field iteration_seconds "$work/pair.out.1")" 'BEGIN { exit !(a >= b) }'; then
    mv "$work/pair.out.0" "$out"
  else
    mv "$work/pair.out.1" "$out"
  fi
}

# run_kind APP SIZE KIND OUT: KIND is serial, pair, mpimr1 or mpimr2.
run_kind() {
  local app=$1 size=$2 kind=$3 out=$4
  local iterations
  iterations=$(iterations_for "$app" "$size")
  if [[ $app == kmeans ]]; then
    case $kind in
      serial) launch 1 "$out" "$kmeans_serial" "$size" "$dims" "$k" 1 "$iterations" 0 ;;
      pair) pair "$out" "$kmeans_serial" "$size" "$dims" "$k" 1 "$iterations" 0 ;;
      mpimr*) launch "${kind#mpimr}" "$out" "$kmeans" --generate "$size" --dims "$dims" -k "$k" \
        --seed 1 --max-iterations "$iterations" "${chunk_option[@]}" ;;
    esac
  else
    case $kind in
      serial) launch 1 "$out" "$pagerank_serial" "$size" "$edge_factor" 1 "$iterations" 0 ;;
      pair) pair "$out" "$pagerank_serial" "$size" "$edge_factor" 1 "$iterations" 0 ;;
      mpimr*) launch "${kind#mpimr}" "$out" "$pagerank" --rmat-scale "$size" --edge-factor \
        "$edge_factor" --seed 1 --max-iterations "$iterations" --tolerance 0 ;;
    esac
  fi
}

kinds=(serial pair mpimr1 mpimr2)
declare -A t=() facts=()
for app in $apps; do
  sizes=$kmeans_sizes
  [[ $app == pagerank ]] && sizes=$scales
  for size in $sizes; do
    for ((rep = 1; rep <= reps; rep++)); do
      order=("${kinds[@]}")
      ((rep % 2 == 0)) && order=(mpimr2 mpimr1 pair serial)  # the machine's speed drifts
      for kind in "${order[@]}"; do
        out=$work/$app.$size.$kind.out
        run_kind "$app" "$size" "$kind" "$out"
        t[$app.$size.$kind.$rep]=$(field iteration_seconds "$out")
        [[ -n ${t[$app.$size.$kind.$rep]} ]] || { mpimr_log "FAIL: no iteration_seconds in $out"; exit 1; }
        echo "$app size $size rep $rep $kind: $(field iterations "$out") iterations," \
          "$(awk -v s="${t[$app.$size.$kind.$rep]}" 'BEGIN { printf "%.3f", s * 1e3 }') ms each"
      done
      if [[ $app == pagerank ]]; then
        # The same algorithm on the same graph: the same ten highest-ranked vertices.
        for kind in pair mpimr1 mpimr2; do
          if ! cmp -s <(awk '$1 == "top" { print $2 }' "$work/$app.$size.serial.out") \
            <(awk '$1 == "top" { print $2 }' "$work/$app.$size.$kind.out"); then
            mpimr_log "FAIL: pagerank scale $size: $kind ranks other vertices first than serial"
            exit 1
          fi
        done
        facts[$app.$size]="$(field vertices "$work/$app.$size.serial.out") vertices, $(field edges \
          "$work/$app.$size.serial.out") edges"
      else
        facts[$app.$size]="$size points, $dims dims, k $k"
      fi
    done
  done
done

# per_rep EXPR APP SIZE: EXPR (awk) of s, p, a, b = the serial, pair, 1-rank and 2-rank times, per
# repetition.
per_rep() {
  local expr=$1 app=$2 size=$3 rep
  for ((rep = 1; rep <= reps; rep++)); do
    awk -v s="${t[$app.$size.serial.$rep]}" -v p="${t[$app.$size.pair.$rep]}" \
      -v a="${t[$app.$size.mpimr1.$rep]}" -v b="${t[$app.$size.mpimr2.$rep]}" \
      "BEGIN { printf \"%.4f\\n\", $expr }"
  done | median
}
med() {
  local rep
  for ((rep = 1; rep <= reps; rep++)); do echo "${t[$1.$rep]}"; done | median
}

results=()
# What the machine did that no program could have helped, printed with the RESULT lines: a miss
# in such a minute says little about mpimr (the tables hold the figures).
notes=()
echo
echo "=== time per iteration (ms, medians of $reps; ${NUM_ITERATIONS:-up to 20-2000 by size} iterations a run; $(nproc) cores)"
printf '%-9s %-40s %9s %9s %9s %9s %10s %10s %8s %8s %12s\n' app size serial pair mpimr_np1 \
  mpimr_np2 "np1/serial" efficiency ceiling vs_pair "growth"
for app in $apps; do
  sizes=$kmeans_sizes
  [[ $app == pagerank ]] && sizes=$scales
  previous="" previous_size=""
  for size in $sizes; do
    serial=$(med "$app.$size.serial") one=$(med "$app.$size.mpimr1") two=$(med "$app.$size.mpimr2")
    paired=$(med "$app.$size.pair")
    efficiency=$(per_rep 's / (2 * b)' "$app" "$size")
    ceiling=$(per_rep 's / p' "$app" "$size")
    vs_pair=$(per_rep 'p / (2 * b)' "$app" "$size")
    overhead=$(per_rep 'a / s' "$app" "$size")
    # Growth of the 2-rank time from the previous size, against the growth of the work.
    growth=-
    if [[ -n $previous ]]; then
      if [[ $app == kmeans ]]; then
        work_ratio=$(awk -v a="$size" -v b="$previous_size" 'BEGIN { print a / b }')
      else
        work_ratio=$(awk -v a="$size" -v b="$previous_size" 'BEGIN { print 2 ^ (a - b) }')
      fi
      growth=$(awk -v a="$two" -v b="$previous" -v w="$work_ratio" 'BEGIN { printf "%.1fx/%gx", a / b, w }')
    fi
    label=$size
    [[ $app == pagerank ]] && label="scale $size"
    printf '%-9s %-40s %9.3f %9.3f %9.3f %9.3f %10.2f %10.2f %8.2f %8.2f %12s\n' "$app" \
      "$label (${facts[$app.$size]})" "$(awk -v s="$serial" 'BEGIN { print s * 1e3 }')" \
      "$(awk -v s="$paired" 'BEGIN { print s * 1e3 }')" "$(awk -v s="$one" 'BEGIN { print s * 1e3 }')" \
      "$(awk -v s="$two" 'BEGIN { print s * 1e3 }')" "$overhead" "$efficiency" "$ceiling" "$vs_pair" \
      "$growth"
    results+=("${app}_parallel_efficiency_np2_${label// /} $efficiency >= 0.9")
    if awk -v c="$ceiling" 'BEGIN { exit !(c < 0.9) }'; then
      note="${app}_parallel_efficiency_np2_${label// /}: ceiling $ceiling, two serial copies at"
      notes+=("$note once ran each at that fraction of one alone (vs_pair $vs_pair)")
    fi
    previous=$two previous_size=$size
  done
done
echo "(efficiency = serial / (2 x mpimr at 2 ranks), per repetition, then the median; pair = the"
echo " slower of two serial copies run at once, one per core; ceiling = serial / pair, the speed of a"
echo " core while the other is busy too; vs_pair = pair / (2 x mpimr at 2 ranks), mpimr against that"
echo " ceiling; np1/serial = mpimr at 1 rank over serial; growth = the 2-rank time per iteration over"
echo " the previous size's, next to how much the size grew: points for k-means, 2^scale ids for"
echo " PageRank)"

# Both apps once more with serial and 2-rank iterations taking turns within one launch
# (bench_kmeans_interleaved, bench_pagerank_interleaved): the core speeds drift over seconds on the
# machine this was written on (by 2x within one morning), and differ between its two cores, so
# launches seconds apart can compare different machines; and a k-means run on 10^4 points converges
# within 10 ms. Its efficiency is against both cores' measured serial speeds (see turns.hpp).
# in_turns APP: one table, one RESULT line per size.
in_turns() {
  local app=$1 sizes size block rounds rep efficiency core0 core1 unequal note
  local program=$build/benchmarks/bench_${app}_interleaved
  [[ -x $program ]] || { mpimr_log "missing $program: build $build first"; exit 1; }
  echo
  echo "=== $app, serial and 2-rank iterations in turns within one launch (us per iteration," \
    "medians; then the median of $reps launches)"
  printf '%-10s %9s %9s %9s %9s %9s %10s %8s\n' size core0 core1 pair0 pair1 mpimr_np2 \
    efficiency vs_pair
  sizes=$kmeans_sizes
  [[ $app == pagerank ]] && sizes=$scales
  for size in $sizes; do
    # Blocks of about 5-20 ms, about 1-5 s a launch; at the largest sizes a block is 4 iterations
    # of 25-80 ms and a launch 5-25 s, input generation included. The adaptive schedule's bounds
    # carry over from block to block (one context).
    if [[ $app == kmeans ]]; then
      if ((size <= 10000)); then block=20 rounds=20; elif ((size <= 100000)); then block=10 \
        rounds=10; else block=4 rounds=6; fi
    else
      if ((size <= 15)); then block=50 rounds=20; elif ((size <= 18)); then block=10 rounds=10; else
        block=4 rounds=6; fi
    fi
    ((${NUM_QUICK:-0} == 1)) && rounds=2
    for ((rep = 1; rep <= reps; rep++)); do
      if [[ $app == kmeans ]]; then
        launch 2 "$work/turns.$size.$rep" "$program" "$size" "$dims" "$k" 1 "$block" "$rounds" \
          "${chunk_argument[@]}"
      else
        launch 2 "$work/turns.$size.$rep" "$program" "$size" "$edge_factor" 1 "$block" "$rounds"
      fi
    done
    column() {
      for ((rep = 1; rep <= reps; rep++)); do field "$1" "$work/turns.$size.$rep"; done | median
    }
    efficiency=$(column efficiency)
    core0=$(column serial_core0_seconds) core1=$(column serial_core1_seconds)
    printf '%-10s %9.1f %9.1f %9.1f %9.1f %9.1f %10.2f %8.2f\n' "$size" \
      "$(awk -v s="$core0" 'BEGIN { print s * 1e6 }')" \
      "$(awk -v s="$core1" 'BEGIN { print s * 1e6 }')" \
      "$(awk -v s="$(column pair_core0_seconds)" 'BEGIN { print s * 1e6 }')" \
      "$(awk -v s="$(column pair_core1_seconds)" 'BEGIN { print s * 1e6 }')" \
      "$(awk -v s="$(column parallel_seconds)" 'BEGIN { print s * 1e6 }')" "$efficiency" \
      "$(column vs_pair)"
    local label=$size
    [[ $app == pagerank ]] && label=scale$size
    results+=("${app}_interleaved_efficiency_np2_$label $efficiency >= 0.9")
    unequal=$(awk -v a="$core0" -v b="$core1" \
      'BEGIN { r = a > b ? a / b : b / a; if (r > 1.25) printf "%.2f", r }')
    if [[ -n $unequal ]]; then
      note="${app}_interleaved_efficiency_np2_$label: one core ran the serial loop ${unequal}x slower"
      notes+=("$note than the other (the efficiency is against both speeds; chunks split them only so finely)")
    fi
  done
  echo "(size: points for k-means, scale for PageRank; core0, core1 = serial alone on each core;"
  echo " pair0, pair1 = both at once; efficiency = ideal / mpimr_np2 with"
  echo " ideal = 1 / (1/core0 + 1/core1), serial / (2 x mpimr_np2) when the cores are equally fast;"
  echo " vs_pair = the same with pair0, pair1)"
}
for app in $apps; do in_turns "$app"; done

echo
echo "=== summary (load average $load_at_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end)"
for r in "${results[@]}"; do
  read -r name value op target <<<"$r"
  verdict=$(awk -v v="$value" -v t="$target" 'BEGIN { print (v >= t) ? "ok" : "MISSED" }')
  echo "RESULT $name $value (target $op $target) $verdict"
done
for note in "${notes[@]}"; do echo "NOTE $note"; done
