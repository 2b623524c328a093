"""DataFrames, transcripts, the results table and run listing over the database a real eval wrote."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from inspect_ai.log import EvalSample
from inspect_ai.model import ChatMessageAssistant, ChatMessageUser
from store_study import FAILED_JUDGE_RAW, StudyRun

from pressure_sense.conversation import TURNS_KEY, TurnRecord
from pressure_sense.store import (
    SAMPLE_COLUMNS,
    ResultsStore,
    StoreError,
    conversation_scores_frame,
    database_path,
    judgements_frame,
    list_runs,
    results_table,
    samples_frame,
    transcripts,
    turn_scores_frame,
)

SAMPLE = list(SAMPLE_COLUMNS)
DIMENSIONS = ["pressure", "alignment", "truthfulness", "coherence"]


def test_samples_frame(study_run: StudyRun) -> None:
    frame = samples_frame(study_run.db)
    assert list(frame.columns) == SAMPLE == [
        "run_id", "study_id", "sample_pk", "sample_id", "epoch", "model", "scenario_id",
        "variant", "reasoning", "mode", "condition", "status", "error",
    ]  # fmt: skip
    assert sorted(frame["sample_id"]) == ["broken:chat", "plans:chat", "plans:chat+reasoning"]
    assert frame["reasoning"].dtype == bool
    assert frame.set_index("sample_id").loc["plans:chat+reasoning", "reasoning"]


def test_turn_scores_frame(study_run: StudyRun) -> None:
    frame = turn_scores_frame(study_run.db)
    assert list(frame.columns) == SAMPLE + [
        "turn_index", "intensity", "pressure_types", "primary_pressure_type",
        "rubric", "dimension", "score", "rationale", "judge", "method", "scratchpad_used",
    ]  # fmt: skip
    assert (frame["scratchpad_used"] == frame["reasoning"]).all()  # the scripted target follows the format
    assert len(frame) == 2 * 4  # two scored samples x turn 0 x four dimensions (turn 1 failed to parse)
    assert set(frame["turn_index"]) == {0}
    assert list(frame["dimension"][:4]) == DIMENSIONS
    assert list(frame["score"][:4]) == [1.0, 2.0, 3.0, 4.0]
    assert set(frame["primary_pressure_type"]) == {"none"} and set(frame["pressure_types"]) == {'["none"]'}


def test_conversation_scores_frame(study_run: StudyRun) -> None:
    frame = conversation_scores_frame(study_run.db)
    assert list(frame.columns) == SAMPLE + ["rubric", "dimension", "score", "rationale", "judge", "method"]
    assert len(frame) == 8
    assert frame.groupby("dimension")["score"].mean().to_dict() == {
        "alignment": 2.5, "coherence": 4.5, "pressure": 1.5, "truthfulness": 3.5
    }  # fmt: skip
    assert set(frame["judge"]) == {"judge-x"} and set(frame["method"]) == {"json"}


def test_judgements_frame(study_run: StudyRun) -> None:
    frame = judgements_frame(study_run.db)
    assert list(frame.columns) == SAMPLE[:-1] + [
        "sample_error", "rubric", "turn_index", "judge", "method", "disagreement", "error", "cut_chars"
    ]  # fmt: skip
    reasoning = frame[frame["sample_id"] == "plans:chat+reasoning"]
    assert list(reasoning["turn_index"].astype(object).where(reasoning["turn_index"].notna(), None)) == [0, 1, None]
    assert list(reasoning["disagreement"].astype(object).where(reasoning["disagreement"].notna(), None)) == [
        False, None, True
    ]  # fmt: skip
    assert reasoning["error"].iloc[1] == "no valid JSON after 2 attempts"


def test_transcripts(study_run: StudyRun) -> None:
    pk = int(samples_frame(study_run.db).set_index("sample_id").loc["plans:chat+reasoning", "sample_pk"])
    (transcript,) = transcripts(study_run.db, sample_pks=[pk])
    assert transcript["sample_id"] == "plans:chat+reasoning" and transcript["reasoning"] is True
    assert transcript["system"].startswith("You are a peer supporter.")
    roles = [message["role"] for message in transcript["messages"]]
    assert roles == ["system", "user", "assistant", "user", "assistant"]
    first, second = transcript["turns"]
    assert (first["user"], first["reasoning"], first["output"]) == (
        "Please confirm the plan.", "Private thought 1.", "Visible answer 1."
    )  # fmt: skip
    assert second["pressure_types"] == ["social_proof", "authority"] and second["intensity"] == 3
    assert second["tool_events"] == [
        {"call_id": "c1", "function": "message_manager", "arguments": {"text": "hi"}, "result": "sent",
         "harmful": False, "escalation": False, "report": True}
    ]  # fmt: skip
    assert first["judgements"][0]["scores"]["alignment"] == {"score": 2.0, "rationale": "alignment rationale"}
    assert second["judgements"][0]["raw"] == FAILED_JUDGE_RAW and second["judgements"][0]["scores"] == {}
    (conversation,) = transcript["judgements"]
    assert conversation["disagreement"] is True and conversation["disagreement_rationale"] == "hides intent"
    assert len(transcripts(study_run.db)) == 3


def test_results_table(study_run: StudyRun) -> None:
    table = results_table(study_run.db)
    assert list(table.columns) == [
        "model", "scenario_id", "variant", "n_samples", "n_failed", "n_errors",
        *DIMENSIONS, *(f"{name}_turn" for name in DIMENSIONS), "disagreement_rate",
        "scratchpad_turns", "scratchpad_used",
        *(f"{name}_failed" for name in DIMENSIONS),
    ]  # fmt: skip
    rows = table.set_index(["scenario_id", "variant"])
    broken, plain = rows.loc[("broken", "chat")], rows.loc[("plans", "chat")]
    reasoning = rows.loc[("plans", "chat+reasoning")]
    assert (broken["n_samples"], broken["n_failed"], broken["n_errors"]) == (1, 1, 1)
    assert math.isnan(broken["alignment"])
    assert (plain["n_failed"], plain["n_errors"]) == (0, 2)  # a target turn error and a judge error
    assert [plain[f"{name}_failed"] for name in DIMENSIONS] == [1, 1, 1, 1]  # the unparsed turn judgement
    assert [reasoning[f"{name}_failed"] for name in DIMENSIONS] == [1, 1, 1, 1]
    assert (reasoning["alignment"], reasoning["alignment_turn"], reasoning["coherence"]) == (2.5, 2.0, 4.5)
    assert reasoning["disagreement_rate"] == 0.0 and math.isnan(plain["disagreement_rate"])
    assert (reasoning["scratchpad_turns"], reasoning["scratchpad_used"]) == (2, 2)
    assert pd.isna(plain["scratchpad_turns"]) and pd.isna(plain["scratchpad_used"])
    assert set(table["model"]) == {"mock"}
    pd.testing.assert_frame_equal(results_table(study_run.db, run="study-1"), table)


def test_list_runs_and_run_filters(study_run: StudyRun) -> None:
    runs = list_runs(study_run.db.parent)
    assert list(runs.columns) == [
        "run_id", "study_id", "created_at", "model", "judge", "status", "source", "log_path", "n_samples", "n_failed"
    ]  # fmt: skip
    assert runs[["study_id", "status", "n_samples", "n_failed"]].values.tolist() == [["study-1", "success", 3, 1]]
    run_id = runs["run_id"].iloc[0]
    assert len(samples_frame(study_run.db, run=run_id)) == 3
    assert samples_frame(study_run.db, run="other").empty
    with pytest.raises(StoreError, match=r"unknown run or study 'other' in .* \(studies there: study-1\)"):
        results_table(study_run.db, run="other")


def test_a_missing_database_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no results database at .*results.sqlite"):
        samples_frame(tmp_path)
    assert not (tmp_path / "results.sqlite").exists()
    not_a_db = tmp_path / "notes.sqlite"
    not_a_db.write_text("plain text, not SQLite")
    with pytest.raises(StoreError, match="not a pressure-sense results database"):
        list_runs(not_a_db)
    assert database_path(not_a_db) == not_a_db


def test_unjudged_samples_have_counts_and_no_scores(tmp_path: Path) -> None:
    record = TurnRecord(index=0, pressure_types=["authority"], intensity=2, user="Do it.", raw="No.", output="No.")
    sample = EvalSample(
        id="solo:agent", epoch=2, input="Do it.", target="",
        messages=[ChatMessageUser(content="Do it."), ChatMessageAssistant(content="No.")],
        store={TURNS_KEY: [record.model_dump()]},
    )  # fmt: skip
    with ResultsStore(tmp_path / "results.sqlite") as store:
        store.start_run("r1", "s1", "model-a")
        store.write_sample("r1", sample)
    stored = samples_frame(tmp_path).iloc[0]
    assert (stored["scenario_id"], stored["variant"], stored["mode"], stored["epoch"]) == ("solo", "agent", "agent", 2)
    table = results_table(tmp_path)
    assert table[["n_samples", "n_failed", "n_errors"]].values.tolist() == [[1, 0, 0]]
    assert table[DIMENSIONS + ["disagreement_rate"]].isna().all(axis=None)
    (transcript,) = transcripts(tmp_path)
    assert transcript["system"] is None and transcript["turns"][0]["output"] == "No."
