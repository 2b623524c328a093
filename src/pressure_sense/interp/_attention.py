"""A turn's tokens as the model saw them, by segment, and the attention from its response start onto each segment."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch

from pressure_sense.interp._conversation import Message
from pressure_sense.interp._extra import InterpError

SEGMENTS: tuple[str, ...] = ("first_token", "system", "earlier", "latest", "response")
"""Where a token sits: the sequence's first token (where heads park attention), the system prompt, earlier turns,
the latest pressure turn (being answered), the response (assistant header and first tokens). Role markers count
with the message they introduce."""
FULL_SYSTEM_TOKENS = 96
"""A system prompt up to this many tokens is shown token by token in the attention views; longer ones collapse."""


@dataclass(frozen=True)
class TurnTokens:
    """The token sequence replayed for one turn."""

    ids: list[int]
    """[seq] the prompt in the chat template, ready to answer, then the response's first tokens."""
    segments: np.ndarray
    """[seq] index into SEGMENTS of every token."""
    start: int
    """Position of the response start: the last prompt token, whose output is the first response token."""
    queries: list[int]
    """Positions whose attention is measured: the response start and the response tokens after it."""


def turn_tokens(tokenizer: Any, prompt: list[Message], response: str, response_tokens: int) -> TurnTokens:
    """Tokenise `prompt` (ending with the pressure turn) plus the first `response_tokens - 1` tokens of `response`;
    InterpError when the chat template rewrites a message so that its text cannot be found."""
    text = tokenizer.apply_chat_template(prompt, tokenize=False, add_generation_prompt=True)
    encoded = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    ids = [int(i) for i in encoded["input_ids"]]
    ends = _content_ends(text, prompt)
    latest = len(prompt) - 1
    kinds = []
    for position, (token_start, _) in enumerate(encoded["offset_mapping"]):
        owner = bisect_right(ends, token_start)
        if position == 0:
            kinds.append("first_token")
        elif owner > latest:
            kinds.append("response")
        elif owner == latest:
            kinds.append("latest")
        else:
            kinds.append("system" if prompt[owner]["role"] == "system" else "earlier")
    start = len(ids) - 1
    answer = [int(i) for i in tokenizer(response, add_special_tokens=False)["input_ids"][: max(0, response_tokens - 1)]]
    ids += answer
    kinds += ["response"] * len(answer)
    segments = np.array([SEGMENTS.index(kind) for kind in kinds], dtype=np.int64)
    return TurnTokens(ids=ids, segments=segments, start=start, queries=list(range(start, len(ids))))


def _content_ends(text: str, messages: list[Message]) -> list[int]:
    """Character offset in `text` where each message's content ends (searched in order)."""
    ends = []
    cursor = 0
    for number, message in enumerate(messages):
        content = message["content"].strip()
        if content:
            found = text.find(content, cursor)
            if found < 0:
                raise InterpError(
                    f"the model's chat template rewrites message {number} ({message['role']}); "
                    "its tokens cannot be located for the attention shares"
                )
            cursor = found + len(content)
        ends.append(cursor)
    return ends


def segment_shares(pattern: torch.Tensor, segments: torch.Tensor, queries: torch.Tensor) -> torch.Tensor:
    """[head, segment] share of attention on each segment, averaged over `queries`; pattern: [head, query, key]
    of one layer, segments: [key] segment index. Each row sums to 1."""
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
    for index, name in enumerate(SEGMENTS):
        positions = np.flatnonzero(tokens.segments == index).tolist()
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
    """[head, item, item] attention between view items (membership: [seq, item]) from pattern [head, query, key]:
    rows averaged over an item's positions, columns summed, so rows still sum to 1."""
    row_weights = membership / membership.sum(dim=0, keepdim=True)  # [seq, item], each column sums to 1
    return torch.einsum("si,hst,tj->hij", row_weights, pattern, membership)


def shares_frame(turns: pd.DataFrame, shares: np.ndarray) -> pd.DataFrame:
    """Long frame of shares [turn, layer, head, segment]: the `turns` columns, layer, head, segment, share."""
    _, layers, heads, _ = shares.shape
    grid = pd.MultiIndex.from_product([range(layers), range(heads), SEGMENTS], names=["layer", "head", "segment"])
    return turns.merge(grid.to_frame(index=False), how="cross").assign(share=shares.ravel())


def share_trend(shares: pd.DataFrame) -> pd.DataFrame:
    """How each layer's head-averaged share of each segment changes with intensity: one row per (layer, segment)
    with slope (least squares over turns), spearman (rank correlation), turns, mean_share."""
    per_turn = shares.groupby(["layer", "segment", "conversation", "turn_index", "intensity"], as_index=False)[
        "share"
    ].mean()
    rows = []
    for (layer, segment), group in per_turn.groupby(["layer", "segment"], sort=True):
        x = group["intensity"].to_numpy(dtype=float)
        y = group["share"].to_numpy(dtype=float)
        varying = np.ptp(x) > 0 and np.ptp(y) > 0
        slope = float(np.polyfit(x, y, 1)[0]) if np.ptp(x) > 0 else float("nan")
        spearman = float(pd.Series(x).corr(pd.Series(y), method="spearman")) if varying else float("nan")
        rows.append((int(layer), segment, slope, spearman, len(group), float(y.mean())))
    return pd.DataFrame(rows, columns=["layer", "segment", "slope", "spearman", "turns", "mean_share"])
