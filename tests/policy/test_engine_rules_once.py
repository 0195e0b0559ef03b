"""The engine makes its rule list once per evaluation; disabling, ordering and fail-closed stay as they were."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import pytest

from modelaudit.lineage.graph import GraphNode, LineageGraph
from modelaudit.models import Finding, NodeKind, RepoRef, Severity
from modelaudit.policy import engine
from modelaudit.policy.model import Policy
from modelaudit.policy.rules import RULES, RuleContext
from modelaudit.policy.rules.base import CatalogRule, make_finding


def graph(*keys: str) -> LineageGraph:
    return LineageGraph(
        root=keys[0],
        nodes={k: GraphNode(key=k, ref=RepoRef(repo_id=k), kind=NodeKind.MODEL, depth=0) for k in keys},
    )


class Broken(CatalogRule, rule_id="MA004"):
    made: ClassVar[int] = 0

    def __init__(self) -> None:
        type(self).made += 1

    def check(self, node: GraphNode, ctx: RuleContext) -> Iterator[Finding]:
        if node.key == "b/two":
            raise ValueError("boom")
        yield make_finding(self, node.key, f"seen {node.key}")


@pytest.fixture
def only_broken(monkeypatch: pytest.MonkeyPatch) -> None:
    Broken.made = 0
    monkeypatch.setattr(engine, "RULES", {"MA004": Broken})


@pytest.mark.usefixtures("only_broken")
def test_a_crashing_rule_is_a_finding_and_the_others_still_run() -> None:
    ctx = RuleContext(graph=graph("c/three", "a/one", "b/two"), policy=Policy(name="t"))
    found = engine.evaluate(ctx)
    assert [(f.node, f.severity, f.message.split(":")[0]) for f in found] == [
        ("a/one", Broken.default_severity, "seen a/one"),
        ("b/two", Severity.ERROR, "rule MA004 could not be evaluated"),
        ("c/three", Broken.default_severity, "seen c/three"),
    ]
    assert Broken.made == 1  # one rule object per evaluation, not one per node


@pytest.mark.usefixtures("only_broken")
@pytest.mark.parametrize("disabled", ["MA004", Broken.name])
def test_a_rule_disabled_by_id_or_slug_does_not_run(disabled: str) -> None:
    ctx = RuleContext(graph=graph("a/one", "b/two"), policy=Policy(name="t", disabled_rules=[disabled]))
    assert engine.evaluate(ctx) == []


def test_rules_run_in_id_order_per_node(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, str]] = []

    def spy(rule_id: str) -> type[CatalogRule]:
        class Spy(CatalogRule, rule_id=rule_id):
            def check(self, node: GraphNode, ctx: RuleContext) -> Iterator[Finding]:
                seen.append((node.key, self.id))
                return iter(())

        return Spy

    ids = sorted(RULES)[:3]
    monkeypatch.setattr(engine, "RULES", {i: spy(i) for i in reversed(ids)})
    engine.evaluate(RuleContext(graph=graph("b", "a"), policy=Policy(name="t")))
    assert seen == [(k, i) for k in ("a", "b") for i in ids]
