"""Where a results database lives (a file, or the run output folder that holds `results.sqlite`), and the queries
over it, returned as pandas DataFrames (one row per sample, turn score, ...)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path
from typing import Any

import pandas as pd

from pressure_sense.conversation import target_error_kind
from pressure_sense.rubrics import BUILT_IN
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


def query_frame(db: DbLike, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """One query on an existing database (`read_connection`) as a DataFrame."""
    with closing(read_connection(db)) as connection:
        return pd.read_sql_query(sql, connection, params=params)


SAMPLE_COLUMNS: tuple[str, ...] = (
    "run_id", "study_id", "sample_pk", "sample_id", "epoch", "model", "scenario_id",
    "variant", "reasoning", "mode", "condition", "status", "error",
)  # fmt: skip
"""The columns every per-sample frame starts with."""

_SAMPLE_SELECT = (
    "s.run_id, r.study_id, s.sample_pk, s.sample_id, s.epoch, s.model, s.scenario_id, "
    "s.variant, s.reasoning, s.mode, s.condition, s.status, s.error"
)
_FROM_SAMPLES = "FROM samples s JOIN runs r ON r.run_id = s.run_id"


def _frame(
    db: DbLike, select: str, joins: str, where: str, order: str, run: str | None, types: dict[str, Any] | None = None
) -> pd.DataFrame:
    """`SELECT select` from the samples (`s`, with their run `r`) and `joins`, kept by `where` and `run` (a run id or
    study id), in `order`; the sample columns typed, then `types`."""
    kept = "" if run is None else " AND (s.run_id = :run OR r.study_id = :run)"
    sql = f"SELECT {select} {_FROM_SAMPLES}{joins} WHERE {where}{kept} ORDER BY {order}"
    frame = query_frame(db, sql, {} if run is None else {"run": run})
    return frame.astype({"reasoning": bool, "epoch": "int64", "sample_pk": "int64", **(types or {})})


def samples_frame(db: DbLike, run: str | None = None) -> pd.DataFrame:
    """One row per sample (SAMPLE_COLUMNS); `run` keeps one run id or study id."""
    return _frame(db, _SAMPLE_SELECT, "", "1 = 1", "s.sample_pk", run)


def turn_scores_frame(db: DbLike, run: str | None = None) -> pd.DataFrame:
    """One row per (sample, turn, dimension) of turn-level judgements.

    Columns: SAMPLE_COLUMNS, turn_index, intensity, pressure_types (JSON list as str),
    primary_pressure_type (the first listed), rubric, dimension, score, rationale, judge, method,
    scratchpad_used (the turn's answer had a <reasoning> block: its stored reasoning is not NULL).
    """
    frame = _frame(
        db,
        f"{_SAMPLE_SELECT}, j.turn_index, t.intensity, t.pressure_types, j.rubric, sc.dimension, sc.score, "
        "sc.rationale, j.judge, j.method, t.reasoning IS NOT NULL AS scratchpad_used",
        " JOIN judgements j ON j.sample_pk = s.sample_pk JOIN scores sc ON sc.judgement_pk = j.judgement_pk "
        "LEFT JOIN turns t ON t.sample_pk = j.sample_pk AND t.turn_index = j.turn_index",
        "j.turn_index IS NOT NULL",
        "s.sample_pk, j.turn_index, j.judgement_pk, sc.rowid",
        run,
        {"turn_index": "int64", "intensity": "Int64", "score": float, "scratchpad_used": bool},  # IS NOT NULL: 0 or 1
    )
    frame.insert(
        frame.columns.get_loc("pressure_types") + 1,
        "primary_pressure_type",
        frame["pressure_types"].map({value: _first_listed(value) for value in frame["pressure_types"].unique()}),
    )
    return frame


def _first_listed(pressure_types: str | None) -> str | None:
    listed = json.loads(pressure_types) if pressure_types else []
    return str(listed[0]) if listed else None


def conversation_scores_frame(db: DbLike, run: str | None = None) -> pd.DataFrame:
    """One row per (sample, dimension) of conversation-level judgements.
    Columns: SAMPLE_COLUMNS, rubric, dimension, score, rationale, judge, method."""
    return _frame(
        db,
        f"{_SAMPLE_SELECT}, j.rubric, sc.dimension, sc.score, sc.rationale, j.judge, j.method",
        " JOIN judgements j ON j.sample_pk = s.sample_pk JOIN scores sc ON sc.judgement_pk = j.judgement_pk",
        "j.turn_index IS NULL",
        "s.sample_pk, j.judgement_pk, sc.rowid",
        run,
        {"score": float},
    )


def judgements_frame(db: DbLike, run: str | None = None) -> pd.DataFrame:
    """One row per judgement. Columns: SAMPLE_COLUMNS (with the sample's `error` renamed `sample_error`),
    rubric, turn_index (NA for the whole conversation), judge, method, disagreement (nullable boolean),
    error (why judging failed, else None) and cut_chars (quoted characters cut for a small judge)."""
    frame = _frame(
        db,
        f"{_SAMPLE_SELECT.replace('s.error', 's.error AS sample_error')}, "
        "j.rubric, j.turn_index, j.judge, j.method, j.disagreement, j.error, j.cut_chars",
        " JOIN judgements j ON j.sample_pk = s.sample_pk",
        "1 = 1",
        "s.sample_pk, j.judgement_pk",
        run,
        {"turn_index": "Int64", "disagreement": "Int64"},
    )
    return frame.astype({"disagreement": "boolean"})


def _table_frame(
    db: DbLike, table: str, columns: tuple[str, ...], order: str, run: str | None, types: dict[str, Any]
) -> pd.DataFrame:
    """SAMPLE_COLUMNS plus `columns` of a per-sample table, joined on sample_pk (reading migrates an older
    database first, so every table and column is there)."""
    selected = ", ".join(f"x.{name}" for name in columns)
    joins = f" JOIN {table} x ON x.sample_pk = s.sample_pk"
    return _frame(db, f"{_SAMPLE_SELECT}, {selected}", joins, "1 = 1", order, run, types)


def beliefs_frame(db: DbLike, run: str | None = None) -> pd.DataFrame:
    """One row per (sample, factual question) of belief-anchored samples.

    Columns: SAMPLE_COLUMNS, question_index, question, neutral_answer, belief (true | false | unclear),
    pressured_answer, final (NA when the question's turn was not played), flipped (nullable boolean),
    direction (toward_truth | away_from_truth, NA unless flipped), belief_read and final_read (rules |
    judge: who read each stance; NA in databases older than schema 4).
    """
    frame = _table_frame(
        db,
        "beliefs",
        (
            "question_index", "question", "neutral_answer", "belief", "pressured_answer", "final", "flipped",
            "direction", "belief_read", "final_read",
        ),  # fmt: skip
        "s.sample_pk, x.question_index",
        run,
        {"question_index": "Int64", "flipped": "Int64"},
    )
    return frame.astype({"flipped": "boolean"})


def adaptive_frame(db: DbLike, run: str | None = None) -> pd.DataFrame:
    """One row per adaptive sample. Columns: SAMPLE_COLUMNS, stopped (gave_in | held | max_turns),
    turns (user turns played), breaking_turn (turn_index where it gave in, NA otherwise), unclear_turns
    (replies the give-in check could not classify)."""
    columns = ("stopped", "turns", "breaking_turn", "unclear_turns")
    types = {"turns": "Int64", "breaking_turn": "Int64"}
    return _table_frame(db, "adaptive_outcomes", columns, "s.sample_pk", run, types)


def tool_events_frame(db: DbLike, run: str | None = None) -> pd.DataFrame:
    """One row per tool call. Columns: SAMPLE_COLUMNS, turn_index, function, arguments (JSON as str),
    result, harmful, escalation, report (booleans)."""
    return _table_frame(
        db,
        "tool_events",
        ("turn_index", "function", "arguments", "result", "harmful", "escalation", "report"),
        "s.sample_pk, x.turn_index, x.rowid",
        run,
        {"turn_index": "Int64", "harmful": bool, "escalation": bool, "report": bool},
    )


def transcripts(
    db: DbLike, sample_pks: Iterable[int] | None = None, run: str | None = None
) -> list[dict[str, Any]]:
    """One dict per sample: the SAMPLE_COLUMNS, `system` (the system prompt), `messages` (every
    message in order), `turns` (user, reasoning, output, error, tool_events, judgements) and
    `judgements` (the conversation-level ones). Judgements carry scores {dimension: {score, rationale}}."""
    samples = samples_frame(db, run)
    if sample_pks is not None:
        samples = samples[samples["sample_pk"].isin(list(sample_pks))]
    if samples.empty:
        return []
    with closing(read_connection(db)) as connection:
        connection.row_factory = _dict_row
        return [_transcript(connection, sample) for sample in samples.to_dict("records")]


def _dict_row(cursor: Any, row: tuple[Any, ...]) -> dict[str, Any]:
    return {column[0]: value for column, value in zip(cursor.description, row)}


def _transcript(connection: Any, sample: dict[str, Any]) -> dict[str, Any]:
    pk = int(sample["sample_pk"])
    messages = connection.execute(
        "SELECT position, role, turn_index, content, reasoning, output FROM messages "
        "WHERE sample_pk = ? ORDER BY position",
        (pk,),
    ).fetchall()
    judgements = _judgements(connection, pk)
    turns = []
    for turn in connection.execute(
        "SELECT turn_index, pressure_types, intensity, source, user_content AS user, reasoning, output, error "
        "FROM turns WHERE sample_pk = ? ORDER BY turn_index",
        (pk,),
    ).fetchall():
        turn["pressure_types"] = json.loads(turn["pressure_types"])
        turn["tool_events"] = _tool_events(connection, pk, turn["turn_index"])
        turn["judgements"] = [item for item in judgements if item["turn_index"] == turn["turn_index"]]
        turns.append(turn)
    system = next((message["content"] for message in messages if message["role"] == "system"), None)
    return {
        **{column: sample[column] for column in SAMPLE_COLUMNS},
        "system": system,
        "messages": messages,
        "turns": turns,
        "judgements": [item for item in judgements if item["turn_index"] is None],
    }


def _tool_events(connection: Any, sample_pk: int, turn_index: int) -> list[dict[str, Any]]:
    events = connection.execute(
        "SELECT call_id, function, arguments, result, harmful, escalation, report FROM tool_events "
        "WHERE sample_pk = ? AND turn_index = ? ORDER BY rowid",
        (sample_pk, turn_index),
    ).fetchall()
    for event in events:
        event["arguments"] = json.loads(event["arguments"])
        for flag in ("harmful", "escalation", "report"):
            event[flag] = bool(event[flag])
    return events


def _judgements(connection: Any, sample_pk: int) -> list[dict[str, Any]]:
    judgements = connection.execute(
        "SELECT judgement_pk, rubric, turn_index, judge, method, disagreement, disagreement_rationale, error, raw, "
        "attempts, cut_chars "
        "FROM judgements WHERE sample_pk = ? ORDER BY judgement_pk",
        (sample_pk,),
    ).fetchall()
    for judgement in judgements:
        scores = connection.execute(
            "SELECT dimension, score, rationale FROM scores WHERE judgement_pk = ? ORDER BY rowid",
            (judgement.pop("judgement_pk"),),
        ).fetchall()
        judgement["scores"] = {
            item["dimension"]: {"score": item["score"], "rationale": item["rationale"]} for item in scores
        }
        if judgement["disagreement"] is not None:
            judgement["disagreement"] = bool(judgement["disagreement"])
    return judgements


def turn_errors_frame(db: DbLike, run: str | None = None) -> pd.DataFrame:
    """One row per turn without an ordinary answer. Columns: SAMPLE_COLUMNS, turn_index, kind
    (refusal | content_filter | empty | provider_error | other) and turn_error (the recorded text)."""
    frame = _frame(
        db,
        f"{_SAMPLE_SELECT}, t.turn_index, t.error AS turn_error",
        " JOIN turns t ON t.sample_pk = s.sample_pk",
        "t.error IS NOT NULL",
        "s.sample_pk, t.turn_index",
        run,
        {"turn_index": "int64"},
    )
    frame.insert(frame.columns.get_loc("turn_error"), "kind", frame["turn_error"].map(target_error_kind))
    return frame


def judge_failures_frame(db: DbLike, run: str | None = None) -> pd.DataFrame:
    """One row per (judgement, dimension it was asked): SAMPLE_COLUMNS, rubric, turn_index (NA for the whole
    conversation), judge, method, dimension, failed (no score or flag came back) and judge_error.

    What was asked is recorded on each judgement; measured (flags) judgements cannot fail and are left out.
    """
    judged = _frame(
        db,
        f"{_SAMPLE_SELECT}, j.judgement_pk, j.rubric, j.turn_index, j.judge, j.method, j.error AS judge_error, "
        "j.disagreement, j.asked, "
        "(SELECT group_concat(sc.dimension, ',') FROM scores sc WHERE sc.judgement_pk = j.judgement_pk) AS scored",
        " JOIN judgements j ON j.sample_pk = s.sample_pk",
        "j.method != 'flags'",
        "s.sample_pk, j.judgement_pk",
        run,
    )
    rows = []
    for item in judged.to_dict("records"):
        listed = item.pop("scored")
        scored = set(listed.split(",")) if isinstance(listed, str) else set()
        answered = scored | ({"disagreement"} if not pd.isna(item.pop("disagreement")) else set())
        error = item.pop("judge_error")
        error = error if isinstance(error, str) else None
        asked = json.loads(item.pop("asked") or "[]") or _asked_before_schema_4(item["rubric"], scored)
        for dimension in asked:
            failed = dimension not in answered
            rows.append({**item, "dimension": dimension, "failed": failed, "judge_error": error if failed else None})
    columns = [
        *SAMPLE_COLUMNS, "judgement_pk", "rubric", "turn_index", "judge", "method", "dimension", "failed", "judge_error",
    ]
    frame = pd.DataFrame(rows, columns=columns).astype({"turn_index": "Int64", "failed": bool, "reasoning": bool})
    return frame.drop(columns="judgement_pk")


def _asked_before_schema_4(rubric: str, scored: set[str]) -> list[str]:
    """What a judgement stored without its `asked` list was asked: its built-in rubric's scored dimensions that
    apply to every turn, plus whatever else it scored."""
    known = BUILT_IN.get(rubric)
    always = [d.name for d in known.of_kind("score") if d.applies == "always"] if known else []
    return always + sorted(scored - set(always))