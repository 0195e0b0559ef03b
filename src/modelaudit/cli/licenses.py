"""``modelaudit licenses list|show ID|identify FILE``: the license knowledge base from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from modelaudit.cli._options import format_option
from modelaudit.errors import InputError, UsageError

_MAX_FILE_BYTES = 2_000_000


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
    from modelaudit.formats import LICENSE_LIST_FORMATS
    from modelaudit.licenses.db import load_db

    records = load_db().all(include_spdx=show_all)
    click.echo(LICENSE_LIST_FORMATS.render_text(fmt, records), nl=False)


@licenses_command.command("show")
@click.argument("license_id")
@format_option()
def show_command(license_id: str, fmt: str) -> None:
    """One license's facts and obligations in plain words, with the source of each fact.

    LICENSE_ID may be an id, SPDX id, Hub id, alias or a common spelling ("Apache 2.0").
    """
    from modelaudit.formats import LICENSE_FORMATS
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
    click.echo(LICENSE_FORMATS.render_text(fmt, rec), nl=False)


@licenses_command.command("identify")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@format_option()
def identify_command(file: Path, fmt: str) -> None:
    """Identify the license of a LICENSE-like FILE ('-' reads stdin): id, confidence, evidence.

    Knows every SPDX license text and the ML licenses of license_db. A file holding several licenses gets
    an 'A AND B' answer; below a confidence of 0.75 the answer is 'unknown', with the best candidate.
    """
    from modelaudit.formats import LICENSE_IDENTIFY_FORMATS
    from modelaudit.licenses.identify import FileIdentification, identify_text

    if str(file) == "-":
        text = sys.stdin.read(_MAX_FILE_BYTES)
    else:
        try:
            with file.open("rb") as fh:
                raw = fh.read(_MAX_FILE_BYTES)
        except OSError as exc:
            raise InputError(str(file), f"cannot read: {exc.strerror or exc}") from None
        text = raw.decode("utf-8", errors="replace")
    result = FileIdentification(file=str(file), result=identify_text(text))
    click.echo(LICENSE_IDENTIFY_FORMATS.render_text(fmt, result), nl=False)
