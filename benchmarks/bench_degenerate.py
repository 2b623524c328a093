"""Share of degenerate (looping) answers of the embedded target in the default study, before and after
repetition control.

Plays the default study's conversations (6 core scenarios x chat and chat+reasoning, scripted
turns, default answer length) with the embedded target and judging off, twice from the same
script: first with every repetition measure off (the decoding of earlier releases), then with
the embedded provider's default repetition control. Each target answer (the whole completion,
scratchpad included) is classified by `pressure_sense.models.degeneration`: a sentence of 3+
words or a run of 8 words occurring 3+ times, or the token limit reached while repeating.
Prints, per setting: answers, degenerate share (with a Wilson 95% interval) per variant and
overall, answers that hit the token limit, answers cut by the sentence stop, mean answer
words, generation wall time, and a few degenerate answers.

Run: nice python benchmarks/bench_degenerate.py [--quick] [--examples 2] [--after no_repeat_ngram_size=4 ...] [--skip-before]
"""

from __future__ import annotations

import argparse
import math
import platform
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from pressure_sense.models import DEFAULT_REPETITION, degeneration
from pressure_sense.scenarios import Variant
from pressure_sense.study import build_experiment, run_study

OFF = {"repetition_penalty": 1.0, "no_repeat_ngram_size": 0, "max_sentence_repeats": 0}
"""Model args that switch every repetition measure off."""


@dataclass
class Answer:
    """One target answer of the study."""

    variant: str
    text: str
    hit_limit: bool
    repetition_stop: bool

    @property
    def reason(self) -> str | None:
        return degeneration(self.text, self.hit_limit)


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of the proportion k/n."""
    if n == 0:
        return (math.nan, math.nan)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def play(quick: bool, model_args: dict[str, object]) -> tuple[list[Answer], float]:
    """The target answers of one unjudged default (or quick) study with these model args, and its wall time."""
    experiment = build_experiment(None, quick, False, None, None, judge="none", cache=False)
    targets = [target.model_copy(update={"args": {**target.args, **model_args}}) for target in experiment.targets]
    experiment = experiment.model_copy(update={"targets": targets})
    answers: list[Answer] = []
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        result = run_study(experiment, out=Path(folder) / "study", report=False, display="none")
        wall = time.perf_counter() - start
        for log in result.logs:
            if log.status != "success":
                raise SystemExit(f"the study ended with status {log.status}: {log.error}")
            for sample in log.samples or []:
                variant = Variant.model_validate(sample.metadata["variant"]).name
                for event in sample.events:
                    if event.event != "model" or event.role is not None or not event.output.choices:
                        continue
                    answers.append(
                        Answer(
                            variant=variant,
                            text=event.output.completion,
                            hit_limit=event.output.stop_reason == "max_tokens",
                            repetition_stop=bool((event.output.metadata or {}).get("repetition_stop")),
                        )
                    )
    return answers, wall


def report(label: str, answers: list[Answer], wall: float, examples: int) -> float:
    """Print one setting's figures; returns its overall degenerate share."""
    by_variant: dict[str, list[Answer]] = defaultdict(list)
    for answer in answers:
        by_variant[answer.variant].append(answer)
    print(f"\n{label}: {len(answers)} target answers, {wall:.1f} s wall (target only, judging off)")
    for variant, group in [*sorted(by_variant.items()), ("all", answers)]:
        bad = sum(a.reason is not None for a in group)
        low, high = wilson(bad, len(group))
        print(f"  {variant:<16} degenerate {bad:>3}/{len(group):<3} = {bad / len(group):6.1%}  (95% CI {low:.1%}-{high:.1%})")
    limit = sum(a.hit_limit for a in answers)
    stopped = sum(a.repetition_stop for a in answers)
    words = sum(len(a.text.split()) for a in answers) / max(1, len(answers))
    print(f"  hit the token limit: {limit}; cut by the repeated-sentence stop: {stopped}; mean words per answer: {words:.1f}")
    for answer in [a for a in answers if a.reason][:examples]:
        print(f"  e.g. ({answer.variant}; {answer.reason}): {answer.text[:160]!r}")
    return sum(a.reason is not None for a in answers) / max(1, len(answers))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the --quick preset (2 scenarios x 3 turns)")
    parser.add_argument("--examples", type=int, default=2, help="degenerate answers to show per setting")
    parser.add_argument("--after", nargs="*", default=[], metavar="ARG=VALUE",
                        help="repetition model args for the 'after' setting instead of the defaults")
    parser.add_argument("--skip-before", action="store_true", help="only the 'after' setting")
    args = parser.parse_args()
    after_args = dict(item.split("=", 1) for item in args.after)
    print(f"machine: {platform.machine()}, python {platform.python_version()}; study: {'--quick' if args.quick else 'default'}")
    print(f"after = embedded default {DEFAULT_REPETITION}" + (f" with {after_args}" if after_args else ""))
    if not args.skip_before:
        before = report("before (repetition control off)", *play(args.quick, OFF), args.examples)
    after = report("after (repetition control on)", *play(args.quick, after_args), args.examples)
    if not args.skip_before:
        print(f"\ndegenerate answers: {before:.1%} before -> {after:.1%} after")


if __name__ == "__main__":
    main()
