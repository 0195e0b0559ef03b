"""``modelaudit report REPORT.json -f FORMAT...``: re-render a saved JSON report in any format.

One format without ``-o`` goes to stdout. ``-o DIR`` writes one file per format into DIR; several formats
without ``-o`` go to the default folder ``reports/<org>__<name>/``. Nothing is re-scanned: the saved report
is the single source of truth, so the rendered files agree with what CI saw.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from modelaudit.errors import InputError
from modelaudit.models import ScanReport

MAX_REPORT_BYTES = 256 * 1024 * 1024


def load_report(path: str) -> ScanReport:
    """Read and validate a saved JSON report; any problem is an ``InputError`` naming the file."""
    from pydantic import ValidationError

    p = Path(path)
    try:
        if p.is_dir():
            raise InputError(path, "is a folder, not a JSON report")
        if p.stat().st_size > MAX_REPORT_BYTES:
            raise InputError(
                path, f"larger than {MAX_REPORT_BYTES // (1024 * 1024)} MiB; not a modelaudit report"
            )
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(path, f"not valid JSON ({exc})", hint="pass a report written with -f json") from None
    if not isinstance(data, dict):
        raise InputError(path, "not a modelaudit JSON report (expected an object)")
    version = data.get("schema_version")
    if version != "1":
        raise InputError(
            path,
            f'unsupported report schema_version {version!r} (this modelaudit reads "1")',
            hint="re-run the scan with this version of modelaudit",
        )
    try:
        return ScanReport.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first.get("loc", ())) or "(top level)"
        raise InputError(
            path,
            f"not a valid modelaudit report: {where}: {first.get('msg', 'invalid')} ({exc.error_count()} problem(s))",
        ) from None


def default_folder(report: ScanReport) -> Path:
    from modelaudit.cli._output import report_slug

    return Path("reports") / report_slug(report)


@click.command("report")
@click.argument("report_file", metavar="REPORT.json")
@click.option(
    "-f",
    "--format",
    "formats",
    multiple=True,
    help="Output format (json, text, md, html, sarif, spdx, spdx3, cyclonedx); repeat for several. Default: html.",
)
@click.option(
    "-o",
    "--output",
    "output",
    metavar="DIR",
    default=None,
    help="Folder to write the files into (one per format). Default: stdout for one format, "
    "reports/<org>__<name>/ for several.",
)
def report_command(report_file: str, formats: tuple[str, ...], output: str | None) -> int:
    """Re-render a saved JSON report (from `scan -f json`) in other formats."""
    from modelaudit.cli._output import emit_reports
    from modelaudit.formats import get_formatter

    fmts = list(dict.fromkeys(formats)) or ["html"]
    for name in fmts:
        get_formatter(name)  # unknown or unavailable formats fail before anything is written
    report = load_report(report_file)
    if output is None and len(fmts) > 1:
        output = str(default_folder(report))
    if output is not None:
        folder = Path(output)
        if folder.exists() and not folder.is_dir():
            raise InputError(output, "exists and is not a folder", hint="-o takes a folder")
        output = output if output.endswith(("/", os.sep)) else output + os.sep
    emit_reports([report], fmts, output)
    return 0
