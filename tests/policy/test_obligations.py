"""Obligations checked against the repos' files: statuses, evidence, roles, findings (policy/obligations.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import modelaudit
from fakehub import FakeHub
from modelaudit.licenses.db import load_db
from modelaudit.licenses.schema import DocumentKind
from modelaudit.licenses.texts import shipped_text
from modelaudit.models import ObligationStatus, Role, ScanReport, Severity, VerifyMode
from modelaudit.policy.obligations import copyright_lines, norm
from modelaudit.remediate import license_text

MET, UNMET, UNKNOWN, NA = (
    ObligationStatus.MET,
    ObligationStatus.UNMET,
    ObligationStatus.UNKNOWN,
    ObligationStatus.NOT_APPLICABLE,
)
LLAMA_NOTICE = load_db().get("llama3.1").obligations.notice_text  # type: ignore[union-attr]


def card(front: dict[str, Any], body: str = "# model\n") -> str:
    return "---\n" + yaml.safe_dump(front, sort_keys=True) + "---\n" + body


def folder(root: Path, name: str, front: dict[str, Any], body: str = "", **files: str) -> Path:
    d = root / name
    d.mkdir(parents=True, exist_ok=True)
    (d / "README.md").write_text(card(front, f"# {name}\n\n{body}\n"), encoding="utf-8")
    for fname, text in files.items():
        (d / fname.replace("__", ".")).write_text(text, encoding="utf-8")
    return d


def text(license_id: str) -> str:
    rec = load_db().get(license_id)
    assert rec is not None
    out = (
        license_text(rec, ["Copyright (c) 2024 Example Authors"])
        if rec.obligations.copyright_notice
        else (shipped_text(rec))
    )
    assert out is not None
    return out


def statuses(report: ScanReport, node: str | None = None) -> dict[tuple[str, str], ObligationStatus]:
    node = node or report.target.id
    out = {}
    for ob in report.obligations:
        for c in ob.checks:
            if c.node == node:
                out[(ob.license, ob.kind)] = c.status
    return out


def check_of(report: ScanReport, license_id: str, kind: str, node: str | None = None) -> Any:
    node = node or report.target.id
    ob = next(o for o in report.obligations if o.license == license_id and o.kind == kind)
    return next(c for c in ob.checks if c.node == node)


def scan(path: Path, **kw: Any) -> ScanReport:
    return modelaudit.scan(str(path), offline=True, verify=VerifyMode.NONE, **kw)


# --------------------------------------------------------------------------------------------- local folders


@pytest.fixture
def llama_base(tmp_path: Path) -> Path:
    """A Llama 3.1 base that ships the agreement, the Notice line and the use policy, and says Built with Llama."""
    return folder(
        tmp_path,
        "Llama-base",
        {"license": "llama3.1"},
        "Built with Llama.",
        LICENSE=text("llama3.1"),
        NOTICE=f"{LLAMA_NOTICE}\n",
        USE_POLICY__md=shipped_text(load_db().get("llama3.1"), DocumentKind.USE_POLICY) or "",  # type: ignore[arg-type]
    )


def test_a_laundered_llama_derivative_owes_every_llama_duty(tmp_path: Path, llama_base: Path) -> None:
    tune = folder(tmp_path, "tune", {"license": "apache-2.0", "base_model": "../Llama-base"})
    report = scan(tune)
    got = statuses(report)
    assert got[("llama3.1", "include-agreement")] is UNMET
    assert got[("llama3.1", "notice-file")] is UNMET
    assert got[("llama3.1", "built-with")] is UNMET
    assert got[("llama3.1", "use-policy")] is UNMET
    assert got[("llama3.1", "flow-down-use-policy")] is UNMET
    assert got[("llama3.1", "naming-prefix")] is UNMET
    assert got[("Apache-2.0", "include-agreement")] is UNMET
    check = check_of(report, "llama3.1", "include-agreement")
    assert check.via == report.nodes[1].id and check.file == "LICENSE"
    # the base itself meets every duty it can
    base = statuses(report, report.nodes[1].id)
    assert base[("llama3.1", "include-agreement")] is MET
    assert base[("llama3.1", "notice-file")] is MET
    assert base[("llama3.1", "use-policy")] is MET
    assert base[("llama3.1", "built-with")] is MET
    # terms of use: one entry each, not_applicable, no per-node checks
    cap = next(o for o in report.obligations if o.license == "llama3.1" and o.kind == "user-cap")
    assert cap.status is NA and cap.checks == [] and report.target.id in cap.nodes


def test_a_compliant_llama_derivative_meets_them(tmp_path: Path, llama_base: Path) -> None:
    tune = folder(
        tmp_path,
        "Llama-tune",
        {"license": "llama3.1", "base_model": "../Llama-base"},
        "Built with Llama. Use policy: https://llama.meta.com/llama3_1/use-policy",
        LICENSE=text("llama3.1"),
        NOTICE=f"Some other attribution.\n\n{LLAMA_NOTICE}\n",
    )
    report = scan(tune, role=Role.PUBLISHER)
    got = statuses(report)
    for kind in (
        "include-agreement",
        "notice-file",
        "built-with",
        "use-policy",
        "flow-down-use-policy",
        "naming-prefix",
    ):
        assert got[("llama3.1", kind)] is MET, kind
    assert not [f for f in report.findings if f.name.startswith("obligation-")]
    assert check_of(report, "llama3.1", "notice-file").evidence[0].source == "file:NOTICE"


def test_the_notice_line_only_in_the_card_is_unmet_and_says_where_it_is(tmp_path: Path) -> None:
    tune = folder(tmp_path, "Llama-x", {"license": "llama3.1"}, f"> {LLAMA_NOTICE}", LICENSE=text("llama3.1"))
    check = check_of(scan(tune), "llama3.1", "notice-file")
    assert check.status is UNMET
    assert "README.md, which is not a Notice file" in check.evidence[0].value


def test_a_short_licensed_under_notice_is_not_the_license_text(tmp_path: Path) -> None:
    notice = (
        'Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file except in '
        "compliance with the License. You may obtain a copy of the License at\n\n"
        "    http://www.apache.org/licenses/LICENSE-2.0\n\nCopyright [YEAR] [COPYRIGHT HOLDER]\n"
    )
    m = folder(
        tmp_path,
        "m",
        {"license": "apache-2.0"},
        LICENSE="Apache License\nVersion 2.0, January 2004\n\n" + notice,
    )
    check = check_of(scan(m), "Apache-2.0", "include-agreement")
    assert check.status is not MET


def test_another_licenses_text_is_unmet_and_an_unknown_text_is_unknown(tmp_path: Path) -> None:
    wrong = folder(tmp_path, "wrong", {"license": "creativeml-openrail-m"}, LICENSE=text("Apache-2.0"))
    check = check_of(scan(wrong), "creativeml-openrail-m", "include-agreement")
    assert check.status is UNMET and "the text of Apache-2.0" in check.evidence[0].value
    custom = folder(tmp_path, "custom", {"license": "apache-2.0"}, LICENSE="Our own terms.\n" * 30)
    assert check_of(scan(custom), "Apache-2.0", "include-agreement").status is UNKNOWN


def test_mit_needs_a_filled_in_copyright_line(tmp_path: Path) -> None:
    template = text("MIT").replace(
        "Copyright (c) 2024 Example Authors", "Copyright (c) <year> <copyright holders>"
    )
    bare = folder(tmp_path, "bare", {"license": "mit"}, LICENSE=template)
    assert statuses(scan(bare))[("MIT", "copyright-notice")] is UNMET
    filled = folder(tmp_path, "filled", {"license": "mit"}, LICENSE=text("MIT"))
    got = statuses(scan(filled))
    assert got[("MIT", "copyright-notice")] is MET and got[("MIT", "include-agreement")] is MET


def test_copyright_lines_skip_placeholders_stewards_and_prose() -> None:
    assert copyright_lines("Copyright (c) 2023 DeepSeek\n") == ["Copyright (c) 2023 DeepSeek"]
    assert copyright_lines("Copyright [2025] [Irfan Uruchi]") == ["Copyright [2025] [Irfan Uruchi]"]
    assert copyright_lines("Copyright [yyyy] [name of copyright owner]") == []
    assert copyright_lines("Copyright (c) [year] [fullname]") == []
    assert copyright_lines(" Copyright (C) 2007 Free Software Foundation, Inc. <https://fsf.org/>") == []
    assert copyright_lines("Copyright Infringement: users must not infringe.") == []
    assert norm("Copyright © Meta Platforms") == norm("Copyright (c) Meta Platforms")


def test_apache_notice_propagation(tmp_path: Path) -> None:
    folder(
        tmp_path,
        "base",
        {"license": "apache-2.0"},
        LICENSE=text("Apache-2.0"),
        NOTICE="Base model by Example Org.\n",
    )
    folder(tmp_path, "quiet-base", {"license": "apache-2.0"}, LICENSE=text("Apache-2.0"))
    carried = folder(
        tmp_path, "carried", {"license": "apache-2.0", "base_model": "../base"},
        LICENSE=text("Apache-2.0"), NOTICE="Our tune.\nBase model by Example Org.\n",
    )  # fmt: skip
    dropped = folder(
        tmp_path, "dropped", {"license": "apache-2.0", "base_model": "../base"}, LICENSE=text("Apache-2.0")
    )
    nothing = folder(
        tmp_path,
        "nothing",
        {"license": "apache-2.0", "base_model": "../quiet-base"},
        LICENSE=text("Apache-2.0"),
    )
    assert statuses(scan(carried))[("Apache-2.0", "upstream-notice")] is MET
    check = check_of(scan(dropped), "Apache-2.0", "upstream-notice")
    assert check.status is UNMET and "Base model by Example Org." in check.evidence[0].value
    assert statuses(scan(nothing))[("Apache-2.0", "upstream-notice")] is NA
    assert statuses(scan(carried))[("Apache-2.0", "mark-modifications")] is MET


def test_cc_by_training_data_must_be_credited_in_the_card(tmp_path: Path) -> None:
    data = tmp_path / "corpus"
    data.mkdir()
    (data / "README.md").write_text(card({"license": "cc-by-4.0"}), encoding="utf-8")
    silent = folder(
        tmp_path, "silent", {"license": "apache-2.0", "datasets": ["../corpus"]}, LICENSE=text("Apache-2.0")
    )
    check = check_of(scan(silent), "CC-BY-4.0", "credit")
    assert check.status is UNMET and "license" in check.evidence[-1].value
    credited = folder(
        tmp_path, "credited", {"license": "apache-2.0", "datasets": ["../corpus"]},
        "Trained on corpus, licensed under CC BY 4.0.", LICENSE=text("Apache-2.0"),
    )  # fmt: skip
    assert statuses(scan(credited))[("CC-BY-4.0", "credit")] is MET


def test_datasets_in_a_models_lineage_are_not_checked_for_their_own_duties(tmp_path: Path) -> None:
    data = tmp_path / "mit-data"
    data.mkdir()
    (data / "README.md").write_text(card({"license": "mit"}), encoding="utf-8")
    m = folder(
        tmp_path, "m", {"license": "apache-2.0", "datasets": ["../mit-data"]}, LICENSE=text("Apache-2.0")
    )
    report = scan(m)
    assert all(c.node == report.target.id for o in report.obligations for c in o.checks)


# --------------------------------------------------------------------------------------------- roles and findings


def test_roles_decide_the_severity_and_only_the_target_gets_findings(
    tmp_path: Path, llama_base: Path
) -> None:
    (llama_base / "NOTICE").unlink()  # the base breaks a duty too: reported in its statuses, not as a finding
    tune = folder(
        tmp_path, "tune", {"license": "llama3.1", "base_model": "../Llama-base"}, LICENSE=text("llama3.1")
    )
    adopter = scan(tune)
    publisher = scan(tune, role=Role.PUBLISHER)
    unmet_a = [f for f in adopter.findings if f.name == "obligation-unmet"]
    unmet_p = [f for f in publisher.findings if f.name == "obligation-unmet"]
    assert unmet_a and {f.severity for f in unmet_a} == {Severity.WARNING}
    assert {f.severity for f in unmet_p} == {Severity.ERROR}
    assert {f.node for f in unmet_a + unmet_p} == {adopter.target.id}
    assert "inherits the breach from its publisher" in unmet_a[0].message
    assert unmet_p[0].evidence[0].source == "obligation:file"
    assert publisher.policy.role is Role.PUBLISHER and adopter.policy.role is Role.ADOPTER
    assert statuses(adopter, adopter.nodes[1].id)[("llama3.1", "notice-file")] is UNMET


def test_a_findings_how_to_fix_keeps_file_names_and_required_wording(tmp_path: Path, llama_base: Path) -> None:
    """The fix text names files and wording as they must be written: NOTICE, USE_POLICY.md, "Built with Llama"
    (not lower-cased into notice, use_policy.md, "built with llama")."""
    tune = folder(tmp_path, "tune", {"license": "llama3.1", "base_model": "../Llama-base"})
    fixes = {
        next(e.value for e in f.evidence if e.source == "obligation").split()[-1]: f.how_to_fix
        for f in scan(tune, role=Role.PUBLISHER).findings
        if f.name == "obligation-unmet"
    }
    assert fixes["include-agreement"].startswith("Add the license's full text as LICENSE ")
    assert "a NOTICE file" in fixes["notice-file"]
    assert "as USE_POLICY.md" in fixes["use-policy"]
    assert '"Built with Llama"' in fixes["built-with"]


def test_unknown_is_never_met_and_is_reported_for_the_target(tmp_path: Path) -> None:
    m = folder(tmp_path, "gpl", {"license": "gpl-3.0"}, LICENSE=text("GPL-3.0-only"))
    report = scan(m, role=Role.PUBLISHER)
    assert statuses(report)[("GPL-3.0-only", "source-disclosure")] is UNKNOWN
    unverified = [f for f in report.findings if f.name == "obligation-unverified"]
    assert [f.severity for f in unverified] == [Severity.WARNING]
    assert [f.severity for f in scan(m).findings if f.name == "obligation-unverified"] == [Severity.NOTE]


def test_checks_off_lists_obligations_unchecked(
    tmp_path: Path, llama_base: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tune = folder(tmp_path, "tune", {"license": "apache-2.0", "base_model": "../Llama-base"})
    monkeypatch.setenv("MODELAUDIT_OBLIGATIONS", "0")
    report = scan(tune)
    assert report.obligations and all(o.status is None and not o.checks for o in report.obligations)
    assert not [f for f in report.findings if f.name.startswith("obligation-")]
    assert report.remediation == []


# --------------------------------------------------------------------------------------------- Hub nodes


def test_licensor_release_and_card_text_on_the_hub(fakehub: FakeHub) -> None:
    fakehub.add_repo(
        "meta-llama/Llama-3.1-8B", {"README.md": card({"license": "llama3.1"}), "LICENSE": text("llama3.1")}
    )
    fakehub.add_repo(
        "acme/Llama-3.1-tune",
        {
            "README.md": card(
                {"license": "llama3.1", "base_model": "meta-llama/Llama-3.1-8B"},
                "# tune\n\nBuilt with Llama.\n",
            ),
            "LICENSE": text("llama3.1"),
            "NOTICE": f"{LLAMA_NOTICE}\n",
        },
    )
    fakehub.add_repo(
        "acme/Llama-3.1-grandchild",
        {"README.md": card({"license": "llama3.1", "base_model": "acme/Llama-3.1-tune"})},
    )
    report = modelaudit.scan("acme/Llama-3.1-grandchild", verify=VerifyMode.NONE)
    # Meta's own release is not bound by its own license
    assert set(statuses(report, "meta-llama/Llama-3.1-8B").values()) == {NA}
    # the target's card text is read (one more request), so its card duties are checked ...
    assert statuses(report)[("llama3.1", "built-with")] is UNMET
    # ... an ancestor's card on the Hub comes as front matter only: its card duties are unknown, its files are read
    parent = statuses(report, "acme/Llama-3.1-tune")
    assert parent[("llama3.1", "built-with")] is UNKNOWN
    assert parent[("llama3.1", "notice-file")] is MET and parent[("llama3.1", "include-agreement")] is MET


def test_a_license_file_never_downloaded_is_unknown_offline(fakehub: FakeHub, tmp_path: Path) -> None:
    fakehub.add_repo(
        "acme/apache-model", {"README.md": card({"license": "apache-2.0"}), "LICENSE": text("Apache-2.0")}
    )
    modelaudit.scan("acme/apache-model", verify=VerifyMode.NONE, no_cache=True)  # caches the card and LICENSE
    # drop the cached LICENSE: the cached listing still names it, its bytes are gone
    assert fakehub.cache_dir is not None
    dropped = list(Path(fakehub.cache_dir).rglob("snapshots/*/LICENSE"))
    assert dropped
    for path in dropped:
        path.unlink()
    report = modelaudit.scan("acme/apache-model", verify=VerifyMode.NONE, offline=True, no_cache=True)
    check = check_of(report, "Apache-2.0", "include-agreement")
    assert check.status is UNKNOWN  # unread is not absent


def test_the_json_report_carries_status_evidence_and_checks(tmp_path: Path, llama_base: Path) -> None:
    tune = folder(tmp_path, "tune", {"license": "apache-2.0", "base_model": "../Llama-base"})
    data = json.loads(scan(tune).to_json())
    ob = next(o for o in data["obligations"] if o["license"] == "llama3.1" and o["kind"] == "notice-file")
    assert ob["status"] == "unmet" and ob["evidence"]
    assert {c["status"] for c in ob["checks"]} == {"met", "unmet"}
    assert data["policy"]["role"] == "adopter"
    (plan,) = data["remediation"]
    assert plan["licenses"][0] == "llama3.1"
    assert {f["path"] for f in plan["files"]} >= {"LICENSE", "NOTICE", "USE_POLICY.md"}
