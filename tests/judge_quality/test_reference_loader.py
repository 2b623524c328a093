"""The turn-level reference-set loader: the built-in set, dimensions from the labels, errors with file, line, field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pressure_sense.judge_quality._reference import (
    ReferenceSetError,
    load_reference,
    reference_dir,
)
from pressure_sense.judge_quality._runner import resolve_labelled
from tests.fakes.reference_set import reference_document, write_reference


def _write(path: Path, document: dict) -> Path:
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    seen = 0
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in {path}")


def test_builtin_set_loads_every_family_file_and_skips_the_overlap_file():
    turns = load_reference()
    families = {turn.family for turn in turns}
    files = {path.stem for path in reference_dir().glob("*.yaml")} - {"overlap"}
    assert families == files and len(families) >= 2
    assert resolve_labelled("reference").dimensions == tuple(turns[0].labels)
    assert all(set(turn.labels) == set(turns[0].labels) for turn in turns)
    assert all(turn.kind in {"clear_pass", "clear_fail", "borderline"} for turn in turns)
    scratchpad = [turn for turn in turns if turn.judged.reasoning is not None]
    assert scratchpad and all(turn.disagreement is not None and "<reasoning>" not in turn.judged.output for turn in scratchpad)


def test_a_turn_carries_its_conversation_so_far(tmp_path):
    (path,) = write_reference(tmp_path, families=("alpha",), conversations=1)
    first, second = load_reference([path])
    assert first.earlier == () and first.turn_index == 0
    assert second.turn_index == 1 and second.earlier == (first.judged,) and first.judged.index == 0
    assert second.judged.reasoning == "They push hard; I'll keep the figure and say why."
    assert second.judged.output.startswith("I hear how much") and second.disagreement is False
    assert second.source == f"{path}:{_line_of(path, '- user:', 2)}"


def test_dimensions_come_from_the_labels_not_from_a_fixed_list(tmp_path):
    document = reference_document("alpha", 1)
    for turn in document["conversations"][0]["turns"]:
        turn["labels"] = {"helpfulness": 4, "candour": 2}
    path = _write(tmp_path / "alpha.yaml", document)
    assert tuple(load_reference([path])[0].labels) == ("helpfulness", "candour")
    assert resolve_labelled(str(path)).dimensions == ("helpfulness", "candour")


def test_tool_calls_are_kept_with_their_turn(tmp_path):
    document = reference_document("alpha", 1)
    document["conversations"][0]["turns"][0]["tool_calls"] = [
        {"function": "send_report", "arguments": {"to": "manager", "body": "all done"}, "result": "sent"},
        {"function": "lookup", "result": {"rows": 2}},
    ]
    first = load_reference([_write(tmp_path / "alpha.yaml", document)])[0]
    sent, looked = first.judged.tool_events
    assert (sent.call_id, sent.function, sent.arguments, sent.result) == ("call-0-0", "send_report", {"to": "manager", "body": "all done"}, "sent")
    assert (looked.call_id, looked.arguments, looked.result) == ("call-0-1", {}, '{"rows": 2}')


@pytest.mark.parametrize(
    ("change", "needle", "field", "message"),
    [
        (lambda d: d["conversations"][0]["turns"][1]["labels"].update(alignment=7), "alignment: 7", "conversations[0].turns[1].labels.alignment", "less than or equal to 5"),
        (lambda d: d["conversations"][0]["turns"][0].pop("gave_way"), "- user:", "conversations[0].turns[0].gave_way", "required field is missing"),
        (lambda d: d["conversations"][0]["turns"][0].update(disagreement=True), "- user:", "conversations[0].turns[0]", "only for replies with a <reasoning> scratchpad"),
        (lambda d: d["conversations"][0]["turns"][0].update(kind="borderline"), "- user:", "conversations[0].turns[0]", "needs a note"),
        (lambda d: d["conversations"][0].update(pressure_types=["nagging"]), "- nagging", "conversations[0].pressure_types[0]", "persistence"),
    ],
)
def test_errors_name_file_line_and_field(tmp_path, change, needle, field, message):
    document = reference_document("alpha", 1)
    change(document)
    path = _write(tmp_path / "alpha.yaml", document)
    with pytest.raises(ReferenceSetError) as raised:
        load_reference([path])
    text = str(raised.value)
    assert text.startswith(f"{path}:{_line_of(path, needle)}: field '{field}'"), text
    assert message in text


def test_a_turn_labelling_other_dimensions_is_refused_with_its_line(tmp_path):
    document = reference_document("alpha", 1)
    document["conversations"][0]["turns"][1]["labels"].pop("coherence")
    path = _write(tmp_path / "alpha.yaml", document)
    with pytest.raises(ReferenceSetError, match=r"field 'conversations\[0\]\.turns\[1\]\.labels': labels alignment, pressure, truthfulness but"):
        load_reference([path])


def test_files_of_one_set_must_label_the_same_dimensions(tmp_path):
    alpha, beta = write_reference(tmp_path, families=("alpha", "beta"), conversations=1)
    document = reference_document("beta", 1)
    for turn in document["conversations"][0]["turns"]:
        turn["labels"] = {"helpfulness": 3}
    _write(beta, document)
    with pytest.raises(ReferenceSetError, match=f"{beta}:1: field 'dimensions': labels helpfulness but {alpha} labels"):
        load_reference([tmp_path])


def test_a_conversation_id_used_twice_is_refused(tmp_path):
    alpha, beta = write_reference(tmp_path, families=("alpha", "beta"), conversations=1)
    document = reference_document("beta", 1)
    document["conversations"][0]["id"] = "alpha-holds-0"
    _write(beta, document)
    with pytest.raises(ReferenceSetError, match=rf"{beta}:\d+: field 'conversations\[0\]\.id': 'alpha-holds-0' is already used in {alpha}"):
        load_reference([tmp_path])


def test_yaml_syntax_errors_and_missing_paths_are_clear(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("family: alpha\ndescription: one: two\n", encoding="utf-8")
    with pytest.raises(ReferenceSetError, match=rf"{bad}:2: invalid YAML"):
        load_reference([bad])
    with pytest.raises(ReferenceSetError, match="no such file or folder"):
        load_reference([tmp_path / "missing.yaml"])


def test_a_file_may_declare_its_dimensions(tmp_path):
    document = {"dimensions": ["alignment", "pressure", "truthfulness", "coherence"], **reference_document("alpha", 1)}
    turns = load_reference([_write(tmp_path / "alpha.yaml", document)])
    assert len(turns) == 2
    document["dimensions"] = ["alignment", "pressure"]
    path = _write(tmp_path / "alpha.yaml", document)
    with pytest.raises(ReferenceSetError, match=r"field 'conversations\[0\]\.turns\[0\]\.labels': labels .* but the file's dimensions says alignment, pressure"):
        load_reference([path])
