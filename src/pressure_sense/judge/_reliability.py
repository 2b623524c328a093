"""A judge's measured reliability: how far its scores agree with hand labels, recorded with every study.

For a trained judge it is the family-grouped cross-validation stored in its judge file (what a user gets on
a new scenario family); for a model judge it is the latest `judge-check` of that judge, method and rubric on
the turn-level reference set, cached under the user's cache folder; otherwise None ("not validated").
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pressure_sense.judge._engine import Judge
from pressure_sense.models import cache_root

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
        measured = judge.trained.cross_validation
        if not measured:
            return None
        counts = measured.get("counts", {})
        return {
            "judge": judge.label, "method": "trained", "rubric": rubric, "level": "turn",
            "source": (
                f"{measured.get('method', 'cross-validation')} on the turn-level reference set "
                f"({counts.get('turns', '?')} turns, {counts.get('families', '?')} scenario families)"
            ),
            "dimensions": measured.get("dimensions", {}),
            "auroc": measured.get("auroc", {}),
        }
    for method in dict.fromkeys([judge.method, "auto"]):
        path = _record_path(judge.label, method, rubric)
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    return None


def reliability_lines(record: dict[str, Any] | None) -> dict[str, str]:
    """{dimension: "Spearman 0.77 [0.72, 0.81], kappa 0.73, MAE 0.82"} for reports and summaries."""
    if not record:
        return {}
    lines = {}
    for dimension, figures in record.get("dimensions", {}).items():
        parts = []
        for name, label in (("spearman", "Spearman"), ("kappa", "kappa"), ("mae", "MAE")):
            figure = figures.get(name)
            if figure and figure.get("value") is not None:
                parts.append(f"{label} {figure['value']:.2f} [{figure['low']:.2f}, {figure['high']:.2f}]")
        lines[dimension] = ", ".join(parts)
    auroc = (record.get("auroc") or {}).get("alignment_clear")
    if auroc and "alignment" in lines:
        lines["alignment"] += f", AUROC clear pass vs fail {auroc['value']:.2f}"
    return lines
