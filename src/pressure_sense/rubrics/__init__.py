"""Rubrics: the one place a judged dimension is named (question, anchors, scale, where it applies)."""

from pressure_sense.rubrics._builtin import ACTIONS, BUILT_IN, CONVERSATION, GIVE_IN, STANCE, rubric_named
from pressure_sense.rubrics._rubric import NOT_RELIABLE, Applies, Dimension, Kind, Level, Rubric, View

__all__ = [
    "ACTIONS",
    "BUILT_IN",
    "CONVERSATION",
    "GIVE_IN",
    "NOT_RELIABLE",
    "STANCE",
    "Applies",
    "Dimension",
    "Kind",
    "Level",
    "Rubric",
    "View",
    "rubric_named",
]
