"""Fixtures for the license tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from license_corpus import CORPUS


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"license corpus not available at {CORPUS} (set MODELAUDIT_LICENSE_CORPUS)")
    return CORPUS
