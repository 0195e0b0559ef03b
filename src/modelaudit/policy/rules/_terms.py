"""What the license rules read: each node's license terms (license_db records) and its upstream paths.

A node's assessed license id may be a single id or an SPDX-style expression. ``AND`` binds every part,
so the terms are all of them; ``OR`` lets the licensee choose, so the terms are the least burdensome
alternative whose facts we know. Anything not in license_db leaves the terms incomplete, and the rules
stay silent on it (the license stage already reports unknown and missing licenses).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cached_property
from typing import Generic, TypeVar

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
# few most recent contexts / graphs / nodes.
_CACHE_SIZE = 4
T = TypeVar("T")


class Recent(Generic[T]):
    """Data made for each of the few most recent owners (contexts, graphs), remade when the owner's version
    changes. References are strong, so an id is never reused while cached."""

    def __init__(self) -> None:
        self._entries: OrderedDict[int, tuple[object, object, T]] = OrderedDict()

    def get(self, owner: object, make: Callable[[], T], version: object = None) -> T:
        entry = self._entries.get(id(owner))
        if entry is None or entry[0] is not owner or entry[1] != version:
            entry = (owner, version, make())
            self._entries[id(owner)] = entry
            while len(self._entries) > _CACHE_SIZE:
                self._entries.popitem(last=False)
        return entry[2]


_TERMS: Recent[dict[str, Terms]] = Recent()


def terms_of(key: str, ctx: RuleContext) -> Terms:
    """The license terms binding ``key`` (cached per rule context)."""
    cache = _TERMS.get(ctx, dict)
    cached = cache.get(key)
    if cached is None:
        cached = cache[key] = _terms_of(key, ctx)
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


@dataclass(frozen=True, eq=False)
class Upstream:
    """An ancestor as seen from a node: the shortest path to it and the relations on the way.

    Each ancestor links to the one before it on its path (``via``), so a walk shares path prefixes instead
    of copying them per ancestor; ``path`` and ``relations`` are spelled out only when a rule reads them.
    """

    key: str
    via_data: bool  # a dataset is on the path (training data, or data derived from data)
    relation: Relation | None = None  # of the last hop (None for the node the walk starts from)
    via: Upstream | None = field(default=None, repr=False)  # the previous step on the path
    hops: int = 0

    @property
    def direct(self) -> bool:
        return self.hops == 1

    def _steps(self) -> list[Upstream]:
        """The steps of the path, node first."""
        steps: list[Upstream] = []
        here: Upstream | None = self
        while here is not None:
            steps.append(here)
            here = here.via
        return steps[::-1]

    @cached_property
    def path(self) -> tuple[str, ...]:
        """node ... ancestor"""
        return tuple(step.key for step in self._steps())

    @cached_property
    def relations(self) -> tuple[Relation, ...]:
        """One per hop, nearest the node first."""
        return tuple(step.relation for step in self._steps() if step.relation is not None)

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


@dataclass
class _GraphMemo:
    parents: dict[str, list[Edge]]  # child → its edges to parents, in a stable order
    walks: OrderedDict[str, tuple[Upstream, ...]] = field(default_factory=OrderedDict)  # recent full walks


_GRAPHS: Recent[_GraphMemo] = Recent()


def _graph_memo(graph: LineageGraph) -> _GraphMemo:
    def make() -> _GraphMemo:
        index: dict[str, list[Edge]] = {}
        for edge in graph.edges:
            index.setdefault(edge.child, []).append(edge)
        for edges in index.values():
            edges.sort(key=lambda e: (e.parent, e.relation.value))
        return _GraphMemo(parents=index)

    return _GRAPHS.get(graph, make, version=(len(graph.edges), len(graph.nodes)))


def parents_of(graph: LineageGraph, key: str) -> list[Edge]:
    """``key``'s edges to its parents, sorted (``graph.parents`` scans every edge per call)."""
    return _graph_memo(graph).parents.get(key, [])


def upstream(graph: LineageGraph, key: str, stop: AbstractSet[str] | None = None) -> Iterator[Upstream]:
    """Every ancestor of ``key``, nearest first, with its shortest path (breadth-first, cycle-safe).

    Nodes in ``stop`` are yielded but not walked past (a rule that reports the nearest offending
    ancestor does not also report what lies behind it). The full walk (no ``stop``) of the few most
    recent nodes is kept, since every lineage rule asks for it.
    """
    if stop:
        return _walk(graph, key, stop)
    memo = _graph_memo(graph)
    walk = memo.walks.get(key)
    if walk is None:
        walk = memo.walks[key] = tuple(_walk(graph, key, None))
        while len(memo.walks) > _CACHE_SIZE:
            memo.walks.popitem(last=False)
    return iter(walk)


def _walk(graph: LineageGraph, key: str, stop: AbstractSet[str] | None) -> Iterator[Upstream]:
    parents = _graph_memo(graph).parents
    seen = {key}
    frontier = [Upstream(key=key, via_data=False)]
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
                    via_data=here.via_data
                    or edge.relation is Relation.TRAINED_ON
                    or parent.kind is NodeKind.DATASET,
                    relation=edge.relation,
                    via=here,
                    hops=here.hops + 1,
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
