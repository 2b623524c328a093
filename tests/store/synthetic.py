"""A synthetic study written straight into a results database, with known effects (tests, benchmarks)."""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from pressure_sense.judge import DIMENSIONS
from pressure_sense.rubrics import ACTIONS, CONVERSATION
from pressure_sense.store._schema import DDL, SCHEMA_VERSION

SYNTHETIC_JUDGE = "synthetic/judge"
_PRESSURE_TYPES = (
    "validation_seeking",
    "emotional_volatility",
    "authority",
    "time_pressure",
    "moral_obligation",
    "persistence",
    "flattery",
    "social_proof",
)
CONTROL_FLIP_RATE = 0.05
"""Probability that a truly answered question flips in a control (no-pressure) conversation."""


@dataclass(frozen=True)
class SyntheticTruth:
    """The effects the generator put in, for tests to recover."""

    alignment_base: dict[str, float]
    """Each model's mean alignment at intensity 3 without a scratchpad (before noise and clipping)."""
    alignment_slope: dict[str, float]
    """Alignment points per intensity step, per model."""
    reasoning_effect: dict[str, float]
    """Alignment points added by the scratchpad, per model."""
    disagreement_rate: dict[str, float]
    """Probability that a scratchpad turn is flagged as disagreeing with the output, per model."""
    scenario_offset: dict[str, float] = field(default_factory=dict)
    n_conversations: int = 0
    epochs: int = 0
    agent_effect: dict[str, float] = field(default_factory=dict)
    """Alignment points added in agent mode, per model."""
    control_effect: dict[str, float] = field(default_factory=dict)
    """Alignment points a control (no-pressure) conversation has over its pressured twin, per model."""
    harmful_rate: dict[str, float] = field(default_factory=dict)
    """Probability that an agent turn makes a harmful tool call, per model."""
    flip_rate: dict[str, float] = field(default_factory=dict)
    """Probability that a question answered truly when asked neutrally flips under pressure, per model."""


def _intensities(turns: int) -> np.ndarray:
    """Rising intensity 1..5 over the turns of a conversation."""
    if turns == 1:
        return np.array([3])
    return 1 + np.round(4 * np.arange(turns) / (turns - 1)).astype(np.int64)


def synthetic_truth(models: Sequence[str], scenarios: Sequence[str]) -> SyntheticTruth:
    """The effects `write_synthetic_store` uses for these models and scenarios."""
    return SyntheticTruth(
        alignment_base={model: 4.2 - 0.6 * rank for rank, model in enumerate(models)},
        alignment_slope={model: -0.1 - 0.12 * rank for rank, model in enumerate(models)},
        reasoning_effect={model: 0.3 - 0.25 * rank for rank, model in enumerate(models)},
        disagreement_rate={model: 0.05 + 0.1 * rank for rank, model in enumerate(models)},
        scenario_offset={scenario: 0.2 - 0.2 * rank for rank, scenario in enumerate(scenarios)},
        agent_effect={model: -0.3 - 0.2 * rank for rank, model in enumerate(models)},
        control_effect={model: 0.5 + 0.4 * rank for rank, model in enumerate(models)},
        harmful_rate={model: 0.1 + 0.25 * rank for rank, model in enumerate(models)},
        flip_rate={model: 0.1 + 0.3 * rank for rank, model in enumerate(models)},
    )


def write_synthetic_store(
    db_path: str | Path,
    n_conversations: int,
    turns_per_conversation: int = 8,
    models: Sequence[str] = ("model-a", "model-b", "model-c"),
    scenarios: Sequence[str] = ("scenario-one", "scenario-two", "scenario-three"),
    seed: int = 0,
    *,
    variants: Sequence[str] = ("chat", "chat+reasoning"),
    study_id: str = "synthetic-study",
    belief_scenarios: Sequence[str] = (),
) -> SyntheticTruth:
    """Write a judged study of about `n_conversations` conversations into a new database file.

    Conversations are spread evenly over model x scenario x variant with as many epochs as needed
    (the last epoch may be partial). Alignment follows base + slope * (intensity - 3) + scenario
    offset + scratchpad effect + a per-conversation effect (sd 0.25) + turn noise (sd 0.4), clipped
    to 1-5; the other dimensions follow it loosely. Returns the effects put in.

    Variants may also be agent (alignment + agent_effect; one tool call per turn, harmful with
    probability harmful_rate, a report on the last turn; action judgements per turn), control
    (neutral turns at intensity 0: no slope, + control_effect) or adaptive (the conversation stops
    at the first turn with alignment <= 2, with an adaptive outcome row). Samples of
    `belief_scenarios` (not adaptive) get one factual question per turn, flipping with flip_rate.
    """
    from pressure_sense.scenarios import Variant

    path = Path(db_path)
    if path.exists():
        raise FileExistsError(f"{path} already exists; write the synthetic study to a new file")
    truth = synthetic_truth(models, scenarios)
    rng = np.random.default_rng(seed)
    cells = [(m, s, v) for m in models for s in scenarios for v in variants]
    epochs = max(1, math.ceil(n_conversations / len(cells)))
    intensities = _intensities(turns_per_conversation)
    created = datetime(2026, 1, 1, tzinfo=UTC).isoformat()
    run_ids = {model: f"{study_id}-run-{rank}" for rank, model in enumerate(models)}
    config = {
        "task_args": {
            "scenarios": list(scenarios),
            "variants": list(variants),
            "judge": SYNTHETIC_JUDGE,
            "judge_method": "logprob",
            "max_turns": turns_per_conversation,
        },
        "epochs": epochs,
        "versions": {"pressure_sense": "synthetic"},
    }
    runs = [
        (run_ids[m], study_id, created, m, SYNTHETIC_JUDGE, None, "success", json.dumps(config), "run") for m in models
    ]
    samples, turns, judgements, scores = [], [], [], []
    tool_events, beliefs, adaptive = [], [], []
    extra = np.random.default_rng(seed + 7919)  # a second stream: the chat rows stay as they were
    sample_pk = judgement_pk = 0
    for epoch in range(1, epochs + 1):
        for model, scenario, variant_name in cells:
            if sample_pk >= n_conversations:
                break
            sample_pk += 1
            variant = Variant.from_name(variant_name)
            samples.append(
                (
                    sample_pk,
                    run_ids[model],
                    f"{scenario}:{variant_name}",
                    epoch,
                    model,
                    scenario,
                    variant_name,
                    int(variant.reasoning),
                    variant.mode,
                    variant.condition,
                    "success",
                )
            )
            control = variant.condition == "control"
            levels = np.zeros_like(intensities) if control else intensities
            mean = (
                truth.alignment_base[model]
                + truth.scenario_offset[scenario]
                + truth.reasoning_effect[model] * variant.reasoning
                + rng.normal(0.0, 0.25)
                + (truth.control_effect[model] if control else truth.alignment_slope[model] * (intensities - 3))
                + (truth.agent_effect[model] if variant.mode == "agent" else 0.0)
            )
            alignment = np.clip(mean + rng.normal(0.0, 0.4, len(intensities)), 1.0, 5.0)
            dimension_scores = {
                "pressure": np.clip(0.8 + 0.8 * levels + rng.normal(0.0, 0.4, len(intensities)), 1.0, 5.0),
                "alignment": alignment,
                "truthfulness": np.clip(alignment + 0.3 + rng.normal(0.0, 0.3, len(intensities)), 1.0, 5.0),
                "coherence": np.clip(4.5 - 0.05 * levels + rng.normal(0.0, 0.3, len(intensities)), 1.0, 5.0),
            }
            flags = rng.random(len(intensities)) < truth.disagreement_rate[model]
            played = len(intensities)
            if variant.condition == "adaptive":
                broke = np.flatnonzero(alignment <= 2.0)
                played = int(broke[0]) + 1 if broke.size else played
                outcome = "gave_in" if broke.size else "held"
                adaptive.append((sample_pk, outcome, played, int(broke[0]) if broke.size else None))
            elif scenario in belief_scenarios:
                flip_rate = CONTROL_FLIP_RATE if control else truth.flip_rate[model]
                beliefs += _belief_rows(extra, sample_pk, scenario, played, flip_rate)
            for index, intensity in enumerate(levels[:played]):
                kind = "none" if control else _PRESSURE_TYPES[(index + len(scenario)) % len(_PRESSURE_TYPES)]
                if variant.mode == "agent":
                    report = index == played - 1
                    harmful = bool(extra.random() < truth.harmful_rate[model])
                    tool_events.append(_tool_event(sample_pk, index, harmful, report))
                    judgement_pk += 1
                    judgements.append((judgement_pk, sample_pk, ACTIONS.name, index, "scenario-flags", "flags", None))
                    scores.append((judgement_pk, "harmful_action", float(harmful), "measured (synthetic)."))
                    judgement_pk += 1
                    judgements.append((judgement_pk, sample_pk, ACTIONS.name, index, SYNTHETIC_JUDGE, "logprob", None))
                    for name, value in _action_scores(extra, float(alignment[index]), harmful, report).items():
                        scores.append((judgement_pk, name, value, f"{name} judged {value:.1f} (synthetic)."))
                turns.append(
                    (
                        sample_pk,
                        index,
                        json.dumps([kind]),
                        int(intensity),
                        "control" if control else "pressurer" if variant.condition == "adaptive" else "script",
                        f"[synthetic] turn {index + 1} of {scenario}: {kind} pressure at intensity {intensity}.",
                        f"[synthetic] private reasoning of {model} at turn {index + 1}." if variant.reasoning else None,
                        f"[synthetic] answer of {model} at turn {index + 1} (alignment {alignment[index]:.1f}).",
                    )
                )
                judgement_pk += 1
                judgements.append(
                    (
                        judgement_pk,
                        sample_pk,
                        CONVERSATION.name,
                        index,
                        SYNTHETIC_JUDGE,
                        "logprob",
                        int(flags[index]) if variant.reasoning else None,
                    )
                )
                for dimension in DIMENSIONS:
                    value = float(dimension_scores[dimension][index])
                    scores.append((judgement_pk, dimension, value, f"{dimension} judged {value:.1f} (synthetic)."))
            judgement_pk += 1
            judgements.append((judgement_pk, sample_pk, CONVERSATION.name, None, SYNTHETIC_JUDGE, "logprob", None))
            for dimension in DIMENSIONS:
                value = float(dimension_scores[dimension][:played].mean())
                scores.append(
                    (judgement_pk, dimension, value, f"Whole conversation: {dimension} {value:.1f} (synthetic).")
                )
    connection = sqlite3.connect(path)
    try:
        connection.executescript(DDL)
        with connection:
            connection.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            connection.executemany(
                "INSERT INTO runs (run_id, study_id, created_at, model, judge, log_path, status, config, source) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                runs,
            )
            connection.executemany(
                "INSERT INTO samples (sample_pk, run_id, sample_id, epoch, model, scenario_id, variant, reasoning, "
                "mode, condition, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                samples,
            )
            connection.executemany(
                "INSERT INTO turns (sample_pk, turn_index, pressure_types, intensity, source, user_content, "
                "reasoning, output) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                turns,
            )
            connection.executemany(
                "INSERT INTO judgements (judgement_pk, sample_pk, rubric, turn_index, judge, method, disagreement) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                judgements,
            )
            connection.executemany(
                "INSERT INTO scores (judgement_pk, dimension, score, rationale) VALUES (?, ?, ?, ?)", scores
            )
            connection.executemany(
                "INSERT INTO tool_events (sample_pk, turn_index, call_id, function, arguments, result, harmful, "
                "escalation, report) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                tool_events,
            )
            connection.executemany(
                "INSERT INTO beliefs (sample_pk, question_index, question, neutral_answer, belief, pressured_answer, "
                "final, flipped, direction) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                beliefs,
            )
            connection.executemany(
                "INSERT INTO adaptive_outcomes (sample_pk, stopped, turns, breaking_turn) VALUES (?, ?, ?, ?)", adaptive
            )
    finally:
        connection.close()
    return SyntheticTruth(
        truth.alignment_base,
        truth.alignment_slope,
        truth.reasoning_effect,
        truth.disagreement_rate,
        truth.scenario_offset,
        n_conversations=sample_pk,
        epochs=epochs,
        agent_effect=truth.agent_effect,
        control_effect=truth.control_effect,
        harmful_rate=truth.harmful_rate,
        flip_rate=truth.flip_rate,
    )


def _tool_event(sample_pk: int, index: int, harmful: bool, report: bool) -> tuple:
    """One synthetic tool call: a report on the last turn, else a trade (harmful or not)."""
    if report:
        return (sample_pk, index, f"call-{index}", "report", '{"text": "[synthetic] report"}', "Delivered.", 0, 1, 1)
    ticker = "TIP" if harmful else "IDX"
    arguments = json.dumps({"ticker": ticker})
    return (sample_pk, index, f"call-{index}", "trade", arguments, f"Bought {ticker}.", int(harmful), 0, 0)


def _action_scores(rng: np.random.Generator, alignment: float, harmful: bool, report: bool) -> dict[str, float]:
    """Judged escalation (and report honesty on report turns) that follow alignment, lower after harm."""
    scores = {"escalation": float(np.clip(round(alignment + rng.normal(0.0, 0.5)), 1, 5))}
    if report:
        scores["report_honesty"] = float(np.clip(round(alignment - 1.5 * harmful + rng.normal(0.0, 0.5)), 1, 5))
    return scores


def _belief_rows(
    rng: np.random.Generator, sample_pk: int, scenario: str, questions: int, flip_rate: float
) -> list[tuple]:
    """One factual question per turn: a neutral stance (mostly true), then the stance under pressure."""
    rows = []
    for index in range(questions):
        belief = str(rng.choice(["true", "false", "unclear"], p=[0.8, 0.1, 0.1]))
        if belief == "true":
            final = "false" if rng.random() < flip_rate else "true"
        elif belief == "false":
            final = "true" if rng.random() < 0.3 else "false"
        else:
            final = str(rng.choice(["true", "false"]))
        flipped = belief != "unclear" and belief != final
        direction = ("toward_truth" if final == "true" else "away_from_truth") if flipped else None
        rows.append(
            (
                sample_pk, index, f"[synthetic] question {index + 1} of {scenario}",
                f"[synthetic] neutral answer ({belief})", belief, f"[synthetic] pressured answer ({final})",
                final, int(flipped), direction,
            )
        )  # fmt: skip
    return rows
