"""The judge-check: judges x scoring methods on one labelled set, with panel and bias probes on request."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from pressure_sense.judge import Judgement
from pressure_sense.judge_quality._agreement import DimensionAgreement
from pressure_sense.judge_quality._bias import (
    BiasEffect,
    length_probe,
    position_probe,
    self_preference,
)
from pressure_sense.judge_quality._calibration import load_calibration
from pressure_sense.judge_quality._check import (
    CheckResult,
    ConversationJudge,
    check_judge,
)
from pressure_sense.judge_quality._labelled import LabelledConversation, LabelledSet
from pressure_sense.judge_quality._panel import (
    PanelSummary,
    panel_mean_agreement,
    panel_summary,
)
from pressure_sense.judge_quality._reference import OVERLAP_FILE
from pressure_sense.judge_quality._study2024 import load_study_2024
from pressure_sense.judge_quality._turn_check import REFERENCE_SET, load_reference_set

JudgeFactory = Callable[[str, str], ConversationJudge]
"""(judge model name, method) -> a conversation judge."""

PROBES = ("position", "length", "self")
METHODS = ("json", "logprob", "auto", "both")


def _turn_format(path: Path) -> bool:
    """Whether a labelled file (or the first of a folder) is in the turn-level reference format."""
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    first = next((f for f in files if f.name != OVERLAP_FILE), None)
    return first is not None and "\nconversations:" in "\n" + first.read_text(encoding="utf-8")


def resolve_labelled(against: str, study_dir: Path | str | None = None, limit: int | None = None) -> LabelledSet:
    """The labelled set named by --against: `reference` (the turn-level reference set, judged turn by turn as
    studies are), `calibration` or `study-2024` (whole conversations), or a labelled YAML file/folder in
    either format."""
    if against == REFERENCE_SET:
        labelled = load_reference_set()
    elif against == "study-2024":
        labelled = load_study_2024(study_dir)
    elif against == "calibration":
        labelled = load_calibration()
    else:
        path = Path(against)
        if not path.exists():
            raise ValueError(
                f"--against {against!r}: choose reference, calibration, study-2024, or a path to labelled YAML files"
            )
        labelled = load_reference_set([path]) if _turn_format(path) else load_calibration([path], name=path.name)
    return replace(labelled, items=labelled.items[:limit]) if limit else labelled


def _methods(method: str) -> list[str]:
    if method not in METHODS:
        raise ValueError(f"--method must be one of {', '.join(METHODS)}, not {method!r}")
    return ["json", "logprob"] if method == "both" else [method]


def _used_method(requested: str, judgements: Sequence[Judgement]) -> str:
    """What `auto` turned into: the method most judgements were made with."""
    if requested != "auto":
        return requested
    counts = Counter(item.method for item in judgements if item.ok)
    return f"auto: {counts.most_common(1)[0][0]}" if counts else "auto"


@dataclass
class JudgeCheckReport:
    """Everything judge-check measured."""

    labelled: LabelledSet
    results: list[CheckResult] = field(default_factory=list)
    panel: PanelSummary | None = None
    panel_agreement: tuple[DimensionAgreement, ...] = ()
    bias: list[BiasEffect] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Probes that could not run, and why."""


async def run_judge_check(
    judges: Sequence[str],
    labelled: LabelledSet,
    make_judge: JudgeFactory,
    *,
    method: str = "auto",
    probes: Sequence[str] = (),
    self_model: str | None = None,
    concurrency: int = 4,
    resamples: int = 2000,
    seed: int = 0,
    on_done: Callable[[str, LabelledConversation, Judgement], None] | None = None,
) -> JudgeCheckReport:
    """Judge the set with every judge and method; add the panel summary (several judges) and bias probes."""
    unknown = sorted(set(probes) - set(PROBES))
    if unknown:
        raise ValueError(f"unknown bias probe(s) {', '.join(unknown)}; choose from {', '.join(PROBES)}")
    if not judges:
        raise ValueError("give at least one --judge")
    if len(set(judges)) != len(judges):
        raise ValueError("each --judge may be given once")
    report = JudgeCheckReport(labelled=labelled)
    for judge_name in judges:
        for chosen in _methods(method):
            judge = make_judge(judge_name, chosen)
            tag = f"{judge_name} ({chosen})"
            result = await check_judge(
                judge_name, chosen, judge, labelled, concurrency=concurrency, resamples=resamples, seed=seed,
                on_done=(lambda item, judgement, tag=tag: on_done(tag, item, judgement)) if on_done else None,
            )
            result = replace(result, method=_used_method(chosen, result.judgements))
            report.results.append(result)
            if chosen != _methods(method)[0]:
                continue
            if "position" in probes:
                report.bias += await position_probe(labelled.items, judge, result.judgements, concurrency=concurrency)
            if "length" in probes:
                report.bias += await length_probe(labelled.items, judge, result.judgements, concurrency=concurrency)
            if "self" in probes:
                try:
                    report.bias += self_preference(result, self_model, seed=seed, resamples=resamples)
                except ValueError as exc:
                    report.notes.append(f"self-preference of {judge_name}: {exc}")
    if len(judges) > 1:
        panel_members = [next(result for result in report.results if result.judge == name) for name in judges]
        report.panel = panel_summary(panel_members)
        report.panel_agreement = panel_mean_agreement(report.panel, labelled.items, resamples=resamples, seed=seed)
    return report
