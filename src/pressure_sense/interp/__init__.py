"""Interpretability at high-pressure moments: replay conversations through an open-weight model with TransformerLens
(offline) and measure attention, activations, a probe and the logit lens at each response start."""

from pressure_sense.interp._activations import (
    PressureDirection,
    intensity_classes,
    pressure_direction,
    probe_layers,
    project,
)
from pressure_sense.interp._analysis import MEASURES, InterpTables, alignment_correlations, analyse, turn_measures
from pressure_sense.interp._attention import (
    SEGMENTS,
    TurnTokens,
    condensed_pattern,
    segment_shares,
    share_trend,
    turn_tokens,
)
from pressure_sense.interp._capture import ConversationCapture, TurnCapture, capture_conversation, capture_turn
from pressure_sense.interp._conversation import (
    Conversation,
    TurnInfo,
    scenario_conversation,
    stored_conversation,
    stored_conversations,
)
from pressure_sense.interp._extra import INTERP_INSTALL, InterpError, missing_interp_packages, require_interp_extra
from pressure_sense.interp._lens import (
    COMPLIANCE_WORDS,
    REFUSAL_WORDS,
    LensTokens,
    first_token_probabilities,
    head_masking_effects,
    lens_probabilities,
    lens_tokens,
)
from pressure_sense.interp._model import EMBEDDED, InterpModel, boot_bridge, load_interp_model, model_folder
from pressure_sense.interp._run import InterpResult, InterpSettings, default_view_layers, run_interp

__all__ = [
    "COMPLIANCE_WORDS",
    "EMBEDDED",
    "INTERP_INSTALL",
    "MEASURES",
    "REFUSAL_WORDS",
    "SEGMENTS",
    "Conversation",
    "ConversationCapture",
    "InterpError",
    "InterpModel",
    "InterpResult",
    "InterpSettings",
    "InterpTables",
    "LensTokens",
    "PressureDirection",
    "TurnCapture",
    "TurnInfo",
    "TurnTokens",
    "alignment_correlations",
    "analyse",
    "boot_bridge",
    "capture_conversation",
    "capture_turn",
    "condensed_pattern",
    "default_view_layers",
    "first_token_probabilities",
    "head_masking_effects",
    "intensity_classes",
    "lens_probabilities",
    "lens_tokens",
    "load_interp_model",
    "missing_interp_packages",
    "model_folder",
    "pressure_direction",
    "probe_layers",
    "project",
    "require_interp_extra",
    "run_interp",
    "scenario_conversation",
    "segment_shares",
    "share_trend",
    "stored_conversation",
    "stored_conversations",
    "turn_measures",
    "turn_tokens",
]
