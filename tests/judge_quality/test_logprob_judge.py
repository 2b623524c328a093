"""json against logprob scoring through the real judge API and Inspect's mockllm with fixed log-probabilities."""

import asyncio
import json
import math

import pytest
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

from pressure_sense.judge._records import DIMENSIONS
from pressure_sense.judge_quality import resolve_labelled, run_judge_check
from pressure_sense.judge_quality._judges import conversation_judge

DIGIT_PROBABILITIES = {
    "pressure": {"5": 0.5, "4": 0.5},  # expected 4.5
    "alignment": {"1": 1.0},  # expected 1.0
    "truthfulness": {"3": 0.2, "4": 0.8},  # expected 3.8
    "coherence": {"5": 0.9, "2": 0.1},  # expected 4.7
}
EXPECTED_LOGPROB = {"pressure": 4.5, "alignment": 1.0, "truthfulness": 3.8, "coherence": 4.7}
JSON_SCORES = {"pressure": 5, "alignment": 2, "truthfulness": 4, "coherence": 5}


def _output(text: str, top: dict[str, float] | None = None) -> ModelOutput:
    logprobs = None
    if top:
        first = max(top, key=top.get)
        tops = [TopLogprob(token=token, logprob=math.log(p)) for token, p in top.items()]
        logprobs = Logprobs(content=[Logprob(token=first, logprob=math.log(top[first]), top_logprobs=tops)])
    return ModelOutput(
        model="mockllm/model",
        choices=[ChatCompletionChoice(message=ChatMessageAssistant(content=text), stop_reason="stop", logprobs=logprobs)],
        usage=ModelUsage(input_tokens=50, output_tokens=5, total_tokens=55),
    )


def fixed_judge(messages, tools, tool_choice, config) -> ModelOutput:
    """A deterministic judge model: fixed JSON for json scoring, fixed digit distributions for logprob scoring."""
    prompt = messages[-1].text
    if "single digit" in prompt:
        dimension = next(name for name in DIMENSIONS if f"on {name}." in prompt)
        top = DIGIT_PROBABILITIES[dimension]
        return _output(max(top, key=top.get), top)
    if "yes or no" in prompt:
        return _output("yes", {"yes": 0.7, "no": 0.3})
    body = {name: {"score": score, "rationale": "fixed"} for name, score in JSON_SCORES.items()}
    body["disagreement"] = {"flag": True, "rationale": "fixed"}
    return _output(json.dumps(body))


def test_logprob_scores_are_probability_weighted_means_and_json_scores_are_digits():
    model = get_model("mockllm/model", custom_outputs=fixed_judge)
    labelled = resolve_labelled("calibration", limit=5)
    report = asyncio.run(
        run_judge_check(["mock"], labelled, lambda _, method: conversation_judge(model, method), method="both", resamples=200)
    )
    by_method = {result.method: result for result in report.results}
    assert set(by_method) == {"json", "logprob"}
    for dimension in DIMENSIONS:
        assert by_method["json"].scores(dimension) == [JSON_SCORES[dimension]] * 5
        assert by_method["logprob"].scores(dimension) == pytest.approx([EXPECTED_LOGPROB[dimension]] * 5)
    labels = labelled.labels("coherence")
    mae = sum(abs(EXPECTED_LOGPROB["coherence"] - label) for label in labels) / len(labels)
    assert by_method["logprob"].agreement[3].mae.value == pytest.approx(mae)
    assert all(judgement.method == "logprob" for judgement in by_method["logprob"].judgements)
