"""Fail closed: what could not be established (unknown license, unresolved parent, unverified files,
unreadable metadata, a timed-out request) is an error under strict-ci and at least reported under every
ready policy. Never a silent pass."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from _robust_faults import PARENT, TARGET, add_scenario, run_cli

from fakehub import FakeHub
from modelaudit.models import Severity
from modelaudit.policy.model import list_policies, load_policy

POLICIES = list_policies()
UNCERTAIN = ["license-unknown", "lineage-unresolved", "files-unverified", "metadata-unreadable"]


def scan(*args: str) -> tuple[int, dict[str, Any]]:
    code, out, err = run_cli("scan", *args, "-f", "json", "-q", "--no-cache")
    assert code in (0, 1), err
    return code, json.loads(out)


@pytest.fixture
def uncertain_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Everything uncertain at once: an unknown license, a parent folder that is gone, and a weight file
    whose header is garbage (a corrupt file once verified; unverified with --verify none)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    model = tmp_path / "model"
    model.mkdir()
    (model / "README.md").write_text("---\nlicense: zz-house-license-9\nbase_model: ../gone-base\n---\n")
    (model / "model.safetensors").write_bytes(b"\xff" * 16)
    return model


def test_ready_policies_exist() -> None:
    assert {"default", "strict-ci"} <= set(POLICIES)


@pytest.mark.parametrize("policy", POLICIES)
def test_no_ready_policy_disables_a_fail_closed_check(policy: str) -> None:
    p = load_policy(policy)
    for slug in [*UNCERTAIN, "license-missing", "hash-mismatch", "file-corrupt", "unsafe-serialization"]:
        assert slug not in p.disabled_rules


@pytest.mark.parametrize("policy", POLICIES)
def test_every_policy_reports_what_could_not_be_established(uncertain_model: Path, policy: str) -> None:
    _code, report = scan(str(uncertain_model), "--policy", policy, "--verify", "none")
    names = {f["name"] for f in report["findings"]}
    for slug in ("license-unknown", "lineage-unresolved", "files-unverified"):
        assert slug in names, (policy, slug, names)
    node = next(n for n in report["nodes"] if n["id"] == report["target"]["id"])
    assert node["license"]["category"] == "unknown"
    assert any(not n["resolved"] for n in report["nodes"])


def test_strict_ci_makes_every_uncertainty_an_error(uncertain_model: Path) -> None:
    code, report = scan(str(uncertain_model), "--policy", "strict-ci", "--verify", "none")
    assert code == 1 and report["verdict"] == "fail"
    by_name = {f["name"]: f for f in report["findings"]}
    for slug in ("license-unknown", "lineage-unresolved", "files-unverified"):
        assert by_name[slug]["severity"] == Severity.ERROR.value, slug
    assert all(f["severity"] in ("error", "warning", "note") for f in report["findings"])


def test_strict_ci_fails_on_unreadable_metadata(uncertain_model: Path) -> None:
    (uncertain_model / "README.md").write_text("---\nlicense: mit\n---\n")
    code, report = scan(str(uncertain_model), "--policy", "strict-ci")
    unreadable = [f for f in report["findings"] if f["name"] in ("metadata-unreadable", "file-corrupt")]
    assert unreadable and all(f["severity"] == "error" for f in unreadable)
    assert code == 1


def test_default_fails_on_a_corrupt_weight_file_not_only_strict_ci(uncertain_model: Path) -> None:
    (uncertain_model / "README.md").write_text("---\nlicense: mit\n---\n")
    code, report = scan(str(uncertain_model), "--policy", "default")
    assert code == 1 and any(f["name"] == "file-corrupt" for f in report["findings"])


@pytest.mark.parametrize("policy", POLICIES)
def test_a_timed_out_parent_makes_the_audit_incomplete_under_every_policy(
    fakehub: FakeHub, policy: str
) -> None:
    add_scenario(fakehub)
    fakehub.inject("info", repo=PARENT, delay=30, times=None)
    args = (TARGET, "--policy", policy, "--timeout", "1", "--deadline", "2")
    code, out, err = run_cli("scan", *args, "-f", "json", "-q", "--no-cache")
    assert code == 2 and out == "" and "audit incomplete" in err and PARENT in err and "timed out" in err
    # asked for, the report is written and the parent reported
    code, report = scan(*args, "--allow-incomplete")
    unresolved = [f for f in report["findings"] if f["name"] == "lineage-unresolved" and f["node"] == PARENT]
    assert unresolved and "timed out" in unresolved[0]["message"]
    if policy == "strict-ci":
        assert code == 1 and unresolved[0]["severity"] == "error"


def test_a_timed_out_target_is_exit_2_under_every_policy(fakehub: FakeHub) -> None:
    add_scenario(fakehub)
    fakehub.inject("info", repo=TARGET, delay=30, times=None)
    code, out, err = run_cli(
        "scan", TARGET, "-q", "--policy", "strict-ci", "--timeout", "5", "--deadline", "0.5"
    )
    assert code == 2 and out == "" and "timed out" in err


def test_headers_only_verification_of_a_hub_target_fails_strict_ci(fakehub: FakeHub) -> None:
    add_scenario(fakehub)
    code, report = scan(TARGET, "--policy", "strict-ci")
    unverified = [f for f in report["findings"] if f["name"] == "files-unverified"]
    assert code == 1 and unverified and unverified[0]["severity"] == "error"
    code, report = scan(TARGET, "--policy", "strict-ci", "--verify", "full")
    assert not [f for f in report["findings"] if f["name"] == "files-unverified"]
