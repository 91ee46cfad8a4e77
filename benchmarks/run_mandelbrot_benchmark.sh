#!/usr/bin/env bash
# Mandelbrot: the dynamic and guided schedules against static blocks and against the ideal time
# (the 1-rank time / 2) at 2 ranks, on a view whose cost is uneven: the set fills the lower half of
# the image and barely reaches into the upper half, so static blocks give one rank nearly all the
# work. Times are the app's own "rendered in" (from the start of the work until rank 0 holds every
# row: MPI start-up and the PNG excluded). Every run must write the same bytes, or the script fails.
# Prints a table, then `RESULT name value (target op t) ok|MISSED` lines (as run_benchmarks.sh).
# Usage: benchmarks/run_mandelbrot_benchmark.sh [BUILD_DIR]   (default build/release; build it first)
# Env: MB_REPS (5), MB_SIZE (2000: a square image of MB_SIZE^2 pixels), MB_ITERATIONS (2000),
#      MB_QUICK=1 (600 pixels, 1 repetition: a smoke run).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$MPIMR_ROOT"

build=${1:-build/release}
if [[ ${MB_QUICK:-0} == 1 ]]; then
  reps=${MB_REPS:-1} size=${MB_SIZE:-600}
else
  reps=${MB_REPS:-5} size=${MB_SIZE:-2000}
fi
iterations=${MB_ITERATIONS:-2000}
mandelbrot=$build/apps/mandelbrot
[[ -x $mandelbrot ]] || { mpimr_log "missing $mandelbrot: build $build first"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/mpimr-mandelbrot.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The view: centre -0.75 + 0.9i, 3.0 wide and high, so rows span imaginary parts 2.4 to -0.6. The
# set (|im| <= 1.13) covers the lower half; the upper half is mostly outside, a few iterations a
# pixel. Chunks of one row (the app's default).
view=(--width "$size" --height "$size" --center-x -0.75 --center-y 0.9 --view-width 3.0
  --max-iterations "$iterations" --chunk-size 1)

# render NP SCHEDULE: one launch; sets `seconds` (rank 0's render time) and checks the image.
seconds="" reference_iterations=""
render() {
  local np=$1 schedule=$2 out
  # shellcheck disable=SC2046  # the flags are single words, split on purpose
  if ! out=$(timeout 600 mpirun -np "$np" $(mpimr_mpirun_flags "$np") "$mandelbrot" "${view[@]}" \
    --schedule "$schedule" --output "$work/$schedule.$np.png" 2>"$work/stderr"); then
    mpimr_log "FAIL: $schedule at $np ranks:"
    cat "$work/stderr" >&2
    exit 1
  fi
  seconds=$(sed -n 's/.*rendered in \([0-9.]*\) s.*/\1/p' <<<"$out")
  local total
  total=$(sed -n 's/.*pixels, \([0-9]*\) iterations.*/\1/p' <<<"$out")
  [[ -n $seconds && -n $total ]] || { mpimr_log "FAIL: no summary line: $out"; exit 1; }
  reference_iterations=${reference_iterations:-$total}
  if [[ $total != "$reference_iterations" ]]; then
    mpimr_log "FAIL: $schedule at $np ranks: $total iterations, expected $reference_iterations"
    exit 1
  fi
  if [[ -f $work/reference.png ]]; then
    cmp -s "$work/reference.png" "$work/$schedule.$np.png" ||
      { mpimr_log "FAIL: $schedule at $np ranks wrote another image"; exit 1; }
  else
    mv "$work/$schedule.$np.png" "$work/reference.png"
  fi
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# 1 rank (static: no scheduler at all) is the baseline; each repetition runs all four, in reverse
# order every other time, as this machine's speed drifts.
kinds=(static.1 static.2 dynamic.2 guided.2)
declare -A t=()
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
for ((rep = 1; rep <= reps; rep++)); do
  order=("${kinds[@]}")
  if ((rep % 2 == 0)); then
    for ((i = 0; i < ${#kinds[@]}; i++)); do order[i]=${kinds[${#kinds[@]} - 1 - i]}; done
  fi
  for kind in "${order[@]}"; do
    render "${kind#*.}" "${kind%.*}"
    t[$kind.$rep]=$seconds
    echo "rep $rep ${kind%.*} np ${kind#*.}: rendered in $seconds s"
  done
done

# per_rep EXPR A B: EXPR (awk) of a = time of run A and b = time of run B, within each repetition
# (runs seconds apart), then the median of those.
per_rep() {
  local expr=$1 a=$2 b=$3 rep
  for ((rep = 1; rep <= reps; rep++)); do
    awk -v a="${t[$a.$rep]}" -v b="${t[$b.$rep]}" "BEGIN { printf \"%.3f\\n\", $expr }"
  done | median
}
echo
echo "=== mandelbrot ${size}x$size, at most $iterations iterations a pixel ($reference_iterations in" \
  "all), rows as chunks; medians of $reps; $(nproc) cores"
printf '%-8s %5s %9s %16s %18s\n' schedule ranks render_s "x ideal (t1/2)" "static_np2 / this"
for kind in "${kinds[@]}"; do
  median_seconds=$(for ((rep = 1; rep <= reps; rep++)); do echo "${t[$kind.$rep]}"; done | median)
  over=- speedup=-
  if [[ $kind == *.2 ]]; then
    over=$(per_rep '2 * b / a' static.1 "$kind")
    speedup=$(per_rep 'a / b' static.2 "$kind")
  fi
  printf '%-8s %5s %9.3f %16s %18s\n' "${kind%.*}" "${kind#*.}" "$median_seconds" "$over" "$speedup"
done
echo "(x ideal: the 2-rank time over half the 1-rank time; 1.05 is 5% slower than ideal)"

results=()
for schedule in dynamic guided; do
  results+=("mandelbrot_${schedule}_time_over_ideal_np2 $(per_rep '2 * b / a' static.1 "$schedule.2") <= 1.05")
  results+=("mandelbrot_${schedule}_speedup_vs_static_np2 $(per_rep 'a / b' static.2 "$schedule.2") >= 1.3")
done
echo
# Other work on the machine slows 2-rank runs more than 1-rank runs (which leave a core free).
echo "=== summary (load average $(cut -d' ' -f1-3 /proc/loadavg); at the start $load_at_start)"
for r in "${results[@]}"; do
  read -r name value op target <<<"$r"
  verdict=$(awk -v v="$value" -v o="$op" -v t="$target" \
    'BEGIN { ok = (o == ">=") ? v >= t : v <= t; print ok ? "ok" : "MISSED" }')
  echo "RESULT $name $value (target $op $target) $verdict"
done
