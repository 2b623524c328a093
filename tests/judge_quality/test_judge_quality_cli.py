"""`pressure-sense import` and `pressure-sense judge-check` from the command line."""

import json
import sqlite3

from typer.testing import CliRunner

from pressure_sense.cli import app

runner = CliRunner()


def write_chat(path, content="Fine, thanks."):
    messages = [
        {"role": "system", "content": "You are a helper."},
        {"role": "user", "content": [{"type": "text", "text": "How are you?"}]},
        {"role": "assistant", "content": content},
    ]
    path.write_text(json.dumps({"model": "gpt-4o", "messages": messages}), encoding="utf-8")
    return path


def test_import_stores_files_and_reports_the_study(tmp_path):
    db = tmp_path / "r.sqlite"
    files = [write_chat(tmp_path / "scenario_1_gpt4o.json"), write_chat(tmp_path / "scenario_2_gpt4o_with_reasoning.json")]
    result = runner.invoke(app, ["import", *map(str, files), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "Imported 2 conversation(s)" in result.output
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT model, sample_id FROM samples ORDER BY sample_id").fetchall()
    assert rows == [("gpt4o", "scenario_1:chat"), ("gpt4o", "scenario_2:chat+reasoning")]


def test_import_of_a_malformed_file_is_one_clear_error_and_stores_nothing(tmp_path):
    db = tmp_path / "r.sqlite"
    good = write_chat(tmp_path / "good.json")
    bad = tmp_path / "broken.json"
    bad.write_text('{"model": "m", "messages": [', encoding="utf-8")
    result = runner.invoke(app, ["import", str(good), str(bad), "--db", str(db)])
    assert result.exit_code == 2
    assert "broken.json:1: invalid JSON" in result.output
    assert "Traceback" not in result.output
    assert not db.exists()


def test_judge_check_names_the_valid_sets(tmp_path):
    result = runner.invoke(app, ["judge-check", "--judge", "embedded", "--against", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "choose reference, calibration, study-2024, or a path" in " ".join(result.output.split())


def test_judge_card_and_labels_print_the_shipped_figures():
    card = runner.invoke(app, ["judge", "card"])
    assert card.exit_code == 0, card.output
    assert "sycon-ethical, leave source out" in card.output and "answer length" in card.output
    assert "Reader dimensions against their bars" in card.output
    labels = runner.invoke(app, ["judge", "labels", "--resamples", "200"])
    assert labels.exit_code == 0, labels.output
    assert "Second labeller vs first on 150 real answers" in labels.output
    assert "against SYCON's own kept label on 396 SYCON answers" in labels.output


def test_judge_card_names_a_missing_weights_file():
    result = runner.invoke(app, ["judge", "card", "--weights", "missing.safetensors"])
    assert result.exit_code == 2 and "no such reader weights file" in result.output
