"""`pressure-sense run` answers user mistakes with one clear line and no traceback, before loading any model."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pressure_sense.cli import app


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-s", "no-such-scenario"], "unknown scenario 'no-such-scenario'"),
        (["-s", "tag:nope"], "no scenario has tag 'nope'"),
        (["-m", "madeup/model-x"], "madeup"),
        (["-m", "openai/gpt-4o"], "OPENAI_API_KEY"),
        (["--judge", "openai/gpt-4o-mini"], "OPENAI_API_KEY"),
        (["--reasoning", "sometimes"], "flag '--reasoning': Input should be 'on', 'off' or 'both'"),
    ],
)
def test_user_mistakes_get_one_clear_line(args, expected, monkeypatch, tmp_path):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["run", *args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists(), "nothing is started for a bad command"


@pytest.mark.parametrize(
    ("make", "out", "expected"),
    [
        (lambda root: (root / "out").mkdir() or (root / "out" / "results.sqlite").write_text("not a database"), "out",
         "cannot use {root}/out/results.sqlite as a results database (the file is not a SQLite database: "),
        (lambda root: (root / "file").write_text("x"), "file/study", "cannot make the study folder {root}/file/study: "),
    ],
)  # fmt: skip
def test_a_store_that_cannot_be_used_gets_one_clear_line(make, out, expected, monkeypatch, tmp_path):
    monkeypatch.setenv("COMPATIBLE_BASE_URL", "http://127.0.0.1:9/v1")
    make(tmp_path)
    args = ["run", "-m", "compatible/x", "--judge", "none", "-s", "authority-customer-data", "--no-report"]
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / out)])
    assert result.exit_code == 2, result.output
    assert expected.format(root=tmp_path) in " ".join(result.output.split())
    assert "Traceback" not in result.output
