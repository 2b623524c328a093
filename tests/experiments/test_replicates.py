"""Epochs of a greedily decoding target are identical: refused, with the sampling fix named."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pressure_sense.cli import app
from pressure_sense.experiments import Experiment, ExperimentError, TargetSpec, decodes_greedily, plan_study
from pressure_sense.study import build_experiment

runner = CliRunner()


@pytest.mark.parametrize(
    ("target", "greedy"),
    [
        (TargetSpec(name="embedded"), True),
        (TargetSpec(name="embedded", temperature=0), True),
        (TargetSpec(name="embedded", temperature=0.7), False),
        (TargetSpec(name="openai/gpt-4o", temperature=0), True),
        (TargetSpec(name="openai/gpt-4o"), False),  # the provider's default temperature samples
    ],
)
def test_which_targets_decode_greedily(target: TargetSpec, greedy: bool) -> None:
    assert decodes_greedily(target) is greedy


def test_planning_several_epochs_of_a_greedy_target_is_refused(tiny_scenario_file) -> None:
    experiment = Experiment(scenarios=[str(tiny_scenario_file)], epochs=3)
    refusal = "3 epochs of target 'embedded' would be 3 identical conversations"
    with pytest.raises(ExperimentError, match=refusal) as raised:
        plan_study(experiment)
    assert "temperature: 0.7" in str(raised.value) and "epochs: 1" in str(raised.value)
    sampled = experiment.model_copy(update={"targets": [TargetSpec(name="embedded", temperature=0.7)]})
    assert len(plan_study(sampled).conversations) == 3 * 2
    assert len(plan_study(experiment.model_copy(update={"epochs": 1})).conversations) == 2


def test_the_command_line_refuses_greedy_epochs_and_accepts_a_temperature(tiny_scenario_file) -> None:
    with pytest.raises(ExperimentError, match="command line: field 'epochs'"):
        build_experiment(None, False, False, None, None, scenarios=[str(tiny_scenario_file)], epochs=2)
    experiment = build_experiment(None, False, False, None, 0.7, scenarios=[str(tiny_scenario_file)], epochs=2)
    assert experiment.epochs == 2 and experiment.targets[0].temperature == 0.7
    refused = runner.invoke(app, ["run", "-s", str(tiny_scenario_file), "--epochs", "2", "--dry-run"])
    assert refused.exit_code == 2 and "identical conversations" in refused.output and "Traceback" not in refused.output
    flags = ["run", "-s", str(tiny_scenario_file), "--epochs", "2", "--temperature", "0.7", "--dry-run"]
    sampled = runner.invoke(app, flags)
    assert sampled.exit_code == 0, sampled.output
    assert "Dry run: no model was called." in sampled.output
