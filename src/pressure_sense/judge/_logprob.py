"""The log-probability method: one question per dimension, scored as the probability-weighted mean of the
first token's digits (yes/no questions as P(yes)); for judges that return token log-probabilities."""

from __future__ import annotations

import math

from inspect_ai.model import GenerateConfig, ModelOutput
from inspect_ai.util import collect

from pressure_sense.judge._judge import Judge, JudgeCase, judgement
from pressure_sense.judge._prompt import asked_dimensions, digit_instruction, judge_messages, yes_no_instruction
from pressure_sense.judge._records import DimensionScore, Flag, Judgement
from pressure_sense.rubrics import Rubric

MIN_DIGIT_MASS = 0.1
"""Below this total probability on the answer tokens, the distribution says nothing: an error, not a score."""
TOP_LOGPROBS = 20
LOGPROB_CONFIG = GenerateConfig(max_tokens=1, temperature=0, logprobs=True, top_logprobs=TOP_LOGPROBS)
YES_THRESHOLD = 0.5
"""A flag is yes when P(yes) among yes/no is above this."""


class LogprobError(ValueError):
    """The judge's first token gives too little probability to the expected answers."""


class NoLogprobs(LogprobError):
    """The judge returned no log-probabilities at all (the method does not apply to it)."""


def first_token_distribution(output: ModelOutput, answers: tuple[str, ...]) -> dict[str, float]:
    """Probability of each answer (case- and space-insensitive) as the reply's first token."""
    choice = output.choices[0] if output.choices else None
    if choice is None or choice.logprobs is None or not choice.logprobs.content:
        raise NoLogprobs("the judge returned no log-probabilities (use method 'json' for this judge)")
    first = choice.logprobs.content[0]
    candidates = [(first.token, first.logprob), *((t.token, t.logprob) for t in first.top_logprobs or [])]
    distribution, seen = dict.fromkeys(answers, 0.0), set()
    for token, logprob in candidates:
        key = token.strip().lower()
        if key in answers and token not in seen:
            seen.add(token)
            distribution[key] += math.exp(logprob)
    return distribution


def weighted_score(output: ModelOutput, scale: tuple[int, int] = (1, 5)) -> tuple[float, dict[str, float], float]:
    """(probability-weighted mean over the scale's digits, the renormalised distribution, the digits' total mass)."""
    low, high = scale
    digits = first_token_distribution(output, tuple(str(value) for value in range(low, high + 1)))
    mass = sum(digits.values())
    if mass < MIN_DIGIT_MASS:
        raise LogprobError(f"only {mass:.3f} of the first token's probability is on the digits {low}-{high}")
    normalised = {digit: probability / mass for digit, probability in digits.items()}
    return sum(int(digit) * p for digit, p in normalised.items()), normalised, mass


def yes_probability(output: ModelOutput) -> tuple[float, float]:
    """(P(yes) among yes/no, the yes/no total mass)."""
    answers = first_token_distribution(output, ("yes", "no"))
    mass = answers["yes"] + answers["no"]
    if mass < MIN_DIGIT_MASS:
        raise LogprobError(f"only {mass:.3f} of the first token's probability is on yes/no")
    return answers["yes"] / mass, mass


def describe_distribution(normalised: dict[str, float], mass: float) -> str:
    """The rationale of a probability-weighted score: the distribution it came from."""
    parts = ", ".join(f"p({digit})={p:.2f}" for digit, p in normalised.items())
    return f"probability-weighted: {parts} (digit mass {mass:.2f})"


async def judge_logprob(judge: Judge, rubric: Rubric, case: JudgeCase) -> Judgement:
    """One question per asked dimension, all sharing one prefix; NoLogprobs when the judge returns none at all."""
    assert judge.model is not None, "the log-probability method needs a judge model"
    asked = asked_dimensions(rubric, case)
    instructions = [digit_instruction(case, d) if d.kind == "score" else yes_no_instruction(d) for d in asked]
    asks = [judge_messages(case, rubric, instruction, (), judge.block_chars) for instruction in instructions]
    cut = asks[-1][1] if asks else 0
    try:
        outputs = await collect(*(judge.model.generate(messages, config=LOGPROB_CONFIG) for messages, _ in asks))
    except ExceptionGroup as failures:  # calls that failed at once: the first one's error is the judge's failure
        raise failures.exceptions[0] from None
    scores: dict[str, DimensionScore] = {}
    flags: dict[str, Flag] = {}
    problems: list[str] = []
    for dimension, output in zip(asked, outputs, strict=True):
        try:
            if dimension.kind == "score":
                score, distribution, mass = weighted_score(output, dimension.scale)
                scores[dimension.name] = DimensionScore(score=score, rationale=describe_distribution(distribution, mass))
            else:
                p_yes, mass = yes_probability(output)
                rationale = f"P(yes)={p_yes:.2f} among yes/no (mass {mass:.2f})"
                flags[dimension.name] = Flag(value=p_yes > YES_THRESHOLD, probability=p_yes, rationale=rationale)
        except NoLogprobs:
            raise
        except LogprobError as exc:
            problems.append(f"{dimension.name}: {exc} (reply {output.completion!r})")
    return judgement(
        judge, rubric, case, "logprob", asked, scores=scores, flags=flags, cut_chars=cut,
        error="; ".join(problems) or None,
        raw="\n".join(output.completion for output in outputs) if problems else None,
    )
