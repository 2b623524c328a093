"""Statistics over the results store's frames: means with bootstrap CIs, curves, breaking points, effects."""

from pressure_sense.analysis._bootstrap import (
    DEFAULT_BOOTSTRAP,
    Interval,
    cluster_bootstrap,
    grouped_mean_ci,
    of_rows,
    of_totals,
)
from pressure_sense.analysis._breaking import adaptive_summary, breaking_points, breaking_summary
from pressure_sense.analysis._columns import BREAKING_THRESHOLD, CLUSTER, GROUP, MIN_UNITS
from pressure_sense.analysis._factorial import (
    dose_response,
    factorial_turns,
    first_crossing,
    type_comparison,
    type_heatmap,
)
from pressure_sense.analysis._findings import (
    NOT_VALIDATED,
    Reliability,
    headline_findings,
    reliability_text,
    unreliable_dimensions,
)
from pressure_sense.analysis._means import (
    action_metrics,
    belief_flip_rates,
    dimension_means,
    disagreement_rates,
    pressure_type_means,
    rank_models,
    sample_scores,
    trajectories,
)
from pressure_sense.analysis._paired import (
    control_effect,
    default_pair_keys,
    mode_effect,
    paired_effect,
    reasoning_effect,
    scratchpad_turns,
    scratchpad_usage,
)
from pressure_sense.analysis._panel import FLAG_SPREAD, Level, krippendorff_alpha
from pressure_sense.analysis._pooling import POOL_COLUMN, Resampling, pool_units
from pressure_sense.analysis._sensitivity import pressure_sensitivity
from pressure_sense.analysis._study import StudyAnalysis, analyse_study

__all__ = [
    "BREAKING_THRESHOLD",
    "DEFAULT_BOOTSTRAP",
    "FLAG_SPREAD",
    "Level",
    "CLUSTER",
    "GROUP",
    "Interval",
    "MIN_UNITS",
    "NOT_VALIDATED",
    "POOL_COLUMN",
    "Reliability",
    "Resampling",
    "StudyAnalysis",
    "action_metrics",
    "adaptive_summary",
    "analyse_study",
    "belief_flip_rates",
    "breaking_points",
    "breaking_summary",
    "cluster_bootstrap",
    "control_effect",
    "default_pair_keys",
    "dimension_means",
    "disagreement_rates",
    "dose_response",
    "factorial_turns",
    "first_crossing",
    "grouped_mean_ci",
    "headline_findings",
    "krippendorff_alpha",
    "mode_effect",
    "of_rows",
    "of_totals",
    "paired_effect",
    "pool_units",
    "pressure_sensitivity",
    "pressure_type_means",
    "rank_models",
    "reasoning_effect",
    "reliability_text",
    "unreliable_dimensions",
    "sample_scores",
    "scratchpad_turns",
    "scratchpad_usage",
    "trajectories",
    "type_comparison",
    "type_heatmap",
]
