#!/usr/bin/env bash
# Word count: apps/wordcount (mpimr) against MR-MPI (bench_wordcount_mrmpi, its own API) and a serial
# std::unordered_map count (bench_wordcount_serial), side by side on one generated Zipf corpus, at 1
# and 2 ranks; then mpimr's peak memory per rank with a small shuffle budget on inputs of 10x and 20x
# that budget. Every run must report the same distinct/total word counts, or the script fails.
# Prints a table, then `RESULT name value (target op t) ok|MISSED` lines (as run_benchmarks.sh).
# Usage: benchmarks/run_wordcount_benchmark.sh [BUILD_DIR]   (default build/release; build it first)
# Env: WC_BYTES (83886080 = 80 MiB), WC_VOCABULARY (200000), WC_SEED (7), WC_REPS (3),
#      WC_QUICK=1 (8 MiB, 20000 words, 1 repetition: a smoke run), WC_CORPUS=FILE (use this corpus
#      instead of generating one), WC_SHUFFLE_BYTES (8388608: the budget of the memory experiment),
#      WC_MPIMR_SHUFFLE_BYTES (2097152: mpimr's small budget, its setting for the MR-MPI targets),
#      WC_MRMPI_MEMSIZE (1: MR-MPI's tuned page size in MB, its fastest here; it also runs with its
#      default, 64), WC_KEEP=1 (keep the work folder).
# Every program, the serial one too, runs under mpirun and benchmarks/peak_rss.py, which records
# each rank's peak RSS and run time (exec to exit); a run's time is its slowest rank's.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$MPIMR_ROOT"

build=${1:-build/release}
quick=${WC_QUICK:-0}
if [[ $quick == 1 ]]; then
  bytes=${WC_BYTES:-8388608} vocabulary=${WC_VOCABULARY:-20000} reps=${WC_REPS:-1}
else
  bytes=${WC_BYTES:-83886080} vocabulary=${WC_VOCABULARY:-200000} reps=${WC_REPS:-3}
fi
seed=${WC_SEED:-7}
budget=${WC_SHUFFLE_BYTES:-8388608}
memsize=${WC_MRMPI_MEMSIZE:-1}
small_budget=${WC_MPIMR_SHUFFLE_BYTES:-2097152}
wordcount=$build/apps/wordcount
generator=$build/apps/wordcount-corpus
serial=$build/benchmarks/bench_wordcount_serial
mrmpi=$build/benchmarks/bench_wordcount_mrmpi
peak_rss=$MPIMR_ROOT/benchmarks/peak_rss.py
for exe in "$wordcount" "$serial"; do
  [[ -x $exe ]] || { mpimr_log "missing $exe: build $build first"; exit 1; }
done
have_mrmpi=1
if [[ ! -x $mrmpi ]]; then
  have_mrmpi=0
  mpimr_log "no $mrmpi (install libmrmpi-dev and rebuild): MR-MPI rows are skipped"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/mpimr-wordcount.XXXXXX")
if [[ ${WC_KEEP:-0} == 1 ]]; then
  mpimr_log "work folder kept: $work"
else
  trap 'rm -rf "$work"' EXIT
fi

# --- corpus -------------------------------------------------------------------------------------
if [[ -n ${WC_CORPUS:-} ]]; then
  corpus=$WC_CORPUS
else
  [[ -x $generator ]] || { mpimr_log "missing $generator: build $build first, or set WC_CORPUS"; exit 1; }
  corpus=$work/corpus.txt
  "$generator" --bytes "$bytes" --vocabulary "$vocabulary" --seed "$seed" --output "$corpus"
fi
corpus_bytes=$(stat -c %s "$corpus")

# launch NP OUT PROGRAM ARGS... : one run under mpirun, every rank wrapped by peak_rss.py. Sets
# `seconds` (the slowest rank's run time, exec to exit: MPI_Init included, mpirun's start-up not)
# and `rss_mib` (the largest rank's peak RSS); the program's stdout goes to OUT. A failing or
# hanging run stops the script.
seconds="" rss_mib=""
launch() {
  local np=$1 out=$2 files
  shift 2
  rm -rf "$work/rss"
  # shellcheck disable=SC2046  # the flags are single words, split on purpose
  if ! timeout 900 mpirun -np "$np" $(mpimr_mpirun_flags "$np") \
    python3 "$peak_rss" "$work/rss" "$@" >"$out" 2>"$work/stderr"; then
    mpimr_log "FAIL: $* at $np ranks:"
    cat "$work/stderr" >&2
    exit 1
  fi
  files=("$work"/rss/rank*.txt)
  ((${#files[@]} == np)) || { mpimr_log "FAIL: measures of ${#files[@]} ranks, not $np"; exit 1; }
  read -r rss_mib seconds < <(cat "${files[@]}" |
    awk '$1 > r { r = $1 } $2 > s { s = $2 } END { printf "%.1f %.3f\n", r / 1024, s }')
}
field() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# check NAME OUT DISTINCT TOTAL: the run's summary must equal the reference counts.
check() {
  local d t
  d=$(field distinct_words "$2") t=$(field total_words "$2")
  if [[ $d != "$3" || $t != "$4" ]]; then
    mpimr_log "FAIL: $1 counted $d distinct / $t words, expected $3 / $4"
    exit 1
  fi
}

# --- (a) side by side: serial, mpimr and MR-MPI at 1 and 2 ranks -------------------------------
# MR-MPI runs as its examples/wordfreq.cpp does (map, collate, reduce) with its default 64 MB pages
# and with small pages (WC_MRMPI_MEMSIZE: 1 MB pages are 2-4x faster here, likely as its per-page
# work then stays in cache), and with small pages plus compress() (a local combine before collate,
# as mpimr does).
# mpimr is compared with the fastest of the three, and with the smallest peak RSS of the three.
# Each run comes with a run of the same program on a one-word file: its start-up (MPI_Init, ...),
# which `net` subtracts so that the ratios compare the work itself.
kinds=(serial.1 mpimr.1 mpimr.2 mpimrs.1 mpimrs.2)
((have_mrmpi)) && kinds+=(mrmpi.1 mrmpi.2 mrmpit.1 mrmpit.2 mrmpitc.1 mrmpitc.2)
echo "word" >"$work/one-word.txt"
mkdir -p "$work/spill"
# run_kind KIND INPUT OUT: one launch of KIND (program.ranks), every rank's peak RSS recorded.
run_kind() {
  local np=${1#*.}
  case ${1%.*} in
    serial) launch 1 "$3" "$serial" "$2" ;;
    mpimr) launch "$np" "$3" "$wordcount" "$2" ;;
    mpimrs) launch "$np" "$3" "$wordcount" --shuffle-bytes "$small_budget" "$2" ;;
    mrmpi) launch "$np" "$3" "$mrmpi" --memsize 64 --fpath "$work/spill" "$2" ;;
    mrmpit) launch "$np" "$3" "$mrmpi" --memsize "$memsize" --fpath "$work/spill" "$2" ;;
    mrmpitc) launch "$np" "$3" "$mrmpi" --memsize "$memsize" --fpath "$work/spill" --compress "$2" ;;
  esac
}
declare -A wall=() net=() startup=() rss=() spill=()
distinct="" total=""
# shellcheck disable=SC2034  # wall, net and rss are read through namerefs (med, ratio)
for ((rep = 1; rep <= reps; rep++)); do
  order=("${kinds[@]}")
  if ((rep % 2 == 0)); then  # the machine's speed drifts: alternate the order
    for ((i = 0; i < ${#kinds[@]}; i++)); do order[i]=${kinds[${#kinds[@]} - 1 - i]}; done
  fi
  for kind in "${order[@]}"; do
    run_kind "$kind" "$work/one-word.txt" "$work/start.out"
    startup[$kind.$rep]=$seconds
    run_kind "$kind" "$corpus" "$work/$kind.out"
    if [[ -z $distinct ]]; then
      distinct=$(field distinct_words "$work/$kind.out") total=$(field total_words "$work/$kind.out")
    fi
    check "$kind" "$work/$kind.out" "$distinct" "$total"
    wall[$kind.$rep]=$seconds rss[$kind.$rep]=$rss_mib
    net[$kind.$rep]=$(awk -v a="$seconds" -v b="${startup[$kind.$rep]}" \
      'BEGIN { d = a - b; printf "%.3f", (d > 0.001 ? d : 0.001) }')
    spilled=$(field spilled_bytes "$work/$kind.out")
    [[ -n $spilled ]] && spill[$kind]=$(awk -v b="$spilled" 'BEGIN { printf "%.0f", b / 1e6 }')
    echo "rep $rep ${kind%.*} np ${kind#*.}: $seconds s (start-up ${startup[$kind.$rep]} s)," \
      "peak RSS per rank $rss_mib MiB${spilled:+, scratch files ${spill[$kind]} MB}"
  done
done

med() {  # med ARRAY KEY: median of ARRAY[KEY.rep] over the repetitions
  local -n a=$1
  local rep
  for ((rep = 1; rep <= reps; rep++)); do echo "${a[$2.$rep]}"; done | median
}
# ratio ARRAY NUMERATOR_KIND... / DENOMINATOR_KIND: the fastest numerator's time over the
# denominator's, formed within each repetition (runs seconds apart), then the median of those.
ratio() {
  local -n a=$1
  local rep k best
  local -a num=()
  shift
  while [[ $1 != / ]]; do num+=("$1"); shift; done
  for ((rep = 1; rep <= reps; rep++)); do
    best=""
    for k in "${num[@]}"; do
      best=$(awk -v a="${a[$k.$rep]}" -v b="$best" 'BEGIN { print (b == "" || a < b) ? a : b }')
    done
    awk -v a="$best" -v b="${a[$2.$rep]}" 'BEGIN { printf "%.2f\n", a / b }'
  done | median
}
results=()
echo
echo "=== word count: $(awk -v b="$corpus_bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB" \
  "($corpus_bytes bytes), $distinct distinct / $total words; medians of $reps; $(nproc) cores;" \
  "MR-MPI pages 64 and $memsize MB"
printf '%-24s %5s %6s %8s %6s %10s %8s %8s %9s %9s\n' program ranks wall start-up net \
  MB/s/rank x_serial x_MR-MPI "(wall)" peak_RSS
for kind in "${kinds[@]}"; do
  np=${kind#*.} n=$(med net "$kind") r=$(med rss "$kind")
  case ${kind%.*} in
    serial) name="serial (unordered_map)" ;; mpimr) name="mpimr wordcount" ;;
    mpimrs) name="mpimr $(awk -v b="$small_budget" 'BEGIN { print b / 1048576 }') MiB budget" ;;
    mrmpi) name="MR-MPI 64 MB pages" ;; mrmpit) name="MR-MPI $memsize MB pages" ;;
    mrmpitc) name="MR-MPI $memsize MB+compress" ;;
  esac
  vs_mrmpi=- vs_mrmpi_wall=-
  if [[ ${kind%.*} == mpimr* ]] && ((have_mrmpi)); then
    vs_mrmpi=$(ratio net "mrmpi.$np" "mrmpit.$np" "mrmpitc.$np" / "$kind")
    vs_mrmpi_wall=$(ratio wall "mrmpi.$np" "mrmpit.$np" "mrmpitc.$np" / "$kind")
    # The targets are judged on one mpimr setting for both speed and memory: the small budget
    # (MR-MPI's fastest and its leanest may be different settings); the default is reported too.
    suffix=""
    [[ ${kind%.*} == mpimr ]] && suffix=_default_budget
    results+=("wordcount_speedup_vs_mrmpi${suffix}_np$np $vs_mrmpi >= 3")
    best_rss=$(for k in mrmpi mrmpit mrmpitc; do med rss "$k.$np"; done | sort -g | head -1)
    results+=("wordcount_peak_rss_ratio_to_mrmpi${suffix}_np$np $(awk -v a="$r" -v b="$best_rss" \
      'BEGIN { printf "%.2f", a / b }') < 1")
  fi
  printf '%-24s %5s %6.2f %8.2f %6.2f %10.1f %8s %8s %9s %5s MiB\n' "$name" "$np" \
    "$(med wall "$kind")" "$(med startup "$kind")" "$n" \
    "$(awk -v b="$corpus_bytes" -v s="$n" -v p="$np" 'BEGIN { print b / 1e6 / s / p }')" \
    "$(ratio net serial.1 / "$kind")" "$vs_mrmpi" "$vs_mrmpi_wall" "$r"
done
echo "(seconds: wall = the slowest rank's run, exec to exit, mpirun's own start-up excluded;"
echo " start-up = the same on a one-word file; net = wall - start-up. MB/s/rank from net, MB = 10^6"
echo " bytes. x_serial = serial net / this net. x_MR-MPI = net time of the fastest MR-MPI run /"
echo " mpimr's at the same ranks; (wall) the same from wall times. Peak RSS: the largest rank's.)"
if ((have_mrmpi)); then
  echo "MR-MPI's scratch files (pages that did not fit, in the page cache, not in RSS), MB written:"
  for kind in "${kinds[@]}"; do [[ -n ${spill[$kind]:-} ]] && printf ' %s %s' "$kind" "${spill[$kind]}"; done
  echo
fi

# --- (b) memory bound: mpimr with --shuffle-bytes B on 10x B and 20x B of input --------------------
# The 20x input lists the 10x input twice: the same words, twice the bytes. What does not depend on
# the input's size is measured on a file holding each distinct word once (the same result table,
# almost no input): with a bounded shuffle, 10x input costs at most about B more than that, and
# 20x no more than 10x (within B/4: peak RSS varies by a MiB or so from run to run).
launch 1 "$work/m.out" "$wordcount" --output "$work/counts.tsv" "$corpus"
cut -f1 "$work/counts.tsv" >"$work/vocabulary.txt"
inputs10=()
for ((i = 0; i < (10 * budget + corpus_bytes - 1) / corpus_bytes; i++)); do inputs10+=("$corpus"); done
inputs20=("${inputs10[@]}" "${inputs10[@]}")
x10=$(awk -v n="${#inputs10[@]}" -v c="$corpus_bytes" -v b="$budget" 'BEGIN { printf "%.1f", n * c / b }')
echo
echo "=== memory: mpimr --shuffle-bytes $budget (B = $(awk -v b="$budget" 'BEGIN { print b / 1048576 }')" \
  "MiB) on ${x10}x and $(awk -v x="$x10" 'BEGIN { print 2 * x }')x B of input; peak RSS per rank" \
  "(MiB, max over ranks), medians of $reps"
printf '%5s %9s %11s %10s %10s %18s %12s\n' ranks one_word vocabulary input_10x input_20x \
  "(10x-vocabulary)/B" "(20x-10x)/B"
for np in 1 2; do
  declare -A m=()
  for ((rep = 1; rep <= reps; rep++)); do
    launch "$np" "$work/m.out" "$wordcount" --shuffle-bytes "$budget" "$work/one-word.txt"
    m[one.$rep]=$rss_mib
    launch "$np" "$work/m.out" "$wordcount" --shuffle-bytes "$budget" "$work/vocabulary.txt"
    check "mpimr vocabulary np $np" "$work/m.out" "$distinct" "$distinct"
    m[vocabulary.$rep]=$rss_mib
    launch "$np" "$work/m.out" "$wordcount" --shuffle-bytes "$budget" "${inputs10[@]}"
    check "mpimr 10x np $np" "$work/m.out" "$distinct" $((total * ${#inputs10[@]}))
    m[x10.$rep]=$rss_mib
    launch "$np" "$work/m.out" "$wordcount" --shuffle-bytes "$budget" "${inputs20[@]}"
    check "mpimr 20x np $np" "$work/m.out" "$distinct" $((total * ${#inputs20[@]}))
    # shellcheck disable=SC2034  # m is read through a nameref (med)
    m[x20.$rep]=$rss_mib
  done
  vocabulary=$(med m vocabulary) m10=$(med m x10) m20=$(med m x20)
  over=$(awk -v a="$m10" -v b="$vocabulary" -v B="$budget" 'BEGIN { printf "%.2f", (a - b) * 1048576 / B }')
  growth=$(awk -v a="$m20" -v b="$m10" -v B="$budget" 'BEGIN { printf "%.2f", (a - b) * 1048576 / B }')
  printf '%5s %9s %11s %10s %10s %18s %12s\n' "$np" "$(med m one)" "$vocabulary" "$m10" "$m20" \
    "$over" "$growth"
  results+=("wordcount_rss_10x_input_above_vocabulary_per_budget_np$np $over <= 1")
  results+=("wordcount_rss_growth_10x_to_20x_per_budget_np$np $growth <= 0.25")
  unset m
done

echo
echo "=== summary (load average $(cut -d' ' -f1-3 /proc/loadavg))"
for r in "${results[@]}"; do
  read -r name value op target <<<"$r"
  verdict=$(awk -v v="$value" -v o="$op" -v t="$target" 'BEGIN {
    ok = (o == ">=") ? v >= t : (o == "<=") ? v <= t : v < t; print ok ? "ok" : "MISSED" }')
  echo "RESULT $name $value (target $op $target) $verdict"
done
