"""``modelaudit policy list|show``: the ready policies, and one policy as it applies, as text or JSON.

Policies are loaded by :mod:`modelaudit.policy.model`; a policy's effective rule severities are computed
by :func:`modelaudit.policy.effective.effective_policy`.
"""

from __future__ import annotations

import json
from typing import ClassVar

from modelaudit.policy.effective import EffectivePolicy
from modelaudit.policy.model import Policy


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    head, dot, _ = text.partition(". ")
    return head + ("." if dot and not head.endswith(".") else "")


def list_text(policies: list[Policy]) -> str:
    width = max((len(p.name) for p in policies), default=4)
    lines = [f"{'NAME':<{width}}  {'FAIL ON':<7}  SUMMARY"]
    lines += [f"{p.name:<{width}}  {p.fail_on.value:<7}  {_first_sentence(p.description)}" for p in policies]
    return "\n".join(lines) + "\n"


def list_json(policies: list[Policy]) -> str:
    rows = [
        {"name": p.name, "fail_on": p.fail_on.value, "description": " ".join(p.description.split())}
        for p in policies
    ]
    return json.dumps(rows, indent=2, sort_keys=True) + "\n"


def show_text(e: EffectivePolicy) -> str:
    import yaml

    settings = e.policy.model_dump(mode="json")
    lines = [
        yaml.safe_dump(settings, sort_keys=False, allow_unicode=True, width=100).rstrip(),
        "",
        f"rules (severity under this policy; a finding at or above {e.policy.fail_on.value} fails the audit):",
    ]
    for row in e.rules:
        changed = "" if row.severity == row.default else f" (default {row.default})"
        lines.append(f"  {row.id}  {row.name:<26} {row.severity:<7}{changed}".rstrip())
    if e.stage_overrides:
        lines.append("findings of other stages with overridden severity:")
        lines += [f"  {slug:<32} {sev}" for slug, sev in e.stage_overrides.items()]
    return "\n".join(lines) + "\n"


def show_json(e: EffectivePolicy) -> str:
    data = {
        "policy": e.policy.model_dump(mode="json"),
        "rules": [r.model_dump() for r in e.rules],
        "stage_overrides": e.stage_overrides,
    }
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


class ListText:
    name: ClassVar[str] = "text"
    suffix: ClassVar[str] = ".txt"

    def render(self, policies: list[Policy]) -> str:
        return list_text(policies)


class ListJson:
    name: ClassVar[str] = "json"
    suffix: ClassVar[str] = ".json"

    def render(self, policies: list[Policy]) -> str:
        return list_json(policies)


class ShowText:
    name: ClassVar[str] = "text"
    suffix: ClassVar[str] = ".txt"

    def render(self, e: EffectivePolicy) -> str:
        return show_text(e)


class ShowJson:
    name: ClassVar[str] = "json"
    suffix: ClassVar[str] = ".json"

    def render(self, e: EffectivePolicy) -> str:
        return show_json(e)
