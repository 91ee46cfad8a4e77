#!/usr/bin/env python3
"""Emulated cluster nodes on one machine: network namespaces joined by veth pairs to a bridge in a
namespace of its own, each node with its address, its host name, a hostfile and Open MPI's launch
agent (rsh_agent.sh), so that mpirun on node 0 starts its daemons on the others over TCP.

As a module:  with EmulatedNodes(3, slots=2) as nodes: subprocess.run(nodes.mpirun_command([...]))
As a command: emulated_nodes.py [--nodes N] [--slots S] [--timeout S] -- COMMAND...
              runs COMMAND on node 0, each word {mpirun} replaced by the nodes' mpirun line
              (timeout -k ... mpirun --hostfile ... --mca ...), then removes the nodes; exits with
              COMMAND's code, or 77 (CTest's skip code) with one line saying why it cannot run.
              emulated_nodes.py --check: only says whether this machine can host nodes (0 or 77).
              emulated_nodes.py --cleanup: removes what killed runs left behind.
Needs root, iproute2, util-linux (nsenter, unshare) and Open MPI. See README.md here.
"""

import argparse
import os
import random
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SKIP = 77
PREFIX = "mpimr-nodes"
NETNS_DIR = "/run/netns"
AGENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rsh_agent.sh")
# Namespaces are PREFIX-<creator pid>-<6 hex>-sw|n<i>, run folders PREFIX-<creator pid>-<6 hex>:
# the pid tells a live run's from one a kill -9 left behind.
OWNED = re.compile(rf"^{PREFIX}-(\d+)-[0-9a-f]{{6}}(-sw|-n\d+)?$")
# mpirun gets SIGKILL this long after its time limit's SIGTERM (a cut node can make it hang).
KILL_AFTER_S = 5


class Unavailable(Exception):
    """This machine cannot host emulated nodes; the message says why in one line."""


def missing_prerequisite():
    """Why emulated nodes cannot run here, or None when the tools are there (creating the first
    namespace is the last test, in EmulatedNodes)."""
    if os.geteuid() != 0:
        return f"emulated nodes need root (network namespaces); running as uid {os.geteuid()}"
    for tool, package in (("ip", "iproute2"), ("nsenter", "util-linux"), ("unshare", "util-linux"),
                          ("hostname", "hostname"), ("timeout", "coreutils"),
                          ("mpirun", "openmpi-bin")):
        if shutil.which(tool) is None:
            return f"emulated nodes need '{tool}' (Debian package {package}), not found"
    version = subprocess.run(["mpirun", "--version"], capture_output=True, text=True, timeout=60,
                             check=False)
    if "Open MPI" not in version.stdout + version.stderr:
        return "emulated nodes need Open MPI's mpirun (its plm_rsh_agent), not another MPI's"
    return None


def ip(*args, stdin=None):
    """Runs `ip ARGS`; returns (exit code, first line of stderr)."""
    proc = subprocess.run(["ip", *args], input=stdin, capture_output=True, text=True, timeout=60,
                          check=False)
    return proc.returncode, (proc.stderr.strip().splitlines() or [""])[0]


def ip_or_fail(*args, stdin=None):
    code, error = ip(*args, stdin=stdin)
    if code != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {error}")


def netns_pids(netns):
    """Processes inside a network namespace (`ip netns pids`); [] once it is gone."""
    proc = subprocess.run(["ip", "netns", "pids", netns], capture_output=True, text=True,
                          timeout=60, check=False)
    return [int(word) for word in proc.stdout.split()]


def kill_netns_processes(netns, limit_s=10):
    """SIGKILL to every process in the namespace until none is left; returns the pids killed.
    Zombies still count while their parent (outside) has not reaped them, so wait for that."""
    killed = []
    deadline = time.monotonic() + limit_s
    while True:
        pids = netns_pids(netns)
        if not pids:
            return killed
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                if pid not in killed:
                    killed.append(pid)
            except ProcessLookupError:
                pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"processes {pids} in {netns} survive SIGKILL")
        time.sleep(0.02)


def delete_netns(netns):
    """Ends what runs inside, then deletes the namespace (its veth ends and bridge with it)."""
    kill_netns_processes(netns)
    code, error = ip("netns", "delete", netns)
    if code != 0 and os.path.exists(os.path.join(NETNS_DIR, netns)):
        raise RuntimeError(f"ip netns delete {netns}: {error}")


def process_start(pid):
    """When process `pid` started (seconds since the epoch), or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as f:
            ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/stat", encoding="utf-8") as f:
            boot = next(int(line.split()[1]) for line in f if line.startswith("btime "))
    except (OSError, StopIteration, ValueError, IndexError):
        return None
    return boot + ticks / os.sysconf("SC_CLK_TCK")


def creator_gone(pid, folder):
    """Whether the run that made `folder` (PREFIX-<pid>-<tag>) has ended: no process `pid`, or
    one that started after the folder last changed, so a later process that got the same pid."""
    start = process_start(pid)
    if start is None:
        return True
    try:
        changed = os.stat(folder).st_ctime
    except OSError:
        return False  # cannot tell: leave it to the creator
    return start > changed + 1


def remove_stale():
    """Removes the namespaces and folders of runs whose creating process is gone (killed before
    its cleanup ran: kill -9, a test's time limit). Returns what it removed."""
    removed = []
    tmp = tempfile.gettempdir()
    names = os.listdir(NETNS_DIR) if os.path.isdir(NETNS_DIR) else []
    # Nodes first, the switch last: a node's veth end goes with the node. Folders after the
    # namespaces: a namespace's folder tells when its run was last alive.
    for netns in sorted(names, key=lambda name: name.endswith("-sw")):
        match = OWNED.match(netns)
        folder = os.path.join(tmp, netns[:-len(match.group(2))]) if match and match.group(2) else ""
        if folder and creator_gone(int(match.group(1)), folder):
            delete_netns(netns)
            removed.append(netns)
    for entry in os.listdir(tmp):
        match = OWNED.match(entry)
        folder = os.path.join(tmp, entry)
        if match and not match.group(2) and creator_gone(int(match.group(1)), folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def subnets_in_use():
    """/24 prefixes ("10.a.b") of live runs (their nodes files) and of this machine's own
    interfaces: a new run takes another, so that no two runs and no host network ever share one
    even by mistake (the namespaces keep them apart anyway)."""
    used = set()
    tmp = tempfile.gettempdir()
    for entry in os.listdir(tmp):
        match = OWNED.match(entry)
        if match and not match.group(2):
            try:
                with open(os.path.join(tmp, entry, "nodes"), encoding="utf-8") as f:
                    used.update(line.split()[0].rsplit(".", 1)[0] for line in f if line.strip())
            except OSError:
                pass
    proc = subprocess.run(["ip", "-o", "-4", "addr", "show"], capture_output=True, text=True,
                          timeout=60, check=False)
    used.update(re.findall(r"inet (\d+\.\d+\.\d+)\.\d+", proc.stdout))
    return used


class EmulatedNodes:
    """`count` nodes named node<i>-<pid>-<tag>, addresses 10.a.b.<i+1>/24 (a, b random, unused),
    `slots` slots each in the hostfile. Node 0 is the head: mpirun runs there. Everything is
    removed on leaving the `with` block, whatever happened inside it."""

    def __init__(self, count=3, slots=2):
        if not 1 <= count <= 32:
            raise ValueError(f"1 to 32 nodes, not {count}")
        self.count, self.slots = count, slots
        self.folder = None
        self.created = []  # namespaces made so far, in order
        self.setup_seconds = self.teardown_seconds = None

    def __enter__(self):
        started = time.monotonic()
        try:
            self._create()
        except BaseException:
            self.destroy()
            raise
        self.setup_seconds = time.monotonic() - started
        return self

    def __exit__(self, *exc):
        problems = self.destroy()
        if problems and exc[0] is None:
            raise RuntimeError("emulated nodes not removed: " + "; ".join(problems))

    def _claim(self):
        """A tag and subnet no live run uses; claims them by creating the run folder."""
        rng = random.SystemRandom()
        used = subnets_in_use()
        for _ in range(100):
            tag = f"{os.getpid()}-{rng.getrandbits(24):06x}"
            prefix = f"10.{rng.randint(64, 254)}.{rng.randint(0, 255)}"
            if prefix in used or os.path.exists(os.path.join(NETNS_DIR, f"{PREFIX}-{tag}-sw")):
                continue
            folder = os.path.join(tempfile.gettempdir(), f"{PREFIX}-{tag}")
            try:
                os.mkdir(folder, 0o700)
            except FileExistsError:
                continue
            return tag, prefix, folder
        raise RuntimeError("no free name and subnet for emulated nodes after 100 tries")

    def _create(self):
        reason = missing_prerequisite()
        if reason:
            raise Unavailable(reason)
        remove_stale()
        tag, prefix, self.folder = self._claim()
        self.tag = tag
        self.subnet = f"{prefix}.0/24"
        self.switch = f"{PREFIX}-{tag}-sw"
        self.namespaces = [f"{PREFIX}-{tag}-n{i}" for i in range(self.count)]
        self.names = [f"node{i}-{tag}" for i in range(self.count)]
        self.addresses = [f"{prefix}.{i + 1}" for i in range(self.count)]
        self.session = os.path.join(self.folder, "session")
        os.mkdir(self.session)

        code, error = ip("netns", "add", self.switch)
        if code != 0:
            raise Unavailable(f"cannot create a network namespace (ip netns add: {error})")
        self.created.append(self.switch)
        for netns in self.namespaces:
            ip_or_fail("netns", "add", netns)
            self.created.append(netns)
        # The switch: a bridge, and one veth pair per node whose other end is the node's eth0.
        # STP stays off, so ports forward at once.
        switch = ["link add br0 type bridge", "link set br0 up"]
        for i, netns in enumerate(self.namespaces):
            switch += [f"link add p{i} type veth peer name eth0 netns {netns}",
                       f"link set p{i} master br0 up"]
        ip_or_fail("-n", self.switch, "-batch", "-", stdin="\n".join(switch) + "\n")
        for netns, address in zip(self.namespaces, self.addresses):
            node = [f"addr add {address}/24 dev eth0", "link set eth0 up", "link set lo up"]
            ip_or_fail("-n", netns, "-batch", "-", stdin="\n".join(node) + "\n")

        self.hostfile = os.path.join(self.folder, "hostfile")
        with open(self.hostfile, "w", encoding="utf-8") as f:
            f.writelines(f"{name} slots={self.slots}\n" for name in self.names)
        self.nodes_file = os.path.join(self.folder, "nodes")
        with open(self.nodes_file, "w", encoding="utf-8") as f:
            f.writelines(f"{a} {n} {h}\n" for a, n, h in
                         zip(self.addresses, self.namespaces, self.names))
        # A link without spaces in its path: plm_rsh_agent is split at spaces into its arguments.
        self.agent = os.path.join(self.folder, "rsh_agent.sh")
        os.symlink(AGENT, self.agent)

    def destroy(self):
        """Removes everything this run made; returns the problems met (and carries on past them).
        Safe to call twice."""
        started = time.monotonic()
        problems = []
        # Nodes before the switch, so that no process keeps a node's namespace alive.
        for netns in sorted(self.created, key=lambda name: name == getattr(self, "switch", "")):
            try:
                delete_netns(netns)
            except (RuntimeError, OSError, subprocess.SubprocessError) as e:
                problems.append(str(e))
        self.created = []
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)
            if os.path.exists(self.folder):
                problems.append(f"cannot remove {self.folder}")
            self.folder = None
        self.teardown_seconds = time.monotonic() - started
        return problems

    def on_node(self, i, argv):
        """The command line that runs `argv` on node i: in its network namespace, with a UTS
        namespace of its own named after the node (Open MPI names its session folder after it)."""
        return ["nsenter", f"--net={NETNS_DIR}/{self.namespaces[i]}", "--", "unshare", "--uts",
                "--", "sh", "-c", 'hostname "$0" && exec "$@"', self.names[i], *argv]

    def mpirun_flags(self):
        """What mpirun needs to start its daemons on the nodes and to talk over their subnet: the
        agent for launching, TCP between nodes (shared memory within one), and a session folder of
        this run's (each node's under it is named after the node)."""
        return ["--hostfile", self.hostfile, "--allow-run-as-root", "--oversubscribe",
                "--bind-to", "none",
                "--mca", "plm_rsh_agent", f"{self.agent} {self.nodes_file}",
                # Daemons start no daemons: every launch goes from node 0 through the agent.
                "--mca", "plm_rsh_no_tree_spawn", "1",
                "--mca", "btl", "tcp,self,vader",
                "--mca", "btl_tcp_if_include", self.subnet,
                "--mca", "oob_tcp_if_include", self.subnet,
                "--mca", "orte_tmpdir_base", self.session]

    def mpirun_words(self, args, timeout_s):
        """`timeout -k ... mpirun FLAGS ARGS`, as run on node 0."""
        return ["timeout", "-k", str(KILL_AFTER_S), str(timeout_s), "mpirun",
                *self.mpirun_flags(), *args]

    def mpirun_command(self, args, timeout_s=120):
        """The whole command line: mpirun ARGS on node 0 under a time limit."""
        return self.on_node(0, self.mpirun_words(args, timeout_s))

    def processes(self, i):
        return netns_pids(self.namespaces[i])

    def kill_node(self, i):
        """SIGKILL to every process of node i (its Open MPI daemon and its ranks); returns the
        pids killed. The node's network stays up."""
        return kill_netns_processes(self.namespaces[i])


def exit_on_signals():
    """SIGTERM or SIGHUP end this process through its `with` blocks and so remove the nodes."""
    def leave(signum, _frame):
        sys.exit(128 + signum)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, leave)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=3)
    parser.add_argument("--slots", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=600,
                        help="seconds before {mpirun} is ended (SIGTERM, then SIGKILL)")
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--cleanup", action="store_true")
    argv = sys.argv[1:]
    command = argv[argv.index("--") + 1:] if "--" in argv else []
    opts = parser.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    if opts.cleanup:
        reason = missing_prerequisite()
        if reason:
            print(f"emulated_nodes: skipped: {reason}", file=sys.stderr)
            return SKIP
        for what in remove_stale():
            print(f"emulated_nodes: removed {what}", file=sys.stderr)
        return 0
    if not command and not opts.check:
        parser.error("give a COMMAND after '--', --check or --cleanup")
    if not 1 <= opts.nodes <= 32 or opts.slots < 1 or opts.timeout < 1:
        parser.error("--nodes 1..32, --slots and --timeout at least 1")
    exit_on_signals()
    try:
        with EmulatedNodes(opts.nodes, opts.slots) as nodes:
            code = 0 if opts.check else run_command(nodes, command, opts.timeout)
    except Unavailable as e:
        print(f"emulated_nodes: skipped: {e}", file=sys.stderr)
        return SKIP
    if opts.check:
        print(f"emulated_nodes: {opts.nodes} nodes made in {nodes.setup_seconds:.3f} s and "
              f"removed in {nodes.teardown_seconds:.3f} s", file=sys.stderr)
    else:
        print(f"emulated_nodes: removed in {nodes.teardown_seconds:.3f} s; exit code {code}",
              file=sys.stderr)
    return code


def run_command(nodes, command, timeout_s):
    """Runs `command` on node 0, {mpirun} expanded; returns its exit code (128 + N for signal N)."""
    mpirun = nodes.mpirun_words([], timeout_s)
    words = []
    for word in command:
        words += mpirun if word == "{mpirun}" else [word]
    env = dict(os.environ, MPIMR_NODES_HOSTFILE=nodes.hostfile,
               MPIMR_NODES_NAMES=" ".join(nodes.names), MPIMR_NODES_MPIRUN=shlex.join(mpirun))
    listing = ", ".join(f"{n} {a}" for n, a in zip(nodes.names, nodes.addresses))
    print(f"emulated_nodes: {listing} up in {nodes.setup_seconds:.3f} s; running on "
          f"{nodes.names[0]}: {shlex.join(words)}", file=sys.stderr)
    code = subprocess.run(nodes.on_node(0, words), env=env, check=False).returncode
    return 128 - code if code < 0 else code

if __name__ == "__main__":
    sys.exit(main())
