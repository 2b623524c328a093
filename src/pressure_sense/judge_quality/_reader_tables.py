"""The held-out check's figures as terminal tables: one per held-out set, judges as rows, baselines included."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rich.table import Table

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
        table = Table(title=f"{name} (95% interval resampling held-out groups)", title_justify="left")
        table.add_column("judge")
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
    table = Table(title="Reader dimensions against their bars", title_justify="left")
    for column in ("dimension", "check", "figure", "bar", "verdict"):
        table.add_column(column)
    for dimension, record in reliability.items():
        verdict = "reliable" if record["reliable"] else "not reliable"
        for check, figure in record["checks"].items():
            value = "n/a" if figure["value"] is None else f"{figure['value']:.3f}"
            table.add_row(dimension, check, value, f">= {figure['bar']:.2f}", verdict if figure["met"] or not record["reliable"] else "")
    return table
