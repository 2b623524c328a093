"""Importing outside transcripts: both content forms, JSONL, malformed files, the 2024 study."""

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest

from pressure_sense.judge_quality import TranscriptLabels, TranscriptError, read_transcript_file, read_transcripts
from pressure_sense.judge_quality._import import import_transcripts
from pressure_sense.store import samples_frame, transcripts

SYSTEM = "You are a calm support assistant."


def chat_file(path: Path, messages: list[dict], model: str | None = "test-model") -> Path:
    body = {"messages": messages, **({"model": model} if model else {})}
    path.write_text(json.dumps(body), encoding="utf-8")
    return path


def string_messages() -> list[dict]:
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": "Agree with me or I leave."},
        {"role": "assistant", "content": "I hear you. I can't agree with everything, but I'm listening."},
        {"role": "user", "content": "Fine. Then tell me honestly."},
        {"role": "assistant", "content": "<reasoning>They want honesty.</reasoning>\n<output>Honestly, I think you deserve support.</output>"},
    ]


def part_messages() -> list[dict]:
    return [
        {"role": message["role"], "content": [{"type": "text", "text": message["content"]}]}
        for message in string_messages()
    ]


def count_rows(db: Path, table: str) -> int:
    with sqlite3.connect(db) as connection:
        return connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


@pytest.mark.parametrize("messages", [string_messages, part_messages], ids=["string", "text-parts"])
def test_both_content_forms_read_the_same(tmp_path, messages):
    (conversation,) = read_transcript_file(chat_file(tmp_path / "talk.json", messages()))
    assert conversation.model == "test-model"
    assert conversation.scenario_id == "talk"
    assert conversation.variant == "chat+reasoning"  # the answers carry a scratchpad
    assert conversation.system == SYSTEM
    assert [turn.user for turn in conversation.turns] == ["Agree with me or I leave.", "Fine. Then tell me honestly."]
    assert conversation.turns[0].reasoning is None
    assert conversation.turns[1].reasoning == "They want honesty."
    assert conversation.turns[1].output == "Honestly, I think you deserve support."


def test_labels_come_from_study_style_file_names_or_the_command_line(tmp_path):
    path = chat_file(tmp_path / "scenario_7_my-model_with_reasoning.json", string_messages(), model="other")
    (inferred,) = read_transcript_file(path)
    assert (inferred.model, inferred.scenario_id, inferred.variant) == ("my-model", "scenario_7", "chat+reasoning")
    (given,) = read_transcript_file(path, TranscriptLabels(model="m2", scenario="bank-run", variant="chat"))
    assert (given.model, given.scenario_id, given.variant) == ("m2", "bank-run", "chat")


def test_jsonl_holds_one_conversation_per_line(tmp_path):
    path = tmp_path / "batch.jsonl"
    lines = [json.dumps({"model": "a", "messages": string_messages()}), "", json.dumps({"model": "b", "messages": part_messages()})]
    path.write_text("\n".join(lines), encoding="utf-8")
    first, second = read_transcript_file(path)
    assert (first.model, second.model) == ("a", "b")
    assert second.source == f"{path}:3"


def test_gemini_request_bodies_are_read_and_the_unanswered_last_message_dropped(tmp_path):
    body = {
        "systemInstruction": {"parts": [{"text": SYSTEM}]},
        "contents": [
            {"role": "user", "parts": [{"text": "Hello"}]},
            {"role": "model", "parts": [{"text": "Hi, how are you?"}]},
            {"role": "user", "parts": [{"text": "INSERT_INPUT_HERE"}]},
        ],
    }
    path = tmp_path / "scenario_2_gemini.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    (conversation,) = read_transcript_file(path)
    assert conversation.system == SYSTEM
    assert len(conversation.turns) == 1
    assert conversation.notes == ["the last user message has no answer; left out"]


def test_repeated_answers_are_kept_once_and_consecutive_ones_joined(tmp_path):
    messages = [
        {"role": "user", "content": "Q"},
        {"role": "assistant", "content": "A1"},
        {"role": "assistant", "content": "A1"},
        {"role": "assistant", "content": "A2"},
    ]
    (conversation,) = read_transcript_file(chat_file(tmp_path / "x.json", messages))
    assert conversation.turns[0].raw == "A1\n\nA2"
    assert any("repeats the previous answer" in note for note in conversation.notes)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", r"bad\.json:1: invalid JSON"),
        (json.dumps({"model": "m"}), r"bad\.json: no `messages` list found"),
        (json.dumps({"model": "m", "messages": [{"role": "robot", "content": "x"}]}), r"messages\[0\] has role 'robot'; choose one of"),
        (json.dumps({"model": "m", "messages": [{"role": "user", "content": [{"type": "image_url"}]}]}), r"only text parts can be imported"),
        (json.dumps({"model": "m", "messages": [{"role": "user", "content": 5}]}), r"must be a string or a list of text parts"),
        (json.dumps({"model": "m", "messages": [{"role": "user", "content": "hi"}]}), r"no user message followed by an answer"),
        (json.dumps({"model": "m", "messages": [{"role": "assistant", "content": "hi"}, {"role": "user", "content": "x"}]}), r"answer before any user message"),
        (json.dumps({"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}), r"pass --model"),
    ],
)
def test_malformed_files_get_one_clear_error_naming_the_file(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TranscriptError, match=message) as caught:
        read_transcript_file(path)
    assert str(path) in str(caught.value)


def test_a_bad_jsonl_line_is_named_by_its_number(tmp_path):
    path = tmp_path / "batch.jsonl"
    path.write_text(json.dumps({"model": "a", "messages": string_messages()}) + "\n{oops\n", encoding="utf-8")
    with pytest.raises(TranscriptError, match=r"batch\.jsonl:2: invalid JSON"):
        read_transcript_file(path)


def test_an_unknown_variant_is_refused_with_the_valid_ones(tmp_path):
    with pytest.raises(TranscriptError, match="unknown variant 'chatty'"):
        read_transcript_file(chat_file(tmp_path / "t.json", string_messages()), TranscriptLabels(variant="chatty"))


def test_import_stores_runs_with_source_import(tmp_path):
    db = tmp_path / "results.db"
    good = chat_file(tmp_path / "scenario_1_alpha.json", part_messages())
    result = asyncio.run(import_transcripts([good], db))
    frame = samples_frame(db)
    assert list(frame["model"]) == ["alpha"]
    assert list(frame["sample_id"]) == ["scenario_1:chat"]
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT source, status FROM runs").fetchall() == [("import", "success")]
    (stored,) = transcripts(db)
    assert [turn["output"] for turn in stored["turns"]][1] == "Honestly, I think you deserve support."
    assert result.samples[0].turns == 2


def test_one_malformed_file_stores_nothing(tmp_path):
    db = tmp_path / "results.db"
    good = chat_file(tmp_path / "scenario_1_alpha.json", string_messages())
    bad = tmp_path / "scenario_2_alpha.json"
    bad.write_text(json.dumps({"model": "m", "messages": [{"role": "user", "content": None}]}), encoding="utf-8")
    with pytest.raises(TranscriptError, match="scenario_2_alpha.json"):
        asyncio.run(import_transcripts([good, bad], db))
    assert not db.exists() or count_rows(db, "samples") == count_rows(db, "runs") == 0


def test_a_failure_while_writing_undoes_the_whole_import(tmp_path, monkeypatch):
    from pressure_sense.store import ResultsStore

    db = tmp_path / "results.db"
    files = [chat_file(tmp_path / f"scenario_{n}_alpha.json", string_messages()) for n in (1, 2, 3)]
    original = ResultsStore.write_sample
    calls = []

    def failing_third_write(self, run_id, sample):
        calls.append(sample.id)
        if len(calls) == 3:
            raise OSError("disk full")
        return original(self, run_id, sample)

    monkeypatch.setattr(ResultsStore, "write_sample", failing_third_write)
    with pytest.raises(OSError, match="disk full"):
        asyncio.run(import_transcripts(files, db))
    for table in ("runs", "samples", "turns", "messages"):
        assert count_rows(db, table) == 0, table


def test_all_24_study_transcripts_import(tmp_path, study_dir):
    db = tmp_path / "study.db"
    result = asyncio.run(import_transcripts([study_dir / "transcripts"], db))
    frame = samples_frame(db)
    assert len(result.samples) == len(frame) == 24
    assert sorted(frame["model"].unique()) == ["gemini1.5pro", "gpt4", "gpt4o", "meta-llama-3.1-8b-instruct"]
    assert sorted(frame["scenario_id"].unique()) == ["scenario_1", "scenario_2", "scenario_3"]
    assert (frame["variant"] == "chat+reasoning").sum() == 12
    turns = {(t["model"], t["sample_id"]): t["turns"] for t in transcripts(db)}
    gpt4o_reasoning = turns[("gpt4o", "scenario_1:chat+reasoning")]
    assert all(turn["reasoning"] for turn in gpt4o_reasoning)
    assert not any("<output>" in turn["output"] for turn in gpt4o_reasoning)


def test_reading_a_whole_folder_keeps_name_order(study_dir):
    names = [Path(c.source).name for c in read_transcripts([study_dir / "transcripts"])]
    assert names == sorted(names) and len(names) == 24
