"""Fixtures: one real Inspect eval whose samples the store hook writes to a fresh database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from store_study import PLANTED_ENV, PLANTED_KEY, StudyRun, run_study_eval


@pytest.fixture(scope="session")
def study_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StudyRun]:
    """One real eval with the hook writing to a fresh database (shared: tests must not modify it)."""
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv(PLANTED_ENV, PLANTED_KEY)
    folder = tmp_path_factory.mktemp("study")
    db = folder / "results.sqlite"
    log, unstored_log = run_study_eval(db, folder / "logs")
    yield StudyRun(db=db, log=log, unstored_log=unstored_log)
    monkeypatch.undo()


@pytest.fixture(autouse=True)
def planted_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PLANTED_ENV, PLANTED_KEY)

