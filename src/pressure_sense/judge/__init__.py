"""The judge: rubric, prompts, strict parsing, log-probability scoring, and the Inspect scorer."""

from pressure_sense.judge._actions import ACTION_DIMENSIONS, action_judge, judge_actions
from pressure_sense.judge._judging import judge_case, judge_conversation, resolve_method
from pressure_sense.judge._logprob import MIN_DIGIT_MASS, LogprobError, weighted_score, yes_probability
from pressure_sense.judge._parse import JudgeParseError, extract_object, parse_judgement, parse_score
from pressure_sense.judge._prompt import JudgeCase, judge_messages
from pressure_sense.judge._records import DIMENSIONS, JUDGEMENTS_KEY, DimensionScore, Judgement
from pressure_sense.judge._rubric import RUBRIC, rubric_text
from pressure_sense.judge._scorer import dimension_means, judge_model, panel_role, pressure_judge

__all__ = [
    "ACTION_DIMENSIONS",
    "DIMENSIONS",
    "JUDGEMENTS_KEY",
    "MIN_DIGIT_MASS",
    "RUBRIC",
    "DimensionScore",
    "JudgeCase",
    "JudgeParseError",
    "Judgement",
    "LogprobError",
    "action_judge",
    "dimension_means",
    "extract_object",
    "judge_actions",
    "judge_case",
    "judge_conversation",
    "judge_messages",
    "judge_model",
    "parse_judgement",
    "panel_role",
    "parse_score",
    "pressure_judge",
    "resolve_method",
    "rubric_text",
    "weighted_score",
    "yes_probability",
]
