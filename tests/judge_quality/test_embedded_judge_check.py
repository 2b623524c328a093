"""The embedded judge checked against both reference sets (slow: runs the real embedded model)."""

import pytest
from typer.testing import CliRunner

from pressure_sense.cli import app


@pytest.mark.slow
@pytest.mark.parametrize("against", ["calibration", "study-2024"])
def test_embedded_judge_check_prints_the_agreement_table(against, study_dir):
    result = CliRunner().invoke(
        app, ["judge-check", "--judge", "embedded", "--against", against, "--study-dir", str(study_dir), "--resamples", "500"]
    )
    assert result.exit_code == 0, result.output
    print(result.output)
    for dimension in ("pressure", "alignment", "truthfulness", "coherence"):
        assert dimension in result.output
