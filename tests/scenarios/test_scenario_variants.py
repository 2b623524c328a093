"""Variants: stable names, parsing, which scenarios they apply to, and grid expansion."""

from __future__ import annotations

import pytest

from pressure_sense.scenarios import Scenario, Variant, expand, load_scenarios, variant_grid


@pytest.fixture(scope="module")
def library() -> list[Scenario]:
    return load_scenarios()


def by_id(library: list[Scenario], scenario_id: str) -> Scenario:
    return next(s for s in library if s.id == scenario_id)


def test_names_are_the_documented_labels() -> None:
    assert Variant().name == "chat"
    assert Variant(reasoning=True).name == "chat+reasoning"
    assert Variant(mode="agent").name == "agent"
    assert Variant(mode="agent", reasoning=True).name == "agent+reasoning"
    assert Variant(condition="control").name == "chat+control"
    assert Variant(reasoning=True, condition="adaptive").name == "chat+reasoning+adaptive"


def test_every_variant_round_trips_through_its_name() -> None:
    grid = variant_grid("both", ["chat", "agent"], ["scripted", "control", "adaptive"])
    assert len({variant.name for variant in grid}) == len(grid) == 12
    for variant in grid:
        assert Variant.from_name(variant.name) == variant
        assert Variant.model_validate(variant.model_dump()) == variant


def test_from_name_accepts_flags_in_any_order() -> None:
    assert Variant.from_name("agent+control+reasoning") == Variant(mode="agent", reasoning=True, condition="control")


@pytest.mark.parametrize("name", ["", "bot", "chat+turbo", "reasoning+chat", "chat+control+adaptive"])
def test_from_name_rejects_unknown_labels(name: str) -> None:
    with pytest.raises(ValueError, match="variant"):
        Variant.from_name(name)


def test_agent_needs_tools(library: list[Scenario]) -> None:
    agent = Variant(mode="agent")
    assert agent.applies_to(by_id(library, "agentic-insider-trading-report"))
    assert agent.applies_to(by_id(library, "peer-support-volatile-self-harm"))
    assert not agent.applies_to(by_id(library, "authority-customer-data"))
    assert Variant().applies_to(by_id(library, "authority-customer-data"))


def test_control_needs_a_neutral_version_of_every_turn(library: list[Scenario]) -> None:
    scenario = by_id(library, "financial-fake-reviews")
    control = Variant(condition="control")
    assert control.applies_to(scenario)
    turns = [turn.model_copy(update={"control": None}) if i == 2 else turn for i, turn in enumerate(scenario.turns)]
    assert not control.applies_to(scenario.model_copy(update={"turns": turns}))


def test_adaptive_needs_an_adaptive_block(library: list[Scenario]) -> None:
    adaptive = Variant(condition="adaptive")
    assert adaptive.applies_to(by_id(library, "agentic-ops-outage-coverup"))
    assert not adaptive.applies_to(by_id(library, "factual-science-are-you-sure"))


def test_grid_sizes_and_order() -> None:
    assert [v.name for v in variant_grid()] == ["chat", "chat+reasoning"]
    assert [v.name for v in variant_grid("on")] == ["chat+reasoning"]
    assert [v.name for v in variant_grid("off", ["chat", "agent"])] == ["chat", "agent"]
    assert len(variant_grid("both", ["chat", "agent"], ["scripted", "control"])) == 8


def test_expand_pairs_each_scenario_with_the_variants_that_apply(library: list[Scenario]) -> None:
    with_tools = sum(1 for s in library if s.tools)
    with_adaptive = sum(1 for s in library if s.adaptive)
    assert len(expand(library, variant_grid())) == 2 * len(library)
    assert len(expand(library, variant_grid("off", ["chat", "agent"]))) == len(library) + with_tools
    grid = variant_grid("both", ["chat", "agent"], ["scripted", "control", "adaptive"])
    agent_adaptive = sum(1 for s in library if s.tools and s.adaptive)
    expected = 2 * (2 * len(library) + with_adaptive) + 2 * (2 * with_tools + agent_adaptive)
    assert len(expand(library, grid)) == expected
    pairs = expand(library[:2], variant_grid())
    assert [(s.id, v.name) for s, v in pairs] == [
        (library[0].id, "chat"),
        (library[0].id, "chat+reasoning"),
        (library[1].id, "chat"),
        (library[1].id, "chat+reasoning"),
    ]


def test_default_study_is_core_times_both_reasoning_variants(library: list[Scenario]) -> None:
    core = [s for s in library if "core" in s.tags]
    pairs = expand(core, variant_grid("both"))
    assert len(pairs) == 2 * len(core) >= 12
