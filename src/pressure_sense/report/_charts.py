"""PNG charts of a study (matplotlib, Agg backend), one colour per model throughout."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from pressure_sense.analysis import BREAKING_THRESHOLD, StudyAnalysis  # noqa: E402
from pressure_sense.store import dimension_order  # noqa: E402

_DPI = 100
_PALETTE = plt.get_cmap("tab10").colors + plt.get_cmap("Dark2").colors


@dataclass(frozen=True)
class Chart:
    """One written chart: its file, a title and the variant it shows (None for all)."""

    path: Path
    title: str
    kind: str
    variant: str | None


def model_colours(models: Iterable[str]) -> dict[str, tuple[float, float, float]]:
    """A fixed colour per model (sorted by name), the same in every chart of a report; the factorial charts
    colour pressure types with it."""
    return {model: _PALETTE[index % len(_PALETTE)] for index, model in enumerate(sorted(set(models)))}


def save_figure(figure: Figure, path: Path) -> Path:
    figure.savefig(path, dpi=_DPI, facecolor="white")
    plt.close(figure)
    return path


def panel_row(
    n: int, panel_width: float, height: float, min_width: float, sharey: bool = True
) -> tuple[Figure, np.ndarray]:
    """A figure of `n` panels side by side, each `panel_width` wide (the figure at least `min_width`); [panel]."""
    figure, axes = plt.subplots(
        1, n, figsize=(max(min_width, panel_width * n), height), sharey=sharey, squeeze=False, layout="constrained"
    )
    return figure, axes[0]


def legend_below(figure: Figure, handles: Sequence, names: Sequence[str]) -> None:
    """The legend under the panels, up to six entries a row."""
    figure.legend(handles, names, loc="outside lower center", ncol=min(6, len(names)), frameon=False)


def side_by_side(n: int) -> tuple[np.ndarray, float]:
    """[bar] offsets from a tick of `n` bars side by side (0.8 wide together), and a bar's width."""
    width = 0.8 / n
    return (np.arange(n) - (n - 1) / 2) * width, width


def ci_bars(
    axis: plt.Axes, table: pd.DataFrame, cell: str, cells: Sequence[str], models: Sequence[str], colours: dict,
    value: str = "mean",
) -> np.ndarray:  # fmt: skip
    """Each model's `value` with its 95% CI whisker at every one of `cells` (a `table` column), `models` side
    by side; returns the ticks [cell]."""
    offsets, width = side_by_side(len(models))
    x = np.arange(len(cells))
    part = table.set_index(["model", cell])
    for offset, model in zip(offsets, models, strict=True):
        rows = part.reindex([(model, name) for name in cells])
        heights, low, high = (rows[column].astype(float) for column in (value, "ci_low", "ci_high"))
        error = np.vstack([heights - low, high - heights]).clip(min=0)
        axis.bar(
            x + offset, heights, width, yerr=np.nan_to_num(error), color=colours[model], label=model, capsize=2,
            error_kw={"linewidth": 0.8},
        )  # fmt: skip
    return x


def ci_lines(axis: plt.Axes, table: pd.DataFrame, group: str, colours: dict) -> None:
    """One line per value of the `group` column: its `mean` against `intensity`, with the 95% CI band."""
    for name, rows in table.groupby(group, sort=True):
        rows = rows.sort_values("intensity")
        x = rows["intensity"].astype(float)
        axis.plot(x, rows["mean"], marker="o", markersize=3, color=colours[name], label=name)
        axis.fill_between(x, rows["ci_low"], rows["ci_high"], color=colours[name], alpha=0.2, linewidth=0)


def radar_chart(means: pd.DataFrame, variant: str, colours: dict, path: Path) -> Path:
    """One radar per scenario: each model's mean on the four dimensions (1-5)."""
    table = means[means["variant"] == variant]
    scenarios = sorted(table["scenario_id"].unique())
    dimensions = dimension_order(table["dimension"])
    columns = min(3, len(scenarios))
    rows = -(-len(scenarios) // columns)
    figure = plt.figure(figsize=(4.2 * columns, 4.0 * rows + 0.6), layout="constrained")
    angles = np.linspace(0, 2 * np.pi, len(dimensions), endpoint=False)
    closed = np.append(angles, angles[0])
    for index, scenario in enumerate(scenarios):
        axis = figure.add_subplot(rows, columns, index + 1, projection="polar")
        for model, group in table[table["scenario_id"] == scenario].groupby("model", sort=True):
            values = group.set_index("dimension")["mean"].reindex(dimensions).to_numpy()
            values = np.append(values, values[0])
            axis.plot(closed, values, color=colours[model], linewidth=2, label=model)
            axis.fill(closed, values, color=colours[model], alpha=0.12)
        axis.set_xticks(angles, dimensions, fontsize=9)
        axis.set_ylim(0, 5)
        axis.set_yticks([1, 2, 3, 4, 5], ["1", "2", "3", "4", "5"], fontsize=7, color="grey")
        axis.set_title(scenario, fontsize=11, pad=14)
    models = sorted(table["model"].unique())
    legend_below(figure, [plt.Line2D([], [], color=colours[model], linewidth=3) for model in models], models)
    figure.suptitle(f"Mean score per dimension, by scenario ({variant})", fontsize=13)
    return save_figure(figure, path)


def dimension_by_scenario_chart(means: pd.DataFrame, variant: str, path: Path) -> Path:
    """Average over models of each dimension's mean, bars grouped by scenario."""
    table = means[means["variant"] == variant]
    dimensions = dimension_order(table["dimension"])
    pivot = table.groupby(["scenario_id", "dimension"])["mean"].mean().unstack("dimension").reindex(columns=dimensions)
    figure, axis = plt.subplots(figsize=(max(6.0, 1.6 * len(pivot) + 2), 4.4), layout="constrained")
    offsets, width = side_by_side(len(dimensions))
    x = np.arange(len(pivot))
    for index, dimension in enumerate(dimensions):
        colour = plt.get_cmap("Set2").colors[index % 8]
        axis.bar(x + offsets[index], pivot[dimension], width, label=dimension, color=colour)
    axis.set_xticks(x, pivot.index, rotation=20, ha="right")
    _score_axis(axis, "average of the models' means")
    figure.legend(ncol=len(dimensions), loc="outside lower center", frameon=False)
    axis.set_title(f"Average score per dimension by scenario ({variant})")
    return save_figure(figure, path)


def grouped_bars_chart(means: pd.DataFrame, variant: str, colours: dict, path: Path) -> Path:
    """Models side by side for every scenario, one panel per dimension, with 95% CI whiskers."""
    table = means[means["variant"] == variant]
    dimensions = dimension_order(table["dimension"])
    scenarios = sorted(table["scenario_id"].unique())
    models = sorted(table["model"].unique())
    figure, axes = panel_row(len(dimensions), 3.2, 4.6, min_width=10.0)
    for axis, dimension in zip(axes, dimensions, strict=True):
        x = ci_bars(axis, table[table["dimension"] == dimension], "scenario_id", scenarios, models, colours)
        axis.set_xticks(x, scenarios, rotation=30, ha="right", fontsize=8)
        axis.set_title(dimension)
        _score_axis(axis, "mean score (95% CI)" if axis is axes[0] else "")
    legend_below(figure, *axes[0].get_legend_handles_labels())
    figure.suptitle(f"Models compared across scenarios ({variant})")
    return save_figure(figure, path)


def pressure_curves_chart(curves: pd.DataFrame, variant: str, colours: dict, path: Path) -> Path:
    """Mean score against pressure intensity, one line per model with a 95% CI band, per dimension."""
    table = curves[curves["variant"] == variant]
    dimensions = dimension_order(table["dimension"])
    figure, axes = panel_row(len(dimensions), 3.2, 3.8, min_width=10.0)
    for axis, dimension in zip(axes, dimensions, strict=True):
        ci_lines(axis, table[table["dimension"] == dimension], "model", colours)
        if dimension == "alignment":
            axis.axhline(BREAKING_THRESHOLD, color="grey", linestyle=":", linewidth=1)
        axis.set_title(dimension)
        axis.set_xlabel("pressure intensity")
        _score_axis(axis, "mean score (95% CI band)" if axis is axes[0] else "")
    axes[0].legend(loc="lower left", fontsize=8)
    figure.suptitle(f"Scores as pressure rises ({variant})")
    return save_figure(figure, path)


def pressure_type_heatmap(pressure_types: pd.DataFrame, variant: str, path: Path) -> Path:
    """Mean alignment per model (rows) and primary pressure type (columns)."""
    table = pressure_types[pressure_types["variant"] == variant]
    pivot = table.pivot_table(index="model", columns="primary_pressure_type", values="mean").sort_index()
    figure, axis = plt.subplots(
        figsize=(max(6.0, 0.9 * pivot.shape[1] + 3), max(2.5, 0.55 * pivot.shape[0] + 1.8)), layout="constrained"
    )
    axis.set_xticks(range(pivot.shape[1]), pivot.columns, rotation=35, ha="right", fontsize=8)
    axis.set_yticks(range(pivot.shape[0]), pivot.index, fontsize=9)
    score_heatmap(figure, axis, pivot, digits=2)
    axis.set_title(f"Alignment by pressure type ({variant})")
    return save_figure(figure, path)


def breaking_point_chart(points: pd.DataFrame, colours: dict, path: Path) -> Path:
    """Share of conversations breaking at each turn (or holding), per model, one panel per variant."""
    variants = sorted(points["variant"].unique())
    figure, axes = panel_row(len(variants), 5.0, 3.8, min_width=6.0)
    last_turn = int(points["breaking_turn"].max()) if points["breaking_turn"].notna().any() else 0
    labels = [str(turn + 1) for turn in range(last_turn + 1)] + ["held"]
    models = sorted(points["model"].unique())
    offsets, width = side_by_side(len(models))
    x = np.arange(len(labels))
    for axis, variant in zip(axes, variants, strict=True):
        part = points[points["variant"] == variant]
        for index, model in enumerate(models):
            mine = part[part["model"] == model]
            if mine.empty:
                continue
            counts = (
                mine["breaking_turn"].dropna().astype(int).value_counts().reindex(range(last_turn + 1), fill_value=0)
            )
            shares = np.append(counts.to_numpy(), mine["held"].sum()) / len(mine)
            axis.bar(x + offsets[index], shares, width, color=colours[model], label=model)
        axis.set_xticks(x, labels)
        axis.set_xlabel(f"turn where alignment first fell below {BREAKING_THRESHOLD:g}")
        axis.set_title(variant)
        axis.set_ylim(0, 1.05)
        axis.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel("share of conversations")
    axes[0].legend(fontsize=8)
    figure.suptitle("Breaking points")
    return save_figure(figure, path)


def score_heatmap(figure: Figure, axis: plt.Axes, grid: pd.DataFrame, digits: int) -> None:
    """`grid` of mean alignment (1-5) in red to green, each cell with a number labelled, and its colour bar."""
    values = grid.to_numpy(dtype=float)
    image = axis.imshow(values, cmap="RdYlGn", vmin=1, vmax=5, aspect="auto")
    for (row, column), value in np.ndenumerate(values):
        if np.isfinite(value):
            axis.text(column, row, f"{value:.{digits}f}", ha="center", va="center", fontsize=8)
    figure.colorbar(image, ax=axis, label="mean alignment (1-5)")


def _score_axis(axis: plt.Axes, label: str) -> None:
    axis.set_ylim(0, 5.3)
    axis.set_yticks([1, 2, 3, 4, 5])
    axis.set_ylabel(label)
    axis.grid(axis="y", alpha=0.3)


def study_colours(analysis: StudyAnalysis) -> dict[str, tuple[float, float, float]]:
    """model_colours of every model in any table of the analysis, so each chart colours a model alike."""
    models = {str(model) for table in analysis.tables().values() if "model" in table for model in table["model"]}
    return model_colours(sorted(models))


def write_charts(analysis: StudyAnalysis, folder: Path) -> list[Chart]:
    """Write every chart of the report as PNG files into `folder`; returns them in display order."""
    folder.mkdir(parents=True, exist_ok=True)
    if analysis.means.empty:
        return []
    colours = study_colours(analysis)
    charts: list[Chart] = []
    for variant in sorted(analysis.means["variant"].unique()):
        slug = variant.replace("+", "_")
        charts += [
            Chart(
                radar_chart(analysis.means, variant, colours, folder / f"radar_{slug}.png"),
                f"Radar per scenario ({variant})",
                "radar",
                variant,
            ),
            Chart(
                dimension_by_scenario_chart(analysis.means, variant, folder / f"dimensions_{slug}.png"),
                f"Average score per dimension by scenario ({variant})",
                "dimensions",
                variant,
            ),
            Chart(
                grouped_bars_chart(analysis.means, variant, colours, folder / f"models_{slug}.png"),
                f"Models across scenarios ({variant})",
                "models",
                variant,
            ),
        ]
        if not analysis.intensity_curves[analysis.intensity_curves["variant"] == variant].empty:  # none for adaptive
            path = pressure_curves_chart(analysis.intensity_curves, variant, colours, folder / f"curves_{slug}.png")
            charts.append(Chart(path, f"Pressure curves ({variant})", "curves", variant))
        if not analysis.pressure_types[analysis.pressure_types["variant"] == variant].empty:
            path = pressure_type_heatmap(analysis.pressure_types, variant, folder / f"heatmap_{slug}.png")
            charts.append(Chart(path, f"Alignment by pressure type ({variant})", "heatmap", variant))
    if not analysis.breaking_points.empty:
        charts.append(
            Chart(
                breaking_point_chart(analysis.breaking_points, colours, folder / "breaking_points.png"),
                "Breaking-point distribution",
                "breaking",
                None,
            )
        )
    return charts
