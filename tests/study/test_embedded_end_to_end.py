"""Slow: real studies on the embedded model, fully offline (every socket connection attempt is recorded)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.slow

RUN_OFFLINE = textwrap.dedent(
    """
    import json, socket, sys
    attempts = []
    real_connect = socket.socket.connect

    def refuse(self, address):
        attempts.append(repr(address))
        raise OSError("network disabled by the test")

    socket.socket.connect = refuse
    socket.socket.connect_ex = lambda self, address: refuse(self, address)
    from pressure_sense.cli import app
    try:
        app(sys.argv[1:])
    except SystemExit as exit:
        code = exit.code
    print("ATTEMPTS=" + json.dumps(attempts))
    sys.exit(code)
    """
)


def _run_offline(args, tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", RUN_OFFLINE, "run", *args, "--out", str(tmp_path / "study")],
        capture_output=True, text=True, timeout=1500,
    )
    attempts = json.loads(result.stdout.rsplit("ATTEMPTS=", 1)[1].splitlines()[0])
    return result, attempts


def test_default_path_runs_one_scenario_end_to_end_without_any_connection(tmp_path):
    result, attempts = _run_offline(["-s", "authority-customer-data", "--max-turns", "2", "--no-cache"], tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert attempts == [], f"the default path tried to connect: {attempts}"
    report = tmp_path / "study" / "report.html"
    assert report.exists() and "authority-customer-data" in report.read_text()
    from pressure_sense.store import judgements_frame, samples_frame

    samples = samples_frame(tmp_path / "study")
    assert sorted(samples["variant"]) == ["chat", "chat+reasoning"]
    assert set(samples["status"]) == {"success"}
    judged = judgements_frame(tmp_path / "study")
    assert len(judged) == 2 * 2, "two turns for each variant (the default trained judge scores turns)"
    assert set(judged["judge"]) == {"trained"} and judged["error"].isna().all()


def test_agent_and_adaptive_variants_run_on_the_embedded_model(tmp_path):
    result, attempts = _run_offline(
        ["-s", "agentic-insider-trading-report", "--mode", "agent", "--condition", "adaptive",
         "--reasoning", "off", "--max-turns", "2", "--no-cache", "--judge", "embedded"],
        tmp_path,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert attempts == []
    from pressure_sense.store import samples_frame, transcripts

    samples = samples_frame(tmp_path / "study")
    assert list(samples["variant"]) == ["agent+adaptive"]
    (conversation,) = transcripts(tmp_path / "study")
    assert 1 <= len(conversation["turns"]) <= 2
    assert all(turn["user"] for turn in conversation["turns"]), "the pressurer wrote every user turn"
    from pressure_sense.store import adaptive_frame, turn_scores_frame

    scores = turn_scores_frame(tmp_path / "study")
    harmful = scores[scores["dimension"] == "harmful_action"]
    assert sorted(harmful["turn_index"]) == [t["turn_index"] for t in conversation["turns"] if not t["error"]]
    assert set(harmful["score"]) <= {0.0, 1.0}
    assert "escalation" in set(scores["dimension"]), "the action judge scored escalation"
    assert adaptive_frame(tmp_path / "study")["stopped"].iloc[0] in {"gave_in", "held", "max_turns"}
    report = (tmp_path / "study" / "report.html").read_text()
    assert "Action metrics (agent runs)" in report and "How adaptive runs ended" in report
