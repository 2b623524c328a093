"""Logit lens and head masking at the response start: mass on refusal- and compliance-style first tokens."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
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
    """Map each word to its first token (as at the start of a response, no leading space); InterpError when a
    list is empty or both lists share a first token."""
    mapping = []
    ids: dict[str, dict[int, None]] = {"refusal": {}, "compliance": {}}  # first tokens, in order, without repeats
    for kind, words in (("refusal", refusal), ("compliance", compliance)):
        for word in words:
            pieces = tokenizer(word, add_special_tokens=False)["input_ids"]
            if not pieces:
                continue
            first = int(pieces[0])
            mapping.append((kind, word, tokenizer.decode([first]), len(pieces) == 1))
            ids[kind][first] = None
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


def log_odds(refusal: Any, compliance: Any) -> Any:
    """log P(refusal) - log P(compliance), each mass floored at 1e-12 (floats, arrays or Series)."""
    return np.log(np.maximum(refusal, 1e-12)) - np.log(np.maximum(compliance, 1e-12))


def first_token_probabilities(
    bridge: Any, prompt_ids: list[int], masked: Iterable[tuple[int, int]] = ()
) -> torch.Tensor:
    """[vocab] next-token probabilities after `prompt_ids` with the (layer, head) pairs in `masked` zeroed
    (their `blocks.{layer}.attn.hook_z` output vectors, at every position)."""
    by_layer: dict[int, list[int]] = {}
    for layer, head in masked:
        by_layer.setdefault(layer, []).append(head)

    def zero(z: torch.Tensor, hook: Any, heads: list[int]) -> torch.Tensor:  # z: [batch, position, head, d_head]
        return z.index_fill(2, torch.tensor(heads), 0.0)

    hooks = [(f"blocks.{layer}.attn.hook_z", partial(zero, heads=heads)) for layer, heads in by_layer.items()]
    with torch.no_grad():
        logits = bridge.run_with_hooks(torch.tensor([prompt_ids]), fwd_hooks=hooks, logits_to_keep=1)
    return torch.softmax(logits[0, -1].float(), dim=-1)


def head_masking_effects(
    bridge: Any, tokenizer: Any, prompt_ids: list[int], heads: list[tuple[int, int, float]], lens: LensTokens
) -> pd.DataFrame:
    """Mask each (layer, head, latest_share) head alone; one row per head: layer, head, latest_share,
    log_odds_change (refusal vs compliance, masked minus intact), kl (masked from intact first-token
    distribution), top_token."""

    def odds(probabilities: torch.Tensor) -> float:
        masses = (float(token_mass(probabilities, ids)) for ids in (lens.refusal_ids, lens.compliance_ids))
        return float(log_odds(*masses))

    intact = first_token_probabilities(bridge, prompt_ids)
    base_odds = odds(intact)
    rows = []
    for layer, head, share in heads:
        masked = first_token_probabilities(bridge, prompt_ids, [(layer, head)])
        kl = float(torch.sum(intact * (torch.log(intact.clamp_min(1e-12)) - torch.log(masked.clamp_min(1e-12)))))
        top = tokenizer.decode([int(masked.argmax())])
        rows.append((layer, head, share, odds(masked) - base_odds, kl, top))
    return pd.DataFrame(rows, columns=["layer", "head", "latest_share", "log_odds_change", "kl", "top_token"])
