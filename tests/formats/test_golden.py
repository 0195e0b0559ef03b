"""Golden files for every format, rendered from the one rich sample report.

Regenerate after an intended change with ``UPDATE_GOLDEN=1 pytest tests/formats/test_golden.py`` and review
the diff like code.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sample_report import sample_report

from modelaudit.formats import format_names, get_formatter

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("name", format_names())
def test_format_matches_its_golden_file(name: str) -> None:
    formatter = get_formatter(name)
    out = formatter.render(sample_report())
    data = out.encode("utf-8") if isinstance(out, str) else out
    path = GOLDEN / f"sample{formatter.suffix}"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"no golden file {path.name}; run UPDATE_GOLDEN=1 pytest {__file__}"
    expected = path.read_bytes()
    assert data == expected, f"{name} output differs from {path.name}; if intended, run UPDATE_GOLDEN=1"
