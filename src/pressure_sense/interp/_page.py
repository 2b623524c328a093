"""The self-contained interp page: matplotlib charts and CircuitsVis views inline, no network, model text escaped."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from pressure_sense.interp._activations import SURVIVES_MARGIN, confound_findings
from pressure_sense.interp._analysis import MEASURES, InterpTables
from pressure_sense.interp._capture import ConversationCapture
from pressure_sense.interp._extra import INTERP_INSTALL, InterpError
from pressure_sense.interp._lens import LensTokens
from pressure_sense.interp._plots import charts

BUNDLE = Path("dist") / "cdn" / "iife.js"
"""CircuitsVis's browser build inside the installed Python package (defines the global `CircuitsVis`)."""
_SCRIPT_ESCAPES = {ord(character): f"\\u{ord(character):04x}" for character in "<>&\u2028\u2029"}


def _table(title: str, frame: pd.DataFrame, note: str = "", digits: int = 3) -> dict[str, Any]:
    """A table for the page template: title, note, column names and rows of display strings."""

    def cell(value: Any) -> str:
        if isinstance(value, (float, np.floating)):
            return "-" if np.isnan(value) else f"{value:.{digits}f}"
        return str(value)

    rows = [[cell(value) for value in row] for row in frame.itertuples(index=False)]
    return {"title": title, "columns": [str(column) for column in frame.columns], "rows": rows, "note": note}


def circuitsvis_script() -> str:
    """The installed CircuitsVis bundle (about 1.3 MB), ready to inline: InterpError when it is missing."""
    spec = importlib.util.find_spec("circuitsvis")
    locations = list(spec.submodule_search_locations or []) if spec else []
    path = Path(locations[0]) / BUNDLE if locations else None
    if path is None or not path.is_file():
        raise InterpError(
            f"the circuitsvis package or its bundled {BUNDLE} is missing; install it with: {INTERP_INSTALL}"
        )
    return inline_script(path.read_text(encoding="utf-8"))


def inline_script(source: str) -> str:
    """JavaScript made safe inside an inline <script>: no early end tag, no comment opener, no source map."""
    source = re.sub(r"//# sourceMappingURL=\S*\s*$", "", source)
    source = re.sub(r"</(script)", r"<\\/\1", source, flags=re.IGNORECASE)
    return source.replace("<!--", "<\\!--")


def script_json(value: Any) -> str:
    """JSON that can sit inside a <script> element: <, >, & and the JS line separators as unicode escapes."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False).translate(_SCRIPT_ESCAPES)


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def findings(tables: InterpTables, heads: pd.DataFrame) -> list[str]:
    """Plain-sentence summary of the run's main numbers."""
    lines = []
    trend = tables.attention_trend
    latest = trend[trend["segment"] == "latest"].dropna(subset=["slope"])
    if not latest.empty:
        steepest = latest.loc[latest["slope"].abs().idxmax()]
        lines.append(
            f"Attention on the latest pressure turn changes most with intensity at layer {int(steepest['layer'])}: "
            f"{steepest['slope']:+.3f} share per intensity step ("
            + ("" if pd.isna(steepest["spearman"]) else f"Spearman {steepest['spearman']:+.2f}, ")
            + f"{int(steepest['turns'])} turns)."
        )
    if not tables.probe.empty:
        best = tables.probe.loc[tables.probe["accuracy"].idxmax()]
        lines.append(
            f"The intensity probe is best at layer {int(best['layer'])}: accuracy {best['accuracy']:.2f} on held-out "
            f"{best['cv']} against {best['shuffled_accuracy']:.2f} with shuffled labels, {best['position_accuracy']:.2f} "
            f"from the turn position alone and {best['chance']:.2f} for the larger class ({int(best['turns'])} turns)."
        )
        if best["position_accuracy"] >= best["accuracy"] - SURVIVES_MARGIN:
            lines.append(
                "The turn position alone separates these turns as well as the probe does: here intensity and "
                "position go together, so the probe cannot show that the model encodes pressure rather than "
                "position (no-pressure control conversations would separate the two)."
            )
    else:
        lines.append("No probe: fewer than two low- or high-intensity turns.")
    if not heads.empty:
        strongest = heads.loc[heads["kl"].idxmax()]
        lines.append(
            f"Masking head L{int(strongest['layer'])}H{int(strongest['head'])} moves the first response token most "
            f"(KL {strongest['kl']:.3f}; refusal log-odds {strongest['log_odds_change']:+.2f})."
        )
    lines.extend(confound_findings(tables.probe, tables.position_control, tables.measure_layer))
    if not tables.correlations.empty:
        strongest = tables.correlations.dropna(subset=["spearman_rho"])
        if not strongest.empty:
            row = strongest.loc[strongest["spearman_rho"].abs().idxmax()]
            lines.append(
                f"Strongest link to judged alignment: {row['measure']} (Spearman {row['spearman_rho']:+.2f}, "
                f"p = {row['spearman_p']:.3g}, {int(row['turns'])} turns in {int(row['conversations'])} conversations)."
            )
    return lines


def build_page(
    path: Path, tables: InterpTables, captures: list[ConversationCapture], heads: pd.DataFrame, lens: LensTokens,
    model: dict[str, Any], settings: dict[str, Any], files: list[Path], summary: list[str],
) -> Path:  # fmt: skip
    """Write the interp page to `path` with the `summary` findings; `captures[0]` is shown turn by turn."""
    focus = captures[0]
    view_turn = focus.view_turn
    views = []
    if view_turn is not None and view_turn.view is not None:
        for layer, attention in sorted(view_turn.views.items()):  # attention: [head, destination, source]
            props = {
                "tokens": view_turn.view.labels,
                "attention": np.round(attention.astype(float), 4).tolist(),
                "attentionHeadNames": [f"L{layer}H{head}" for head in range(attention.shape[0])],
                "maskUpperTri": True,
            }
            title = f"Layer {layer} at turn {view_turn.turn.index + 1} (intensity {view_turn.turn.intensity})"
            views.append({"title": title, "props": script_json(props)})  # CircuitsVis AttentionHeads props
    trend = tables.attention_trend.pivot(index="layer", columns="segment", values=["slope", "spearman"])
    trend_rows = pd.DataFrame({"layer": trend.index})
    for segment in ("latest", "system", "earlier"):
        if ("slope", segment) in trend.columns:
            trend_rows[f"{segment} slope"] = trend[("slope", segment)].to_numpy()
            trend_rows[f"{segment} Spearman"] = trend[("spearman", segment)].to_numpy()
    turns = tables.turns
    conversations = turns.groupby("conversation", sort=False).agg(
        label=("label", "first"), responses_by=("responses_by", "first"), turns=("turn_index", "size"),
        max_intensity=("intensity", "max"), judged_turns=("alignment", "count"),
    ).reset_index()  # fmt: skip
    context = {
        "title": "Pressure-Sense interpretability",
        "generated_at": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "model": model,
        "settings": settings,
        "versions": {name: _version(name) for name in ("pressure-sense", "transformer-lens", "circuitsvis", "torch")},
        "focus": focus.conversation,
        "focus_turns": turns[turns["conversation"] == focus.conversation.key].to_dict("records"),
        "conversations": _table("Conversations", conversations),
        "findings": summary,
        "charts": charts(tables, focus.conversation.key),
        "views": views,
        "circuitsvis_js": circuitsvis_script() if views else "",
        "trend": _table(
            "Change of attention share with intensity, per layer",
            trend_rows,
            "Slope: share per intensity step (least squares, head-averaged, every turn); Spearman: rank "
            "correlation with intensity.",
        ),
        "heads": _table(
            "Head masking at the highest-pressure turn",
            heads,
            "The heads that attend most to the latest pressure turn, each zeroed alone (hook_z): change "
            "of the refusal-vs-compliance log-odds of the first response token and KL divergence from "
            "the intact model's first-token distribution.",
        ),
        "probe": _table("Probe accuracy per layer", tables.probe),
        "position_control": _table(
            "Pressure direction against turn position",
            tables.position_control,
            "Per layer: the projection on the pressure direction, estimated without the turn's own conversation, "
            "regressed on intensity and turn position together; 95% CIs resample conversations.",
        ),
        "correlations": _table(
            "Correlation with judged alignment",
            tables.correlations,
            "Across every judged turn. Turns of one conversation are not independent: p-values "
            f"are optimistic. Layer-wise measures are read at layer {tables.measure_layer} (the "
            "probe's best layer, or the last).",
        ),
        "measures": MEASURES,
        "lens_tokens": _table(
            "Logit-lens tokens", pd.DataFrame(lens.mapping, columns=["list", "word", "first token", "single token"])
        ),
        "judged": bool(turns["alignment"].notna().any()),
        "files": [file.name for file in files],
        "direction": tables.direction,
    }
    environment = Environment(
        loader=PackageLoader("pressure_sense.interp", "templates"),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
    )
    html = environment.get_template("interp.html.j2").render(**context)
    path.write_text(html, encoding="utf-8")
    return path
