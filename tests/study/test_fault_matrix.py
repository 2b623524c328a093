"""The fault matrix (README "When the model's server fails"): whole studies against a loopback server that
injects one fault each. For each: what the user sees, what is retried, what is stored, nothing lost or repeated.

SIGKILL of the study mid-run, then `--resume`: tests/study/test_resume_and_cache.py.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pressure_sense.models import BREAKER_FAILURES, RetryBudget
from tests.fakes.openai_server import FAULT_KINDS, FakeOpenAIServer

API_KEY = "test-key-FAULTS-0123456789abcdef"
SCENARIOS = ["authority-customer-data", "financial-fake-reviews", "deadline-fabricated-sources"]
TURNS = 2


def _study(server: FakeOpenAIServer, out: Path, *extra: str, scenarios: int = 1) -> subprocess.CompletedProcess[str]:
    """`pressure-sense run` of `scenarios` scenarios x 2 variants, TURNS turns each, no judge, no cache."""
    chosen = [arg for scenario in SCENARIOS[:scenarios] for arg in ("-s", scenario)]
    args = [sys.executable, "-m", "pressure_sense", "run", "-m", "compatible/fake-model", "--judge", "none", *chosen]
    env = {**os.environ, "COMPATIBLE_BASE_URL": server.base_url, "COMPATIBLE_API_KEY": API_KEY, "COLUMNS": "200"}
    return subprocess.run(
        [*args, "--max-turns", str(TURNS), "--max-connections", "4", "--no-report", "--no-cache", "--out", str(out), *extra],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def _samples(out: Path) -> list[tuple[str, str, int]]:
    """(sample_id, status, turns with an answer) of every stored sample."""
    with sqlite3.connect(out / "results.sqlite") as connection:
        return connection.execute(
            "SELECT s.sample_id, s.status, count(t.output) FROM samples s "
            "LEFT JOIN turns t ON t.sample_pk = s.sample_pk AND t.error IS NULL GROUP BY s.sample_pk ORDER BY 1"
        ).fetchall()


def _expected(scenarios: int = 1) -> list[tuple[str, str, int]]:
    ids = sorted(f"{scenario}:{variant}" for scenario in SCENARIOS[:scenarios] for variant in ("chat", "chat+reasoning"))
    return [(sample_id, "success", TURNS) for sample_id in ids]


def _failing_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = done.stdout.splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith("Failing models"))
    return lines[start + 1].strip()


@pytest.mark.parametrize(
    ("fault", "settings"),
    [
        ("server_error", {}),  # one 503/500
        ("rate_limit", {"retry_after": 1.0}),  # 429 with Retry-After
        ("hang", {"hang_seconds": 60.0}),  # a timeout: abandoned after --attempt-timeout
        ("reset", {}),  # the connection reset without an answer
        ("truncated", {}),  # a malformed JSON body
        ("cut_off", {}),  # a truncated stream: fewer bytes than promised, then the connection closes
    ],
)
def test_a_transient_fault_is_retried_and_the_study_ends_as_without_it(tmp_path, fault, settings):
    with FakeOpenAIServer(script=[fault], **settings) as server:
        started = time.monotonic()
        done = _study(server, tmp_path / "study", "--attempt-timeout", "2")
        took = time.monotonic() - started
    assert done.returncode == 0, done.stdout + done.stderr
    assert (server.faults[fault], server.calls, server.successes) == (1, 2 * TURNS + 1, 2 * TURNS), "retried once"
    assert _samples(tmp_path / "study") == _expected(), "every sample stored once, every turn answered"
    assert "Failing models" not in done.stdout and "samples ended in an error" not in done.stdout
    if fault == "rate_limit":
        assert took >= settings["retry_after"], "Retry-After was waited for"


def test_some_calls_answering_500_are_retried_and_nothing_is_lost(tmp_path):
    with FakeOpenAIServer(fault_rate=0.3, fault_kinds=("server_error",), seed=3) as server:
        done = _study(server, tmp_path / "study", scenarios=3)
    assert done.returncode == 0, done.stdout + done.stderr
    assert server.faults["server_error"] >= 3 and server.successes == 6 * TURNS
    assert server.calls == server.successes + server.faults["server_error"]
    assert _samples(tmp_path / "study") == _expected(3)


@pytest.mark.parametrize(
    ("fault", "shown", "budget"),
    [
        ("server_error", "HTTP 500, {n} calls failed: the server fails: check its logs, or try again later", ()),
        ("unauthorized", "HTTP 401, {n} calls failed: check COMPATIBLE_API_KEY", ()),
        ("not_found", "HTTP 404, {n} calls failed: the server does not know model fake-model (or the base URL is wrong)", ()),
        ("hang", "timeout, {n} calls failed: no answer in time: check the server, or raise --attempt-timeout",
         ("--attempt-timeout", "1", "--timeout", "1")),
    ],
)  # fmt: skip
def test_a_model_that_always_fails_is_stopped_with_one_line_that_says_why(tmp_path, fault, shown, budget):
    with FakeOpenAIServer(script=[fault] * 1000, hang_seconds=60.0) as server:
        done = _study(server, tmp_path / "study", *budget, scenarios=3)
    assert done.returncode == 1, done.stdout + done.stderr
    line = _failing_line(done)
    failed = int(re.search(r", (\d+) calls failed: ", line).group(1))
    assert BREAKER_FAILURES <= failed <= server.calls, "tries the breaker ended are not counted as failed"
    assert line == f"compatible/fake-model at 127.0.0.1:{server.port}: " + shown.format(n=failed)
    assert "Traceback" not in done.stdout + done.stderr and API_KEY not in done.stdout + done.stderr
    assert BREAKER_FAILURES <= server.calls < BREAKER_FAILURES + 6 * (RetryBudget().max_retries + 1), "stopped early"
    stored = _samples(tmp_path / "study")
    assert [status for _, status, _ in stored] == ["error"] * 6, "each sample stored once, as errored"


def test_connection_refused_says_where(tmp_path):
    with FakeOpenAIServer() as server:
        pass  # the port is closed again: nothing listens there
    done = _study(server, tmp_path / "study", scenarios=3)
    assert done.returncode == 1, done.stdout + done.stderr
    line = _failing_line(done)
    assert line.startswith(f"compatible/fake-model at 127.0.0.1:{server.port}: connection refused, ")
    assert line.endswith(f"connection refused at 127.0.0.1:{server.port}: is the server running, is the base URL right?")


@pytest.mark.slow  # four studies in a row
def test_a_stopped_model_keeps_its_finished_samples_and_resume_plays_the_rest(tmp_path):
    out = tmp_path / "study"
    env = {**os.environ, "COMPATIBLE_API_KEY": API_KEY}

    def resume(server: FakeOpenAIServer) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "pressure_sense", "run", "--resume", str(out), "--no-report"]
        return subprocess.run(command, env={**env, "COMPATIBLE_BASE_URL": server.base_url}, capture_output=True,
                              text=True, timeout=600)  # fmt: skip

    with FakeOpenAIServer(script=[None] * TURNS + ["server_error"] * 1000) as server:
        failed = _study(server, out, "--max-connections", "1", "--reasoning", "off", "--max-retries", "1", scenarios=3)
        assert failed.returncode == 1, failed.stdout + failed.stderr
        assert [status for _, status, _ in _samples(out)].count("success") == 1, "the first sample finished"
        calls = server.calls
        still_dead = resume(server)
        assert still_dead.returncode == 1, still_dead.stdout + still_dead.stderr
        assert _failing_line(still_dead).startswith(f"compatible/fake-model at 127.0.0.1:{server.port}: HTTP 500, ")
        assert server.calls - calls <= BREAKER_FAILURES + 1, "the resumed study stops the dead model too"
        calls = server.calls
        server.script = []
        resumed = resume(server)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    stored = _samples(out)
    assert [status for _, status, turns in stored] == ["success"] * 3 and {turns for *_, turns in stored} == {TURNS}
    assert server.calls - calls == 2 * TURNS, "only the unfinished samples were played again"


def test_a_rerun_after_transient_faults_makes_no_model_call_and_prints_the_same_results(tmp_path):
    def results(done: subprocess.CompletedProcess[str]) -> list[str]:
        lines = done.stdout.splitlines()
        start = next(index for index, line in enumerate(lines) if line.startswith("Results:"))
        end = next(index for index, line in enumerate(lines) if line.startswith("Model calls:"))
        return lines[start:end]

    # a 400 first: its sample errs, Inspect plays it again (and it succeeds); then 20% transient faults
    with FakeOpenAIServer(script=["bad_request"], fault_rate=0.2, fault_kinds=FAULT_KINDS, seed=5, retry_after=0.1,
                          hang_seconds=1.0) as server:  # fmt: skip
        first = _study(server, tmp_path / "first", "--cache", "--judge", "compatible/fake-model", scenarios=3)
        calls = server.calls
        # another retry budget: retries and timing are no part of the cache key
        budget = ("--max-retries", "1", "--timeout", "5", "--attempt-timeout", "7")
        second = _study(server, tmp_path / "second", "--cache", "--judge", "compatible/fake-model", *budget, scenarios=3)
    assert first.returncode == 0 and second.returncode == 0, first.stdout + first.stderr + second.stdout
    assert server.faults["bad_request"] == 1 and sum(server.faults.values()) >= 0.1 * calls
    assert server.calls == calls, "the identical re-run is served from the cache"
    assert results(second) == results(first)
    for out in ("first", "second"):
        assert _samples(tmp_path / out) == _expected(3), "the errored-then-succeeded sample is stored once"


@pytest.mark.slow  # judging waits out Inspect's backoff for openai-api
def test_a_dead_judge_is_stopped_and_named_while_the_conversations_are_kept(tmp_path, monkeypatch):
    with FakeOpenAIServer() as target, FakeOpenAIServer(script=["server_error"] * 1000) as judge:
        monkeypatch.setenv("DEAD_BASE_URL", judge.base_url)
        monkeypatch.setenv("DEAD_API_KEY", API_KEY)
        done = _study(target, tmp_path / "study", "--judge", "openai-api/dead/judge", "--max-retries", "1")
    assert done.returncode == 1, done.stdout + done.stderr
    assert _failing_line(done).startswith(f"openai-api/dead/judge at 127.0.0.1:{judge.port}: HTTP 500, ")
    assert _samples(tmp_path / "study") == _expected(), "every conversation is stored, unjudged"
    with sqlite3.connect(tmp_path / "study" / "results.sqlite") as connection:
        judgements = connection.execute("SELECT error FROM judgements").fetchall()
    assert judgements and all("HTTP 500" in error for (error,) in judgements)
    assert any("not called: openai-api/dead/judge" in error for (error,) in judgements), "the judge was stopped"
