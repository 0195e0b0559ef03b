"""remote-code-required comes from metadata alone, so strict-ci catches it without --smoke."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import modelaudit
from modelaudit.models import ScanReport, Severity


def model_folder(tmp_path: Path, *, auto_map: bool = False, code_file: bool = False) -> Path:
    d = tmp_path / "m"
    d.mkdir()
    (d / "README.md").write_text("---\nlicense: apache-2.0\n---\n")
    config: dict[str, object] = {"architectures": ["EvilForCausalLM"], "model_type": "evil"}
    if auto_map:
        config["auto_map"] = {"AutoModelForCausalLM": "modeling_evil.EvilForCausalLM"}
    (d / "config.json").write_text(json.dumps(config))
    if code_file:
        (d / "modeling_evil.py").write_text("raise SystemExit('must never run')\n")
    return d


def remote(report: ScanReport) -> list[tuple[str, Severity]]:
    return [(f.node, f.severity) for f in report.findings if f.name == "remote-code-required"]


@pytest.mark.parametrize(("auto_map", "code_file"), [(True, False), (False, True), (True, True)])
def test_remote_code_found_from_metadata(tmp_path: Path, auto_map: bool, code_file: bool) -> None:
    d = model_folder(tmp_path, auto_map=auto_map, code_file=code_file)
    report = modelaudit.scan(str(d), offline=True)
    assert remote(report) == [(report.target.id, Severity.WARNING)]
    strict = modelaudit.scan(str(d), offline=True, policy="strict-ci")
    assert remote(strict) == [(strict.target.id, Severity.ERROR)]
    assert strict.verdict.value == "fail"


def test_plain_model_has_no_remote_code_finding(tmp_path: Path) -> None:
    report = modelaudit.scan(str(model_folder(tmp_path)), offline=True)
    assert remote(report) == []


def test_smoke_refusal_and_rule_give_one_finding(tmp_path: Path) -> None:
    d = model_folder(tmp_path, auto_map=True, code_file=True)
    report = modelaudit.scan(str(d), offline=True, smoke=True, device="cpu")
    assert len(remote(report)) == 1
    assert report.nodes[0].smoke is not None and report.nodes[0].smoke.status != "passed"
