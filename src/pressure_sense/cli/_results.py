"""`pressure-sense results [RUN_OR_DB]`: the results table per model x scenario x variant."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from pressure_sense.cli._app import app
from pressure_sense.cli._errors import user_errors
from pressure_sense.cli._reliability import print_reliability
from pressure_sense.cli._summary import number
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

console = Console(highlight=False)

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
        if key.endswith("_failed") and not key.startswith("n_")
        and isinstance(value, (int, float)) and not math.isnan(value) and value
    ]  # fmt: skip
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
    print_reliability(console, db, run)
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
