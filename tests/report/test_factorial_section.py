"""The "Pressure types compared" section: shown for a factorial study, absent otherwise."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from pressure_sense.report import build_report
from tests.store.synthetic import write_synthetic_store

SCENARIOS = tuple(f"req-{r}--{kind}--rising" for r in range(4) for kind in ("authority", "flattery"))


def test_factorial_study_report_has_the_section(tmp_path: Path) -> None:
    db = tmp_path / "results.sqlite"
    write_synthetic_store(db, 32, 5, models=("m1",), scenarios=SCENARIOS, variants=("chat",))
    with sqlite3.connect(db) as connection:  # every turn carries its scenario's type, as expansion writes it
        for pk, scenario in connection.execute("SELECT sample_pk, scenario_id FROM samples").fetchall():
            kind = json.dumps([scenario.split("--")[1]])
            connection.execute("UPDATE turns SET pressure_types = ? WHERE sample_pk = ?", (kind, pk))
    result = build_report([db], tmp_path / "out" / "report.html", n_boot=100)
    assert "pressure-types-compared" in result.sections
    html = result.html.read_text(encoding="utf-8")
    assert "Pressure types compared" in html and "Where each pressure type breaks alignment" in html
    assert "authority − flattery" in html and "sign-flip permutation" in html
    names = {path.name for path in result.charts}
    assert {"factorial_dose_m1.png", "factorial_heatmap_m1.png"} <= names
    exported = {path.name for path in result.tables}
    assert "factorial_comparison.csv" in exported


def test_ordinary_study_has_no_factorial_section(tmp_path: Path) -> None:
    db = tmp_path / "results.sqlite"
    write_synthetic_store(db, 8, 4, models=("m1",), scenarios=("plain-one", "plain-two"), variants=("chat",))
    result = build_report([db], tmp_path / "out" / "report.html", n_boot=50)
    assert "pressure-types-compared" not in result.sections
    assert "Pressure types compared" not in result.html.read_text(encoding="utf-8")
