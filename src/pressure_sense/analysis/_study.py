"""Every table of a study's analysis, computed in one call from the store's frames."""

from __future__ import annotations

from dataclasses import dataclass, fields

import pandas as pd

from pressure_sense.analysis._bootstrap import DEFAULT_BOOTSTRAP
from pressure_sense.analysis._breaking import adaptive_summary, breaking_points, breaking_summary
from pressure_sense.analysis._columns import GROUP
from pressure_sense.analysis._factorial import dose_response, factorial_turns, first_crossing, type_comparison
from pressure_sense.analysis._means import action_metrics, belief_flip_rates, dimension_means, disagreement_rates
from pressure_sense.analysis._means import pressure_type_means, rank_models, rubric_scores, trajectories
from pressure_sense.analysis._paired import control_effect, mode_effect, reasoning_effect, scratchpad_usage
from pressure_sense.analysis._panel import panel_alpha, panel_flags, panel_mean
from pressure_sense.analysis._pooling import POOL_COLUMN
from pressure_sense.analysis._sensitivity import pressure_sensitivity


@dataclass(frozen=True)
class StudyAnalysis:
    """The tables behind a report; each is a DataFrame documented by the function that makes it."""

    means: pd.DataFrame
    """dimension_means per model x scenario x variant."""
    turn_trajectories: pd.DataFrame
    """trajectories against turn_index per model x scenario x variant (adaptive conversations left out)."""
    intensity_curves: pd.DataFrame
    """trajectories against intensity per model x variant, pooled over scenarios (adaptive left out)."""
    breaking_points: pd.DataFrame
    """breaking_points: one row per conversation."""
    breaking_summary: pd.DataFrame
    """breaking_summary per model x scenario x variant."""
    sensitivity: pd.DataFrame
    """pressure_sensitivity of alignment per model x scenario x variant (scripted and control turns;
    adaptive conversations, which stop early, are left out)."""
    model_sensitivity: pd.DataFrame
    """pressure_sensitivity of alignment per model x variant, pooled over scenarios (adaptive left out)."""
    reasoning_effect: pd.DataFrame
    """reasoning_effect per model x scenario x mode x condition x dimension (turns that used the scratchpad)."""
    model_reasoning_effect: pd.DataFrame
    """reasoning_effect per model x mode x condition x dimension, pooled over scenarios."""
    disagreement: pd.DataFrame
    """disagreement_rates per model x scenario x variant."""
    ranking: pd.DataFrame
    """rank_models on alignment per variant, pooled over scenarios."""
    pressure_types: pd.DataFrame
    """pressure_type_means of alignment per variant x model, pooled over scenarios."""
    agent_effect: pd.DataFrame
    """mode_effect (agent minus chat) per model x scenario x dimension."""
    model_agent_effect: pd.DataFrame
    """mode_effect per model x dimension (pooled over scenarios)."""
    actions: pd.DataFrame
    """action_metrics (harmful-action rate, escalation, report honesty) per model x scenario x variant."""
    control_effect: pd.DataFrame
    """control_effect (pressure minus control) per model x scenario x dimension."""
    model_control_effect: pd.DataFrame
    """control_effect per model x dimension (pooled over scenarios)."""
    belief_flips: pd.DataFrame
    """belief_flip_rates per model x scenario x variant."""
    adaptive: pd.DataFrame
    """adaptive_summary per model x scenario x variant."""
    panel_alpha: pd.DataFrame
    """panel_alpha per dimension (empty unless a panel of judges scored the study)."""
    panel_flags: pd.DataFrame
    """panel_flags: turns where the judges differ by 2 or more."""
    scratchpad_usage: pd.DataFrame
    """scratchpad_usage per model x scenario x mode x condition (scratchpad variants only)."""
    model_scratchpad_usage: pd.DataFrame
    """scratchpad_usage per model x mode x condition (all scenarios)."""
    model_disagreement: pd.DataFrame
    """disagreement_rates per model x variant, pooled over scenarios."""
    adaptive_trajectories: pd.DataFrame
    """trajectories against turn_index of adaptive conversations per model x variant, pooled over
    scenarios (later turns hold only the conversations still running)."""
    factorial_curves: pd.DataFrame
    """dose_response per model x pressure type x intensity (empty unless the study ran a factorial design)."""
    factorial_crossings: pd.DataFrame
    """first_crossing of the breaking threshold per model x pressure type."""
    factorial_comparison: pd.DataFrame
    """type_comparison: every pair of pressure types, paired by request."""

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by its field name, in a stable order (for exports)."""
        return {field.name: getattr(self, field.name) for field in fields(self)}


def analyse_study(
    turn_scores: pd.DataFrame,
    judgements: pd.DataFrame,
    *,
    beliefs: pd.DataFrame | None = None,
    adaptive: pd.DataFrame | None = None,
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
) -> StudyAnalysis:
    """Compute every table of the report from `turn_scores_frame` and `judgements_frame` output, plus
    `beliefs_frame` and `adaptive_frame` output when given. The rubric tables leave the action
    metrics out; those are summarised in `actions`. With a panel of judges they average the judges'
    scores; `panel_alpha` and `panel_flags` show how far the judges agree."""
    all_scored = turn_scores[turn_scores["score"].notna()]
    scored = panel_mean(rubric_scores(all_scored))
    adaptive_turns = scored["condition"] == "adaptive"
    scripted = scored[~adaptive_turns]  # adaptive runs stop early and set their own intensity
    points = breaking_points(scored)
    design = factorial_turns(scored)
    curves = dose_response(design, n_boot=n_boot, seed=seed)
    effect_by = ("model", "mode", "condition", "dimension")
    pooled_by = ("model", "dimension")
    options = {"n_boot": n_boot, "seed": seed}
    pooled = {"pool": POOL_COLUMN, **options}
    return StudyAnalysis(
        means=dimension_means(scored, **options),
        turn_trajectories=trajectories(scripted, "turn_index", GROUP, **options),
        intensity_curves=trajectories(scripted, "intensity", ("model", "variant"), **pooled),
        breaking_points=points,
        breaking_summary=breaking_summary(points),
        sensitivity=pressure_sensitivity(scripted, **options),
        model_sensitivity=pressure_sensitivity(scripted, by=("model", "variant"), **pooled),
        reasoning_effect=reasoning_effect(scored, **options),
        model_reasoning_effect=reasoning_effect(scored, by=effect_by, **pooled),
        disagreement=disagreement_rates(judgements, **options),
        ranking=rank_models(scored, **pooled),
        pressure_types=pressure_type_means(scored, **pooled),
        agent_effect=mode_effect(scored, **options),
        model_agent_effect=mode_effect(scored, pooled_by, **pooled),
        actions=action_metrics(all_scored, **options),
        control_effect=control_effect(scored, **options),
        model_control_effect=control_effect(scored, pooled_by, **pooled),
        belief_flips=belief_flip_rates(pd.DataFrame() if beliefs is None else beliefs, **options),
        adaptive=adaptive_summary(pd.DataFrame() if adaptive is None else adaptive),
        panel_alpha=panel_alpha(all_scored),
        panel_flags=panel_flags(all_scored),
        scratchpad_usage=scratchpad_usage(scored),
        model_scratchpad_usage=scratchpad_usage(scored, ("model", "mode", "condition")),
        model_disagreement=disagreement_rates(judgements, ("model", "variant"), **pooled),
        adaptive_trajectories=trajectories(scored[adaptive_turns], "turn_index", ("model", "variant"), **pooled),
        factorial_curves=curves,
        factorial_crossings=first_crossing(curves),
        factorial_comparison=type_comparison(design, n_boot=n_boot, seed=seed),
    )
