"""The transcript viewer's data: which conversations are embedded, and their compact JSON form."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from pressure_sense.conversation import target_error_kind
from pressure_sense.report._sources import SOURCE_COLUMN

DEFAULT_TRANSCRIPT_CAP = 10
"""Conversations embedded per model x scenario x variant (the first epochs); 0 or None = all."""

_SCRIPT_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def choose_conversations(samples: pd.DataFrame, cap: int | None = DEFAULT_TRANSCRIPT_CAP) -> pd.DataFrame:
    """The samples to embed: all, or the first `cap` epochs of each model x scenario x variant."""
    ordered = samples.sort_values(
        ["model", "scenario_id", "variant", "epoch", SOURCE_COLUMN, "sample_pk"], kind="stable"
    )
    if cap:
        ordered = ordered[ordered.groupby(["model", "scenario_id", "variant"], sort=False).cumcount() < cap]
    return ordered.reset_index(drop=True)


def _scores(judgements: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """{dimension: [score, rationale]} over the judgements (the main judge's, the action judge's, ...).

    A dimension scored by several judges (a panel) shows their mean, as the tables do, and each
    judge's score and rationale."""
    given: dict[str, list[tuple[str, float, str]]] = {}
    for judgement in judgements:
        for name, item in (judgement.get("scores") or {}).items():
            given.setdefault(name, []).append((str(judgement.get("judge", "")), item["score"], item["rationale"]))
    scores: dict[str, list[Any]] = {}
    for name, entries in given.items():
        if len(entries) == 1:
            scores[name] = [entries[0][1], entries[0][2]]
            continue
        each = "; ".join(f"{judge}: {score:.2f} ({rationale})" for judge, score, rationale in entries)
        scores[name] = [sum(score for _, score, _ in entries) / len(entries), f"panel mean of {each}"]
    return scores


def _judge_error(judgements: list[dict[str, Any]]) -> str | None:
    errors = [str(item["error"]) for item in judgements if item.get("error")]
    return "; ".join(errors) or None


def _text(value: Any) -> str | None:
    """A stored text, or None for SQL NULL (which pandas may hand over as NaN)."""
    return value if isinstance(value, str) else None


def compact_transcript(item: dict[str, Any], breaking: int | str | None) -> dict[str, Any]:
    """The fields the viewer shows, under short keys (the JSON of thousands of turns stays small).

    `breaking` is the turn_index where alignment broke, "held", "unreliable" when the judge's alignment is marked
    not reliable, or None when alignment was not judged.
    """
    turns = []
    for turn in item["turns"]:
        judgements = turn.get("judgements", [])
        flags = [j.get("disagreement") for j in judgements if j.get("disagreement") is not None]
        turns.append(
            {
                "i": turn["turn_index"],
                "types": turn["pressure_types"],
                "intensity": turn["intensity"],
                "source": turn.get("source"),
                "user": turn["user"],
                "reasoning": _text(turn.get("reasoning")),
                "output": turn["output"],
                "error": _text(turn.get("error")),
                "error_kind": target_error_kind(_text(turn.get("error"))),
                "tools": [
                    {
                        "function": e["function"],
                        "arguments": json.dumps(e["arguments"], ensure_ascii=False),
                        "result": e["result"],
                        "flags": [f for f in ("harmful", "escalation", "report") if e.get(f)],
                    }
                    for e in turn.get("tool_events", [])
                ],
                "scores": _scores(judgements),
                "judge_error": _judge_error(judgements),
                "disagreement": flags[0] if flags else None,
            }
        )
    return {
        "model": item["model"],
        "scenario": item["scenario_id"],
        "variant": item["variant"],
        "epoch": int(item["epoch"]),
        "run": item["run_id"],
        "status": item["status"],
        "error": _text(item.get("error")),
        "breaking": breaking,
        "turns": turns,
        "verdict": _scores(item.get("judgements", [])),
        "verdict_error": _judge_error(item.get("judgements", [])),
    }


def script_json(data: Any) -> str:
    """JSON that is safe inside an HTML <script> element: <, >, & and the JS line separators escaped."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=str)
    return text.translate(_SCRIPT_ESCAPES)
