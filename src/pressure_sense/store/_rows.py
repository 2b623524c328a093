"""Turn one Inspect EvalSample into the rows the store keeps (samples, turns, messages, ...)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
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


def turn_records(sample: EvalSample) -> list[TurnRecord]:
    """The TurnRecords the engine left in the sample's store."""
    return [TurnRecord.model_validate(item) for item in sample.store.get(TURNS_KEY, [])]


def judgements(sample: EvalSample) -> list[Judgement]:
    """Every Judgement of every scorer that reported some (each rubric, each judge of a panel), in scorer order."""
    found: list[Judgement] = []
    for score in (sample.scores or {}).values():
        items = (score.metadata or {}).get(JUDGEMENTS_KEY) or []
        found.extend(Judgement.model_validate(item) for item in items)
    return found


def belief_rows(sample: EvalSample) -> list[Row]:
    """One row per factual question of a belief-anchored sample."""
    rows = []
    for item in sample.store.get(BELIEFS_KEY) or []:
        belief = BeliefResult.model_validate(item)
        rows.append({**belief.model_dump(), "flipped": None if belief.flipped is None else int(belief.flipped)})
    return rows


def adaptive_rows(sample: EvalSample) -> list[Row]:
    """How an adaptive sample ended (no row for other samples)."""
    recorded = sample.store.get(ADAPTIVE_KEY)
    return [AdaptiveOutcome.model_validate(recorded).model_dump()] if recorded else []


def sample_rows(sample: EvalSample, model: str) -> SampleRows:
    """The rows for `sample`, played by the target `model`."""
    variant = sample_variant(sample)
    records = turn_records(sample)
    usage = sample.model_usage.values()
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
        beliefs=belief_rows(sample),
        adaptive_outcomes=adaptive_rows(sample),
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
            {
                "turn_index": record.index,
                "call_id": event.call_id,
                "function": event.function,
                "arguments": json.dumps(event.arguments, default=str),
                "result": event.result,
                "harmful": int(event.harmful),
                "escalation": int(event.escalation),
                "report": int(event.report),
            }
            for event in record.tool_events
        )
        if record.error:
            rows.errors.append(
                {"turn_index": record.index, "stage": "target", "message": record.error, "raw": record.raw or None}
            )
    rows.messages = message_rows(sample.messages, records)
    for judgement in judgements(sample):
        rows.judgements.append(
            (
                {
                    "rubric": judgement.rubric,
                    "turn_index": judgement.turn_index,
                    "judge": judgement.judge,
                    "method": judgement.method,
                    "disagreement": None if judgement.disagreement is None else int(judgement.disagreement),
                    "disagreement_rationale": judgement.disagreement_rationale or None,
                    "error": judgement.error,
                    "raw": judgement.raw,
                    "attempts": judgement.attempts,
                    "cut_chars": judgement.cut_chars,
                    "asked": json.dumps(list(judgement.asked)),
                },
                [
                    {"dimension": dimension, "score": value.score, "rationale": value.rationale}
                    for dimension, value in judgement.scores.items()
                ],
            )
        )
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
    """One row per message, with its turn (the n-th user message opens the n-th recorded turn).

    The last assistant message of a recorded turn carries that turn's reasoning/output split;
    other assistant messages (e.g. tool calls in agent mode) leave both NULL.
    """
    turn_of_message: list[int | None] = []
    user_seen = -1
    for message in messages:
        if message.role == "user":
            user_seen += 1
        if user_seen < 0:
            turn_of_message.append(None)
        else:
            turn_of_message.append(records[user_seen].index if user_seen < len(records) else user_seen)
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
