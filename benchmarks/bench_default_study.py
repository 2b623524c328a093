"""The default study on the embedded model, end to end: wall time, peak RSS, model calls, tokens/s.

Runs `pressure-sense run` (as `run_study`) with the default settings, or the `--quick`
preset, into a temporary folder with the response cache off, so every call is generated; once per
`--judge` (default: none, then the trained judge, then the SmolLM2 judge), so judging's share of the
study's time is the difference to the unjudged run, and the judges are compared in one run.
Then, from the same script, the embedded provider's batched against one-at-a-time
generation speed on a fixed workload (benchmarks/bench_generation.py).

With `--max-tokens N` the target answers in at most N tokens (as `run --max-tokens`): `--quick --max-tokens 150`
is the `--quick` preset before its answers were shortened to 96 tokens.

Run: python benchmarks/bench_default_study.py [--quick] [--max-tokens N] [--skip-batching] [--judge NAME ...]
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import resource
import tempfile
import time
from pathlib import Path

from inspect_ai.model import GenerateConfig, get_model

from pressure_sense.models import EMBEDDED_MODEL
from pressure_sense.study import build_experiment, run_study


def count_calls(logs) -> tuple[int, int, int]:
    """(target calls, judge calls, generated tokens) over every sample of every log."""
    target = judge = tokens = 0
    for log in logs:
        for sample in log.samples or []:
            for event in sample.events:
                if event.event != "model":
                    continue
                if event.role == "grader":
                    judge += 1
                else:
                    target += 1
                if event.output and event.output.usage:
                    tokens += event.output.usage.output_tokens
    return target, judge, tokens


def batching_figures(conversations: int = 16, new_tokens: int = 48) -> tuple[float, float]:
    """Tokens/s for the same greedy generations one at a time and all at once."""
    from bench_generation import all_at_once, conversations as make_inputs, one_at_a_time

    model = get_model(EMBEDDED_MODEL)
    config = GenerateConfig(max_tokens=new_tokens, temperature=0)
    inputs = make_inputs(conversations)
    rates = []
    for runner in (one_at_a_time, all_at_once):
        start = time.perf_counter()
        outputs = asyncio.run(runner(model, inputs, config))
        elapsed = time.perf_counter() - start
        rates.append(sum(o.usage.output_tokens for o in outputs) / elapsed)
    return rates[0], rates[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the --quick preset instead of the default study")
    parser.add_argument("--max-tokens", type=int, help="answer length of the target (default: the preset's)")
    parser.add_argument("--skip-batching", action="store_true", help="skip the batched vs one-at-a-time figures")
    parser.add_argument("--judge", action="append", help="judge to run the study with; repeat (default: none, trained, embedded)")
    args = parser.parse_args()
    args.judge = args.judge or ["none", "trained", "embedded"]

    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, python {platform.python_version()}")
    unjudged = None
    for judge in args.judge:
        with tempfile.TemporaryDirectory() as folder:
            experiment = build_experiment(None, args.quick, False, args.max_tokens, None, cache=False, judge=judge)
            start = time.perf_counter()
            result = run_study(experiment, out=Path(folder) / "study", display="none")
            wall = time.perf_counter() - start
            target, judged, tokens = count_calls(result.logs)
            samples = sum(len(log.samples or []) for log in result.logs)
            statuses = ", ".join(log.status for log in result.logs)
        unjudged = wall if judge == "none" else unjudged
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        share = f", judging {(wall - unjudged) / wall:.0%} of the time" if unjudged is not None and judge != "none" else ""
        preset = ("--quick" if args.quick else "default") + (f" --max-tokens {args.max_tokens}" if args.max_tokens else "")
        print(f"study {preset} --judge {judge}: {samples} conversations ({statuses}); "
              f"{wall:.1f} s wall{share}; peak RSS so far {peak_mb:.0f} MB; model calls {target + judged} "
              f"({target} target, {judged} judge); {tokens} generated tokens")
    if not args.skip_batching:
        single, batched = batching_figures()
        print(f"embedded generation, 16 conversations x 48 tokens: one at a time {single:.1f} tokens/s, "
              f"batched {batched:.1f} tokens/s ({batched / single:.1f}x)")


if __name__ == "__main__":
    main()
