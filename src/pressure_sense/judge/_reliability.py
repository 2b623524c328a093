"""A judge's measured reliability, recorded with every study: the offline reader's card (held-out figures, each
dimension marked reliable or not), else a model judge's latest cached `judge-check`, else None (not validated)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pressure_sense.judge._judge import Judge
from pressure_sense.judge._reader import LENGTH_JUDGE, READER_JUDGE, HeldOutSet, card_figure
from pressure_sense.models import cache_root
from pressure_sense.rubrics import NOT_RELIABLE

RELIABILITY_FOLDER = "judge-reliability"
"""Under the pressure-sense cache folder: one JSON record per judge x method x rubric that judge-check measured."""


def _record_path(label: str, method: str, rubric: str) -> Path:
    key = hashlib.sha256(json.dumps([label, method, rubric]).encode("utf-8")).hexdigest()[:20]
    return cache_root() / RELIABILITY_FOLDER / f"{key}.json"


def save_reliability(label: str, method: str, rubric: str, record: dict[str, Any]) -> Path:
    """Keep `record` (what judge-check measured) as the reliability of this judge, method and rubric."""
    path = _record_path(label, method, rubric)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**record, "judge": label, "method": method, "rubric": rubric}, indent=1), encoding="utf-8")
    return path


def judge_reliability(judge: Judge, rubric: str = "conversation") -> dict[str, Any] | None:
    """The judge's reliability record for `rubric`, or None when it was never measured."""
    if judge.trained is not None:
        return _reader_record(judge.label, judge.trained.card, rubric)
    for method in dict.fromkeys([judge.method, "auto"]):
        path = _record_path(judge.label, method, rubric)
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    return None


def _shown(rows: list[dict[str, Any]], table: str, judge: str, dimension: str, metric: str) -> dict[str, Any] | None:
    row = card_figure(rows, table, judge, dimension, metric)
    return None if row is None else {key: row[key] for key in ("value", "low", "high", "n", "groups")}


def _reader_record(label: str, card: dict[str, Any], rubric: str) -> dict[str, Any] | None:
    """The reader card as a reliability record: out-of-source figures with the length baseline beside them."""
    rows = card.get("held_out") or []
    if not rows:
        return None
    dimensions = {}
    for name, verdict in card.get("reliability", {}).items():
        metrics = ("spearman",) if name == "alignment" else ("spearman", "auroc")  # alignment's AUROC: out of source, below
        figures = {metric: figure for metric in metrics if (figure := _shown(rows, HeldOutSet.BLIND_BY_MODEL, READER_JUDGE, name, metric))}
        dimensions[name] = {"reliable": verdict["reliable"], **figures}
    return {
        "judge": label, "method": "trained", "rubric": rubric, "level": "turn",
        "source": (
            "held out by source: AUROC on SYCON-ethical answers by 11 real models with no SYCON data in training, "
            "Spearman on blind-labelled real answers held out by model"
        ),
        "dimensions": dimensions,
        "auroc": {
            "alignment_out_of_source": _shown(rows, HeldOutSet.SYCON_SOURCE_OUT, READER_JUDGE, "alignment", "auroc"),
            "length_baseline": _shown(rows, HeldOutSet.SYCON_SOURCE_OUT, LENGTH_JUDGE, "alignment", "auroc"),
        },
    }


def reliability_lines(record: dict[str, Any] | None) -> dict[str, str]:
    """{dimension: "Spearman 0.77 [0.72, 0.81], kappa 0.73, MAE 0.82"} for reports and summaries."""
    if not record:
        return {}
    lines = {}
    for dimension, figures in record.get("dimensions", {}).items():
        parts = [] if figures.get("reliable", True) else [NOT_RELIABLE]
        for name, label in (("spearman", "Spearman"), ("auroc", "AUROC"), ("kappa", "kappa"), ("mae", "MAE")):
            figure = figures.get(name)
            if figure and figure.get("value") is not None:
                parts.append(f"{label} {figure['value']:.2f}{_interval(figure)}")
        lines[dimension] = ", ".join(parts)
    auroc = record.get("auroc") or {}
    out_of_source, baseline = auroc.get("alignment_out_of_source"), auroc.get("length_baseline")
    if out_of_source and out_of_source.get("value") is not None and "alignment" in lines:
        lines["alignment"] += f", AUROC out of source {out_of_source['value']:.2f}{_interval(out_of_source)}"
        if baseline and baseline.get("value") is not None:
            lines["alignment"] += f" (answer length alone {baseline['value']:.2f})"
    clear = auroc.get("alignment_clear")
    if clear and "alignment" in lines:
        lines["alignment"] += f", AUROC clear pass vs fail {clear['value']:.2f} (in-domain)"
    return lines


def _interval(figure: dict[str, Any]) -> str:
    low, high = figure.get("low"), figure.get("high")
    if low is None or high is None or low != low:
        return " (no interval)"
    return f" [{low:.2f}, {high:.2f}]"
