"""Rich tables for the judge-check and the reader's held-out check (only ids and numbers, never model text)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from rich.table import Column, Table

from pressure_sense.judge_quality._agreement import DimensionAgreement
from pressure_sense.judge_quality._bias import BiasEffect
from pressure_sense.judge_quality._check import CheckResult, PanelSummary


def _number(value: float, digits: int = 2) -> str:
    return "n/a" if math.isnan(value) else f"{value:.{digits}f}"


def agreement_table(rows: Sequence[DimensionAgreement], title: str) -> Table:
    """One row per dimension: Spearman, quadratic-weighted kappa, exact, within-1 and MAE with 95% bootstrap CIs,
    n and errors."""
    table = Table(
        Column("dimension", no_wrap=True, min_width=len("truthfulness")),
        "n", "errors", "Spearman [95% CI]", "kappa (quadratic)", "exact", "within-1", "MAE",
        title=title, title_justify="left",
    )
    for row in rows:
        table.add_row(
            row.dimension, str(row.n), str(row.errors), row.spearman.format(), row.kappa.format(),
            row.exact.format(), row.within_one.format(), row.mae.format(),
        )
    return table


def check_title(result: CheckResult) -> str:
    """`judge embedded (logprob) against calibration (47 items)`."""
    return f"judge {result.judge} ({result.method}) against {result.set_name} ({len(result.items)} items)"


def disagreement_line(result: CheckResult) -> str | None:
    """How well the judge's scratchpad/output disagreement flag matches the labels, if any are labelled."""
    flags = result.disagreement
    if flags.n == 0 and flags.deceptive == 0:
        return None
    return (
        f"scratchpad/output disagreement flag: {flags.correct}/{flags.n} correct ({_number(flags.accuracy)}); "
        f"{flags.flagged_deceptive} of {flags.deceptive} deceptive items flagged"
    )


def failure_lines(result: CheckResult, shown: int = 10) -> list[str]:
    """`not scored: ID: error` (or `partly scored:`) for the items where judging failed, the first `shown`."""
    failed = [(item, judgement) for item, judgement in zip(result.items, result.judgements) if not judgement.ok]
    lines = [
        f"{'partly' if judgement.scores else 'not'} scored: {item.id}: {judgement.error}"
        for item, judgement in failed[:shown]
    ]
    if len(failed) > shown:
        lines.append(f"... and {len(failed) - shown} more items where judging failed")
    return lines


def method_comparison_table(results: Sequence[CheckResult]) -> Table:
    """Spearman and MAE of the same judge with different scoring methods, side by side."""
    table = Table("dimension", title="json vs logprob scoring", title_justify="left")
    for result in results:
        table.add_column(f"Spearman {result.method}")
    for result in results:
        table.add_column(f"MAE {result.method}")
    for position, row in enumerate(results[0].agreement):
        table.add_row(
            row.dimension,
            *[_number(result.agreement[position].spearman.value) for result in results],
            *[_number(result.agreement[position].mae.value) for result in results],
        )
    return table


def panel_alpha_table(summary: PanelSummary) -> Table:
    """Krippendorff's alpha (interval) between the panel's judges, per dimension."""
    table = Table("dimension", "Krippendorff alpha", title=f"panel: {', '.join(summary.judges)}", title_justify="left")
    for dimension, alpha in summary.alpha.items():
        table.add_row(dimension, _number(alpha, 3))
    return table


def panel_flags_table(summary: PanelSummary) -> Table:
    """Items where the judges differ by 2 or more, with every judge's score."""
    table = Table("item", "dimension", *summary.judges, "spread", title="items where judges differ by 2 or more", title_justify="left")
    for flag in summary.flags:
        table.add_row(
            flag.item_id, flag.dimension,
            *[_number(flag.scores[judge], 1) if judge in flag.scores else "-" for judge in summary.judges],
            _number(flag.spread, 1),
        )
    return table


def bias_table(effects: Sequence[BiasEffect], title: str) -> Table:
    """Per probe and dimension: the mean score shift with its CI, and the standardised effect size."""
    table = Table("probe", "dimension", "n", "shift [95% CI]", "effect size", title=title, title_justify="left")
    for effect in effects:
        table.add_row(effect.probe, effect.dimension, str(effect.n), effect.shift.format(), _number(effect.effect_size))
    return table


METRIC_TITLES = {"auroc": "AUROC", "spearman": "Spearman", "holding_above": "holding > giving way"}


def _cell(row: dict[str, Any]) -> str:
    value, low, high = row["value"], row["low"], row["high"]
    if value is None or value != value:
        return "n/a"
    interval = "no interval" if low is None or low != low else f"[{low:.2f}, {high:.2f}]"
    return f"{value:.3f} {interval}"


def held_out_tables(rows: list[dict[str, Any]]) -> list[Table]:
    """One table per held-out set: a row per judge, a column per dimension and metric (n items / groups)."""
    by_set: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_set[row["set"]].append(row)
    out = []
    for name, members in by_set.items():
        columns = list(dict.fromkeys((r["dimension"], r["metric"]) for r in members))
        table = Table("judge", title=f"{name} (95% interval resampling held-out groups)", title_justify="left")
        for dimension, metric in columns:
            sample = next(r for r in members if (r["dimension"], r["metric"]) == (dimension, metric))
            table.add_column(f"{dimension} {METRIC_TITLES[metric]}\nn={sample['n']}, groups={sample['groups']}")
        for judge in dict.fromkeys(r["judge"] for r in members):
            cells = {(r["dimension"], r["metric"]): _cell(r) for r in members if r["judge"] == judge}
            table.add_row(judge, *(cells.get(column, "") for column in columns))
        out.append(table)
    return out


def reliability_table(reliability: dict[str, dict[str, Any]]) -> Table:
    """Each claimed dimension: every bar it was held to, the figure, and reliable or not."""
    title = "Reader dimensions against their bars"
    table = Table("dimension", "check", "figure", "bar", "verdict", title=title, title_justify="left")
    for dimension, record in reliability.items():
        verdict = "reliable" if record["reliable"] else "not reliable"
        for check, figure in record["checks"].items():
            value = "n/a" if figure["value"] is None else f"{figure['value']:.3f}"
            shown = verdict if figure["met"] or not record["reliable"] else ""
            table.add_row(dimension, check, value, f">= {figure['bar']:.2f}", shown)
    return table
