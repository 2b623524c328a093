"""`pressure-sense models` lists providers, key variables and SDKs without showing key values."""

from __future__ import annotations

from typer.testing import CliRunner

from pressure_sense.cli import app


def test_models_command_lists_providers_and_hides_keys(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-visible-nowhere")
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    result = CliRunner().invoke(app, ["models"], env={"COLUMNS": "220"})
    assert result.exit_code == 0, result.output
    lines = {line.split("│")[1].strip(): line for line in result.output.splitlines() if line.count("│") > 5}
    assert "OPENAI_API_KEY" in lines["openai"] and "yes" in lines["openai"]
    assert "ANTHROPIC_API_KEY" in lines["anthropic"] and "no" in lines["anthropic"]
    assert "no (optional)" in lines["vllm"]
    for provider in ("embedded", "google", "ollama", "compatible", "openai-api", "hf"):
        assert provider in lines
    assert "sk-visible-nowhere" not in result.output
