"""``modelaudit policy list|show NAME|validate FILE``: the ready policies and policy files."""

from __future__ import annotations

import json
from pathlib import Path

import click

from modelaudit.cli._options import format_option
from modelaudit.errors import ExitCode, InputError


@click.group("policy")
def policy_command() -> None:
    """Policies: list the ready ones, show one with its effective rule severities, validate a file."""


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    head, dot, _ = text.partition(". ")
    return head + ("." if dot and not head.endswith(".") else "")


@policy_command.command("list")
@format_option()
def list_command(fmt: str) -> None:
    """Every ready policy (usable as --policy NAME): name, failure threshold, summary."""
    from modelaudit.policy.model import list_policies, load_policy

    policies = [load_policy(name) for name in list_policies()]
    if fmt == "json":
        rows = [
            {"name": p.name, "fail_on": p.fail_on.value, "description": " ".join(p.description.split())}
            for p in policies
        ]
        click.echo(json.dumps(rows, indent=2, sort_keys=True))
        return
    width = max((len(p.name) for p in policies), default=4)
    click.echo(f"{'NAME':<{width}}  {'FAIL ON':<7}  SUMMARY")
    for p in policies:
        click.echo(f"{p.name:<{width}}  {p.fail_on.value:<7}  {_first_sentence(p.description)}")


@policy_command.command("show")
@click.argument("name")
@format_option()
def show_command(name: str, fmt: str) -> None:
    """Show policy NAME (a ready policy or a YAML file): its settings and every rule's effective severity."""
    import yaml

    from modelaudit.catalog import CATALOG, Stage
    from modelaudit.policy.model import load_policy
    from modelaudit.policy.rules import RULES

    policy = load_policy(name)
    rules = []
    for rule_id in sorted(RULES):
        cls = RULES[rule_id]
        disabled = rule_id in policy.disabled_rules or cls.name in policy.disabled_rules
        severity = policy.severity.get(rule_id) or policy.severity.get(cls.name) or cls.default_severity
        rules.append(
            {
                "id": rule_id,
                "name": cls.name,
                "severity": "off" if disabled else severity.value,
                "default": cls.default_severity.value,
                "summary": cls.summary,
            }
        )
    stage_slugs = sorted(
        s.slug for s in CATALOG.values() if s.stage in (Stage.LICENSE, Stage.VERIFY, Stage.SMOKE)
    )
    stage = {slug: policy.severity[slug].value for slug in stage_slugs if slug in policy.severity}
    settings = policy.model_dump(mode="json")
    if fmt == "json":
        click.echo(
            json.dumps(
                {"policy": settings, "rules": rules, "stage_overrides": stage}, indent=2, sort_keys=True
            )
        )
        return
    click.echo(yaml.safe_dump(settings, sort_keys=False, allow_unicode=True, width=100).rstrip())
    click.echo("")
    click.echo(
        f"rules (severity under this policy; a finding at or above {policy.fail_on.value} fails the audit):"
    )
    for row in rules:
        changed = "" if row["severity"] == row["default"] else f" (default {row['default']})"
        click.echo(f"  {row['id']}  {row['name']:<26} {row['severity']:<7}{changed}".rstrip())
    if stage:
        click.echo("findings of other stages with overridden severity:")
        for slug, sev in stage.items():
            click.echo(f"  {slug:<32} {sev}")


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
