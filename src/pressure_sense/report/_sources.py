"""Which databases and runs a report reads, the frames loaded from them and the reliability their runs recorded."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pressure_sense.analysis import NOT_VALIDATED, Reliability
from pressure_sense.judge import reliability_lines
from pressure_sense.store import (
    adaptive_frame,
    beliefs_frame,
    check_run,
    database_path,
    default_database,
    judgements_frame,
    list_runs,
    reliability_records,
    samples_frame,
    transcripts,
    turn_scores_frame,
)

SOURCE_COLUMN = "source"
"""Added to every frame: the index of the source it came from (sample_pk is unique only within one database)."""


@dataclass(frozen=True)
class Source:
    """One database, optionally narrowed to one run id or study id."""

    db: Path
    run: str | None = None

    @property
    def label(self) -> str:
        return f"{self.db}" + (f" (run {self.run})" if self.run else "")


def resolve_sources(items: Sequence[str | Path], db: str | Path | None = None) -> list[Source]:
    """Turn CLI arguments into sources: an existing file or folder is a database; anything else is
    a run id or study id in `db` (default: `default_database` for the first run named).
    No items: the default database, whole. Raises StoreError with the fix when nothing matches."""
    default_db = database_path(db) if db is not None else None
    sources = []
    for item in items:
        path = Path(item).expanduser()
        if path.exists():
            sources.append(Source(database_path(path)))
            continue
        default_db = default_db or default_database(str(item))
        check_run(default_db, str(item))
        sources.append(Source(default_db, str(item)))
    return sources or [Source(default_db or default_database())]


@dataclass(frozen=True)
class StudyFrames:
    """The store frames of every source, concatenated, plus the runs they came from."""

    sources: list[Source]
    samples: pd.DataFrame
    turn_scores: pd.DataFrame
    judgements: pd.DataFrame
    runs: pd.DataFrame
    """list_runs rows of the runs read, plus `config` (dict) and the source index."""
    beliefs: pd.DataFrame
    """beliefs_frame rows (belief-anchored factual scenarios)."""
    adaptive: pd.DataFrame
    """adaptive_frame rows (adaptive runs)."""


def load_frames(sources: Sequence[Source]) -> StudyFrames:
    """Read the samples, turn scores, judgements, runs, beliefs and adaptive outcomes of every source."""
    readers = {
        "samples": samples_frame, "turn_scores": turn_scores_frame, "judgements": judgements_frame,
        "runs": _runs_frame, "beliefs": beliefs_frame, "adaptive": adaptive_frame,
    }  # fmt: skip
    frames = {
        name: pd.concat(
            [read(source.db, source.run).assign(**{SOURCE_COLUMN: index}) for index, source in enumerate(sources)],
            ignore_index=True,
        )
        for name, read in readers.items()
    }
    return StudyFrames(list(sources), **frames)


def _runs_frame(db: Path, run: str | None) -> pd.DataFrame:
    """list_runs rows of `run` (all without one), plus each run's stored config (JSON) as `config`."""
    runs = list_runs(db)
    if run is not None:
        runs = runs[(runs["run_id"] == run) | (runs["study_id"] == run)]
    with closing(sqlite3.connect(f"file:{database_path(db)}?mode=ro", uri=True)) as connection:
        configs = dict(connection.execute("SELECT run_id, config FROM runs").fetchall())
    return runs.assign(config=runs["run_id"].map(lambda run_id: json.loads(configs[run_id] or "{}")))


def load_transcripts(sources: Sequence[Source], chosen: pd.DataFrame) -> list[dict]:
    """The stored transcripts of the chosen conversations (columns: source, sample_pk), in `chosen` order."""
    found: dict[tuple[int, int], dict] = {}
    for index, source in enumerate(sources):
        pks = chosen.loc[chosen[SOURCE_COLUMN] == index, "sample_pk"].astype(int).tolist()
        if pks:
            for item in transcripts(source.db, pks, source.run):
                found[(index, int(item["sample_pk"]))] = item
    keys = zip(chosen[SOURCE_COLUMN].astype(int), chosen["sample_pk"].astype(int), strict=True)
    return [found[key] for key in keys if key in found]


def recorded_reliability(sources: Sequence[Source]) -> Reliability:
    """{dimension: figures} for a single judge; {"dimension (judge)": figures} for a panel; a judge that was
    never validated reads "not validated"."""
    records: dict[str, dict | None] = {}
    for source in sources:
        records.update(reliability_records(source.db, source.run))
    shown: dict[str, str] = {}
    for label, record in records.items():
        lines = reliability_lines(record)
        if not lines:
            shown[label] = NOT_VALIDATED
            continue
        suffix = f" ({label})" if len(records) > 1 else ""
        shown.update({f"{dimension}{suffix}": text for dimension, text in lines.items()})
        shown[f"measured by{suffix}"] = record["source"]
    return shown
