"""What the license rules read: each node's license terms (license_db records) and its upstream paths.

A node's assessed license id may be a single id or an SPDX-style expression. ``AND`` binds every part,
so the terms are all of them; ``OR`` lets the licensee choose, so the terms are the least burdensome
alternative whose facts we know. Anything not in license_db leaves the terms incomplete, and the rules
stay silent on it (the license stage already reports unknown and missing licenses).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field

from modelaudit.licenses.db import load_db
from modelaudit.licenses.schema import LicenseRecord, ShareAlike
from modelaudit.lineage.graph import GraphNode, LineageGraph
from modelaudit.models import (
    CommercialUse,
    Edge,
    Evidence,
    LicenseCategory,
    LicenseInfo,
    NodeKind,
    Relation,
    Severity,
)
from modelaudit.policy.model import Policy
from modelaudit.policy.rules.base import RuleContext

_TOKEN = re.compile(r"\(|\)|[^\s()]+")
_OPERATORS = {"AND", "OR", "WITH"}


# --------------------------------------------------------------------------------------------- expressions


@dataclass
class _Parser:
    tokens: list[str]
    pos: int = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def expr(self) -> list[list[str]]:
        """Disjunctive normal form: a list of alternatives, each a list of license ids that all apply."""
        alternatives = self.conj()
        while (tok := self.peek()) is not None and tok.upper() == "OR":
            self.take()
            alternatives = alternatives + self.conj()
        return alternatives

    def conj(self) -> list[list[str]]:
        alternatives = self.atom()
        while (tok := self.peek()) is not None and tok.upper() == "AND":
            self.take()
            right = self.atom()
            alternatives = [a + b for a in alternatives for b in right]
        return alternatives

    def atom(self) -> list[list[str]]:
        tok = self.peek()
        if tok is None:
            return [[]]
        if tok == "(":
            self.take()
            inner = self.expr()
            if self.peek() == ")":
                self.take()
            return inner
        if tok == ")" or tok.upper() in _OPERATORS:
            self.take()
            return [[]]
        self.take()
        if (nxt := self.peek()) is not None and nxt.upper() == "WITH":  # an exception only adds permissions
            self.take()
            if self.peek() is not None:
                self.take()
        return [[tok.removesuffix("+")]] if tok.endswith("+") else [[tok]]


def expression_alternatives(license_id: str) -> list[list[str]]:
    """``"MIT OR (Apache-2.0 AND CC-BY-4.0)"`` → ``[["MIT"], ["Apache-2.0", "CC-BY-4.0"]]``."""
    tokens = _TOKEN.findall(license_id)
    if not any(t.upper() in _OPERATORS for t in tokens):
        return [[license_id.strip()]]
    return [alt for alt in _Parser(tokens).expr() if alt] or [[license_id.strip()]]


def burden(rec: LicenseRecord) -> int:
    """How much a license asks of a licensee (to pick the alternative a licensee would choose under OR)."""
    o = rec.obligations
    score = {
        CommercialUse.YES: 0,
        CommercialUse.CONDITIONAL: 2,
        CommercialUse.UNKNOWN: 3,
        CommercialUse.NO: 5,
    }[rec.commercial_use]
    score += 3 * o.flow_down_use_restrictions + 3 * (o.share_alike is not ShareAlike.NONE)
    score += 5 * (o.no_derivatives + o.research_only + o.no_redistribution) + o.hosting_restricted
    return score


# --------------------------------------------------------------------------------------------- terms


@dataclass(frozen=True)
class Terms:
    """The license terms binding one node."""

    key: str
    info: LicenseInfo | None
    records: tuple[LicenseRecord, ...] = ()
    unknown_parts: tuple[str, ...] = ()  # expression parts license_db does not know

    @property
    def known(self) -> bool:
        return bool(self.records) and not self.unknown_parts

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(r.id for r in self.records)

    @property
    def label(self) -> str:
        """How messages name the license: the assessed id (an expression stays as written)."""
        if self.info is not None and self.info.id:
            return self.info.id
        return " AND ".join(sorted(self.ids)) or "no license"

    @property
    def commercial_use(self) -> CommercialUse:
        """Whether the node's own license allows commercial use (the strictest part of an AND decides)."""
        if self.records and not self.unknown_parts:
            values = {r.commercial_use for r in self.records}
            if any(r.obligations.research_only for r in self.records) or CommercialUse.NO in values:
                return CommercialUse.NO
            if CommercialUse.UNKNOWN in values:
                return CommercialUse.UNKNOWN
            return CommercialUse.CONDITIONAL if CommercialUse.CONDITIONAL in values else CommercialUse.YES
        return self.info.commercial_use if self.info is not None else CommercialUse.UNKNOWN

    @property
    def category(self) -> LicenseCategory:
        return self.info.category if self.info is not None else LicenseCategory.UNKNOWN

    def has(self, license_id: str) -> bool:
        return license_id in self.ids


def record_for(license_id: str) -> LicenseRecord | None:
    return load_db().get(license_id)


# Rules ask for the same node's terms and the same ancestors many times per scan; both are cached for the
# few most recent contexts / graphs (strong references, so an id is never reused while cached).
_CACHE_SIZE = 4
_TERMS_CACHE: OrderedDict[int, tuple[RuleContext, dict[str, Terms]]] = OrderedDict()
_GRAPH_CACHE: OrderedDict[int, tuple[LineageGraph, int, dict[str, list[Edge]]]] = OrderedDict()


def terms_of(key: str, ctx: RuleContext) -> Terms:
    """The license terms binding ``key`` (cached per rule context)."""
    entry = _TERMS_CACHE.get(id(ctx))
    if entry is None or entry[0] is not ctx:
        entry = (ctx, {})
        _TERMS_CACHE[id(ctx)] = entry
        while len(_TERMS_CACHE) > _CACHE_SIZE:
            _TERMS_CACHE.popitem(last=False)
    cached = entry[1].get(key)
    if cached is None:
        cached = entry[1][key] = _terms_of(key, ctx)
    return cached


def _terms_of(key: str, ctx: RuleContext) -> Terms:
    info = ctx.licenses.get(key)
    if info is None or not info.id:
        return Terms(key=key, info=info)
    db = load_db()
    exact = db.get(info.id)
    if exact is not None:
        return Terms(key=key, info=info, records=(exact,))
    choices: list[tuple[int, int, tuple[LicenseRecord, ...], tuple[str, ...]]] = []
    for alt in expression_alternatives(info.id):
        recs = tuple(r for r in (db.get(p) for p in alt) if r is not None)
        unknown = tuple(p for p in alt if db.get(p) is None)
        # prefer fully known alternatives, then the lightest burden
        choices.append((len(unknown), sum(burden(r) for r in recs), recs, unknown))
    choices.sort(key=lambda c: (c[0], c[1], [r.id for r in c[2]]))
    _, _, recs, unknown = choices[0]
    uniq = tuple({r.id: r for r in recs}.values())
    return Terms(key=key, info=info, records=uniq, unknown_parts=unknown)


# --------------------------------------------------------------------------------------------- lineage


@dataclass(frozen=True)
class Upstream:
    """An ancestor as seen from a node: the shortest path to it and the relations on the way."""

    key: str
    path: tuple[str, ...]  # node ... ancestor
    relations: tuple[Relation, ...]  # one per hop
    via_data: bool  # a dataset is on the path (training data, or data derived from data)

    @property
    def direct(self) -> bool:
        return len(self.relations) == 1

    def describe(self) -> str:
        """``its base X (adapter)`` / ``its ancestor X (via A → B)`` / ``its training data X``."""
        first = self.relations[0]
        if self.direct:
            what = {
                Relation.FINETUNE: "base model",
                Relation.ADAPTER: "base model",
                Relation.MERGE: "merge parent",
                Relation.QUANTIZED: "source model",
                Relation.TRAINED_ON: "training dataset",
                Relation.DERIVED: "source",
            }[first]
            return f"its {what} {self.key} ({first.value})"
        kind = "upstream dataset" if self.via_data else "ancestor"
        return f"its {kind} {self.key} (via {' → '.join(self.path)})"

    def evidence(self) -> Evidence:
        return Evidence(source="lineage", value=" -> ".join(self.path))


def _parents_index(graph: LineageGraph) -> dict[str, list[Edge]]:
    """child → its edges to parents, in a stable order (``graph.parents`` scans every edge per call)."""
    entry = _GRAPH_CACHE.get(id(graph))
    if entry is None or entry[0] is not graph or entry[1] != len(graph.edges):
        index: dict[str, list[Edge]] = {}
        for edge in graph.edges:
            index.setdefault(edge.child, []).append(edge)
        for edges in index.values():
            edges.sort(key=lambda e: (e.parent, e.relation.value))
        entry = (graph, len(graph.edges), index)
        _GRAPH_CACHE[id(graph)] = entry
        while len(_GRAPH_CACHE) > _CACHE_SIZE:
            _GRAPH_CACHE.popitem(last=False)
    return entry[2]


def upstream(graph: LineageGraph, key: str, stop: set[str] | None = None) -> Iterator[Upstream]:
    """Every ancestor of ``key``, nearest first, with its shortest path (breadth-first, cycle-safe).

    Nodes in ``stop`` are yielded but not walked past (a rule that reports the nearest offending
    ancestor does not also report what lies behind it).
    """
    parents = _parents_index(graph)
    seen = {key}
    frontier = [Upstream(key=key, path=(key,), relations=(), via_data=False)]
    while frontier:
        nxt: list[Upstream] = []
        for here in frontier:
            if stop and here.key in stop:
                continue
            for edge in parents.get(here.key, ()):
                if edge.parent in seen or edge.parent not in graph.nodes:
                    continue
                seen.add(edge.parent)
                parent = graph.nodes[edge.parent]
                up = Upstream(
                    key=edge.parent,
                    path=(*here.path, edge.parent),
                    relations=(*here.relations, edge.relation),
                    via_data=here.via_data
                    or edge.relation is Relation.TRAINED_ON
                    or parent.kind is NodeKind.DATASET,
                )
                nxt.append(up)
                yield up
        frontier = nxt


def data_severity(policy: Policy, default: Severity, via_data: bool) -> Severity | None:
    """The severity of a finding: the policy's dataset setting when training data causes it."""
    if not via_data:
        return default
    return policy.datasets.severity()


def node_names(node: GraphNode) -> list[str]:
    """The names a node is published under: its repo or folder name, and the card's model_name."""
    names: list[str] = []
    ref = node.ref
    base = (ref.local_path or ref.repo_id).rstrip("/\\")
    names.append(re.split(r"[/\\]", base)[-1])
    if node.record is not None:
        for key in ("model_name", "pretty_name"):
            value = node.record.card_data.get(key)
            if isinstance(value, str) and value.strip():
                names.append(value.strip())
        index = node.record.card_data.get("model-index")
        if isinstance(index, list) and index and isinstance(index[0], dict):
            value = index[0].get("name")
            if isinstance(value, str) and value.strip():
                names.append(value.strip())
    return list(dict.fromkeys(names))


@dataclass
class Once:
    """Remembers keys already reported, so that a rule reports each problem once per node."""

    seen: set[tuple[str, ...]] = field(default_factory=set)

    def first(self, *key: str) -> bool:
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


def license_evidence(terms: Terms) -> Evidence:
    return Evidence(source=f"license:{terms.key}", value=terms.label)
