"""``modelaudit fix DIR [--write]``: the remediation plan of a local model folder, as a diff or applied.

stdout carries the unified diff (nothing else), stderr what was done and the steps no file change can make.
Exit codes: 0 the plan was shown (or written, and the rescan passes every license and obligation rule), 1 written
but such a rule still fails on the folder (a step is left to do by hand), 2 a Hub target, a read-only folder, or
another usage or input error. Rules the plan does not address (hashes, smoke runs) are not fix's to judge.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from modelaudit.cli._options import offline_option, quiet_option, role_option
from modelaudit.errors import ExitCode


@click.command("fix")
@click.argument("folder", metavar="DIR")
@click.option("--write", is_flag=True, help="Apply the changes (every file changed is first backed up).")
@click.option(
    "--policy",
    default="default",
    show_default=True,
    envvar="MODELAUDIT_POLICY",
    help="A ready policy name or a policy YAML file (the rescan after --write is judged by it).",
)
@role_option(
    "Whose audit the fix answers; default publisher (the folder is the model you publish).",
    default="publisher",
)
@offline_option("Resolve the folder's Hub parents from the Hugging Face cache only.")
@quiet_option()
def fix_command(folder: str, write: bool, policy: str, role: str, offline: bool, quiet: bool) -> int:
    """Make the model folder DIR meet its licenses: license texts, NOTICE lines, use policy, card.

    \b
    Without --write, prints the changes as a unified diff (stdout) and changes nothing. With --write, copies
    every file it changes into DIR/.modelaudit-backup/<time>/ first, writes the changes, and scans again.
    Never touches weights or code; a Hub repo id is refused (clone it first).

    \b
    Examples:
      modelaudit fix ./my-model              # review the plan
      modelaudit fix ./my-model --write      # apply it, then rescan
    """
    from modelaudit.pipeline import ScanOptions
    from modelaudit.remediate import fix

    settings: dict[str, Any] = {"policy": policy, "role": role, "offline": offline}
    result = fix(folder, ScanOptions.model_validate(settings), write=write)

    def say(msg: str) -> None:
        if not quiet:
            click.echo(msg, err=True)

    if result.plan is None:
        say(f"{result.report.target.id}: nothing to fix (every license and obligation rule passes)")
        return int(ExitCode.OK)
    if result.plan.licenses:
        say(f"licenses it may carry: {' | '.join(result.plan.licenses)}")
        if result.plan.license_note:
            say(f"  {result.plan.license_note}")
    if not write:
        sys.stdout.write(result.diff())
        sys.stdout.flush()
        say(f"{len(result.edits)} file(s) would change; run again with --write to apply")
    else:
        for e in result.edits:
            verb = "removed" if e.after is None else ("created" if e.before is None else "changed")
            say(f"{verb} {e.path}")
        if result.backup is not None:
            say(f"backup of the previous files: {result.backup}")
    for step in result.manual:
        say(f"to do by hand: {step}")
    if write and result.rescan is not None:
        left = result.remaining()
        if left:
            say("rescan: license and obligation rules still failing:")
            for line in left:
                say(f"  {line}")
            return int(ExitCode.POLICY_FAILED)
        say(
            f"rescan: every license and obligation rule passes (policy verdict: {result.rescan.verdict.value})"
        )
    return int(ExitCode.OK)
