"""Where a results database lives: a file path, or the run output folder that holds `results.sqlite`."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pandas as pd

from pressure_sense.store._schema import SCHEMA_VERSION
from pressure_sense.store._writer import ResultsStore, StoreError

DB_FILENAME = "results.sqlite"
"""The database's file name inside a run's output folder."""

DEFAULT_RUNS_FOLDER = Path("pressure-sense-runs")
"""Where `pressure-sense run` puts each study's output folder by default (relative to the working folder)."""

DbLike = str | Path
"""A database file, or a folder holding DB_FILENAME."""


def database_path(db: DbLike) -> Path:
    """The database file for a path or output folder; StoreError when there is none."""
    path = Path(db).expanduser()
    if path.is_dir():
        path = path / DB_FILENAME
    if not path.is_file():
        raise StoreError(f"no results database at {path} (give a {DB_FILENAME} file or the run's output folder)")
    return path


def find_databases(root: Path | None = None) -> list[Path]:
    """Results databases in `root` (default: the working folder) and its DEFAULT_RUNS_FOLDER, newest first."""
    base = root or Path.cwd()
    found = [base / DB_FILENAME, *(base / DEFAULT_RUNS_FOLDER).glob(f"*/{DB_FILENAME}")]
    return sorted((path for path in found if path.is_file()), key=lambda path: path.stat().st_mtime, reverse=True)


def read_connection(db: DbLike) -> sqlite3.Connection:
    """A connection for queries on an existing database (never creates one); an older schema is migrated first."""
    path = database_path(db)
    connection = sqlite3.connect(path, timeout=60.0)
    connection.execute("PRAGMA busy_timeout = 60000")
    try:
        connection.execute("SELECT 1 FROM runs LIMIT 1")
        found = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.DatabaseError as error:
        connection.close()
        raise StoreError(f"{path} is not a pressure-sense results database ({error})") from None
    if found and int(found[0]) < SCHEMA_VERSION:
        ResultsStore(path).close()
    return connection


def query_rows(db: DbLike, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every row of one query on an existing database (`read_connection`)."""
    with closing(read_connection(db)) as connection:
        return connection.execute(sql, params).fetchall()


def query_frame(db: DbLike, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """One query on an existing database (`read_connection`) as a DataFrame."""
    with closing(read_connection(db)) as connection:
        return pd.read_sql_query(sql, connection, params=params)
