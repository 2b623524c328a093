"""Headline findings written from the analysis tables: a sentence that compares or estimates rests on an
interval over the right unit (never on one conversation); counts are stated as counts."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from pressure_sense.analysis._columns import BREAKING_THRESHOLD, MIN_UNITS
from pressure_sense.analysis._study import StudyAnalysis
from pressure_sense.rubrics import NOT_RELIABLE

Reliability = Mapping[str, str | Mapping[str, object]]
"""The judge's measured reliability per dimension: a sentence, or figures such as {"alpha": 0.61, "n": 120}."""
NOT_VALIDATED = "not validated"


def _ci(low: float, high: float, signed: bool = True) -> str:
    form = "+.2f" if signed else ".2f"
    return f"95% CI {low:{form}} to {high:{form}}"


def _unit(n_clusters: object, unit: str) -> str:
    return f"{int(n_clusters)} conversations, interval resampling {unit}"


def _with_intervals(table: pd.DataFrame) -> pd.DataFrame:
    if table.empty:
        return table
    enough = table["n_units"] >= MIN_UNITS if "n_units" in table.columns else True
    spread = table["ci_high"] > table["ci_low"]  # a zero-width interval: every unit gave the same value
    return table[enough & table["ci_low"].notna() & table["ci_high"].notna() & spread]


def _best_models(analysis: StudyAnalysis) -> list[str]:
    lines = []
    for variant, group in analysis.ranking.groupby("variant", sort=True):
        usable = _with_intervals(group)
        if len(usable) < len(group) or usable.empty:
            continue  # a model without an interval cannot be ranked against the others
        top = usable[usable["rank"] == 1]
        first = top.iloc[0]
        ci = (
            f"mean alignment {first['mean']:.2f}, {_ci(first['ci_low'], first['ci_high'], signed=False)}; "
            f"{_unit(first['n_clusters'], first['unit'])}"
        )
        if len(usable) == 1:
            lines.append(f"{variant}: {first['model']} is the only model ({ci}).")
        elif len(top) == 1:
            lines.append(f"{variant}: {first['model']} held its alignment best ({ci}); no other model's CI overlaps.")
        else:
            names = ", ".join(str(name) for name in top["model"])
            lines.append(f"{variant}: {names} share first place on alignment (overlapping CIs; best {ci}).")
    return lines


def _where_it_broke(analysis: StudyAnalysis) -> list[str]:
    summary = analysis.breaking_summary
    if summary.empty:
        return []
    total, broken = int(summary["n"].sum()), int(summary["n_broken"].sum())
    if broken == 0:
        return [
            f"No conversation broke: alignment never fell to {BREAKING_THRESHOLD:g} or below in {total} conversations."
        ]
    line = f"{broken} of {total} conversations broke (alignment below {BREAKING_THRESHOLD:g}; a count)."
    replicated = summary[summary["n"] >= MIN_UNITS]
    if replicated.empty:
        return [line]
    worst = replicated.sort_values(["broken_share", "n"], ascending=[False, False], kind="stable").iloc[0]
    if worst["n_broken"] == 0:
        return [line]
    turn = f"{worst['median_breaking_turn'] + 1:g}"  # turn_index counts from 0, people count from 1
    return [
        f"{line} The largest share among combinations with {MIN_UNITS} or more conversations is {worst['model']} "
        f"on {worst['scenario_id']} ({worst['variant']}): {int(worst['n_broken'])} of {int(worst['n'])} broke, "
        f"at median turn {turn}."
    ]


def _sensitivity(analysis: StudyAnalysis) -> list[str]:
    table = _with_intervals(analysis.model_sensitivity.dropna(subset=["slope"]))
    if table.empty:
        return []
    steepest = table.sort_values("slope", kind="stable").iloc[0]
    verdict = (
        "alignment falls as pressure rises"
        if steepest["ci_high"] < 0
        else "alignment rises with pressure"
        if steepest["ci_low"] > 0
        else "the interval includes 0"
    )
    return [
        f"Alignment of {steepest['model']} ({steepest['variant']}, all scenarios) changes by {steepest['slope']:+.2f} "
        f"points per intensity step ({_ci(steepest['ci_low'], steepest['ci_high'])}; "
        f"{_unit(steepest['n_clusters'], steepest['unit'])}), the steepest estimate: {verdict}."
    ]


def _reasoning(analysis: StudyAnalysis) -> list[str]:
    usage = {
        (u["model"], u["mode"], u["condition"]): (int(u["n_used"]), int(u["n_turns"]))
        for u in analysis.model_scratchpad_usage.to_dict("records")
    }
    table = analysis.model_reasoning_effect
    table = table[table["dimension"] == "alignment"] if not table.empty else table
    lines = []
    reported = set()
    for row in _with_intervals(table).itertuples():
        key = (row.model, row.mode, row.condition)
        reported.add(key)
        used, turns = usage.get(key, (0, 0))
        verdict = "the interval excludes 0" if row.ci_low > 0 or row.ci_high < 0 else "the interval includes 0"
        lines.append(
            f"Scratchpad effect on {row.model}'s alignment ({row.mode}, {row.condition}, all scenarios): "
            f"{row.delta:+.2f} ({_ci(row.ci_low, row.ci_high)}; {row.n_pairs} pairs, interval resampling "
            f"{row.unit}; scratchpad used in {used} of {turns} turns): {verdict}."
        )
    for (model, mode, condition), (used, turns) in sorted(usage.items()):
        if (model, mode, condition) not in reported and used == 0:
            lines.append(
                f"{model} ({mode}, {condition}) used the scratchpad format in 0 of {turns} turns of its scratchpad "
                "variant, so no scratchpad effect is reported."
            )
    return lines


def _disagreement(analysis: StudyAnalysis) -> list[str]:
    table = _with_intervals(analysis.model_disagreement)
    if table.empty:
        return []
    top = table.sort_values("rate", ascending=False, kind="stable").iloc[0]
    return [
        f"Reasoning and output disagreed most often for {top['model']} ({top['variant']}): {top['rate']:.0%} of "
        f"{int(top['n'])} judged turns (95% CI {top['ci_low']:.0%} to {top['ci_high']:.0%}; "
        f"{_unit(top['n_clusters'], top['unit'])})."
    ]


def _pressure_types(analysis: StudyAnalysis) -> list[str]:
    lines = []
    for (variant, model), group in analysis.pressure_types.groupby(["variant", "model"], sort=True):
        usable = _with_intervals(group)
        if len(usable) < 2 or len(usable) < len(group):
            continue
        low, high = usable.loc[usable["mean"].idxmin()], usable.loc[usable["mean"].idxmax()]
        separated = low["ci_high"] < high["ci_low"]
        order = "the intervals do not overlap." if separated else "the intervals overlap: the order is not established."
        lines.append(
            f"{model} ({variant}): lowest mean alignment under {low['primary_pressure_type']} ({low['mean']:.2f}, "
            f"{_ci(low['ci_low'], low['ci_high'], signed=False)}), highest under {high['primary_pressure_type']} "
            f"({high['mean']:.2f}, {_ci(high['ci_low'], high['ci_high'], signed=False)}); "
            + order
        )
    return lines


def reliability_text(reliability: Reliability | None) -> str:
    """The judge's reliability in words: per dimension as given, or `not validated`."""
    if not reliability:
        return NOT_VALIDATED
    parts = []
    for dimension, value in reliability.items():
        if isinstance(value, Mapping):
            shown = ", ".join(
                f"{name} {figure:.2f}" if isinstance(figure, float) and not math.isnan(figure) else f"{name} {figure}"
                for name, figure in value.items()
            )
        else:
            shown = str(value)
        parts.append(f"{dimension}: {shown or NOT_VALIDATED}")
    return "; ".join(parts)


def unreliable_dimensions(reliability: Reliability | None) -> set[str]:
    """The dimensions the judge's reliability marks NOT_RELIABLE (a "dimension (judge)" key counts for its dimension)."""
    return {
        name.split(" (")[0] for name, value in (reliability or {}).items()
        if isinstance(value, str) and value.startswith(NOT_RELIABLE)
    }


def headline_findings(analysis: StudyAnalysis, reliability: Reliability | None = None) -> list[str]:
    """Plain-language sentences: who held up best, where conversations broke, how steeply alignment
    falls with pressure, the scratchpad's effect and use, disagreement, the hardest pressure type,
    and the judge's reliability (`reliability`: {dimension: text or figures}; "not validated" when None)."""
    if analysis.means.empty:
        return ["No judged turns were found, so there is nothing to compare yet."]
    alignment_reliable = "alignment" not in unreliable_dimensions(reliability)
    if not alignment_reliable:
        lines = [
            "No finding is written from alignment: the judge's alignment scores missed their validation bar on answers "
            "nobody here wrote (not reliable), so rankings, breaking points and pressure curves are not read from them.",
            *_disagreement(analysis),
        ]
    else:
        lines = [
            *_best_models(analysis),
            *_where_it_broke(analysis),
            *_sensitivity(analysis),
            *_reasoning(analysis),
            *_disagreement(analysis),
            *_pressure_types(analysis),
        ]
    if alignment_reliable and not any(" CI " in line for line in lines):
        lines.append(
            f"No estimate rests on {MIN_UNITS} or more independent conversations, so no difference is claimed; "
            "run more epochs (with sampling) or more scenarios."
        )
    if reliability:
        lines.append(f"Judge reliability: {reliability_text(reliability)}.")
    else:
        lines.append("Judge reliability: not validated (the scores were not checked against reference labels here).")
    return lines
