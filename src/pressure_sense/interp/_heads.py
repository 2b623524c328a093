"""Head masking: zero one attention head's output and see what happens to the first response token."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import torch

from pressure_sense.interp._lens import LensTokens, token_mass


def first_token_probabilities(
    bridge: Any, prompt_ids: list[int], masked: Iterable[tuple[int, int]] = ()
) -> torch.Tensor:
    """[vocab] next-token probabilities after `prompt_ids` with the (layer, head) pairs in `masked` zeroed.

    A head is masked by zeroing its output vectors (`blocks.{layer}.attn.hook_z`, [batch, position, head,
    d_head]) at every position before the output projection.
    """
    by_layer: dict[int, list[int]] = {}
    for layer, head in masked:
        by_layer.setdefault(layer, []).append(head)

    def zero(heads: list[int]):
        def hook(z: torch.Tensor, hook: Any) -> torch.Tensor:
            z = z.clone()
            z[:, :, heads, :] = 0.0
            return z

        return hook

    hooks = [(f"blocks.{layer}.attn.hook_z", zero(heads)) for layer, heads in by_layer.items()]
    with torch.no_grad():
        logits = bridge.run_with_hooks(torch.tensor([prompt_ids]), fwd_hooks=hooks, logits_to_keep=1)
    return torch.softmax(logits[0, -1].float(), dim=-1)


def refusal_log_odds(probabilities: torch.Tensor, lens: LensTokens) -> float:
    """log P(refusal first tokens) - log P(compliance first tokens)."""
    refusal = float(token_mass(probabilities, lens.refusal_ids))
    compliance = float(token_mass(probabilities, lens.compliance_ids))
    return float(np.log(max(refusal, 1e-12)) - np.log(max(compliance, 1e-12)))


def head_masking_effects(
    bridge: Any, tokenizer: Any, prompt_ids: list[int], heads: list[tuple[int, int, float]], lens: LensTokens
) -> pd.DataFrame:
    """Mask each (layer, head, latest_share) head alone; one row per head with its effect on the first token.

    Columns: layer, head, latest_share, log_odds_change (refusal vs compliance log-odds, masked minus
    intact), kl (KL divergence of the masked first-token distribution from the intact one), top_token.
    """
    intact = first_token_probabilities(bridge, prompt_ids)
    base_odds = refusal_log_odds(intact, lens)
    rows = []
    for layer, head, share in heads:
        masked = first_token_probabilities(bridge, prompt_ids, [(layer, head)])
        kl = float(torch.sum(intact * (torch.log(intact.clamp_min(1e-12)) - torch.log(masked.clamp_min(1e-12)))))
        rows.append(
            {
                "layer": layer,
                "head": head,
                "latest_share": share,
                "log_odds_change": refusal_log_odds(masked, lens) - base_odds,
                "kl": kl,
                "top_token": tokenizer.decode([int(masked.argmax())]),
            }
        )
    return pd.DataFrame(rows, columns=["layer", "head", "latest_share", "log_odds_change", "kl", "top_token"])
