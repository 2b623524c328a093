"""The end-of-run summary table (one row per model x scenario x variant, readable in 80 columns) and the judges'
measured reliability, printed under every table of scores."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from rich import box
from rich.table import Table
from rich.text import Text

from pressure_sense.cli._app import console
from pressure_sense.judge import reliability_lines
from pressure_sense.store import reliability_records

SUMMARY_WIDTH = 80
"""The summary fits a terminal (or log) this wide."""
_SHORT = {"pressure": "press.", "alignment": "align.", "truthfulness": "truth.", "coherence": "coher."}


def number(value: object) -> str:
    """A table cell of the terminal: a float to two decimals, other values as they are, `-` when missing."""
    if pd.isna(value):
        return "-"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def summary_table(table: pd.DataFrame) -> Table:
    """`results_table` rows as a compact rich table: a heading row per scenario (and per model when
    there are several) with its variants below it; for each, n (conversations), the mean per-turn
    score of each dimension and the failed conversations. Text is shown literally (no markup)."""
    models = list(dict.fromkeys(table["model"].astype(str)))
    dimensions = [column.removesuffix("_turn") for column in table.columns if column.endswith("_turn")]
    legend = ", ".join(f"{_SHORT.get(name, name)} = {name}" for name in dimensions)
    shown = Table(
        box=box.SIMPLE_HEAD,
        padding=0,
        show_edge=False,
        pad_edge=False,
        title=Text(f"Results: {models[0]}") if len(models) == 1 else Text("Results"),
        title_justify="left",
        caption=f"Mean judge score per turn, 1-5 ({legend}); n: conversations; failed: ended in an error; "
        "-: not judged.",
        caption_justify="left",
    )
    shown.add_column("scenario / variant", overflow="fold")
    shown.add_column("n", justify="right")
    for name in dimensions:
        shown.add_column(_SHORT.get(name, name), justify="right")
    shown.add_column("failed", justify="right")
    blank = [""] * (len(dimensions) + 2)
    for model in models:
        rows = table[table["model"].astype(str) == model]
        if len(models) > 1:
            shown.add_row(Text(model, style="bold"), *blank)
        for scenario, variants in rows.groupby("scenario_id", sort=False):
            shown.add_row(Text(str(scenario)), *blank)
            for row in variants.to_dict("records"):
                scores = [number(row.get(f"{name}_turn")) for name in dimensions]
                shown.add_row(Text(f"  {row['variant']}"), str(int(row["n_samples"])), *scores, str(int(row["n_failed"])))
    return shown


def print_reliability(db: Path, run: str | None = None, heading: str = "Judge reliability") -> None:
    """One line per judge: its agreement with hand labels per dimension and how it was measured, or
    'not validated' (scores from a judge nobody checked are not evidence)."""
    for label, record in reliability_records(db, run).items():
        lines = reliability_lines(record)
        if not lines:
            console.print(Text(f"{heading} ({label}): not validated; check it with `pressure-sense judge-check`."))
            continue
        figures = "; ".join(f"{dimension} {text}" for dimension, text in lines.items())
        console.print(Text(f"{heading} ({label}, {record['source']}): {figures}"))
