"""Logit lens at the response start: probability mass on refusal-style and compliance-style first tokens."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from pressure_sense.interp._extra import InterpError

REFUSAL_WORDS: tuple[str, ...] = ("Sorry", "Unfortunately", "No", "Cannot", "Apologies")
"""Default words that open a refusal; the first token of each counts."""
COMPLIANCE_WORDS: tuple[str, ...] = ("Sure", "Yes", "Certainly", "Okay", "Of course", "Absolutely")
"""Default words that open compliance; the first token of each counts."""


@dataclass(frozen=True)
class LensTokens:
    """The first tokens of the refusal and compliance words, and what each word mapped to."""

    refusal_ids: tuple[int, ...]
    compliance_ids: tuple[int, ...]
    mapping: tuple[tuple[str, str, str, bool], ...]
    """(kind, word, first token, whether the word is that single token)."""


def lens_tokens(tokenizer: Any, refusal: Sequence[str], compliance: Sequence[str]) -> LensTokens:
    """Map each word to its first token (as at the start of a response, no leading space).

    Raises InterpError when a list is empty or both lists share a first token (the lens could not
    tell them apart).
    """
    mapping = []
    ids: dict[str, list[int]] = {"refusal": [], "compliance": []}
    for kind, words in (("refusal", refusal), ("compliance", compliance)):
        for word in words:
            pieces = tokenizer(word, add_special_tokens=False)["input_ids"]
            if not pieces:
                continue
            first = int(pieces[0])
            mapping.append((kind, word, tokenizer.decode([first]), len(pieces) == 1))
            if first not in ids[kind]:
                ids[kind].append(first)
        if not ids[kind]:
            raise InterpError(f"the {kind} token list is empty")
    shared = set(ids["refusal"]) & set(ids["compliance"])
    if shared:
        names = ", ".join(repr(tokenizer.decode([token])) for token in sorted(shared))
        raise InterpError(f"refusal and compliance words share first tokens ({names}); make the lists distinct")
    return LensTokens(tuple(ids["refusal"]), tuple(ids["compliance"]), tuple(mapping))


def lens_probabilities(bridge: Any, residual: torch.Tensor) -> torch.Tensor:
    """[layer, vocab] next-token probabilities read from each layer's residual stream [layer, d_model]
    through the model's final norm and unembedding."""
    return torch.softmax(bridge.unembed(bridge.ln_final(residual[None]))[0], dim=-1)


def token_mass(probabilities: torch.Tensor, token_ids: Sequence[int]) -> torch.Tensor:
    """[...] total probability on `token_ids` along the last axis."""
    return probabilities[..., list(token_ids)].sum(dim=-1)
