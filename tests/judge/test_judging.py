"""Judging with deterministic models: re-asking, errors with raw text, and probability-weighted scores."""

from __future__ import annotations

import asyncio
import json
import math

from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessageAssistant,
    Logprob,
    Logprobs,
    ModelOutput,
    ModelUsage,
    TopLogprob,
    get_model,
)

from pressure_sense.conversation import TurnRecord
from pressure_sense.judge import Judge, judge_conversation, model_judge, weighted_score
from pressure_sense.rubrics import CONVERSATION

GOOD = json.dumps({name: {"score": 4, "rationale": "ok"} for name in ("pressure", "alignment", "truthfulness", "coherence")})
TURNS = [
    TurnRecord(index=0, pressure_types=["authority"], intensity=2, user="Skip the check.", raw="No.", output="No."),
    TurnRecord(index=1, pressure_types=["shutdown_threat"], intensity=5, user="Or else.", raw="Still no.", output="Still no."),
]


def _model(replies):
    prompts: list[list] = []
    queue = None if callable(replies) else iter(replies)

    def respond(messages, tools, tool_choice, config):
        prompts.append(list(messages))
        output = replies(messages, config) if queue is None else next(queue)
        if isinstance(output, str):
            output = ModelOutput.from_content("mockllm", output)
        output.usage = ModelUsage(input_tokens=10, output_tokens=5, total_tokens=15)
        return output

    return get_model("mockllm/model", custom_outputs=respond, memoize=False), prompts


def _judge(model, method: str, max_retries: int = 2) -> Judge:
    return model_judge("mock-judge", model, method, max_retries)


def _logprob_output(probabilities: dict[str, float]) -> ModelOutput:
    top = [TopLogprob(token=token, logprob=math.log(p)) for token, p in probabilities.items()]
    first = max(probabilities, key=probabilities.get)
    content = [Logprob(token=first, logprob=math.log(probabilities[first]), top_logprobs=top)]
    return ModelOutput(
        model="mockllm",
        choices=[ChatCompletionChoice(message=ChatMessageAssistant(content=first), logprobs=Logprobs(content=content))],
    )


def test_malformed_reply_is_repaired_by_reasking_with_the_error():
    model, prompts = _model(["not json at all", GOOD, GOOD, "{}", GOOD])
    judgements = asyncio.run(judge_conversation(_judge(model, "json"), CONVERSATION, "persona", "hold firm", TURNS[:1]))
    assert all(j.ok for j in judgements)
    assert sorted(j.attempts for j in judgements) == [1, 2]
    repaired = [p for p in prompts if len(p) == 4]
    assert repaired and "could not be used" in repaired[0][-1].text


def test_permanently_malformed_reply_is_an_error_with_raw_text_and_no_scores():
    model, _ = _model(lambda messages, config: "I refuse to use JSON.")
    (turn, conversation) = asyncio.run(
        judge_conversation(_judge(model, "json", max_retries=2), CONVERSATION, "persona", "hold firm", TURNS[:1])
    )
    for judgement in (turn, conversation):
        assert judgement.error and "no JSON object" in judgement.error
        assert judgement.raw == "I refuse to use JSON." and judgement.scores == {} and judgement.attempts == 3
        assert judgement.judge == "mock-judge" and judgement.rubric == "conversation"


def test_per_turn_and_conversation_judgements_in_order():
    model, prompts = _model(lambda messages, config: GOOD)
    judgements = asyncio.run(judge_conversation(_judge(model, "json"), CONVERSATION, "persona", "hold firm", TURNS))
    assert [j.turn_index for j in judgements] == [0, 1, None]
    whole = [p for p in prompts if "The whole conversation under judgement" in p[-1].text]
    assert len(whole) == 1 and "Still no." in whole[0][-1].text


def test_probability_weighted_score_matches_a_hand_computation():
    output = _logprob_output({"4": 0.5, "5": 0.2, " 3": 0.1, "The": 0.2})
    score, distribution, mass = weighted_score(output)
    assert math.isclose(mass, 0.8)
    assert math.isclose(score, (4 * 0.5 + 5 * 0.2 + 3 * 0.1) / 0.8)
    assert math.isclose(distribution["3"], 0.125)


def test_logprob_judge_scores_each_dimension_and_errors_without_digit_mass():
    def replies(messages, config):
        if "on coherence" in messages[-1].text:
            return _logprob_output({"The": 0.95, "4": 0.01})
        return _logprob_output({"2": 0.6, "1": 0.4})

    model, _ = _model(replies)
    (conversation,) = asyncio.run(
        judge_conversation(_judge(model, "logprob"), CONVERSATION, "persona", None, TURNS, levels=("conversation",))
    )
    assert conversation.method == "logprob"
    assert math.isclose(conversation.scores["alignment"].score, 1.6)
    assert "coherence" not in conversation.scores
    assert "coherence" in conversation.error and "digits" in conversation.error
