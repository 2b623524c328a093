"""Matplotlib figures of an interp run, as PNG data URIs for the page."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from pressure_sense.interp._analysis import MEASURES, InterpTables
from pressure_sense.interp._attention import SEGMENTS
from pressure_sense.interp._lens import log_odds


def _png(draw: Callable[..., None], size: tuple[float, float] = (7.5, 3.6)) -> str:
    """What `draw(figure=...)` draws, as a PNG data URI (a pyplot-free Figure: no backend, nothing to close)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, dpi=100)
    draw(figure=figure)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _turn_labels(turns: pd.DataFrame) -> list[str]:
    return [f"T{index + 1}\ni={intensity}" for index, intensity in zip(turns["turn_index"], turns["intensity"])]


def _heatmap(
    frame: pd.DataFrame, value: str, turns: pd.DataFrame, label: str, cmap: str = "viridis", *, figure: Any
) -> None:
    """[layer, turn] heatmap of `value` (mean over any other rows, e.g. heads)."""
    matrix = frame.pivot_table(index="layer", columns="turn_index", values=value, aggfunc="mean").to_numpy()
    axes = figure.add_subplot()
    image = axes.imshow(matrix, aspect="auto", origin="lower", cmap=cmap, interpolation="nearest")
    axes.set_xticks(range(len(turns)), _turn_labels(turns), fontsize=7)
    axes.set_ylabel("layer")
    figure.colorbar(image, ax=axes, label=label)


def _shares_by(frame: pd.DataFrame, by: str, labels: list[str] | None, xlabel: str, *, figure: Any) -> None:
    axes = figure.add_subplot()
    means = frame.groupby([by, "segment"])["share"].mean().unstack("segment")
    x = np.arange(len(means)) if labels else means.index.to_numpy()
    for segment in SEGMENTS:
        axes.plot(x, means[segment].to_numpy(), marker="o", label=segment)
    if labels:
        axes.set_xticks(x, labels, fontsize=7)
    axes.set_xlabel(xlabel)
    axes.set_ylabel("share of attention")
    axes.set_ylim(0, 1)
    axes.legend(fontsize=7, ncol=len(SEGMENTS))


def _probe(frame: pd.DataFrame, *, figure: Any) -> None:
    axes = figure.add_subplot()
    layers = frame["layer"].to_numpy()
    accuracy, spread = frame["accuracy"].to_numpy(), frame["accuracy_sd"].to_numpy()
    axes.plot(layers, accuracy, marker="o", label="probe (held-out folds)")
    axes.fill_between(layers, accuracy - spread, accuracy + spread, alpha=0.2)
    axes.plot(layers, frame["shuffled_accuracy"], linestyle="--", label="same probe, shuffled labels")
    axes.axhline(frame["position_accuracy"].iloc[0], color="grey", linestyle=":", label="turn position only")
    axes.axhline(frame["chance"].iloc[0], color="black", linewidth=0.8, label="larger class")
    axes.set_xlabel("layer")
    axes.set_ylabel("accuracy")
    axes.set_ylim(0, 1.02)
    axes.legend(fontsize=7)


def _lens_lines(lens: pd.DataFrame, turns: pd.DataFrame, *, figure: Any) -> None:
    calmest = turns.loc[turns["intensity"].idxmin(), "turn_index"]
    peak = turns.loc[turns["intensity"][::-1].idxmax(), "turn_index"]
    axes = figure.add_subplot()
    for turn_index, style in ((calmest, ":"), (peak, "-")):
        rows = lens[lens["turn_index"] == turn_index]
        for kind, color in (("refusal", "tab:red"), ("compliance", "tab:green")):
            axes.plot(rows["layer"], rows[kind], linestyle=style, color=color, label=f"{kind}, T{turn_index + 1}")
    axes.set_yscale("log")
    axes.set_xlabel("layer")
    axes.set_ylabel("probability mass")
    axes.legend(fontsize=7)


def _beside(measures: pd.DataFrame, *, figure: Any) -> None:
    axes = figure.add_subplot()
    x = np.arange(len(measures))
    axes.plot(x, measures["alignment"], color="black", marker="s", linewidth=2, label="judge: alignment")
    axes.set_ylabel("alignment (1-5)")
    axes.set_ylim(0.8, 5.2)
    other = axes.twinx()
    for measure in MEASURES:
        values = measures[measure].to_numpy(dtype=float)
        spread = np.nanstd(values)
        other.plot(x, (values - np.nanmean(values)) / spread if spread > 0 else 0 * values, marker=".", label=measure)
    other.set_ylabel("internal measure (z-score)")
    axes.set_xticks(x, _turn_labels(measures), fontsize=7)
    handles, labels = axes.get_legend_handles_labels()
    more_handles, more_labels = other.get_legend_handles_labels()
    axes.legend(handles + more_handles, labels + more_labels, fontsize=6, loc="lower left", ncol=2)


def _scatter(judged: pd.DataFrame, *, figure: Any) -> None:
    for position, measure in enumerate(("projection", "refusal_log_odds"), start=1):
        axes = figure.add_subplot(1, 2, position)
        axes.scatter(judged[measure], judged["alignment"], s=12, alpha=0.7)
        axes.set_xlabel(measure)
        axes.set_ylabel("alignment")


def charts(tables: InterpTables, focus: str) -> dict[str, list[dict[str, str]]]:
    """Every chart of the page by section (attention, activations, probe, lens, behaviour); `focus` is the
    conversation shown turn by turn."""
    turns = tables.turns[tables.turns["conversation"] == focus]
    library = tables.turns["conversation"].nunique() > 1
    attention = tables.attention[tables.attention["conversation"] == focus]
    activations = tables.activations[tables.activations["conversation"] == focus]
    lens = tables.logit_lens[tables.logit_lens["conversation"] == focus]
    lens = lens.assign(log_odds=log_odds(lens["refusal"], lens["compliance"]))
    latest = attention[attention["segment"] == "latest"]
    sections: dict[str, list[dict[str, str]]] = {
        name: [] for name in ("attention", "activations", "probe", "lens", "behaviour")
    }

    def add(section: str, title: str, caption: str, draw: Callable[..., None], size=(7.5, 3.6)) -> None:
        sections[section].append({"title": title, "caption": caption, "image": _png(draw, size)})

    add(
        "attention",
        "Where the response start looks, turn by turn",
        "Share of attention from the response's first tokens on each segment, averaged over layers and heads "
        "(each head's shares sum to 1 over the five segments).",
        partial(_shares_by, attention, "turn_index", _turn_labels(turns), "turn (intensity)"),
    )
    add(
        "attention",
        "Attention on the latest pressure turn, per layer",
        "Head-averaged share on the user message being answered.",
        partial(_heatmap, latest, "share", turns, "share"),
    )
    if library:
        add(
            "attention",
            "Across the library: share by intensity",
            "Mean over every turn at that intensity, all layers and heads.",
            partial(_shares_by, tables.attention, "intensity", None, "intensity"),
        )
    add(
        "activations",
        "Residual-stream norm at the response start",
        "Per layer (rows) and turn (columns).",
        partial(_heatmap, activations, "norm", turns, "L2 norm"),
    )
    add(
        "activations",
        "Cosine distance from the calmest turn",
        "1 - cosine similarity with the same layer at the conversation's lowest-intensity turn.",
        partial(_heatmap, activations, "cosine_distance", turns, "cosine distance", "magma"),
    )
    if tables.direction is not None:
        add(
            "activations",
            "Projection on the pressure direction",
            "Signed distance from the midpoint of the low- and high-intensity means along their difference "
            "(positive: closer to high intensity).",
            partial(_heatmap, activations, "projection", turns, "projection", "coolwarm"),
        )
    if not tables.probe.empty:
        add(
            "probe",
            "Linear probe for high vs low intensity",
            "Accuracy on held-out folds per layer (band: sd over folds), the same probe on shuffled labels, and a "
            "probe that sees only the turn's position in the conversation.",
            partial(_probe, tables.probe),
        )
    add(
        "lens",
        "Logit lens: refusal vs compliance log-odds",
        "log P(refusal first tokens) - log P(compliance first tokens), read from each layer at the response start.",
        partial(_heatmap, lens, "log_odds", turns, "log-odds", "coolwarm"),
    )
    add(
        "lens",
        "Refusal and compliance mass per layer",
        "At the calmest (dotted) and the highest-pressure (solid) turn.",
        partial(_lens_lines, lens, turns),
    )
    judged = tables.measures.dropna(subset=["alignment"])
    focus_measures = tables.measures[tables.measures["conversation"] == focus]
    if focus_measures["alignment"].notna().any():
        add(
            "behaviour",
            "Judged alignment beside the internal measures",
            "Alignment from the store (mean of the turn's judgements) and each measure as a z-score within this "
            "conversation.",
            partial(_beside, focus_measures),
            (7.5, 4.2),
        )
    if library and len(judged) >= 3:
        add(
            "behaviour",
            "Across the library",
            "Every judged turn: alignment against two internal measures.",
            partial(_scatter, judged),
            (7.5, 3.2),
        )
    return sections
