"""`pressure-sense report` and `pressure-sense compare`: write the HTML report, compare two runs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from pressure_sense.analysis import DEFAULT_BOOTSTRAP
from pressure_sense.cli._app import app
from pressure_sense.cli._errors import user_errors
from pressure_sense.cli._reliability import print_reliability
from pressure_sense.report import (
    DEFAULT_TRANSCRIPT_CAP,
    Comparison,
    build_report,
    compare_runs,
    no_interval,
    resolve_sources,
    with_ci,
    write_comparison,
)
from pressure_sense.store import StoreError

console = Console(highlight=False)


@app.command("report")
def report(
    sources: list[str] = typer.Argument(None, help="Results databases (file or run folder) or run/study ids."),
    out: Path = typer.Option(Path("report.html"), "--out", "-o", help="The HTML file to write."),
    db: Path | None = typer.Option(None, help="Database that holds the run ids (default: the newest one here)."),
    max_transcripts: int = typer.Option(
        DEFAULT_TRANSCRIPT_CAP, min=0, help="Conversations embedded per model x scenario x variant (0 = all)."
    ),
    n_boot: int = typer.Option(DEFAULT_BOOTSTRAP, min=100, help="Bootstrap resamples per confidence interval."),
    seed: int = typer.Option(0, help="Seed of the bootstrap."),
) -> None:
    """Write a self-contained HTML report, its PNG charts and CSV/Parquet tables."""
    with user_errors(StoreError):
        result = build_report(
            list(sources or []), out, db=db, max_transcripts_per_group=max_transcripts or None, n_boot=n_boot, seed=seed
        )
    console.print(
        f"Report: [bold]{result.html}[/] ({result.n_conversations} conversations, "
        f"{result.n_embedded} in the transcript viewer)"
    )
    console.print(f"Charts: {len(result.charts)} PNG in {result.charts[0].parent if result.charts else '-'}")
    console.print(f"Tables: {len(result.tables)} files in {result.tables[0].parent if result.tables else '-'}")
    for finding in result.findings:
        console.print(f"- {finding}", markup=False)


@app.command("compare")
def compare(
    run_a: str = typer.Argument(..., help="Run id, study id, database or run folder (A)."),
    run_b: str = typer.Argument(..., help="Run id, study id, database or run folder (B)."),
    db: Path | None = typer.Option(None, help="Database that holds the run ids (default: the newest one here)."),
    out: Path = typer.Option(Path("compare.csv"), "--out", "-o", help="Where to write the table (.csv and .parquet)."),
    n_boot: int = typer.Option(DEFAULT_BOOTSTRAP, min=100, help="Bootstrap resamples per confidence interval."),
    seed: int = typer.Option(0, help="Seed of the bootstrap."),
) -> None:
    """Paired differences A - B per scenario x variant x dimension and over all scenarios, with 95% bootstrap
    CIs where there are replicates (rows of one pair show no interval)."""
    with user_errors(StoreError):
        comparison = compare_runs(run_a, run_b, db=db, n_boot=n_boot, seed=seed)
    console.print(_comparison_table(comparison, comparison.table, "per scenario × variant"))
    if not comparison.pooled.empty:
        console.print(_comparison_table(comparison, comparison.pooled, "all scenarios"))
    console.print(comparison.replicate_note, markup=False)
    with user_errors(StoreError):
        sides = [(name, resolve_sources([item], db)[0]) for name, item in (("A", run_a), ("B", run_b))]
    for name, source in sides:
        print_reliability(console, source.db, source.run, heading=f"{name}: judge reliability")
    paths = write_comparison(comparison, out)
    console.print(f"Written: {', '.join(str(path) for path in paths)}  (bold = an interval that excludes 0)")


def _comparison_table(comparison: Comparison, frame: pd.DataFrame, level: str) -> Table:
    """One row per comparison row: pairs, A, B and `A - B [95% CI]` (or `n=1, no interval`)."""
    table = Table(
        title=f"A = {comparison.label_a}   B = {comparison.label_b}   ({level}; paired on "
        f"{', '.join(comparison.paired_on)})"
    )
    by = [c for c in frame.columns if c in ("model", "scenario_id", "variant", "dimension")]
    for column in [*by, "pairs", "A", "B", "A - B [95% CI]", "interval resamples"]:
        table.add_column(column, justify="right" if column in ("pairs", "A", "B", "A - B [95% CI]") else "left")
    for row in frame.to_dict("records"):
        text, _ = with_ci(row["delta"], row["ci_low"], row["ci_high"], signed=True, n_units=row["n_units"])
        clear = not no_interval(row["n_units"]) and (row["ci_low"] > 0 or row["ci_high"] < 0)
        table.add_row(
            *[Text(str(row[c])) for c in by],
            str(row["n_pairs"]),
            f"{row['mean_a']:.2f}",
            f"{row['mean_b']:.2f}",
            Text(text, style="bold" if clear else ""),
            Text(str(row["unit"])),
        )
    return table
