"""``modelaudit licenses list|show|identify``: the license knowledge base, as text or JSON.

The records come from :mod:`modelaudit.licenses.db`, their duties in plain words from
:func:`modelaudit.licenses.assess.describe_obligations`, identifications from
:func:`modelaudit.licenses.identify.identify_text`.
"""

from __future__ import annotations

import json
from typing import ClassVar

from modelaudit.licenses.assess import describe_obligations
from modelaudit.licenses.identify import FileIdentification
from modelaudit.licenses.schema import LicenseRecord


def _yn(value: bool | None) -> str:
    return "?" if value is None else "yes" if value else "no"


def list_text(records: list[LicenseRecord]) -> str:
    width = max((len(r.id) for r in records), default=2)
    lines = [f"{'ID':<{width}}  {'CATEGORY':<13}  {'OSI':<3}  {'COMMERCIAL':<11}  NAME"]
    lines += [
        f"{r.id:<{width}}  {r.category.value:<13}  {_yn(r.osi_approved):<3}  "
        f"{r.commercial_use.value:<11}  {r.display_name}"
        for r in records
    ]
    return "\n".join(lines) + "\n"


def list_json(records: list[LicenseRecord]) -> str:
    rows = [
        {
            "id": r.id,
            "name": r.display_name,
            "hub_id": r.hub_id,
            "spdx_id": r.spdx_id,
            "category": r.category.value,
            "osi_approved": r.osi_approved,
            "commercial_use": r.commercial_use.value,
            "origin": r.origin,
        }
        for r in records
    ]
    return json.dumps(rows, indent=2, sort_keys=True) + "\n"


def show_text(rec: LicenseRecord) -> str:
    lines = [f"{rec.display_name} ({rec.id})"]
    ids = ", ".join(f"{k}: {v}" for k, v in (("SPDX", rec.spdx_id), ("Hub", rec.hub_id)) if v)
    if ids:
        lines.append(f"  ids:            {ids}")
    if rec.family:
        lines.append("  family tag:     the exact license of the family is not named")
    lines.append(f"  category:       {rec.category.value}")
    lines.append(f"  OSI approved:   {_yn(rec.osi_approved)}    FSF libre: {_yn(rec.fsf_libre)}")
    commercial = rec.commercial_use.value + (
        f" ({rec.commercial_condition})" if rec.commercial_condition else ""
    )
    lines.append(f"  commercial use: {commercial}")
    duties = describe_obligations(rec)
    lines.append("  obligations:" if duties else "  obligations:    none recorded")
    lines += [f"    - {text}" for _, text in duties]
    if rec.restricted_uses is None:
        lines.append(
            f"  restricted uses: not reviewed ({rec.restricted_uses_note or 'policy text not available'})"
        )
    if rec.notes:
        lines.append(f"  notes:          {rec.notes}")
    if rec.urls:
        lines.append("  text:           " + ", ".join(rec.urls))
    if rec.sources:
        lines.append("  sources:")
        lines += [f"    {k}: {v}" for k, v in sorted(rec.sources.items())]
    if rec.origin == "spdx":
        lines.append("  (synthesised from the SPDX list: obligations and use restrictions not reviewed)")
    return "\n".join(lines) + "\n"


def show_json(rec: LicenseRecord) -> str:
    data = rec.model_dump(mode="json")
    data["obligations_in_words"] = [{"kind": k, "text": t} for k, t in describe_obligations(rec)]
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def identify_text(f: FileIdentification) -> str:
    result = f.result
    if result.id is None:
        best = (
            f" (best candidate {result.candidate}, score {result.candidate_score:.2f})" if result.candidate else ""
        )
        lines = [f"{f.file}: unknown license{best}"]
    else:
        what = " (use policy)" if result.document and result.document.value == "use-policy" else ""
        lines = [f"{f.file}: {result.id}{what}  {result.name or ''}  confidence {result.confidence:.2f}"]
    lines += [f"  - {line}" for line in result.evidence]
    return "\n".join(lines) + "\n"


def identify_json(f: FileIdentification) -> str:
    data = f.result.model_dump(mode="json")
    data["file"] = f.file
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


class ListText:
    name: ClassVar[str] = "text"
    suffix: ClassVar[str] = ".txt"

    def render(self, records: list[LicenseRecord]) -> str:
        return list_text(records)


class ListJson:
    name: ClassVar[str] = "json"
    suffix: ClassVar[str] = ".json"

    def render(self, records: list[LicenseRecord]) -> str:
        return list_json(records)


class ShowText:
    name: ClassVar[str] = "text"
    suffix: ClassVar[str] = ".txt"

    def render(self, rec: LicenseRecord) -> str:
        return show_text(rec)


class ShowJson:
    name: ClassVar[str] = "json"
    suffix: ClassVar[str] = ".json"

    def render(self, rec: LicenseRecord) -> str:
        return show_json(rec)


class IdentifyText:
    name: ClassVar[str] = "text"
    suffix: ClassVar[str] = ".txt"

    def render(self, f: FileIdentification) -> str:
        return identify_text(f)


class IdentifyJson:
    name: ClassVar[str] = "json"
    suffix: ClassVar[str] = ".json"

    def render(self, f: FileIdentification) -> str:
        return identify_json(f)
