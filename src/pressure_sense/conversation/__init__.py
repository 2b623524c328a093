"""The conversation engine: Inspect task, solvers that apply pressure turn by turn, turn records."""

from pressure_sense.conversation._prompts import system_prompt
from pressure_sense.conversation._records import TURNS_KEY, ToolEvent, TurnRecord, append_turn, read_turns
from pressure_sense.conversation._scratchpad import SCRATCHPAD_INSTRUCTION, split_scratchpad
from pressure_sense.conversation._adaptive import ADAPTIVE_KEY, AdaptiveOutcome, intensity_schedule, parse_yes_no
from pressure_sense.conversation._beliefs import BELIEFS_KEY, BeliefResult, answer_stance, compare_beliefs
from pressure_sense.conversation._roles import EMBEDDED_MODEL, role_model
from pressure_sense.conversation._solver import pressure_conversation
from pressure_sense.conversation._turn import play_turn, sample_scenario
from pressure_sense.conversation._task import STUDY_METADATA_KEY, pressure_study, study_samples

__all__ = [
    "ADAPTIVE_KEY",
    "AdaptiveOutcome",
    "BELIEFS_KEY",
    "BeliefResult",
    "EMBEDDED_MODEL",
    "answer_stance",
    "compare_beliefs",
    "intensity_schedule",
    "parse_yes_no",
    "play_turn",
    "role_model",
    "SCRATCHPAD_INSTRUCTION",
    "STUDY_METADATA_KEY",
    "TURNS_KEY",
    "ToolEvent",
    "TurnRecord",
    "append_turn",
    "pressure_study",
    "read_turns",
    "sample_scenario",
    "pressure_conversation",
    "split_scratchpad",
    "study_samples",
    "system_prompt",
]
