"""Measure the judge-quality pieces: importing the 2024 study, agreement statistics, and (optionally) judging.

    python3 benchmarks/bench_judge_check.py [--study-dir PATH] [--judge embedded --method logprob --limit 5]

Prints wall-clock seconds and peak RSS; judging is measured only when --judge is given.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import tempfile
import time
from pathlib import Path

DEFAULT_STUDY = Path(__file__).resolve().parents[2] / "shared" / "external" / "pressure-sense-2024"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--study-dir", type=Path, default=DEFAULT_STUDY)
    parser.add_argument("--judge", default=None)
    parser.add_argument("--method", default="auto")
    parser.add_argument("--limit", type=int, default=5)
    args = parser.parse_args()

    from pressure_sense.judge._records import DIMENSIONS
    from pressure_sense.judge_quality import dimension_agreement, import_transcripts, load_calibration, load_study_2024

    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        result = asyncio.run(import_transcripts([args.study_dir / "transcripts"], Path(folder) / "bench.sqlite"))
        print(f"import of {len(result.samples)} study transcripts: {time.perf_counter() - start:.2f} s")

    start = time.perf_counter()
    calibration = load_calibration()
    study = load_study_2024(args.study_dir)
    print(f"load calibration ({len(calibration.items)} items) + study-2024 ({len(study.items)}): {time.perf_counter() - start:.2f} s")

    labels = calibration.labels("alignment")
    start = time.perf_counter()
    for dimension in DIMENSIONS:
        dimension_agreement(dimension, labels[::-1], labels, resamples=2000)
    print(f"agreement table, 4 dimensions x {len(labels)} items x 2000 resamples: {time.perf_counter() - start:.2f} s")

    if args.judge:
        from pressure_sense.judge_quality import run_judge_check
        from pressure_sense.judge_quality._judges import conversation_judge
        from pressure_sense.judge_quality._runner import resolve_labelled

        subset = resolve_labelled("calibration", limit=args.limit)
        start = time.perf_counter()
        report = asyncio.run(run_judge_check([args.judge], subset, conversation_judge, method=args.method, resamples=200))
        elapsed = time.perf_counter() - start
        errors = max(row.errors for row in report.results[0].agreement)
        print(f"judge {args.judge} ({report.results[0].method}): {len(subset.items)} calibration items in {elapsed:.1f} s "
              f"({elapsed / len(subset.items):.1f} s/item, {errors} failed)")
    print(f"peak RSS: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
