"""``modelaudit licenses list|show ID|identify FILE``: the license knowledge base from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from modelaudit.cli._options import format_option
from modelaudit.errors import InputError, UsageError

_MAX_FILE_BYTES = 2_000_000


def _yn(value: bool | None) -> str:
    return "?" if value is None else "yes" if value else "no"


@click.group("licenses")
def licenses_command() -> None:
    """The license knowledge base: list licenses, explain one, identify a LICENSE file."""


@licenses_command.command("list")
@click.option(
    "--all", "show_all", is_flag=True, help="Also list SPDX licenses we hold no reviewed record for."
)
@format_option()
def list_command(show_all: bool, fmt: str) -> None:
    """Every known license: id, category, OSI approval, commercial use."""
    from modelaudit.licenses.db import load_db

    records = load_db().all(include_spdx=show_all)
    if fmt == "json":
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
        click.echo(json.dumps(rows, indent=2, sort_keys=True))
        return
    width = max((len(r.id) for r in records), default=2)
    click.echo(f"{'ID':<{width}}  {'CATEGORY':<13}  {'OSI':<3}  {'COMMERCIAL':<11}  NAME")
    for r in records:
        click.echo(
            f"{r.id:<{width}}  {r.category.value:<13}  {_yn(r.osi_approved):<3}  "
            f"{r.commercial_use.value:<11}  {r.display_name}"
        )


@licenses_command.command("show")
@click.argument("license_id")
@format_option()
def show_command(license_id: str, fmt: str) -> None:
    """One license's facts and obligations in plain words, with the source of each fact.

    LICENSE_ID may be an id, SPDX id, Hub id, alias or a common spelling ("Apache 2.0").
    """
    from modelaudit.licenses.assess import describe_obligations
    from modelaudit.licenses.db import load_db
    from modelaudit.licenses.normalize import normalize

    db = load_db()
    rec = db.get(license_id)
    if rec is None:
        n = normalize(license_id, db=db)
        rec = db.get(n.id) if n.id and not n.is_expression else None
    if rec is None:
        raise UsageError(
            f"unknown license {license_id!r}", hint="run `modelaudit licenses list` to see the known ids"
        )
    if fmt == "json":
        data = rec.model_dump(mode="json")
        data["obligations_in_words"] = [{"kind": k, "text": t} for k, t in describe_obligations(rec)]
        click.echo(json.dumps(data, indent=2, sort_keys=True))
        return
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
    click.echo("\n".join(lines))


@licenses_command.command("identify")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@format_option()
def identify_command(file: Path, fmt: str) -> None:
    """Identify the license of a LICENSE-like FILE ('-' reads stdin): id, confidence, evidence.

    Knows every SPDX license text and the ML licenses of license_db. A file holding several licenses gets
    an 'A AND B' answer; below a confidence of 0.75 the answer is 'unknown', with the best candidate.
    """
    from modelaudit.licenses.identify import identify_text

    if str(file) == "-":
        text = sys.stdin.read(_MAX_FILE_BYTES)
    else:
        try:
            with file.open("rb") as fh:
                raw = fh.read(_MAX_FILE_BYTES)
        except OSError as exc:
            raise InputError(str(file), f"cannot read: {exc.strerror or exc}") from None
        text = raw.decode("utf-8", errors="replace")
    result = identify_text(text)
    if fmt == "json":
        data = result.model_dump(mode="json")
        data["file"] = str(file)
        click.echo(json.dumps(data, indent=2, sort_keys=True))
        return
    if result.id is None:
        best = (
            f" (best candidate {result.candidate}, score {result.candidate_score:.2f})" if result.candidate else ""
        )
        click.echo(f"{file}: unknown license{best}")
    else:
        what = " (use policy)" if result.document and result.document.value == "use-policy" else ""
        click.echo(f"{file}: {result.id}{what}  {result.name or ''}  confidence {result.confidence:.2f}")
    for line in result.evidence:
        click.echo(f"  - {line}")
