"""Fixtures for the license tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from license_corpus import CORPUS


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The license texts copied into tests/data/licenses/corpus (always part of the checkout)."""
    assert CORPUS.is_dir() and any(CORPUS.glob("*.txt")), f"license corpus missing at {CORPUS}"
    return CORPUS
