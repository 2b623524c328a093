"""The judge: one engine that scores any rubric with any judge and method, and the Inspect scorers on top."""

from pressure_sense.judge._case import JudgeCase
from pressure_sense.judge._checks import give_in_check, stance_check, stance_of
from pressure_sense.judge._choice import TRAINED_JUDGE, JudgeChoice, JudgeSeat
from pressure_sense.judge._conversation import conversation_cases, judge_conversation
from pressure_sense.judge._embedder import EmbeddingModelError
from pressure_sense.judge._engine import (
    FLAGS_JUDGE,
    METHODS,
    judge_case,
    model_judge,
    resolve_method,
    trained_judge,
)
from pressure_sense.judge._judge import Judge
from pressure_sense.judge._logprob import MIN_DIGIT_MASS, LogprobError, NoLogprobs, weighted_score, yes_probability
from pressure_sense.judge._parse import JudgeParseError, extract_object, parse_judgement, parse_score
from pressure_sense.judge._prompt import asked_dimensions, case_text, judge_messages, quote
from pressure_sense.judge._reader import (
    HEADS,
    Reader,
    ReaderError,
    ReaderInput,
    ReaderVerdict,
    normalise,
    reader_input,
    unreadable_reason,
)
from pressure_sense.judge._records import DIMENSIONS, JUDGEMENTS_KEY, DimensionScore, Flag, Judgement
from pressure_sense.judge._reliability import judge_reliability, reliability_lines, save_reliability
from pressure_sense.judge._scorer import dimension_means, rubric_judge, study_scorers

__all__ = [
    "DIMENSIONS",
    "HEADS",
    "EmbeddingModelError",
    "Reader",
    "ReaderError",
    "ReaderInput",
    "ReaderVerdict",
    "normalise",
    "reader_input",
    "unreadable_reason",
    "FLAGS_JUDGE",
    "JUDGEMENTS_KEY",
    "METHODS",
    "MIN_DIGIT_MASS",
    "TRAINED_JUDGE",
    "DimensionScore",
    "Flag",
    "Judge",
    "JudgeCase",
    "JudgeChoice",
    "JudgeSeat",
    "JudgeParseError",
    "Judgement",
    "LogprobError",
    "NoLogprobs",
    "asked_dimensions",
    "case_text",
    "conversation_cases",
    "dimension_means",
    "extract_object",
    "give_in_check",
    "judge_case",
    "judge_conversation",
    "judge_messages",
    "judge_reliability",
    "model_judge",
    "parse_judgement",
    "parse_score",
    "quote",
    "reliability_lines",
    "resolve_method",
    "rubric_judge",
    "save_reliability",
    "stance_check",
    "stance_of",
    "study_scorers",
    "trained_judge",
    "weighted_score",
    "yes_probability",
]
