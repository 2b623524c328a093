"""ResultsStore: the SQLite writer (runs, samples and everything under them), idempotent per sample."""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal, TypeVar

from inspect_ai.log import EvalSample, EvalSpec, read_eval_log
from tenacity import Retrying, retry_if_exception, stop_before_delay, wait_random_exponential

from pressure_sense.store._keys import STUDY_METADATA_KEY, study_settings
from pressure_sense.store._logs import log_samples
from pressure_sense.store._redact import Redactor, current_redactor, redact, redact_data
from pressure_sense.store._rows import Row, SampleRows, sample_rows
from pressure_sense.store._schema import DDL, MIGRATIONS, SCHEMA_VERSION

RunStatus = Literal["started", "success", "error", "cancelled"]
T = TypeVar("T")

BUSY_TIMEOUT_S = 60.0
"""How long a writer waits for another process's transaction before giving up."""
BACKOFF_S = (0.005, 0.5)
"""First and widest window of the random pause between tries of a statement SQLite answered with "database is
locked" (the window doubles after each try)."""


class StoreError(Exception):
    """A results database that cannot be used (missing, newer schema, unknown run); the message says why."""


def _statements(script: str) -> Iterator[str]:
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending.strip()
            pending = ""


def _clean(row: Row, redactor: Redactor | None = None) -> Row:
    redactor = redactor or current_redactor()
    return {key: redactor(value) if isinstance(value, str) else value for key, value in row.items()}


def _insert(connection: sqlite3.Connection, table: str, row: Row, redactor: Redactor | None = None) -> int:
    clean = _clean(row, redactor)
    columns = ", ".join(clean)
    marks = ", ".join(f":{key}" for key in clean)
    cursor = connection.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", clean)
    return int(cursor.lastrowid or 0)


def _reason(error: OSError | sqlite3.Error) -> str:
    """Why a file cannot be used, with what to do for the usual causes."""
    if isinstance(error, sqlite3.DatabaseError) and "not a database" in str(error):
        return "the file is not a SQLite database: give another path or move the file away"
    if isinstance(error, OSError):
        return f"{error.strerror or error}: check the path and its permissions"
    return f"{error}: check the path and its permissions"


def _is_busy(error: BaseException) -> bool:
    return isinstance(error, sqlite3.OperationalError) and ("locked" in str(error) or "busy" in str(error))


def retry_busy(action: Callable[[], T], budget_s: float = BUSY_TIMEOUT_S) -> T:
    """`action()`, tried again with jittered exponential backoff while SQLite reports a busy database
    (which it may do at once, without waiting its busy timeout), for at most `budget_s` seconds."""
    retrying = Retrying(
        retry=retry_if_exception(_is_busy),
        wait=wait_random_exponential(multiplier=BACKOFF_S[0], max=BACKOFF_S[1]),
        stop=stop_before_delay(budget_s),
        reraise=True,
    )
    return retrying(action)


def _create_database(path: Path) -> None:
    """Create `path` with WAL and the current schema, atomically: the file is built under a private name
    and linked into place, so concurrent creators never meet a half-made file (the first link wins)."""
    building = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}")
    connection = sqlite3.connect(building, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode = WAL")  # kept in the file: set here, once
        connection.executescript(DDL)
        connection.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
    finally:
        connection.close()
    try:
        os.link(building, path)
    except FileExistsError:
        pass
    finally:
        building.unlink()


def open_connection(path: Path, timeout_s: float = BUSY_TIMEOUT_S) -> sqlite3.Connection:
    """A connection in autocommit mode with foreign keys and a busy timeout; a missing database is
    created first (in WAL mode)."""
    if not path.exists():
        _create_database(path)
    connection = sqlite3.connect(path, timeout=timeout_s, isolation_level=None, check_same_thread=False)
    connection.execute(f"PRAGMA busy_timeout = {int(timeout_s * 1000)}")
    connection.execute("PRAGMA synchronous = NORMAL")  # WAL: safe on crash or SIGKILL; fsync at checkpoints
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


class ResultsStore:
    """A results database, created or migrated on open, safe to share between threads and processes; every
    text written is passed through `redact` first, so API keys never reach the file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._connection = open_connection(self.path)
        except (OSError, sqlite3.Error) as error:
            raise StoreError(f"cannot use {self.path} as a results database ({_reason(error)})") from None
        try:
            self._prepare_schema()
        except sqlite3.Error as error:
            self._connection.close()
            raise StoreError(f"cannot use {self.path} as a results database ({_reason(error)})") from None
        except StoreError:  # a newer schema: refused, and the file is not kept open
            self._connection.close()
            raise

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE, retried while the database is busy): committed on
        success, rolled back on error."""
        with self._lock:
            retry_busy(lambda: self._connection.execute("BEGIN IMMEDIATE"))
            try:
                yield self._connection
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def _prepare_schema(self) -> None:
        with self.transaction() as connection:
            try:
                found = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            except sqlite3.OperationalError:
                found = None
            version = int(found[0]) if found else None
            if version == SCHEMA_VERSION:
                return
            if version is None:
                for statement in _statements(DDL):
                    connection.execute(statement)
            elif version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} has schema version {version}, newer than this pressure-sense "
                    f"({SCHEMA_VERSION}); upgrade pressure-sense to read it"
                )
            else:
                for step in range(version, SCHEMA_VERSION):
                    for statement in MIGRATIONS[step]:
                        connection.execute(statement)
            connection.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(SCHEMA_VERSION),),
            )

    def start_run(
        self,
        run_id: str,
        study_id: str,
        model: str,
        judge: str | None = None,
        log_path: str | Path | None = None,
        config: dict[str, Any] | None = None,
        *,
        task_id: str | None = None,
        source: Literal["run", "import"] = "run",
    ) -> str:
        """Record a run as started and return the run_id the store keeps for it: a run already stored under
        `run_id`, or under the same study and `task_id` (a retried or resumed task), is reused, its samples
        replaced one by one by later writes, so a resume never duplicates anything."""
        with self.transaction() as connection:
            existing = connection.execute("SELECT run_id FROM runs WHERE run_id = ?", (run_id,)).fetchone()
            if existing is None and task_id is not None:
                existing = connection.execute(
                    "SELECT run_id FROM runs WHERE study_id = ? AND task_id = ? ORDER BY created_at LIMIT 1",
                    (redact(study_id), task_id),
                ).fetchone()
            values = {
                "study_id": study_id,
                "model": model,
                "judge": judge,
                "log_path": str(log_path) if log_path is not None else None,
                "config": json.dumps(redact_data(config or {}), default=str, sort_keys=True),
                "task_id": task_id,
            }
            if existing is None:
                _insert(
                    connection,
                    "runs",
                    {
                        "run_id": run_id,
                        "created_at": datetime.now(timezone.utc).isoformat(),
                        "status": "started",
                        "source": source,
                        **values,
                    },
                )
                return run_id
            stored_id = str(existing[0])
            connection.execute(
                "UPDATE runs SET study_id = :study_id, model = :model, judge = COALESCE(:judge, judge), "
                "log_path = COALESCE(:log_path, log_path), config = :config, "
                "task_id = COALESCE(:task_id, task_id), status = 'started' WHERE run_id = :run_id",
                _clean({**values, "run_id": stored_id}),
            )
            return stored_id

    def start_task_run(
        self, spec: EvalSpec, run_id: str, *, task_id: str | None = None, log_path: str | None = None,
        source: Literal["run", "import"] = "run",
    ) -> str:  # fmt: skip
        """`start_run` for an Inspect task: study id, model label and judge from its study settings, else its spec;
        the config keeps the task arguments and the study settings (redacted on write)."""
        settings = study_settings(spec.metadata)
        return self.start_run(
            run_id,
            study_id=str(settings.get("study_id") or spec.run_id),
            model=str(settings.get("model_label") or spec.model),
            judge=settings.get("judge"),
            log_path=log_path,
            config={"task_args": spec.task_args, STUDY_METADATA_KEY: settings},
            task_id=spec.task_id if task_id is None else task_id,
            source=source,
        )

    def finish_run(
        self,
        run_id: str,
        status: RunStatus,
        error: str | None = None,
        log_path: str | Path | None = None,
    ) -> None:
        """Mark a run finished; fills `judge` from its judgements when unknown; `error` adds a run error row."""
        with self.transaction() as connection:
            if connection.execute("SELECT 1 FROM runs WHERE run_id = ?", (run_id,)).fetchone() is None:
                raise StoreError(f"unknown run {run_id!r} in {self.path}")
            judges = [
                row[0]
                for row in connection.execute(
                    "SELECT DISTINCT j.judge FROM judgements j JOIN samples s USING (sample_pk) "
                    "WHERE s.run_id = ? ORDER BY j.judge",
                    (run_id,),
                )
            ]
            connection.execute(
                "UPDATE runs SET status = ?, judge = COALESCE(judge, ?), log_path = COALESCE(?, log_path) "
                "WHERE run_id = ?",
                (status, ",".join(judges) or None, redact(str(log_path)) if log_path else None, run_id),
            )
            connection.execute("DELETE FROM errors WHERE run_id = ? AND stage = 'run'", (run_id,))
            if error:
                _insert(connection, "errors", {"run_id": run_id, "stage": "run", "message": error})

    def write_sample(self, run_id: str, sample: EvalSample) -> int:
        """Store one finished sample in one transaction, replacing an earlier copy; returns its sample_pk."""
        with self.transaction() as connection:
            run = connection.execute("SELECT model FROM runs WHERE run_id = ?", (run_id,)).fetchone()
            if run is None:
                raise StoreError(f"unknown run {run_id!r} in {self.path}: call start_run first")
            return self._replace_sample(connection, run_id, sample_rows(sample, model=str(run[0])))

    def _replace_sample(self, connection: sqlite3.Connection, run_id: str, rows: SampleRows) -> int:
        redactor = current_redactor()
        key = (run_id, redactor(rows.sample["sample_id"]), rows.sample["epoch"])
        previous = connection.execute(
            "SELECT sample_pk FROM samples WHERE run_id = ? AND sample_id = ? AND epoch = ?", key
        ).fetchone()
        sample_row: Row = {"run_id": run_id, **rows.sample}
        if previous is not None:
            connection.execute("DELETE FROM errors WHERE sample_pk = ?", (previous[0],))
            connection.execute("DELETE FROM samples WHERE sample_pk = ?", (previous[0],))
            sample_row["sample_pk"] = previous[0]
        sample_pk = _insert(connection, "samples", sample_row, redactor)
        for table, items in (
            ("turns", rows.turns),
            ("messages", rows.messages),
            ("tool_events", rows.tool_events),
            ("beliefs", rows.beliefs),
            ("adaptive_outcomes", rows.adaptive_outcomes),
        ):
            for item in items:
                _insert(connection, table, {"sample_pk": sample_pk, **item}, redactor)
        for judgement, scores in rows.judgements:
            judgement_pk = _insert(connection, "judgements", {"sample_pk": sample_pk, **judgement}, redactor)
            for score in scores:
                _insert(connection, "scores", {"judgement_pk": judgement_pk, **score}, redactor)
        for error in rows.errors:
            _insert(connection, "errors", {"run_id": run_id, "sample_pk": sample_pk, **error}, redactor)
        return sample_pk

    def stored_samples(self, run_id: str) -> set[tuple[str, int]]:
        """The (sample_id, epoch) pairs stored for a run."""
        with self._lock:
            rows = retry_busy(
                lambda: self._connection.execute(
                    "SELECT sample_id, epoch FROM samples WHERE run_id = ?", (run_id,)
                ).fetchall()
            )
            return {(str(sample_id), int(epoch)) for sample_id, epoch in rows}

    def write_log(self, log_path: str | Path, *, only_missing: bool = False) -> str:
        """(Re)import a whole Inspect log (.eval or .json); returns the run_id it is stored under. Stored samples
        are replaced (with `only_missing`, kept), so importing a log twice adds no duplicates."""
        location = str(log_path)
        header = read_eval_log(location, header_only=True)
        run_id = self.start_task_run(header.eval, header.eval.eval_id, log_path=location, source="import")
        present = self.stored_samples(run_id) if only_missing else set()
        for sample in log_samples(location):
            if (str(sample.id), sample.epoch) not in present:
                self.write_sample(run_id, sample)
        error = header.error.message if header.error else None
        self.finish_run(run_id, header.status, error=error, log_path=location)
        return run_id
