"""The report's tables as display rows: formatted numbers and the filter keys of each row."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from pressure_sense.analysis import BREAKING_THRESHOLD, StudyAnalysis
from pressure_sense.judge._records import DIMENSIONS

Cell = tuple[str, bool]
"""A cell's text and whether it is numeric (right-aligned)."""


@dataclass(frozen=True)
class Row:
    cells: list[Cell]
    model: str = ""
    scenario: str = ""
    variant: str = ""


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    note: str = ""


def number(value: object, digits: int = 2, signed: bool = False) -> str:
    """A number for display; an en dash when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "–"
    return f"{float(value):+.{digits}f}" if signed else f"{float(value):.{digits}f}"


def with_ci(mean: object, low: object, high: object, signed: bool = False) -> Cell:
    """`mean [low, high]` as one numeric cell."""
    return (f"{number(mean, signed=signed)} [{number(low, signed=signed)}, {number(high, signed=signed)}]", True)


def dimension_order(frame: pd.DataFrame) -> list[str]:
    found = set(frame["dimension"]) if "dimension" in frame else set()
    return [d for d in DIMENSIONS if d in found] + sorted(found - set(DIMENSIONS))


def percent(value: object) -> str:
    """A share as a whole percentage; an en dash when missing."""
    return number(value) if number(value) == "–" else f"{float(value):.0%}"


def wide(
    frame: pd.DataFrame, keys: list[str], value: str, dimensions: list[str], signed: bool = False
) -> list[tuple[dict, list[Cell]]]:
    """Rows per `keys`, one `value [ci]` cell per dimension."""
    rows = []
    for key, group in frame.groupby(keys, sort=True):
        by_dimension = group.set_index("dimension")
        cells = [
            with_ci(*by_dimension.loc[d, [value, "ci_low", "ci_high"]], signed=signed)
            if d in by_dimension.index
            else ("–", True)
            for d in dimensions
        ]
        rows.append((dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True)), cells))
    return rows


def labels(*texts: object) -> list[Cell]:
    """Text (left-aligned) cells."""
    return [(str(text), False) for text in texts]


def count_cell(value: object) -> Cell:
    return (str(value), True)


def _ranking_table(analysis: StudyAnalysis) -> Table:
    rows = [
        Row(
            [
                *labels(r.variant),
                (("=" if r.tied_with else "") + str(r.rank), True),
                *labels(r.model),
                with_ci(r.mean, r.ci_low, r.ci_high),
                count_cell(r.n_clusters),
                *labels(r.tied_with or "–"),
            ],
            model=r.model,
            variant=r.variant,
        )
        for r in analysis.ranking.itertuples()
    ]
    columns = ["variant", "rank", "model", "mean alignment [95% CI]", "conversations", "tied with (overlapping CIs)"]
    note = "Rank = 1 + the number of models whose CI lies wholly above this one's; overlapping CIs share a rank."
    return Table("ranking", "Model ranking on alignment", columns, rows, note)


def _means_table(analysis: StudyAnalysis) -> Table:
    keys = ["model", "scenario_id", "variant"]
    dimensions = dimension_order(analysis.means)
    counts = analysis.means.groupby(keys)["n_clusters"].max()
    rows = [
        Row(
            [*labels(*k.values()), count_cell(counts[tuple(k.values())]), *cells],
            k["model"],
            k["scenario_id"],
            k["variant"],
        )
        for k, cells in wide(analysis.means, keys, "mean", dimensions)
    ]
    columns = ["model", "scenario", "variant", "conversations", *dimensions]
    return Table("means", "Mean score per dimension (turn-level, 1-5)", columns, rows)


def _breaking_table(analysis: StudyAnalysis) -> Table:
    rows = [
        Row(
            [
                *labels(r.model, r.scenario_id, r.variant),
                count_cell(r.n),
                count_cell(r.n_broken),
                (f"{r.broken_share:.0%}", True),
                (number(r.median_breaking_turn + 1, 1), True),
                (number(r.earliest_breaking_turn + 1, 0), True),
            ],
            r.model,
            r.scenario_id,
            r.variant,
        )
        for r in analysis.breaking_summary.itertuples()
    ]
    columns = ["model", "scenario", "variant", "conversations", "broke", "share broken", "median turn", "earliest turn"]
    title = f"Breaking points (first turn with alignment ≤ {BREAKING_THRESHOLD:g})"
    note = "Turns are numbered from 1; a conversation that never reached the threshold held."
    return Table("breaking", title, columns, rows, note)


def _sensitivity_table(analysis: StudyAnalysis) -> Table:
    def row(r: object, scenario: str, scenario_key: str) -> Row:
        cells = [*labels(r.model, scenario, r.variant), with_ci(r.slope, r.ci_low, r.ci_high, True), count_cell(r.n)]
        return Row(cells, r.model, scenario_key, r.variant)

    rows = [row(r, r.scenario_id, r.scenario_id) for r in analysis.sensitivity.itertuples()]
    rows += [row(r, "all scenarios", "") for r in analysis.model_sensitivity.itertuples()]
    note = "Least-squares slope of the alignment score on intensity; negative = alignment falls as pressure rises."
    title = "Pressure sensitivity (alignment points per intensity step)"
    return Table("sensitivity", title, ["model", "scenario", "variant", "slope [95% CI]", "turns"], rows, note)


def _reasoning_table(analysis: StudyAnalysis) -> Table:
    pooled, per_scenario = analysis.model_reasoning_effect, analysis.reasoning_effect
    dimensions = dimension_order(pooled)
    rows = []
    for table, keys in (
        (pooled, ["model", "mode", "condition"]),
        (per_scenario, ["model", "scenario_id", "mode", "condition"]),
    ):
        pairs = table.groupby(keys)["n_pairs"].max()
        for k, cells in wide(table, keys, "delta", dimensions, signed=True):
            scenario = k.get("scenario_id", "all scenarios")
            names = labels(k["model"], scenario, k["mode"], k["condition"])
            rows.append(Row([*names, count_cell(pairs[tuple(k.values())]), *cells], k["model"], k.get("scenario_id", "")))
    note = (
        "Paired by model × scenario × epoch (and mode, condition): each conversation's mean turn score with the "
        "scratchpad minus the same epoch's without it. A CI that excludes 0 is a clear effect."
    )
    columns = ["model", "scenario", "mode", "condition", "pairs", *dimensions]
    return Table("reasoning", "Reasoning effect (with minus without scratchpad)", columns, rows, note)


def _disagreement_table(analysis: StudyAnalysis) -> Table:
    rows = [
        Row(
            [
                *labels(r.model, r.scenario_id, r.variant),
                (f"{percent(r.rate)} [{percent(r.ci_low)}, {percent(r.ci_high)}]", True),
                count_cell(r.n),
            ],
            r.model,
            r.scenario_id,
            r.variant,
        )
        for r in analysis.disagreement.itertuples()
    ]
    note = "Share of scratchpad turns where the judge found the private reasoning and the visible output disagreeing."
    columns = ["model", "scenario", "variant", "rate [95% CI]", "judged turns"]
    return Table("disagreement", "Reasoning/output disagreement rate", columns, rows, note)


def report_tables(analysis: StudyAnalysis) -> list[Table]:
    """Every table the HTML shows, in display order."""
    builders = (
        _ranking_table,
        _means_table,
        _breaking_table,
        _sensitivity_table,
        _reasoning_table,
        _disagreement_table,
    )
    return [build(analysis) for build in builders]
