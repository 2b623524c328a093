"""The judge: one engine that scores any rubric with any judge and method, and the Inspect scorers on top."""

from pressure_sense.judge._choice import TRAINED_JUDGE, JudgeChoice, JudgeSeat
from pressure_sense.judge._engine import (
    FLAGS_JUDGE, METHODS, judge_case, judge_conversation, model_judge, resolve_method, trained_judge,
)
from pressure_sense.judge._json import JudgeParseError, extract_object, parse_judgement, parse_score
from pressure_sense.judge._judge import Judge, JudgeCase
from pressure_sense.judge._logprob import MIN_DIGIT_MASS, LogprobError, NoLogprobs, weighted_score, yes_probability
from pressure_sense.judge._prompt import asked_dimensions, case_text, judge_messages
from pressure_sense.judge._reader import (
    HEADS,
    LENGTH_JUDGE,
    READER_FORMAT,
    READER_FORMAT_VERSION,
    READER_JUDGE,
    EmbeddingModelError,
    HeldOutSet,
    Reader,
    ReaderError,
    ReaderInput,
    ReaderVerdict,
    card_figure,
    card_path,
    normalise,
    reader_input,
    sentence_embeddings,
    unreadable_reason,
)
from pressure_sense.judge._reader_train import (
    LowerCache,
    TrainingPair,
    TrainSettings,
    new_net,
    read_cached,
    train_reader,
)
from pressure_sense.judge._records import DIMENSIONS, JUDGEMENTS_KEY, DimensionScore, Flag, Judgement
from pressure_sense.judge._reliability import judge_reliability, reliability_lines, save_reliability
from pressure_sense.judge._scorer import (
    dimension_means, give_in_check, rubric_judge, stance_check, stance_of, study_scorers,
)

__all__ = [
    "asked_dimensions", "card_figure", "card_path", "case_text",
    "dimension_means", "DIMENSIONS", "DimensionScore", "EmbeddingModelError",
    "extract_object", "Flag", "FLAGS_JUDGE", "give_in_check", "HEADS", "Judge", "judge_case", "judge_conversation",
    "judge_messages", "judge_reliability", "JudgeCase", "JudgeChoice", "Judgement", "JUDGEMENTS_KEY",
    "JudgeParseError", "JudgeSeat", "LENGTH_JUDGE", "LogprobError", "LowerCache", "METHODS",
    "MIN_DIGIT_MASS", "model_judge", "new_net", "NoLogprobs", "normalise", "parse_judgement", "parse_score",
    "read_cached", "Reader", "READER_FORMAT", "READER_FORMAT_VERSION", "reader_input", "READER_JUDGE",
    "ReaderError", "ReaderInput", "ReaderVerdict", "reliability_lines", "resolve_method", "rubric_judge",
    "save_reliability", "sentence_embeddings", "stance_check", "stance_of", "study_scorers", "HeldOutSet",
    "train_reader", "TRAINED_JUDGE", "trained_judge", "TrainingPair", "TrainSettings",
    "unreadable_reason", "weighted_score", "yes_probability",
]
