"""`pressure-sense results`, `report` and `compare`: a store's results as a table, an HTML report or a comparison."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import typer
from rich.table import Table
from rich.text import Text

from pressure_sense.analysis import DEFAULT_BOOTSTRAP
from pressure_sense.cli._app import app, console, user_errors
from pressure_sense.cli._summary import number, print_reliability
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
from pressure_sense.store import (
    DB_FILENAME,
    ResultsStore,
    StoreError,
    check_run,
    database_path,
    default_database,
    judge_failure_counts,
    latest_study,
    list_runs,
    results_table,
)

_LOG_SUFFIXES = (".eval", ".json")


def _database_and_run(target: str | None, db: Path | None) -> tuple[Path, str]:
    """The database to read and the run id or study id to show (the latest study when not named)."""
    if db is not None:
        path = database_path(db)
    elif target is not None and Path(target).exists():
        path, target = database_path(target), None
    else:
        path = default_database(target)
    if target is None:
        return path, latest_study(path)
    check_run(path, target)
    return path, target


def _usage(used: object, turns: object) -> str:
    """`k of n` turns that used the scratchpad; `-` for variants without it."""
    if pd.isna(turns):
        return "-"
    return f"{int(used)} of {int(turns)}"


def _display_table(table: pd.DataFrame, title: str) -> Table:
    """The results table with each dimension shown as `conversation mean / turn mean`."""
    dimensions = [column for column in table.columns if f"{column}_turn" in table.columns]
    shown = Table(
        "model", "scenario", "variant", "samples", "failed", "errors", *dimensions, "disagree", "scratchpad used", "judge failed",
        title=title, title_justify="left",
        caption="samples: conversations per row, the unit of replication (no intervals here: a row of one "
        "conversation is no evidence of a difference; `pressure-sense report` gives intervals where there are "
        "replicates); dimension columns: conversation-level mean / turn-level mean (1-5); "
        "disagree: share of judged turns whose reasoning and output disagree; "
        "scratchpad used: turns of a scratchpad variant whose answer had a <reasoning> block; "
        "judge failed: judgements without a score, per dimension; -: not judged / no scratchpad",
        caption_justify="left",
    )  # fmt: skip
    for column in shown.columns[:3]:
        column.overflow = "fold"
    for column in shown.columns[3:]:
        column.justify = "right"
    for row in table.to_dict("records"):
        shown.add_row(
            Text(str(row["model"])), Text(str(row["scenario_id"])), Text(str(row["variant"])),
            *(number(row[key]) for key in ("n_samples", "n_failed", "n_errors")),
            *(f"{number(row[name])} / {number(row[f'{name}_turn'])}" for name in dimensions),
            number(row["disagreement_rate"]),
            _usage(row.get("scratchpad_used"), row.get("scratchpad_turns")),
            _failures(row),
        )  # fmt: skip
    return shown


def _failures(row: dict) -> str:
    """`alignment 2, coherence 1` for the dimensions whose judgements failed in this row, else 0."""
    counts = [
        (key.removesuffix("_failed"), value)
        for key, value in row.items()
        if key.endswith("_failed") and not key.startswith("n_") and pd.notna(value) and value
    ]
    return ", ".join(f"{name} {int(value)}" for name, value in counts) or "0"


def print_results(db: Path, run: str, source: Path | None = None) -> None:
    """Print the results table of one run or study (read from `source`, default `db`) and its runs' logs."""
    table = results_table(db, run=run)
    runs = list_runs(db)
    runs = runs[(runs["run_id"] == run) | (runs["study_id"] == run)]
    studies = ", ".join(sorted(set(runs["study_id"])))
    name = f"study {studies}" if run == studies else f"run {run} of study {studies}"
    title = f"{name} ({source or db})"
    console.print(_display_table(table, title) if not table.empty else Text(f"No samples stored for {run} in {db}."))
    print_reliability(db, run)
    failures = judge_failure_counts(db, run)
    if not failures.empty:
        lines = [f"{r.dimension} {r.n_failed} of {r.n_asked}" for r in failures.itertuples() if r.n_failed]
        judges = ", ".join(sorted(set(failures["judge"])))
        console.print(Text(f"Judge failures ({judges}): " + (", ".join(lines) or "none")))
    if "scratchpad_turns" in table.columns and table["scratchpad_turns"].notna().any():
        turns, used = int(table["scratchpad_turns"].sum()), int(table["scratchpad_used"].sum())
        share = f" ({used / turns:.0%})" if turns else ""
        line = f"Scratchpad format used in {used} of {turns} turns of the scratchpad variants{share}."
        if turns and not used:
            line += " No scratchpad effect can be measured."
        console.print(Text(line))
    for item in runs.itertuples(index=False):
        line = f"{item.model}: {item.status} ({item.n_samples} samples)  run {item.run_id}  log: {item.log_path}"
        console.print(Text(line))


@app.command("results")
def results(
    run_or_db: str | None = typer.Argument(
        None, help="Run id, study id, results database, run output folder or Inspect .eval log (default: latest study)."
    ),
    db: Path | None = typer.Option(None, "--db", help=f"Results database or run output folder holding {DB_FILENAME}."),
) -> None:
    """Print the results table per model x scenario x variant: samples, errors, mean scores, disagreement."""
    with user_errors(StoreError):
        if run_or_db is not None and db is None and run_or_db.endswith(_LOG_SUFFIXES):
            log = Path(run_or_db)
            if not log.is_file():
                raise StoreError(f"no Inspect log at {log}")
            with tempfile.TemporaryDirectory() as folder, ResultsStore(Path(folder) / DB_FILENAME) as store:
                try:
                    run = store.write_log(log)
                except (OSError, ValueError, KeyError) as error:
                    raise StoreError(f"cannot read the Inspect log {log}: {error}") from None
                print_results(store.path, run, source=log)
            return
        path, run = _database_and_run(run_or_db, db)
        print_results(path, run)


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
        print_reliability(source.db, source.run, heading=f"{name}: judge reliability")
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
