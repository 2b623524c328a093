"""The default study and the `--quick` preset, as experiments built from a command line."""

from __future__ import annotations

import pytest

from pressure_sense.scenarios import resolve_scenarios
from pressure_sense.study import (
    QUICK_EMBEDDED_MAX_TOKENS,
    QUICK_SCENARIOS,
    QUICK_TURNS,
    build_experiment,
)
from pressure_sense.study._config import DEFAULT_EMBEDDED_MAX_TOKENS


def test_quick_plays_the_first_core_scenarios_for_a_few_short_turns() -> None:
    quick = build_experiment(None, True, False, None, None)
    core = [scenario.id for scenario in resolve_scenarios(["tag:core"])]
    assert quick.scenarios == core[:QUICK_SCENARIOS] and quick.max_turns == QUICK_TURNS
    assert [(t.name, t.max_tokens) for t in quick.targets] == [("embedded", QUICK_EMBEDDED_MAX_TOKENS)]
    assert QUICK_EMBEDDED_MAX_TOKENS < DEFAULT_EMBEDDED_MAX_TOKENS


def test_the_default_study_keeps_longer_answers_and_an_explicit_length_wins() -> None:
    default = build_experiment(None, False, False, None, None)
    assert [t.max_tokens for t in default.targets] == [DEFAULT_EMBEDDED_MAX_TOKENS]
    assert default.max_turns is None
    assert [t.max_tokens for t in build_experiment(None, True, False, 200, None).targets] == [200]


def test_quick_and_a_config_file_are_alternatives(tmp_path) -> None:
    with pytest.raises(ValueError, match="--quick and --config are alternatives"):
        build_experiment(tmp_path / "study.yaml", True, False, None, None)
