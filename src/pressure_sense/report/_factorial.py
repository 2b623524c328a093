"""The report's "Pressure types compared" section: dose-response per type, heatmaps, crossings, paired comparisons."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from pressure_sense.analysis import BREAKING_THRESHOLD, StudyAnalysis  # noqa: E402
from pressure_sense.report._charts import Chart, ci_lines, model_colours, save_figure, score_heatmap  # noqa: E402
from pressure_sense.report._sections import Section  # noqa: E402
from pressure_sense.report._tables import Row, Table, count_cell, labels, number, with_ci  # noqa: E402


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text)[:60]


def dose_response_chart(curves: pd.DataFrame, model: str, path: Path) -> Path:
    """One panel per dimension: each pressure type's mean score against intensity 0-5, with its 95% CI band."""
    part = curves[curves["model"] == model]
    dimensions = [d for d in ("alignment", "truthfulness") if d in set(part["dimension"])]
    colours = model_colours(part["pressure_type"])
    figure, axes = plt.subplots(1, len(dimensions), figsize=(5.6 * len(dimensions), 4.2), squeeze=False,
                                sharey=True, layout="constrained")  # fmt: skip
    for axis, dimension in zip(axes[0], dimensions, strict=True):
        ci_lines(axis, part[part["dimension"] == dimension], "pressure_type", colours)
        axis.axhline(BREAKING_THRESHOLD, color="grey", linestyle=":", linewidth=1)
        axis.set_title(dimension)
        axis.set_xlabel("intensity (0 = neutral ask)")
        axis.set_xticks(range(6))
        axis.set_ylim(0.8, 5.2)
        axis.grid(alpha=0.3)
    axes[0][0].set_ylabel("mean score (95% CI)")
    figure.legend(*axes[0][0].get_legend_handles_labels(), loc="outside right upper", frameon=False, fontsize=8)
    figure.suptitle(f"Dose-response per pressure type: {model}")
    return save_figure(figure, path)


def heatmap_chart(curves: pd.DataFrame, model: str, path: Path) -> Path:
    """Mean alignment of one model: pressure types x intensities, each cell labelled with its mean."""
    part = curves[(curves["model"] == model) & (curves["dimension"] == "alignment")]
    grid = part.pivot(index="pressure_type", columns="intensity", values="mean").sort_index()
    figure, axis = plt.subplots(figsize=(1.1 * grid.shape[1] + 3.2, 0.45 * grid.shape[0] + 1.6), layout="constrained")
    axis.set_xticks(range(grid.shape[1]), [str(c) for c in grid.columns])
    axis.set_yticks(range(grid.shape[0]), list(grid.index))
    axis.set_xlabel("intensity")
    score_heatmap(figure, axis, grid, digits=1)
    axis.set_title(f"Alignment by pressure type and intensity: {model}")
    return save_figure(figure, path)


def _crossing_table(analysis: StudyAnalysis) -> Table:
    rows = [
        Row(
            [*labels(r.model, r.pressure_type), (number(r.control_mean), True),
             (number(r.lowest_mean), True), count_cell("none" if pd.isna(r.crossing_intensity) else r.crossing_intensity),
             count_cell("none" if pd.isna(r.clear_crossing_intensity) else r.clear_crossing_intensity)],
            r.model,
        )
        for r in analysis.factorial_crossings.itertuples()
    ]  # fmt: skip
    note = (
        f"Pooled over requests. The breaking threshold is alignment below {BREAKING_THRESHOLD:g}. First crossing = the "
        "lowest intensity whose mean alignment is below it; clear crossing = the lowest whose whole 95% CI is "
        "(conversations resampled). 'none' = it never did up to intensity 5."
    )
    columns = ["model", "pressure type", "control (0)", "lowest mean (1-5)", "first crossing", "clear crossing"]
    return Table("factorial_crossings", "Where each pressure type breaks alignment", columns, rows, note)


def _comparison_table(analysis: StudyAnalysis) -> Table:
    table = analysis.factorial_comparison
    rows = [
        Row(
            [*labels(r.model, r.dimension, f"{r.type_a} − {r.type_b}"), count_cell(r.n_pairs),
             with_ci(r.delta, r.ci_low, r.ci_high, signed=True), (number(r.p_value, 3), True),
             (number(r.p_holm, 3), True)],
            r.model,
        )
        for r in table.itertuples()
    ]  # fmt: skip
    note = (
        "Each pair is one request played under both types (same model, schedule, variant and epoch): the difference "
        "of the two conversations' mean scores over their pressured turns. Negative = the first type lowers the score "
        "more. CI: pairs resampled; p: two-sided sign-flip permutation test; Holm: adjusted over all type pairs."
    )
    columns = ["model", "dimension", "comparison", "pairs", "difference [95% CI]", "p", "p (Holm)"]
    return Table("factorial_comparison", "Pressure types compared on the same requests", columns, rows, note)


def factorial_section(analysis: StudyAnalysis, folder: Path) -> Section | None:
    """The section for a study that ran a factorial design; None otherwise."""
    curves = analysis.factorial_curves
    if curves.empty:
        return None
    charts = []
    for model in sorted(curves["model"].unique()):
        path = dose_response_chart(curves, model, folder / f"factorial_dose_{_slug(model)}.png")
        charts.append(Chart(path, f"Dose-response per pressure type ({model})", "factorial_dose", None))
        if "alignment" in set(curves["dimension"]):
            path = heatmap_chart(curves, model, folder / f"factorial_heatmap_{_slug(model)}.png")
            charts.append(Chart(path, f"Alignment by type and intensity ({model})", "factorial_heatmap", None))
    tables = [_crossing_table(analysis)]
    if not analysis.factorial_comparison.empty:
        tables.append(_comparison_table(analysis))
    intro = (
        "A factorial design plays the same requests (persona, task, neutral ask) under each pressure type at "
        "intensities 0-5, so differences between types are not confounded with the request. Intensity 0 is the "
        "neutral ask, the no-pressure control."
    )
    return Section("pressure-types-compared", "Pressure types compared", intro, tables, charts)
