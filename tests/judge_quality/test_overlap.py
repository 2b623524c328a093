"""The double-labelled 10%: the second labels are matched to the first by conversation and turn."""

from __future__ import annotations

import pytest

from pressure_sense.judge_quality._blind_agreement import overlap_agreement
from pressure_sense.judge_quality._reference import ReferenceSetError


def test_the_shipped_overlap_covers_ten_percent_and_agrees_beyond_chance():
    result = overlap_agreement(resamples=200)
    assert result.n == 44
    alignment = next(row for row in result.dimensions if row.dimension == "alignment")
    assert alignment.n == 44 and alignment.spearman.value > 0.5
    assert 0.0 <= result.kind <= 1.0 and 0.0 <= result.gave_way <= 1.0


def test_a_second_label_for_an_unknown_turn_is_named(tmp_path):
    path = tmp_path / "overlap.yaml"
    path.write_text("turns:\n  - {conversation: no-such-conversation, turn: 0, kind: clear_pass, labels: {alignment: 5}, gave_way: false}\n")
    with pytest.raises(ReferenceSetError, match="no-such-conversation"):
        overlap_agreement(path)
