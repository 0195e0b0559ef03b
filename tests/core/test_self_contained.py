"""The suite and the package need nothing outside the repository (a fresh clone runs every test)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# a path built to the folder beside the clone: "../shared", REPO.parent / "shared", parents[N] / "shared"
OUTSIDE = re.compile(r"""(\.\./shared|\.parent\s*/\s*["']shared["']|parents\[\d\]\s*/\s*["']shared["'])""")


def test_no_code_reads_the_shared_folder_beside_the_clone() -> None:
    offenders = [
        str(p.relative_to(REPO))
        for folder in ("src", "tests", "benchmarks", "scripts")
        for p in sorted((REPO / folder).rglob("*.py"))
        if p.resolve() != Path(__file__).resolve() and OUTSIDE.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_pattern_catches_what_it_must() -> None:
    assert OUTSIDE.search('REPO.parent / "shared" / "corpus"')
    assert OUTSIDE.search('Path(__file__).resolve().parents[4] / "shared"')
    assert OUTSIDE.search("open('../shared/corpus/licenses/mit.txt')")
    assert not OUTSIDE.search('REPO / "tests" / "data" / "licenses"')
