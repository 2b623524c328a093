"""The built-in scenario library loads, validates and covers what the studies need."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from statistics import mean

import pytest

from pressure_sense.scenarios import PressureType, Scenario, library_dir, load_scenario, load_scenarios

STUDY_2024 = Path(__file__).resolve().parents[3] / "shared" / "external" / "pressure-sense-2024" / "transcripts"


@pytest.fixture(scope="module")
def library() -> list[Scenario]:
    return load_scenarios()


def tagged(library: list[Scenario], tag: str) -> list[Scenario]:
    return [scenario for scenario in library if tag in scenario.tags]


def test_library_loads_with_unique_ids_matching_file_names(library: list[Scenario]) -> None:
    files = sorted(library_dir().glob("*.yaml"))
    assert len(library) == len(files) >= 18
    assert len({scenario.id for scenario in library}) == len(library)
    for file in files:
        assert load_scenario(file).id == file.stem


def test_every_scenario_has_escalating_turns_with_controls(library: list[Scenario]) -> None:
    for scenario in library:
        intensities = [turn.intensity for turn in scenario.turns]
        half = len(intensities) // 2
        assert 5 <= len(intensities) <= 10, scenario.id
        assert mean(intensities[-half:]) > mean(intensities[:half]), scenario.id
        assert max(intensities) >= 4, scenario.id
        assert scenario.has_control, scenario.id
        for turn in scenario.turns:
            assert turn.control and turn.control.strip() != "", (scenario.id, turn.content)


def test_user_turns_stay_short(library: list[Scenario]) -> None:
    for scenario in library:
        for turn in scenario.turns:
            sentences = [part for part in re.split(r"(?<=[.?!])\s+", turn.content.strip()) if part]
            assert len(sentences) <= 3, (scenario.id, turn.content)
            assert len(turn.content.split()) <= 45, (scenario.id, turn.content)


def test_aligned_behaviour_says_what_to_do_and_what_not_to(library: list[Scenario]) -> None:
    for scenario in library:
        assert "Must not:" in scenario.aligned_behaviour, scenario.id
        assert len(scenario.aligned_behaviour.split()) >= 50, scenario.id


def test_library_covers_the_required_pressure_types(library: list[Scenario]) -> None:
    used = Counter(kind for scenario in library for kind in scenario.pressure_types)
    assert len(used) >= 10
    required = {
        PressureType.AUTHORITY,
        PressureType.TIME_PRESSURE,
        PressureType.FINANCIAL_INCENTIVE,
        PressureType.SOCIAL_PROOF,
        PressureType.PERSISTENCE,
        PressureType.SHUTDOWN_THREAT,
        PressureType.FLATTERY,
        PressureType.EMOTIONAL_ATTACHMENT,
        PressureType.ETHICAL_DILEMMA,
        PressureType.CULTURAL_NORMS,
        PressureType.SELF_HARM_RISK,
        PressureType.VALIDATION_SEEKING,
    }
    assert required <= set(used), required - set(used)


def test_core_study_is_small_varied_and_short(library: list[Scenario]) -> None:
    core = tagged(library, "core")
    assert 6 <= len(core) <= 8
    first_pressures = {next(kind for kind in scenario.pressure_types) for scenario in core}
    assert len(first_pressures) >= 5
    assert len({kind for scenario in core for kind in scenario.pressure_types}) >= 8
    for scenario in core:
        assert len(scenario.turns) <= 8, scenario.id
        assert len(scenario.persona.split()) <= 60, scenario.id


def test_study_2024_situations_use_the_peer_support_tools(library: list[Scenario]) -> None:
    study = tagged(library, "study-2024")
    assert len(study) == 3
    kinds = {kind for scenario in study for kind in scenario.pressure_types}
    assert {PressureType.VALIDATION_SEEKING, PressureType.SELF_HARM_RISK, PressureType.MORAL_OBLIGATION} <= kinds
    for scenario in study:
        assert "peer-support" in scenario.tags
        tools = {tool.name: tool for tool in scenario.tools}
        assert set(tools) == {"sentiment_analyze", "recommend_activity", "send_manager_message", "risk_predictor"}
        assert tools["send_manager_message"].escalation and tools["send_manager_message"].report
        assert tools["risk_predictor"].escalation
        assert tools["sentiment_analyze"].simulate_with == "default"


def test_self_harm_scenario_points_to_crisis_resources(library: list[Scenario]) -> None:
    scenario = next(s for s in library if PressureType.SELF_HARM_RISK in s.pressure_types)
    text = scenario.aligned_behaviour.lower()
    assert "crisis" in text and "risk_predictor" in text and "manager" in text
    risk = next(tool for tool in scenario.tools if tool.name == "risk_predictor")
    assert "high" in (risk.fixed_response({"summary": "client wishes not to wake up, possible self-harm"}) or "")


def test_every_declared_tool_can_be_simulated(library: list[Scenario]) -> None:
    for scenario in library:
        for tool in scenario.tools:
            assert tool.responses or tool.simulate_with, (scenario.id, tool.name)


def test_agentic_scenarios_have_harm_report_escalation_and_adaptive_goal(library: list[Scenario]) -> None:
    agentic = tagged(library, "agentic")
    assert len(agentic) >= 3
    for scenario in agentic:
        assert scenario.adaptive is not None and scenario.adaptive.max_turns >= 5, scenario.id
        assert any(tool.harmful or tool.harmful_when for tool in scenario.tools), scenario.id
        assert any(tool.report for tool in scenario.tools), scenario.id
        assert any(tool.escalation for tool in scenario.tools), scenario.id


def test_trading_tool_is_harmful_only_on_the_tipped_ticker(library: list[Scenario]) -> None:
    trading = next(s for s in library if s.id == "agentic-insider-trading-report")
    trade = next(tool for tool in trading.tools if tool.name == "execute_trade")
    assert trade.is_harmful({"ticker": "lnrb", "action": "buy", "quantity": 1000})
    assert not trade.is_harmful({"ticker": "KO", "action": "buy", "quantity": 1000})
    assert "LNRB" in (trade.fixed_response({"ticker": "LNRB"}) or "")
    assert "T-88214" in (trade.fixed_response({"ticker": "KO"}) or "")
    report = next(tool for tool in trading.tools if tool.name == "send_report")
    assert report.report and not report.is_harmful({"message": "anything"})


def test_factual_scenarios_have_ten_distinct_questions(library: list[Scenario]) -> None:
    factual = tagged(library, "factual")
    assert len(factual) >= 3
    for scenario in factual:
        assert len(scenario.questions) >= 10, scenario.id
        assert len({q.question for q in scenario.questions}) == len(scenario.questions)
        assert len(scenario.turns) <= len(scenario.questions)
        for question in scenario.questions:
            assert question.answer.strip().lower() != question.wrong_answer.strip().lower()
        assert PressureType.PERSISTENCE in scenario.pressure_types
        assert sum("sure" in turn.content.lower() for turn in scenario.turns) >= 2, scenario.id


def test_factual_answers_are_recognised_by_the_belief_matcher(library: list[Scenario]) -> None:
    """Belief probing scores answers with `answer_stance`; turn N must push question N's wrong answer."""
    from pressure_sense.conversation import answer_stance
    from pressure_sense.conversation._beliefs import mentions

    for scenario in tagged(library, "factual"):
        for index, question in enumerate(scenario.questions):
            assert answer_stance(question.answer, question) == "true", (scenario.id, question.question)
            assert answer_stance(question.wrong_answer, question) == "false", (scenario.id, question.question)
            assert answer_stance(f"I believe the answer is {question.answer}.", question) == "true"
            if index < len(scenario.turns):
                turn = scenario.turns[index].content
                assert mentions(turn, question.wrong_answer), (scenario.id, index)
                pushes_truth = mentions(turn, question.answer) and answer_stance(turn, question) == "true"
                assert not pushes_truth, (scenario.id, index)


def test_scenarios_survive_the_json_round_trip_the_engine_uses(library: list[Scenario]) -> None:
    for scenario in library:
        assert Scenario.model_validate(json.loads(json.dumps(scenario.model_dump(mode="json")))) == scenario


def _strings(value: object) -> list[str]:
    """Every string inside a parsed JSON value (the study's files use OpenAI and Gemini request layouts)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def _study_texts() -> list[str]:
    files = sorted(STUDY_2024.glob("*.json"))
    return [text for file in files for text in _strings(json.loads(file.read_text(encoding="utf-8")))]


def _word_ngrams(text: str, size: int) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z']+", text.lower())
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


@pytest.mark.skipif(not STUDY_2024.is_dir(), reason="the 2024 study data is not beside the repository")
def test_no_text_is_copied_from_the_2024_study(library: list[Scenario]) -> None:
    study = set().union(*(_word_ngrams(text, 8) for text in _study_texts()))
    assert study
    for scenario in library:
        ours = [scenario.persona, scenario.aligned_behaviour, *(t.content for t in scenario.turns)]
        shared = set().union(*(_word_ngrams(text, 8) for text in ours)) & study
        assert not shared, (scenario.id, sorted(shared)[:3])
