"""What the app end-to-end tests share: failing with one line, launching an app under the MPI
launcher given after "--" with {np} and an app placeholder, and parsing such a command line."""
import subprocess
import sys


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def run(launcher, np, app_args, timeout, text):
    cmd = [part.replace("{np}", str(np)) for part in launcher] + app_args
    proc = subprocess.run(cmd, capture_output=True, text=text, timeout=timeout)
    return cmd, proc


def parse_with_launcher(parser, placeholder, app_path_option):
    """Parses `CHECK [options] -- LAUNCHER...`; returns (options, launcher with the app filled in).
    Split at "--" by hand: argparse.REMAINDER would swallow the options after CHECK too."""
    argv = sys.argv[1:]
    if "--" not in argv:
        parser.error("missing '--' before the launcher")
    split = argv.index("--")
    opts = parser.parse_args(argv[:split])
    launcher = argv[split + 1:]
    if placeholder not in launcher or not any("{np}" in part for part in launcher):
        parser.error(f"the launcher needs {{np}} and {placeholder} placeholders")
    app = getattr(opts, app_path_option)
    return opts, [app if part == placeholder else part for part in launcher]
