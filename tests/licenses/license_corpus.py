"""Where the license tests find their license texts: copies kept in the repository (tests/data/licenses), so a
fresh clone runs every test. The package never reads them: it ships only the hashes derived from the corpus."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LICENSE_DATA = REPO / "tests" / "data" / "licenses"
CORPUS = LICENSE_DATA / "corpus"  # reference texts of license_db (origins in corpus/SOURCES.md)
PACKAGES = LICENSE_DATA / "packages"  # LICENSE files of real Python packages (manifest.json)
DATA = Path(__file__).parent / "data"


def corpus_files() -> list[str]:
    """Every license text of the corpus."""
    return sorted(p.name for p in CORPUS.glob("*.txt"))
