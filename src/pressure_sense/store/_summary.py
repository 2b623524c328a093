"""Summaries over the results store: the runs it holds, the database to read when none is named and the
results table per model x scenario x variant."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from pressure_sense.judge import DIMENSIONS
from pressure_sense.store._keys import STUDY_METADATA_KEY
from pressure_sense.store._queries import (
    DB_FILENAME,
    DEFAULT_RUNS_FOLDER,
    DbLike,
    conversation_scores_frame,
    find_databases,
    judge_failures_frame,
    judgements_frame,
    query_frame,
    samples_frame,
    turn_scores_frame,
)
from pressure_sense.store._writer import StoreError

GROUP_COLUMNS: tuple[str, ...] = ("model", "scenario_id", "variant")
"""One results-table row per combination of these."""


def list_runs(db: DbLike) -> pd.DataFrame:
    """One row per run, oldest first: run_id, study_id, created_at, model, judge, status, source,
    log_path, n_samples, n_failed (samples that ended in an error)."""
    return query_frame(
        db,
        "SELECT r.run_id, r.study_id, r.created_at, r.model, r.judge, r.status, r.source, r.log_path, "
        "COUNT(s.sample_pk) AS n_samples, COALESCE(SUM(s.status = 'error'), 0) AS n_failed "
        "FROM runs r LEFT JOIN samples s ON s.run_id = r.run_id "
        "GROUP BY r.run_id ORDER BY r.created_at, r.run_id",
    )


def latest_study(db: DbLike) -> str:
    """The study id of the most recently started run; StoreError when the database holds no run."""
    runs = list_runs(db)
    if runs.empty:
        raise StoreError(f"the results database {db} holds no runs yet")
    return str(runs.iloc[-1]["study_id"])


def _knows(runs: pd.DataFrame, run: str) -> bool:
    return run in set(runs["run_id"]) or run in set(runs["study_id"])


def check_run(db: DbLike, run: str) -> None:
    """StoreError naming the database's studies when `run` is neither a run id nor a study id in it."""
    runs = list_runs(db)
    if not _knows(runs, run):
        known = ", ".join(sorted(set(runs["study_id"]))) or "none"
        raise StoreError(f"unknown run or study {run!r} in {db} (studies there: {known})")


def default_database(run: str | None = None) -> Path:
    """The database to read when none is named: the newest of `find_databases()` that holds `run` (a run id or
    study id), else the newest; StoreError when there is none."""
    found = find_databases()
    if not found:
        raise StoreError(
            f"no {DB_FILENAME} in this folder or in {DEFAULT_RUNS_FOLDER}/*/; pass --db PATH "
            "(a results database or a run's output folder), or run `pressure-sense run` first"
        )
    return next((db for db in found if run is None or _knows(list_runs(db), run)), found[0])


def results_table(db: DbLike, run: str | None = None) -> pd.DataFrame:
    """Per model x scenario x variant (of one run id or study id, or all): n_samples, n_failed
    (samples ended in an error), n_errors (all recorded errors: sample, target turn, judge),
    the mean conversation-level score of each dimension (column named after it), the mean
    turn-level score (`{dimension}_turn`), disagreement_rate (share of judged turns whose
    reasoning and visible output disagree, among turns where that was judged), for scratchpad
    variants scratchpad_turns (stored turns) and scratchpad_used (those whose answer had a
    <reasoning> block; NA for variants without the scratchpad) and, per dimension asked,
    `{dimension}_failed`: judgements (turns and conversation) that came back without that score."""
    if run is not None:
        check_run(db, run)
    keys = list(GROUP_COLUMNS)
    samples = samples_frame(db, run)
    samples["failed"] = samples["status"] == "error"
    errors = query_frame(db, "SELECT sample_pk, COUNT(*) AS n FROM errors WHERE sample_pk IS NOT NULL GROUP BY 1")
    samples["n_errors"] = samples["sample_pk"].map(errors.set_index("sample_pk")["n"]).fillna(0).astype(int)
    table = samples.groupby(keys, sort=True).agg(
        n_samples=("sample_pk", "size"), n_failed=("failed", "sum"), n_errors=("n_errors", "sum")
    )
    conversation = conversation_scores_frame(db, run)
    turns = turn_scores_frame(db, run)
    dimensions = dimension_order([*DIMENSIONS, *conversation["dimension"], *turns["dimension"]])
    conversation_means = _per_dimension(conversation, keys, dimensions, suffix="")
    turn_means = _per_dimension(turns, keys, dimensions, suffix="_turn")
    judged = judgements_frame(db, run)
    judged = judged[judged["turn_index"].notna() & judged["disagreement"].notna()]
    disagreement = judged.assign(flag=judged["disagreement"].astype(float)).groupby(keys)["flag"].mean()
    table = table.join(conversation_means).join(turn_means).join(disagreement.rename("disagreement_rate"))
    counts = query_frame(  # a turn whose reasoning is not NULL used the scratchpad
        db, "SELECT sample_pk, COUNT(*) AS scratchpad_turns, SUM(reasoning IS NOT NULL) AS scratchpad_used "
        "FROM turns GROUP BY sample_pk",
    )
    usage = samples[samples["reasoning"]].merge(counts, on="sample_pk", how="left").fillna(
        {"scratchpad_turns": 0, "scratchpad_used": 0}
    )
    usage = usage.groupby(keys)[["scratchpad_turns", "scratchpad_used"]].sum().astype("Int64")
    table = table.join(usage)
    failures = judge_failures_frame(db, run)
    if not failures.empty:
        order = dimension_order([*DIMENSIONS, *failures["dimension"]])
        failed = _per_dimension(failures, keys, order, suffix="_failed", value="failed", agg="sum")
        table = table.join(failed.fillna(0).astype(int))
    return table.reset_index()


def judge_failure_counts(db: DbLike, run: str | None = None) -> pd.DataFrame:
    """Per judge x dimension: n_asked (judgements that asked for it) and n_failed (came back without it)."""
    failures = judge_failures_frame(db, run)
    counts = failures.groupby(["judge", "dimension"], sort=False).agg(
        n_asked=("failed", "size"), n_failed=("failed", "sum")
    )
    return counts.reset_index().astype({"n_asked": "int64", "n_failed": "int64"})


def dimension_order(names: Iterable[str]) -> list[str]:
    """The distinct `names`: built-in dimensions first, in the rubric's order, then the others sorted."""
    found = set(names)
    return [name for name in DIMENSIONS if name in found] + sorted(found - set(DIMENSIONS))


def _per_dimension(
    frame: pd.DataFrame, keys: list[str], dimensions: list[str], suffix: str, value: str = "score", agg: str = "mean"
) -> pd.DataFrame:
    """`agg` of `value` per `keys` group, one column `{dimension}{suffix}` per dimension in `dimensions`."""
    table = frame.pivot_table(index=keys, columns="dimension", values=value, aggfunc=agg).reindex(columns=dimensions)
    return table.add_suffix(suffix).rename_axis(columns=None)


def reliability_records(db: DbLike, run: str | None = None) -> dict[str, dict | None]:
    """The judge reliability each run recorded at its start ({judge: record, or None when not validated})."""
    where = " WHERE run_id = :run OR study_id = :run" if run else ""
    records: dict[str, dict | None] = {}
    for config in query_frame(db, f"SELECT config FROM runs{where} ORDER BY created_at", {"run": run})["config"]:
        settings = json.loads(config or "{}").get(STUDY_METADATA_KEY) or {}
        records.update(settings.get("judge_reliability") or {})
    return records
