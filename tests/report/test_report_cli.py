"""`pressure-sense report` and `pressure-sense compare` through the real typer app and SQLite files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from pressure_sense.cli import app
from tests.store.synthetic import write_synthetic_store

runner = CliRunner()


@pytest.fixture(scope="module")
def two_studies(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("cli")
    before, after = folder / "before.sqlite", folder / "after.sqlite"
    for db, study in ((before, "before"), (after, "after")):
        write_synthetic_store(db, 48, 4, models=("m",), scenarios=("s1", "s2"), seed=5, study_id=study)
    connection = sqlite3.connect(after)
    with connection:
        connection.execute("UPDATE scores SET score = score - 0.5 WHERE dimension = 'alignment'")
    connection.close()
    return before, after


def test_report_command_writes_the_report_charts_and_tables(two_studies: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "site" / "report.html"
    result = runner.invoke(app, ["report", str(two_studies[0]), "-o", str(out), "--n-boot", "200"])
    assert result.exit_code == 0, result.output
    assert "Report:" in result.output and "48 conversations" in result.output
    assert out.is_file()
    assert len(list((tmp_path / "site" / "report_files" / "charts").glob("*.png"))) == 11
    assert (tmp_path / "site" / "report_files" / "tables" / "means.csv").is_file()
    assert (tmp_path / "site" / "report_files" / "tables" / "means.parquet").is_file()


def test_report_command_names_the_known_runs_on_a_typo(two_studies: tuple[Path, Path], tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", "befor", "--db", str(two_studies[0]), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 2
    assert "unknown run or study 'befor'" in result.output and "before" in result.output
    assert "Traceback" not in result.output


def test_compare_finds_the_known_difference(two_studies: tuple[Path, Path], tmp_path: Path) -> None:
    before, after = two_studies
    out = tmp_path / "cmp" / "before_vs_after.csv"
    result = runner.invoke(app, ["compare", str(before), str(after), "-o", str(out), "--n-boot", "300"])
    assert result.exit_code == 0, result.output
    table = pd.read_parquet(out.with_suffix(".parquet"))
    pooled = table[table["scenario_id"] == "all scenarios"]
    assert len(pooled) == 2 * 4 and (pooled["n_pairs"] == 24).all()  # variant x dimension, both scenarios
    assert set(pooled["unit"]) == {"pairs within scenarios"}
    table = table[table["scenario_id"] != "all scenarios"]
    assert len(table) == 2 * 2 * 4  # scenario x variant x dimension
    alignment = table[table["dimension"] == "alignment"]
    assert alignment["delta"].between(0.45, 0.5 + 1e-9).all() and (alignment["ci_low"] > 0.3).all()
    others = table[table["dimension"] != "alignment"]
    assert (others["delta"].abs() < 1e-9).all()
    assert (table["n_pairs"] == 12).all()
    exported = pd.read_csv(out)
    assert exported[exported["scenario_id"] != "all scenarios"]["delta"].round(6).tolist() == table["delta"].round(
        6
    ).tolist()


def test_compare_of_an_unknown_database_is_one_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["compare", "x-run", "y-run", "--db", str(tmp_path / "missing.sqlite")])
    assert result.exit_code == 2 and "no results database" in result.output and "Traceback" not in result.output
