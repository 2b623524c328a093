"""PNG charts of a study and of its report sections (matplotlib, Agg backend), one colour per model throughout."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from pressure_sense.analysis import BREAKING_THRESHOLD, StudyAnalysis  # noqa: E402
from pressure_sense.rubrics import ACTIONS  # noqa: E402
from pressure_sense.store import dimension_order  # noqa: E402

_DPI = 100
_PALETTE = plt.get_cmap("tab10").colors + plt.get_cmap("Dark2").colors
_ACTION_LABELS = {
    d.name: f"{d.name} rate" if d.kind == "measured" else f"{d.name} ({d.scale[0]}-{d.scale[1]})"
    for d in ACTIONS.dimensions
}


@dataclass(frozen=True)
class Chart:
    """One written chart: its file, a title and the variant it shows (None for all)."""

    path: Path
    title: str
    kind: str
    variant: str | None = None

    @property
    def data_uri(self) -> str:
        """The PNG inline, for the self-contained HTML."""
        return "data:image/png;base64," + base64.b64encode(self.path.read_bytes()).decode("ascii")


def model_colours(models: Iterable[str]) -> dict[str, tuple[float, float, float]]:
    """A fixed colour per model (sorted by name), the same in every chart of a report; the factorial charts
    colour pressure types with it."""
    return {model: _PALETTE[index % len(_PALETTE)] for index, model in enumerate(sorted(set(models)))}


def save_figure(figure: Figure, path: Path, title: str | None = None, **title_style: Any) -> Path:
    """Write `figure` (under its `title`, when given) as PNG to `path` and close it."""
    if title is not None:
        figure.suptitle(title, **title_style)
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


def radar_chart(table: pd.DataFrame, variant: str, colours: dict, path: Path) -> Path:
    """One radar per scenario: each model's mean on the four dimensions (1-5)."""
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
    return save_figure(figure, path, f"Mean score per dimension, by scenario ({variant})", fontsize=13)


def dimension_by_scenario_chart(table: pd.DataFrame, variant: str, path: Path) -> Path:
    """Average over models of each dimension's mean, bars grouped by scenario."""
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


def grouped_bars_chart(table: pd.DataFrame, variant: str, colours: dict, path: Path) -> Path:
    """Models side by side for every scenario, one panel per dimension, with 95% CI whiskers."""
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
    return save_figure(figure, path, f"Models compared across scenarios ({variant})")


def pressure_curves_chart(table: pd.DataFrame, variant: str, colours: dict, path: Path) -> Path:
    """Mean score against pressure intensity, one line per model with a 95% CI band, per dimension."""
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
    return save_figure(figure, path, f"Scores as pressure rises ({variant})")


def pressure_type_heatmap(table: pd.DataFrame, variant: str, path: Path) -> Path:
    """Mean alignment per model (rows) and primary pressure type (columns)."""
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
    return save_figure(figure, path, "Breaking points")


def effect_chart(pooled: pd.DataFrame, title: str, colours: dict, path: Path) -> Path:
    """One panel per dimension: each model's paired difference with its 95% CI, and the zero line."""
    dimensions = dimension_order(pooled.get("dimension", ()))
    models = sorted(pooled["model"].unique())
    figure, axes = panel_row(len(dimensions), 2.8, 1.6 + 0.4 * len(models), min_width=8.0)
    y = np.arange(len(models))
    for axis, dimension in zip(axes, dimensions, strict=True):
        rows = pooled[pooled["dimension"] == dimension].set_index("model").reindex(models)
        error = np.vstack([rows["delta"] - rows["ci_low"], rows["ci_high"] - rows["delta"]]).clip(min=0)
        for index, model in enumerate(models):
            axis.errorbar(
                rows.loc[model, "delta"], y[index], xerr=np.nan_to_num(error[:, index : index + 1]),
                fmt="o", color=colours[model], capsize=3, markersize=6,
            )  # fmt: skip
        axis.axvline(0, color="grey", linewidth=1, linestyle=":")
        axis.set_title(dimension)
        axis.set_xlabel("difference (95% CI)")
        axis.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(y, models)
    axes[0].set_ylim(len(models) - 0.5, -0.5)
    return save_figure(figure, path, title)


def action_chart(actions: pd.DataFrame, colours: dict, path: Path) -> Path:
    """One panel per action metric: models side by side for every scenario x variant, with 95% CIs."""
    table = actions.assign(cell=actions["scenario_id"] + "\n" + actions["variant"])
    metrics = [name for name in _ACTION_LABELS if name in set(table["dimension"])]
    cells = sorted(table["cell"].unique())
    models = sorted(table["model"].unique())
    figure, axes = panel_row(len(metrics), 3.6, 4.2, min_width=8.0, sharey=False)
    for axis, metric in zip(axes, metrics, strict=True):
        x = ci_bars(axis, table[table["dimension"] == metric], "cell", cells, models, colours)
        axis.set_xticks(x, cells, fontsize=8)
        axis.set_ylim(0, 1.05 if metric == "harmful_action" else 5.3)
        axis.set_title(_ACTION_LABELS[metric])
        axis.grid(axis="y", alpha=0.3)
    legend_below(figure, *axes[0].get_legend_handles_labels())
    return save_figure(figure, path, "Action metrics of agent runs (per turn)")


def flip_rate_chart(flips: pd.DataFrame, colours: dict, path: Path) -> Path:
    """Flip rate with its 95% CI, models side by side for every scenario x variant."""
    table = flips.assign(cell=flips["scenario_id"] + "\n" + flips["variant"])
    cells = sorted(table["cell"].unique())
    models = sorted(table["model"].unique())
    figure, axis = plt.subplots(figsize=(max(6.0, 1.5 * len(cells) + 2), 4.2), layout="constrained")
    x = ci_bars(axis, table, "cell", cells, models, colours, value="flip_rate")
    axis.set_xticks(x, cells, fontsize=8)
    axis.set_ylim(0, 1.05)
    axis.set_ylabel("share of clear answers that flipped (95% CI)")
    axis.grid(axis="y", alpha=0.3)
    axis.legend(fontsize=8)
    axis.set_title("Belief flips under pressure")
    return save_figure(figure, path)


def dose_response_chart(curves: pd.DataFrame, model: str, path: Path) -> Path:
    """One panel per dimension: each pressure type's mean score against intensity 0-5, with its 95% CI band."""
    part = curves[curves["model"] == model]
    dimensions = [d for d in ("alignment", "truthfulness") if d in set(part["dimension"])]
    colours = model_colours(part["pressure_type"])
    figure, axes = panel_row(len(dimensions), 5.6, 4.2, min_width=0.0)
    for axis, dimension in zip(axes, dimensions, strict=True):
        ci_lines(axis, part[part["dimension"] == dimension], "pressure_type", colours)
        axis.axhline(BREAKING_THRESHOLD, color="grey", linestyle=":", linewidth=1)
        axis.set_title(dimension)
        axis.set_xlabel("intensity (0 = neutral ask)")
        axis.set_xticks(range(6))
        axis.set_ylim(0.8, 5.2)
        axis.grid(alpha=0.3)
    axes[0].set_ylabel("mean score (95% CI)")
    figure.legend(*axes[0].get_legend_handles_labels(), loc="outside right upper", frameon=False, fontsize=8)
    return save_figure(figure, path, f"Dose-response per pressure type: {model}")


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

    def add(kind: str, title: str, draw: Callable[..., Path], table: pd.DataFrame, variant: str, *extra: dict) -> None:
        """The chart of `table`'s rows of `variant`, when it has any (adaptive runs have no intensity curves)."""
        rows = table[table["variant"] == variant]
        if not rows.empty:
            path = draw(rows, variant, *extra, folder / f"{kind}_{variant.replace('+', '_')}.png")
            charts.append(Chart(path, f"{title} ({variant})", kind, variant))

    means, curves, types = analysis.means, analysis.intensity_curves, analysis.pressure_types
    for variant in sorted(means["variant"].unique()):
        add("radar", "Radar per scenario", radar_chart, means, variant, colours)
        add("dimensions", "Average score per dimension by scenario", dimension_by_scenario_chart, means, variant)
        add("models", "Models across scenarios", grouped_bars_chart, means, variant, colours)
        add("curves", "Pressure curves", pressure_curves_chart, curves, variant, colours)
        add("heatmap", "Alignment by pressure type", pressure_type_heatmap, types, variant)
    if not analysis.breaking_points.empty:
        path = breaking_point_chart(analysis.breaking_points, colours, folder / "breaking_points.png")
        charts.append(Chart(path, "Breaking-point distribution", "breaking"))
    return charts
