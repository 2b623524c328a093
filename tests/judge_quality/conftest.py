"""Shared fixtures for the judge-quality tests."""

from pathlib import Path

import pytest

STUDY_DIR = Path(__file__).resolve().parents[3] / "shared" / "external" / "pressure-sense-2024"


@pytest.fixture
def study_dir() -> Path:
    """The 2024 study's data folder (skips when this checkout has none beside it)."""
    if not (STUDY_DIR / "transcripts").is_dir():
        pytest.skip(f"2024 study data not found at {STUDY_DIR}")
    return STUDY_DIR
