"""Rules about the lineage graph itself: parents that could not be resolved, cycles, gated repos."""

from __future__ import annotations

from collections.abc import Iterator

from modelaudit.lineage.graph import GraphNode
from modelaudit.models import Evidence, Finding
from modelaudit.policy.rules.base import CatalogRule, RuleContext, make_finding
from modelaudit.sources.record import MERGEKIT_FILES


class LineageUnresolved(CatalogRule, rule_id="MA001"):
    def check(self, node: GraphNode, ctx: RuleContext) -> Iterator[Finding]:
        if node.resolved:
            return
        children = sorted(e.child for e in ctx.graph.children(node.key))
        evidence = [ev for e in ctx.graph.children(node.key) for ev in e.evidence]
        yield make_finding(
            self,
            node.key,
            f"{node.key} (declared by {', '.join(children) or 'the target'}) could not be resolved: "
            f"{node.unresolved_reason}",
            evidence,
        )


class LineageCycle(CatalogRule, rule_id="MA002"):
    def check(self, node: GraphNode, ctx: RuleContext) -> Iterator[Finding]:
        for cycle in ctx.graph.cycles:
            if cycle and cycle[0] == node.key:
                yield make_finding(
                    self,
                    node.key,
                    "lineage cycle: " + " → ".join(cycle),
                    [Evidence(source="lineage", value=" -> ".join(cycle))],
                )


class GatedRepo(CatalogRule, rule_id="MA003"):
    def check(self, node: GraphNode, ctx: RuleContext) -> Iterator[Finding]:
        if node.record is not None and node.record.gated:
            yield make_finding(
                self,
                node.key,
                f"{node.key} is gated on the Hub: access requires accepting its terms",
                [Evidence(source="hub:gated", value="true")],
            )


class MetadataProblem(CatalogRule, rule_id="MA004"):
    def check(self, node: GraphNode, ctx: RuleContext) -> Iterator[Finding]:
        if node.record is not None and node.record.problems:
            yield make_finding(
                self,
                node.key,
                f"{len(node.record.problems)} metadata problem(s) in {node.key}: "
                + "; ".join(f"{p.source}: {p.value}" for p in node.record.problems[:5]),
                list(node.record.problems),
            )


# evidence families that name a model base: what the card says vs what the repo's files say
_CARD_BASE_SOURCES = ("card:base_model", "card:finetuned_from", "tag:base_model")
_FILE_BASE_FAMILIES: dict[str, tuple[str, ...]] = {
    "adapter_config.json": ("adapter_config.json:",),
    "GGUF metadata": ("gguf:",),
    "mergekit config": tuple(f"{name}:" for name in MERGEKIT_FILES),
}


def _is_file_base_evidence(source: str, prefixes: tuple[str, ...]) -> bool:
    if not source.startswith(prefixes):
        return False
    if source.startswith("gguf:"):
        # base_model.{i}.repo_url and source.repo_url name bases; title-cased names and datasets do not
        return source.endswith(".repo_url") and ":general.dataset" not in source
    return True


class LineageMismatch(CatalogRule, rule_id="MA005"):
    def check(self, node: GraphNode, ctx: RuleContext) -> Iterator[Finding]:
        edges = ctx.graph.parents(node.key)
        card: dict[str, list[Evidence]] = {}
        for e in edges:
            ev = [v for v in e.evidence if v.source.startswith(_CARD_BASE_SOURCES)]
            if ev:
                card[e.parent] = ev
        if not card:
            return
        for family, prefixes in _FILE_BASE_FAMILIES.items():
            named: dict[str, list[Evidence]] = {}
            for e in edges:
                ev = [v for v in e.evidence if _is_file_base_evidence(v.source, prefixes)]
                if ev:
                    named[e.parent] = ev
            if not named or set(named) & set(card):
                continue
            evidence = [v for key in sorted(card) for v in card[key]]
            evidence += [v for key in sorted(named) for v in named[key]]
            yield make_finding(
                self,
                node.key,
                f"the card of {node.key} names {', '.join(sorted(card))} as base but its {family} names "
                f"{', '.join(sorted(named))}; both are kept in the lineage",
                evidence,
            )
