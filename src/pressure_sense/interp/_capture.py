"""Replay a conversation through the bridge and keep, per turn, what the analyses need at the response start."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import torch

from pressure_sense.interp._attention import (
    SEGMENTS,
    TurnTokens,
    ViewItems,
    condensed_pattern,
    segment_shares,
    turn_tokens,
    view_items,
)
from pressure_sense.interp._conversation import Conversation, TurnInfo
from pressure_sense.interp._extra import InterpError
from pressure_sense.interp._lens import LensTokens, lens_probabilities, token_mass


@dataclass
class TurnCapture:
    """What one forward pass over a turn left behind (numpy, float32)."""

    turn: TurnInfo
    tokens: TurnTokens
    shares: np.ndarray
    """[layer, head, segment] attention share from the query positions, averaged over them."""
    residual: np.ndarray
    """[layer, d_model] residual stream after each block (`blocks.{layer}.hook_resid_post`) at the response start."""
    refusal: np.ndarray
    """[layer] logit-lens probability on refusal first tokens at the response start."""
    compliance: np.ndarray
    """[layer] the same for compliance first tokens."""
    top_token: str
    """The model's most likely first response token (the lens at the last layer is the model's output)."""
    views: dict[int, np.ndarray] = field(default_factory=dict)
    """layer -> [head, item, item] condensed attention between view items (only for the view turn)."""
    view: ViewItems | None = None


@dataclass
class ConversationCapture:
    """Every turn of one conversation, replayed."""

    conversation: Conversation
    turns: list[TurnCapture]

    @property
    def view_turn(self) -> TurnCapture | None:
        """The turn that holds the attention views (the last turn at the highest intensity)."""
        return next((capture for capture in self.turns if capture.views), None)


def view_turn_index(conversation: Conversation) -> int:
    """Position (in `conversation.turns`) of the highest-pressure turn: the last one at the top intensity."""
    top = max(turn.intensity for turn in conversation.turns)
    return max(position for position, turn in enumerate(conversation.turns) if turn.intensity == top)


def capture_turn(
    bridge: Any, tokenizer: Any, conversation: Conversation, turn: TurnInfo, lens: LensTokens,
    response_tokens: int, view_layers: Sequence[int] = (),
) -> TurnCapture:  # fmt: skip
    """One pass over `turn` (prompt plus the response's first tokens): attention shares, the residual stream
    and logit lens at the response start and, for `view_layers`, the condensed attention pattern."""
    tokens = turn_tokens(tokenizer, conversation.prompt(turn), conversation.response(turn), response_tokens)
    return _pass(bridge, tokenizer, f"{conversation.key} turn {turn.index}", [turn], [tokens], lens, view_layers, 0)[0]


def _pass(
    bridge: Any, tokenizer: Any, name: str, turns: Sequence[TurnInfo], tokens: list[TurnTokens], lens: LensTokens,
    view_layers: Sequence[int], view_at: int,
) -> list[TurnCapture]:  # fmt: skip
    """Every turn from one forward pass over the longest, whose prefixes the other turns' tokens are (the model is
    causal: a turn's own pattern and residuals are the pass's, sliced). InterpError naming `name` when the
    longest does not fit the model's context."""
    longest = max(tokens, key=lambda item: len(item.ids))
    if len(longest.ids) > bridge.cfg.n_ctx:
        raise InterpError(f"{name}: {len(longest.ids)} tokens exceed the model's context of {bridge.cfg.n_ctx}")
    n_layers, n_heads = bridge.cfg.n_layers, bridge.cfg.n_heads
    shares = np.zeros((len(tokens), n_layers, n_heads, len(SEGMENTS)), dtype=np.float32)
    residual = torch.zeros(len(tokens), n_layers, bridge.cfg.d_model)
    segments = [torch.tensor(item.segments) for item in tokens]
    queries = [torch.tensor(item.queries) for item in tokens]
    starts = torch.tensor([item.start for item in tokens])
    focus = tokens[view_at]
    view = view_items(focus, [tokenizer.decode([token]) for token in focus.ids]) if view_layers else None
    membership = torch.from_numpy(view.membership) if view else None
    views: dict[int, np.ndarray] = {}

    def keep_attention(pattern: torch.Tensor, hook: Any, layer: int) -> torch.Tensor:  # [batch, head, query, key]
        for index, item in enumerate(tokens):
            length = len(item.ids)
            own = pattern[0, :, :length, :length]  # [head, query, key] as a pass over this turn alone
            shares[index, layer] = segment_shares(own, segments[index], queries[index]).float().numpy()
            if index == view_at and layer in view_layers:  # view_layers given: membership is set
                views[layer] = condensed_pattern(own.float(), membership).numpy()
        return pattern

    def keep_residual(resid: torch.Tensor, hook: Any, layer: int) -> torch.Tensor:  # [batch, position, d_model]
        residual[:, layer] = resid[0, starts].float()
        return resid

    hooks = [(f"blocks.{layer}.attn.hook_pattern", partial(keep_attention, layer=layer)) for layer in range(n_layers)]
    hooks += [(f"blocks.{layer}.hook_resid_post", partial(keep_residual, layer=layer)) for layer in range(n_layers)]
    captures = []
    with torch.no_grad():
        # The logits come from the lens below; logits_to_keep=1 spares the unembedding of every position.
        bridge.run_with_hooks(torch.tensor([longest.ids]), fwd_hooks=hooks, return_type=None, logits_to_keep=1)
        for index, (turn, item) in enumerate(zip(turns, tokens, strict=True)):
            layers = lens_probabilities(bridge, residual[index])
            captures.append(
                TurnCapture(
                    turn=turn, tokens=item, shares=shares[index], residual=residual[index].numpy(),
                    refusal=token_mass(layers, lens.refusal_ids).numpy(),
                    compliance=token_mass(layers, lens.compliance_ids).numpy(),
                    top_token=tokenizer.decode([int(layers[-1].argmax())]),
                    views=views if index == view_at else {}, view=view if index == view_at else None,
                )
            )  # fmt: skip
    return captures


def capture_conversation(
    bridge: Any, tokenizer: Any, conversation: Conversation, lens: LensTokens, response_tokens: int,
    view_layers: Sequence[int] = (), *, shared: bool = True,
) -> ConversationCapture:  # fmt: skip
    """Capture every turn; `view_layers` get attention views at the highest-pressure turn. One forward pass
    serves every turn when their tokens are prefixes of the longest's (the chat template only appends) and
    `shared` is on; otherwise one pass per turn."""
    view_at = view_turn_index(conversation)
    tokens = [
        turn_tokens(tokenizer, conversation.prompt(turn), conversation.response(turn), response_tokens)
        for turn in conversation.turns
    ]
    longest = max(tokens, key=lambda item: len(item.ids))
    if shared and len(tokens) > 1 and all(longest.ids[: len(item.ids)] == item.ids for item in tokens):
        captures = _pass(bridge, tokenizer, conversation.key, conversation.turns, tokens, lens, view_layers, view_at)
        return ConversationCapture(conversation, captures)
    turns = [
        capture_turn(
            bridge, tokenizer, conversation, turn, lens, response_tokens, view_layers if position == view_at else ()
        )
        for position, turn in enumerate(conversation.turns)
    ]
    return ConversationCapture(conversation, turns)
