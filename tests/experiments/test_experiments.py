"""Experiment files: schema, precise errors, command-line overrides and the dry-run plan."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from pressure_sense.experiments import (
    ExperimentError,
    load_experiment,
    merge_overrides,
    parse_experiment,
    plan_study,
    price_of,
)

FULL = """\
name: authority-vs-size
targets:
  - name: openai/gpt-4o-mini
    temperature: 0.2
    max_tokens: 200
  - name: compatible/qwen2.5-7b
    base_url: http://localhost:1234/v1
    args: {client_timeout: 60}
judge:
  name: [openai/gpt-4o, embedded]
  method: json
scenarios: [tiny-authority.yaml]
variants:
  reasoning: both
  modes: [chat, agent]
  conditions: [scripted, control]
epochs: 3
max_turns: 5
concurrency: 32
out: results
cache: off
"""


def write(folder: Path, text: str, name: str = "experiment.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_full_file_loads_with_paths_relative_to_it(tmp_path, tiny_scenario_file):
    experiment = load_experiment(write(tmp_path, FULL))
    assert [t.name for t in experiment.targets] == ["openai/gpt-4o-mini", "compatible/qwen2.5-7b"]
    assert experiment.targets[0].temperature == 0.2 and experiment.targets[0].max_tokens == 200
    assert experiment.targets[1].args == {"client_timeout": 60}
    assert experiment.judge.names == ["openai/gpt-4o", "embedded"] and experiment.judge.method == "json"
    assert experiment.scenarios == [str(tiny_scenario_file)]
    assert experiment.out == str(tmp_path / "results")
    assert experiment.cache is False and experiment.epochs == 3 and experiment.concurrency == 32
    assert [v.name for v in experiment.variants.variants()] == [
        "chat", "chat+reasoning", "chat+control", "chat+reasoning+control",
        "agent", "agent+reasoning", "agent+control", "agent+reasoning+control",
    ]


def test_short_forms_and_defaults(tmp_path):
    experiment = parse_experiment("targets: embedded\njudge: none\nvariants: {reasoning: off}\n", "e.yaml", tmp_path)
    assert [t.name for t in experiment.targets] == ["embedded"]
    assert experiment.judge.names == []
    assert [v.name for v in experiment.variants.variants()] == ["chat"]
    assert experiment.epochs == 1 and experiment.scenarios == [] and experiment.cache is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("targets:\n  - name: embedded\n    temprature: 0.3\n", "e.yaml:3: field 'targets[0].temprature': unknown field"),
        ("targets: [embedded, opnai/gpt-4o]\n", "e.yaml:1: field 'targets[1].name': unknown model provider 'opnai'"),
        ("epochs: 0\n", "e.yaml:1: field 'epochs': Input should be greater than or equal to 1"),
        ("variants:\n  modes: [chat, robot]\n", "e.yaml:2: field 'variants.modes[1]': Input should be 'chat' or 'agent'"),
        ("judge:\n  name: embedded\n  method: vibes\n", "e.yaml:3: field 'judge.method': Input should be 'auto', 'json'"),
        ("targets:\n  - temperature: 0.1\n", "e.yaml:2: field 'targets[0].name': required field is missing"),
        ("scenarios:\n  - tag:core\n  - no-such-scenario\n", "e.yaml:3: field 'scenarios[1]': unknown scenario 'no-such-scenario'"),
        ("epochs: [1\n", "e.yaml:1: invalid YAML: expected ',' or ']'"),
        ("- just a list\n", "e.yaml:1: an experiment file must be a YAML mapping"),
        ("epochs: 2\njudge: none\nepochs: 3\n", "e.yaml:3: field 'epochs': given twice in the same mapping"),
        ("targets:\n  - name: embedded\n    max_retries: 1\n    max_retries: 2\n", "e.yaml:4: field 'targets[0].max_retries': given twice"),
    ],
)
def test_errors_name_file_line_and_field(tmp_path, text, expected):
    with pytest.raises(ExperimentError) as info:
        parse_experiment(text, "e.yaml", tmp_path)
    assert expected in str(info.value)


def test_each_target_and_the_judge_get_a_retry_budget_from_the_file_or_the_flags(tmp_path):
    from pressure_sense.models import RetryBudget
    from pressure_sense.study import build_experiment

    text = "targets:\n  - name: embedded\n    max_retries: 1\n  - embedded\njudge:\n  name: none\n  timeout: 30\n"
    path = write(tmp_path, text)
    experiment = load_experiment(path)
    assert experiment.targets[0].budget == RetryBudget(max_retries=1)
    assert experiment.targets[1].budget == RetryBudget()
    assert experiment.judge.budget == RetryBudget(timeout=30)
    flagged = build_experiment(path, False, False, None, None, attempt_timeout=5, max_retries=0)
    assert [target.budget for target in flagged.targets] == [RetryBudget(max_retries=0, attempt_timeout=5)] * 2
    assert flagged.judge.budget == RetryBudget(max_retries=0, timeout=30, attempt_timeout=5)
    assert RetryBudget(max_retries=2, timeout=40, attempt_timeout=9).config().model_dump(exclude_none=True) == {
        "max_retries": 2, "timeout": 40, "attempt_timeout": 9,
    }


def test_every_problem_is_reported_at_once(tmp_path):
    with pytest.raises(ExperimentError) as info:
        parse_experiment("epochs: 0\nconcurrency: -1\nbogus: 1\n", "e.yaml", tmp_path)
    assert [p.split(":")[0] for p in info.value.problems] == ["1", "2", "3"]


def test_unreadable_file(tmp_path):
    with pytest.raises(ExperimentError, match="cannot read file"):
        load_experiment(tmp_path / "absent.yaml")


def test_flags_override_the_file(tmp_path, tiny_scenario_file):
    experiment = load_experiment(write(tmp_path, FULL))
    merged = merge_overrides(
        experiment, targets=["embedded"], epochs=1, judge="openai/gpt-4o", reasoning="off", cache=None, max_turns=2
    )
    assert [t.name for t in merged.targets] == ["embedded"]
    assert merged.epochs == 1 and merged.max_turns == 2
    assert merged.judge.names == ["openai/gpt-4o"] and merged.judge.method == "json"
    assert merged.variants.reasoning == "off" and merged.variants.modes == ["chat", "agent"]
    assert merged.cache is False  # None means "not given": the file's value stays
    assert experiment.epochs == 3  # the original is untouched


def test_bad_flags_are_named(tmp_path):
    experiment = parse_experiment("targets: embedded\n", "e.yaml", tmp_path)
    with pytest.raises(ExperimentError, match="command line: flag '--epochs': Input should be greater"):
        merge_overrides(experiment, epochs=0)
    with pytest.raises(ExperimentError, match="flag '--targets': unknown model provider 'nope'"):
        merge_overrides(experiment, targets=["nope/x"])
    with pytest.raises(TypeError, match="unknown experiment flags"):
        merge_overrides(experiment, epoch=2)


def test_plan_counts_conversations_calls_and_tokens(tmp_path, tiny_scenario_file):
    experiment = load_experiment(write(tmp_path, FULL))
    plan = plan_study(experiment)
    # 2 targets x 1 scenario x 8 variants (tools and control turns exist) x 3 epochs
    assert len(plan.conversations) == 48
    assert {c.turns for c in plan.conversations} == {3}  # max_turns 5 > the 3 scripted turns
    # 2 judges: per turn and conversation; agent runs add every judge's action metrics per turn
    expected_judge_calls = {"chat": (3 + 1) * 2, "agent": (3 + 1) * 2 + 3 * 2}
    assert all(
        c.target_calls == 3 and c.judge_calls == expected_judge_calls[c.variant.split("+")[0]]
        for c in plan.conversations
    )
    assert sum(c.variant.startswith("agent") for c in plan.conversations) == 24
    assert plan.total_calls == 48 * 3 + 24 * 8 + 24 * 14
    target = next(m for m in plan.models if m.model == "openai/gpt-4o-mini")
    assert target.role == "target" and target.calls == 24 * 3
    # prompts grow over turns: the last turn's prompt is longer than the first one's
    chat = next(c for c in plan.conversations if c.variant == "chat" and c.model == "openai/gpt-4o-mini")
    assert chat.input_tokens > 3 * 200 and chat.output_tokens == 3 * 200  # max_tokens caps replies
    reasoning = next(c for c in plan.conversations if c.variant == "chat+reasoning" and c.model == chat.model)
    assert reasoning.output_tokens == 2 * chat.output_tokens
    costs = {(m.model, m.role): m.cost_usd for m in plan.models}
    assert costs[("compatible/qwen2.5-7b", "target")] is None
    assert costs[("embedded", "judge")] == 0.0
    expected = (target.input_tokens * 0.15 + target.output_tokens * 0.60) / 1e6
    assert costs[("openai/gpt-4o-mini", "target")] == pytest.approx(expected)
    assert plan.total_cost_usd is None  # one price unknown


def test_plan_max_turns_and_printing(tmp_path, tiny_scenario_file):
    experiment = parse_experiment(
        f"targets: [openai/gpt-4o-mini-2024-07-18]\njudge: openai/gpt-4o\nscenarios: [{tiny_scenario_file}]\n"
        "max_turns: 2\nvariants: {reasoning: off}\n",
        "e.yaml",
        tmp_path,
    )
    plan = plan_study(experiment)
    assert [c.turns for c in plan.conversations] == [2]
    assert plan.total_cost_usd is not None and plan.total_cost_usd > 0
    console = Console(width=200, record=True)
    console.print(plan.summary_table())
    console.print(plan.conversations_table())
    text = console.export_text()
    assert "openai/gpt-4o-mini-2024-07-18" in text and "tiny-authority" in text
    assert "unknown" not in text


def test_prices():
    assert price_of("openai/gpt-4o") == (2.50, 10.00)
    assert price_of("openai/gpt-4o-mini") == (0.15, 0.60)
    assert price_of("ollama/llama3.1") == (0.0, 0.0)
    assert price_of("openai/o3-pro") is None


def test_a_reader_weights_file_that_does_not_exist_is_named(tmp_path: Path) -> None:
    with pytest.raises(ExperimentError) as info:
        parse_experiment("targets: embedded\njudge: trained:missing.safetensors\n", "e.yaml", tmp_path)
    assert "no such reader weights file missing.safetensors" in str(info.value)
