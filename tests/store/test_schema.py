"""Database set-up: WAL, foreign keys, schema versions and concurrent writers."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest

from pressure_sense.store import SCHEMA_VERSION, ResultsStore, StoreError, list_runs
from tests.store.older_schema import database_of_version


def test_new_database_uses_wal_and_records_its_version(tmp_path: Path) -> None:
    with ResultsStore(tmp_path / "out" / "results.sqlite") as store:
        connection = store._connection
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert connection.execute("PRAGMA foreign_keys").fetchone() == (1,)
        assert connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
            str(SCHEMA_VERSION),
        )


def test_a_version_1_database_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    db = tmp_path / "results.sqlite"
    database_of_version(db, 1)
    connection = sqlite3.connect(db)
    connection.executescript(
        "INSERT INTO runs (run_id, study_id, created_at, model, status) "
        "VALUES ('old', 's', '2026-01-01', 'm', 'success');"
    )
    connection.close()
    with ResultsStore(db) as store:
        columns = [row[1] for row in store._connection.execute("PRAGMA table_info(runs)")]
        assert columns[-1] == "task_id"
        assert store.start_run("new", "s", "m", task_id="t1") == "new"
    assert list(list_runs(db)["run_id"]) == ["old", "new"]


def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "results.sqlite"
    ResultsStore(db).close()
    connection = sqlite3.connect(db)
    connection.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    connection.commit()
    connection.close()
    with pytest.raises(StoreError, match="schema version 99, newer than this pressure-sense") as refused:
        ResultsStore(db)
    assert refused.traceback  # keeps the half-made store alive, as a caller's handler would
    assert db not in {Path(f.path) for f in psutil.Process().open_files()}, "the refused file is still open"


def test_a_rerun_task_reuses_its_run(tmp_path: Path) -> None:
    with ResultsStore(tmp_path / "results.sqlite") as store:
        first = store.start_run("eval-1", "study", "model-a", task_id="task-1")
        store.finish_run(first, "error", error="interrupted")
        assert store.start_run("eval-2", "study", "model-a", task_id="task-1") == "eval-1"
        assert store.start_run("eval-3", "other-study", "model-a", task_id="task-1") == "eval-3"
        store.finish_run(first, "success")
        statuses = dict(store._connection.execute("SELECT run_id, status FROM runs").fetchall())
        run_errors = store._connection.execute("SELECT COUNT(*) FROM errors WHERE stage = 'run'").fetchone()
    assert statuses == {"eval-1": "success", "eval-3": "started"}
    assert run_errors == (0,)
    with ResultsStore(tmp_path / "results.sqlite") as store, pytest.raises(StoreError, match="unknown run 'nope'"):
        store.finish_run("nope", "success")


def test_threads_share_one_store(tmp_path: Path) -> None:
    with ResultsStore(tmp_path / "results.sqlite") as store, ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda n: store.start_run(f"run-{n}", "study", "m"), range(40)))
    assert len(list_runs(tmp_path)) == 40


WRITER = textwrap.dedent(
    """
    import sys
    from pressure_sense.store import ResultsStore
    with ResultsStore(sys.argv[1]) as store:
        for n in range(30):
            run_id = store.start_run(f"{sys.argv[2]}-{n}", "study", "m")
            store.finish_run(run_id, "success")
    """
)


def test_processes_write_the_same_database_at_once(tmp_path: Path) -> None:
    db = tmp_path / "results.sqlite"
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), name]) for name in ("a", "b")]
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0]
    runs = list_runs(db)
    assert len(runs) == 60 and set(runs["status"]) == {"success"}
