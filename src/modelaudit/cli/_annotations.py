"""GitHub Actions workflow commands (``::error file=…,title=…::message``) for a scan's findings.

Printed on stderr when ``GITHUB_ACTIONS=true`` so that findings show up as annotations on the pull request,
while stdout keeps carrying only the report. Waived findings and findings already in the baseline are left
out: annotations are for what needs attention now.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from modelaudit.models import ScanReport, Severity

if TYPE_CHECKING:
    from modelaudit.code_models import AppReport

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}
MAX_ANNOTATIONS = 200  # GitHub shows at most 10 per step and kind; more is only noise in the log


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def annotation_lines(reports: Iterable[ScanReport]) -> Iterator[str]:
    from modelaudit.formats.sarif import node_location

    count = 0
    for report in reports:
        for f in report.sorted().findings:
            if f.waived or f.baseline:
                continue
            if count >= MAX_ANNOTATIONS:
                yield f"::warning title=modelaudit::{_data('more findings than annotations; see the report')}"
                return
            count += 1
            where, is_file = node_location(report, f.node)
            props = [f"file={_prop(where)}", "line=1"] if is_file else []
            props.append(f"title={_prop(f'{f.rule} {f.name} ({f.node})')}")
            message = f"{f.message}\n{f.how_to_fix}" if is_file else f"{f.message} [{where}]\n{f.how_to_fix}"
            yield f"::{_COMMAND[f.severity]} {','.join(props)}::{_data(message)}"


def app_annotation_lines(report: AppReport) -> Iterator[str]:
    """``scan-code``'s findings, each on the referencing file and line (relative to the checkout)."""
    from modelaudit.formats.code import location

    root = report.location_root.strip("/")
    count = 0
    for f in report.findings:
        if f.waived or f.baseline:
            continue
        if count >= MAX_ANNOTATIONS:
            yield f"::warning title=modelaudit::{_data('more findings than annotations; see the report')}"
            return
        count += 1
        props = []
        loc = location(f)
        if loc is not None:
            file = f"{root}/{loc[0]}" if root and root != "." else loc[0]
            props += [f"file={_prop(file)}", f"line={max(1, loc[1])}"]
        props.append(f"title={_prop(f'{f.rule} {f.name} ({f.node})')}")
        message = f"{f.message}\n{f.how_to_fix}"
        yield f"::{_COMMAND[f.severity]} {','.join(props)}::{_data(message)}"
