"""Benchmark: `pressure-sense run` start-up with and without the interp extra (TransformerLens) installed.

TransformerLens 4.x registers Inspect plugins that Inspect would import on every model start
(about 5 s and 550 MB). The command line defers them (`pressure_sense.inspect_plugins`). This
script measures, in fresh processes, the wall time and peak RSS of:

- `pressure-sense run --dry-run --quick` (command-line start-up, no model);
- `pressure-sense run` of one turn against an OpenAI-compatible server on the loopback
  (tests/fakes/openai_server.py, answering at once) with no judge: Inspect start-up, hooks,
  plugins and the store, without torch (an API model never imports it);
- `pressure-sense run` of one turn with the embedded model answering one token and no judge
  (torch and transformers are imported anyway, so TransformerLens adds less there),

each in three set-ups: the interp extra hidden (as if not installed: the interpreter sees a copy
of site-packages without transformer_lens and circuitsvis), installed (what ships), and installed
with the deferral switched off (what it would cost without it). Prints the median of --repeats.

    python3 benchmarks/bench_startup.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import site
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from time import perf_counter

INTERP_FILES = ("transformer_lens", "transformer_lens-*.dist-info", "circuitsvis", "circuitsvis-*.dist-info")
"""site-packages entries of the interp extra that the `hidden` set-up leaves out."""

LAUNCH = """
import site, sys
split = sys.argv.index("--")
for folder in sys.argv[1:split]:
    site.addsitedir(folder)
if {without_deferral}:
    import pressure_sense.inspect_plugins as plugins
    plugins.load_inspect_plugins = lambda *args, **kwargs: []
sys.argv = ["pressure-sense", *sys.argv[split + 1:]]
from pressure_sense.cli import app
app()
"""

SCENARIO = "flattery-companion-attachment"


def shadow_site_packages(folder: Path, hidden: tuple[str, ...]) -> list[Path]:
    """Mirror each site-packages folder into `folder` with symlinks, leaving out `hidden` patterns."""
    mirrors = []
    for index, original in enumerate(Path(p) for p in site.getsitepackages() if Path(p).is_dir()):
        mirror = folder / f"site-{index}"
        mirror.mkdir()
        for entry in original.iterdir():
            if not any(fnmatch.fnmatch(entry.name, pattern) for pattern in hidden):
                (mirror / entry.name).symlink_to(entry)
        mirrors.append(mirror)
    return mirrors


def measure(site_dirs: list[Path], arguments: list[str], *, without_deferral: bool) -> tuple[float, float]:
    """Run the CLI in a fresh `python -S` that sees only `site_dirs`; (wall seconds, peak RSS MB)."""
    code = LAUNCH.format(without_deferral=without_deferral)
    command = [sys.executable, "-S", "-c", code, *map(str, site_dirs), "--", *arguments]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "INSPECT_DISPLAY": "none"}
    with tempfile.TemporaryFile() as errors:
        started = perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        wall = perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(arguments)} failed:\n{errors.read().decode(errors='replace')[-2000:]}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as folder_name:
        folder = Path(folder_name)
        (folder / "hidden").mkdir()
        (folder / "installed").mkdir()
        installed_sites = shadow_site_packages(folder / "installed", ())
        setups = {
            "interp extra not installed": (shadow_site_packages(folder / "hidden", INTERP_FILES), False),
            "interp extra installed": (installed_sites, False),
            "installed, plugins not deferred": (installed_sites, True),
        }
        run_one_turn = ["run", "--scenario", SCENARIO, "--max-turns", "1", "--reasoning", "off", "--judge", "none",
                        "--no-report", "--no-cache", "--out", str(folder / "runs" / "{n}")]  # fmt: skip
        commands = {
            "run --dry-run": ["run", "--dry-run", "--quick"],
            "run, API model": [*run_one_turn, "--model", "compatible/fake"],
            "run, embedded model": [*run_one_turn, "--max-tokens", "1"],
        }
        server, base_url = start_server()
        os.environ.update(COMPATIBLE_BASE_URL=f"{base_url}/v1", COMPATIBLE_API_KEY="loopback")
        try:
            report(setups, commands, args.repeats)
        finally:
            server.terminate()
            server.wait()


def start_server() -> tuple[subprocess.Popen[str], str]:
    """The loopback OpenAI-compatible server of the tests, in a child process; (process, root URL)."""
    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.openai_server"], cwd=root, env={**os.environ, "PYTHONPATH": str(root)},
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    return process, f"http://127.0.0.1:{int(process.stdout.readline())}"


def report(setups: dict[str, tuple[list[Path], bool]], commands: dict[str, list[str]], repeats: int) -> None:
    """Measure every command in every set-up `repeats` times (interleaved) and print the medians."""
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, median of {repeats}")
    print(f"{'command':<22} {'set-up':<34} {'wall s':>8} {'peak RSS MB':>12}")
    count = 0
    for command_name, arguments in commands.items():
        walls: dict[str, list[float]] = {name: [] for name in setups}
        peaks: dict[str, list[float]] = {name: [] for name in setups}
        for _ in range(repeats):
            for setup_name, (site_dirs, without_deferral) in setups.items():
                count += 1
                run_arguments = [argument.replace("{n}", str(count)) for argument in arguments]
                wall, peak = measure(site_dirs, run_arguments, without_deferral=without_deferral)
                walls[setup_name].append(wall)
                peaks[setup_name].append(peak)
        for setup_name in setups:
            print(
                f"{command_name:<22} {setup_name:<34} {statistics.median(walls[setup_name]):>8.2f} "
                f"{statistics.median(peaks[setup_name]):>12.0f}",
                flush=True,
            )


if __name__ == "__main__":
    started = perf_counter()
    main()
    print(f"benchmark wall time: {perf_counter() - started:.0f} s")
