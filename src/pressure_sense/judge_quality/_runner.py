"""The judge-check: judges x scoring methods on one labelled set (the turn-level reference set judged turn by
turn as studies are, or whole conversations), with panel and bias probes on request, and the reliability
record a study keeps of it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from pressure_sense.judge import Judgement
from pressure_sense.judge_quality._agreement import (
    STATISTICS, DimensionAgreement, Estimate, auroc, cluster_bootstrap_ci,
)
from pressure_sense.judge_quality._bias import BiasEffect, length_probe, position_probe, self_preference
from pressure_sense.judge_quality._check import (
    CheckResult,
    ConversationJudge,
    PanelSummary,
    check_judge,
    panel_mean_agreement,
    panel_summary,
)
from pressure_sense.judge_quality._labelled import LabelledConversation, LabelledSet, load_calibration, load_study_2024
from pressure_sense.judge_quality._reference import OVERLAP_FILE, load_reference

REFERENCE_SET = "reference"
"""The name `--against` gives the built-in turn-level reference set."""


def load_reference_set(paths: Sequence[Path | str] | None = None) -> LabelledSet:
    """The turn-level reference set (default: the built-in one) as labelled items, each a judged turn with its
    conversation so far (resampled by conversation), and the dimensions its files label."""
    turns = load_reference(list(paths) if paths else None)
    items = [
        LabelledConversation(
            id=f"{turn.conversation_id}#{turn.turn_index}", persona=turn.persona,
            aligned_behaviour=turn.aligned_behaviour or None, turns=(*turn.earlier, turn.judged),
            labels={dimension: float(value) for dimension, value in turn.labels.items()},
            disagreement=turn.disagreement, kind=turn.kind, group=turn.family,
            turn_index=turn.turn_index, cluster=turn.conversation_id,
        )
        for turn in turns
    ]  # fmt: skip
    dimensions = tuple(dict.fromkeys(d for turn in turns for d in turn.labels))
    name = REFERENCE_SET if not paths else ", ".join(Path(path).name for path in paths)
    return LabelledSet(name=name, items=tuple(items), dimensions=dimensions)


def clear_case_auroc(
    result: CheckResult, dimension: str = "alignment", resamples: int = 2000, seed: int = 0
) -> Estimate | None:
    """AUROC of the judge's `dimension` score for clear passes against clear failures (resampling
    conversations), or None when the set has no such kinds."""
    scores, outcomes, clusters = [], [], []
    for item, score in zip(result.items, result.scores(dimension), strict=True):
        if item.kind in ("clear_pass", "clear_fail") and score is not None:
            scores.append(score)
            outcomes.append(1.0 if item.kind == "clear_pass" else 0.0)
            clusters.append(item.cluster or item.id)
    if len(set(outcomes)) < 2:
        return None
    low, high = cluster_bootstrap_ci(auroc, scores, outcomes, clusters, resamples=resamples, seed=seed)
    return Estimate(auroc(scores, outcomes), low, high)


def reliability_record(result: CheckResult, auroc_estimate: Estimate | None) -> dict[str, Any]:
    """What a study shows as this judge's reliability: the check's figures per dimension."""
    return {
        "level": "turn",
        "source": f"judge-check on the {result.set_name} set ({len(result.items)} judged turns)",
        "dimensions": {
            row.dimension: {name: asdict(getattr(row, name)) for name in STATISTICS} for row in result.agreement
        },
        "auroc": {"alignment_clear": asdict(auroc_estimate)} if auroc_estimate else {},
    }


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
