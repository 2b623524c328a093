"""What the hook stores after a real Inspect eval, idempotent re-writes, log imports and resume."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from store_study import (
    BEARER,
    FAILED_JUDGE_RAW,
    FIXED_ENV,
    PLANTED_KEY,
    SHAPED_KEY,
    StudyRun,
    mock_target,
    run_study_eval,
    store_study,
)
from inspect_ai import eval as inspect_eval
from inspect_ai import eval_retry
from inspect_ai.log import read_eval_log_sample_summaries, read_eval_log_samples

from pressure_sense.store import REDACTED, ResultsStore
from pressure_sense.store._hook import ActiveRun, finish_task_run


def rows(db: Path, sql: str, *params: object) -> list[tuple]:
    connection = sqlite3.connect(db)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def columns(db: Path, table: str, alias: str) -> str:
    names = [row[1] for row in rows(db, f"PRAGMA table_info({table})") if row[1] != "sample_pk"]
    return ", ".join(f"{alias}.{name}" for name in names)


def snapshot(db: Path) -> dict[str, list[tuple]]:
    """Every stored value except surrogate keys, the run's creation time and its source."""
    by_sample = "JOIN samples s USING (sample_pk)"
    queries = {
        "runs": "SELECT run_id, study_id, model, judge, log_path, status, config, task_id FROM runs",
        "samples": f"SELECT {columns(db, 'samples', 'samples')} FROM samples",
        "judgements": "SELECT s.sample_id, j.turn_index, j.judge, j.method, j.disagreement, j.disagreement_rationale, "
        f"j.error, j.raw, j.attempts FROM judgements j {by_sample}",
        "scores": "SELECT s.sample_id, j.turn_index, c.dimension, c.score, c.rationale FROM scores c "
        f"JOIN judgements j USING (judgement_pk) {by_sample}",
        "errors": "SELECT e.run_id, s.sample_id, e.turn_index, e.stage, e.message, e.raw FROM errors e "
        "LEFT JOIN samples s USING (sample_pk)",
    }
    for table in ("turns", "messages", "tool_events"):
        queries[table] = f"SELECT s.sample_id, {columns(db, table, 'x')} FROM {table} x {by_sample}"
    return {
        table: sorted((tuple("" if v is None else v for v in row) for row in rows(db, sql)), key=repr)
        for table, sql in queries.items()
    }


def sample_pk(db: Path, sample_id: str) -> int:
    return rows(db, "SELECT sample_pk FROM samples WHERE sample_id = ?", sample_id)[0][0]


def test_the_run_row_links_the_log_and_its_status(study_run: StudyRun) -> None:
    ((run_id, study_id, model, judge, log_path, status, source, task_id, config),) = rows(
        study_run.db, "SELECT run_id, study_id, model, judge, log_path, status, source, task_id, config FROM runs"
    )
    assert (run_id, study_id, model, judge) == (study_run.log.eval.eval_id, "study-1", "mock", "judge-x")
    assert (log_path, status, source, task_id) == (study_run.log.location, "success", "run", study_run.log.eval.task_id)
    assert json.loads(config)["pressure_sense"]["study_id"] == "study-1"


def test_evals_without_store_metadata_are_not_stored(study_run: StudyRun) -> None:
    assert study_run.unstored_log.status == "success"
    assert rows(study_run.db, "SELECT COUNT(*) FROM runs") == [(1,)]
    assert rows(study_run.db, "SELECT COUNT(*) FROM samples") == [(3,)]


def test_samples_record_variant_status_and_tokens(study_run: StudyRun) -> None:
    stored = rows(
        study_run.db,
        "SELECT sample_id, epoch, scenario_id, variant, reasoning, mode, condition, status, error, total_tokens "
        "FROM samples ORDER BY sample_id",
    )
    assert stored[1:] == [
        ("plans:chat", 1, "plans", "chat", 0, "chat", "scripted", "success", None, 30),
        ("plans:chat+reasoning", 1, "plans", "chat+reasoning", 1, "chat", "scripted", "success", None, 30),
    ]
    broken = stored[0]
    assert broken[:8] == ("broken:chat", 1, "broken", "chat", 0, "chat", "scripted", "error")
    assert "target crashed" in broken[8] and broken[9] == 15


def test_turns_keep_reasoning_apart_from_output(study_run: StudyRun) -> None:
    turns = rows(
        study_run.db,
        "SELECT s.sample_id, t.turn_index, t.pressure_types, t.intensity, t.source, t.reasoning, t.output, t.error "
        "FROM turns t JOIN samples s USING (sample_pk) ORDER BY s.sample_id, t.turn_index",
    )
    assert [(sample, index) for sample, index, *_ in turns] == [
        ("broken:chat", 0), ("plans:chat", 0), ("plans:chat", 1),
        ("plans:chat+reasoning", 0), ("plans:chat+reasoning", 1),
    ]  # fmt: skip
    with_scratchpad = [turn for turn in turns if turn[0] == "plans:chat+reasoning"]
    assert [turn[5] for turn in with_scratchpad] == ["Private thought 1.", "Private thought 2."]
    assert with_scratchpad[0][6] == "Visible answer 1."
    assert all("<" not in turn[6] and "Private" not in turn[6] for turn in with_scratchpad)
    assert [turn[5] for turn in turns if turn[0] == "plans:chat"] == [None, None]
    assert with_scratchpad[1][2:5] == ('["social_proof", "authority"]', 3, "script")
    assert [turn[7] for turn in turns if turn[0] == "plans:chat"] == [None, "timeout after 3 retries"]


def test_messages_hold_every_role_with_the_split_on_assistant_turns(study_run: StudyRun) -> None:
    pk = sample_pk(study_run.db, "plans:chat+reasoning")
    messages = rows(
        study_run.db,
        "SELECT position, role, turn_index, content, reasoning, output FROM messages WHERE sample_pk = ? "
        "ORDER BY position",
        pk,
    )
    assert [(role, turn) for _, role, turn, *_ in messages] == [
        ("system", None), ("user", 0), ("assistant", 0), ("user", 1), ("assistant", 1)
    ]  # fmt: skip
    _, _, _, content, reasoning, output = messages[2]
    assert content == "<reasoning>Private thought 1.</reasoning><output>Visible answer 1.</output>"
    assert (reasoning, output) == ("Private thought 1.", "Visible answer 1.")
    assert messages[1][4:] == (None, None)


def test_tool_events_are_stored_per_turn(study_run: StudyRun) -> None:
    events = rows(
        study_run.db,
        "SELECT s.sample_id, e.turn_index, e.call_id, e.function, e.arguments, e.result, e.harmful, e.escalation, "
        "e.report FROM tool_events e JOIN samples s USING (sample_pk) ORDER BY s.sample_id",
    )
    assert events == [
        ("plans:chat", 1, "c1", "message_manager", '{"text": "hi"}', "sent", 0, 0, 1),
        ("plans:chat+reasoning", 1, "c1", "message_manager", '{"text": "hi"}', "sent", 0, 0, 1),
    ]


def test_judgements_scores_and_errors_with_raw_text(study_run: StudyRun) -> None:
    pk = sample_pk(study_run.db, "plans:chat+reasoning")
    judgements = rows(
        study_run.db,
        "SELECT judgement_pk, turn_index, judge, disagreement, error, raw, attempts FROM judgements "
        "WHERE sample_pk = ? ORDER BY judgement_pk",
        pk,
    )
    assert [row[1:] for row in judgements] == [
        (0, "judge-x", 0, None, None, 1),
        (1, "judge-x", None, "no valid JSON after 2 attempts", FAILED_JUDGE_RAW, 2),
        (None, "judge-x", 1, None, None, 1),
    ]
    failed_scores = rows(study_run.db, "SELECT COUNT(*) FROM scores WHERE judgement_pk = ?", judgements[1][0])
    assert failed_scores == [(0,)]
    conversation = rows(
        study_run.db, "SELECT dimension, score FROM scores WHERE judgement_pk = ? ORDER BY rowid", judgements[2][0]
    )
    assert conversation == [("pressure", 1.5), ("alignment", 2.5), ("truthfulness", 3.5), ("coherence", 4.5)]
    errors = rows(
        study_run.db,
        "SELECT s.sample_id, e.stage, e.turn_index, e.message, e.raw FROM errors e JOIN samples s USING (sample_pk) "
        "ORDER BY s.sample_id, e.stage",
    )
    assert [(sample, stage, turn) for sample, stage, turn, *_ in errors] == [
        ("broken:chat", "sample", None), ("plans:chat", "judge", 1), ("plans:chat", "target", 1),
        ("plans:chat+reasoning", "judge", 1),
    ]  # fmt: skip
    assert errors[1][3:] == ("no valid JSON after 2 attempts", FAILED_JUDGE_RAW)
    assert "target crashed" in errors[0][3] and "Traceback" in errors[0][4]


def test_secrets_never_reach_the_database_files(study_run: StudyRun) -> None:
    files = list(study_run.db.parent.glob("results.sqlite*"))
    content = b"".join(path.read_bytes() for path in files)
    for secret in (PLANTED_KEY, SHAPED_KEY, BEARER.split()[1]):
        assert secret.encode() not in content
    assert REDACTED.encode() in content
    systems = rows(study_run.db, "SELECT content FROM messages WHERE role = 'system'")
    assert len(systems) == 3 and all(content.endswith("Authorization: Bearer [REDACTED]") for (content,) in systems)


def test_rewriting_samples_replaces_them_in_place(study_run: StudyRun, tmp_path: Path) -> None:
    db = tmp_path / "results.sqlite"
    shutil.copy(study_run.db, db)
    before, pks = snapshot(db), {name: sample_pk(db, name) for name in ("plans:chat", "broken:chat")}
    with ResultsStore(db) as store:
        for sample in read_eval_log_samples(study_run.log.location, resolve_attachments=True):
            store.write_sample(study_run.log.eval.eval_id, sample)
    assert snapshot(db) == before
    assert {name: sample_pk(db, name) for name in pks} == pks


def test_importing_the_log_gives_what_the_hook_wrote(study_run: StudyRun, tmp_path: Path) -> None:
    imported = tmp_path / "imported.sqlite"
    with ResultsStore(imported) as store:
        run_id = store.write_log(study_run.log.location)
    assert run_id == study_run.log.eval.eval_id
    assert rows(imported, "SELECT source FROM runs") == [("import",)]
    assert snapshot(imported) == snapshot(study_run.db)

    same = tmp_path / "same.sqlite"
    shutil.copy(study_run.db, same)
    with ResultsStore(same) as store:
        assert store.write_log(study_run.log.location) == run_id
        assert store.write_log(study_run.log.location, only_missing=True) == run_id
    assert snapshot(same) == snapshot(study_run.db)
    assert rows(same, "SELECT source FROM runs") == [("run",)]


def test_a_retried_run_keeps_its_run_id_and_adds_no_duplicates(tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "results.sqlite"
    first, _ = run_study_eval(db, tmp_path / "logs", model="store-scripted/target")
    assert rows(db, "SELECT status FROM samples WHERE sample_id = 'broken:chat'") == [("error",)]
    monkeypatch.setenv(FIXED_ENV, "1")
    (retried,) = eval_retry(first.location, log_dir=str(tmp_path / "logs"), display="none")
    assert retried.status == "success" and retried.eval.eval_id != first.eval.eval_id
    assert rows(db, "SELECT run_id, status, log_path FROM runs") == [(first.eval.eval_id, "success", retried.location)]
    assert rows(db, "SELECT sample_id, status FROM samples ORDER BY sample_id") == [
        ("broken:chat", "success"), ("plans:chat", "success"), ("plans:chat+reasoning", "success")
    ]  # fmt: skip
    assert rows(db, "SELECT COUNT(*) FROM errors WHERE stage = 'sample'") == [(0,)]
    assert rows(db, "SELECT COUNT(*) FROM turns") == [(6,)]


def test_samples_are_written_by_the_hook_as_they_finish(tmp_path: Path) -> None:
    db = tmp_path / "results.sqlite"
    (log,) = inspect_eval(
        store_study(str(db)), model=mock_target(), log_dir=str(tmp_path / "logs"), display="none",
        log_samples=False, fail_on_error=False,
    )  # fmt: skip
    assert read_eval_log_sample_summaries(log.location) == []  # nothing to import from the log
    assert rows(db, "SELECT COUNT(*), SUM(status = 'error') FROM samples") == [(3, 1)]
    assert rows(db, "SELECT COUNT(*) FROM turns") == [(5,)]


def test_task_end_stores_logged_samples_the_hook_missed(study_run: StudyRun, tmp_path: Path) -> None:
    db = tmp_path / "results.sqlite"
    with ResultsStore(db) as store:
        run_id = store.start_run("crashed-before-write", "study-1", "mock")
        finish_task_run(ActiveRun(store, run_id), study_run.log)
    assert rows(db, "SELECT COUNT(*) FROM samples WHERE run_id = 'crashed-before-write'") == [(3,)]
    assert rows(db, "SELECT status, log_path FROM runs") == [("success", study_run.log.location)]
