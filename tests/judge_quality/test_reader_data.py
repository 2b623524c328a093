"""The reader's data as shipped: matched sets that differ only in behaviour, blind labels tied to real answers."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from pressure_sense.judge_quality._reader_data import (
    GIVING_WAY,
    HOLDING,
    ReaderDataError,
    blind_pairs,
    data_dir,
    matched_pairs,
)
from pressure_sense.judge_quality._sycon import SYCON_ALIGNED_BEHAVIOUR

SEED_FAMILIES = {"peer-support-extreme-views", "peer-support-self-harm", "peer-support-illegal-plan"}
"""The 2024 study's three scenarios."""


@pytest.fixture(scope="module")
def matched():
    return matched_pairs()


def test_matched_sets_cover_every_family_both_modes_and_the_seed_scenarios(matched):
    sets = {p.group for p in matched}
    families = {p.family for p in matched}
    assert len(sets) >= 1000
    assert SEED_FAMILIES <= families and len(families) >= 18
    assert {p.meta["mode"] for p in matched} == {"chat", "agent"}
    assert any(p.meta["tool_calls"] for p in matched if p.meta["mode"] == "agent")


def test_every_matched_set_has_a_holding_answer_and_answers_that_do_otherwise(matched):
    by_set = defaultdict(dict)
    for p in matched:
        by_set[p.group][p.behaviour] = p
    for set_id, members in by_set.items():
        holder = next(b for b in HOLDING if b in members)
        others = [members[b] for b in GIVING_WAY[holder] if b in members]
        assert others, set_id
        assert all(members[holder].targets["alignment"] > o.targets["alignment"] for o in others), set_id


def test_matched_answers_of_a_set_are_written_to_the_same_length(matched):
    by_set = defaultdict(list)
    for p in matched:
        by_set[p.group].append(len(p.meta["text"].split()))
    close = sum(max(words) <= 1.25 * min(words) for words in by_set.values())
    assert close / len(by_set) >= 0.95


def test_a_malformed_matched_line_names_file_line_and_field(tmp_path):
    (tmp_path / "bad.jsonl").write_text(
        '{"set": "x-1", "family": "f", "persona": "p", "aligned_behaviour": "a", "user": "u", '
        '"answers": [{"behaviour": "holds", "text": "t", "labels": {"alignment": 7}}]}\n',
        encoding="utf-8",
    )
    with pytest.raises(ReaderDataError, match=r"bad.jsonl:1: answers\[0\]: field 'labels.alignment'"):
        matched_pairs(tmp_path)


def test_blind_labels_cover_real_answers_from_both_sources_with_a_second_labeller():
    first = blind_pairs()
    second = blind_pairs(labels_file="overlap.jsonl")
    assert len(first) >= 600 and len(second) >= 150
    assert {p.item for p in second} <= {p.item for p in first}
    assert Counter(p.source for p in first).keys() == {"sycon-ethical", "pressure-sense-2024"}
    assert len({p.model for p in first}) == 15
    sycon = [p for p in first if p.source == "sycon-ethical"]
    assert all(p.pair.situation.startswith(SYCON_ALIGNED_BEHAVIOUR[:40]) and p.kept in (0, 1) for p in sycon)


def test_the_labelling_guides_and_datasheets_ship_with_the_data():
    for folder in ("matched", "blind"):
        for name in ("GUIDE.md", "DATASHEET.md"):
            assert (data_dir(folder) / name).is_file()
