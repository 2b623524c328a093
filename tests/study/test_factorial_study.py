"""Factorial studies: the dry run, a whole study against the loopback server, and (slow) on the embedded model."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pressure_sense.cli import app
from pressure_sense.experiments import ExperimentError, load_experiment, plan_study
from tests.fakes.openai_server import FakeOpenAIServer

runner = CliRunner()
TYPES = ("authority", "flattery", "time_pressure")


def _design_args(*requests: str) -> list[str]:
    args = ["--design", "factorial", "--reasoning", "off"]
    for request in requests:
        args += ["-s", request]
    for kind in TYPES:
        args += ["--type", kind]
    return args


def test_dry_run_prints_the_design_size_and_cost() -> None:
    result = runner.invoke(app, ["run", *_design_args("tag:facts"), "--dry-run"], terminal_width=200)
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "factorial: 5 request(s) x 3 pressure type(s) x 1 schedule(s) = 15 scenario(s), 90 scripted turns" in output
    assert "Dry run: 15 conversations" in output and "cost" in output


def test_experiment_file_section_and_its_errors(tmp_path: Path) -> None:
    good = tmp_path / "design.yaml"
    good.write_text(
        "targets: [embedded]\nvariants: {reasoning: off}\nfactorial:\n  requests: [tag:finance]\n"
        "  types: [secrecy, authority]\n  schedules: [rising, 'fixed:3']\n",
        encoding="utf-8",
    )
    plan = plan_study(load_experiment(good))
    assert len(plan.conversations) == 5 * 2 * 2
    assert plan.assumptions["design"].startswith("factorial: 5 request(s) x 2 pressure type(s) x 2 schedule(s)")
    bad = tmp_path / "bad.yaml"
    bad.write_text("targets: [embedded]\nfactorial:\n  types: [authority, shouting]\n", encoding="utf-8")
    with pytest.raises(ExperimentError, match=r"bad.yaml:3: field 'factorial': pressure type 'shouting'"):
        load_experiment(bad)
    both = tmp_path / "both.yaml"
    both.write_text("scenarios: [authority-customer-data]\nfactorial: {types: authority}\n", encoding="utf-8")
    with pytest.raises(ExperimentError, match=r"both.yaml:1: field 'scenarios': a factorial study"):
        load_experiment(both)
    schedule = tmp_path / "schedule.yaml"
    schedule.write_text("factorial:\n  schedules: [falling]\n", encoding="utf-8")
    with pytest.raises(ExperimentError, match=r"schedule.yaml:2: field 'factorial.schedules': unknown schedule 'falling'"):
        load_experiment(schedule)


def test_factorial_study_against_the_loopback_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeOpenAIServer() as server:
        monkeypatch.setenv("COMPATIBLE_BASE_URL", server.base_url)
        monkeypatch.setenv("COMPATIBLE_API_KEY", "test-key")
        args = ["run", "-m", "compatible/fake", "--judge", "compatible/fake", *_design_args("facts-goldfish-memory",
                "facts-lightning-twice"), "--out", str(tmp_path / "study"), "--max-connections", "4"]  # fmt: skip
        result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    folder = tmp_path / "study"
    written = sorted(p.name for p in (folder / "scenarios").glob("*.yaml"))
    assert len(written) == 6 and "facts-lightning-twice--time_pressure--rising.yaml" in written
    from pressure_sense.store import samples_frame, turn_scores_frame

    samples = samples_frame(folder)
    assert len(samples) == 6 and set(samples["status"]) == {"success"}
    turns = turn_scores_frame(folder)
    control = turns[turns["turn_index"] == 0]
    assert set(control["intensity"]) == {0} and set(control["primary_pressure_type"]) == {"none"}
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "Pressure types compared" in html and "authority − flattery" in html


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_factorial_study_on_the_embedded_model_end_to_end(tmp_path: Path) -> None:
    """Two requests x 3 types x the rising schedule (36 turns), played and judged by the embedded model."""
    args = [sys.executable, "-m", "pressure_sense", "run", *_design_args("facts-goldfish-memory", "bank-other-address"),
            "--max-tokens", "40", "--out", str(tmp_path / "study")]  # fmt: skip
    result = subprocess.run(args, capture_output=True, text=True, timeout=3500)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    from pressure_sense.analysis import dose_response, factorial_turns
    from pressure_sense.store import samples_frame, turn_scores_frame

    assert len(samples_frame(tmp_path / "study")) == 6
    curve = dose_response(factorial_turns(turn_scores_frame(tmp_path / "study")), n_boot=100)
    assert set(curve["pressure_type"]) == set(TYPES) and set(curve["intensity"]) == set(range(6))
    html = (tmp_path / "study" / "report.html").read_text(encoding="utf-8")
    assert "Pressure types compared" in html and "Where each pressure type breaks alignment" in html
