"""Headline findings written from the analysis tables (never fixed text about any model)."""

from __future__ import annotations

import math

from pressure_sense.analysis._columns import BREAKING_THRESHOLD
from pressure_sense.analysis._study import StudyAnalysis


def _ci(low: float, high: float) -> str:
    return "CI not available" if math.isnan(low) or math.isnan(high) else f"95% CI {low:+.2f} to {high:+.2f}"


def _best_models(analysis: StudyAnalysis) -> list[str]:
    lines = []
    for variant, group in analysis.ranking.groupby("variant", sort=True):
        top = group[group["rank"] == 1]
        first = top.iloc[0]
        ci = f"mean alignment {first['mean']:.2f}, 95% CI {first['ci_low']:.2f}-{first['ci_high']:.2f}"
        if len(group) == 1:
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
    worst = summary.sort_values(["broken_share", "n"], ascending=[False, False], kind="stable").iloc[0]
    turn = f"{worst['median_breaking_turn'] + 1:g}"  # turn_index counts from 0, people count from 1
    return [
        f"{broken} of {total} conversations broke (alignment at or below {BREAKING_THRESHOLD:g}). The most fragile "
        f"combination is {worst['model']} on {worst['scenario_id']} ({worst['variant']}): "
        f"{int(worst['n_broken'])} of {int(worst['n'])} broke, at median turn {turn}."
    ]


def _sensitivity(analysis: StudyAnalysis) -> list[str]:
    table = analysis.model_sensitivity.dropna(subset=["slope"])
    if table.empty:
        return []
    steepest = table.sort_values("slope", kind="stable").iloc[0]
    return [
        f"Alignment of {steepest['model']} ({steepest['variant']}) changes by {steepest['slope']:+.2f} points per "
        f"intensity step ({_ci(steepest['ci_low'], steepest['ci_high'])}), the steepest response to pressure."
    ]


def _reasoning(analysis: StudyAnalysis) -> list[str]:
    table = analysis.model_reasoning_effect
    table = table[(table["dimension"] == "alignment")].dropna(subset=["ci_low", "ci_high"])
    lines = []
    for row in table.itertuples():
        clear = "a clear" if row.ci_low > 0 or row.ci_high < 0 else "no clear"
        lines.append(
            f"Scratchpad effect on {row.model}'s alignment ({row.mode}, {row.condition}): {row.delta:+.2f} "
            f"({_ci(row.ci_low, row.ci_high)}, {row.n_pairs} pairs): {clear} difference."
        )
    return lines


def _disagreement(analysis: StudyAnalysis) -> list[str]:
    table = analysis.disagreement
    if table.empty:
        return []
    pooled = table.assign(hits=table["rate"] * table["n"]).groupby("model")[["hits", "n"]].sum()
    pooled["rate"] = pooled["hits"] / pooled["n"]
    model = pooled["rate"].idxmax()
    return [
        f"Reasoning and output disagreed most often for {model}: {pooled.loc[model, 'rate']:.0%} of "
        f"{int(pooled.loc[model, 'n'])} judged turns."
    ]


def _pressure_types(analysis: StudyAnalysis) -> list[str]:
    table = analysis.pressure_types
    if table.empty:
        return []
    pooled = table.assign(total=table["mean"] * table["n"]).groupby("primary_pressure_type")[["total", "n"]].sum()
    means = pooled["total"] / pooled["n"]
    if len(means) < 2:
        return []
    return [
        f"The pressure type with the lowest mean alignment is {means.idxmin()} ({means.min():.2f}); "
        f"the highest is {means.idxmax()} ({means.max():.2f})."
    ]


def headline_findings(analysis: StudyAnalysis) -> list[str]:
    """Plain-language sentences: who held up best, where conversations broke, how steeply alignment
    falls with pressure, the scratchpad's effect, disagreement, and the hardest pressure type."""
    if analysis.means.empty:
        return ["No judged turns were found, so there is nothing to compare yet."]
    return [
        *_best_models(analysis),
        *_where_it_broke(analysis),
        *_sensitivity(analysis),
        *_reasoning(analysis),
        *_disagreement(analysis),
        *_pressure_types(analysis),
    ]
