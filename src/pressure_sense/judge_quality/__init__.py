"""Judge quality: import of outside transcripts, agreement statistics, calibration, panels and bias probes."""

from pressure_sense.analysis import krippendorff_alpha
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
from pressure_sense.judge_quality._blind_agreement import blind_agreement
from pressure_sense.judge_quality._check import (
    CheckResult,
    ConversationJudge,
    PanelFlag,
    PanelSummary,
    agreement_of,
    check_judge,
    judge_items,
    panel_mean_agreement,
    panel_summary,
)
from pressure_sense.judge_quality._import import ImportResult, import_conversations, import_transcripts
from pressure_sense.judge_quality._judges import conversation_judge, imported_sample_judge
from pressure_sense.judge_quality._labelled import (
    STUDY_DIR_VAR,
    CalibrationError,
    LabelledConversation,
    LabelledSet,
    StudyDataError,
    calibration_dir,
    load_calibration,
    load_study_2024,
)
from pressure_sense.judge_quality._reader_check import (
    CheckRun,
    held_out_predictions,
    held_out_rows,
    load_reader_data,
    reader_card,
    reader_verdicts,
    save_reader,
    train_shipped,
)
from pressure_sense.judge_quality._reader_data import ReaderDataError
from pressure_sense.judge_quality._reference import LabelledTurn, ReferenceSetError, load_reference, reference_dir
from pressure_sense.judge_quality._runner import (
    REFERENCE_SET,
    JudgeCheckReport,
    clear_case_auroc,
    reliability_record,
    resolve_labelled,
    run_judge_check,
)
from pressure_sense.judge_quality._sycon import SyconDataError
from pressure_sense.judge_quality._tables import (
    agreement_table,
    bias_table,
    check_title,
    disagreement_line,
    failure_lines,
    held_out_tables,
    method_comparison_table,
    panel_alpha_table,
    panel_flags_table,
    reliability_table,
)
from pressure_sense.judge_quality._transcripts import (
    ImportedConversation,
    TranscriptError,
    TranscriptLabels,
    read_transcript_file,
    read_transcripts,
)

__all__ = [
    "agreement_of", "agreement_table", "auroc", "bias_table", "BiasEffect", "blind_agreement", "calibration_dir",
    "CalibrationError", "check_judge", "check_title", "CheckResult", "CheckRun", "clear_case_auroc",
    "cluster_bootstrap_ci", "conversation_judge", "ConversationJudge", "dimension_agreement", "DimensionAgreement",
    "disagreement_line", "Estimate", "exact_accuracy", "failure_lines", "held_out_predictions", "held_out_rows",
    "held_out_tables", "import_conversations", "import_transcripts", "imported_sample_judge",
    "ImportedConversation", "ImportResult", "judge_items", "JudgeCheckReport", "krippendorff_alpha",
    "LabelledConversation", "LabelledSet", "LabelledTurn", "length_probe", "load_calibration", "load_reader_data",
    "load_reference", "load_study_2024", "mean_absolute_error", "method_comparison_table", "pad_answers",
    "paired_effects", "panel_alpha_table", "panel_flags_table", "panel_mean_agreement", "panel_summary",
    "PanelFlag", "PanelSummary", "position_probe", "quadratic_weighted_kappa",
    "read_transcript_file", "read_transcripts", "reader_card", "reader_verdicts", "ReaderDataError",
    "reference_dir", "REFERENCE_SET", "ReferenceSetError", "reliability_record", "reliability_table",
    "reorder_turns", "resolve_labelled", "run_judge_check", "save_reader", "self_preference", "spearman",
    "STUDY_DIR_VAR", "StudyDataError", "SyconDataError", "train_shipped", "TranscriptError", "TranscriptLabels",
    "within_one_accuracy",
]
