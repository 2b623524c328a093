"""Charts of the agentic sections: paired effects with CIs, action metrics, belief flip rates."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from pressure_sense.report._charts import ci_bars, legend_below, panel_row, save_figure  # noqa: E402
from pressure_sense.store import dimension_order  # noqa: E402
from pressure_sense.rubrics import ACTIONS  # noqa: E402

_ACTION_LABELS = {
    d.name: f"{d.name} rate" if d.kind == "measured" else f"{d.name} ({d.scale[0]}-{d.scale[1]})" for d in ACTIONS.dimensions
}


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
    figure.suptitle(title)
    return save_figure(figure, path)


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
    figure.suptitle("Action metrics of agent runs (per turn)")
    return save_figure(figure, path)


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
