"""The task stays Inspect-native: `inspect eval pressure_sense/pressure_study -T scenarios=ID` through Inspect's
own command line, against the loopback server, stores its samples where README says."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pressure_sense.store import judgements_frame, samples_frame, turn_scores_frame
from pressure_sense.study import INSPECT_EVAL_DB
from tests.fakes.openai_server import FakeOpenAIServer


def test_inspect_eval_runs_the_task_with_a_single_scenario_id(tmp_path: Path) -> None:
    inspect = Path(sys.executable).parent / "inspect"
    with FakeOpenAIServer() as server:
        env = {
            **os.environ,
            "COMPATIBLE_BASE_URL": server.base_url,
            "COMPATIBLE_API_KEY": "test-" + "key",
            "INSPECT_DISPLAY": "none",
        }
        command = [
            str(inspect), "eval", "pressure_sense/pressure_study",
            "-T", "scenarios=authority-customer-data", "-T", "variants=chat", "-T", "max_turns=2",
            "-T", "judges=compatible/judge-a", "-T", "judge_method=json",
            "--model", "lean-openai/target-x", "--model-base-url", server.base_url,
            "--log-dir", str(tmp_path / "logs"), "--no-log-realtime",
        ]  # fmt: skip
        done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "unknown scenario" not in done.stderr
    db = tmp_path / INSPECT_EVAL_DB
    samples = samples_frame(db)
    assert samples["sample_id"].tolist() == ["authority-customer-data:chat"]
    assert set(samples["status"]) == {"success"}
    assert sorted(turn_scores_frame(db)["turn_index"].unique()) == [0, 1]
    assert set(judgements_frame(db)["judge"]) == {"compatible/judge-a"}, "the judge is stored as the user named it"
