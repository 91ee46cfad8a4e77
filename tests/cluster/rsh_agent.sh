#!/usr/bin/env bash
# Open MPI's plm_rsh_agent for emulated nodes (emulated_nodes.py): instead of ssh, it enters the
# node's network namespace, gives the command a UTS namespace named after the node, and runs it.
# Usage (by mpirun, as `ssh HOST COMMAND...`): rsh_agent.sh NODES_FILE HOST COMMAND...
# NODES_FILE has one line per node: ADDRESS NETNS HOSTNAME.
set -euo pipefail
nodes_file=$1
host=$2
shift 2
while read -r address netns name; do
  if [[ "$host" == "$address" || "$host" == "$name" ]]; then
    # As ssh does, the words of COMMAND are joined and read by a shell. nsenter rather than
    # `ip netns exec`, which would remount /sys. The inner shell expands $0 and $*, not this one.
    # shellcheck disable=SC2016
    exec nsenter --net="/run/netns/$netns" -- unshare --uts -- \
      /bin/sh -c 'hostname "$0" && exec /bin/sh -c "$*"' "$name" "$@"
  fi
done <"$nodes_file"
echo "rsh_agent.sh: no emulated node '$host' in $nodes_file" >&2
exit 255
