"""Repetition control for local decoding, and the definition of a degenerate (looping) answer.

Every measure looks only at the tokens this answer generated so far, never at the prompt, so a first
token (a log-probability judge's only one) never changes. `degeneration` counts words, not tokens, so
it measures any decoding alike.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)?")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n+")

SENTENCE_MIN_WORDS = 3
"""Shorter sentences ("Yes.", "Thank you.") may recur without counting as repetition."""
DEGENERATE_REPEATS = 3
"""A sentence or word 8-gram seen this many times makes an answer degenerate."""
DEGENERATE_NGRAM = 8


@dataclass(frozen=True)
class RepetitionControl:
    """How decoding discourages repeating what the answer already said (all off by default)."""

    repetition_penalty: float = 1.0
    """Multiplicative penalty on every token already generated (1: off; HF semantics: positive
    logits are divided by it, negative ones multiplied)."""
    frequency_penalty: float = 0.0
    """Subtracted from a token's logit once per time it was generated (OpenAI semantics)."""
    presence_penalty: float = 0.0
    """Subtracted once from the logit of any token generated before (OpenAI semantics)."""
    no_repeat_ngram_size: int = 0
    """Never generate the same run of this many tokens twice (0: off)."""
    max_sentence_repeats: int = 0
    """Stop when a sentence of at least SENTENCE_MIN_WORDS words would occur more often than this;
    the answer ends before that occurrence (0: off)."""

    def __post_init__(self) -> None:
        if self.repetition_penalty <= 0:
            raise ValueError(f"repetition_penalty must be above 0, got {self.repetition_penalty}")
        if self.no_repeat_ngram_size < 0 or self.max_sentence_repeats < 0:
            raise ValueError("no_repeat_ngram_size and max_sentence_repeats must be 0 (off) or more")

    @property
    def changes_logits(self) -> bool:
        """Whether any measure acts on the logits (the sentence stop does not)."""
        return (
            self.repetition_penalty != 1.0
            or self.frequency_penalty != 0.0
            or self.presence_penalty != 0.0
            or self.no_repeat_ngram_size > 1
        )


@dataclass
class RepetitionTracker:
    """What one answer has generated so far, kept up to date token by token."""

    control: RepetitionControl
    counts: Counter[int] = field(default_factory=Counter)
    generated: list[int] = field(default_factory=list)
    followers: dict[tuple[int, ...], set[int]] = field(default_factory=dict)
    """Each (n-1)-token context seen so far -> the tokens that followed it."""

    def add(self, token: int) -> None:
        """Record the token just generated."""
        self.generated.append(token)
        self.counts[token] += 1
        n = self.control.no_repeat_ngram_size
        if n > 1 and len(self.generated) >= n:
            context = tuple(self.generated[-n:-1])
            self.followers.setdefault(context, set()).add(token)

    def banned(self) -> set[int]:
        """Tokens that would complete an n-gram this answer already holds."""
        n = self.control.no_repeat_ngram_size
        if n < 2 or len(self.generated) < n - 1:
            return set()
        return self.followers.get(tuple(self.generated[len(self.generated) - n + 1 :]), set())

    def adjust(self, logits: Any) -> Any:
        """`logits` [vocab] with the penalties and bans applied (the same tensor when none applies)."""
        control = self.control
        if not self.counts or not control.changes_logits:
            return logits
        import torch

        logits = logits.clone()
        ids = torch.tensor(list(self.counts), dtype=torch.long)
        if control.repetition_penalty != 1.0:
            seen = logits[ids]
            logits[ids] = torch.where(seen > 0, seen / control.repetition_penalty, seen * control.repetition_penalty)
        if control.frequency_penalty or control.presence_penalty:
            times = torch.tensor(list(self.counts.values()), dtype=logits.dtype)
            logits[ids] -= control.frequency_penalty * times + control.presence_penalty
        banned = self.banned()
        if banned:
            logits[torch.tensor(sorted(banned), dtype=torch.long)] = float("-inf")
        return logits


def sentence_spans(text: str) -> list[tuple[int, tuple[str, ...]]]:
    """(start character, lower-case words) of each sentence of `text`, split at . ! ? and line breaks."""
    spans: list[tuple[int, tuple[str, ...]]] = []
    start = 0
    for end in [*(m.end() for m in _SENTENCE_END.finditer(text)), len(text)]:
        words = tuple(_WORD.findall(text[start:end].lower()))
        if words:
            offset = start + len(text[start:end]) - len(text[start:end].lstrip())
            spans.append((offset, words))
        start = end
    return spans


def repeated_sentence_cut(text: str, max_repeats: int) -> int | None:
    """Where the first complete sentence of SENTENCE_MIN_WORDS+ words seen more than `max_repeats` times
    starts its extra occurrence (None if none)."""
    if max_repeats < 1:
        return None
    spans = sentence_spans(text)
    if spans and not _SENTENCE_END.search(text[spans[-1][0] :]):
        spans = spans[:-1]  # still being written
    seen: Counter[tuple[str, ...]] = Counter()
    for start, words in spans:
        if len(words) < SENTENCE_MIN_WORDS:
            continue
        seen[words] += 1
        if seen[words] > max_repeats:
            return start
    return None


def degeneration(text: str, hit_token_limit: bool = False) -> str | None:
    """Why an answer is degenerate (a sentence of 3+ words or a run of 8 words 3+ times, or twice when it hit
    the token limit), or None."""
    sentences = Counter(words for _, words in sentence_spans(text) if len(words) >= SENTENCE_MIN_WORDS)
    words = _WORD.findall(text.lower())
    grams = Counter(tuple(words[i : i + DEGENERATE_NGRAM]) for i in range(len(words) - DEGENERATE_NGRAM + 1))
    top_sentence = max(sentences.values(), default=0)
    top_gram = max(grams.values(), default=0)
    if top_sentence >= DEGENERATE_REPEATS:
        return f"a sentence occurs {top_sentence} times"
    if top_gram >= DEGENERATE_REPEATS:
        return f"an {DEGENERATE_NGRAM}-word run occurs {top_gram} times"
    if hit_token_limit and max(top_sentence, top_gram) >= 2:
        return "hit the token limit while repeating"
    return None
