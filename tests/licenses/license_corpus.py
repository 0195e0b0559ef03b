"""Where the license tests find the corpus (read by tests only, never by the package) and their data."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("MODELAUDIT_LICENSE_CORPUS", REPO.parent / "shared" / "corpus" / "licenses"))
DATA = Path(__file__).parent / "data"


def corpus_files() -> list[str]:
    """Every license text of the corpus (empty when the corpus is not available)."""
    if not CORPUS.is_dir():
        return []
    return sorted(p.name for p in CORPUS.glob("*.txt"))
