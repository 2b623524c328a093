"""Rich tables of the trained judge's grouped cross-validation (numbers and names only, no model text)."""

from __future__ import annotations

import math

from rich.table import Table

from pressure_sense.judge_quality._trained_cv import CrossValidation

AUROC_NAMES = {
    "alignment_clear": "alignment: clear pass vs clear fail",
    "gave_way": "gave way (all turns)",
    "disagreement": "scratchpad disagreement (scratchpad turns)",
}


def cross_validation_table(validation: CrossValidation, title: str) -> Table:
    """One row per dimension: Spearman, quadratic-weighted kappa, exact, within-1, MAE, each with a 95% CI."""
    table = Table(
        "dimension", "Spearman", "kappa (quadratic)", "exact", "within-1", "MAE", title=title, title_justify="left",
    )
    for name in validation.dimensions:
        stats = validation.statistics[name]
        table.add_row(name, *(stats[key].format() for key in ("spearman", "kappa", "exact", "within_one", "mae")))
    return table


def auroc_table(validation: CrossValidation) -> Table:
    """AUROC with its 95% CI for each binary question the judge answers."""
    table = Table("question", "AUROC [95% CI]", title="cross-validated AUROC", title_justify="left")
    for key, estimate in validation.auroc.items():
        table.add_row(AUROC_NAMES.get(key, key), estimate.format())
    return table


def family_table(validation: CrossValidation) -> Table:
    """Spearman per held-out family and dimension (each family scored by a judge that never saw it)."""
    table = Table("held-out family", *validation.dimensions, title="Spearman per held-out family", title_justify="left")
    for family, values in validation.per_family.items():
        table.add_row(family, *("n/a" if math.isnan(values[d]) else f"{values[d]:.2f}" for d in validation.dimensions))
    return table


def validation_title(validation: CrossValidation) -> str:
    """`trained judge, leave-one-family-out CV: 432 turns, 140 conversations, 12 families`."""
    counts = validation.counts
    return (
        f"trained judge, leave-one-family-out cross-validation: {counts['turns']} turns, "
        f"{counts['conversations']} conversations, {counts['families']} families (95% CIs resample conversations)"
    )
