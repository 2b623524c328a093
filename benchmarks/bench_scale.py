"""Benchmark: calls/s and CPU per call of the Ray executor with 1, 2 and 3 workers beside the in-process executor.

One run, against the loopback OpenAI-compatible server of the tests (tests/fakes/openai_server.py,
in its own process, its CPU not counted) at a latency short enough that one process is CPU-bound.
The same study (target and judge on the server, cache off) is played:

  in-process   `run_study` with the default executor, in this process, before Ray is started;
  ray xN       `run_study` with `executor: ray`, `workers: N`, on a local Ray instance started once
               here (num_cpus 3) and warmed up first (worker processes started, imports done).

For each: model calls (the server's count), wall seconds, calls/s, and CPU seconds of this process
and every process under it (Ray's GCS, raylet, workers, actors; sampled every 0.2 s) per call; then
the server's own CPU per call and how many of the machine's CPUs the study and server kept busy
together (near 2 on 2 cores: no CPU left to scale into).
Then `run --dry-run --quick` start-up in fresh processes with the ray extra hidden (as if not
installed) and installed (benchmarks/bench_startup.py's mirror of site-packages), median of --repeats.

    python benchmarks/bench_scale.py [--latency 0.05] [--scenarios 18] [--epochs 4] [--concurrency 48]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
RAY_FILES = ("ray", "ray-*.dist-info")


class TreeCPU:
    """CPU seconds used by this process and its descendants (except `exclude`) between start() and stop()."""

    def __init__(self, exclude: set[int]) -> None:
        self.exclude = exclude
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.kind: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _sample(self, into: dict[int, float], only_new: bool = False) -> None:
        me = psutil.Process()
        for process in [me, *me.children(recursive=True)]:
            if process.pid in self.exclude:
                continue
            try:
                times = process.cpu_times()
            except psutil.Error:
                continue
            total = times.user + times.system
            kind = _kind(process)  # a worker is titled by the shard it runs, an actor by its class: both stick
            if self.kind.get(process.pid, "ray") == "ray":
                self.kind[process.pid] = kind
            if not only_new or process.pid not in into:
                into[process.pid] = total
            elif total >= into[process.pid]:
                into[process.pid] = total

    def start(self) -> None:
        self._sample(self.first)
        self.last = dict(self.first)
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        while not self._stop.wait(0.2):
            self._sample(self.last, only_new=True)

    def stop(self) -> dict[str, float]:
        """CPU seconds by kind of process: driver, workers (shards), actors (permits, progress), ray (GCS, raylet, agents, idle workers)."""
        self._stop.set()
        assert self._thread is not None
        self._thread.join()
        self._sample(self.last, only_new=True)
        used = {"driver": 0.0, "workers": 0.0, "actors": 0.0, "ray": 0.0}
        for pid, total in self.last.items():
            used[self.kind[pid]] += total - self.first.get(pid, 0.0)
        return used


ACTOR_TITLES = ("ray::PermitBroker", "ray::ProgressBoard")


def _kind(process: psutil.Process) -> str:
    if process.pid == os.getpid():
        return "driver"
    try:
        title = " ".join(process.cmdline())
    except psutil.Error:
        return "ray"
    if title.startswith(ACTOR_TITLES):
        return "actors"
    if title.startswith("ray::pressure_sense_shard"):
        return "workers"
    return "ray"


def start_server(latency: float) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.openai_server", "--latency", str(latency)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    return process, f"http://127.0.0.1:{int(process.stdout.readline())}"


def server_calls(root: str) -> int:
    with urllib.request.urlopen(f"{root}/stats", timeout=10) as response:
        return int(json.load(response)["calls"])


def measure(name: str, experiment, out: Path, root: str, server_pid: int) -> dict[str, float | str]:
    from pressure_sense.study import run_study

    before = server_calls(root)
    server = psutil.Process(server_pid)
    server_before = sum(server.cpu_times()[:2])
    cpu = TreeCPU(exclude={server_pid})
    cpu.start()
    started = time.perf_counter()
    result = run_study(experiment, out=out, report=False, display="none")
    wall = time.perf_counter() - started
    used = cpu.stop()
    cpu_s = sum(used.values())
    server_s = sum(server.cpu_times()[:2]) - server_before
    calls = server_calls(root) - before
    if not result.ok:
        raise SystemExit(f"{name}: the study did not succeed: {result.failed_shards or [log.status for log in result.logs]}")
    row = {"name": name, "calls": calls, "wall_s": wall, "rate": calls / wall, "cpu_s": cpu_s, "cpu_ms": 1000 * cpu_s / calls}
    split = "  ".join(f"{kind} {1000 * value / calls:.2f}" for kind, value in used.items() if value > 0.005)
    cores = (cpu_s + server_s) / wall
    print(f"{name:<12} {calls:>6} {wall:>8.1f} {row['rate']:>8.1f} {cpu_s:>8.1f} {row['cpu_ms']:>10.2f}   {split}"
          f"   | server {1000 * server_s / calls:.2f} ms/call; all together {cores:.2f} of {os.cpu_count()} CPUs busy", flush=True)
    return row


def startup(repeats: int) -> None:
    from bench_startup import measure as measure_start
    from bench_startup import shadow_site_packages

    with tempfile.TemporaryDirectory(prefix="bench-scale-startup-") as folder_name:
        folder = Path(folder_name)
        (folder / "hidden").mkdir()
        (folder / "installed").mkdir()
        setups = {
            "ray extra not installed": shadow_site_packages(folder / "hidden", RAY_FILES),
            "ray extra installed": shadow_site_packages(folder / "installed", ()),
        }
        walls: dict[str, list[float]] = {name: [] for name in setups}
        peaks: dict[str, list[float]] = {name: [] for name in setups}
        for _ in range(repeats):
            for name, sites in setups.items():
                wall, peak = measure_start(sites, ["run", "--dry-run", "--quick"], without_deferral=False)
                walls[name].append(wall)
                peaks[name].append(peak)
        print(f"\nrun --dry-run --quick start-up, median of {repeats} (interleaved)")
        for name in setups:
            print(f"  {name:<26} {statistics.median(walls[name]):6.2f} s  {statistics.median(peaks[name]):6.0f} MB peak RSS")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--scenarios", type=int, default=18, help="library scenarios played (x 2 reasoning variants)")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--turns", type=int, default=6)
    parser.add_argument("--concurrency", type=int, default=48, help="conversations in flight = connection limit per model")
    parser.add_argument("--shard-size", type=int, default=6)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--repeats", type=int, default=3, help="start-up measurements per set-up")
    args = parser.parse_args()

    server, root = start_server(args.latency)
    os.environ.update(
        COMPATIBLE_BASE_URL=f"{root}/v1", COMPATIBLE_API_KEY="loopback", INSPECT_DISPLAY="none",
        HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
    )  # fmt: skip
    from pressure_sense.experiments import ExecutorSpec, Experiment
    from pressure_sense.inspect_plugins import load_inspect_plugins
    from pressure_sense.scenarios import load_scenarios

    load_inspect_plugins()
    scenarios = [scenario.id for scenario in load_scenarios()][: args.scenarios]

    def experiment(kind: str, workers: int | None = None, epochs: int = args.epochs) -> Experiment:
        return Experiment(
            targets=["compatible/fake"], judge="compatible/fake", scenarios=scenarios, max_turns=args.turns,
            epochs=epochs, concurrency=args.concurrency, cache=False,
            executor=ExecutorSpec(kind=kind, workers=workers, shard_size=args.shard_size),  # type: ignore[arg-type]
        )  # fmt: skip

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"{len(scenarios)} scenarios x 2 variants x {args.epochs} epochs, {args.turns} turns, judged; "
          f"latency {args.latency * 1000:.0f} ms, concurrency {args.concurrency}, shards of {args.shard_size} samples")
    print(f"{'executor':<12} {'calls':>6} {'wall s':>8} {'calls/s':>8} {'CPU s':>8} {'CPU ms/call':>10}   (ms/call by process)")
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-scale-") as folder_name:
            folder = Path(folder_name)
            rows.append(measure("in-process", experiment("local"), folder / "local", root, server.pid))
            import ray

            ray.init(num_cpus=max(args.workers), include_dashboard=False, log_to_driver=False, logging_level="ERROR",
                     object_store_memory=256 * 1024**2)  # fmt: skip
            from pressure_sense.study import run_study

            run_study(experiment("ray", max(args.workers), epochs=1), out=folder / "warm-up", report=False, display="none")
            for workers in args.workers:
                rows.append(measure(f"ray x{workers}", experiment("ray", workers), folder / f"ray{workers}", root, server.pid))
            ray.shutdown()
    finally:
        server.terminate()
        server.wait()
    base = rows[0]
    print("\nrelative to in-process:")
    for row in rows[1:]:
        print(f"  {row['name']:<10} calls/s x{row['rate'] / base['rate']:.2f}   CPU per call x{row['cpu_ms'] / base['cpu_ms']:.2f}")
    startup(args.repeats)


if __name__ == "__main__":
    main()
