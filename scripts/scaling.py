#!/usr/bin/env python3
"""Scaling pictures of an mpimr app (run through scripts/scaling).

Usage:
  scripts/scaling [OPTIONS] APP [APP ARGS...]
  scripts/scaling --busy-wait REPORT.json [--out FILE.png]

Runs APP (one of apps/*) under mpirun at each rank count, --repeat times, the repeats interleaved
(1, 2, 4, 1, 2, 4, ...) so that a noisy moment does not land on one rank count only. Each run
gets --report-json: its compute time is the report's wall_seconds (the sum of the operations' wall
times, docs/run_report.md); the launch-inclusive time of mpirun is recorded too. Rank counts above
the cores are oversubscribed (mpirun --oversubscribe): said on stderr, in the table and in both
pictures.

Writes into DIR:
  scaling.csv, scaling.json  per rank count: medians and every repeat of the compute and wall
                             times, speedup and efficiency (speedup / ranks) of both
  speedup.png                speedup and efficiency against ranks, with the ideal line
  busy_wait.png              busy and wait seconds per rank of the widest run (the repeat with the
                             median compute time), drawn from busy_wait.json, a copy of its report
  reports/                   every run's report JSON (npR-K.json)
Speedup is over the smallest rank count R0: R0 x T(R0) / T(R) (just T(1) / T(R) when R0 is 1).
The app runs in the current folder, so its own outputs land where they would without this script.

Options (before APP; everything after APP goes to the app):
  --ranks LIST      comma-separated rank counts, e.g. 1,2,3,4 (default: 1, 2, 4, ... up to
                    --max-ranks)
  --max-ranks N     largest rank count of the default list (default: twice the cores); N itself is
                    run even when it is not a power of two
  --repeat K        runs per rank count; figures are medians (default 3)
  --out DIR         output folder, made if missing (default scaling-APP)
  --timeout S       seconds one run may take before it counts as failed (default: no limit)
  --build DIR       take the app from this build tree as it is (DIR/apps/APP): nothing is installed
                    or built. Without it, missing Debian packages are installed (scripts/lib.sh) and
                    APP is built in build/release (cmake --preset release)
  --busy-wait FILE  only draw the busy/wait chart of the report JSON FILE (any app's
                    --report-json) into --out (default: FILE with .png for .json)

Exit codes: 0 done; 2 bad usage (one line naming the bad value); 1 a run or the plotting failed
(one line: the rank count, the exit code and the last line of the app's stderr). Pictures are drawn
into a temporary file and renamed, so a failure leaves no half-made PNG.
"""

import json
import os
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROG = "scripts/scaling"
VALUE_OPTIONS = ("--ranks", "--max-ranks", "--repeat", "--out", "--timeout", "--build",
                 "--busy-wait")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SHADE = "#fdf0d5"  # oversubscribed region of speedup.png (tests/apps/scaling_test.py looks for it)
BUSY_COLOUR = "#3b75af"
WAIT_COLOUR = "#ef8636"


class Failure(Exception):
    """A one-line error and its exit code."""

    def __init__(self, message, code):
        super().__init__(message)
        self.code = code


def usage_error(message):
    return Failure(message, 2)


def printable(text, limit=60):
    """repr-like quoting of a user value, cut to `limit` characters."""
    text = str(text)
    if len(text) > limit:
        text = f"{text[:limit]}... ({len(text)} characters)"
    return repr(text)


# --- command line ---------------------------------------------------------------------------------

def split_command_line(argv):
    """(options {name: value}, app or None, app args). Options come before APP."""
    options, i = {}, 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            i += 1
            break
        if arg in ("-h", "--help"):
            options["help"] = True
            i += 1
            continue
        if not arg.startswith("-") or arg == "-":
            break
        name, has_value, value = arg.partition("=")
        if name not in VALUE_OPTIONS:
            raise usage_error(f"unknown option {printable(arg)} (see {PROG} --help)")
        if not has_value:
            if i + 1 >= len(argv):
                raise usage_error(f"{name} needs a value")
            value = argv[i + 1]
            i += 1
        if name in options:
            raise usage_error(f"{name} given twice")
        options[name] = value
        i += 1
    app = argv[i] if i < len(argv) else None
    return options, app, argv[i + 1:]


def positive_int(name, text):
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise usage_error(f"{name}: {printable(text)} is not a whole number >= 1")
    return int(text)


def rank_list(text):
    ranks = []
    for part in text.split(","):
        if not part.isascii() or not part.strip().isdigit() or int(part) < 1:
            raise usage_error(f"--ranks: {printable(part)} in {printable(text)} is not a rank "
                              "count (whole number >= 1)")
        if int(part) in ranks:
            raise usage_error(f"--ranks: {int(part)} is listed twice in {printable(text)}")
        ranks.append(int(part))
    return sorted(ranks)


def default_ranks(max_ranks):
    ranks, r = [], 1
    while r < max_ranks:
        ranks.append(r)
        r *= 2
    return ranks + [max_ranks]


def known_apps():
    apps_dir = os.path.join(ROOT, "apps")
    return sorted(d for d in os.listdir(apps_dir)
                  if os.path.isfile(os.path.join(apps_dir, d, "main.cpp")))


def writable_folder(path, what):
    """Makes folder `path` if missing and checks that a file can be made in it."""
    try:
        os.makedirs(path, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".scaling-check-"):
            pass
    except OSError as e:
        raise usage_error(f"{what}: cannot write in {printable(path)}: {e.strerror}") from None


# --- helpers from scripts/lib.sh ------------------------------------------------------------------

def lib_sh(code, *args, capture=True):
    """Runs `code` in bash after sourcing scripts/lib.sh; returns its stdout."""
    script = f'. "{ROOT}/scripts/lib.sh" && {code} "$@"'
    proc = subprocess.run(["bash", "-c", script, "lib.sh", *args], check=False, text=True,
                          stdout=subprocess.PIPE if capture else sys.stderr)
    if proc.returncode != 0:
        raise Failure(f"{code} (scripts/lib.sh) failed with exit code {proc.returncode}", 1)
    return proc.stdout.strip() if capture else ""


def app_in_build(build, app):
    for path in (os.path.join(build, "apps", app), os.path.join(build, "apps", app, app)):
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def build_app(app):
    """Installs missing packages and builds APP in build/release, as scripts/demo does."""
    lib_sh("mpimr_ensure_deps", capture=False)
    for cmd in (["cmake", "--preset", "release"],
                ["cmake", "--build", "--preset", "release", "--target", app]):
        # cmake's output goes to stderr: stdout is the table of figures.
        proc = subprocess.run(cmd, cwd=ROOT, stdout=sys.stderr, check=False)
        if proc.returncode != 0:
            raise Failure(f"{shlex.join(cmd)} failed with exit code {proc.returncode}", 1)
    return app_in_build(os.path.join(ROOT, "build", "release"), app)


def find_gnuplot():
    gnuplot = shutil.which("gnuplot") or shutil.which("gnuplot-nox")
    if not gnuplot:
        raise Failure("gnuplot not found (Debian: apt-get install gnuplot-nox; scripts/scaling "
                      "without --build installs it)", 1)
    return gnuplot


# --- runs -----------------------------------------------------------------------------------------

def last_line(text):
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].strip() if lines else "(nothing on stderr)"


def run_once(launch, app_path, app_args, report, timeout, where):
    """One mpirun; returns (compute seconds from the report, wall seconds, the report)."""
    cmd = launch + [app_path, "--report-json", report] + app_args
    env = dict(os.environ)
    env.pop("MPIMR_REPORT", None)  # --report-json wins anyway; no table on stderr either
    # A session folder per launch: several Open MPI mpiruns at once can collide in /tmp.
    with tempfile.TemporaryDirectory(prefix="mpimr-scaling-") as session:
        env["TMPDIR"] = session
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, env=env, text=True,
                                start_new_session=True)
        try:
            _, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # mpirun and the ranks it started
            proc.communicate()
            raise Failure(f"{where} did not finish within {timeout:g} s: {shlex.join(cmd)}",
                          1) from None
        wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise Failure(f"{where} failed with exit code {proc.returncode}: {last_line(stderr)} "
                      f"(command: {shlex.join(cmd)})", 1)
    try:
        with open(report, encoding="utf-8") as f:
            data = json.load(f)
        compute = float(data["wall_seconds"])
        rank_count, operations = int(data["rank_count"]), int(data["operations"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise Failure(f"{where} left no usable report {printable(report)}: {e}", 1) from None
    if operations < 1:
        raise Failure(f"{where}: its report {printable(report)} counts no operation", 1)
    if rank_count != int(launch[launch.index("-np") + 1]):
        raise Failure(f"{where}: its report {printable(report)} has rank_count {rank_count}", 1)
    return compute, wall, data


def study(app, app_path, app_args, ranks, repeat, out, timeout):
    cores = int(lib_sh("mpimr_cores"))
    version = subprocess.run(["mpirun", "--version"], capture_output=True, text=True, check=False)
    is_open_mpi = "Open MPI" in version.stdout + version.stderr
    launch = {}
    for r in ranks:
        flags = lib_sh("mpimr_mpirun_flags", str(r)).split()
        # -q: without it Open MPI ends a failed run's stderr with a banner instead of the app's line
        launch[r] = ["mpirun", "-np", str(r)] + flags + (["-q"] if is_open_mpi else [])
    over = [r for r in ranks if r > cores]
    if over:
        print(f"{PROG}: oversubscribed: {', '.join(map(str, over))} rank(s) on {cores} cores "
              "(more ranks than cores: they take turns, times there are not a scaling measure "
              "of the app alone)", file=sys.stderr)
    reports = os.path.join(out, "reports")
    os.makedirs(reports, exist_ok=True)
    runs = {r: [] for r in ranks}  # r -> [(compute, wall, report path)]
    for k in range(1, repeat + 1):
        for r in ranks:
            where = f"{app} at {r} rank(s) (repeat {k} of {repeat})"
            report = os.path.join(reports, f"np{r}-{k}.json")
            compute, wall, _ = run_once(launch[r], app_path, app_args, report, timeout, where)
            runs[r].append((compute, wall, report))
            print(f"{PROG}: {where}: compute {compute:.3f} s, wall {wall:.3f} s"
                  + (" (oversubscribed)" if r > cores else ""), file=sys.stderr)
    return cores, runs


def figures(ranks, runs, cores):
    base = ranks[0]
    base_compute = statistics.median(c for c, _, _ in runs[base])
    base_wall = statistics.median(w for _, w, _ in runs[base])
    rows = []
    for r in ranks:
        compute = [c for c, _, _ in runs[r]]
        wall = [w for _, w, _ in runs[r]]
        row = {"ranks": r, "oversubscribed": r > cores,
               "compute_seconds_median": statistics.median(compute),
               "wall_seconds_median": statistics.median(wall),
               "compute_seconds": compute, "wall_seconds": wall}
        row["speedup"] = base * base_compute / row["compute_seconds_median"]
        row["efficiency"] = row["speedup"] / r
        row["wall_speedup"] = base * base_wall / row["wall_seconds_median"]
        row["wall_efficiency"] = row["wall_speedup"] / r
        rows.append(row)
    return rows


def median_run(runs):
    """The run whose compute time is nearest the median (the lower one of a tie)."""
    median = statistics.median(c for c, _, _ in runs)
    return min(runs, key=lambda run: (abs(run[0] - median), run[0]))


# --- files ----------------------------------------------------------------------------------------

def publish(tmp, path):
    """Renames the finished temporary file `tmp` to `path`, with the mode a new file would get."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, path)


def write_whole(path, text):
    """Writes `text` to a temporary file next to `path`, then renames it over `path`."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)),
                               prefix=f".{os.path.basename(path)}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        publish(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def csv_text(rows):
    columns = ["ranks", "oversubscribed", "compute_seconds_median", "wall_seconds_median",
               "speedup", "efficiency", "wall_speedup", "wall_efficiency", "compute_seconds",
               "wall_seconds"]
    lines = [",".join(columns)]
    for row in rows:
        cells = []
        for name in columns:
            value = row[name]
            if isinstance(value, bool):
                cells.append("yes" if value else "no")
            elif isinstance(value, list):  # every repeat, space-separated
                cells.append(" ".join(f"{v:.10g}" for v in value))
            elif isinstance(value, float):
                cells.append(f"{value:.10g}")
            else:
                cells.append(str(value))
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


def print_table(rows, cores):
    print(f"{'ranks':>5}  {'compute_s':>9}  {'wall_s':>8}  {'speedup':>7}  {'efficiency':>10}  "
          f"{'wall_speedup':>12}")
    for row in rows:
        mark = "  oversubscribed" if row["oversubscribed"] else ""
        print(f"{row['ranks']:>5}  {row['compute_seconds_median']:>9.3f}  "
              f"{row['wall_seconds_median']:>8.3f}  {row['speedup']:>7.3f}  "
              f"{row['efficiency']:>10.3f}  {row['wall_speedup']:>12.3f}{mark}")
    print(f"({cores} cores; compute = the report's wall_seconds, wall = the whole mpirun)")


# --- pictures (gnuplot) ---------------------------------------------------------------------------

def gp_string(text):
    """A gnuplot single-quoted string (no escapes inside; a quote is doubled)."""
    return "'" + str(text).replace("'", "''") + "'"


def gp_lines(*lines):
    """A gnuplot string expression of several lines (titles)."""
    return ' . "\\n" . '.join(gp_string(line) for line in lines)


def draw(gnuplot, script, data, path):
    """Runs a gnuplot script drawing into a temporary file, then renames it to `path`. The script
    reads its data from the file named by {data}, and writes to {output}."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".png")
    os.close(fd)
    try:
        with tempfile.TemporaryDirectory(prefix="mpimr-gnuplot-") as work:
            data_file = os.path.join(work, "data.txt")
            with open(data_file, "w", encoding="utf-8") as f:
                f.write(data)
            script_file = os.path.join(work, "plot.gp")
            with open(script_file, "w", encoding="utf-8") as f:
                f.write(script.replace("{data}", gp_string(data_file))
                        .replace("{output}", gp_string(tmp)))
            proc = subprocess.run([gnuplot, script_file], capture_output=True, text=True,
                                  check=False)
        with open(tmp, "rb") as f:
            head = f.read(len(PNG_SIGNATURE))
        if proc.returncode != 0 or head != PNG_SIGNATURE:
            raise Failure(f"gnuplot failed to draw {printable(path)} (exit code "
                          f"{proc.returncode}): {last_line(proc.stderr)}", 1)
        publish(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def cut(text, limit=90):
    return text if len(text) <= limit else text[:limit - 3] + "..."


def draw_speedup(gnuplot, rows, cores, titles, path):
    ranks = [row["ranks"] for row in rows]
    low, high = ranks[0], ranks[-1]
    log = high / low >= 16
    top_speedup = max([high] + [row["speedup"] for row in rows]
                      + [row["wall_speedup"] for row in rows])
    top_efficiency = max([1.0] + [row["efficiency"] for row in rows]
                         + [row["wall_efficiency"] for row in rows])
    lines = [
        "set terminal pngcairo noenhanced size 900,600 font 'DejaVu Sans,10'",
        "set output {output}",
        f"set title {gp_lines(*titles)}",
        "set xlabel 'ranks (MPI processes)'",
        f"set ylabel {gp_string(f'speedup over {low} rank(s)')}",
        "set y2label 'parallel efficiency (speedup / ranks)'",
        "set xtics (" + ", ".join(f"'{r}' {r}" for r in ranks) + ")",
        "set ytics nomirror",
        f"set y2range [0:{top_efficiency * 1.15:.3f}]",
        "set y2tics",
        "set grid",
        "set key outside below center horizontal maxrows 2 height 0.5",
        "set datafile separator whitespace",
    ]
    if log:
        lines += ["set logscale xy 2", f"set xrange [{low / 1.25}:{high * 1.25}]",
                  f"set yrange [{min(r['speedup'] for r in rows) / 1.5}:{top_speedup * 1.5}]"]
    else:
        lines += [f"set xrange [{low - 0.5}:{high + 0.5}]",
                  f"set yrange [0:{top_speedup * 1.15:.3f}]"]
    if high > cores:
        edge = cores + 0.5  # every rank count right of it is more than the cores
        lines += [
            f"set object 1 rectangle from first {edge}, graph 0 to graph 1, graph 1 behind "
            f"fillcolor rgb '{SHADE}' fillstyle solid 1.0 noborder",
            f"set arrow 1 from first {edge}, graph 0 to first {edge}, graph 1 nohead "
            "dashtype 2 linecolor rgb '#666666'",
            f"set label 1 {gp_string(f'oversubscribed: more ranks than cores ({cores})')} "
            f"at first {edge}, graph 0.04 left offset 0.8,0 textcolor rgb '#444444'",
        ]
    lines += [
        "plot x with lines dashtype 2 linecolor rgb '#777777' title 'ideal speedup', \\",
        "  {data} using 1:2 with linespoints pointtype 7 pointsize 1.3 linewidth 2 "
        "linecolor rgb '#1f5fa0' title 'speedup: compute (report wall_seconds)', \\",
        "  {data} using 1:2:(sprintf('%.2f', $2)) with labels offset 0,1.1 "
        "textcolor rgb '#1f5fa0' notitle, \\",
        "  {data} using 1:3 with linespoints pointtype 5 linewidth 1 linecolor rgb '#2a9d3a' "
        "title 'speedup: wall time incl. mpirun launch', \\",
        "  {data} using 1:4 axes x1y2 with linespoints pointtype 9 dashtype 3 linewidth 2 "
        "linecolor rgb '#c0392b' title 'efficiency: compute (right axis)'",
    ]
    data = "".join(f"{row['ranks']} {row['speedup']:.6f} {row['wall_speedup']:.6f} "
                   f"{row['efficiency']:.6f}\n" for row in rows)
    draw(gnuplot, "\n".join(lines) + "\n", data, path)


def load_report(path):
    """The report JSON at `path`, checked for what the busy/wait chart needs."""
    try:
        with open(path, encoding="utf-8") as f:
            report = json.load(f)
    except OSError as e:
        raise usage_error(f"--busy-wait: cannot read {printable(path)}: {e.strerror}") from None
    except ValueError as e:
        raise usage_error(f"--busy-wait: {printable(path)} is not JSON: {e}") from None
    ranks = report.get("ranks") if isinstance(report, dict) else None
    if not isinstance(ranks, list) or not ranks:
        raise usage_error(f"--busy-wait: {printable(path)} has no 'ranks' list of a run report "
                          "(docs/run_report.md)")
    for i, rank in enumerate(ranks):
        for field in ("busy_seconds", "wait_seconds"):
            value = rank.get(field) if isinstance(rank, dict) else None
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise usage_error(f"--busy-wait: {printable(path)}: ranks[{i}] has no "
                                  f"non-negative {field}")
    return report


def draw_busy_wait(gnuplot, report, name, path, cores=None):
    ranks = report["ranks"]
    n = len(ranks)
    hosts = report.get("hosts") or []
    title = f"{name}: {n} rank(s)"
    if hosts:
        title += f" on {len(hosts)} host(s)"
    if cores is not None and n > cores:
        title += f", oversubscribed: more ranks than the {cores} cores"
    facts = []
    for field, text in (("operations", "{} operation(s)"), ("schedule", "schedule {}"),
                        ("wall_seconds", "wall {:.3f} s"),
                        ("load_imbalance", "load imbalance {:.3f}"),
                        ("parallel_efficiency", "parallel efficiency {:.3f}")):
        value = report.get(field)
        if isinstance(value, (int, float, str)) and not isinstance(value, bool) and value != "":
            facts.append(text.format(value))
    step = max(1, n // 32)  # at most about 32 rank numbers under the bars
    width = max(820, min(1600, 160 + 28 * n))
    script = "\n".join([
        f"set terminal pngcairo noenhanced size {width},520 font 'DejaVu Sans,10'",
        "set output {output}",
        f"set title {gp_lines(cut(title, 100), ', '.join(facts))}",
        "set style data histograms",
        "set style histogram rowstacked",
        "set style fill solid 1.0 border rgb '#333333'",
        "set boxwidth 0.75",
        "set xlabel 'rank'",
        "set ylabel 'seconds'",
        "set yrange [0:*]",
        "set grid ytics",
        "set key outside below center horizontal height 0.5",
        f"plot {{data}} using 2:xtic(int($1) % {step} == 0 ? stringcolumn(1) : '') "
        f"linecolor rgb '{BUSY_COLOUR}' title 'busy: inside the operation bodies', \\",
        f"  '' using 3 linecolor rgb '{WAIT_COLOUR}' "
        "title 'wait: hand-outs, exchanges, collectives, idling at the end'",
    ]) + "\n"
    data = "".join(f"{rank.get('rank', i)} {rank['busy_seconds']:.9f} {rank['wait_seconds']:.9f}\n"
                   for i, rank in enumerate(ranks))
    draw(gnuplot, script, data, path)


# --- main -----------------------------------------------------------------------------------------

def busy_wait_only(options, app):
    extra = sorted(set(options) - {"--busy-wait", "--out"})
    if extra or app is not None:
        raise usage_error("--busy-wait takes only --out (got "
                          f"{printable(' '.join(extra) or app)})")
    report_path = options["--busy-wait"]
    out = options.get("--out")
    if out is None:
        out = (report_path[:-5] if report_path.endswith(".json") else report_path) + ".png"
    report = load_report(report_path)
    folder = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(folder):
        raise usage_error(f"--out: no folder {printable(folder)}")
    writable_folder(folder, "--out")
    draw_busy_wait(find_gnuplot(), report, os.path.basename(report_path), out)
    print(f"wrote {out}: busy and wait seconds of {len(report['ranks'])} rank(s)")


def main(argv):
    options, app, app_args = split_command_line(argv)
    if options.get("help"):
        print(__doc__.strip())
        return 0
    if "--busy-wait" in options:
        busy_wait_only(options, app)
        return 0
    if app is None:
        raise usage_error(f"no app given (one of: {', '.join(known_apps())}); see {PROG} --help")
    if app not in known_apps():
        raise usage_error(f"unknown app {printable(app)} (one of: {', '.join(known_apps())})")
    for arg in app_args:
        if arg.split("=")[0] == "--report-json":
            raise usage_error(f"{printable(arg)}: {PROG} gives each run its own --report-json")
    if "--ranks" in options and "--max-ranks" in options:
        raise usage_error("--ranks and --max-ranks: give one of them")
    ranks = rank_list(options["--ranks"]) if "--ranks" in options else None
    max_ranks = positive_int("--max-ranks", options["--max-ranks"]) \
        if "--max-ranks" in options else None
    repeat = positive_int("--repeat", options.get("--repeat", "3"))
    timeout = None
    if "--timeout" in options:
        try:
            timeout = float(options["--timeout"])
        except ValueError:
            timeout = -1.0
        if not 0 < timeout < float("inf"):
            raise usage_error(f"--timeout: {printable(options['--timeout'])} is not a number of "
                              "seconds > 0")
    out = options.get("--out", f"scaling-{app}")
    writable_folder(out, "--out")

    if "--build" in options:
        build = options["--build"]
        if not os.path.isdir(build):
            raise usage_error(f"--build: no folder {printable(build)}")
        app_path = app_in_build(build, app)
        if app_path is None:
            raise usage_error(f"--build: no app {printable(app)} in {printable(build)} (build "
                              f"it: cmake --build {shlex.quote(build)} --target {app})")
    else:
        app_path = build_app(app)
        if app_path is None:
            raise Failure(f"{app} was built but is not in build/release/apps", 1)
    gnuplot = find_gnuplot()
    if ranks is None:
        ranks = default_ranks(max_ranks or 2 * int(lib_sh("mpimr_cores")))

    cores, runs = study(app, os.path.abspath(app_path), app_args, ranks, repeat, out, timeout)
    rows = figures(ranks, runs, cores)
    widest = median_run(runs[ranks[-1]])
    shutil.copyfile(widest[2], os.path.join(out, "busy_wait.json"))
    with open(widest[2], encoding="utf-8") as f:
        widest_report = json.load(f)
    command = shlex.join([app] + app_args)
    summary = {
        "app": app, "app_args": app_args, "cores": cores, "repeat": repeat,
        "baseline_ranks": ranks[0], "mpimr_version": widest_report.get("mpimr_version"),
        "hosts": widest_report.get("hosts"),
        "busy_wait_report": "busy_wait.json",
        "busy_wait_source": os.path.relpath(widest[2], out),
        "rows": [dict(row, reports=[os.path.relpath(p, out) for _, _, p in runs[row["ranks"]]])
                 for row in rows],
    }
    write_whole(os.path.join(out, "scaling.json"), json.dumps(summary, indent=2) + "\n")
    write_whole(os.path.join(out, "scaling.csv"), csv_text(rows))
    titles = (cut(command, 120), f"median of {repeat} run(s) per rank count, {cores} cores, "
              f"mpimr {summary['mpimr_version']}")
    draw_speedup(gnuplot, rows, cores, titles, os.path.join(out, "speedup.png"))
    draw_busy_wait(gnuplot, widest_report, app,
                   os.path.join(out, "busy_wait.png"), cores)
    print_table(rows, cores)
    print(f"wrote {os.path.join(out, 'scaling.csv')}, scaling.json, speedup.png, busy_wait.png "
          "and reports/", file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Failure as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        sys.exit(e.code)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:  # e.g. --help | head
        sys.exit(1)
