"""A policy as it applies: every rule's severity under it, and the other stages' overridden severities
(``modelaudit policy show``; rendered by :mod:`modelaudit.formats.policy`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from modelaudit.catalog import CATALOG, Stage, spec
from modelaudit.models import Role, Severity, empty_list
from modelaudit.policy.model import Policy
from modelaudit.policy.rules import RULES


class RuleSetting(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    severity: str  # error | warning | note | off (disabled)
    default: str
    summary: str


class EffectivePolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    policy: Policy
    rules: list[RuleSetting] = Field(default_factory=empty_list)
    stage_overrides: dict[str, str] = Field(default_factory=dict)  # slug → severity, other stages' findings


def by_role(slug: str, policy: Policy) -> Severity:
    """The severity a rule gives its findings under the policy's role (the obligation rules depend on it)."""
    publisher = policy.role is Role.PUBLISHER
    if slug == "obligation-unmet":
        return Severity.ERROR if publisher else Severity.WARNING
    if slug == "obligation-unverified":
        return Severity.WARNING if publisher else Severity.NOTE
    return spec(slug).default_severity


def effective_policy(policy: Policy) -> EffectivePolicy:
    rules = []
    for rule_id in sorted(RULES):
        cls = RULES[rule_id]
        disabled = rule_id in policy.disabled_rules or cls.name in policy.disabled_rules
        severity = policy.severity.get(rule_id) or policy.severity.get(cls.name) or by_role(cls.name, policy)
        rules.append(
            RuleSetting(
                id=rule_id,
                name=cls.name,
                severity="off" if disabled else severity.value,
                default=cls.default_severity.value,
                summary=cls.summary,
            )
        )
    stage_slugs = sorted(
        s.slug for s in CATALOG.values() if s.stage in (Stage.LICENSE, Stage.VERIFY, Stage.SMOKE)
    )
    stage = {slug: policy.severity[slug].value for slug in stage_slugs if slug in policy.severity}
    return EffectivePolicy(policy=policy, rules=rules, stage_overrides=stage)
