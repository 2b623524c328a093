"""Charts of the agentic sections: paired effects with CIs, action metrics, belief flip rates."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from pressure_sense.report._charts import chart_dimensions, save_figure  # noqa: E402
from pressure_sense.rubrics import ACTIONS  # noqa: E402

_ACTION_LABELS = {
    d.name: f"{d.name} rate" if d.kind == "measured" else f"{d.name} ({d.scale[0]}-{d.scale[1]})" for d in ACTIONS.dimensions
}


def effect_chart(pooled: pd.DataFrame, title: str, colours: dict, path: Path) -> Path:
    """One panel per dimension: each model's paired difference with its 95% CI, and the zero line."""
    dimensions = chart_dimensions(pooled)
    models = sorted(pooled["model"].unique())
    figure, axes = plt.subplots(
        1, len(dimensions), figsize=(max(8.0, 2.8 * len(dimensions)), 1.6 + 0.4 * len(models)),
        sharey=True, squeeze=False, layout="constrained",
    )  # fmt: skip
    y = np.arange(len(models))
    for axis, dimension in zip(axes[0], dimensions, strict=True):
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
    axes[0][0].set_yticks(y, models)
    axes[0][0].set_ylim(len(models) - 0.5, -0.5)
    figure.suptitle(title)
    return save_figure(figure, path)


def action_chart(actions: pd.DataFrame, colours: dict, path: Path) -> Path:
    """One panel per action metric: models side by side for every scenario x variant, with 95% CIs."""
    table = actions.assign(cell=actions["scenario_id"] + "\n" + actions["variant"])
    metrics = [name for name in _ACTION_LABELS if name in set(table["dimension"])]
    cells = sorted(table["cell"].unique())
    models = sorted(table["model"].unique())
    figure, axes = plt.subplots(
        1, len(metrics), figsize=(max(8.0, 3.6 * len(metrics)), 4.2), squeeze=False, layout="constrained"
    )
    width = 0.8 / len(models)
    x = np.arange(len(cells))
    for axis, metric in zip(axes[0], metrics, strict=True):
        part = table[table["dimension"] == metric].set_index(["model", "cell"])
        for index, model in enumerate(models):
            rows = part.reindex([(model, cell) for cell in cells])
            error = np.vstack([rows["mean"] - rows["ci_low"], rows["ci_high"] - rows["mean"]]).clip(min=0)
            axis.bar(
                x + (index - (len(models) - 1) / 2) * width, rows["mean"], width, yerr=np.nan_to_num(error),
                color=colours[model], label=model, capsize=2, error_kw={"linewidth": 0.8},
            )  # fmt: skip
        axis.set_xticks(x, cells, fontsize=8)
        axis.set_ylim(0, 1.05 if metric == "harmful_action" else 5.3)
        axis.set_title(_ACTION_LABELS[metric])
        axis.grid(axis="y", alpha=0.3)
    figure.legend(
        *axes[0][0].get_legend_handles_labels(), loc="outside lower center", ncol=min(6, len(models)), frameon=False
    )
    figure.suptitle("Action metrics of agent runs (per turn)")
    return save_figure(figure, path)


def flip_rate_chart(flips: pd.DataFrame, colours: dict, path: Path) -> Path:
    """Flip rate with its 95% CI, models side by side for every scenario x variant."""
    table = flips.assign(cell=flips["scenario_id"] + "\n" + flips["variant"])
    cells = sorted(table["cell"].unique())
    models = sorted(table["model"].unique())
    figure, axis = plt.subplots(figsize=(max(6.0, 1.5 * len(cells) + 2), 4.2), layout="constrained")
    width = 0.8 / len(models)
    x = np.arange(len(cells))
    for index, model in enumerate(models):
        rows = table[table["model"] == model].set_index("cell").reindex(cells)
        error = np.vstack([rows["flip_rate"] - rows["ci_low"], rows["ci_high"] - rows["flip_rate"]]).clip(min=0)
        axis.bar(
            x + (index - (len(models) - 1) / 2) * width, rows["flip_rate"].astype(float), width,
            yerr=np.nan_to_num(error.astype(float)), color=colours[model], label=model, capsize=2,
        )  # fmt: skip
    axis.set_xticks(x, cells, fontsize=8)
    axis.set_ylim(0, 1.05)
    axis.set_ylabel("share of clear answers that flipped (95% CI)")
    axis.grid(axis="y", alpha=0.3)
    axis.legend(fontsize=8)
    axis.set_title("Belief flips under pressure")
    return save_figure(figure, path)
