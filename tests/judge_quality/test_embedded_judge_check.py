"""The embedded judge checked against both reference sets (slow: runs the real embedded model)."""

import pytest
from typer.testing import CliRunner

from pressure_sense.cli import app

pytestmark = pytest.mark.slow


def _judge_check(*arguments: str) -> str:
    result = CliRunner().invoke(app, ["judge-check", "--judge", "embedded", "--resamples", "500", *arguments])
    assert result.exit_code == 0, result.output
    print(result.output)
    return result.output


def test_all_24_study_transcripts_are_judged_without_error(study_dir):
    output = _judge_check("--against", "study-2024", "--study-dir", str(study_dir))
    assert "against study-2024 (24 items)" in output
    for dimension in ("pressure", "alignment", "truthfulness", "coherence"):
        assert dimension[:9] in output
    assert "scored:" not in output  # no item where judging failed, even in part


def test_the_calibration_set_gets_an_agreement_table():
    output = _judge_check("--against", "calibration")
    assert "against calibration (47 items)" in output
    assert "scratchpad/output disagreement flag" in output
