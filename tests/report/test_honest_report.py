"""A default-study report, `results` and `compare`: no cell of one conversation shows an interval,
every table states its unit, and the scratchpad's use is counted."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pressure_sense.cli import app
from pressure_sense.report import build_report
from tests.store.synthetic import write_synthetic_store

runner = CliRunner()
SCENARIOS = tuple(f"scenario-{i}" for i in range(1, 7))
ZERO_WIDTH = re.compile(r"\[([+-]?\d+(?:\.\d+)?%?), \1\]")
"""`[x, x]`: an interval of zero width, which one conversation used to print."""
AN_INTERVAL = re.compile(r"\[[+-]?\d+(?:\.\d+)?%?, [+-]?\d+(?:\.\d+)?%?\]")


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")


def default_study(db: Path, seed: int = 0, study_id: str = "default") -> Path:
    """1 model x 6 scenarios x 2 variants x 1 epoch, as the default study plays them."""
    write_synthetic_store(
        db, 12, 6, models=("embedded",), scenarios=SCENARIOS, variants=("chat", "chat+reasoning"),
        seed=seed, study_id=study_id,
    )  # fmt: skip
    return db


@pytest.fixture(scope="module")
def studies(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("default")
    return default_study(folder / "a.sqlite"), default_study(folder / "b.sqlite", seed=1, study_id="other")


def _rows(html: str, key: str) -> list[str]:
    table = html.split(f'data-table="{key}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr data-filterable.*?</tr>", table, flags=re.DOTALL)


def test_default_study_report_shows_no_interval_for_one_conversation(
    studies: tuple[Path, Path], tmp_path: Path
) -> None:
    result = build_report([studies[0]], tmp_path / "report.html", n_boot=200)
    html = result.html.read_text(encoding="utf-8")
    assert not ZERO_WIDTH.search(html), ZERO_WIDTH.search(html)
    for key in ("means", "sensitivity", "reasoning", "disagreement"):
        per_scenario = [row for row in _rows(html, key) if "all scenarios" not in row]
        assert per_scenario and all(not AN_INTERVAL.search(row) for row in per_scenario), key
        assert all("n=1, no interval" in row for row in per_scenario), key
    pooled = [row for row in _rows(html, "sensitivity") + _rows(html, "reasoning") if "all scenarios" in row]
    assert len(pooled) == 3 and all(AN_INTERVAL.search(row) and "scenarios" in row for row in pooled)
    assert html.count("Unit of replication:") >= 6
    assert "conversations per cell (unit of replication)" in html and "1 per model × scenario × variant" in html
    assert "judge reliability" in html and "not validated" in html
    assert "clear effect" not in html and "clear difference" not in html
    assert "36 of 36 turns (100%)" in html


def test_report_shows_the_judge_reliability_it_is_given(studies: tuple[Path, Path], tmp_path: Path) -> None:
    reliability = {"alignment": {"alpha": 0.61, "n": 120}}
    result = build_report([studies[0]], tmp_path / "report.html", n_boot=200, judge_reliability=reliability)
    html = result.html.read_text(encoding="utf-8")
    assert "<th>judge reliability</th><td>alignment: alpha 0.61, n 120</td>" in html
    assert result.findings[-1] == "Judge reliability: alignment: alpha 0.61, n 120."


def test_scratchpad_never_used_is_reported_as_such(tmp_path: Path) -> None:
    db = default_study(tmp_path / "results.sqlite")
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE turns SET reasoning = NULL")
    result = build_report([db], tmp_path / "report.html", n_boot=200)
    html = result.html.read_text(encoding="utf-8")
    rows = _rows(html, "reasoning")
    assert len(rows) == 7 and all("not reported: scratchpad never used" in row for row in rows)
    assert "0 of 36 turns (0%)" in html and "0 of 6 turns (0%)" in html
    assert any("0 of 36 turns" in finding for finding in result.findings)
    output = runner.invoke(app, ["results", str(db)]).output
    assert "Scratchpad format used in 0 of 36 turns" in output and "No scratchpad effect can be measured" in output


def test_results_prints_no_interval_and_counts_scratchpad_use(studies: tuple[Path, Path]) -> None:
    result = runner.invoke(app, ["results", str(studies[0])])
    assert result.exit_code == 0, result.output
    assert not AN_INTERVAL.search(result.output)
    assert "6 of 6" in result.output and "Scratchpad format used in 36 of 36 turns" in result.output
    assert "unit of replication" in result.output


def test_compare_without_replicates_says_so_and_pools_over_scenarios(
    studies: tuple[Path, Path], tmp_path: Path
) -> None:
    flags = ["compare", str(studies[0]), str(studies[1]), "-o", str(tmp_path / "c.csv"), "--n-boot", "200"]
    result = runner.invoke(app, flags)
    assert result.exit_code == 0, result.output
    assert "No replicates per scenario × variant" in result.output
    per_scenario = [line for line in result.output.splitlines() if "scenario-" in line]
    assert len(per_scenario) == 6 * 2 * 4 and all("n=1, no interval" in line for line in per_scenario)
    pooled = [line for line in result.output.splitlines() if "│ chat" in line and "scenario-" not in line]
    assert len(pooled) == 2 * 4 and all(AN_INTERVAL.search(line) and "scenarios" in line for line in pooled)
    assert not ZERO_WIDTH.search(result.output)


def test_adaptive_runs_have_their_own_section_and_no_pressure_curve(agentic_report) -> None:
    html = agentic_report.html.read_text(encoding="utf-8")
    assert 'data-table="adaptive_trajectories"' in html and "conversations still running" in html
    assert not any("curves_chat_adaptive" in path.name for path in agentic_report.charts)
    sensitivity = _rows(html, "sensitivity")
    assert sensitivity and not any("chat+adaptive" in row for row in sensitivity)
