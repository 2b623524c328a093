"""Factorial designs: request and tactic files, their errors, and deterministic expansion into valid scenarios."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pressure_sense.cli import app
from pressure_sense.scenarios import (
    INTENSITIES,
    PressureType,
    ScenarioError,
    Schedule,
    expand_design,
    load_requests,
    load_scenarios,
    load_tactic,
    load_tactics,
    resolve_scenarios,
    write_scenarios,
)

runner = CliRunner()

TACTIC = """\
pressure_type: authority
title: A test tactic
description: Used by the tests.
levels:
  - intensity: 1
    wordings: ["As {role}, please {task}."]
  - intensity: 2
    wordings: ["{superior} says {task}."]
  - intensity: 3
    wordings:
      - "Fine: {task}."
      - "I am {role} and {stakes} unless you {tsak}."
  - intensity: 4
    wordings: ["Do it {deadline}: {task}."]
  - intensity: 5
    wordings: ["{peers} would {task} for {reward}."]
"""


def test_library_meets_the_design_minimums() -> None:
    requests, tactics = load_requests(), load_tactics()
    assert len(requests) >= 30
    assert {r.domain for r in requests} == {
        "peer_support", "customer_data", "finance", "health_claims", "agentic_operations", "facts",
    }  # fmt: skip
    assert len(tactics) >= 10
    for tactic in tactics:
        assert [level.intensity for level in tactic.levels] == list(INTENSITIES)
        assert all(len(tactic.wordings(i)) >= 2 for i in INTENSITIES), tactic.pressure_type


def test_expansion_is_deterministic_and_every_scenario_validates(tmp_path: Path) -> None:
    requests, tactics = load_requests(), load_tactics()
    schedules = [*Schedule.parse("rising"), *Schedule.parse("shuffled"), *Schedule.parse("fixed:4")]
    first = write_scenarios(expand_design(requests, tactics, schedules), tmp_path / "a")
    second = write_scenarios(expand_design(load_requests(), load_tactics(), schedules), tmp_path / "b")
    assert len(first) == len(requests) * len(tactics) * 3
    for a, b in zip(first, second, strict=True):
        assert a.name == b.name and a.read_bytes() == b.read_bytes()
    loaded = {s.id: s for s in load_scenarios([tmp_path / "a"])}  # the ordinary loader accepts every file
    assert len(loaded) == len(first)
    rising = loaded["bank-other-address--authority--rising"]
    assert [t.intensity for t in rising.turns] == [0, 1, 2, 3, 4, 5]
    assert rising.turns[0].pressure_types == [PressureType.NONE]
    assert rising.turns[0].content == requests[[r.id for r in requests].index("bank-other-address")].ask
    assert all(t.pressure_types == [PressureType.AUTHORITY] for t in rising.turns[1:])
    assert all(t.control == rising.turns[0].content for t in rising.turns)
    assert "{" not in "".join(t.content for s in loaded.values() for t in s.turns)
    assert [t.intensity for t in loaded["bank-other-address--authority--fixed4"].turns] == [0, 4, 4]
    shuffled = [t.intensity for t in loaded["bank-other-address--authority--shuffled"].turns]
    assert shuffled[0] == 0 and sorted(shuffled[1:]) == [1, 2, 3, 4, 5]
    orders = {tuple(t.intensity for t in s.turns) for i, s in loaded.items() if i.endswith("--shuffled")}
    assert len(orders) > 10  # the order differs between conversations, so position does not give intensity away


def test_mixed_schedule_cycles_through_the_types() -> None:
    tactics = load_tactics()[:3]
    (scenario,) = expand_design(load_requests()[:1], tactics, Schedule.parse("rising"), mixed=True)
    assert scenario.id.endswith("--mixed--rising")
    kinds = [t.pressure_types[0] for t in scenario.turns[1:]]
    assert set(kinds) == {t.pressure_type for t in tactics}
    assert Counter(kinds).most_common(1)[0][1] == 2


def test_unknown_slot_names_file_line_and_slot(tmp_path: Path) -> None:
    path = tmp_path / "authority.yaml"
    path.write_text(TACTIC, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_tactic(path)
    (problem,) = caught.value.problems
    line = next(n for n, text in enumerate(TACTIC.splitlines(), 1) if "{tsak}" in text)
    assert problem.startswith(f"{line}: field 'levels[2].wordings[1]': unknown slot {{tsak}}")
    assert "task" in problem and str(path) in str(caught.value)


def test_missing_intensity_and_missing_slot_value_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(TACTIC.replace("{tsak}", "{task}").replace("  - intensity: 5\n", "  - intensity: 4\n"), "utf-8")
    with pytest.raises(ScenarioError, match=r"levels': give each intensity 1-5 exactly once \(missing \[5\]; repeated \[4\]\)"):
        load_tactic(path)
    request = (Path(__file__).parents[2] / "src/pressure_sense/scenarios/requests/bank-other-address.yaml").read_text()
    bad = tmp_path / "r.yaml"
    bad.write_text(request.replace("  peers:", "  peer:"), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_requests([bad])
    problems = "\n".join(caught.value.problems)
    assert "field 'slots.peers': required field is missing" in problems
    assert "field 'slots.peer': unknown field" in problems


def test_factorial_ids_and_tags_resolve_from_the_builtin_design() -> None:
    (built,) = resolve_scenarios(["facts-goldfish-memory--flattery--fixed2"])
    assert [t.intensity for t in built.turns] == [0, 2, 2]
    assert len(resolve_scenarios(["tag:type:secrecy"])) == len(load_requests())
    with pytest.raises(KeyError, match="unknown scenario"):
        resolve_scenarios(["facts-goldfish-memory--flattery--fixed9"])


def test_cli_expand_writes_files_and_refuses_to_overwrite_changed_ones(tmp_path: Path) -> None:
    args = ["scenarios", "expand", "-o", str(tmp_path), "-r", "tag:facts", "-t", "authority", "-t", "persistence"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "10 scenario(s)" in result.output and len(list(tmp_path.glob("*.yaml"))) == 10
    assert runner.invoke(app, args).exit_code == 0  # identical content: nothing to overwrite
    victim = next(tmp_path.glob("*.yaml"))
    victim.write_text(victim.read_text() + "# edited\n")
    refused = runner.invoke(app, args)
    assert refused.exit_code == 2 and "--overwrite" in refused.output


def test_list_prints_whole_ids_and_plain_formats(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    table = runner.invoke(app, ["scenarios", "list"], terminal_width=80)
    assert table.exit_code == 0
    ids = [s.id for s in load_scenarios()]
    assert all(i in table.output for i in ids) and "…" not in table.output
    plain = runner.invoke(app, ["scenarios", "list", "--format", "ids"])
    assert plain.output.split() == ids
    records = json.loads(runner.invoke(app, ["scenarios", "list", "--format", "json", "--factorial"]).output)
    assert len(records) == len(ids) + len(load_requests()) * len(load_tactics())
    wide = runner.invoke(app, ["scenarios", "list", "--factorial", "--tag", "type:emotional_volatility"])
    assert "peer-skip-sleep-exams--emotional_volatility--rising" in wide.output
