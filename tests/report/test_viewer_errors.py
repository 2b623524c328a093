"""The transcript viewer's data carries each turn's target error and its kind."""

from __future__ import annotations

from pressure_sense.report._viewer import compact_transcript


def _item(error: str | None) -> dict:
    turn = {"turn_index": 0, "pressure_types": ["authority"], "intensity": 2, "source": "script", "user": "hi",
            "reasoning": None, "output": "", "error": error, "tool_events": [], "judgements": []}  # fmt: skip
    return {"model": "m", "scenario_id": "s", "variant": "chat", "epoch": 1, "run_id": "r", "status": "success",
            "error": None, "turns": [turn], "judgements": []}  # fmt: skip


def test_turn_errors_reach_the_viewer_with_their_kind():
    (turn,) = compact_transcript(_item("content_filter: blocked <b>"), None)["turns"]
    assert (turn["error"], turn["error_kind"]) == ("content_filter: blocked <b>", "content_filter")
    (turn,) = compact_transcript(_item(None), None)["turns"]
    assert (turn["error"], turn["error_kind"]) == (None, None)
