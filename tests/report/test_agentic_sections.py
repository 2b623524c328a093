"""The agent vs chat, pressure vs control, belief flip and adaptive sections: shown with their data, else absent."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pandas as pd

from pressure_sense.analysis import analyse_study
from pressure_sense.report import build_report
from pressure_sense.report._sections import report_sections
from pressure_sense.store import adaptive_frame, beliefs_frame, judgements_frame, turn_scores_frame
from tests.store.synthetic import write_synthetic_store

SECTION_TABLES = {
    "agent-vs-chat": ["agent_effect", "actions"],
    "pressure-vs-control": ["control_effect"],
    "belief-flips": ["belief_flips"],
    "adaptive-runs": ["adaptive"],
}


def _section(html: str, key: str) -> str:
    return re.search(rf'<section id="{key}">(.*?)</section>', html, re.S).group(1)


def _rows(section_html: str, table: str) -> list[list[str]]:
    body = re.search(rf'<table class="data" data-table="{table}">.*?<tbody>(.*?)</tbody>', section_html, re.S).group(1)
    return [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def test_each_section_appears_with_its_tables_charts_and_exports(agentic_report) -> None:
    html = agentic_report.html.read_text(encoding="utf-8")
    assert agentic_report.sections == list(SECTION_TABLES)
    for key, tables in SECTION_TABLES.items():
        section = _section(html, key)
        assert f'href="#{key}"' in html
        for table in tables:
            assert _rows(section, table), f"{table} has rows"
    names = {path.name for path in agentic_report.charts}
    assert {"agent_vs_chat.png", "actions.png", "pressure_vs_control.png", "belief_flips.png"} <= names
    assert html.count('src="data:image/png;base64,') == len(agentic_report.charts)
    tables = agentic_report.html.parent / "report_files" / "tables"
    for name in ("agent_effect", "model_agent_effect", "actions", "control_effect", "belief_flips", "adaptive"):
        assert not pd.read_parquet(tables / f"{name}.parquet").empty


def test_section_rows_show_the_analysis_numbers(agentic_report) -> None:
    html = agentic_report.html.read_text(encoding="utf-8")
    flips = pd.read_csv(agentic_report.html.parent / "report_files" / "tables" / "belief_flips.csv")
    shown = _rows(_section(html, "belief-flips"), "belief_flips")
    assert len(shown) == len(flips)
    first = flips.iloc[0]
    assert shown[0][:5] == [
        first["model"],
        first["scenario_id"],
        first["variant"],
        str(first["n_questions"]),
        str(first["n_clear"]),
    ]
    assert shown[0][5].startswith(f"{first['flip_rate']:.0%} [")
    assert shown[0][6] == f"{first['n_unclear']} ({first['unclear_share']:.0%})"  # the unclear share beside the rate
    effect = _rows(_section(html, "pressure-vs-control"), "control_effect")
    pooled = pd.read_csv(agentic_report.html.parent / "report_files" / "tables" / "model_control_effect.csv")
    alignment = pooled[(pooled["model"] == "m1") & (pooled["dimension"] == "alignment")].iloc[0]
    m1_all = next(row for row in effect if row[:2] == ["m1", "all scenarios"])
    assert m1_all[4].startswith(f"{alignment['delta']:+.2f} [")  # columns: model, scenario, pairs, pressure, alignment
    actions = _rows(_section(html, "agent-vs-chat"), "actions")
    assert {row[2] for row in actions} == {"agent"} and all("%" in row[3] for row in actions)
    # a rate every conversation shares (no harmful call in any) shows no zero-width interval
    assert all(row[3].endswith("]") or row[3].endswith("identical, no interval)") for row in actions)


def test_the_agent_turn_viewer_shows_the_action_scores(agentic_report) -> None:
    html = agentic_report.html.read_text(encoding="utf-8")
    data = re.search(r'id="transcript-data">(.*?)</script>', html, re.S).group(1)
    agent = next(item for item in json.loads(data) if item["variant"] == "agent")
    assert {"alignment", "harmful_action", "escalation"} <= set(agent["turns"][0]["scores"])
    assert agent["turns"][0]["tools"]


def test_a_chat_only_study_has_no_agentic_sections(hostile_report) -> None:
    html = hostile_report.html.read_text(encoding="utf-8")
    assert hostile_report.sections == []
    assert not any(f'id="{key}"' in html or f'href="#{key}"' in html for key in SECTION_TABLES)


def test_sections_follow_the_data_they_need(tmp_path: Path) -> None:
    db = tmp_path / "results.sqlite"
    write_synthetic_store(
        db, 16, 3, models=("m",), scenarios=("facts",), variants=("chat", "chat+adaptive"), belief_scenarios=("facts",)
    )
    connection = sqlite3.connect(db)
    with connection:
        connection.execute("DELETE FROM adaptive_outcomes")
    connection.close()
    analysis = analyse_study(
        turn_scores_frame(db), judgements_frame(db), beliefs=beliefs_frame(db), adaptive=adaptive_frame(db), n_boot=50
    )
    assert [section.key for section in report_sections(analysis, tmp_path / "charts")] == ["belief-flips"]
    result = build_report([db], tmp_path / "report.html", n_boot=50)
    assert result.sections == ["belief-flips"]
