"""The JSON method: the judge answers every asked dimension in one JSON object, parsed strictly (anything doubtful
is an error, never a guess) and re-asked on error."""

from __future__ import annotations

import json
import re
from functools import partial
from typing import Any

from inspect_ai.model import ChatMessageAssistant, ChatMessageUser, GenerateConfig

from pressure_sense.judge._judge import Judge, JudgeCase, judgement
from pressure_sense.judge._prompt import asked_dimensions, json_instruction, judge_messages, repair_instruction
from pressure_sense.judge._records import DimensionScore, Flag, Judgement
from pressure_sense.rubrics import Dimension, Rubric

JSON_CONFIG = GenerateConfig(max_tokens=600, temperature=0)

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL | re.IGNORECASE)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_FRACTION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:/\s*5)?\s*$")


class JudgeParseError(ValueError):
    """The reply cannot be used; the message says why (it is shown to the judge when re-asking)."""


def _balanced_objects(text: str) -> list[str]:
    """Every top-level {...} span, honouring strings and escapes."""
    spans, depth, start, in_string, escaped = [], 0, 0, False, False
    for position, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"' and depth:
            in_string = True
        elif char == "{":
            if depth == 0:
                start = position
            depth += 1
        elif char == "}" and depth:
            depth -= 1
            if depth == 0:
                spans.append(text[start : position + 1])
    return spans


def _loads_lenient(candidate: str) -> Any:
    """json.loads, then again after fixing trailing commas, Python literals and single quotes."""
    try:
        return json.loads(candidate)
    except json.JSONDecodeError:
        pass
    fixed = _TRAILING_COMMA.sub(r"\1", candidate)
    fixed = re.sub(r"\bTrue\b", "true", re.sub(r"\bFalse\b", "false", re.sub(r"\bNone\b", "null", fixed)))
    if '"' not in fixed:
        fixed = fixed.replace("'", '"')
    return json.loads(fixed)


def extract_object(text: str) -> dict[str, Any]:
    """The one JSON object in a reply (fences and prose around it allowed); several different ones are an error."""
    fenced = _FENCE.findall(text)
    candidates = [span for block in (fenced or [text]) for span in _balanced_objects(block)]
    parsed: list[dict[str, Any]] = []
    for candidate in candidates:
        try:
            value = _loads_lenient(candidate)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict) and value not in parsed:
            parsed.append(value)
    if not parsed:
        raise JudgeParseError("no JSON object found in the reply")
    if len(parsed) > 1:
        raise JudgeParseError(f"the reply holds {len(parsed)} different JSON objects; exactly one is needed")
    return parsed[0]


def parse_score(value: Any, dimension: str, scale: tuple[int, int] = (1, 5)) -> float:
    """A whole score on the scale from 4, 4.0, "4" or "4/5"; anything else (7, 0, 3.5, "high") is an error."""
    low, high = scale
    if isinstance(value, bool):
        raise JudgeParseError(f"{dimension}: score {value!r} is not a number")
    if isinstance(value, str):
        match = _FRACTION.match(value)
        if not match:
            raise JudgeParseError(f"{dimension}: score {value!r} is not a number from {low} to {high}")
        value = float(match.group(1))
    if not isinstance(value, int | float) or float(value) != int(value):
        raise JudgeParseError(f"{dimension}: score {value!r} is not a whole number from {low} to {high}")
    if not low <= value <= high:
        raise JudgeParseError(f"{dimension}: score {value!r} is outside {low}-{high}")
    return float(value)


def _score(data: dict[str, Any], dimension: Dimension) -> DimensionScore:
    name = dimension.name
    if name not in data:
        raise JudgeParseError(f"the dimension {name!r} is missing")
    entry = data[name]
    if isinstance(entry, dict):
        if "score" not in entry:
            raise JudgeParseError(f"{name}: no 'score' given")
        score = parse_score(entry["score"], name, dimension.scale)
        return DimensionScore(score=score, rationale=str(entry.get("rationale", "")))
    return DimensionScore(score=parse_score(entry, name, dimension.scale))


def _flag(data: dict[str, Any], dimension: Dimension) -> Flag:
    entry = data.get(dimension.name)
    value, rationale = (entry.get("flag"), str(entry.get("rationale", ""))) if isinstance(entry, dict) else (entry, "")
    if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no"):
        value = value.lower() in ("true", "yes")
    if not isinstance(value, bool):
        raise JudgeParseError(f"{dimension.name}.flag must be true or false")
    return Flag(value=value, rationale=rationale)


def parse_judgement(
    text: str, dimensions: tuple[Dimension, ...]
) -> tuple[dict[str, DimensionScore], dict[str, Flag]]:
    """Scores of the asked score dimensions and answers of the asked yes/no ones; raises JudgeParseError."""
    data = extract_object(text)
    scores = {d.name: _score(data, d) for d in dimensions if d.kind == "score"}
    flags = {d.name: _flag(data, d) for d in dimensions if d.kind == "yes_no"}
    return scores, flags


async def judge_json(judge: Judge, rubric: Rubric, case: JudgeCase) -> Judgement:
    """One JSON judgement; after `judge.max_retries` re-asks a failure comes back with `error` and `raw`."""
    assert judge.model is not None, "the JSON method needs a judge model"
    asked = asked_dimensions(rubric, case)
    messages, cut = judge_messages(case, rubric, json_instruction(case, asked), asked, judge.block_chars)
    made = partial(judgement, judge, rubric, case, "json", asked, cut_chars=cut)
    raw, error = "", ""
    for attempt in range(1, judge.max_retries + 2):
        raw = (await judge.model.generate(messages, config=JSON_CONFIG)).completion
        try:
            scores, flags = parse_judgement(raw, asked)
        except JudgeParseError as exc:
            error = str(exc)
            messages = [*messages, ChatMessageAssistant(content=raw), ChatMessageUser(content=repair_instruction(error))]
            continue
        return made(scores=scores, flags=flags, attempts=attempt)
    error = f"no usable judgement after {judge.max_retries + 1} attempts: {error}"
    return made(raw=raw, attempts=judge.max_retries + 1, error=error)
