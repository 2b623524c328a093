"""Per-model connection limits and request rates in one process, against the loopback OpenAI-compatible server.

The limits of `targets[].max_connections` / `requests_per_minute` (and the judge's) hold for every call
to that model; the same pacing logic serves the Ray permit actor (tests/study/test_ray_executor.py).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace

import pytest

from pressure_sense import pacing
from pressure_sense.experiments import Experiment, JudgeSpec, TargetSpec
from pressure_sense.pacing import Pacer
from pressure_sense.study import run_study
from pressure_sense.study._limits import ModelLimit, model_limits, saved_limits
from tests.fakes.openai_server import FakeOpenAIServer

SCENARIOS = ["authority-customer-data", "financial-fake-reviews"]


class VirtualClock:
    """`time.monotonic` and `asyncio.sleep` for the pacer on a clock that moves only when it sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def test_pacer_spaces_starts_and_saves_no_burst_while_idle(monkeypatch):
    clock = VirtualClock()
    monkeypatch.setattr(pacing, "time", SimpleNamespace(monotonic=clock.monotonic))
    monkeypatch.setattr(pacing, "asyncio", SimpleNamespace(Lock=asyncio.Lock, sleep=clock.sleep))

    async def starts() -> dict[str, list[float]]:
        pacer = Pacer()
        times: dict[str, list[float]] = {"k": [], "other": []}

        async def one(key: str) -> None:
            await pacer.wait(key, 20.0)
            times[key].append(clock.now)

        await asyncio.gather(*(one("k") for _ in range(5)))
        waited = len(clock.slept)
        await one("other")
        assert len(clock.slept) == waited, "keys are paced apart: another key starts at once"
        clock.now += 0.3  # an idle spell
        await one("k")
        assert len(clock.slept) == waited, "after an idle spell the next request starts at once"
        await one("k")
        return times

    times = asyncio.run(starts())
    assert times["k"][:5] == pytest.approx([0.0, 0.05, 0.1, 0.15, 0.2]), "one start every 1/20 s"
    assert times["k"][6] - times["k"][5] == pytest.approx(0.05), "the idle spell saved up no burst"


def test_model_limits_come_from_targets_and_judges(monkeypatch):
    monkeypatch.setenv("COMPATIBLE_BASE_URL", "http://127.0.0.1:9/v1")
    experiment = Experiment(
        targets=[
            TargetSpec(name="compatible/a", max_connections=3, requests_per_minute=120),
            TargetSpec(name="vllm/b", base_url="http://10.0.0.2:8000/v1"),
        ],
        judge=JudgeSpec(name=["trained", "compatible/judge"], requests_per_minute=30),
    )
    assert model_limits(experiment) == [
        ModelLimit("lean-openai/a", "http://127.0.0.1:9/v1", 3, 2.0),
        ModelLimit("lean-openai/judge", "http://127.0.0.1:9/v1", None, 0.5),
    ]
    limit = model_limits(experiment)[0]
    assert limit.matches("lean-openai/a", "ModelLeanOpenAIAPI:http://127.0.0.1:9/v1/chat/completions")
    assert not limit.matches("lean-openai/a", "ModelLeanOpenAIAPI:http://10.0.0.2:8000/v1/chat/completions")


def _study(tmp_path: Path, server: FakeOpenAIServer, monkeypatch, **target: object):
    monkeypatch.setenv("COMPATIBLE_BASE_URL", server.base_url)
    monkeypatch.setenv("COMPATIBLE_API_KEY", "loopback")
    experiment = Experiment(
        targets=[TargetSpec(name="compatible/fake", **target)],  # type: ignore[arg-type]
        judge="none", scenarios=SCENARIOS, max_turns=3, concurrency=4, cache=False, out=str(tmp_path),
    )  # fmt: skip
    result = run_study(experiment, out=tmp_path / "study", report=False, display="none")
    assert result.ok
    return result, sorted(server.started_at)


@pytest.mark.parametrize("limited", [True, False])
def test_request_rate_holds_in_one_process(tmp_path, monkeypatch, limited):
    per_minute = 300  # one start every 0.2 s; unpaced, 4 conversations at 50 ms a call start far faster
    with FakeOpenAIServer(latency=0.05) as server:
        result, starts = _study(tmp_path, server, monkeypatch, requests_per_minute=per_minute if limited else None)
    assert len(starts) == 12
    # Paced: every start 0.2 s after the one before; the server's clock sees one late now and then on a
    # loaded machine (by up to a tenth of a second here), so three gaps are checked together.
    # Unpaced, the 4 conversations' calls overlap at the server.
    spans = [starts[i + 3] - starts[i] for i in range(len(starts) - 3)]
    if limited:
        assert min(spans) >= 0.4, f"three gaps of 0.2 s took {min(spans):.3f} s"
        assert starts[-1] - starts[0] >= 0.2 * (len(starts) - 1) * 0.9
        assert saved_limits(result.out)[0].per_second == per_minute / 60, "kept for run --resume"
    else:
        assert server.peak_in_flight > 1, "unpaced calls overlap, so the limited study tested the pacing"


@pytest.mark.parametrize("connections, peak", [(1, 1), (None, 4)])
def test_connection_limit_of_a_target_holds_in_one_process(tmp_path, monkeypatch, connections, peak):
    with FakeOpenAIServer(latency=0.1) as server:
        _study(tmp_path, server, monkeypatch, max_connections=connections)
        assert server.peak_in_flight == peak
