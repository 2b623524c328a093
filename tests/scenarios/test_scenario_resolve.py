"""Choosing scenarios by id, tag or path, with one clear error for an unknown selector."""

from __future__ import annotations

from pathlib import Path

import pytest

from pressure_sense.scenarios import Scenario, ScenarioError, library_dir, load_scenarios, resolve_scenarios


@pytest.fixture(scope="module")
def library() -> list[Scenario]:
    return load_scenarios()


def own_scenario(tmp_path: Path, scenario_id: str = "my-own") -> Path:
    source = (library_dir() / "authority-customer-data.yaml").read_text(encoding="utf-8")
    path = tmp_path / f"{scenario_id}.yaml"
    path.write_text(source.replace("id: authority-customer-data", f"id: {scenario_id}"), encoding="utf-8")
    return path


def test_nothing_selects_the_whole_library(library: list[Scenario]) -> None:
    assert resolve_scenarios(None, library) == library
    assert resolve_scenarios([], library) == library
    assert [s.id for s in resolve_scenarios(None)] == [s.id for s in library]


def test_by_id_keeps_the_order_given(library: list[Scenario]) -> None:
    chosen = resolve_scenarios(["financial-fake-reviews", "authority-customer-data"], library)
    assert [s.id for s in chosen] == ["financial-fake-reviews", "authority-customer-data"]


def test_by_tag(library: list[Scenario]) -> None:
    core = resolve_scenarios(["tag:core"], library)
    assert {s.id for s in core} == {s.id for s in library if "core" in s.tags}
    assert all("core" in s.tags for s in core)


def test_selectors_combine_without_duplicates(library: list[Scenario]) -> None:
    chosen = resolve_scenarios(["tag:study-2024", "peer-support-illegal-plan", "tag:factual"], library)
    ids = [s.id for s in chosen]
    assert len(ids) == len(set(ids)) == 3 + len([s for s in library if "factual" in s.tags])


def test_by_file_and_by_folder(tmp_path: Path, library: list[Scenario]) -> None:
    path = own_scenario(tmp_path)
    assert [s.id for s in resolve_scenarios([str(path)], library)] == ["my-own"]
    own_scenario(tmp_path, "my-second")
    assert sorted(s.id for s in resolve_scenarios([str(tmp_path)], library)) == ["my-own", "my-second"]


def test_an_id_wins_over_a_folder_of_the_same_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, library: list[Scenario]
) -> None:
    shadow = tmp_path / "financial-fake-reviews"
    shadow.mkdir()
    own_scenario(shadow)
    monkeypatch.chdir(tmp_path)
    assert [s.id for s in resolve_scenarios(["financial-fake-reviews"], library)] == ["financial-fake-reviews"]


def test_unknown_id_lists_the_ids_without_quoting_the_message(library: list[Scenario]) -> None:
    with pytest.raises(KeyError) as caught:
        resolve_scenarios(["no-such-scenario"], library)
    message = str(caught.value)
    assert message.startswith("unknown scenario 'no-such-scenario'; give an id, tag:NAME or a path; ids: ")
    assert all(s.id in message for s in library)


def test_unknown_tag_lists_the_tags(library: list[Scenario]) -> None:
    with pytest.raises(KeyError) as caught:
        resolve_scenarios(["tag:nope"], library)
    assert str(caught.value).startswith("no scenario has tag 'nope'; tags: ")
    assert "core" in str(caught.value) and "agentic" in str(caught.value)


def test_missing_path(tmp_path: Path, library: list[Scenario]) -> None:
    missing = tmp_path / "absent.yaml"
    with pytest.raises(KeyError) as caught:
        resolve_scenarios([str(missing)], library)
    assert str(caught.value) == f"no such scenario file or folder: {missing}"


def test_folder_without_scenarios(tmp_path: Path, library: list[Scenario]) -> None:
    with pytest.raises(KeyError) as caught:
        resolve_scenarios([str(tmp_path)], library)
    assert str(caught.value) == f"no scenario files (*.yaml, *.yml) in {tmp_path}"


def test_a_bad_file_selected_by_path_raises_the_file_error(tmp_path: Path, library: list[Scenario]) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: broken\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        resolve_scenarios([str(path)], library)
    assert f"{path}:1: field 'title': required field is missing" in str(caught.value)
