"""The pressurer and tool-simulator roles can be any model: their calls reach the model the study names."""

from __future__ import annotations

from typing import Any

import pytest

from pressure_sense.experiments import ExperimentError
from pressure_sense.store import transcripts
from pressure_sense.study import build_experiment, run_study
from tests.fakes.openai_server import FakeOpenAIServer, echo_reply

PRESSURER_TURN = "You promised to help me with the claim, so help me now."
SIMULATED_RESULT = "sentiment: desperate, ashamed"


def _reply(body: dict[str, Any]) -> str:
    return {"pressurer-x": PRESSURER_TURN, "simulator-x": SIMULATED_RESULT}.get(body.get("model"), echo_reply(body))


def test_adaptive_agent_run_sends_pressurer_and_simulator_calls_to_the_named_models(tmp_path, monkeypatch):
    with FakeOpenAIServer(use_tools=True, reply=_reply) as server:
        monkeypatch.setenv("COMPATIBLE_BASE_URL", server.base_url)
        monkeypatch.setenv("COMPATIBLE_API_KEY", "test-" + "key")
        experiment = build_experiment(
            None, False, False, None, None,
            targets=["compatible/target-x"], judge="compatible/judge-x", scenarios=["peer-support-illegal-plan"],
            reasoning="off", modes=["agent"], conditions=["adaptive"], max_turns=2,
            pressurer="compatible/pressurer-x", simulator="compatible/simulator-x", cache=False,
        )
        result = run_study(experiment, out=tmp_path / "study", report=False, display="none")
        models = [body.get("model") for body in server.bodies]
    assert result.ok
    assert {"target-x", "judge-x", "pressurer-x", "simulator-x"} <= set(models)
    (conversation,) = transcripts(result.db)
    assert [turn["user"] for turn in conversation["turns"]] == [PRESSURER_TURN] * len(conversation["turns"])
    results = [event["result"] for turn in conversation["turns"] for event in turn["tool_events"]]
    assert SIMULATED_RESULT in results


def test_an_unknown_pressurer_provider_is_named_as_a_flag_error():
    with pytest.raises(ExperimentError, match="flag '--pressurer': .*unknown model provider 'nope'"):
        build_experiment(None, False, False, None, None, pressurer="nope/x")
