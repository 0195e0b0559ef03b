"""Runs the rules over the graph, applies the policy's overrides, and decides the verdict."""

from __future__ import annotations

from collections.abc import Iterable

from modelaudit.models import Finding, Severity, Verdict
from modelaudit.policy.model import Policy
from modelaudit.policy.obligations import checked
from modelaudit.policy.rules import RULES, RuleContext, make_finding


def _enabled(rule_id: str, slug: str, policy: Policy) -> bool:
    return rule_id not in policy.disabled_rules and slug not in policy.disabled_rules


def apply_policy(findings: Iterable[Finding], policy: Policy) -> list[Finding]:
    """Drop disabled rules and apply severity overrides (by rule id or slug) to findings from any stage."""
    out: list[Finding] = []
    for f in findings:
        if not _enabled(f.rule, f.name, policy):
            continue
        override = policy.severity.get(f.rule) or policy.severity.get(f.name)
        out.append(f.model_copy(update={"severity": override}) if override else f)
    return out


def evaluate(ctx: RuleContext) -> list[Finding]:
    """Every registered rule over every node, in a stable order; a crashing rule is itself a finding.

    The obligations are checked first (``ctx.obligations``), unless ``ctx.check_obligations`` is off: the
    obligation rules read them."""
    checked(ctx)
    # the enabled rules, sorted and made once (rules are stateless), not once per node
    rules = [RULES[rule_id]() for rule_id in sorted(RULES)]
    rules = [rule for rule in rules if _enabled(rule.id, rule.name, ctx.policy)]
    findings: list[Finding] = []
    nodes = ctx.graph.nodes
    for key in sorted(nodes):
        node = nodes[key]
        for rule in rules:
            try:
                findings.extend(rule.check(node, ctx))
            except Exception as exc:  # fail closed: a broken rule must not turn into a silent pass
                findings.append(
                    make_finding(
                        rule,
                        key,
                        f"rule {rule.id} could not be evaluated: {type(exc).__name__}: {exc}",
                        severity=Severity.ERROR,
                        how_to_fix="Report this as a modelaudit bug; the check did not run.",
                    )
                )
    return findings


def verdict(findings: Iterable[Finding], fail_on: Severity) -> Verdict:
    """Fail when an unwaived finding that is not in the baseline reaches ``fail_on``."""
    failing = any(not f.waived and not f.baseline and f.severity.rank >= fail_on.rank for f in findings)
    return Verdict.FAIL if failing else Verdict.PASS
