"""`pressure-sense report` and `pressure-sense compare`: write the HTML report, compare two runs."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from pressure_sense.analysis import DEFAULT_BOOTSTRAP
from pressure_sense.cli._app import app
from pressure_sense.cli._errors import user_errors
from pressure_sense.report import DEFAULT_TRANSCRIPT_CAP, build_report, compare_runs, write_comparison
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
    """Paired differences A - B per scenario x variant x dimension, with 95% bootstrap CIs."""
    with user_errors(StoreError):
        comparison = compare_runs(run_a, run_b, db=db, n_boot=n_boot, seed=seed)
    table = Table(
        title=f"A = {comparison.label_a}   B = {comparison.label_b}   (paired on {', '.join(comparison.paired_on)})"
    )
    by = [c for c in comparison.table.columns if c in ("model", "scenario_id", "variant", "dimension")]
    for column in [*by, "pairs", "A", "B", "A - B [95% CI]"]:
        table.add_column(column, justify="right" if column in ("pairs", "A", "B", "A - B [95% CI]") else "left")
    for row in comparison.table.to_dict("records"):
        clear = row["ci_low"] > 0 or row["ci_high"] < 0
        delta = f"{row['delta']:+.2f} [{row['ci_low']:+.2f}, {row['ci_high']:+.2f}]"
        table.add_row(
            *[str(row[c]) for c in by],
            str(row["n_pairs"]),
            f"{row['mean_a']:.2f}",
            f"{row['mean_b']:.2f}",
            f"[bold]{delta}[/]" if clear else delta,
        )
    console.print(table)
    paths = write_comparison(comparison, out)
    console.print(f"Written: {', '.join(str(path) for path in paths)}  (bold = the CI excludes 0)")
