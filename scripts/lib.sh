# shellcheck shell=bash
# Shared shell helpers for scripts/* and tests/install: repo root, Debian dependency check/install,
# and the mpirun flags this machine needs. Source it; it defines functions and MPIMR_ROOT only.

# shellcheck disable=SC2034  # used by the scripts that source this file
MPIMR_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Everything needed to build, test, benchmark and run the apps on Debian/Ubuntu.
MPIMR_DEB_PACKAGES=(
  g++ cmake ninja-build make
  openmpi-bin libopenmpi-dev libboost-mpi-dev libboost-serialization-dev libeigen3-dev
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev libfmt-dev nlohmann-json3-dev
  librandom123-dev libxxhash-dev libpng-dev clang-format
  libmrmpi-dev python3  # the word count benchmark's peer library (MR-MPI) and its RSS wrapper
  clang libclang-rt-dev  # scripts/fuzz only: clang and its libFuzzer runtime (the gcc build needs neither)
  iproute2  # tests/cluster: emulated nodes are network namespaces (`ip netns`); also needs root
  slurmctld slurmd slurm-client munge  # tests/slurm: a private local Slurm (own munged); also needs root
  parallel  # benchmarks/run_farm_benchmark.sh only: GNU parallel, the farm's peer (nothing else needs it)
  gnuplot-nox  # scripts/scaling: speedup and busy/wait pictures (pngcairo); tests apps.scaling.*
)

mpimr_log() { printf '[mpimr] %s\n' "$*" >&2; }

# True when CI is set to something other than empty/0/false/no/off (same rule as CMakeLists.txt).
mpimr_is_ci() {
  case "${CI:-}" in "" | 0 | [Ff][Aa][Ll][Ss][Ee] | [Nn][Oo] | [Oo][Ff][Ff]) return 1 ;; *) return 0 ;; esac
}

mpimr_missing_packages() {
  local p
  for p in "${MPIMR_DEB_PACKAGES[@]}"; do
    [[ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" == installed ]] || printf '%s\n' "$p"
  done
}

# Installs only what is missing; a no-op (no apt, no network, no root) when everything is there.
# Never reads stdin, so it works in CI and under `ssh host cmd`.
mpimr_ensure_deps() {
  if ! command -v dpkg-query >/dev/null 2>&1; then
    mpimr_log "not a Debian system; make sure these (or equivalents) are installed: ${MPIMR_DEB_PACKAGES[*]}"
    return 0
  fi
  local missing=()
  mapfile -t missing < <(mpimr_missing_packages)
  ((${#missing[@]} == 0)) && return 0

  mpimr_log "installing missing packages: ${missing[*]}"
  local sudo=()
  if ((EUID != 0)); then
    if ! command -v sudo >/dev/null 2>&1; then
      mpimr_log "need root or sudo to run: apt-get install ${missing[*]}"
      return 1
    fi
    sudo=(sudo)
    [[ -t 0 ]] || sudo=(sudo -n)  # no terminal: fail instead of waiting for a password nobody types
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
}

# Physical cores Open MPI will count as slots (it counts cores, not hardware threads), capped by the
# CPUs this process may use (containers, taskset).
mpimr_cores() {
  local cpus cores
  cpus=$(nproc)
  cores=$(lscpu -b -p=Core,Socket 2>/dev/null | grep -v '^#' | sort -u | wc -l) || cores=0
  ((cores > 0 && cores < cpus)) && echo "$cores" || echo "$cpus"
}

# mpimr_mpirun_flags RANKS -> prints the extra mpirun flags for RANKS local ranks, on one line:
#   --allow-run-as-root  when root (containers, CI): Open MPI refuses to start otherwise;
#   --oversubscribe      when RANKS exceeds the cores Open MPI counts as slots.
# Usage: mpirun -np 4 $(mpimr_mpirun_flags 4) ./prog
mpimr_mpirun_flags() {
  local ranks=${1:-1} flags=()
  # Only Open MPI knows these flags (MPICH's mpiexec needs neither).
  [[ "$(mpirun --version 2>&1)" == *"Open MPI"* ]] || return 0
  ((EUID == 0)) && flags+=(--allow-run-as-root)
  ((ranks > $(mpimr_cores))) && flags+=(--oversubscribe)
  echo "${flags[*]}"
}
