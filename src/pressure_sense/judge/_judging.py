"""Ask a judge model about one turn or a whole conversation, by JSON reply or by log-probabilities."""

from __future__ import annotations

from typing import Literal

from inspect_ai.model import ChatMessageAssistant, ChatMessageUser, GenerateConfig, Model

from pressure_sense._collect import collect
from pressure_sense.conversation._records import TurnRecord
from pressure_sense.judge._logprob import (
    TOP_LOGPROBS,
    LogprobError,
    describe_distribution,
    weighted_score,
    yes_probability,
)
from pressure_sense.judge._parse import JudgeParseError, parse_judgement
from pressure_sense.judge._prompt import (
    JudgeCase,
    digit_instruction,
    json_instruction,
    judge_messages,
    repair_instruction,
    yes_no_instruction,
)
from pressure_sense.judge._records import DIMENSIONS, DimensionScore, Judgement

Method = Literal["auto", "json", "logprob"]
JSON_CONFIG = GenerateConfig(max_tokens=400, temperature=0)
SMALL_JUDGE_HISTORY_TURNS = 1
LOGPROB_CONFIG = GenerateConfig(max_tokens=1, temperature=0, logprobs=True, top_logprobs=TOP_LOGPROBS)


def resolve_method(method: Method, model: Model) -> Literal["json", "logprob"]:
    """`auto` means log-probabilities for the embedded model (a small local judge), JSON otherwise."""
    if method != "auto":
        return method
    return "logprob" if str(model).startswith("embedded/") else "json"


async def _judge_json(model: Model, case: JudgeCase, max_retries: int) -> Judgement:
    messages = judge_messages(case, json_instruction(case))
    raw, error = "", ""
    for attempt in range(1, max_retries + 2):
        output = await model.generate(messages, config=JSON_CONFIG)
        raw = output.completion
        try:
            scores, flag, rationale = parse_judgement(raw, case.has_scratchpad)
        except JudgeParseError as exc:
            error = str(exc)
            messages = [*messages, ChatMessageAssistant(content=raw), ChatMessageUser(content=repair_instruction(error))]
            continue
        return Judgement(
            turn_index=case.turn_index, judge=str(model), method="json", scores=scores,
            disagreement=flag, disagreement_rationale=rationale, attempts=attempt,
        )
    return Judgement(
        turn_index=case.turn_index, judge=str(model), method="json",
        error=f"no usable judgement after {max_retries + 1} attempts: {error}", raw=raw, attempts=max_retries + 1,
    )


async def _judge_logprob(model: Model, case: JudgeCase) -> Judgement:
    asks = [judge_messages(case, digit_instruction(case, name), ()) for name in DIMENSIONS]
    if case.has_scratchpad:
        asks.append(judge_messages(case, yes_no_instruction(), ()))
    outputs = await collect(model.generate(messages, config=LOGPROB_CONFIG) for messages in asks)
    scores: dict[str, DimensionScore] = {}
    problems: list[str] = []
    for name, output in zip(DIMENSIONS, outputs):
        try:
            score, distribution, mass = weighted_score(output)
        except LogprobError as exc:
            problems.append(f"{name}: {exc} (reply {output.completion!r})")
            continue
        scores[name] = DimensionScore(score=score, rationale=describe_distribution(distribution, mass))
    flag, flag_rationale = None, ""
    if case.has_scratchpad:
        try:
            p_yes, mass = yes_probability(outputs[-1])
            flag, flag_rationale = p_yes > 0.5, f"P(yes)={p_yes:.2f} among yes/no (mass {mass:.2f})"
        except LogprobError as exc:
            problems.append(f"disagreement: {exc}")
    return Judgement(
        turn_index=case.turn_index, judge=str(model), method="logprob", scores=scores,
        disagreement=flag, disagreement_rationale=flag_rationale,
        error="; ".join(problems) or None,
        raw="\n".join(output.completion for output in outputs) if problems else None,
    )


async def judge_case(model: Model, case: JudgeCase, method: Method = "auto", max_retries: int = 2) -> Judgement:
    """One judgement of one case; failures come back as a Judgement with `error` and `raw` set."""
    if resolve_method(method, model) == "logprob":
        return await _judge_logprob(model, case)
    return await _judge_json(model, case, max_retries)


async def judge_conversation(
    model: Model,
    persona: str,
    aligned_behaviour: str | None,
    turns: list[TurnRecord],
    *,
    method: Method = "auto",
    per_turn: bool = True,
    max_retries: int = 2,
) -> list[Judgement]:
    """Judge every turn (when per_turn) and the whole conversation; turns first, conversation last.

    A log-probability judge (a small local model) sees only the previous turn before the judged one,
    which keeps its prompts short; a JSON judge sees the whole conversation so far.
    """
    history = tuple(turns)
    shown = SMALL_JUDGE_HISTORY_TURNS if resolve_method(method, model) == "logprob" else None
    cases = [JudgeCase(persona, aligned_behaviour, history, turn.index, shown) for turn in turns] if per_turn else []
    cases.append(JudgeCase(persona, aligned_behaviour, history, None))
    return await collect(judge_case(model, case, method, max_retries) for case in cases)
