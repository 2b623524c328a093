"""Turn one Inspect EvalSample into the rows the store keeps (samples, turns, messages, ...)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import accumulate
from typing import Any

from inspect_ai.log import EvalSample
from inspect_ai.model import ChatMessage, ChatMessageAssistant

from pressure_sense.conversation import (
    ADAPTIVE_KEY,
    BELIEFS_KEY,
    TURNS_KEY,
    AdaptiveOutcome,
    BeliefResult,
    TurnRecord,
)
from pressure_sense.judge import JUDGEMENTS_KEY, Judgement
from pressure_sense.scenarios import Variant

Row = dict[str, Any]
_JUDGEMENT_FIELDS = {"rubric", "turn_index", "judge", "method", "disagreement", "error", "raw", "attempts", "cut_chars"}


@dataclass
class SampleRows:
    """Everything stored for one sample; keys are column names, `sample_pk` is filled in by the writer."""

    sample: Row
    turns: list[Row] = field(default_factory=list)
    messages: list[Row] = field(default_factory=list)
    tool_events: list[Row] = field(default_factory=list)
    judgements: list[tuple[Row, list[Row]]] = field(default_factory=list)
    """(judgement row, its score rows)."""
    errors: list[Row] = field(default_factory=list)
    beliefs: list[Row] = field(default_factory=list)
    adaptive_outcomes: list[Row] = field(default_factory=list)


def sample_variant(sample: EvalSample) -> Variant:
    """The variant a sample played: from its metadata, else from the `{scenario}:{variant}` id."""
    recorded = sample.metadata.get("variant")
    if isinstance(recorded, dict):
        return Variant.model_validate(recorded)
    _, _, name = str(sample.id).rpartition(":")
    try:
        return Variant.from_name(name)
    except ValueError:
        return Variant()


def sample_scenario_id(sample: EvalSample) -> str:
    """The scenario a sample played: from its metadata, else the part of the id before the last `:`."""
    scenario = sample.metadata.get("scenario")
    if isinstance(scenario, dict) and scenario.get("id"):
        return str(scenario["id"])
    head, separator, _ = str(sample.id).rpartition(":")
    return head if separator else str(sample.id)


def sample_rows(sample: EvalSample, model: str) -> SampleRows:
    """The rows for `sample`, played by the target `model` (sqlite3 stores the bool values as 0/1)."""
    variant = sample_variant(sample)
    records = [TurnRecord.model_validate(item) for item in sample.store.get(TURNS_KEY, [])]
    usage = sample.model_usage.values()
    adaptive = sample.store.get(ADAPTIVE_KEY)  # how an adaptive sample ended; None for the others
    rows = SampleRows(
        sample={
            "sample_id": str(sample.id),
            "epoch": sample.epoch,
            "model": model,
            "scenario_id": sample_scenario_id(sample),
            "variant": variant.name,
            "reasoning": int(variant.reasoning),
            "mode": variant.mode,
            "condition": variant.condition,
            "status": "error" if sample.error else "success",
            "error": sample.error.message if sample.error else None,
            "total_tokens": sum(item.total_tokens for item in usage) if usage else None,
            "finished_at": sample.completed_at or datetime.now(timezone.utc).isoformat(),
        },
        beliefs=[BeliefResult.model_validate(item).model_dump() for item in sample.store.get(BELIEFS_KEY) or []],
        adaptive_outcomes=[AdaptiveOutcome.model_validate(adaptive).model_dump()] if adaptive else [],
    )
    for record in records:
        rows.turns.append(
            {
                "turn_index": record.index,
                "pressure_types": json.dumps(record.pressure_types),
                "intensity": record.intensity,
                "source": record.source,
                "user_content": record.user,
                "reasoning": record.reasoning,
                "output": record.output,
                "error": record.error,
            }
        )
        rows.tool_events.extend(
            {"turn_index": record.index, **event.model_dump(), "arguments": json.dumps(event.arguments, default=str)}
            for event in record.tool_events
        )
        if record.error:
            rows.errors.append(
                {"turn_index": record.index, "stage": "target", "message": record.error, "raw": record.raw or None}
            )
    rows.messages = message_rows(sample.messages, records)
    scored = [(score.metadata or {}).get(JUDGEMENTS_KEY) or [] for score in (sample.scores or {}).values()]
    for judgement in (Judgement.model_validate(item) for items in scored for item in items):  # in scorer order
        row = judgement.model_dump(include=_JUDGEMENT_FIELDS)
        row["disagreement_rationale"] = judgement.disagreement_rationale or None
        row["asked"] = json.dumps(judgement.asked)
        scores = [{"dimension": name, **value.model_dump()} for name, value in judgement.scores.items()]
        rows.judgements.append((row, scores))
        if judgement.error:
            rows.errors.append(
                {"turn_index": judgement.turn_index, "stage": "judge", "message": judgement.error, "raw": judgement.raw}
            )
    if sample.error:
        rows.errors.append(
            {"turn_index": None, "stage": "sample", "message": sample.error.message, "raw": sample.error.traceback}
        )
    return rows


def message_rows(messages: list[ChatMessage], records: list[TurnRecord]) -> list[Row]:
    """One row per message, with its turn (the n-th user message opens the n-th recorded turn). The last
    assistant message of a recorded turn carries its reasoning/output split; other messages leave both NULL."""
    opened = list(accumulate((message.role == "user" for message in messages), initial=-1))[1:]  # [message] turn
    turn_of_message = [None if n < 0 else records[n].index if n < len(records) else n for n in opened]
    record_by_turn = {record.index: record for record in records}
    last_assistant: dict[int, int] = {
        turn: position
        for position, (message, turn) in enumerate(zip(messages, turn_of_message))
        if isinstance(message, ChatMessageAssistant) and turn is not None
    }
    rows: list[Row] = []
    for position, (message, turn) in enumerate(zip(messages, turn_of_message)):
        record = record_by_turn.get(turn) if turn is not None and last_assistant.get(turn) == position else None
        rows.append(
            {
                "position": position,
                "role": message.role,
                "turn_index": turn,
                "content": message.text,
                "reasoning": record.reasoning if record else None,
                "output": record.output if record else None,
            }
        )
    return rows
