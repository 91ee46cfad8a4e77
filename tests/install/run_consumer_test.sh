#!/usr/bin/env bash
# Installs an mpimr build tree into a temporary prefix, builds tests/install/consumer against it with
# find_package(mpimr) and runs it on 2 ranks; the prefix is removed afterwards.
# Usage: run_consumer_test.sh BUILD_DIR [CONFIG]   (CXX and CMAKE_GENERATOR are honoured if set)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../../scripts/lib.sh
. "$here/../../scripts/lib.sh"

build="$(cd "${1:?usage: run_consumer_test.sh BUILD_DIR [CONFIG]}" && pwd)"
config="${2:-}"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/mpimr-consumer.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

cmake --install "$build" --prefix "$tmp/prefix" ${config:+--config "$config"}
cmake -S "$here/consumer" -B "$tmp/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" \
  ${config:+-DCMAKE_BUILD_TYPE="$config"}
cmake --build "$tmp/build" ${config:+--config "$config"}

exe="$tmp/build/consumer"
[[ -x $exe ]] || exe="$tmp/build/$config/consumer"  # multi-config generators
# shellcheck disable=SC2046  # the flags are single words, split on purpose
mpirun -np 2 $(mpimr_mpirun_flags 2) "$exe"
