"""Generated laundering and missing-notice cases, one set per license_db license that carries obligations.

For every license L with a duty a repo's files can meet (its text, a Notice line, a "Built with" line, a use
policy, credit, NOTICE propagation), three local derivatives of a base model under L:

``laundering``   a fine-tune (a quantized copy where L forbids adaptations) that declares another license
                 (Apache-2.0; MIT when L is Apache-2.0) and ships nothing but its card;
``missing``      a derivative that keeps L and ships its text, but not the Notice line, the upstream's NOTICE
                 lines, the use policy, the "Built with" line or the credit;
``compliant``    a derivative that does everything L asks (it must pass, and ``fix`` must leave it passing).

The base ships what a careful publisher of L would: the license text (when modelaudit ships it), a NOTICE with
L's Notice line and an attribution line of its own, the use policy, the statements its card must carry.
``run_case`` scans a derivative as its publisher, runs ``fix --write`` and scans again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from modelaudit.licenses.db import load_db
from modelaudit.licenses.schema import DocumentKind, LicenseRecord
from modelaudit.licenses.texts import shipped_text
from modelaudit.models import Role, ScanReport, Verdict, VerifyMode
from modelaudit.policy.remediation import PLANNED_RULES, card_license_fields
from modelaudit.remediate import license_text

UPSTREAM_ATTRIBUTION = "This model includes work by the Example Base Authors (https://example.org/base)."
HOLDER = "Copyright (c) 2024 Example Base Authors"
CASES = ("laundering", "missing", "compliant")


def has_text(rec: LicenseRecord) -> bool:
    """Whether the package ships the license's text (a compliant derivative can be written only then)."""
    return not rec.obligations.include_agreement or shipped_text(rec, DocumentKind.LICENSE) is not None


def cases_of(rec: LicenseRecord) -> list[str]:
    """The cases generated for a license: no compliant one when modelaudit ships no text of it to write."""
    return [k for k in CASES if k != "compliant" or has_text(rec)]


def checked_licenses() -> list[LicenseRecord]:
    """Every license_db license (not a family tag, not synthesised from SPDX) that carries an obligation files
    can meet, attribution and copyright notices included (AFL-3.0, BSL-1.0, MS-PL, Zlib, ... ask for no more)."""
    out = []
    for rec in load_db().all(include_spdx=False):
        ob = rec.obligations
        if rec.family:
            continue
        if (
            ob.include_agreement
            or ob.notice_text
            or ob.built_with
            or ob.use_policy_url
            or ob.credit_upstream
            or ob.license_reference
            or ob.propagate_notice
            or ob.attribution
            or ob.copyright_notice
        ):
            out.append(rec)
    return sorted(out, key=lambda r: r.id)


def _front(fields: dict[str, str | list[str]]) -> str:
    lines = ["---"]
    for key, value in fields.items():
        if isinstance(value, list):
            lines.append(f"{key}:")
            lines += [f"- {v}" for v in value]
        else:
            lines.append(
                f'{key}: "{value}"' if ":" in value or value.startswith(("[", "{")) else f"{key}: {value}"
            )
    lines.append("---")
    return "\n".join(lines) + "\n"


def _statements(rec: LicenseRecord, name: str) -> list[str]:
    ob = rec.obligations
    out = []
    if ob.built_with:
        out.append(re.sub(r"^\[name\]", name, ob.built_with) + ".")
    if ob.use_policy_url:
        out.append(f"Use policy: {ob.use_policy_url}")
    return out


def _write(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def _license_files(rec: LicenseRecord) -> dict[str, str]:
    text = license_text(rec, [HOLDER] if rec.obligations.copyright_notice else [])
    return {"LICENSE": text} if text is not None else {}


def _notice_lines(rec: LicenseRecord) -> list[str]:
    lines = [rec.obligations.notice_text] if rec.obligations.notice_text else []
    if rec.obligations.propagate_notice:
        lines.append(UPSTREAM_ATTRIBUTION)
    return lines


@dataclass
class Case:
    license: str
    kind: str  # laundering | missing | compliant
    folder: Path


def write_case(root: Path, rec: LicenseRecord, kind: str) -> Case:
    """The base and one derivative of ``kind`` for ``rec`` under ``root``; the derivative's folder."""
    ob = rec.obligations
    prefix = ob.naming_prefix
    slug = re.sub(r"[^A-Za-z0-9]+", "-", rec.id)
    base_name = (f"{prefix.replace(' ', '-')}-" if prefix else "") + f"base-{slug}"
    base = root / base_name
    if not base.exists():
        files = _license_files(rec)
        notice = _notice_lines(rec)
        if notice:
            files["NOTICE"] = "\n".join(notice) + "\n"
        policy = shipped_text(rec, DocumentKind.USE_POLICY)
        if policy is not None:
            files["USE_POLICY.md"] = policy
        body = "\n\n".join([f"# {base_name}", *_statements(rec, base_name)])
        files["README.md"] = _front(card_license_fields([rec], rec.id)) + body + "\n"
        _write(base, files)
    # adaptations of a no-derivatives work may not be shared: its derivative is a quantized copy
    relation = "quantized" if ob.no_derivatives else None
    name = (f"{prefix.replace(' ', '-')}-" if prefix else "") + f"{kind}-{slug}"
    folder = root / name
    card: dict[str, str | list[str]] = {}
    files: dict[str, str] = {}
    if kind == "laundering":
        card["license"] = "mit" if rec.id == "Apache-2.0" else "apache-2.0"
        name = f"{kind}-{slug}"  # the laundered copy also drops the name prefix
        folder = root / name
    else:
        card.update(card_license_fields([rec], rec.id))
        files.update(_license_files(rec))
    card["base_model"] = f"../{base_name}"
    if relation:
        card["base_model_relation"] = relation
    body = [f"# {name}", f"Derived from {base_name}."]
    if kind == "compliant":
        notice = _notice_lines(rec)
        if notice:
            files["NOTICE"] = "\n".join(notice) + "\n"
        policy = shipped_text(rec, DocumentKind.USE_POLICY)
        if policy is not None:
            files["USE_POLICY.md"] = policy
        body += _statements(rec, name)
        if ob.credit_upstream:
            body.append(f"Credits: {base_name}, licensed under {rec.id}.")
    files["README.md"] = _front(card) + "\n\n".join(body) + "\n"
    _write(folder, files)
    return Case(rec.id, kind, folder)


def findings_left(report: ScanReport) -> list[str]:
    """The target's findings of the rules a plan addresses (what must be gone after a fix)."""
    return [
        f"{f.name} [{f.severity.value}]: {f.message[:160]}"
        for f in report.findings
        if f.node == report.target.id
        and f.name in PLANNED_RULES
        and f.name != "obligation-unverified"
        and not f.waived
    ]


@dataclass
class Outcome:
    case: Case
    before: Verdict
    after: Verdict | None
    left: list[str]
    manual: list[str]

    @property
    def fixed(self) -> bool:
        return self.after is Verdict.PASS and not self.left


def run_case(case: Case) -> Outcome:
    from modelaudit.pipeline import ScanOptions, scan
    from modelaudit.remediate import fix

    opts = ScanOptions(role=Role.PUBLISHER, offline=True, verify=VerifyMode.NONE, no_cache=True)
    before = scan(str(case.folder), opts)
    result = fix(str(case.folder), opts, write=True)
    after = result.rescan
    return Outcome(
        case,
        before.verdict,
        after.verdict if after else None,
        findings_left(after) if after else [],
        result.manual,
    )


__all__ = [
    "CASES",
    "Case",
    "Outcome",
    "cases_of",
    "checked_licenses",
    "findings_left",
    "has_text",
    "run_case",
    "write_case",
]
