#!/usr/bin/env python3
"""A private Slurm on this machine for tests: its own munged (key, socket), slurmctld and one
slurmd per node, with a slurm.conf of its own (SLURM_CONF), ports free at run time and every file
in one run folder; all removed when the run ends, whatever happened.

As a module:  with LocalSlurm(cpus=4) as slurm: job = slurm.sbatch([...]); slurm.wait_job(job)
As a command: local_slurm.py [--cpus N] -- COMMAND...   runs COMMAND with SLURM_CONF set (sbatch,
              srun, ... talk to this Slurm), then removes it; exits with COMMAND's code, or 77
              (CTest's skip code) with one line saying why it cannot run.
              local_slurm.py --check: starts and removes a Slurm, says how long it took (0 or 77).
              local_slurm.py --cleanup: removes what killed runs left behind.
Needs root and Debian's slurmctld, slurmd, slurm-client and munge. See README.md here.
"""

import argparse
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "cluster"))
from emulated_nodes import creator_gone, exit_on_signals  # noqa: E402  (shared with tests/cluster)

SKIP = 77
PREFIX = "mpimr-slurm"
# Run folders are PREFIX-<creator pid>-<8 random characters> (mkdtemp): the pid tells a live
# run's from a killed one's.
OWNED = re.compile(rf"^{PREFIX}-(\d+)-[a-z0-9_]{{8}}$")
# Job states after which a job does nothing more (scontrol's JobState).
ENDED = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY",
         "PREEMPTED", "BOOT_FAIL", "DEADLINE"}
TOOLS = (("slurmctld", "slurmctld"), ("slurmd", "slurmd"), ("sbatch", "slurm-client"),
         ("srun", "slurm-client"), ("scontrol", "slurm-client"), ("scancel", "slurm-client"),
         ("sinfo", "slurm-client"), ("munged", "munge"), ("mungekey", "munge"),
         ("timeout", "coreutils"))
# A daemon or client that gets no answer waits this long (each call is under timeout -k too).
CALL_TIMEOUT_S = 30


class Unavailable(Exception):
    """This machine cannot run the private Slurm; the message says why in one line."""


def missing_prerequisite():
    """Why a local Slurm cannot run here, or None."""
    if os.geteuid() != 0:
        return f"local Slurm needs root (SlurmUser=root, own munged); running as uid {os.geteuid()}"
    for tool, package in TOOLS:
        if shutil.which(tool, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin") is None:
            return f"local Slurm needs '{tool}' (Debian package {package}), not found"
    return None


def tool(name):
    return shutil.which(name, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")


def free_port():
    """A TCP port nobody listens on now (the daemons bind it a moment later; a clash there makes
    the start fail and be retried with other ports)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def processes_with_conf(conf):
    """Pids of the processes whose environment holds SLURM_CONF=conf: the daemons, every
    slurmstepd they started and every job's processes (a job inherits the submitter's
    environment), so nothing a run started escapes its cleanup."""
    marker = b"\0SLURM_CONF=" + conf.encode() + b"\0"
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                environ = b"\0" + f.read()
        except OSError:
            continue
        if marker in environ:
            pids.append(int(entry))
    return pids


def kill_processes(conf, limit_s=10):
    """SIGKILL to every process of this Slurm until none is left; returns how many there were."""
    killed = set()
    deadline = time.monotonic() + limit_s
    while pids := processes_with_conf(conf):
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed.add(pid)
            except ProcessLookupError:
                pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"processes {pids} of {conf} survive SIGKILL")
        time.sleep(0.02)
    return len(killed)


def base_folder():
    """Where run folders go: /var/tmp, so that a node can get a private /tmp without losing
    the run folder (jobs' files live there, as on a cluster's shared file system)."""
    return "/var/tmp" if os.path.isdir("/var/tmp") else tempfile.gettempdir()


def remove_stale():
    """Kills the processes and removes the folders of runs whose creator is gone (kill -9, a
    test's time limit). Returns the folders removed."""
    removed = []
    base = base_folder()
    for entry in os.listdir(base):
        match = OWNED.match(entry)
        folder = os.path.join(base, entry)
        if match and creator_gone(int(match.group(1)), folder):
            kill_processes(os.path.join(folder, "slurm.conf"))
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def job_fields(text):
    """`scontrol -o show job` lines -> {job id: {field: value}} (values up to the next field;
    Command= and WorkDir= may hold spaces)."""
    jobs = {}
    for line in text.splitlines():
        fields = dict(re.findall(r"(?:^|\s)(\w[\w:/]*)=(.*?)(?=\s\w[\w:/]*=|$)", line))
        if "JobId" in fields:
            jobs[fields["JobId"]] = fields
    return jobs


class LocalSlurm:
    """A Slurm cluster in a run folder of its own, each node with `cpus` CPUs whatever the
    hardware has: one node, this machine under its host name; or, with `nodes` (an entered
    EmulatedNodes of tests/cluster), one node per emulated node, each slurmd in its node's
    network namespace under its host name, with a private /tmp and an /etc/hosts that names
    every node, and slurmctld on node 0. Everything is removed on leaving the `with` block.
    `env` is the environment for its clients and jobs; `run` runs a client where it reaches
    slurmctld."""

    def __init__(self, cpus=4, nodes=None):
        self.cpus = cpus
        self.emulated = nodes
        self.folder = None
        self.conf = None
        self.daemons = []
        self.start_seconds = self.stop_seconds = None

    def __enter__(self):
        reason = missing_prerequisite()
        if reason:
            raise Unavailable(reason)
        remove_stale()
        started = time.monotonic()
        try:
            for attempt in range(3):
                try:
                    self._start()
                    break
                except PortTaken:
                    self.destroy()
                    if attempt == 2:
                        raise
        except BaseException:
            self.destroy()
            raise
        self.start_seconds = time.monotonic() - started
        return self

    def __exit__(self, *exc):
        problems = self.destroy()
        if problems and exc[0] is None:
            raise RuntimeError("local Slurm not removed: " + "; ".join(problems))

    def _start(self):
        self.folder = tempfile.mkdtemp(prefix=f"{PREFIX}-{os.getpid()}-", dir=base_folder())
        # The munge socket's folder must be searchable by all (munged checks it).
        os.chmod(self.folder, 0o711)
        if self.emulated:
            self.names, self.addresses = self.emulated.names, self.emulated.addresses
        else:
            self.names, self.addresses = [socket.gethostname()], ["127.0.0.1"]
        self.node = self.names[0]
        for sub in ("munge", "state", "log", "tmp", "work",
                    *(f"spool/{name}" for name in self.names),
                    *(f"node-tmp/{name}" for name in self.names)):
            os.makedirs(os.path.join(self.folder, sub), mode=0o700)
        os.chmod(os.path.join(self.folder, "node-tmp"), 0o755)
        for name in self.names:
            os.chmod(os.path.join(self.folder, "node-tmp", name), 0o1777)
        with open("/etc/hosts", encoding="utf-8") as f:
            hosts = f.read()
        self.hosts = os.path.join(self.folder, "hosts")
        with open(self.hosts, "w", encoding="utf-8") as f:
            f.write(hosts + "".join(f"{a} {n}\n" for a, n in zip(self.addresses, self.names)))
        os.chmod(os.path.join(self.folder, "munge"), 0o711)
        self.conf = os.path.join(self.folder, "slurm.conf")
        # Slurm's TmpFS (PMIx's folders, named after the job) and the jobs' TMPDIR (Open MPI's):
        # the run's own folder on one node; each node's private /tmp on emulated nodes.
        self.tmp = "/tmp" if self.emulated else os.path.join(self.folder, "tmp")
        self.work = os.path.join(self.folder, "work")
        munge = os.path.join(self.folder, "munge")
        self.munge_socket = os.path.join(munge, "socket")
        # Jobs inherit this (sbatch exports the submitter's environment): SLURM_CONF ties every
        # process to this run; TMPDIR keeps Open MPI's session folders apart from other runs'.
        self.env = dict(os.environ, SLURM_CONF=self.conf, TMPDIR=self.tmp,
                        OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
        for name in [k for k in self.env if k.startswith(("SLURM_", "SBATCH_", "SRUN_"))]:
            if name != "SLURM_CONF":
                del self.env[name]  # a test run inside a Slurm job must not talk to that one

        self._call([tool("mungekey"), "--create", f"--keyfile={munge}/key"])
        self._daemon("munged", [tool("munged"), "--foreground", "--force",
                                f"--socket={self.munge_socket}", f"--key-file={munge}/key",
                                f"--pid-file={munge}/pid", f"--log-file={munge}/log",
                                f"--seed-file={munge}/seed"])
        self._wait_for(lambda: os.path.exists(self.munge_socket), "munged's socket")
        self.ctld_port, self.slurmd_port = free_port(), free_port()
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write(self.config())
        self._daemon("slurmctld", self.on_node(0, [tool("slurmctld"), "-D", "-i"]))
        for i, name in enumerate(self.names):
            self._daemon(f"slurmd-{name}", self.on_node(i, [tool("slurmd"), "-D", "-N", name]))
        self._wait_for(self._nodes_idle, "the node to be idle")

    def config(self):
        """slurm.conf: this run's ports, paths and munge socket; root runs everything; no
        cgroups (proctrack/linuxproc, task/none); PMIx for srun; a random first job id, so that
        names built from job ids (PMIx's and Open MPI's folders) differ between runs."""
        f = self.folder
        return "\n".join([
            f"ClusterName=mpimr{os.getpid()}",
            f"SlurmctldHost={self.node}({self.addresses[0]})",
            f"SlurmctldPort={self.ctld_port}",
            f"SlurmdPort={self.slurmd_port}",
            "SlurmUser=root", "SlurmdUser=root",
            "AuthType=auth/munge", "CredType=cred/munge",
            f"AuthInfo=socket={self.munge_socket}",
            f"StateSaveLocation={f}/state",
            f"SlurmdSpoolDir={f}/spool/%n",
            f"SlurmctldPidFile={f}/slurmctld.pid",
            f"SlurmdPidFile={f}/spool/%n/slurmd.pid",
            f"SlurmctldLogFile={f}/log/slurmctld.log",
            f"SlurmdLogFile={f}/log/slurmd-%n.log",
            f"TmpFS={self.tmp}",
            "ProctrackType=proctrack/linuxproc", "TaskPlugin=task/none",
            "MpiDefault=pmix",
            "SelectType=select/cons_tres", "SelectTypeParameters=CR_CPU",
            "SchedulerType=sched/builtin",
            "JobAcctGatherType=jobacct_gather/none",
            "AccountingStorageType=accounting_storage/none",
            "JobCompType=jobcomp/none",
            "MailProg=/bin/true",
            "ReturnToService=2",
            # Between SIGTERM and SIGKILL when a job is cancelled or runs out of time.
            "KillWait=5",
            f"FirstJobId={random.SystemRandom().randint(1000, 9_000_000)}",
            # The node claims `cpus` CPUs, more than this machine may have.
            "SlurmdParameters=config_overrides",
            *(f"NodeName={name} NodeAddr={address} CPUs={self.cpus} State=UNKNOWN"
              for name, address in zip(self.names, self.addresses)),
            "PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP",
            ""])

    def _daemon(self, name, argv):
        log = open(os.path.join(self.folder, "log", f"{name}.out"), "wb")
        self.daemons.append((name, subprocess.Popen(argv, env=self.env, stdin=subprocess.DEVNULL,
                                                    stdout=log, stderr=subprocess.STDOUT,
                                                    cwd=self.folder)))
        log.close()

    def _call(self, argv):
        proc = subprocess.run(argv, env=self.env, capture_output=True, text=True,
                              timeout=CALL_TIMEOUT_S, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)}: exit code {proc.returncode}: "
                               f"{proc.stderr.strip()}")
        return proc.stdout

    def _wait_for(self, ready, what, limit_s=30):
        deadline = time.monotonic() + limit_s
        while not ready():
            for name, proc in self.daemons:
                if proc.poll() is not None:
                    self._daemon_died(name, proc.returncode)
            if time.monotonic() > deadline:
                raise RuntimeError(f"local Slurm: no {what} after {limit_s} s; logs in "
                                   f"{self.folder}/log")
            time.sleep(0.05)

    def _daemon_died(self, name, code):
        logs = ""
        for entry in sorted(os.listdir(os.path.join(self.folder, "log"))):
            with open(os.path.join(self.folder, "log", entry), errors="replace") as f:
                logs += f"--- {entry}\n" + "".join(f.readlines()[-8:])
        if re.search(r"Address already in use|bind.*(failed|error)", logs, re.IGNORECASE):
            raise PortTaken(logs)
        raise RuntimeError(f"local Slurm: {name} exited with code {code}\n{logs}")

    def _nodes_idle(self):
        proc = subprocess.run(self.client([tool("sinfo"), "-h", "-N", "-o", "%N %T"]), env=self.env,
                              capture_output=True, text=True, timeout=CALL_TIMEOUT_S,
                              check=False)
        states = dict(line.split() for line in proc.stdout.splitlines() if line.strip())
        return proc.returncode == 0 and all(states.get(name) == "idle" for name in self.names)

    def destroy(self):
        """Kills every process of this run and removes its folder; returns the problems met.
        Safe to call twice."""
        started = time.monotonic()
        problems = []
        if self.conf:
            try:
                kill_processes(self.conf)
            except RuntimeError as e:
                problems.append(str(e))
        for _, proc in self.daemons:
            proc.wait()
        self.daemons = []
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)
            if os.path.exists(self.folder):
                problems.append(f"cannot remove {self.folder}")
            self.folder = None
        self.stop_seconds = time.monotonic() - started
        return problems

    def on_node(self, i, argv):
        """`argv` as a daemon of node i: as is on this machine; on an emulated node in its
        network namespace and a UTS and mount namespace of its own, with its host name, its
        private /tmp and the run's /etc/hosts (srun and slurmstepd look node names up)."""
        if not self.emulated:
            return argv
        netns = self.emulated.namespaces[i]
        return ["nsenter", f"--net=/run/netns/{netns}", "--", "unshare", "--uts", "--mount",
                "--propagation", "private", "--", "sh", "-c",
                'hostname "$0" && mount --bind "$1" /tmp && mount --bind "$2" /etc/hosts && '
                'shift 2 && exec "$@"',
                self.names[i], os.path.join(self.folder, "node-tmp", self.names[i]), self.hosts,
                *argv]

    # --- clients -----------------------------------------------------------------------------
    def client(self, argv):
        """`argv` where it reaches slurmctld: on emulated nodes, in node 0's network namespace."""
        if not self.emulated:
            return argv
        return ["nsenter", f"--net=/run/netns/{self.emulated.namespaces[0]}", "--", *argv]

    def run(self, argv, timeout_s=CALL_TIMEOUT_S, **kwargs):
        """A client command (sbatch, srun, ...) against this Slurm, under timeout -k."""
        return subprocess.run(self.client(["timeout", "-k", "5", str(timeout_s), *argv]),
                              env=self.env, capture_output=True, text=True,
                              timeout=timeout_s + 15, check=False, **kwargs)

    def sbatch(self, args, cwd=None):
        """Submits a job (`sbatch --parsable ARGS`); returns its id."""
        proc = self.run(["sbatch", "--parsable", *args], cwd=cwd or self.work)
        if proc.returncode != 0:
            raise RuntimeError(f"sbatch {' '.join(args)}: exit code {proc.returncode}: "
                               f"{proc.stderr.strip()}")
        return proc.stdout.strip().split(";")[0]

    def jobs(self):
        """Every job this Slurm knows: {job id: scontrol's fields}."""
        proc = self.run(["scontrol", "-o", "show", "job"])
        if proc.returncode != 0:
            raise RuntimeError(f"scontrol show job: {proc.stderr.strip()}")
        return job_fields(proc.stdout)

    def wait_job(self, job, limit_s=120, states=ENDED):
        """Polls until job `job` is in one of `states`; returns its fields."""
        deadline = time.monotonic() + limit_s
        while True:
            fields = self.jobs().get(job)
            if fields and fields["JobState"] in states:
                return fields
            if time.monotonic() > deadline:
                raise RuntimeError(f"job {job} not in {sorted(states)} after {limit_s} s: "
                                   f"{fields}")
            time.sleep(0.1)


class PortTaken(Exception):
    """A daemon could not bind its port (taken between our choice and its start)."""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--cpus", type=int, default=4)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--cleanup", action="store_true")
    argv = sys.argv[1:]
    command = argv[argv.index("--") + 1:] if "--" in argv else []
    opts = parser.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    reason = missing_prerequisite()
    if reason:
        print(f"local_slurm: skipped: {reason}", file=sys.stderr)
        return SKIP
    if opts.cleanup:
        for what in remove_stale():
            print(f"local_slurm: removed {what}", file=sys.stderr)
        return 0
    if not command and not opts.check:
        parser.error("give a COMMAND after '--', --check or --cleanup")
    if opts.cpus < 1:
        parser.error("--cpus at least 1")
    exit_on_signals()
    with LocalSlurm(opts.cpus) as slurm:
        if opts.check:
            code = 0
        else:
            print(f"local_slurm: up in {slurm.start_seconds:.2f} s (SLURM_CONF={slurm.conf})",
                  file=sys.stderr)
            code = subprocess.run(command, env=slurm.env, cwd=slurm.work, check=False).returncode
            code = 128 - code if code < 0 else code
    print(f"local_slurm: started in {slurm.start_seconds:.2f} s, removed in "
          f"{slurm.stop_seconds:.2f} s", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
