"""From captured conversations to the tables of an interp run (no model), including the link to judged alignment."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pressure_sense.interp._activations import (
    PressureDirection,
    activation_frame,
    intensity_classes,
    per_layer,
    position_control,
    pressure_direction,
    probe_layers,
    project,
)
from pressure_sense.interp._attention import share_trend, shares_frame
from pressure_sense.interp._capture import ConversationCapture
from pressure_sense.interp._lens import log_odds


MEASURES: dict[str, str] = {
    "latest_share": "attention share on the latest pressure turn (mean over layers and heads)",
    "system_share": "attention share on the system prompt (mean over layers and heads)",
    "projection": "projection on the pressure direction (at the measure layer)",
    "cosine_distance": "cosine distance from the calmest turn (at the measure layer)",
    "refusal_log_odds": "log P(refusal) - log P(compliance) of the first response token",
}
"""The internal measures compared with alignment, and what each is."""


def turn_measures(shares: pd.DataFrame, activations: pd.DataFrame, lens: pd.DataFrame, layer: int) -> pd.DataFrame:
    """One row per turn: conversation, turn_index, intensity, alignment and every MEASURES column, from the
    run's long frames (`shares_frame`, `activation_frame`, `lens_frame`); layer-wise ones read at `layer`."""
    keys = ["conversation", "turn_index"]
    mean_shares = shares.groupby([*keys, "segment"])["share"].mean().unstack("segment")
    at_layer = activations[activations["layer"] == layer].set_index(keys)[["projection", "cosine_distance"]]
    last = lens[lens["layer"] == lens["layer"].max()].set_index(keys)
    frame = last[["intensity", "alignment"]].copy()
    frame["latest_share"] = mean_shares["latest"]
    frame["system_share"] = mean_shares["system"]
    frame = frame.join(at_layer)
    frame["refusal_log_odds"] = log_odds(last["refusal"], last["compliance"])
    return frame.reset_index()[[*keys, "intensity", "alignment", *MEASURES]]


def alignment_correlations(measures: pd.DataFrame) -> pd.DataFrame:
    """Pearson and Spearman correlation of each measure with alignment over the judged turns (p-values optimistic:
    turns of a conversation are not independent). One row per measure; empty with fewer than 3 judged turns."""
    from scipy import stats

    judged = measures.dropna(subset=["alignment"])
    if len(judged) < 3:
        return pd.DataFrame()
    rows = []
    for measure in MEASURES:
        pair = judged[["alignment", measure, "conversation"]].dropna()
        constant = len(pair) < 3 or pair["alignment"].nunique() < 2 or pair[measure].nunique() < 2
        pearson = (np.nan, np.nan) if constant else stats.pearsonr(pair["alignment"], pair[measure])
        spearman = (np.nan, np.nan) if constant else stats.spearmanr(pair["alignment"], pair[measure])
        rows.append((measure, len(pair), pair["conversation"].nunique(), *map(float, (*pearson, *spearman))))
    columns = ["measure", "turns", "conversations", "pearson_r", "pearson_p", "spearman_rho", "spearman_p"]
    return pd.DataFrame(rows, columns=columns)


@dataclass
class InterpTables:
    """Every number of an interp run; frames are long (one row per turn, layer, head, ... as named)."""

    turns: pd.DataFrame
    """One row per turn: conversation, label, responses_by, turn_index, intensity, pressure_types, alignment,
    intensity_class (1 high, 0 low, -1 between), tokens, top_token, user, response."""
    attention: pd.DataFrame
    """One row per (turn, layer, head, segment): share."""
    attention_trend: pd.DataFrame
    """One row per (layer, segment): slope and Spearman correlation of the head-mean share with intensity."""
    activations: pd.DataFrame
    """One row per (turn, layer): norm, cosine_distance, projection."""
    logit_lens: pd.DataFrame
    """One row per (turn, layer): refusal and compliance probability mass."""
    probe: pd.DataFrame
    """One row per layer: cross-validated accuracy, shuffled-label and position baselines."""
    measures: pd.DataFrame
    """One row per turn: alignment and the internal measures compared with it."""
    correlations: pd.DataFrame
    """One row per measure: its correlation with alignment across the judged turns."""
    residuals: np.ndarray
    """[turn, layer, d_model] residual stream at each response start, in `turns` order."""
    direction: PressureDirection | None
    measure_layer: int
    """The layer where layer-wise measures are compared with behaviour: the probe's best, else the last."""
    position_control: pd.DataFrame = field(default_factory=pd.DataFrame)
    """One row per layer: the held-out pressure-direction projection against intensity and turn position
    together (`position_control`)."""


def analyse(captures: list[ConversationCapture], low_max: int, high_min: int, shuffles: int, seed: int) -> InterpTables:
    """Attention shares and trends, activation measures, the pressure direction, the probe, the logit lens
    and the link to alignment over every captured turn."""
    captured = [turn for capture in captures for turn in capture.turns]
    turns = turns_frame(captures, low_max, high_min)
    residuals = np.stack([turn.residual for turn in captured])
    classes = turns["intensity_class"].to_numpy()
    direction = pressure_direction(residuals, classes)
    projection = project(residuals, direction) if direction is not None else None
    keys = turns[["conversation", "turn_index", "intensity"]]
    activations = activation_frame(keys, residuals, projection)
    attention = shares_frame(keys, np.stack([turn.shares for turn in captured]))
    labelled = classes >= 0
    probe = probe_layers(
        residuals[labelled], classes[labelled], turns["conversation"].to_numpy()[labelled],
        turns["turn_index"].to_numpy()[labelled], shuffles=shuffles, seed=seed,
    )  # fmt: skip
    measure_layer = int(probe.loc[probe["accuracy"].idxmax(), "layer"]) if not probe.empty else residuals.shape[1] - 1
    lens = per_layer(turns[["conversation", "turn_index", "intensity", "alignment"]], residuals.shape[1])
    lens["refusal"] = np.stack([turn.refusal for turn in captured]).ravel()
    lens["compliance"] = np.stack([turn.compliance for turn in captured]).ravel()
    measures = turn_measures(attention, activations, lens, measure_layer)
    return InterpTables(
        turns=turns,
        attention=attention,
        attention_trend=share_trend(attention),
        activations=activations,
        logit_lens=lens,
        probe=probe,
        measures=measures,
        correlations=alignment_correlations(measures),
        residuals=residuals,
        direction=direction,
        measure_layer=measure_layer,
        position_control=position_control(residuals, turns, seed=seed),
    )


def turns_frame(captures: list[ConversationCapture], low_max: int, high_min: int) -> pd.DataFrame:
    """One row per captured turn, in capture order (see InterpTables.turns); intensity_class splits at
    `low_max` and `high_min`."""
    rows = []
    for capture in captures:
        conversation = capture.conversation
        for turn in capture.turns:
            info = turn.turn
            rows.append(
                {
                    "conversation": conversation.key,
                    "label": conversation.label,
                    "responses_by": conversation.responses_by,
                    "turn_index": info.index,
                    "intensity": info.intensity,
                    "pressure_types": json.dumps(list(info.pressure_types)),
                    "alignment": np.nan if info.alignment is None else info.alignment,
                    "tokens": len(turn.tokens.ids),
                    "top_token": turn.top_token,
                    "user": conversation.messages[info.message_index]["content"],
                    "response": conversation.response(info),
                }
            )
    frame = pd.DataFrame(rows)
    frame.insert(5, "intensity_class", intensity_classes(frame["intensity"].to_numpy(), low_max, high_min))
    return frame
