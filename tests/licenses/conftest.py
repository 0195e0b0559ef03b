"""Fixtures for the license tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from license_corpus import CORPUS


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        if os.environ.get("CI"):  # in CI the corpus is always beside the clone: its absence is a defect
            pytest.fail(f"license corpus missing at {CORPUS}")
        pytest.skip(f"license corpus not available at {CORPUS} (set MODELAUDIT_LICENSE_CORPUS)")
    return CORPUS
