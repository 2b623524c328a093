"""Probability-weighted scores from a judge's token log-probabilities (for small local judges)."""

from __future__ import annotations

import math

from inspect_ai.model import ModelOutput

MIN_DIGIT_MASS = 0.1
"""Below this total probability on the answer tokens, the distribution says nothing: an error, not a score."""
TOP_LOGPROBS = 20


class LogprobError(ValueError):
    """The judge's first token gives too little probability to the expected answers."""


def first_token_distribution(output: ModelOutput, answers: tuple[str, ...]) -> dict[str, float]:
    """Probability of each answer (case- and space-insensitive) as the reply's first token."""
    choice = output.choices[0] if output.choices else None
    if choice is None or choice.logprobs is None or not choice.logprobs.content:
        raise LogprobError("the judge returned no log-probabilities (use method 'json' for this judge)")
    first = choice.logprobs.content[0]
    candidates = [(first.token, first.logprob), *((t.token, t.logprob) for t in first.top_logprobs or [])]
    seen: dict[str, float] = {}
    for token, logprob in candidates:
        key = token.strip().lower()
        if key in answers and token not in seen:
            seen[token] = math.exp(logprob)
    distribution = {answer: 0.0 for answer in answers}
    for token, probability in seen.items():
        distribution[token.strip().lower()] += probability
    return distribution


def weighted_score(output: ModelOutput) -> tuple[float, dict[str, float], float]:
    """(probability-weighted mean over 1-5, the renormalised distribution, the digits' total mass)."""
    digits = first_token_distribution(output, ("1", "2", "3", "4", "5"))
    mass = sum(digits.values())
    if mass < MIN_DIGIT_MASS:
        raise LogprobError(f"only {mass:.3f} of the first token's probability is on the digits 1-5")
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
    return f"probability-weighted over 1-5: {parts} (digit mass {mass:.2f})"
