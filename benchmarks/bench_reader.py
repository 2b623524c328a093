"""The offline reader's cost: load time, seconds per judged turn, peak RSS.

Judges N matched-set answers (default 72, about one default study's turns) through the same
`Reader.read` a study uses, one turn per call as the study's scorer calls it and then in one batch.

Run: python benchmarks/bench_reader.py [--turns 72]
"""

from __future__ import annotations

import argparse
import resource
import time

from pressure_sense.judge import Reader
from pressure_sense.judge_quality._reader_data import matched_pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=72)
    args = parser.parse_args()
    pairs = [p.pair for p in matched_pairs()][: args.turns]
    started = time.perf_counter()
    reader = Reader()
    reader.net()
    loaded = time.perf_counter() - started
    started, cpu = time.perf_counter(), time.process_time()
    for pair in pairs:
        reader.read([pair])
    one_wall, one_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    reader.read(pairs)
    batch_wall, batch_cpu = time.perf_counter() - started, time.process_time() - cpu
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"reader load (MiniLM and the fine-tuned layer): {loaded:.2f} s")
    print(f"{len(pairs)} turns one at a time: {one_wall:.2f} s wall, {one_cpu:.2f} s CPU ({1000 * one_wall / len(pairs):.0f} ms a turn)")
    print(f"{len(pairs)} turns in one batch: {batch_wall:.2f} s wall, {batch_cpu:.2f} s CPU ({1000 * batch_wall / len(pairs):.0f} ms a turn)")
    print(f"peak RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()
