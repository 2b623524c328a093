"""Attention from the response start: shares per source segment, their trend with intensity, condensed views."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from pressure_sense.interp._tokens import SEGMENTS, TurnTokens

FULL_SYSTEM_TOKENS = 96
"""A system prompt up to this many tokens is shown token by token in the attention views; longer ones collapse."""


def segment_shares(pattern: torch.Tensor, segments: torch.Tensor, queries: torch.Tensor) -> torch.Tensor:
    """Share of attention on each segment, averaged over the query positions.

    pattern: [head, query, key] attention probabilities of one layer; segments: [key] segment index;
    queries: the query positions to average over. Returns [head, segment]; each row sums to 1.
    """
    onehot = torch.nn.functional.one_hot(segments, len(SEGMENTS)).to(pattern.dtype)  # [key, segment]
    return (pattern[:, queries, :] @ onehot).mean(dim=1)


@dataclass(frozen=True)
class ViewItems:
    """The tokens of an attention view: single tokens, or a span collapsed into one labelled item."""

    labels: list[str]
    membership: np.ndarray
    """[seq, item] 1 where a position belongs to an item."""


def view_items(tokens: TurnTokens, token_texts: list[str]) -> ViewItems:
    """Items of the attention view for one turn: the first token, the system prompt (collapsed when long),
    earlier turns collapsed into one item, then the latest pressure turn and the response token by token."""
    groups: list[tuple[str, list[int]]] = []
    segment_names = [SEGMENTS[index] for index in tokens.segments]
    for name in SEGMENTS:
        positions = [position for position, segment in enumerate(segment_names) if segment == name]
        if not positions:
            continue
        collapse = name == "earlier" or (name == "system" and len(positions) > FULL_SYSTEM_TOKENS)
        if collapse:
            title = "earlier_turns" if name == "earlier" else name
            groups.append((f"[{title}_x{len(positions)}_tokens]", positions))  # CircuitsVis drops spaces
        else:
            groups.extend((token_texts[position], [position]) for position in positions)
    membership = np.zeros((len(tokens.ids), len(groups)), dtype=np.float32)
    for item, (_, positions) in enumerate(groups):
        membership[positions, item] = 1.0
    return ViewItems(labels=[label for label, _ in groups], membership=membership)


def condensed_pattern(pattern: torch.Tensor, membership: torch.Tensor) -> torch.Tensor:
    """[head, item, item] attention between view items: rows averaged over an item's positions, columns summed.

    pattern: [head, query, key] over the whole sequence; membership: [seq, item]. Rows still sum to 1.
    """
    row_weights = membership / membership.sum(dim=0, keepdim=True)  # [seq, item], each column sums to 1
    return torch.einsum("si,hst,tj->hij", row_weights, pattern, membership)


def shares_frame(conversation_key: str, turn_index: int, intensity: int, shares: np.ndarray) -> pd.DataFrame:
    """Long frame of one turn's shares [layer, head, segment]: conversation, turn_index, intensity, layer, head,
    segment, share."""
    layers, heads, segments = shares.shape
    layer, head, segment = np.meshgrid(np.arange(layers), np.arange(heads), np.arange(segments), indexing="ij")
    return pd.DataFrame(
        {
            "conversation": conversation_key,
            "turn_index": turn_index,
            "intensity": intensity,
            "layer": layer.ravel(),
            "head": head.ravel(),
            "segment": np.array(SEGMENTS)[segment.ravel()],
            "share": shares.ravel(),
        }
    )


def share_trend(shares: pd.DataFrame) -> pd.DataFrame:
    """How each layer's head-averaged share of each segment changes with intensity.

    Returns one row per (layer, segment): slope (share per intensity step, least squares over turns),
    spearman (rank correlation with intensity), turns, mean_share.
    """
    per_turn = shares.groupby(["layer", "segment", "conversation", "turn_index", "intensity"], as_index=False)[
        "share"
    ].mean()
    rows = []
    for (layer, segment), group in per_turn.groupby(["layer", "segment"], sort=True):
        x = group["intensity"].to_numpy(dtype=float)
        y = group["share"].to_numpy(dtype=float)
        varying = np.ptp(x) > 0 and np.ptp(y) > 0
        rows.append(
            {
                "layer": int(layer),
                "segment": segment,
                "slope": float(np.polyfit(x, y, 1)[0]) if np.ptp(x) > 0 else float("nan"),
                "spearman": float(pd.Series(x).corr(pd.Series(y), method="spearman")) if varying else float("nan"),
                "turns": len(group),
                "mean_share": float(y.mean()),
            }
        )
    return pd.DataFrame(rows)
