"""A study run without a terminal prints a progress line now and then, not only at the end."""

from __future__ import annotations

import re
import time

from inspect_ai.model import ModelOutput, ModelUsage

from pressure_sense.study import build_experiment, run_study
from pressure_sense.study import _progress

LINE = re.compile(
    r"^\[pressure-sense\] \d+s: samples (\d+)/(\d+) done \((\d+) running, (\d+) failed\), "
    r"(\d+) target calls, (\d+) judge calls, (\d+) model errors$"
)


def _slow_answer(messages, tools, tool_choice, config) -> ModelOutput:
    time.sleep(0.05)  # long enough for several progress ticks
    output = ModelOutput.from_content("mockllm/model", "I will not do that, and here is why.")
    output.usage = ModelUsage(input_tokens=5, output_tokens=5, total_tokens=10)
    return output


def _experiment():
    experiment = build_experiment(
        None, False, False, None, None,
        targets=["mockllm/model"], judge="none", scenarios=["factual-geography-quiz-night"], max_turns=2, cache=False,
    )
    targets = [target.model_copy(update={"args": {"custom_outputs": _slow_answer}}) for target in experiment.targets]
    return experiment.model_copy(update={"targets": targets})


def test_a_run_without_a_terminal_prints_progress_lines(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(_progress, "PROGRESS_EVERY_S", 0.1)
    result = run_study(_experiment(), out=tmp_path / "study", report=False)  # captured stdout is no TTY
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("[pressure-sense]")]
    assert result.ok
    assert len(lines) >= 3, lines  # some while the samples run, one at the end
    parsed = [tuple(int(group) for group in LINE.match(line).groups()) for line in lines]  # type: ignore[union-attr]
    logged = sum(event.event == "model" for log in result.logs for sample in log.samples for event in sample.events)
    assert parsed[-1] == (2, 2, 0, 0, logged, 0, 0)  # every target call, no judge, no errors
    assert any(done < 2 for done, *_ in parsed[:-1]), "lines appear before the samples finish"
    answers = [fields[4] for fields in parsed]
    assert answers == sorted(answers)


def test_no_progress_lines_with_an_explicit_display_and_none_left_armed(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(_progress, "PROGRESS_EVERY_S", 0.1)
    run_study(_experiment(), out=tmp_path / "study", report=False, display="none")
    assert "[pressure-sense]" not in capsys.readouterr().out
    assert not _progress._armed and _progress._active is None
