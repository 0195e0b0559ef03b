"""``modelaudit diff BASE.json HEAD.json``: what changed between two reports, and whether it fails."""

from __future__ import annotations

import sys

import click

from modelaudit.cli._options import format_option
from modelaudit.errors import ExitCode


@click.command("diff")
@click.argument("base", type=click.Path(dir_okay=False))
@click.argument("head", type=click.Path(dir_okay=False))
@format_option(("text", "json", "md"), help="Output format (md is sized for a pull-request comment).")
def diff_command(base: str, head: str, fmt: str) -> int:
    """Compare two JSON reports: added and removed findings, changed licenses, edges and file hashes.

    \b
    Exit codes: 1 when a finding new in HEAD reaches HEAD's fail_on (unwaived), 0 otherwise,
                2 when a report cannot be read.
    Example:
      modelaudit diff reports/main.json reports/pr.json -f md > comment.md
    """
    from modelaudit.formats import DIFF_FORMATS
    from modelaudit.policy.baseline import load_report
    from modelaudit.policy.diff import diff_reports

    result = diff_reports(load_report(base, what="base report"), load_report(head, what="head report"))
    sys.stdout.write(DIFF_FORMATS.render_text(fmt, result))
    sys.stdout.flush()
    return int(ExitCode.POLICY_FAILED if result.failed else ExitCode.OK)
