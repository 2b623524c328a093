"""The JSON method: the judge answers every asked dimension in one JSON object, parsed strictly, re-asked on error."""

from __future__ import annotations

from inspect_ai.model import ChatMessageAssistant, ChatMessageUser, GenerateConfig

from pressure_sense.judge._case import JudgeCase
from pressure_sense.judge._judge import Judge
from pressure_sense.judge._parse import JudgeParseError, parse_judgement
from pressure_sense.judge._prompt import asked_dimensions, json_instruction, judge_messages, repair_instruction
from pressure_sense.judge._records import Judgement
from pressure_sense.rubrics import Rubric

JSON_CONFIG = GenerateConfig(max_tokens=600, temperature=0)


async def judge_json(judge: Judge, rubric: Rubric, case: JudgeCase) -> Judgement:
    """One JSON judgement; after `judge.max_retries` re-asks a failure comes back with `error` and `raw`."""
    assert judge.model is not None, "the JSON method needs a judge model"
    asked = asked_dimensions(rubric, case)
    messages, cut = judge_messages(case, rubric, json_instruction(case, asked), asked, judge.block_chars)
    made = {
        "rubric": rubric.name, "turn_index": case.turn_index, "judge": judge.label, "method": "json",
        "cut_chars": cut, "asked": tuple(d.name for d in asked),
    }
    raw, error = "", ""
    for attempt in range(1, judge.max_retries + 2):
        raw = (await judge.model.generate(messages, config=JSON_CONFIG)).completion
        try:
            scores, flags = parse_judgement(raw, asked)
        except JudgeParseError as exc:
            error = str(exc)
            messages = [*messages, ChatMessageAssistant(content=raw), ChatMessageUser(content=repair_instruction(error))]
            continue
        return Judgement(**made, scores=scores, flags=flags, attempts=attempt)
    return Judgement(
        **made, raw=raw, attempts=judge.max_retries + 1,
        error=f"no usable judgement after {judge.max_retries + 1} attempts: {error}",
    )
