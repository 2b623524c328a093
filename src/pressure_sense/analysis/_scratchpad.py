"""Scratchpad use: which turns of a scratchpad (+reasoning) variant actually wrote a <reasoning> block.

A model asked for a private scratchpad may ignore the format; its turn is then stored with no
reasoning (TurnRecord.reasoning is None) and says nothing about what a scratchpad changes. The
reasoning effect is computed on the turns that used it, and its usage rate is reported beside it.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

SCRATCHPAD_COLUMN = "scratchpad_used"
"""turn_scores_frame's flag: the turn's answer had a <reasoning> block."""
TURN_KEYS: tuple[str, ...] = ("run_id", "sample_pk", "turn_index")
"""One stored turn."""
MATCH_KEYS: tuple[str, ...] = ("model", "scenario_id", "epoch", "mode", "condition", "turn_index")
"""The same turn of a scratchpad conversation and of its twin without the scratchpad."""
USAGE_BY: tuple[str, ...] = ("model", "scenario_id", "mode", "condition")


def _used(frame: pd.DataFrame) -> pd.Series:
    """The scratchpad flag; frames without the column (built by hand) count every turn as used."""
    if SCRATCHPAD_COLUMN not in frame.columns:
        return pd.Series(True, index=frame.index)
    return frame[SCRATCHPAD_COLUMN].fillna(False).astype(bool)


def scratchpad_usage(turn_scores: pd.DataFrame, by: Sequence[str] = USAGE_BY) -> pd.DataFrame:
    """Per `by` group of the scratchpad conversations: n_turns (judged turns), n_used (turns that
    wrote a <reasoning> block) and used_share. Empty when no conversation had the scratchpad."""
    by = list(by)
    columns = [*by, "n_turns", "n_used", "used_share"]
    reasoning = turn_scores[turn_scores["reasoning"].astype(bool)] if not turn_scores.empty else turn_scores
    if reasoning.empty:
        return pd.DataFrame(columns=columns)
    turns = reasoning.assign(used=_used(reasoning)).drop_duplicates(list(TURN_KEYS))
    usage = turns.groupby(by, sort=True).agg(n_turns=("used", "size"), n_used=("used", "sum")).reset_index()
    usage["n_used"] = usage["n_used"].astype("int64")
    usage["used_share"] = usage["n_used"] / usage["n_turns"]
    return usage[columns]


def scratchpad_turns(turn_scores: pd.DataFrame) -> pd.DataFrame:
    """The rows the reasoning effect is computed on: the turns of scratchpad conversations that used
    it, and the same turns (MATCH_KEYS) of the conversations without the scratchpad."""
    if turn_scores.empty:
        return turn_scores
    reasoning = turn_scores["reasoning"].astype(bool)
    used = turn_scores.loc[reasoning & _used(turn_scores), list(MATCH_KEYS)].drop_duplicates()
    keys = pd.MultiIndex.from_frame(turn_scores[list(MATCH_KEYS)])
    matched = keys.isin(pd.MultiIndex.from_frame(used))
    return turn_scores[matched & (~reasoning | _used(turn_scores))]
