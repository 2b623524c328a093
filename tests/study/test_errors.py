"""Nothing lost silently: whole studies against a loopback server that injects faults or always fails."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from inspect_ai.util import collect

from tests.fakes.openai_server import FAULT_KINDS, FakeOpenAIServer, is_judge_request

API_KEY = "test-key-ERRORS-0123456789abcdef"
SCENARIOS = ["authority-customer-data", "financial-fake-reviews", "deadline-fabricated-sources"]
COMPLETE_SAMPLE_WARNING = "arrived after complete_sample"


class FailingServer(FakeOpenAIServer):
    """Answers 400 to every target call (`fail="target"`) or every judge call (`fail="judge"`) while
    `failing` is set; everything else is answered normally."""

    def __init__(self, fail: str, **settings: Any) -> None:
        super().__init__(**settings)
        self.fail = fail
        self.failing = True
        self.refused = 0

    async def _respond(self, method, path, headers, raw, writer) -> bool:  # type: ignore[override]
        if method == "POST" and self.failing and raw:
            judged = is_judge_request(json.loads(raw))
            if judged == (self.fail == "judge"):
                self.refused += 1
                await self._send(writer, 400, b'{"error": {"message": "this request always fails"}}')
                return True
        return await super()._respond(method, path, headers, raw, writer)


def _env(server: FakeOpenAIServer) -> dict[str, str]:
    return {
        **os.environ,
        "COMPATIBLE_BASE_URL": server.base_url, "COMPATIBLE_API_KEY": API_KEY,
        "FAKE_BASE_URL": server.base_url, "FAKE_API_KEY": API_KEY,
    }  # fmt: skip


def _run(out: Path, env: dict[str, str], model: str, *extra: str) -> subprocess.CompletedProcess[str]:
    args = [sys.executable, "-m", "pressure_sense", "run", "-m", model, "--judge", model, "--no-cache"]
    return subprocess.run(
        [*args, "--max-connections", "4", "--out", str(out), *extra],
        env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip


def _query(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        return connection.execute(sql).fetchall()


@pytest.mark.slow
@pytest.mark.parametrize("model", ["openai-api/fake/fake-model", "compatible/fake-model"])
def test_twenty_percent_faults_of_every_kind_leave_no_errored_sample(tmp_path, model):
    scenarios = [arg for scenario in SCENARIOS for arg in ("-s", scenario)]
    with FakeOpenAIServer(fault_rate=0.2, seed=11, retry_after=0.1, hang_seconds=1.0) as server:
        out = tmp_path / "study"
        done = _run(out, _env(server), model, *scenarios, "--max-turns", "2", "--epochs", "2", "--no-report")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    db = out / "results.sqlite"
    assert _query(db, "SELECT status, count(*) FROM samples GROUP BY status") == [("success", 12)]
    assert _query(db, "SELECT count(*) FROM judgements WHERE error IS NOT NULL") == [(0,)]
    assert _query(db, "SELECT count(*) FROM turns WHERE error IS NOT NULL") == [(0,)]
    assert set(server.faults) == set(FAULT_KINDS) and sum(server.faults.values()) >= 0.1 * server.calls
    assert COMPLETE_SAMPLE_WARNING not in output
    assert API_KEY not in output


@pytest.mark.slow
def test_a_target_that_always_fails_is_stored_counted_and_resumed(tmp_path):
    with FailingServer("target") as server:
        env = _env(server)
        out = tmp_path / "study"
        failed = _run(out, env, "compatible/fake-model", "-s", SCENARIOS[0], "--reasoning", "off",
                      "--max-turns", "2", "--no-report")  # fmt: skip
        db = out / "results.sqlite"
        assert failed.returncode == 1, failed.stdout + failed.stderr
        assert "1 of 1 samples ended in an error" in " ".join(failed.stdout.split())
        assert "--resume" in failed.stdout
        assert server.refused == 4, "the sample was tried once and retried 3 times"
        ((status, error),) = _query(db, "SELECT status, error FROM samples")
        assert status == "error" and "HTTP 400" in error
        ((turn_error,),) = _query(db, "SELECT error FROM turns")
        assert turn_error.startswith("provider_error: ") and "HTTP 400" in turn_error
        results = subprocess.run([sys.executable, "-m", "pressure_sense", "results", str(out)],
                                 env={**env, "COLUMNS": "250"}, capture_output=True, text=True, timeout=300)  # fmt: skip
        row = next(line for line in results.stdout.splitlines() if SCENARIOS[0] in line)
        cells = [cell.strip() for cell in row.split("│")][1:-1]
        assert cells[3:6] == ["1", "1", "2"], row  # samples, failed, errors (sample + target turn)

        allowed = _run(tmp_path / "allowed", env, "compatible/fake-model", "-s", SCENARIOS[0], "--reasoning", "off",
                       "--max-turns", "1", "--no-report", "--allow-errors")  # fmt: skip
        assert allowed.returncode == 0 and "ended in an error" in allowed.stdout

        server.failing = False
        resumed = subprocess.run(
            [sys.executable, "-m", "pressure_sense", "run", "--resume", str(out), "--no-report"],
            env=env, capture_output=True, text=True, timeout=600,
        )
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert _query(db, "SELECT status, error FROM samples") == [("success", None)]
    assert _query(db, "SELECT turn_index, error FROM turns") == [(0, None), (1, None)]
    assert _query(db, "SELECT count(*) FROM judgements WHERE turn_index IS NULL AND error IS NULL") == [(1,)]


def test_a_judge_that_always_fails_keeps_the_conversation_and_counts_the_failures(tmp_path):
    with FailingServer("judge") as server:
        out = tmp_path / "study"
        done = _run(out, _env(server), "compatible/fake-model", "-s", SCENARIOS[0], "--reasoning", "off",
                    "--max-turns", "2")  # fmt: skip
        results = subprocess.run([sys.executable, "-m", "pressure_sense", "results", str(out)],
                                 env={**_env(server), "COLUMNS": "250"}, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    db = out / "results.sqlite"
    assert _query(db, "SELECT status FROM samples") == [("success",)]
    outputs = _query(db, "SELECT output FROM turns ORDER BY turn_index")
    assert len(outputs) == 2 and all(text.startswith("Echo") for (text,) in outputs)
    judgements = _query(db, "SELECT turn_index, error FROM judgements ORDER BY judgement_pk")
    assert [index for index, _ in judgements] == [0, 1, None]
    assert all("the judge failed" in error and "HTTP 400" in error for _, error in judgements)
    assert _query(db, "SELECT count(*) FROM scores") == [(0,)]
    assert "Judge failures" in results.stdout
    assert "pressure 3 of 3, alignment 3 of 3, truthfulness 3 of 3, coherence 3 of 3" in results.stdout
    row = next(line for line in results.stdout.splitlines() if SCENARIOS[0] in line)
    assert "pressure 3" in row and "coherence 3" in row
    html = (out / "report.html").read_text(encoding="utf-8")
    assert (
        "<th>judge failures per dimension</th><td>pressure 3 of 3, alignment 3 of 3, truthfulness 3 of 3, "
        "coherence 3 of 3 judgements without a score (left out of the tables)</td>"
    ) in html


def test_collect_cancels_the_other_calls_when_one_fails():
    finished: list[str] = []

    async def slow(name: str) -> str:
        await asyncio.sleep(0.5)
        finished.append(name)
        return name

    async def fail() -> str:
        await asyncio.sleep(0.01)
        raise ValueError("boom")

    async def go() -> None:
        with pytest.raises(ValueError, match="boom"):
            await collect(slow("a"), fail(), slow("b"))
        await asyncio.sleep(0.7)

    asyncio.run(go())
    assert finished == [], "no call outlives the failure"
    assert asyncio.run(collect(slow("x"), slow("y"))) == ["x", "y"]
