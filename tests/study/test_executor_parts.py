"""Parts of the Ray executor that need no cluster: shards, permits, progress, settings, start-up, rebuild command."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap

import pytest

from pressure_sense.experiments import (
    ExperimentError,
    merge_overrides,
    parse_experiment,
)
from pressure_sense.scenarios import resolve_scenarios
from pressure_sense.study import plan_shards, study_samples
from pressure_sense.study._limits import is_global
from pressure_sense.study._shard_progress import ProgressTally


def test_executor_settings_from_file_and_flags(tmp_path):
    text = textwrap.dedent(
        """\
        targets: [compatible/a, compatible/b]
        scenarios: [tag:core]
        executor:
          kind: ray
          address: auto
          shard_size: 5
          log_dir: shared/logs
        """
    )
    experiment = parse_experiment(text, tmp_path / "e.yaml")
    assert experiment.executor.kind == "ray" and experiment.executor.address == "auto"
    assert experiment.executor.log_dir == str(tmp_path / "shared/logs"), "a local log folder is relative to the file"
    assert parse_experiment("executor: ray\n", tmp_path / "e.yaml").executor.kind == "ray"
    assert parse_experiment("executor: {log_dir: 's3://bucket/x'}\n", tmp_path / "e.yaml").executor.log_dir == "s3://bucket/x"
    assert merge_overrides(experiment, executor="local").executor.kind == "local"
    with pytest.raises(ExperimentError, match="e.yaml:1: field 'executor.kind'"):
        parse_experiment("executor: dask\n", tmp_path / "e.yaml")
    with pytest.raises(ExperimentError, match="flag '--executor'"):
        merge_overrides(experiment, executor="spark")


def test_shards_cover_every_sample_of_every_target_once(tmp_path):
    experiment = parse_experiment(
        "targets: [compatible/a, compatible/b]\nscenarios: [tag:core]\nexecutor: {kind: ray, shard_size: 5}\n",
        tmp_path / "e.yaml",
    )
    samples = study_samples(resolve_scenarios(experiment.scenarios), experiment.variants.variants())
    ids = [str(sample.id) for sample in samples]  # the order the in-process executor plays them
    shards = plan_shards(experiment)
    assert all(len(shard.sample_ids) <= 5 for shard in shards)
    for target in (0, 1):
        played = [sample for shard in shards if shard.target == target for sample in shard.sample_ids]
        assert played == ids
    assert len({shard.shard_id for shard in shards}) == len(shards)
    assert plan_shards(experiment) == shards, "the same plan every time: a resumed study finds its shards"


def test_only_network_models_are_limited_across_the_cluster():
    assert is_global("lean-openai/fake", "Modellean-openai/http://127.0.0.1:1/v1/chat/completions")
    assert is_global("openai/gpt-4o", "Modelopenai/key")
    assert not is_global("embedded/smollm2-135m-instruct", "Modelembedded/x")
    assert not is_global("subprocesses", "subprocesses")


def test_permit_broker_hands_out_at_most_the_limit_and_reclaims_a_dead_owner():
    from pressure_sense.study._ray import (
        PermitBroker,  # the actor's class, driven here without Ray
    )

    async def scenario() -> None:
        broker = PermitBroker()
        await broker.acquire("m", 2, "shard-a", "a1")
        await broker.acquire("m", 2, "shard-a", "a2")
        third = asyncio.ensure_future(broker.acquire("m", 2, "shard-b", "b1"))
        await asyncio.sleep(0.01)
        assert not third.done(), "a third permit waits while two are held"
        assert await broker.reclaim("shard-a") == 2, "a dead shard's permits come back"
        await asyncio.wait_for(third, 1)
        fourth = asyncio.ensure_future(broker.acquire("m", 2, "shard-b", "b2"))
        await asyncio.wait_for(fourth, 1)
        fifth = asyncio.ensure_future(broker.acquire("m", 2, "shard-c", "c1"))
        await asyncio.sleep(0.01)
        await broker.release("m", "c1")  # withdrawn while waiting (its caller was cancelled)
        with pytest.raises(asyncio.CancelledError):
            await fifth
        await broker.release("m", "b1")
        stats = await broker.stats()
        assert stats["m"] == {"limit": 2, "held": 1, "peak": 2}

    asyncio.run(scenario())


class _InProcessActor:
    """A Ray actor handle's `.method.remote(...)` over an object in this process, counting the calls."""

    def __init__(self, instance: object) -> None:
        self.instance = instance
        self.calls: dict[str, int] = {}

    def __getattr__(self, name: str) -> object:
        method = getattr(self.instance, name)
        handle = self

        class Method:
            @staticmethod
            def remote(*args: object) -> asyncio.Future:
                handle.calls[name] = handle.calls.get(name, 0) + 1
                return asyncio.ensure_future(method(*args))

        return Method


def test_worker_hands_permits_on_to_its_waiting_calls_without_the_broker():
    from pressure_sense.ray_actors import PermitBroker
    from pressure_sense.study._limits import RayPermits

    async def scenario() -> None:
        broker = PermitBroker()
        actor = _InProcessActor(broker)
        workers = [RayPermits(actor, f"shard-{n}", idle_s=5.0) for n in range(2)]
        in_flight = peak = 0

        async def call(permits: RayPermits) -> None:
            nonlocal in_flight, peak
            ticket = await permits.acquire("m", 3)
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.005)
            in_flight -= 1
            permits.release("m", ticket)

        loop = asyncio.get_running_loop()
        started = loop.time()
        await asyncio.gather(*(call(workers[n % 2]) for n in range(60)))
        elapsed = loop.time() - started
        assert peak == 3, "never more calls in flight than the cluster's limit"
        # A liveness bound at the behaviour's edge (normal: about 0.1 s): had any waiting call got its permit
        # only after it lay idle for idle_s, the 60 calls would have taken idle_s or more.
        assert elapsed < workers[0].idle_s, "released permits go to waiting calls at once, not after idle_s"
        assert actor.calls["acquire"] <= 6, f"60 calls, {actor.calls['acquire']} broker requests"
        assert (await broker.stats())["m"]["held"] <= 3
        for worker in workers:
            assert await broker.reclaim(worker.owner) >= 0  # what a shard's end does
        assert (await broker.stats())["m"]["held"] == 0

    asyncio.run(scenario())


def test_a_waiting_call_that_gives_up_leaves_its_permit_to_the_next():
    from pressure_sense.ray_actors import PermitBroker
    from pressure_sense.study._limits import RayPermits

    async def scenario() -> None:
        broker = PermitBroker()
        permits = RayPermits(_InProcessActor(broker), "shard-a", idle_s=5.0)
        held = await permits.acquire("m", 1)
        gives_up = asyncio.ensure_future(permits.acquire("m", 1))
        waits = asyncio.ensure_future(permits.acquire("m", 1))
        await asyncio.sleep(0.01)
        gives_up.cancel()
        permits.release("m", held)
        assert await asyncio.wait_for(waits, 1) == held, "the permit skips the cancelled call"
        assert (await broker.stats())["m"] == {"limit": 1, "held": 1, "peak": 1}

    asyncio.run(scenario())


def test_progress_counts_each_sample_once_and_estimates_time_left():
    tally = ProgressTally(shards_total=2, samples_total=4, started=0.0)
    tally.add("s0", [("a:chat", 1, False)], calls=7, now=2.0)
    tally.add("s0", [("a:chat", 1, False), ("b:chat", 1, True)], calls=7, now=4.0)
    assert tally.samples_done == 2 and tally.errors == 1, "a sample reported twice (a retried shard) counts once"
    assert tally.calls == 14
    assert tally.calls_per_second(now=4.0) == pytest.approx(3.5)
    assert tally.seconds_left(now=4.0) == pytest.approx(4.0)
    line = tally.line(now=4.0)
    assert "shards 0/2" in line and "samples 2/4" in line and "errors 1" in line and "left 0m04s" in line


def test_command_line_start_up_does_not_import_ray():
    code = (
        "import sys\nfrom pressure_sense.cli import app\n"
        "sys.argv = ['pressure-sense', 'run', '--dry-run', '--quick', '--executor', 'ray']\n"
        "try:\n    app()\nexcept SystemExit:\n    pass\n"
        "print('ray' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"
    assert "Dry run" in result.stdout


def test_store_rebuild_command_names_a_missing_folder_and_an_empty_one(tmp_path):
    from typer.testing import CliRunner

    from pressure_sense.cli import app

    result = CliRunner().invoke(app, ["store", "rebuild", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "no folder" in result.output and "nowhere" in result.output
    (tmp_path / "logs").mkdir()
    result = CliRunner().invoke(app, ["store", "rebuild", str(tmp_path / "logs")])
    assert result.exit_code == 2 and "no Inspect logs" in result.output


def test_ray_executor_without_the_extra_names_what_to_install(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from pressure_sense.cli import app

    monkeypatch.setitem(sys.modules, "ray", None)  # as if the extra were not installed
    monkeypatch.delitem(sys.modules, "pressure_sense.study._ray", raising=False)
    monkeypatch.setenv("COMPATIBLE_BASE_URL", "http://127.0.0.1:9/v1")
    args = ["run", "-m", "compatible/fake", "--judge", "none", "-s", "authority-customer-data", "--no-report"]
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "study"), "--executor", "ray"])
    assert result.exit_code == 2, result.output
    assert "pip install 'pressure-sense[ray]'" in result.output


def test_rebuild_skips_a_damaged_log_and_names_it(tmp_path):
    from pressure_sense.store import rebuild_store

    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "2026-12-01T00-00-00+00-00_pressure-study_abc.eval").write_bytes(b"PK\x03\x04 cut short by a crash")
    with pytest.raises(FileNotFoundError, match="no Inspect logs"):
        rebuild_store(logs, tmp_path / "results.sqlite")
    from pressure_sense.store._logs import read_log_headers

    unreadable: list[str] = []
    assert read_log_headers(logs, unreadable) == []
    assert len(unreadable) == 1 and "pressure-study_abc.eval" in unreadable[0]
