"""`pressure-sense store rebuild LOG_DIR`: build or update a results store from Inspect logs."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from pressure_sense.cli._app import UserError, app, console, user_errors
from pressure_sense.store import DB_FILENAME, StoreError, rebuild_store

store_app = typer.Typer(help="Work on a results store.", no_args_is_help=True)
app.add_typer(store_app, name="store")


def default_db(log_dir: str) -> Path:
    """A study's store sits beside its `logs` folder; any other local folder gets its own."""
    folder = Path(log_dir)
    if "://" in log_dir:
        raise UserError(f"{log_dir} is not a local folder: pass --db PATH for the results database")
    return folder.parent / DB_FILENAME if folder.name == "logs" else folder / DB_FILENAME


@store_app.command("rebuild")
def rebuild(
    log_dir: str = typer.Argument(..., help="Folder (or fsspec URL such as s3://bucket/study) holding .eval logs."),
    db: Path | None = typer.Option(None, "--db", help=f"Results database to build or update (default: {DB_FILENAME} beside LOG_DIR)."),
) -> None:
    """Build or update the results store from every Inspect log under LOG_DIR (idempotent: rerun freely)."""
    with user_errors(StoreError, FileNotFoundError, ValueError):
        if "://" not in log_dir and not Path(log_dir).is_dir():
            raise UserError(f"no folder {log_dir}: give the folder of a study's Inspect logs")
        summary = rebuild_store(log_dir, db or default_db(log_dir))
    console.print(f"{summary.logs} logs -> {len(summary.runs)} runs, {summary.samples} samples in {summary.db}")
    for item in summary.unfinished:
        console.print(f"[yellow]not finished[/]: {escape(item)}")
    for item in summary.unreadable:
        console.print(f"[red]unreadable, skipped[/]: {escape(item)}")
