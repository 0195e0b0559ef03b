"""`modelaudit --help` and metadata scans stay light: no torch, transformers or networkx at start-up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

PROBE = """
import json, sys
from modelaudit.cli.main import main
try:
    main({argv!r})
except SystemExit as e:
    code = e.code
heavy = sorted(m for m in ("torch", "transformers", "networkx", "peft") if m in sys.modules)
sys.stderr.write("\\nPROBE " + json.dumps({{"code": code, "heavy": heavy}}) + "\\n")
"""


def run_probe(argv: list[str]) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    line = next(ln for ln in proc.stderr.splitlines() if ln.startswith("PROBE "))
    result: dict[str, object] = json.loads(line[len("PROBE ") :])
    return result


def test_help_imports_nothing_heavy() -> None:
    result = run_probe(["--help"])
    assert result == {"code": 0, "heavy": []}


def test_metadata_scan_imports_no_torch_or_transformers() -> None:
    result = run_probe(
        ["scan", str(EXAMPLES / "tiny-chat"), "--offline", "--verify", "headers", "-f", "json", "-q"]
    )
    assert result["code"] in (0, 1)
    heavy = result["heavy"]
    assert isinstance(heavy, list)
    assert "torch" not in heavy and "transformers" not in heavy
    # an acyclic lineage is ordered by the standard library's graphlib; networkx loads only for cycles
    assert "networkx" not in heavy
