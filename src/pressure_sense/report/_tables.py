"""The report's tables as display rows: formatted numbers and the filter keys of each row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from pressure_sense.analysis import BREAKING_THRESHOLD, MIN_UNITS, StudyAnalysis
from pressure_sense.store import dimension_order

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
    unit: str = ""
    """The unit of replication and how many of it each row holds (shown under the title)."""
    empty: str = "No data for this table."
    """What the report says where the table has no rows."""


def number(value: object, digits: int = 2, signed: bool = False) -> str:
    """A number for display; an en dash when missing."""
    if pd.isna(value):
        return "–"
    return f"{float(value):+.{digits}f}" if signed else f"{float(value):.{digits}f}"


def no_interval(n_units: object) -> bool:
    """Whether a row rests on fewer than MIN_UNITS independent units (so it shows no interval)."""
    return n_units is not None and not pd.isna(n_units) and int(n_units) < MIN_UNITS


def with_ci(mean: object, low: object, high: object, signed: bool = False, n_units: object = None) -> Cell:
    """`mean [low, high]` as one numeric cell; `mean (n=1, no interval)` when it rests on fewer than
    MIN_UNITS units, `mean (no interval)` when the bounds are undefined. Never a zero-width interval."""
    return _interval_cell(lambda value: number(value, signed=signed), mean, low, high, n_units)


def _interval_cell(text_of: Callable[[object], str], value: object, low: object, high: object, n_units: object) -> Cell:
    text = text_of(value)
    if no_interval(n_units):
        return (f"{text} (n={int(n_units)}, no interval)", True)
    if text_of(low) == "–" or text_of(high) == "–":
        return (text if text == "–" else f"{text} (no interval)", True)
    if float(low) == float(high):
        spread = f"all {int(n_units)} identical" if n_units is not None else "no spread"
        return (f"{text} ({spread}, no interval)", True)
    return (f"{text} [{text_of(low)}, {text_of(high)}]", True)


def count_range(counts: pd.Series) -> str:
    """`3`, or `2–5` when the counts differ; an en dash when there are none."""
    if counts.empty:
        return "–"
    low, high = int(counts.min()), int(counts.max())
    return str(low) if low == high else f"{low}–{high}"


def per_cell(counts: pd.Series, what: str = "conversations", cell: str = "model × scenario × variant") -> str:
    """`1 conversation per model × scenario × variant` (or a range), and the interval rule."""
    if counts.empty:
        return ""
    singular = what.rstrip("s") if int(counts.max()) == 1 else what
    rule = f"a row with fewer than {MIN_UNITS} shows its estimate with no interval and is no evidence of an effect"
    return f"{what}; {count_range(counts)} {singular} per {cell} ({rule})"


def pooled_unit(units: pd.Series) -> str:
    """What the all-scenarios rows resampled, in words."""
    found = sorted(set(units.dropna()))
    if not found:
        return ""
    return "all-scenarios rows resample " + " or ".join(found) + (
        " (whole scenarios, because some scenario holds a single conversation or pair; such an interval also "
        "carries the variation between scenarios)" if "scenarios" in found else ""
    )


def percent(value: object) -> str:
    """A share as a whole percentage; an en dash when missing."""
    return number(value) if number(value) == "–" else f"{float(value):.0%}"


def rate_cell(rate: object, low: object, high: object, n_units: object = None) -> Cell:
    """`rate [low, high]` in percent, with the same no-interval rule as `with_ci`."""
    return _interval_cell(percent, rate, low, high, n_units)


def wide(
    frame: pd.DataFrame, keys: list[str], value: str, dimensions: list[str], signed: bool = False
) -> list[tuple[dict, pd.DataFrame, list[Cell]]]:
    """(key, group, cells) per `keys`, one `value [ci]` cell per dimension."""
    rows = []
    for key, group in frame.groupby(keys, sort=True):
        by_dimension = group.set_index("dimension")
        units = "n_units" if "n_units" in by_dimension.columns else None
        cells = [
            with_ci(
                *by_dimension.loc[d, [value, "ci_low", "ci_high"]],
                signed=signed,
                n_units=by_dimension.loc[d, units] if units else None,
            )
            if d in by_dimension.index
            else ("–", True)
            for d in dimensions
        ]
        rows.append((dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True)), group, cells))
    return rows


def labels(*texts: object) -> list[Cell]:
    """Text (left-aligned) cells."""
    return [(str(text), False) for text in texts]


def count_cell(value: object) -> Cell:
    return (str(value), True)


def group_rows(frame: pd.DataFrame, cells: Callable[[Any], list[Cell]]) -> list[Row]:
    """One row per model x scenario x variant row of `frame`: its three labels, then `cells(row)`."""
    return [
        Row([*labels(r.model, r.scenario_id, r.variant), *cells(r)], r.model, r.scenario_id, r.variant)
        for r in frame.itertuples()
    ]


def _ranking_table(analysis: StudyAnalysis) -> Table:
    rows = [
        Row(
            [
                *labels(r.variant),
                (("=" if r.tied_with else "") + str(r.rank), True),
                *labels(r.model),
                with_ci(r.mean, r.ci_low, r.ci_high, n_units=r.n_units),
                count_cell(r.n_clusters),
                *labels(r.unit),
                *labels(r.tied_with or "–"),
            ],
            model=r.model,
            variant=r.variant,
        )
        for r in analysis.ranking.itertuples()
    ]
    columns = [
        "variant", "rank", "model", "mean alignment [95% CI]", "conversations", "interval resamples",
        "tied with (overlapping CIs)",
    ]  # fmt: skip
    note = (
        "Mean over all scenarios. Rank = 1 + the number of models whose CI lies wholly above this one's; "
        "overlapping CIs share a rank, and a model without an interval is tied with every other."
    )
    unit = "conversations, pooled over scenarios; " + pooled_unit(analysis.ranking["unit"]) if rows else ""
    return Table("ranking", "Model ranking on alignment", columns, rows, note, unit)


def _means_table(analysis: StudyAnalysis) -> Table:
    keys = ["model", "scenario_id", "variant"]
    dimensions = dimension_order(analysis.means.get("dimension", ()))
    counts = analysis.means.groupby(keys)["n_clusters"].max()
    rows = [
        Row([*labels(*k.values()), count_cell(group["n_clusters"].max()), *cells], *k.values())
        for k, group, cells in wide(analysis.means, keys, "mean", dimensions)
    ]
    columns = ["model", "scenario", "variant", "conversations", *dimensions]
    note = "Mean of the turn scores; the interval resamples whole conversations (all turns of one together)."
    return Table("means", "Mean score per dimension (turn-level, 1-5)", columns, rows, note, per_cell(counts))


def _breaking_table(analysis: StudyAnalysis) -> Table:
    rows = group_rows(analysis.breaking_summary, lambda r: [
        count_cell(r.n), count_cell(r.n_broken), (f"{r.broken_share:.0%}", True),
        (number(r.median_breaking_turn + 1, 1), True), (number(r.earliest_breaking_turn + 1, 0), True),
    ])  # fmt: skip
    columns = ["model", "scenario", "variant", "conversations", "broke", "share broken", "median turn", "earliest turn"]
    title = f"Breaking points (first turn with alignment below {BREAKING_THRESHOLD:g}, the same under every judging method)"
    note = "Turns are numbered from 1; a conversation that never reached the threshold held. Counts, no intervals."
    unit = per_cell(analysis.breaking_summary["n"]) if rows else ""
    return Table("breaking", title, columns, rows, note, unit)


def _sensitivity_table(analysis: StudyAnalysis) -> Table:
    def row(r: object, scenario: str, scenario_key: str) -> Row:
        cells = [
            *labels(r.model, scenario, r.variant),
            with_ci(r.slope, r.ci_low, r.ci_high, True, n_units=r.n_units),
            count_cell(r.n),
            count_cell(r.n_clusters),
            *labels(r.unit),
        ]
        return Row(cells, r.model, scenario_key, r.variant)

    rows = [row(r, r.scenario_id, r.scenario_id) for r in analysis.sensitivity.itertuples()]
    rows += [row(r, "all scenarios", "") for r in analysis.model_sensitivity.itertuples()]
    note = (
        "Least-squares slope of the alignment score on intensity; negative = alignment falls as pressure rises. "
        "Scripted and control conversations only: adaptive runs stop early and have their own section."
    )
    title = "Pressure sensitivity (alignment points per intensity step)"
    columns = ["model", "scenario", "variant", "slope [95% CI]", "turns", "conversations", "interval resamples"]
    unit = ""
    if rows:
        unit = per_cell(analysis.sensitivity["n_clusters"]) + "; " + pooled_unit(analysis.model_sensitivity["unit"])
    return Table("sensitivity", title, columns, rows, note, unit)


def usage_cell(n_used: object, n_turns: object) -> Cell:
    """`k of n turns (share)`: how often the scratchpad format was actually used."""
    if pd.isna(n_turns) or not n_turns:
        return ("–", True)
    return (f"{int(n_used)} of {int(n_turns)} turns ({int(n_used) / int(n_turns):.0%})", True)


def _reasoning_table(analysis: StudyAnalysis) -> Table:
    pooled, per_scenario = analysis.model_reasoning_effect, analysis.reasoning_effect
    dimensions = dimension_order(pooled.get("dimension", ())) or dimension_order(analysis.means.get("dimension", ()))
    rows = []
    for table, usage, keys in (
        (pooled, analysis.model_scratchpad_usage, ["model", "mode", "condition"]),
        (per_scenario, analysis.scratchpad_usage, ["model", "scenario_id", "mode", "condition"]),
    ):
        if usage.empty:
            continue
        effects = {tuple(k.values()): cells for k, _, cells in wide(table, keys, "delta", dimensions, signed=True)}
        pairs = table.groupby(keys)["n_pairs"].max() if not table.empty else pd.Series(dtype="int64")
        for u in usage.sort_values(keys, kind="stable").to_dict("records"):
            key = tuple(u[k] for k in keys)
            names = labels(u["model"], u.get("scenario_id", "all scenarios"), u["mode"], u["condition"])
            used = usage_cell(u["n_used"], u["n_turns"])
            if key in effects:
                cells = [count_cell(pairs[key]), used, *effects[key]]
            else:
                cells = [count_cell(0), used, *[("not reported: scratchpad never used", False)] * len(dimensions)]
            rows.append(Row([*names, *cells], u["model"], u.get("scenario_id", "")))
    note = (
        "Paired by model × scenario × epoch (and mode, condition): each conversation's mean score over the turns "
        "where the scratchpad was used, minus the same turns of the same epoch's conversation without it. Turns "
        "whose answer ignored the scratchpad format are left out; with no such turn the effect is not reported."
    )
    columns = ["model", "scenario", "mode", "condition", "pairs", "scratchpad used", *dimensions]
    unit = ""
    if rows and not per_scenario.empty:
        unit = per_cell(per_scenario["n_pairs"], "pairs", "model × scenario") + "; " + pooled_unit(pooled["unit"])
    return Table("reasoning", "Reasoning effect (with minus without scratchpad)", columns, rows, note, unit)


def _disagreement_table(analysis: StudyAnalysis) -> Table:
    rows = group_rows(analysis.disagreement, lambda r: [
        rate_cell(r.rate, r.ci_low, r.ci_high, r.n_units), count_cell(r.n), count_cell(r.n_clusters),
    ])  # fmt: skip
    note = "Share of scratchpad turns where the judge found the private reasoning and the visible output disagreeing."
    columns = ["model", "scenario", "variant", "rate [95% CI]", "judged turns", "conversations"]
    unit = per_cell(analysis.disagreement["n_clusters"]) if rows else ""
    return Table("disagreement", "Reasoning/output disagreement rate", columns, rows, note, unit)


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
