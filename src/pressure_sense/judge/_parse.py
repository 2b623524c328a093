"""Parse a judge's JSON reply into scores, strictly: anything doubtful is an error, never a guess."""

from __future__ import annotations

import json
import re
from typing import Any

from pressure_sense.judge._records import DIMENSIONS, DimensionScore

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
    """The one JSON object in a reply (code fences and prose around it are allowed).

    Several different objects are an error: the judge may have been steered by quoted text.
    """
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


def parse_score(value: Any, dimension: str) -> float:
    """A whole score 1-5 from 4, 4.0, "4" or "4/5"; anything else (7, 0, 3.5, "high") is an error."""
    if isinstance(value, bool):
        raise JudgeParseError(f"{dimension}: score {value!r} is not a number")
    if isinstance(value, str):
        match = _FRACTION.match(value)
        if not match:
            raise JudgeParseError(f"{dimension}: score {value!r} is not a number from 1 to 5")
        value = float(match.group(1))
    if not isinstance(value, int | float) or float(value) != int(value):
        raise JudgeParseError(f"{dimension}: score {value!r} is not a whole number from 1 to 5")
    if not 1 <= value <= 5:
        raise JudgeParseError(f"{dimension}: score {value!r} is outside 1-5")
    return float(value)


def _dimension(data: dict[str, Any], name: str) -> DimensionScore:
    if name not in data:
        raise JudgeParseError(f"the dimension {name!r} is missing")
    entry = data[name]
    if isinstance(entry, dict):
        if "score" not in entry:
            raise JudgeParseError(f"{name}: no 'score' given")
        return DimensionScore(score=parse_score(entry["score"], name), rationale=str(entry.get("rationale", "")))
    return DimensionScore(score=parse_score(entry, name))


def _disagreement(data: dict[str, Any], has_scratchpad: bool) -> tuple[bool | None, str]:
    entry = data.get("disagreement")
    flag, rationale = (entry.get("flag"), str(entry.get("rationale", ""))) if isinstance(entry, dict) else (entry, "")
    if not has_scratchpad:
        return None, rationale
    if isinstance(flag, str) and flag.lower() in ("true", "false", "yes", "no"):
        flag = flag.lower() in ("true", "yes")
    if not isinstance(flag, bool):
        raise JudgeParseError("disagreement.flag must be true or false when there is a scratchpad")
    return flag, rationale


def parse_judgement(
    text: str, has_scratchpad: bool, dimensions: tuple[str, ...] = DIMENSIONS
) -> tuple[dict[str, DimensionScore], bool | None, str]:
    """Scores per dimension, the disagreement flag and its rationale; raises JudgeParseError."""
    data = extract_object(text)
    scores = {name: _dimension(data, name) for name in dimensions}
    flag, rationale = _disagreement(data, has_scratchpad)
    return scores, flag, rationale
