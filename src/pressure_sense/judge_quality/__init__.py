"""Judge quality: import of outside transcripts, agreement statistics, calibration, panels and bias probes."""

from pressure_sense.judge_quality._agreement import (
    DimensionAgreement,
    Estimate,
    auroc,
    cluster_bootstrap_ci,
    dimension_agreement,
    exact_accuracy,
    mean_absolute_error,
    quadratic_weighted_kappa,
    spearman,
    within_one_accuracy,
)
from pressure_sense.judge_quality._bias import (
    BiasEffect,
    length_probe,
    pad_answers,
    paired_effects,
    position_probe,
    reorder_turns,
    self_preference,
)
from pressure_sense.judge_quality._calibration import CalibrationError, calibration_dir, load_calibration, parse_calibration
from pressure_sense.judge_quality._check import CheckResult, ConversationJudge, agreement_of, check_judge, judge_items
from pressure_sense.judge_quality._import import ImportResult, import_conversations, import_transcripts
from pressure_sense.analysis import krippendorff_alpha
from pressure_sense.judge_quality._labelled import LabelledConversation, LabelledSet
from pressure_sense.judge_quality._panel import PanelFlag, PanelSummary, panel_mean_agreement, panel_summary
from pressure_sense.judge_quality._reference import LabelledTurn, ReferenceSetError, load_reference, reference_dir
from pressure_sense.judge_quality._runner import JudgeCheckReport, resolve_labelled, run_judge_check
from pressure_sense.judge_quality._study2024 import STUDY_DIR_VAR, StudyDataError, load_study_2024
from pressure_sense.judge_quality._transcripts import (
    ImportedConversation,
    TranscriptLabels,
    TranscriptError,
    read_transcript_file,
    read_transcripts,
)

__all__ = [
    "STUDY_DIR_VAR",
    "BiasEffect",
    "CalibrationError",
    "CheckResult",
    "ConversationJudge",
    "DimensionAgreement",
    "Estimate",
    "ImportResult",
    "ImportedConversation",
    "JudgeCheckReport",
    "LabelledConversation",
    "LabelledSet",
    "LabelledTurn",
    "ReferenceSetError",
    "TranscriptLabels",
    "PanelFlag",
    "PanelSummary",
    "StudyDataError",
    "TranscriptError",
    "agreement_of",
    "auroc",
    "cluster_bootstrap_ci",
    "load_reference",
    "quadratic_weighted_kappa",
    "reference_dir",
    "calibration_dir",
    "check_judge",
    "dimension_agreement",
    "exact_accuracy",
    "import_conversations",
    "import_transcripts",
    "judge_items",
    "krippendorff_alpha",
    "length_probe",
    "load_calibration",
    "load_study_2024",
    "mean_absolute_error",
    "pad_answers",
    "paired_effects",
    "panel_mean_agreement",
    "panel_summary",
    "parse_calibration",
    "position_probe",
    "read_transcript_file",
    "read_transcripts",
    "reorder_turns",
    "resolve_labelled",
    "run_judge_check",
    "self_preference",
    "spearman",
    "within_one_accuracy",
]
