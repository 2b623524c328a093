"""Benchmark: build the HTML report from a synthetic store of 10,000 conversations x 8 turns.

Prints the wall time of writing the store and of building the report (with its stages), the
report's size, and the peak RSS of each (the store is written in a child process so the report's
peak is its own). Target (issue 3): report under 20 s and under 1.5 GB.

    python3 benchmarks/bench_report.py [--conversations 10000] [--turns 8] [--keep DIR]
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the synthetic-store builder lives with the tests (tests/store/synthetic.py)

MODELS = ("model-a", "model-b", "model-c", "model-d")
SCENARIOS = ("scenario-1", "scenario-2", "scenario-3", "scenario-4", "scenario-5")


def _write_store(db: Path, conversations: int, turns: int) -> None:
    from tests.store.synthetic import write_synthetic_store

    write_synthetic_store(db, conversations, turns, models=MODELS, scenarios=SCENARIOS, seed=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--turns", type=int, default=8)
    parser.add_argument("--keep", type=Path, default=None, help="Write here and keep the files.")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        run(args.keep, args.conversations, args.turns)
        print(f"files kept in {args.keep}")
    else:
        with tempfile.TemporaryDirectory(prefix="bench-report-") as folder:
            run(Path(folder), args.conversations, args.turns)


def run(folder: Path, conversations: int, turns: int) -> None:
    """Write the store in a child process, build the report here, print the figures."""
    db = folder / "results.sqlite"
    db.unlink(missing_ok=True)

    started = time.perf_counter()
    child = multiprocessing.get_context("spawn").Process(target=_write_store, args=(db, conversations, turns))
    child.start()
    child.join()
    if child.exitcode != 0:
        raise SystemExit(f"writing the synthetic store failed (exit code {child.exitcode})")
    store_s = time.perf_counter() - started
    store_peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    from pressure_sense.report import build_report

    started = time.perf_counter()
    result = build_report([db], folder / "report.html")
    report_s = time.perf_counter() - started
    report_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(
        f"synthetic store: {conversations} conversations x {turns} turns, "
        f"{len(MODELS)} models x {len(SCENARIOS)} scenarios x 2 variants; {db.stat().st_size / 1e6:.0f} MB"
    )
    print(f"store build:  {store_s:6.1f} s wall, peak RSS {store_peak_mb:6.0f} MB (child process)")
    print(f"report build: {report_s:6.1f} s wall, peak RSS {report_peak_mb:6.0f} MB (this process, imports included)")
    print("  stages: " + ", ".join(f"{stage} {seconds:.1f} s" for stage, seconds in result.timings.items()))
    print(
        f"  html {result.html.stat().st_size / 1e6:.1f} MB, {len(result.charts)} charts, "
        f"{result.n_embedded} of {result.n_conversations} conversations embedded"
    )
    print(f"target: report < 20 s and < 1500 MB -> {'met' if report_s < 20 and report_peak_mb < 1500 else 'NOT met'}")


if __name__ == "__main__":
    main()
