"""``modelaudit policy list|show NAME|validate FILE``: the ready policies and policy files."""

from __future__ import annotations

from pathlib import Path

import click

from modelaudit.cli._options import format_option
from modelaudit.errors import ExitCode, InputError


@click.group("policy")
def policy_command() -> None:
    """Policies: list the ready ones, show one with its effective rule severities, validate a file."""


@policy_command.command("list")
@format_option()
def list_command(fmt: str) -> None:
    """Every ready policy (usable as --policy NAME): name, failure threshold, summary."""
    from modelaudit.formats import POLICY_LIST_FORMATS
    from modelaudit.policy.model import list_policies, load_policy

    policies = [load_policy(name) for name in list_policies()]
    click.echo(POLICY_LIST_FORMATS.render_text(fmt, policies), nl=False)


@policy_command.command("show")
@click.argument("name")
@format_option()
def show_command(name: str, fmt: str) -> None:
    """Show policy NAME (a ready policy or a YAML file): its settings and every rule's effective severity."""
    from modelaudit.formats import POLICY_FORMATS
    from modelaudit.policy.effective import effective_policy
    from modelaudit.policy.model import load_policy

    click.echo(POLICY_FORMATS.render_text(fmt, effective_policy(load_policy(name))), nl=False)


@policy_command.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def validate_command(files: tuple[str, ...]) -> int:
    """Validate policy FILE(s); unknown keys, bad values and unknown rule names are errors (exit 2)."""
    from modelaudit.policy.model import load_policy

    for file in files:
        path = Path(file)
        if not path.is_file():
            raise InputError(file, "no such policy file")
        policy = load_policy(file)
        click.echo(f"{file}: valid policy {policy.name!r} (fail_on {policy.fail_on.value})")
    return int(ExitCode.OK)
