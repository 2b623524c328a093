"""The Inspect hook that writes each pressure-sense sample to the results store as it finishes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import anyio
from inspect_ai.hooks import Hooks, SampleEnd, TaskEnd, TaskStart, hooks
from inspect_ai.log import EvalLog, read_eval_log_sample_summaries, read_eval_log_samples_by_id

from pressure_sense.store._keys import study_settings
from pressure_sense.store._writer import ResultsStore


@dataclass
class ActiveRun:
    """A task being run and the store run its samples go to."""

    store: ResultsStore
    run_id: str


@hooks(name="pressure_sense_store", description="Writes pressure-sense samples to the results store as they finish.")
class ResultsStoreHook(Hooks):
    """Acts only on tasks whose metadata has a `pressure_sense` dict naming a `db`; other evals are untouched."""

    def __init__(self) -> None:
        self._runs: dict[str, ActiveRun] = {}
        self._stores: dict[Path, tuple[ResultsStore, int]] = {}

    async def on_task_start(self, data: TaskStart) -> None:
        settings = study_settings(data.spec.metadata)
        if not settings.get("db"):
            return
        store = self._acquire(Path(settings["db"]))
        self._runs[data.eval_id] = ActiveRun(store, store.start_task_run(data.spec, data.eval_id))

    async def on_sample_end(self, data: SampleEnd) -> None:
        active = self._runs.get(data.eval_id)
        if active is not None:
            await anyio.to_thread.run_sync(active.store.write_sample, active.run_id, data.sample)

    async def on_task_end(self, data: TaskEnd) -> None:
        active = self._runs.pop(data.eval_id, None)
        if active is None:
            return
        try:
            await anyio.to_thread.run_sync(finish_task_run, active, data.log)
        finally:
            self._release(active.store)

    def _acquire(self, path: Path) -> ResultsStore:
        key = path.resolve()
        store, users = self._stores.get(key) or (ResultsStore(key), 0)
        self._stores[key] = (store, users + 1)
        return store

    def _release(self, store: ResultsStore) -> None:
        key = store.path.resolve()
        _, users = self._stores[key]
        if users > 1:
            self._stores[key] = (store, users - 1)
        else:
            del self._stores[key]
            store.close()


def finish_task_run(active: ActiveRun, log: EvalLog) -> None:
    """Store any sample the log holds but the store lacks (finished just before a crash), then mark the run."""
    stored = active.store.stored_samples(active.run_id)
    if log.location and Path(log.location).exists():
        missing = [
            (summary.id, summary.epoch)
            for summary in read_eval_log_sample_summaries(log.location)
            if (str(summary.id), summary.epoch) not in stored
        ]
        if missing:
            for sample in read_eval_log_samples_by_id(
                log.location, missing, resolve_attachments=True, exclude_fields={"events"}
            ):
                active.store.write_sample(active.run_id, sample)
    error = log.error.message if log.error else None
    active.store.finish_run(active.run_id, log.status, error=error, log_path=log.location or None)
