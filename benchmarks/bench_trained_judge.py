"""Measure the trained offline judge: grouped cross-validation on the reference set, scoring speed, memory.

    PYTHONPATH=src python3 benchmarks/bench_trained_judge.py [--labels PATH ...] [--resamples 2000] [--no-cv]

Prints the leave-one-family-out table (Spearman, quadratic kappa, exact, within-1, MAE with 95% CIs
resampling conversations; AUROCs), then the shipped judge's load time, the time to score 72 turns
(about one default study: 6 scenarios x 2 variants x up to 6 turns) cold and warm, turns per second,
and peak RSS.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--labels", type=Path, nargs="*", default=None, help="labelled turn files or folders (default: built-in set)")
    parser.add_argument("--resamples", type=int, default=2000)
    parser.add_argument("--no-cv", action="store_true", help="only measure scoring speed")
    parser.add_argument("--turns", type=int, default=72)
    args = parser.parse_args()

    from rich.console import Console

    from pressure_sense.judge._features import SentenceEmbedder, turn_features
    from pressure_sense.judge._trained import load_trained_judge
    from pressure_sense.judge_quality._reference import load_reference
    from pressure_sense.judge_quality._trained_cv import cross_validate
    from pressure_sense.judge_quality._trained_tables import auroc_table, cross_validation_table, family_table, validation_title

    console = Console(highlight=False, width=150)
    turns = load_reference(args.labels)
    if not args.no_cv:
        embedder = SentenceEmbedder()
        start = time.perf_counter()
        features = turn_features([t.text for t in turns], embedder)
        print(f"features of {len(turns)} turns (MiniLM load + embeddings): {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        validation = cross_validate(turns, features=features, resamples=args.resamples)
        print(f"leave-one-family-out CV ({validation.counts['families']} folds, nested penalty choice) + bootstrap: "
              f"{time.perf_counter() - start:.1f} s")
        console.print(cross_validation_table(validation, validation_title(validation)))
        console.print(auroc_table(validation))
        console.print(family_table(validation))

    sample = [t.text for t in turns[: args.turns]]
    start = time.perf_counter()
    judge = load_trained_judge()
    loaded = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
    judge.score(sample)
    cold, cold_cpu = time.perf_counter() - start, time.process_time() - cpu
    fresh = load_trained_judge()
    fresh.embedder._model = judge.embedder._model
    start, cpu = time.perf_counter(), time.process_time()
    fresh.score(sample)
    warm, warm_cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"load judge file: {loaded:.2f} s")
    print(f"score {len(sample)} turns, first call (loads MiniLM): {cold:.2f} s wall, {cold_cpu:.2f} s CPU")
    print(f"score {len(sample)} turns, model loaded, embeddings not cached: {warm:.2f} s wall ({len(sample) / warm:.0f} turns/s), "
          f"{warm_cpu:.2f} s CPU ({len(sample) / warm_cpu:.0f} turns per CPU second)")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"peak RSS: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
