"""`pressure-sense results`: the table for a database, folder, run, study or log; one-line errors."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from store_study import StudyRun
from typer.testing import CliRunner

from pressure_sense.cli import app
from pressure_sense.store import default_database
from tests.store.synthetic import write_synthetic_store

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")


def assert_study_table(output: str, run_id: str) -> None:
    assert "study-1" in output
    for cell in ("plans", "chat+reasoning", "broken", "failed", "alignment", "2.50 / 2.00", "disagree", "0.00"):
        assert cell in output
    assert f"mock: success (3 samples)  run {run_id}" in output


def test_results_of_the_latest_study_in_a_database_or_folder(study_run: StudyRun) -> None:
    run_id = study_run.log.eval.eval_id
    for arguments in (["results", "--db", str(study_run.db)], ["results", str(study_run.db.parent)]):
        result = runner.invoke(app, arguments)
        assert result.exit_code == 0, result.output
        assert_study_table(result.stdout, run_id)


def test_results_of_a_named_run_or_study(study_run: StudyRun) -> None:
    run_id = study_run.log.eval.eval_id
    for name in (run_id, "study-1"):
        result = runner.invoke(app, ["results", name, "--db", str(study_run.db)])
        assert result.exit_code == 0, result.output
        assert_study_table(result.stdout, run_id)


def test_results_of_an_inspect_log_write_nothing_next_to_it(study_run: StudyRun, tmp_path: Path) -> None:
    log = tmp_path / "copy.eval"
    shutil.copy(study_run.log.location, log)
    result = runner.invoke(app, ["results", str(log)])
    assert result.exit_code == 0, result.output
    assert_study_table(result.stdout, study_run.log.eval.eval_id)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["copy.eval"]


def test_results_finds_the_newest_database_of_the_working_folder(
    study_run: StudyRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["results"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: no results.sqlite in this folder or in pressure-sense-runs/*/; pass --db PATH (a results database "
        "or a run's output folder), or run `pressure-sense run` first"
    ]
    (tmp_path / "pressure-sense-runs" / "study-1").mkdir(parents=True)
    shutil.copy(study_run.db, tmp_path / "pressure-sense-runs" / "study-1" / "results.sqlite")
    for arguments in (["results"], ["results", "study-1"]):
        result = runner.invoke(app, arguments)
        assert result.exit_code == 0, result.output
        assert_study_table(result.stdout, study_run.log.eval.eval_id)
    newer = tmp_path / "pressure-sense-runs" / "study-2" / "results.sqlite"
    newer.parent.mkdir()
    write_synthetic_store(newer, 2, 1, study_id="study-2")
    os.utime(newer, (time.time() + 60, time.time() + 60))
    assert default_database().samefile(newer) and default_database("nope").samefile(newer)
    assert_study_table(runner.invoke(app, ["results", "study-1"]).stdout, study_run.log.eval.eval_id)


def test_unknown_run_and_missing_database_are_one_line_errors(study_run: StudyRun, tmp_path: Path) -> None:
    result = runner.invoke(app, ["results", "nope", "--db", str(study_run.db)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: unknown run or study 'nope' in {study_run.db} (studies there: study-1)"
    result = runner.invoke(app, ["results", "--db", str(tmp_path / "missing")])
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: no results database at") and "Traceback" not in result.output
    result = runner.invoke(app, ["results", str(tmp_path / "absent.eval")])
    assert result.exit_code == 2 and result.stderr.strip() == f"error: no Inspect log at {tmp_path / 'absent.eval'}"
