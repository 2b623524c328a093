"""The report's set-up section: what was run, with which judge, scenarios, variants, epochs and versions."""

from __future__ import annotations

import json
import platform
from dataclasses import dataclass
from importlib import metadata

import pandas as pd

from pressure_sense.analysis import MIN_UNITS, Reliability, reliability_text
from pressure_sense.conversation import TARGET_ERROR_KINDS
from pressure_sense.report._sources import StudyFrames
from pressure_sense.report._tables import Cell, count_range
from pressure_sense.store import judge_failures_frame, turn_errors_frame

ERRORED_SAMPLES_SHOWN = 20
"""Errored samples named one by one in the set-up section (the rest are counted)."""


@dataclass(frozen=True)
class Setup:
    models: list[str]
    scenarios: list[str]
    variants: list[str]
    rows: list[tuple[str, str]]
    """(label, text) lines of the set-up table."""


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _epochs(samples: pd.DataFrame) -> str:
    per_cell = samples.groupby(["model", "scenario_id", "variant"])["epoch"].nunique()
    text = count_range(per_cell)
    return text if per_cell.nunique() == 1 else f"{text} per model × scenario × variant"


def conversations_per_cell(samples: pd.DataFrame) -> str:
    """Independent conversations per model x scenario x variant, the unit every interval rests on."""
    per_cell = samples.groupby(["model", "scenario_id", "variant"])["sample_pk"].nunique()
    text = f"{count_range(per_cell)} per model × scenario × variant"
    if int(per_cell.min()) < MIN_UNITS:
        text += (
            f"; a cell with fewer than {MIN_UNITS} shows its estimate with no interval; all-scenarios rows resample "
            "whole scenarios there"
        )
    return text


def _settings(configs: list[dict]) -> list[tuple[str, str]]:
    """Distinct stored run settings (task arguments, epochs, versions) as readable lines."""
    rows: dict[str, set[str]] = {}
    for config in configs:
        for key, value in (config.get("task_args") or {}).items():
            rows.setdefault(f"setting: {key}", set()).add(json.dumps(value, ensure_ascii=False, default=str))
        if "epochs" in config:
            rows.setdefault("setting: epochs", set()).add(str(config["epochs"]))
        for package, version in (config.get("versions") or {}).items():
            rows.setdefault(f"version at run time: {package}", set()).add(str(version))
    return [(label, "; ".join(sorted(values))) for label, values in sorted(rows.items())]


def _judge_failures(frames: StudyFrames) -> str:
    """`alignment 2 of 40, ...` over every judge: judgements asked a dimension that came back without it."""
    failures = pd.concat([judge_failures_frame(s.db, s.run) for s in frames.sources], ignore_index=True)
    if failures.empty:
        return "none (nothing was judged)"
    counts = failures.groupby("dimension", sort=False)["failed"].agg(["sum", "size"])
    text = ", ".join(f"{name} {int(row['sum'])} of {int(row['size'])}" for name, row in counts.iterrows())
    return text + " judgements without a score (left out of the tables)"


def _target_errors(frames: StudyFrames) -> str:
    """Turns without an ordinary answer, by kind."""
    errors = pd.concat([turn_errors_frame(s.db, s.run) for s in frames.sources], ignore_index=True)
    if errors.empty:
        return "none"
    counts = errors["kind"].value_counts()
    kinds = [kind for kind in (*TARGET_ERROR_KINDS, "other") if counts.get(kind)]
    return f"{len(errors)} turns: " + ", ".join(f"{kind} {int(counts[kind])}" for kind in kinds)


def _errored_samples(samples: pd.DataFrame) -> list[tuple[str, str]]:
    """One line per sample that ended in an error (the first ERRORED_SAMPLES_SHOWN), then a count of the rest."""
    errored = samples[samples["status"] == "error"]
    rows = [
        (f"errored sample: {r['model']} {r['sample_id']} epoch {r['epoch']}", str(r["error"] or "unknown error"))
        for r in errored.head(ERRORED_SAMPLES_SHOWN).to_dict("records")
    ]
    if len(errored) > ERRORED_SAMPLES_SHOWN:
        rows.append(("errored samples not listed", str(len(errored) - ERRORED_SAMPLES_SHOWN)))
    return rows


def study_setup(frames: StudyFrames, reliability: Reliability | None = None) -> Setup:
    """Models, judges (and their reliability: "not validated" without a record), scenarios, variants, epochs,
    conversations per cell, turns, run settings and versions of a study with conversations (build_report checks)."""
    samples, scores = frames.samples, frames.turn_scores
    models = sorted(samples["model"].unique())
    scenarios = sorted(samples["scenario_id"].unique())
    variants = sorted(samples["variant"].unique())
    judges = sorted(
        set(scores["judge"].dropna().unique()) | {j for j in frames.runs["judge"].dropna() for j in j.split(",")}
    )
    methods = sorted(scores["method"].dropna().unique())
    turns = scores.groupby(["source", "run_id", "sample_pk"])["turn_index"].nunique()
    rows = [
        ("sources", "; ".join(source.label for source in frames.sources)),
        ("studies", ", ".join(sorted(frames.runs["study_id"].astype(str).unique())) or "–"),
        ("models", ", ".join(models) or "–"),
        ("judge", (", ".join(judges) or "not judged") + (f" (method: {', '.join(methods)})" if methods else "")),
        ("scenarios", ", ".join(scenarios) or "–"),
        ("variants", ", ".join(variants) or "–"),
        ("judge reliability", reliability_text(reliability)),
        ("epochs", _epochs(samples)),
        (
            "conversations",
            f"{len(samples)} ({int((samples['status'] == 'error').sum())} ended in an error: no scores, "
            "left out of every table; `pressure-sense run --resume` runs them again)",
        ),
        *_errored_samples(samples),
        ("target errors (refusal, content filter, empty, provider error)", _target_errors(frames)),
        ("judge failures per dimension", _judge_failures(frames)),
        ("conversations per cell (unit of replication)", conversations_per_cell(samples)),
        ("judged turns per conversation", count_range(turns)),
        *_settings([config for config in frames.runs["config"] if isinstance(config, dict)]),
        (
            "report built with",
            f"pressure-sense {_version('pressure-sense')}, inspect_ai {_version('inspect_ai')}, "
            f"Python {platform.python_version()}",
        ),
    ]
    return Setup(models, scenarios, variants, rows)


RUN_COLUMNS = ["run_id", "study_id", "model", "judge", "status", "created_at", "n_samples", "n_failed"]


def run_rows(runs: pd.DataFrame) -> list[tuple[str, list[Cell]]]:
    """(model, cells) per stored run for the runs table."""
    return [
        (str(run["model"]), [(str(run[c]) if pd.notna(run[c]) else "–", c.startswith("n_")) for c in RUN_COLUMNS])
        for run in runs.to_dict("records")
    ]
