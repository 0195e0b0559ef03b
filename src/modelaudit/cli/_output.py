"""Where reports go: stdout (only the report) or files; summaries go to stderr (progress: cli/_progress.py)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import click

from modelaudit.errors import UsageError
from modelaudit.formats import get_formatter
from modelaudit.models import ScanReport


def report_slug(report: ScanReport) -> str:
    """A file-name-safe name for a report: ``org__name`` for Hub ids, ``a__chat`` for the folder ``a/chat``."""
    # Local ids are paths relative to the working directory (a/chat, b/chat): keep them whole so two
    # folders with the same name never overwrite each other's reports.
    ident = report.target.id.strip("/").replace("datasets/", "datasets__")
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "__", ident.replace("/", "__")).strip("._") or "report"
    return slug[:150]


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write via a temporary file and rename, so a crash never leaves half a report behind.

    The file gets the mode any new file gets (0666 less the user's umask), like a shell redirect: reports
    are read by legal teams and kept as CI artifacts (``tempfile.mkstemp`` would make them 0600).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = path.parent / f".{path.name}.{os.urandom(6).hex()}.tmp"
        try:
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:  # another writer's temporary name: draw again
            continue
        break
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def emit_reports(reports: list[ScanReport], formats: list[str], output: str | None) -> list[Path]:
    """Render every report in every format to stdout or under ``output``; returns the files written."""
    written: list[Path] = []
    if output is None:
        for report in reports:
            for name in formats:
                data = get_formatter(name).render(report)
                if isinstance(data, bytes):
                    sys.stdout.buffer.write(data)
                else:
                    sys.stdout.write(data)
        sys.stdout.flush()
        return written
    out = Path(output)
    as_folder = len(formats) > 1 or len(reports) > 1 or output.endswith(("/", os.sep)) or out.is_dir()
    if not as_folder:
        formatter = get_formatter(formats[0])
        write_atomic(out, formatter.render(reports[0]))
        return [out]
    if out.exists() and not out.is_dir():
        raise UsageError(f"{output}: exists and is not a folder")
    for report in reports:
        for name in formats:
            formatter = get_formatter(name)
            path = out / f"{report_slug(report)}{formatter.suffix}"
            write_atomic(path, formatter.render(report))
            written.append(path)
    for path in written:
        click.echo(f"wrote {path}", err=True)
    return written


def summary_line(report: ScanReport) -> str:
    counts = report.counts()
    return (
        f"{report.target.id}: {report.verdict.value.upper()} under policy {report.policy.name!r} "
        f"({counts['error']} error, {counts['warning']} warning, {counts['note']} note; "
        f"{len(report.nodes)} node(s))"
    )
