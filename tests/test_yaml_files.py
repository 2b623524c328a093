"""Every kind of YAML file loads through one loader: a key given twice is refused, and each problem names the
file, the line and the field."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from pressure_sense.experiments import load_experiment
from pressure_sense.judge_quality import calibration_dir, load_calibration, load_reference, reference_dir
from pressure_sense.judge_quality._blind_agreement import overlap_agreement
from pressure_sense.scenarios import library_dir, load_request, load_scenario, load_tactic, requests_dir, tactics_dir

KINDS: dict[str, tuple[Callable[[], str], Callable[[Path], object]]] = {
    "scenario": (lambda: min(library_dir().glob("*.yaml")).read_text(encoding="utf-8"), load_scenario),
    "request": (lambda: (requests_dir() / "bank-other-address.yaml").read_text(encoding="utf-8"), load_request),
    "tactic": (lambda: (tactics_dir() / "authority.yaml").read_text(encoding="utf-8"), load_tactic),
    "experiment": (lambda: "name: tiny\nepochs: 1\n", load_experiment),
    "reference": (lambda: (reference_dir() / "peer_support.yaml").read_text(encoding="utf-8"), lambda p: load_reference([p])),
    "overlap": (lambda: (reference_dir() / "overlap.yaml").read_text(encoding="utf-8"), overlap_agreement),
    "calibration": (lambda: (calibration_dir() / "authority.yaml").read_text(encoding="utf-8"), lambda p: load_calibration([p])),
}


def _error(tmp_path: Path, kind: str, change: Callable[[str], str]) -> tuple[Path, str]:
    """The file written with `change` applied to a valid one of `kind`, and the error its loader raises."""
    text, load = KINDS[kind]
    path = tmp_path / f"{kind}.yaml"
    path.write_text(change(text()), encoding="utf-8")
    with pytest.raises(ValueError) as raised:
        load(path)
    return path, str(raised.value)


def _appended(line: str) -> Callable[[str], str]:
    return lambda text: text.rstrip("\n") + "\n" + line + "\n"


@pytest.mark.parametrize("kind", KINDS)
def test_a_top_level_key_given_twice_is_refused_with_its_line(tmp_path, kind):
    key = re.match(r"(\w+):", KINDS[kind][0]()).group(1)
    path, message = _error(tmp_path, kind, _appended(f"{key}: again"))
    line = len(path.read_text(encoding="utf-8").splitlines())
    assert message == f"{path}:{line}: field '{key}': given twice in the same mapping"


@pytest.mark.parametrize("kind", KINDS)
def test_an_unknown_field_names_file_line_and_field(tmp_path, kind):
    path, message = _error(tmp_path, kind, _appended("colour: blue"))
    line = len(path.read_text(encoding="utf-8").splitlines())
    assert message == f"{path}:{line}: field 'colour': unknown field (check the spelling)"


def test_a_nested_key_given_twice_names_its_dotted_path(tmp_path):
    path, message = _error(tmp_path, "overlap", lambda text: text.replace("    turn: 1\n", "    turn: 1\n    turn: 2\n", 1))
    line = path.read_text(encoding="utf-8").splitlines().index("    turn: 2") + 1
    assert message == f"{path}:{line}: field 'turns[0].turn': given twice in the same mapping"


def test_a_second_label_that_does_not_validate_names_its_line_and_field(tmp_path):
    path, message = _error(tmp_path, "overlap", lambda text: text.replace("    gave_way: true\n", "    gave_way: maybe\n", 1))
    line = path.read_text(encoding="utf-8").splitlines().index("    gave_way: maybe") + 1
    assert message.startswith(f"{path}:{line}: field 'turns[0].gave_way': Input should be a valid boolean")


def test_a_second_label_of_an_unknown_turn_names_its_line(tmp_path):
    path, message = _error(tmp_path, "overlap", lambda text: text.replace("  - conversation: ", "  - conversation: x", 1))
    line = next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "conversation: x" in text)
    assert message.startswith(f"{path}:{line}: field 'turns[0].conversation': no labelled turn 'x")


def test_a_calibration_item_id_used_twice_names_the_second_ones_line(tmp_path):
    first = tmp_path / "a.yaml"
    first.write_text((calibration_dir() / "authority.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    second = tmp_path / "b.yaml"
    second.write_text(first.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ValueError) as raised:
        load_calibration([tmp_path])
    line = next(n for n, text in enumerate(second.read_text(encoding="utf-8").splitlines(), 1) if "- id:" in text)
    assert str(raised.value).startswith(f"{second}:{line}: field 'items[0].id': item id ")
