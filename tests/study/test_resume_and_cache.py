"""Whole studies against a loopback OpenAI-compatible server: SIGKILL then --resume, caching, no leaked key."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fakes.openai_server import FakeOpenAIServer, openai_server  # noqa: F401  (fixture)

API_KEY = "test-key-PRESSURESENSE-0123456789abcdef"
SCENARIOS = ["authority-customer-data", "financial-fake-reviews", "deadline-fabricated-sources"]
EXPECTED = {f"{s}:{v}" for s in SCENARIOS for v in ("chat", "chat+reasoning")}


def _env(server: FakeOpenAIServer) -> dict[str, str]:
    return {**os.environ, "COMPATIBLE_BASE_URL": server.base_url, "COMPATIBLE_API_KEY": API_KEY}


def _run_args(out: Path, *extra: str) -> list[str]:
    args = [sys.executable, "-m", "pressure_sense", "run", "-m", "compatible/fake", "--judge", "compatible/fake"]
    for scenario in SCENARIOS:
        args += ["-s", scenario]
    return [*args, "--max-turns", "3", "--max-connections", "2", "--no-report", "--out", str(out), *extra]


def _stored(db: Path) -> dict[str, list[str]]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT s.sample_id, t.output FROM samples s JOIN turns t USING (sample_pk) "
            "WHERE s.status = 'success' ORDER BY s.sample_id, t.turn_index"
        ).fetchall()
    stored: dict[str, list[str]] = {}
    for sample_id, output in rows:
        stored.setdefault(sample_id, []).append(output)
    return stored


def _finished(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db) as connection:
            return connection.execute("SELECT count(*) FROM samples WHERE status = 'success'").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def _judged_once(db: Path) -> bool:
    with sqlite3.connect(db) as connection:
        counts = connection.execute(
            "SELECT s.sample_id, count(j.judgement_pk) FROM samples s "
            "LEFT JOIN judgements j ON j.sample_pk = s.sample_pk AND j.turn_index IS NULL GROUP BY s.sample_pk"
        ).fetchall()
    return all(count == 1 for _, count in counts)


@pytest.fixture
def slow_server():
    with FakeOpenAIServer(latency=0.15) as server:
        yield server


def test_sigkill_then_resume_matches_an_uninterrupted_study(tmp_path, slow_server):
    env = _env(slow_server)
    whole = tmp_path / "whole"
    subprocess.run(_run_args(whole, "--no-cache"), env=env, check=True, capture_output=True, timeout=600)
    full_calls = slow_server.calls
    reference = _stored(whole / "results.sqlite")
    assert set(reference) == EXPECTED

    killed = tmp_path / "killed"
    process = subprocess.Popen(_run_args(killed, "--no-cache"), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while _finished(killed / "results.sqlite") < 2 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
    assert process.poll() is None, "the study finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    before_resume = slow_server.calls
    finished_at_kill = set(_stored(killed / "results.sqlite"))
    assert 2 <= len(finished_at_kill) < len(EXPECTED)

    resumed = subprocess.run(
        [sys.executable, "-m", "pressure_sense", "run", "--resume", str(killed), "--no-report"],
        env=env, capture_output=True, text=True, timeout=600,
    )
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    result = _stored(killed / "results.sqlite")
    assert result == reference, "same samples, same turns, each stored once"
    assert _judged_once(killed / "results.sqlite")
    resume_calls = slow_server.calls - before_resume
    per_sample = full_calls / len(EXPECTED)
    assert resume_calls <= full_calls - per_sample * len(finished_at_kill) + per_sample, "finished samples were redone"


def test_second_identical_study_makes_no_model_calls_and_leaks_no_key(tmp_path, openai_server):
    env = _env(openai_server)
    first = subprocess.run(_run_args(tmp_path / "first"), env=env, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stdout + first.stderr
    calls = openai_server.calls
    assert calls > 0
    second = subprocess.run(_run_args(tmp_path / "second"), env=env, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stdout + second.stderr
    assert openai_server.calls == calls, "an identical study must be served from the cache"
    assert "from cache" in second.stdout
    assert f"Bearer {API_KEY}" in openai_server.authorization_headers, "the key did reach the server"

    written = [tmp_path, Path(os.environ["INSPECT_CACHE_DIR"])]
    leaks = [
        path for root in written for path in root.rglob("*")
        if path.is_file() and API_KEY.encode() in path.read_bytes()
    ]
    assert leaks == []
    assert API_KEY not in first.stdout + first.stderr + second.stdout + second.stderr
