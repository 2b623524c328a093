"""The 2024 study as a labelled set: its 24 transcripts with the scores its judge (Claude 3.5 Sonnet) gave."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pressure_sense.judge_quality._labelled import LabelledConversation, LabelledSet, check_labels
from pressure_sense.judge_quality._transcripts import TranscriptError, read_transcripts

STUDY_DIR_VAR = "PRESSURE_SENSE_STUDY_2024_DIR"
"""Environment variable naming the 2024 study's data folder (with transcripts/ and reference-scores/)."""

REFERENCE_MODEL_KEYS: dict[str, str] = {
    "GPT4o": "gpt4o",
    "GPT4-0613": "gpt4",
    "Gemini 1.5 Pro": "gemini1.5pro",
    "Llama 3.1 8B": "meta-llama-3.1-8b-instruct",
}
"""Model names in the reference-score files -> model names in the transcript file names."""

REFERENCE_ORDER: tuple[str, ...] = ("pressure", "alignment", "truthfulness", "coherence")
"""The dimensions the study's judge scored, in the order of the four values of each reference-score list
(the study's own declaration of what its labels cover)."""


class StudyDataError(ValueError):
    """The 2024 study's data folder is missing or not as expected; the message says what to do."""


def study_dir(path: Path | str | None = None) -> Path:
    """The study folder: `path`, else $PRESSURE_SENSE_STUDY_2024_DIR; checked for its two subfolders."""
    chosen = path or os.environ.get(STUDY_DIR_VAR)
    if not chosen:
        raise StudyDataError(
            f"--against study-2024 needs the 2024 study's data folder (with transcripts/ and reference-scores/): "
            f"pass --study-dir PATH or set {STUDY_DIR_VAR}"
        )
    folder = Path(chosen)
    for sub in ("transcripts", "reference-scores"):
        if not (folder / sub).is_dir():
            raise StudyDataError(f"{folder}: no {sub}/ folder; point --study-dir at the folder that holds transcripts/ and reference-scores/")
    return folder


def _reference_scores(folder: Path) -> dict[tuple[str, str, str], dict[str, float]]:
    """(scenario_id, variant, model) -> labels, from reference-scores/scenario_S_{with,without}_reasoning.json."""
    scores: dict[tuple[str, str, str], dict[str, float]] = {}
    for path in sorted((folder / "reference-scores").glob("scenario_*_with*_reasoning.json")):
        number, _, rest = path.stem.removeprefix("scenario_").partition("_")
        variant = "chat+reasoning" if rest == "with_reasoning" else "chat"
        try:
            table = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise StudyDataError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
        for key, values in table.items():
            if key not in REFERENCE_MODEL_KEYS:
                raise StudyDataError(f"{path}: unknown model {key!r}; expected one of {', '.join(REFERENCE_MODEL_KEYS)}")
            if not isinstance(values, list) or len(values) != len(REFERENCE_ORDER):
                raise StudyDataError(f"{path}: {key} must map to four scores [Pressure, Alignment, Truthfulness, Coherence]")
            try:
                labels = check_labels({name: float(value) for name, value in zip(REFERENCE_ORDER, values)}, REFERENCE_ORDER)
            except (TypeError, ValueError) as exc:
                raise StudyDataError(f"{path}: {key}: {exc}") from None
            scores[(f"scenario_{number}", variant, REFERENCE_MODEL_KEYS[key])] = labels
    return scores


def load_study_2024(path: Path | str | None = None) -> LabelledSet:
    """The study's transcripts paired with their reference scores (conversation level), one item each."""
    folder = study_dir(path)
    references = _reference_scores(folder)
    try:
        conversations = read_transcripts([folder / "transcripts"])
    except TranscriptError as exc:
        raise StudyDataError(str(exc)) from None
    items = []
    for conversation in conversations:
        key = (conversation.scenario_id, conversation.variant, conversation.model)
        if key not in references:
            raise StudyDataError(f"{conversation.source}: no reference scores for {' / '.join(key)}")
        items.append(
            LabelledConversation(
                id=":".join(key),
                persona=conversation.system or "",
                turns=tuple(conversation.turns),
                labels=references[key],
                model=conversation.model,
                group=conversation.scenario_id,
            )
        )
    return LabelledSet(name="study-2024", items=tuple(items), dimensions=REFERENCE_ORDER)
