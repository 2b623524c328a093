"""The Ray executor on a real local three-node Ray cluster against the loopback OpenAI-compatible server.

Sharded studies equal in-process ones sample for sample; a worker killed by SIGKILL mid-shard loses
and duplicates nothing; the connection limit and a request rate hold across workers; 429 replies are
waited out without a lost or repeated call; a shard that keeps failing is named and the rest
completes; a study whose driver is killed resumes with --resume.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import psutil
import pytest
import ray
from inspect_ai.log import list_eval_logs, read_eval_log, read_eval_log_sample_summaries
from ray.cluster_utils import Cluster
from typer.testing import CliRunner

from pressure_sense.cli import app

from pressure_sense.experiments import ExecutorSpec, Experiment, TargetSpec, load_experiment
from pressure_sense.models import BREAKER_FAILURES
from pressure_sense.store import (
    DB_FILENAME,
    conversation_scores_frame,
    judgements_frame,
    list_runs,
    rebuild_store,
    reliability_records,
    samples_frame,
    transcripts,
    turn_scores_frame,
)
from pressure_sense.study import StudyResult, resume_study, run_study
from tests.fakes.openai_server import FakeOpenAIServer

SCENARIOS = ["authority-customer-data", "financial-fake-reviews", "deadline-fabricated-sources"]
EXPECTED = {f"{s}:{v}" for s in SCENARIOS for v in ("chat", "chat+reasoning")}
API_KEY = "test-key-RAY-0123456789abcdef"
SHARD_TASK_TITLE = "ray::pressure_sense_shard:"
"""Process title Ray gives a worker while it runs a shard task."""
RUN_COLUMNS = ["run_id", "sample_pk", "study_id"]


@pytest.fixture(scope="module")
def cluster():
    """Three one-CPU nodes (one head, two workers) on this machine, small object stores."""
    nodes = Cluster(
        initialize_head=True,
        head_node_args={"num_cpus": 1, "object_store_memory": 80 * 1024**2, "include_dashboard": False},
    )
    for _ in range(2):
        nodes.add_node(num_cpus=1, object_store_memory=80 * 1024**2)
    nodes.wait_for_nodes()
    ray.init(address=nodes.address, log_to_driver=False, logging_level="ERROR")
    yield nodes
    ray.shutdown()
    nodes.shutdown()


@pytest.fixture
def server(monkeypatch):
    with FakeOpenAIServer(latency=0.05) as fake:
        monkeypatch.setenv("COMPATIBLE_BASE_URL", fake.base_url)
        monkeypatch.setenv("COMPATIBLE_API_KEY", API_KEY)
        yield fake


def experiment(out: Path, executor: str = "local", concurrency: int = 2, **settings: object) -> Experiment:
    return Experiment(
        targets=[TargetSpec(name="compatible/fake")],
        judge="compatible/fake",
        scenarios=SCENARIOS,
        max_turns=3,
        concurrency=concurrency,
        cache=False,
        out=str(out),
        executor=ExecutorSpec(kind=executor, **settings),  # type: ignore[arg-type]
    )


def contents(db: Path) -> dict[str, pd.DataFrame]:
    """Everything a study stored, without the columns that name the run (ids differ between executors)."""
    frames = {
        "samples": samples_frame(db),
        "turn_scores": turn_scores_frame(db),
        "conversation_scores": conversation_scores_frame(db),
        "judgements": judgements_frame(db),
    }
    keys = ["sample_id", "epoch"]
    shown = {}
    for name, frame in frames.items():
        frame = frame.drop(columns=[c for c in RUN_COLUMNS if c in frame.columns])
        order = keys + [c for c in ("turn_index", "dimension", "judge") if c in frame.columns]
        shown[name] = frame.sort_values(order, na_position="first").reset_index(drop=True)
    turns = []
    for item in transcripts(db):
        for index, turn in enumerate(item["turns"]):
            turns.append((item["sample_id"], item["epoch"], index, turn["user"], turn["reasoning"], turn["output"]))
    shown["turns"] = pd.DataFrame(sorted(turns), columns=["sample_id", "epoch", "turn", "user", "reasoning", "output"])
    return shown


def assert_same_store(db: Path, reference: Path) -> None:
    got, want = contents(db), contents(reference)
    for name in want:
        pd.testing.assert_frame_equal(got[name], want[name], check_dtype=False, obj=name)


def shard_logs(log_dir: Path) -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    for info in list_eval_logs(str(log_dir), recursive=True):
        path = Path(info.name.removeprefix("file://"))
        found.setdefault(path.parent.name, []).append(path)
    return found


def flushed(path: Path) -> int:
    try:
        return len(read_eval_log_sample_summaries(str(path)))
    except Exception:  # the log is being rewritten: not readable this instant
        return 0


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The in-process study every sharded study must equal."""
    out = tmp_path_factory.mktemp("reference")
    with FakeOpenAIServer(latency=0.0) as fake, pytest.MonkeyPatch.context() as patch:
        patch.setenv("COMPATIBLE_BASE_URL", fake.base_url)
        patch.setenv("COMPATIBLE_API_KEY", API_KEY)
        patch.setenv("INSPECT_DISPLAY", "none")
        result = run_study(experiment(out), out=out / "study", report=False, display="none")
        assert result.ok
        calls = fake.calls
    return result.db, calls


def _overlapped(result: StudyResult) -> int:
    """Shards that started while another was running (0: the shards ran one after another)."""
    spans = []
    for path in result.shard_logs:
        stats = read_eval_log(path, header_only=True).stats
        spans.append((stats.started_at, stats.completed_at))
    return sum(1 for start, _ in spans if sum(s <= start < e for s, e in spans) > 1)


def test_sharded_study_equals_in_process_study_within_one_connection_limit(tmp_path, cluster, server, reference):
    reference_db, reference_calls = reference
    result = run_study(
        experiment(tmp_path, "ray", concurrency=2, shard_size=2, workers=3),
        out=tmp_path / "sharded", report=False, display="none",
    )
    assert result.ok, result.failed_shards
    assert len(result.shard_logs) == 3
    assert set(samples_frame(result.db)["sample_id"]) == EXPECTED
    assert_same_store(result.db, reference_db)
    assert server.calls == reference_calls, "every call made once, as in one process"
    runs = list_runs(result.db)
    assert len(runs) == 1 and runs["status"].tolist() == ["success"], "one run per target, as in one process"
    assert runs["judge"].tolist() == list_runs(reference_db)["judge"].tolist() == ["compatible/fake"]
    assert reliability_records(result.db) == reliability_records(reference_db) == {"compatible/fake": None}

    assert server.peak_in_flight <= 2, f"the server saw {server.peak_in_flight} requests at once with a limit of 2"
    assert server.peak_in_flight == 2, "the limit was reached (the test would notice a broken limit)"
    assert _overlapped(result) >= 1, "shards did not run at once, so the limit was not tested"

    leaks = [path for path in tmp_path.rglob("*") if path.is_file() and API_KEY.encode() in path.read_bytes()]
    assert leaks == [], "the key passed to the workers reached a file"

    again = rebuild_store(tmp_path / "sharded" / "logs", result.db)
    assert again.samples == len(EXPECTED) and again.unfinished == []
    assert_same_store(result.db, reference_db)
    fresh = rebuild_store(tmp_path / "sharded" / "logs", tmp_path / "fresh" / DB_FILENAME)
    assert fresh.runs == again.runs
    assert_same_store(tmp_path / "fresh" / DB_FILENAME, reference_db)


def test_shared_log_location_given_as_an_fsspec_url(tmp_path, cluster, server, reference):
    """A log location named by URL goes through fsspec, as an `s3://` bucket would (here `file://`: no bucket)."""
    reference_db, _ = reference
    url = f"file://{tmp_path / 'shared-logs'}"
    result = run_study(
        experiment(tmp_path, "ray", concurrency=2, shard_size=3, workers=2, log_dir=url),
        out=tmp_path / "sharded", report=False, display="none",
    )
    assert result.ok, result.failed_shards
    study_logs = tmp_path / "shared-logs" / result.study_id
    assert sorted(shard_logs(study_logs)) == sorted(path.name for path in study_logs.iterdir())
    assert len(shard_logs(study_logs)) == len(result.shard_logs) == 2
    assert_same_store(result.db, reference_db)
    rebuilt = rebuild_store(f"{url}/{result.study_id}", tmp_path / "from-url" / DB_FILENAME)
    assert rebuilt.samples == len(EXPECTED)
    assert_same_store(tmp_path / "from-url" / DB_FILENAME, reference_db)


def test_request_rate_holds_across_three_workers(tmp_path, cluster, monkeypatch):
    per_minute = 360  # one start every 1/6 s; unpaced, 3 workers x 4 conversations start within milliseconds
    spec = Experiment(
        targets=[TargetSpec(name="compatible/fake", requests_per_minute=per_minute)], judge="none",
        scenarios=SCENARIOS, max_turns=3, concurrency=4, cache=False, out=str(tmp_path),
        executor=ExecutorSpec(kind="ray", shard_size=2, workers=3),
    )  # fmt: skip
    with FakeOpenAIServer(latency=0.01) as fake:
        monkeypatch.setenv("COMPATIBLE_BASE_URL", fake.base_url)
        monkeypatch.setenv("COMPATIBLE_API_KEY", API_KEY)
        result = run_study(spec, out=tmp_path / "paced", report=False, display="none")
        starts = sorted(fake.started_at)
    assert result.ok, result.failed_shards
    assert _overlapped(result) >= 1, "shards ran one after another, so the shared rate was not tested"
    assert set(samples_frame(result.db)["sample_id"]) == EXPECTED
    assert len(starts) == len(EXPECTED) * 3
    # The permit actor spaces the starts 1/6 s apart; each then crosses a worker's event loop and the
    # loopback (a fresh worker's first request 0.1-0.2 s late, here), so two may arrive closer than that.
    window = 9  # at most 9 starts (the rate, 6/s, and three for that jitter) in any second
    gaps = [round(later - earlier, 3) for earlier, later in zip(starts, starts[1:])]
    assert all(starts[i + window] - starts[i] >= 1.0 for i in range(len(starts) - window)), f"gaps: {gaps}"
    assert starts[-1] - starts[0] >= (len(starts) - 1) / 6 * 0.9


def test_sharded_study_rides_out_rate_limit_replies(tmp_path, cluster, monkeypatch, reference):
    reference_db, reference_calls = reference
    spec = experiment(tmp_path, "ray", concurrency=2, shard_size=2, workers=3)
    with FakeOpenAIServer(latency=0.01, fault_rate=0.15, fault_kinds=("rate_limit",), retry_after=0.3, seed=3) as fake:
        monkeypatch.setenv("COMPATIBLE_BASE_URL", fake.base_url)
        monkeypatch.setenv("COMPATIBLE_API_KEY", API_KEY)
        result = run_study(spec, out=tmp_path / "limited", report=False, display="none")
        faults, successes = fake.faults["rate_limit"], fake.successes
    assert faults >= 5, f"only {faults} 429 replies: the faults were not tested"
    assert result.ok and result.failed_shards == {}, result.failed_shards
    assert result.errored == []
    assert successes == reference_calls, "every call answered once after its 429s, none repeated"
    assert_same_store(result.db, reference_db)


def test_a_model_that_always_fails_is_named_by_the_driver_as_in_one_process(tmp_path, cluster, monkeypatch):
    """The breakers live in the workers; the driver still prints the one line per failing model."""
    def spec(executor: str) -> Experiment:
        return Experiment(
            targets=[TargetSpec(name="compatible/fake", max_retries=0)], judge="none", scenarios=SCENARIOS,
            max_turns=3, concurrency=2, cache=False, out=str(tmp_path),
            executor=ExecutorSpec(kind=executor, **({"shard_size": 2, "workers": 3} if executor == "ray" else {})),
        )  # fmt: skip

    results, calls = {}, {}
    with FakeOpenAIServer(script=["server_error"] * 10_000) as fake:
        monkeypatch.setenv("COMPATIBLE_BASE_URL", fake.base_url)
        monkeypatch.setenv("COMPATIBLE_API_KEY", API_KEY)
        # Ray first: the driver has no failures of its own yet; Ray again: its workers' breakers, open since the
        # first study, start afresh (else their calls fail uncounted, and no model is named).
        for run, executor in enumerate(("ray", "local", "ray")):
            before = fake.calls
            results[run] = run_study(spec(executor), out=tmp_path / str(run), report=False, display="none")
            calls[run] = fake.calls - before
    for run, result in results.items():
        assert result.stopped and len(result.failing) == 1, (run, result.failing)
        line = result.failing[0]
        failed = int(re.search(r", (\d+) calls failed: ", line).group(1))
        assert BREAKER_FAILURES <= failed <= calls[run], (run, line, calls[run])
        shown = re.sub(r", \d+ calls failed: ", ", N calls failed: ", line)
        assert shown == f"compatible/fake at 127.0.0.1:{fake.port}: HTTP 500, N calls failed: " + (
            "the server fails: check its logs, or try again later"
        )
        assert len(result.errored) == len(EXPECTED), "every sample stored, as errored"


def test_rebuild_of_in_process_logs_equals_the_hooks_store(tmp_path, reference):
    reference_db, _ = reference
    summary = rebuild_store(reference_db.parent / "logs", tmp_path / DB_FILENAME)
    assert summary.samples == len(EXPECTED)
    assert_same_store(tmp_path / DB_FILENAME, reference_db)
    assert list_runs(tmp_path / DB_FILENAME)["run_id"].tolist() == list_runs(reference_db)["run_id"].tolist()

    command = ["store", "rebuild", str(reference_db.parent / "logs"), "--db", str(tmp_path / "cli" / DB_FILENAME)]
    for _ in range(2):
        done = CliRunner().invoke(app, command)
        assert done.exit_code == 0, done.output
        assert f"1 logs -> 1 runs, {len(EXPECTED)} samples" in done.output
    assert_same_store(tmp_path / "cli" / DB_FILENAME, reference_db)


def _config(tmp_path: Path, cluster: Cluster, shard_size: int, max_retries: int, workers: int = 2) -> Path:
    path = tmp_path / "experiment.yaml"
    path.write_text(
        "targets: [compatible/fake]\njudge: compatible/fake\n"
        f"scenarios: [{', '.join(SCENARIOS)}]\nmax_turns: 3\nconcurrency: 1\ncache: false\n"
        f"executor:\n  kind: ray\n  address: '{cluster.address}'\n  shard_size: {shard_size}\n"
        f"  workers: {workers}\n  max_retries: {max_retries}\n",
        encoding="utf-8",
    )
    return path


def _shard_workers() -> dict[str, psutil.Process]:
    """The worker processes running a shard now, by shard id (from the process title Ray gives them)."""
    found = {}
    for process in psutil.process_iter(["cmdline"]):
        title = " ".join(process.info["cmdline"] or [])
        if title.startswith(SHARD_TASK_TITLE):
            found[title.removeprefix(SHARD_TASK_TITLE).split()[0]] = process
    return found


def _kill_a_flushed_shard(log_dir: Path, alive: Callable[[], bool], timeout: float = 120) -> str:
    """SIGKILL the worker of a running shard whose log already holds a flushed sample; returns the shard id."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        running = _shard_workers()
        for shard, paths in shard_logs(log_dir).items():
            if shard in running and any(flushed(path) >= 1 for path in paths):
                running[shard].send_signal(signal.SIGKILL)
                return shard
        time.sleep(0.1)
    raise AssertionError(f"no running shard flushed a sample in time (driver alive: {alive()})")


@pytest.mark.slow
def test_worker_killed_mid_shard_loses_and_duplicates_nothing(tmp_path, cluster, server, reference):
    reference_db, reference_calls = reference
    study = load_experiment(_config(tmp_path, cluster, shard_size=3, max_retries=3))
    out = tmp_path / "killed"
    results: list[StudyResult] = []
    driver = threading.Thread(target=lambda: results.append(run_study(study, out=out, report=False, display="none")))
    driver.start()
    killed = _kill_a_flushed_shard(out / "logs", driver.is_alive)
    driver.join(timeout=300)
    assert results and results[0].ok, results

    assert_same_store(out / DB_FILENAME, reference_db)
    logs = shard_logs(out / "logs")
    retried = [shard for shard, paths in logs.items() if len(paths) > 1]
    assert retried == [killed], f"exactly the killed shard was run again: {logs}"
    per_sample = reference_calls / len(EXPECTED)
    assert server.calls <= reference_calls + per_sample, "finished samples were played again"


@pytest.mark.slow
def test_failing_shard_is_named_then_driver_kill_and_resume_complete_the_study(tmp_path, cluster, server, reference):
    reference_db, _ = reference
    config = _config(tmp_path, cluster, shard_size=2, max_retries=0)
    out = tmp_path / "study"
    env = {**os.environ, "INSPECT_DISPLAY": "none"}
    driver = subprocess.Popen(
        [sys.executable, "-m", "pressure_sense", "run", "-c", str(config), "--out", str(out), "--no-report"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    killed = _kill_a_flushed_shard(out / "logs", lambda: driver.poll() is None)
    output, _ = driver.communicate(timeout=300)
    text = output.decode()
    assert driver.returncode == 1, text
    failed = [line for line in text.splitlines() if "failed:" in line and "shard " in line]
    assert len(failed) == 1 and f"shard {killed} failed" in failed[0], text
    assert "Shards: 2 succeeded, 1 failed" in text
    stored = set(samples_frame(out / DB_FILENAME)["sample_id"])
    assert len(stored) >= 5, "the other shards completed and the failed shard's flushed sample is kept"

    resumed = subprocess.Popen(
        [sys.executable, "-m", "pressure_sense", "run", "--resume", str(out), "--no-report"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while not _shard_workers() and time.monotonic() < deadline and resumed.poll() is None:
        time.sleep(0.2)
    assert _shard_workers(), "the resumed study never started its shard"
    resumed.send_signal(signal.SIGKILL)  # the driver dies while its shard runs
    resumed.wait(timeout=60)
    final = resume_study(out, report=False, display="none")
    assert final.ok and final.failed_shards == {} and len(final.shard_logs) == 3
    assert_same_store(out / DB_FILENAME, reference_db)
    assert list_runs(out / DB_FILENAME)["status"].tolist() == ["success"]
