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
