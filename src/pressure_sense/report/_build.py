"""build_report: read the store, analyse, draw, and write one self-contained HTML file with exports."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from pressure_sense.analysis import (
    DEFAULT_BOOTSTRAP,
    Reliability,
    StudyAnalysis,
    analyse_study,
    headline_findings,
    unreliable_dimensions,
)
from pressure_sense.report._charts import write_charts
from pressure_sense.report._sections import report_sections
from pressure_sense.report._setup import RUN_COLUMNS, run_rows, study_setup
from pressure_sense.report._sources import load_frames, load_transcripts, recorded_reliability, resolve_sources
from pressure_sense.report._tables import Row, Table, report_tables
from pressure_sense.report._viewer import DEFAULT_TRANSCRIPT_CAP, choose_conversations, compact_transcript, script_json
from pressure_sense.store import StoreError


ALIGNMENT_CLAIMS = {
    "ranking": ("ranking",),
    "breaking": ("breaking_points", "breaking_summary"),
    "factorial_crossings": ("factorial_crossings",),
}
"""Report tables (and the analysis tables behind them) that read a rank or a breaking point from alignment:
left empty, saying why, when alignment is not reliable."""
WITHHELD = (
    "Not shown: the judge's alignment scores are not reliable (see the judge reliability above), so no rank or "
    "breaking point is read from them."
)


def _withheld(tables: list[Table], alignment_reliable: bool) -> list[Table]:
    """`tables`, those left empty because alignment is not reliable saying so."""
    if alignment_reliable:
        return tables
    return [replace(t, empty=WITHHELD) if t.key in ALIGNMENT_CLAIMS else t for t in tables]


@dataclass(frozen=True)
class ReportResult:
    """What build_report wrote."""

    html: Path
    charts: list[Path]
    tables: list[Path]
    """CSV and Parquet exports of the analysis tables."""
    findings: list[str]
    n_conversations: int
    n_embedded: int
    """Conversations embedded in the transcript viewer (see the cap)."""
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds spent per stage: load, analysis, charts, transcripts, html."""
    sections: list[str] = field(default_factory=list)
    """Keys of the agentic sections shown (agent-vs-chat, pressure-vs-control, belief-flips, adaptive-runs)."""


def _write_exports(
    analysis: StudyAnalysis, findings: list[str], folder: Path, reliability: Reliability | None = None
) -> list[Path]:
    """Write every analysis table, the findings and the judge's reliability (per dimension, "not validated"
    without a record) as `NAME.csv` and `NAME.parquet` (object columns as strings); returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    shown = {name: str(value) for name, value in (reliability or {"all dimensions": "not validated"}).items()}
    judge = pd.DataFrame({"dimension": list(shown), "reliability": list(shown.values())})
    extra = {"findings": pd.DataFrame({"finding": findings}), "judge_reliability": judge}
    for name, frame in {**analysis.tables(), **extra}.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
        portable = frame.assign(**{c: frame[c].astype("string") for c in frame.columns if frame[c].dtype == object})
        portable.to_parquet(folder / f"{name}.parquet", index=False)
        written += [folder / f"{name}.csv", folder / f"{name}.parquet"]
    return written


def build_report(
    db_paths_or_runs: Sequence[str | Path],
    out_path: str | Path,
    *,
    db: str | Path | None = None,
    max_transcripts_per_group: int | None = DEFAULT_TRANSCRIPT_CAP,
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
    title: str = "Pressure-Sense report",
    judge_reliability: Reliability | None = None,
) -> ReportResult:
    """Write the HTML report of the given databases (files or run folders) or run/study ids (in `db`).

    Next to `out_path` it writes `<stem>_files/charts/*.png` and `<stem>_files/tables/*.csv|parquet`; the HTML
    holds everything inline and loads nothing from the network. The transcript viewer embeds the first
    `max_transcripts_per_group` epochs of each model x scenario x variant (None or 0: all). `judge_reliability`
    ({dimension: text or figures}) is shown in the set-up and the findings; by default what each run recorded
    for its judges ("not validated" where nothing was measured). Raises StoreError for a missing database, an
    unknown run, or a study without conversations.
    """
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(stage: str) -> None:
        nonlocal started
        now = time.perf_counter()
        timings[stage] = now - started
        started = now

    sources = resolve_sources(list(db_paths_or_runs), db)
    frames = load_frames(sources)
    if frames.samples.empty:
        raise StoreError(f"no conversations stored in {', '.join(s.label for s in sources)}; run a study first")
    lap("load")
    if judge_reliability is None:
        judge_reliability = recorded_reliability(sources) or None
    analysis = analyse_study(
        frames.turn_scores,
        frames.judgements,
        beliefs=frames.beliefs,
        adaptive=frames.adaptive,
        n_boot=n_boot,
        seed=seed,
    )
    findings = headline_findings(analysis, judge_reliability)
    alignment_reliable = "alignment" not in unreliable_dimensions(judge_reliability)
    if not alignment_reliable:
        claims = [name for names in ALIGNMENT_CLAIMS.values() for name in names]
        analysis = replace(analysis, **{name: getattr(analysis, name).iloc[0:0] for name in claims})
    lap("analysis")
    out = Path(out_path)
    assets = out.parent / f"{out.stem}_files"
    charts = write_charts(analysis, assets / "charts")
    sections = report_sections(analysis, assets / "charts")
    tables = _write_exports(analysis, findings, assets / "tables", judge_reliability)
    lap("charts")
    chosen = choose_conversations(frames.samples, max_transcripts_per_group)
    breaking = {
        (str(row["run_id"]), int(row["sample_pk"])): ("held" if row["held"] else int(row["breaking_turn"]))
        for row in analysis.breaking_points[["run_id", "sample_pk", "held", "breaking_turn"]].to_dict("records")
    }
    embedded = [
        compact_transcript(item, breaking.get((str(item["run_id"]), int(item["sample_pk"]))) if alignment_reliable else "unreliable")
        for item in load_transcripts(sources, chosen)
    ]
    lap("transcripts")
    setup = study_setup(frames, judge_reliability)
    total = len(frames.samples)
    cap_note = (
        f"All {total} conversations are embedded."
        if len(embedded) == total
        else f"{len(embedded)} of {total} conversations are embedded: the first {max_transcripts_per_group} epochs of "
        f"each model × scenario × variant (all of them are in the results database and in the tables above)."
    )
    environment = Environment(
        loader=PackageLoader("pressure_sense.report", "templates"),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
        keep_trailing_newline=True,
    )
    html = environment.get_template("report.html.j2").render(
        title=title,
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        n_conversations=total,
        setup=setup,
        filters=[
            ("model", "Model", setup.models),
            ("scenario", "Scenario", setup.scenarios),
            ("variant", "Variant", setup.variants),
        ],
        runs=Table("runs", "Runs", RUN_COLUMNS, [Row(cells, model) for model, cells in run_rows(frames.runs)]),
        findings=findings,
        charts=charts,
        tables=_withheld(report_tables(analysis), alignment_reliable),
        sections=[replace(s, tables=_withheld(s.tables, alignment_reliable)) for s in sections],
        transcript_note=cap_note,
        transcript_json=script_json(embedded),
        css=environment.loader.get_source(environment, "report.css")[0],
        js=environment.loader.get_source(environment, "report.js")[0],
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    lap("html")
    all_charts = [c.path for c in charts] + [c.path for section in sections for c in section.charts]
    return ReportResult(out, all_charts, tables, findings, total, len(embedded), timings, [s.key for s in sections])
