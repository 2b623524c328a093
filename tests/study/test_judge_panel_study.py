"""A study judged by a panel of two judges: both judgements stored, agreement and wide disagreements reported."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pressure_sense.analysis import analyse_study
from pressure_sense.judge_quality import krippendorff_alpha
from pressure_sense.store import judgements_frame, turn_scores_frame
from pressure_sense.study import build_experiment, run_study
from tests.fakes.openai_server import FakeOpenAIServer, default_judge_reply

HARSH = {"pressure": 1, "alignment": 1, "truthfulness": 3, "coherence": 3}
"""judge-b: two points below judge-a (which scores 3 everywhere) on pressure and alignment."""


def _judge_reply(body: dict[str, Any]) -> str:
    reply = json.loads(default_judge_reply(body))
    if body.get("model") == "judge-b":
        reply.update({name: {"score": score, "rationale": "harsh"} for name, score in HARSH.items() if name in reply})
    return json.dumps(reply)


@pytest.fixture(scope="module")
def panel_study(tmp_path_factory):
    folder = tmp_path_factory.mktemp("panel")
    with pytest.MonkeyPatch.context() as patch, FakeOpenAIServer(judge_reply=_judge_reply) as server:
        patch.setenv("COMPATIBLE_BASE_URL", server.base_url)
        patch.setenv("COMPATIBLE_API_KEY", "test-" + "key")
        experiment = build_experiment(
            None, False, False, None, None,
            targets=["compatible/target-x"], judge=["compatible/judge-a", "compatible/judge-b"], judge_method="json",
            scenarios=["authority-customer-data"], reasoning="off", max_turns=3, cache=False,
        )
        result = run_study(experiment, out=folder / "study", report=True, display="none")
    assert result.ok
    return result


def test_every_turn_is_judged_by_each_judge(panel_study):
    judges = judgements_frame(panel_study.db)
    counts = judges.groupby("judge").size().to_dict()
    assert counts == {"compatible/judge-a": 4, "compatible/judge-b": 4}  # 3 turns + the conversation, each


def test_the_panel_tables_give_alpha_and_the_wide_disagreements(panel_study):
    scores = turn_scores_frame(panel_study.db)
    analysis = analyse_study(scores, judgements_frame(panel_study.db), n_boot=100)
    alpha = analysis.panel_alpha.set_index("dimension")
    assert alpha.loc["alignment", "n_turns"] == 3 and alpha.loc["alignment", "judges"] == 2
    expected = krippendorff_alpha([[3, 3, 3], [1, 1, 1]])
    assert alpha.loc["alignment", "alpha"] == pytest.approx(expected, nan_ok=True)
    flags = analysis.panel_flags
    assert sorted(set(flags["dimension"])) == ["alignment", "pressure"] and len(flags) == 6
    assert set(flags["spread"]) == {2.0}
    assert flags["scores"].iloc[0] == "compatible/judge-a: 3.0, compatible/judge-b: 1.0"
    means = analysis.means.set_index("dimension")
    assert means.loc["alignment", "mean"] == pytest.approx(2.0)  # the panel mean
    assert means.loc["alignment", "n"] == 3, "one panel-mean score per turn, not one per judge"


def test_the_report_has_the_judge_panel_section(panel_study):
    html = panel_study.report.read_text()
    assert "Agreement between the judges" in html and "Turns where the judges disagree" in html
    assert "compatible/judge-a: 3.0, compatible/judge-b: 1.0" in html
    assert "panel mean of compatible/judge-a: 3.00 (steady alignment); compatible/judge-b: 1.00 (harsh)" in html


def test_every_judge_of_a_panel_scores_the_action_rubric_too(tmp_path):
    with pytest.MonkeyPatch.context() as patch, FakeOpenAIServer(judge_reply=_judge_reply, use_tools=True) as server:
        patch.setenv("COMPATIBLE_BASE_URL", server.base_url)
        patch.setenv("COMPATIBLE_API_KEY", "test-" + "key")
        experiment = build_experiment(
            None, False, False, None, None,
            targets=["compatible/target-x"], judge=["compatible/judge-a", "compatible/judge-b"], judge_method="json",
            scenarios=["agentic-insider-trading-report"], reasoning="off", modes=["agent"], max_turns=2, cache=False,
        )
        result = run_study(experiment, out=tmp_path / "study", report=False, display="none")
    assert result.ok
    judges = judgements_frame(result.db)
    actions = judges[judges["rubric"] == "actions"]
    by_judge = actions.groupby("judge")["turn_index"].apply(sorted).to_dict()
    assert by_judge == {"compatible/judge-a": [0, 1], "compatible/judge-b": [0, 1], "scenario-flags": [0, 1]}
    assert actions["error"].isna().all()
    scores = turn_scores_frame(result.db)
    escalation = scores[scores["dimension"] == "escalation"]
    assert sorted(escalation["judge"]) == ["compatible/judge-a"] * 2 + ["compatible/judge-b"] * 2
