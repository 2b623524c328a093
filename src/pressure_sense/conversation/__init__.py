"""The conversation engine: solvers that apply pressure turn by turn, and the records of the turns played."""

from pressure_sense.conversation._prompts import system_prompt
from pressure_sense.conversation._records import TURNS_KEY, ToolEvent, TurnRecord, append_turn, read_turns
from pressure_sense.conversation._scratchpad import SCRATCHPAD_INSTRUCTION, split_scratchpad
from pressure_sense.conversation._adaptive import ADAPTIVE_KEY, AdaptiveOutcome, GiveInCheck, intensity_schedule
from pressure_sense.conversation._beliefs import (
    BELIEFS_KEY, BeliefResult, Stance, StanceCheck, answer_stance, compare_beliefs,
)
from pressure_sense.conversation._roles import role_model
from pressure_sense.conversation._solver import pressure_conversation
from pressure_sense.conversation._turn import ScenarioIndex, play_turn, sample_scenario

__all__ = [
    "ADAPTIVE_KEY",
    "AdaptiveOutcome",
    "GiveInCheck",
    "ScenarioIndex",
    "BELIEFS_KEY",
    "BeliefResult",
    "Stance",
    "StanceCheck",
    "answer_stance",
    "compare_beliefs",
    "intensity_schedule",
    "play_turn",
    "role_model",
    "SCRATCHPAD_INSTRUCTION",
    "TURNS_KEY",
    "ToolEvent",
    "TurnRecord",
    "append_turn",
    "read_turns",
    "sample_scenario",
    "pressure_conversation",
    "split_scratchpad",
    "system_prompt",
]
