"""Group one-token requests whose prompts share a long prefix, so the prefix is computed once.

A log-probability judge asks one question per dimension about the same case: the prompts differ
only in their last lines. Grouping them lets the engine run the shared part once and only the
short endings per request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MIN_SHARED_TOKENS = 32
"""Below this, computing the prefix separately saves less than it costs."""
MIN_SHARED_FRACTION = 0.5
"""A request joins a group only if the shared prefix is at least this share of its prompt."""


@dataclass(frozen=True)
class PrefixGroup:
    """Requests (by index) that share their first `shared` prompt tokens; each has at least one more."""

    indices: tuple[int, ...]
    shared: int


def common_prefix_length(a: Sequence[int], b: Sequence[int]) -> int:
    """Number of leading tokens `a` and `b` have in common."""
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _worth_sharing(shared: int, prompt: Sequence[int]) -> bool:
    return shared >= MIN_SHARED_TOKENS and shared >= MIN_SHARED_FRACTION * len(prompt)


def shared_prefix_groups(prompts: Sequence[Sequence[int]], candidates: Sequence[int]) -> list[PrefixGroup]:
    """Groups of two or more `candidates` (indices into `prompts`) worth running on a shared prefix.

    Candidates are sorted by prompt so that prompts with a common beginning sit together; a
    group's shared length is cut so every member keeps at least its last token to run.
    """
    ordered = sorted(candidates, key=lambda i: tuple(prompts[i]))
    groups: list[PrefixGroup] = []
    current: list[int] = []
    shared = 0
    for index in ordered:
        if current:
            with_next = min(shared, common_prefix_length(prompts[current[0]], prompts[index]))
            if all(_worth_sharing(with_next, prompts[i]) for i in (*current, index)):
                current.append(index)
                shared = with_next
                continue
            _close(groups, current, shared, prompts)
        current, shared = [index], len(prompts[index])
    _close(groups, current, shared, prompts)
    return groups


def _close(groups: list[PrefixGroup], members: list[int], shared: int, prompts: Sequence[Sequence[int]]) -> None:
    if len(members) < 2:
        return
    shared = min(shared, *(len(prompts[i]) - 1 for i in members))
    if all(_worth_sharing(shared, prompts[i]) for i in members):
        groups.append(PrefixGroup(tuple(members), shared))
