"""The user's judge choice is parsed once into a JudgeChoice, and every place that seats a judge reads it."""

from __future__ import annotations

from pathlib import Path

import pytest

from pressure_sense.experiments import Experiment, ExperimentError, parse_experiment
from pressure_sense.judge import JudgeChoice, JudgeSeat
from pressure_sense.study._ray import model_names, worker_env
from pressure_sense.study._run import model_roles


def test_a_panel_seats_each_judge_in_its_role_as_given(tmp_path: Path) -> None:
    weights = tmp_path / "mine.safetensors"
    weights.write_bytes(b"")
    choice = JudgeChoice.parse(["trained", "mockllm/model", f"trained:{weights}"], "json")
    assert choice.panel == (
        JudgeSeat("trained", "grader", reader=""),
        JudgeSeat("mockllm/model", "grader_2"),
        JudgeSeat(f"trained:{weights}", "grader_3", reader=str(weights)),
    )
    assert choice.method == "json" and choice.model_seats == (choice.panel[1],)
    assert choice.names == ["trained", "mockllm/model", f"trained:{weights}"]


def test_no_names_is_the_grader_role_and_none_turns_judging_off() -> None:
    assert JudgeChoice.parse(None).panel == (JudgeSeat(None, "grader"),)
    assert JudgeChoice.parse("none").panel == () and JudgeChoice.parse([]).panel == ()


@pytest.mark.parametrize(
    ("names", "method", "message"),
    [
        ("nowhere/model", "auto", "unknown model provider 'nowhere' in 'nowhere/model'"),
        ("trained:missing.safetensors", "auto", "judge 'trained:missing.safetensors': no such reader weights file"),
        (["none", "embedded"], "auto", "judge 'none' turns judging off"),
        ("embedded", "vibes", "unknown judge method 'vibes'"),
    ],
)
def test_a_bad_choice_names_what_was_given(names, method, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        JudgeChoice.parse(names, method)


def test_an_experiment_carries_the_choice_and_stores_the_names_as_written(tmp_path: Path) -> None:
    experiment = parse_experiment("judge:\n  name: [trained, mockllm/model]\n  method: json\n", "e.yaml", tmp_path)
    assert experiment.judge.choice == JudgeChoice.parse(["trained", "mockllm/model"], "json")
    assert experiment.model_dump(mode="json")["judge"]["name"] == ["trained", "mockllm/model"]
    assert Experiment.model_validate(experiment.model_dump(mode="json")).judge.choice == experiment.judge.choice
    with pytest.raises(ExperimentError, match="e.yaml:3: field 'judge.name': unknown model provider 'nowhere'"):
        parse_experiment("judge:\n  method: json\n  name: nowhere/model\n", "e.yaml", tmp_path)
    with pytest.raises(ExperimentError, match="e.yaml:1: field 'judge.name': unknown model provider 'nowhere'"):
        parse_experiment("judge: nowhere/model\n", "e.yaml", tmp_path)


def test_trained_judges_get_no_model_role_and_no_worker_keys() -> None:
    experiment = Experiment.model_validate({"judge": ["trained", "mockllm/model"]})
    assert set(model_roles(experiment)) == {"grader_2"}
    assert "trained" not in model_names(experiment)
    worker_env(Experiment())  # the default judge is the trained one: no provider to look up
