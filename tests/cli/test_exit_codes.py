"""Exit codes exactly per DESIGN, table-driven: 0 pass, 1 policy failed, 2 usage / input / config / source
error (internal errors too, with "run with --debug"), 130 interrupted. stdout carries only the report.

Every case runs the real entry point (``modelaudit.cli.main.main``) in-process on folders made in tmp_path.
Failing cases use the lineage rules (a base_model naming a missing sibling folder → lineage-unresolved, a
warning) with a policy whose fail_on is warning, so they do not depend on the license knowledge base.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cli_run import run_cli as run
from modelaudit.licenses.db import load_db
from modelaudit.licenses.texts import shipped_text

EPOCH = "1767225600"  # 2026-01-01T00:00:00Z

CARD_OK = "---\nlicense: apache-2.0\nlibrary_name: transformers\n---\n# ok model\n"
CARD_ORPHAN = (
    "---\nlicense: apache-2.0\nbase_model: ../missing-base\n---\n# fine-tune of a folder that is gone\n"
)
POLICY_STRICT = "name: strict-test\nfail_on: warning\n"
POLICY_BAD = "name: bad\nfail_on: warning\nfail_onn: error\n"
WAIVER_LIVE = (
    "waivers:\n  - rule: lineage-unresolved\n    node: '*missing-base'\n    reason: base deleted, license archived\n"
    "    expires: 2026-12-31\n    approver: jane\n"
)
WAIVER_EXPIRED = WAIVER_LIVE.replace("2026-12-31", "2025-12-31")
WAIVER_BAD = WAIVER_LIVE.replace("    approver: jane\n", "")


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hf_env: Path) -> Path:
    """A project folder with model folders, policies, waivers and reports; the working directory."""
    root = tmp_path / "work"
    for name, card in {
        "ok": CARD_OK,
        "orphan": CARD_ORPHAN,
        "broken": "---\nlicense: [apache\n---\n",
    }.items():
        (root / name).mkdir(parents=True)
        (root / name / "README.md").write_text(card, encoding="utf-8")
        (root / name / "config.json").write_text('{"model_type": "llama"}', encoding="utf-8")
        # the Apache-2.0 text the cards' license asks to ship: the exit codes here are about waivers and
        # baselines, not unmet obligations
        (root / name / "LICENSE").write_text(
            shipped_text(load_db().get("Apache-2.0")) or "", encoding="utf-8"
        )
    files = {
        "strict.yaml": POLICY_STRICT,
        "bad-policy.yaml": POLICY_BAD,
        "waivers.yaml": WAIVER_LIVE,
        "expired.yaml": WAIVER_EXPIRED,
        "bad-waivers.yaml": WAIVER_BAD,
        "not-a-report.json": '{"hello": "world"}',
    }
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(root)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    for var in ("MODELAUDIT_POLICY", "MODELAUDIT_FORMAT", "MODELAUDIT_OUTPUT", "MODELAUDIT_WAIVERS"):
        monkeypatch.delenv(var, raising=False)
    return root


def _boom(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("kaboom")


def _interrupt(*_args: object, **_kwargs: object) -> None:
    raise KeyboardInterrupt


@dataclass
class Case:
    args: list[str]
    code: int
    stderr: str = ""  # a substring stderr must contain
    report: bool = False  # stdout must be exactly one JSON report (else: empty)
    patch: tuple[str, Callable[..., None]] | None = None
    setup: list[list[str]] = field(default_factory=list)  # commands run first (e.g. write a baseline)


STRICT = ["--policy", "strict.yaml"]
J = ["-f", "json", "-q", "--offline"]

CASES: dict[str, Case] = {
    # 0: audit complete, policy passed
    "pass-clean-folder": Case(["scan", "ok", *J], 0, report=True),
    "pass-warning-below-fail-on": Case(["scan", "orphan", *J], 0, report=True),
    "pass-waived": Case(["scan", "orphan", *J, *STRICT, "--waivers", "waivers.yaml"], 0, report=True),
    "pass-baseline": Case(
        ["scan", "orphan", *J, *STRICT, "--baseline", "old.json"],
        0,
        report=True,
        setup=[["scan", "orphan", *J, *STRICT, "-o", "old.json"]],
    ),
    # 1: policy failed, and only that
    "fail-policy": Case(["scan", "orphan", *J, *STRICT], 1, report=True),
    "fail-expired-waiver": Case(["scan", "orphan", *J, *STRICT, "--waivers", "expired.yaml"], 1, report=True),
    "fail-several-targets": Case(["scan", "ok", "orphan", "-q", "--offline", *STRICT], 1),
    # 2: usage
    "usage-unknown-option": Case(["scan", "ok", "--frobnicate"], 2, "No such option"),
    "usage-no-target": Case(["scan"], 2, "Missing argument"),
    "usage-bad-format": Case(["scan", "ok", "-f", "pdf"], 2, "Invalid value"),
    "usage-several-formats-no-output": Case(["scan", "ok", "-f", "json", "-f", "sarif"], 2, "need -o"),
    "usage-unknown-command": Case(["frobnicate"], 2, "No such command"),
    # 2: bad target / missing repo / malformed card
    "bad-target": Case(["scan", "./no-such-folder", *J], 2, "no-such-folder"),
    "missing-repo-offline": Case(["scan", "acme/not-cached", *J], 2, "acme/not-cached"),
    "malformed-card": Case(["scan", "broken", *J], 2, "malformed YAML"),
    # 2: bad policy / waivers / baseline
    "unknown-policy-name": Case(["scan", "ok", *J, "--policy", "no-such-policy"], 2, "unknown policy"),
    "bad-policy-file": Case(["scan", "ok", *J, "--policy", "bad-policy.yaml"], 2, "fail_onn"),
    "bad-waivers-file": Case(["scan", "ok", *J, "--waivers", "bad-waivers.yaml"], 2, "waivers[0].approver"),
    "missing-waivers-file": Case(["scan", "ok", *J, "--waivers", "nope.yaml"], 2, "nope.yaml"),
    "bad-baseline": Case(["scan", "ok", *J, "--baseline", "not-a-report.json"], 2, "not-a-report.json"),
    # 2: internal error, with the hint; 130: interrupted
    "internal-error": Case(
        ["scan", "ok", *J], 2, "run with --debug", patch=("modelaudit.pipeline.assess_licenses", _boom)
    ),
    "interrupted": Case(
        ["scan", "ok", *J], 130, "interrupted", patch=("modelaudit.pipeline.scan", _interrupt)
    ),
    # diff: 1 only when something new reaches fail_on
    "diff-same": Case(
        ["diff", "old.json", "old.json"], 0, setup=[["scan", "orphan", *J, *STRICT, "-o", "old.json"]]
    ),
    "diff-new-failure": Case(
        ["diff", "old.json", "new.json"],
        1,
        setup=[
            ["scan", "ok", *J, *STRICT, "-o", "old.json"],
            ["scan", "orphan", *J, *STRICT, "-o", "new.json"],
        ],
    ),
    "diff-malformed": Case(["diff", "not-a-report.json", "not-a-report.json"], 2, "not-a-report.json"),
    "diff-missing": Case(["diff", "a.json", "b.json"], 2, "a.json"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_exit_code(name: str, work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = CASES[name]
    for cmd in case.setup:
        code, _, err = run(*cmd)
        assert code in (0, 1), err
    if case.patch is not None:
        monkeypatch.setattr(case.patch[0], case.patch[1])
    code, out, err = run(*case.args)
    assert code == case.code, f"{name}: exit {code}, stderr: {err}"
    assert case.stderr in err
    if case.report:
        report = json.loads(out)  # stdout is exactly the report, nothing else
        assert report["schema_version"] == "1"
        assert report["verdict"] == ("pass" if code == 0 else "fail")
    elif code == 2 or code == 130:
        assert out == "", f"{name}: stdout must stay empty on errors, got {out[:200]!r}"
    if code == 2 and case.stderr:
        assert err.startswith(("error:", "Usage:")), err
        assert "Traceback" not in err


def test_waived_and_baseline_findings_stay_in_the_report(work: Path) -> None:
    code, out, _ = run("scan", "orphan", *J, *STRICT, "--waivers", "waivers.yaml")
    assert code == 0
    findings = [f for f in json.loads(out)["findings"] if f["name"] == "lineage-unresolved"]
    assert len(findings) == 1
    assert findings[0]["waived"] is True
    assert findings[0]["waiver"]["approver"] == "jane"

    code, out, _ = run("scan", "orphan", *J, *STRICT, "--waivers", "expired.yaml")
    assert code == 1
    report = json.loads(out)
    assert [f["waived"] for f in report["findings"] if f["name"] == "lineage-unresolved"] == [False]
    notes = [f for f in report["findings"] if f["name"] == "waiver-expired"]
    assert [(n["rule"], n["severity"], n["node"]) for n in notes] == [("MA901", "note", "../missing-base")]

    run("scan", "orphan", *J, *STRICT, "-o", "old.json")
    code, out, _ = run("scan", "orphan", *J, *STRICT, "--baseline", "old.json")
    assert code == 0
    marked = [f["baseline"] for f in json.loads(out)["findings"] if f["name"] == "lineage-unresolved"]
    assert marked == [True]


def test_missing_repo_on_a_hub(work: Path, fakehub: object) -> None:
    code, out, err = run("scan", "acme/does-not-exist", "-f", "json", "-q")
    assert code == 2
    assert out == ""
    assert "acme/does-not-exist" in err and "not found" in err
