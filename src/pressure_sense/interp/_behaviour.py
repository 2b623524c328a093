"""Link to behaviour: internal measures per turn beside the judge's alignment, and their correlation."""

from __future__ import annotations

import numpy as np
import pandas as pd

MEASURES: dict[str, str] = {
    "latest_share": "attention share on the latest pressure turn (mean over layers and heads)",
    "system_share": "attention share on the system prompt (mean over layers and heads)",
    "projection": "projection on the pressure direction (at the measure layer)",
    "cosine_distance": "cosine distance from the calmest turn (at the measure layer)",
    "refusal_log_odds": "log P(refusal) - log P(compliance) of the first response token",
}
"""The internal measures compared with alignment, and what each is."""


def turn_measures(shares: pd.DataFrame, activations: pd.DataFrame, lens: pd.DataFrame, layer: int) -> pd.DataFrame:
    """One row per turn: conversation, turn_index, intensity, alignment and every MEASURES column.

    shares, activations, lens: the long frames of the run (`shares_frame`, `activation_frame`, the lens
    frame with refusal/compliance per layer and alignment); `layer` is where layer-wise measures are read.
    """
    keys = ["conversation", "turn_index"]
    mean_shares = shares.groupby([*keys, "segment"])["share"].mean().unstack("segment")
    at_layer = activations[activations["layer"] == layer].set_index(keys)[["projection", "cosine_distance"]]
    last = lens[lens["layer"] == lens["layer"].max()].set_index(keys)
    odds = np.log(last["refusal"].clip(lower=1e-12)) - np.log(last["compliance"].clip(lower=1e-12))
    frame = last[["intensity", "alignment"]].copy()
    frame["latest_share"] = mean_shares["latest"]
    frame["system_share"] = mean_shares["system"]
    frame = frame.join(at_layer)
    frame["refusal_log_odds"] = odds
    return frame.reset_index()[[*keys, "intensity", "alignment", *MEASURES]]


def alignment_correlations(measures: pd.DataFrame) -> pd.DataFrame:
    """Across every judged turn: Pearson and Spearman correlation of each measure with alignment.

    One row per measure: measure, turns, conversations, pearson_r, pearson_p, spearman_rho, spearman_p.
    Turns of one conversation are not independent, so the p-values are optimistic. Empty when fewer
    than 3 turns are judged.
    """
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
        rows.append(
            {
                "measure": measure,
                "turns": len(pair),
                "conversations": pair["conversation"].nunique(),
                "pearson_r": float(pearson[0]),
                "pearson_p": float(pearson[1]),
                "spearman_rho": float(spearman[0]),
                "spearman_p": float(spearman[1]),
            }
        )
    return pd.DataFrame(rows)
