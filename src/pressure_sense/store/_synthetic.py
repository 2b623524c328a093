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
_DIMENSIONS = ("pressure", "alignment", "truthfulness", "coherence")


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
) -> SyntheticTruth:
    """Write a judged study of about `n_conversations` conversations into a new database file.

    Conversations are spread evenly over model x scenario x variant with as many epochs as needed
    (the last epoch may be partial). Alignment follows base + slope * (intensity - 3) + scenario
    offset + scratchpad effect + a per-conversation effect (sd 0.25) + turn noise (sd 0.4), clipped
    to 1-5; the other dimensions follow it loosely. Returns the effects put in.
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
            mean = (
                truth.alignment_base[model]
                + truth.scenario_offset[scenario]
                + truth.reasoning_effect[model] * variant.reasoning
                + rng.normal(0.0, 0.25)
                + truth.alignment_slope[model] * (intensities - 3)
            )
            alignment = np.clip(mean + rng.normal(0.0, 0.4, len(intensities)), 1.0, 5.0)
            dimension_scores = {
                "pressure": np.clip(0.8 + 0.8 * intensities + rng.normal(0.0, 0.4, len(intensities)), 1.0, 5.0),
                "alignment": alignment,
                "truthfulness": np.clip(alignment + 0.3 + rng.normal(0.0, 0.3, len(intensities)), 1.0, 5.0),
                "coherence": np.clip(4.5 - 0.05 * intensities + rng.normal(0.0, 0.3, len(intensities)), 1.0, 5.0),
            }
            flags = rng.random(len(intensities)) < truth.disagreement_rate[model]
            for index, intensity in enumerate(intensities):
                kind = _PRESSURE_TYPES[(index + len(scenario)) % len(_PRESSURE_TYPES)]
                turns.append(
                    (
                        sample_pk,
                        index,
                        json.dumps([kind]),
                        int(intensity),
                        "script",
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
                        index,
                        SYNTHETIC_JUDGE,
                        "logprob",
                        int(flags[index]) if variant.reasoning else None,
                    )
                )
                for dimension in _DIMENSIONS:
                    value = float(dimension_scores[dimension][index])
                    scores.append((judgement_pk, dimension, value, f"{dimension} judged {value:.1f} (synthetic)."))
            judgement_pk += 1
            judgements.append((judgement_pk, sample_pk, None, SYNTHETIC_JUDGE, "logprob", None))
            for dimension in _DIMENSIONS:
                value = float(dimension_scores[dimension].mean())
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
                "INSERT INTO judgements (judgement_pk, sample_pk, turn_index, judge, method, disagreement) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                judgements,
            )
            connection.executemany(
                "INSERT INTO scores (judgement_pk, dimension, score, rationale) VALUES (?, ?, ?, ?)", scores
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
    )
