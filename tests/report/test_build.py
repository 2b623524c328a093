"""build_report on a real SQLite study: files written, self-contained, text escaped."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from pressure_sense.report import build_report, script_json
from pressure_sense.report._sources import load_frames, resolve_sources
from pressure_sense.store import StoreError
from tests.report.hostile_study import HOSTILE_MODEL, PAYLOAD
from tests.store.synthetic import write_synthetic_store


def test_report_and_its_files_are_written(hostile_report) -> None:
    result = hostile_report
    assert result.html.is_file() and result.n_conversations == 24 and result.n_embedded == 24
    names = {path.name for path in result.charts}
    assert {
        "radar_chat.png",
        "radar_chat_reasoning.png",
        "dimensions_chat.png",
        "models_chat_reasoning.png",
        "curves_chat.png",
        "heatmap_chat.png",
        "breaking_points.png",
    } <= names
    assert all(path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for path in result.charts)
    means = pd.read_parquet(result.html.parent / "report_files" / "tables" / "means.parquet")
    assert set(means.columns) >= {"model", "scenario_id", "variant", "dimension", "mean", "ci_low", "ci_high"}
    assert len(pd.read_csv(result.html.parent / "report_files" / "tables" / "breaking_points.csv")) == 24
    assert result.findings and set(result.timings) == {"load", "analysis", "charts", "transcripts", "html"}


def test_report_is_self_contained_and_forbids_the_network(hostile_report) -> None:
    html = hostile_report.html.read_text(encoding="utf-8")
    assert "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'" in html
    assert not re.search(r"(?i)(https?:|wss?:|ftp:)//", html)
    assert not re.search(r'(?i)\b(src|href)\s*=\s*"(?!data:|#)', html)
    assert html.count('src="data:image/png;base64,') == len(hostile_report.charts)
    assert "<link" not in html


def test_model_and_judge_text_is_escaped(hostile_report) -> None:
    html = hostile_report.html.read_text(encoding="utf-8")
    assert "window.__pwned" in html  # the payload is there, as data
    assert "<script>window.__pwned" not in html and "<img src=x" not in html and 'href="javascript' not in html
    assert "\u2028" not in html and "<!--" not in html
    assert HOSTILE_MODEL not in html and "evil&lt;b&gt;&#34;model&#34;&lt;/b&gt;" in html
    data = re.search(r'<script type="application/json" id="transcript-data">(.*?)</script>', html, re.S).group(1)
    transcripts = json.loads(data)
    assert all(t["breaking"] == "held" or isinstance(t["breaking"], int) for t in transcripts)
    first = next(t for t in transcripts if t["turns"][1]["output"] == PAYLOAD)
    assert first["turns"][1]["reasoning"] == PAYLOAD
    assert first["turns"][1]["scores"]["alignment"][1] == PAYLOAD


def test_script_json_round_trips_and_cannot_close_the_script() -> None:
    value = {"text": PAYLOAD, "n": [1, 2.5, None, True]}
    encoded = script_json(value)
    assert json.loads(encoded) == value
    assert not set("<>&\u2028\u2029") & set(encoded)


def test_transcript_cap_keeps_the_first_epochs_and_says_so(tmp_path: Path) -> None:
    db = tmp_path / "results.sqlite"
    write_synthetic_store(db, 48, 3, models=("m",), scenarios=("s",), seed=1)
    result = build_report([db], tmp_path / "report.html", max_transcripts_per_group=5, n_boot=100)
    html = result.html.read_text(encoding="utf-8")
    assert result.n_conversations == 48 and result.n_embedded == 10
    assert "10 of 48 conversations are embedded: the first 5 epochs" in html
    data = json.loads(re.search(r'id="transcript-data">(.*?)</script>', html, re.S).group(1))
    assert sorted({item["epoch"] for item in data}) == [1, 2, 3, 4, 5]


def test_several_databases_and_run_ids_combine(tmp_path: Path) -> None:
    first, second = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    write_synthetic_store(first, 12, 3, models=("m1",), scenarios=("s",), study_id="study-a")
    write_synthetic_store(second, 12, 3, models=("m2",), scenarios=("s",), study_id="study-b")
    both = build_report([first, second], tmp_path / "both.html", n_boot=100)
    assert both.n_conversations == 24
    one_run = load_frames(resolve_sources(["study-a-run-0"], db=first))
    assert len(one_run.samples) == 12 and set(one_run.turn_scores["model"]) == {"m1"}
    assert one_run.runs["config"].iloc[0]["task_args"]["scenarios"] == ["s"]


def test_user_mistakes_are_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no results database"):
        build_report([tmp_path / "missing-folder" / "results.sqlite"], tmp_path / "r.html", db=tmp_path / "none.sqlite")
    db = tmp_path / "results.sqlite"
    write_synthetic_store(db, 4, 2)
    with pytest.raises(StoreError, match="unknown run or study 'nope'"):
        build_report(["nope"], tmp_path / "r.html", db=db)


def test_unjudged_study_with_a_failed_sample_still_reports(tmp_path: Path) -> None:
    db = tmp_path / "results.sqlite"
    write_synthetic_store(db, 8, 3)
    connection = sqlite3.connect(db)
    with connection:
        connection.execute("DELETE FROM scores")
        connection.execute("DELETE FROM judgements")
        connection.execute("UPDATE runs SET judge = NULL")
        connection.execute("UPDATE samples SET status = 'error', error = 'target <failed>' WHERE sample_pk = 1")
    connection.close()
    result = build_report([db], tmp_path / "report.html", n_boot=100)
    html = result.html.read_text(encoding="utf-8")
    assert result.findings == ["No judged turns were found, so there is nothing to compare yet."]
    assert result.charts == [] and result.n_embedded == 8
    assert "8 (1 ended in an error: no scores" in html and "not judged" in html
    assert re.search(r"<th>errored sample: [^<]+ epoch \d+</th><td>target &lt;failed&gt;</td>", html)
    assert "<th>judge failures per dimension</th><td>none (nothing was judged)</td>" in html
    data = json.loads(re.search(r'id="transcript-data">(.*?)</script>', html, re.S).group(1))
    assert data[0]["error"] == "target <failed>" and data[1]["error"] is None
    assert all(item["breaking"] is None for item in data)  # not judged, so neither held nor broke
    assert "No charts: the study has no judged turns yet." in html


def test_an_unreliable_alignment_gets_no_breaking_points_and_its_reliability_is_exported(tmp_path: Path) -> None:
    db = tmp_path / "results.sqlite"
    write_synthetic_store(db, 2, 6)
    reliability = {"alignment": "not reliable, Spearman 0.41 [0.30, 0.50]", "truthfulness": "Spearman 0.72 [0.61, 0.80]"}
    result = build_report([db], tmp_path / "report.html", n_boot=50, judge_reliability=reliability)
    assert "breaking_points.png" not in {path.name for path in result.charts}
    assert not (tmp_path / "report_files" / "charts" / "breaking_points.png").exists()
    assert pd.read_csv(tmp_path / "report_files" / "tables" / "breaking_points.csv").empty
    assert result.findings[0].startswith("No finding is written from alignment")
    html = result.html.read_text(encoding="utf-8")
    data = re.search(r'<script type="application/json" id="transcript-data">(.*?)</script>', html, re.S).group(1)
    assert all(t["breaking"] == "unreliable" for t in json.loads(data))
    assert pd.read_csv(tmp_path / "report_files" / "tables" / "ranking.csv").empty  # no rank read from it either
    for key in ("ranking", "breaking"):
        block = re.search(rf'id="table-{key}">(.*?)(<h3|</section>)', html, re.S).group(1)
        assert '<p class="note">Not shown: the judge' in block and "alignment scores are not reliable" in block
    assert 'data-table="ranking"' not in html and "No data for this table." not in html.split('id="table-means"')[0]
    exported = pd.read_parquet(tmp_path / "report_files" / "tables" / "judge_reliability.parquet")
    assert dict(zip(exported["dimension"], exported["reliability"])) == reliability
