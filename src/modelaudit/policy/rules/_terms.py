"""What the license rules read: each node's license terms (license_db records) and its upstream paths.

A node's assessed license id may be a single id or an SPDX expression (parsed by license-expression). ``AND`` binds every part,
so the terms are all of them; ``OR`` lets the licensee choose, so the terms are the least burdensome
alternative whose facts we know. Anything not in license_db leaves the terms incomplete, and the rules
stay silent on it (the license stage already reports unknown and missing licenses).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from modelaudit.licenses.db import load_db
from modelaudit.licenses.schema import LicenseRecord, ShareAlike
from modelaudit.lineage.graph import GraphNode
from modelaudit.models import (
    CommercialUse,
    Evidence,
    LicenseCategory,
    LicenseInfo,
    NodeKind,
    Relation,
    Severity,
)
from modelaudit.policy.model import Policy
from modelaudit.policy.rules.base import RuleContext

_OPERATOR = re.compile(r"\s(AND|OR|WITH)\s|[()]", re.IGNORECASE)


# --------------------------------------------------------------------------------------------- expressions


@cache
def expression_alternatives(license_id: str) -> tuple[tuple[str, ...], ...] | None:
    """``"MIT OR (Apache-2.0 AND CC-BY-4.0)"`` → ``(("MIT",), ("Apache-2.0", "CC-BY-4.0"))``; None when malformed.

    Parsed by license-expression and put in disjunctive normal form (each alternative: licenses that all
    apply). An exception (``WITH``) only adds permissions, so it is dropped; ``GPL-2.0+`` counts as
    ``GPL-2.0``. Parsed once per distinct expression.
    """
    text = license_id.strip()
    if not _OPERATOR.search(f" {text} "):
        return ((text,),)
    from license_expression import ExpressionError, Licensing

    licensing = Licensing()
    try:
        parsed = licensing.parse(text)
    except ExpressionError:
        return None
    if parsed is None:
        return None
    dnf = licensing.dnf(parsed)
    alternatives = dnf.args if isinstance(dnf, licensing.OR) else (dnf,)
    out: list[tuple[str, ...]] = []
    for alt in alternatives:
        symbols = alt.args if isinstance(alt, licensing.AND) else (alt,)
        keys = [str(getattr(sym, "license_symbol", sym).key).removesuffix("+") for sym in symbols]
        out.append(tuple(keys))
    return tuple(out)


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


def terms_of(key: str, ctx: RuleContext) -> Terms:
    """The license terms binding ``key`` (made once per rule context)."""
    cache = ctx.terms_cache
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
    alternatives = expression_alternatives(info.id)
    if alternatives is None:  # malformed: the license stage reports it; the rules cannot judge it
        return Terms(key=key, info=info, unknown_parts=(info.id,))
    choices: list[tuple[int, int, tuple[LicenseRecord, ...], tuple[str, ...]]] = []
    for alt in alternatives:
        recs = tuple(r for r in (db.get(p) for p in alt) if r is not None)
        unknown = tuple(p for p in alt if db.get(p) is None)
        # prefer fully known alternatives, then the lightest burden
        choices.append((len(unknown), sum(burden(r) for r in recs), recs, unknown))
    choices.sort(key=lambda c: (c[0], c[1], [r.id for r in c[2]]))
    _, _, recs, unknown = choices[0]
    uniq = tuple({r.id: r for r in recs}.values())
    return Terms(key=key, info=info, records=uniq, unknown_parts=unknown)


# --------------------------------------------------------------------------------------------- lineage


_DESCRIBE = {
    Relation.FINETUNE: "base model",
    Relation.ADAPTER: "base model",
    Relation.MERGE: "merge parent",
    Relation.QUANTIZED: "source model",
    Relation.TRAINED_ON: "training dataset",
    Relation.DERIVED: "source",
}


@dataclass(frozen=True)
class Upstream:
    """An ancestor as seen from a node: one path to it and what lies on that path.

    ``order`` sorts the paths of a node the way a breadth-first walk over parents sorted by key would
    meet them: shorter first, then by the position of each hop among its node's sorted parents.
    """

    path: tuple[str, ...]  # node ... ancestor
    relations: tuple[Relation, ...]  # one per hop, nearest the node first
    seq: tuple[int, ...]  # position of each hop among the parents of the node it leaves
    via_data: bool  # a dataset is on the path (training data, or data derived from data)
    quantized: bool  # every hop is a quantization (a format change, not an adaptation)

    @property
    def key(self) -> str:
        return self.path[-1]

    @property
    def direct(self) -> bool:
        return len(self.relations) == 1

    @property
    def order(self) -> tuple[int, tuple[int, ...]]:
        return (len(self.seq), self.seq)

    def behind(self, node: str, relation: Relation, index: int, data_hop: bool) -> Upstream:
        """This path seen from ``node``, a child of its first node."""
        return Upstream(
            path=(node, *self.path),
            relations=(relation, *self.relations),
            seq=(index, *self.seq),
            via_data=data_hop or self.via_data,
            quantized=relation is Relation.QUANTIZED and self.quantized,
        )

    def describe(self) -> str:
        """``its base X (adapter)`` / ``its ancestor X (via A → B)`` / ``its training data X``."""
        first = self.relations[0]
        if self.direct:
            return f"its {_DESCRIBE[first]} {self.key} ({first.value})"
        kind = "upstream dataset" if self.via_data else "ancestor"
        return f"its {kind} {self.key} (via {' → '.join(self.path)})"

    def evidence(self) -> Evidence:
        return Evidence(source="lineage", value=" -> ".join(self.path))


@dataclass(frozen=True)
class NodeFacts:
    """What a node's ancestors bring, computed for every node in one pass over the graph.

    ``records``: per license record id found up the lineage, the nearest paths to an ancestor under it,
    nearest first; for each kind of path (through data or not, all quantizations or not) the nearest
    paths to ancestors of two different organisations are kept, which is all a rule needs to find the
    first path that it counts. ``noncommercial``: each non-commercial ancestor not hidden behind another
    one, with its nearest path (and its nearest path not through data, when that differs).
    """

    records: dict[str, tuple[Upstream, ...]] = field(default_factory=dict)
    noncommercial: dict[str, tuple[Upstream, ...]] = field(default_factory=dict)
    multimodal: bool | None = None


_NO_FACTS = NodeFacts()  # a parent not computed yet (inside a cycle); never changed


def _trim_records(routes: list[Upstream], org: Callable[[str], str | None]) -> tuple[Upstream, ...]:
    if len(routes) == 1:  # the common case (one parent under the license): a lone path is always kept
        return (routes[0],)
    kept: list[Upstream] = []
    orgs: dict[tuple[bool, bool], list[str | None]] = {}
    for up in sorted(routes, key=lambda u: u.order):
        seen = orgs.setdefault((up.via_data, up.quantized), [])
        o = org(up.key)
        if o in seen:
            continue
        if len(seen) < 2:
            seen.append(o)
            kept.append(up)
    return tuple(kept)


def _trim_frontier(routes: list[Upstream]) -> tuple[Upstream, ...]:
    if len(routes) == 1:
        return (routes[0],)
    best = sorted(routes, key=lambda u: u.order)[:1]
    direct = next((u for u in sorted(routes, key=lambda u: u.order) if not u.via_data), None)
    if direct is not None and best and direct is not best[0]:
        best.append(direct)
    return tuple(best)


def _own_multimodal(node: GraphNode) -> bool | None:
    """Whether a node's own metadata says it is a multimodal (vision) model; None when nothing says."""
    record = node.record
    if record is None:
        return None
    config = record.config or {}
    model_type = str(config.get("model_type", "")).lower()
    archs = " ".join(str(a) for a in config.get("architectures") or [] if isinstance(a, str))
    task = record.card_data.get("pipeline_tag")
    tags = {t.lower() for t in record.tags}
    if (
        model_type in _MULTIMODAL_TYPES
        or "vision_config" in config
        or "Vision" in archs
        or "Mllama" in archs
        or (isinstance(task, str) and task in _MULTIMODAL_TASKS)
        or tags & (_MULTIMODAL_TASKS | {"multimodal", "vision"})
    ):
        return True
    if config or isinstance(task, str):
        return False
    return None


_MULTIMODAL_TYPES = frozenset(
    {"mllama", "llama4", "llava", "llava_next", "idefics2", "idefics3", "paligemma", "gemma3"}
)
_MULTIMODAL_TASKS = frozenset(
    {"image-text-to-text", "visual-question-answering", "image-to-text", "any-to-any", "video-text-to-text"}
)
# an adapter, a quantized copy or a fine-tune is as multimodal as the model it comes from
_SAME_MODALITY = (Relation.ADAPTER, Relation.QUANTIZED, Relation.FINETUNE)


def forbids_commerce(terms: Terms) -> str | None:
    """Why a node's license rules out commercial use, or None when it does not."""
    for rec in terms.records:
        if rec.obligations.research_only:
            return f"the {display_name(rec)} permits research use only"
        if rec.commercial_use is CommercialUse.NO:
            note = rec.commercial_condition or ""
            return f"the {display_name(rec)} forbids commercial use" + (f" ({note})" if note else "")
    if not terms.records and terms.commercial_use is CommercialUse.NO:
        return f"{terms.label} forbids commercial use"
    return None


def display_name(rec: LicenseRecord) -> str:
    return rec.display_name if rec.display_name == rec.id else f"{rec.display_name} ({rec.id})"


def namespace(node: GraphNode) -> str | None:
    """The Hub organisation of a node (``org/name`` → ``org``); None for local folders and bare names."""
    if node.ref.local_path:
        return None
    parts = node.ref.repo_id.split("/")
    return parts[0] if len(parts) == 2 else None


def upstream_facts(ctx: RuleContext) -> dict[str, NodeFacts]:
    """Every node's ``NodeFacts``, in one pass over the graph's components, ancestors first.

    A node's facts are its parents' facts, each path extended by one hop: linear in the size of the graph
    for the lineages met in practice (the paths kept per node are bounded). The members of a cycle are
    relaxed together until nothing changes.
    """
    graph = ctx.graph
    nodes = graph.nodes
    reasons = {k: r for k in nodes if (r := forbids_commerce(terms_of(k, ctx)))}
    orgs = {k: namespace(n) for k, n in nodes.items()}
    facts: dict[str, NodeFacts] = {}

    def org(key: str) -> str | None:
        return orgs.get(key)

    def compute(key: str) -> NodeFacts:
        records: dict[str, list[Upstream]] = {}
        frontier: dict[str, list[Upstream]] = {}
        multimodal = _own_multimodal(nodes[key])
        declared = graph.parents(key)
        edges = [e for e in declared if e.parent in nodes]
        if len(edges) > 1:
            edges.sort(key=lambda e: (e.parent, e.relation.value))
        for index, edge in enumerate(edges):
            parent = nodes[edge.parent]
            data_hop = edge.relation is Relation.TRAINED_ON or parent.kind is NodeKind.DATASET
            hop = Upstream(
                path=(key, edge.parent),
                relations=(edge.relation,),
                seq=(index,),
                via_data=data_hop,
                quantized=edge.relation is Relation.QUANTIZED,
            )
            theirs = facts.get(edge.parent) or _NO_FACTS
            if edge.parent != key:
                for rec in terms_of(edge.parent, ctx).records:
                    records.setdefault(rec.id, []).append(hop)
            for rec_id, ups in theirs.records.items():
                for up in ups:
                    if up.key != key:
                        records.setdefault(rec_id, []).append(up.behind(key, edge.relation, index, data_hop))
            if edge.parent in reasons:
                if edge.parent != key:
                    frontier.setdefault(edge.parent, []).append(hop)
            else:
                for anc, ups in theirs.noncommercial.items():
                    for up in ups:
                        if anc != key:
                            frontier.setdefault(anc, []).append(up.behind(key, edge.relation, index, data_hop))
        if multimodal is None:
            for edge in declared:  # declaration order: the first base that says decides
                parent_facts = facts.get(edge.parent)
                if (
                    edge.relation in _SAME_MODALITY
                    and parent_facts is not None
                    and parent_facts.multimodal is not None
                ):
                    multimodal = parent_facts.multimodal
                    break
        return NodeFacts(
            records={k: _trim_records(v, org) for k, v in records.items()},
            noncommercial={k: _trim_frontier(v) for k, v in frontier.items()},
            multimodal=multimodal,
        )

    for component in graph.components:
        members = [k for k in component if k in nodes]
        if len(component) == 1 and not any(e.parent == component[0] for e in graph.parents(component[0])):
            for key in members:
                facts[key] = compute(key)
            continue
        for _ in range(len(members) + 1):  # a cycle: relax until stable
            changed = False
            for key in members:
                new = compute(key)
                if facts.get(key) != new:
                    facts[key] = new
                    changed = True
            if not changed:
                break
    return facts


def direct_routes(key: str, ctx: RuleContext) -> list[Upstream]:
    """The one-hop paths from ``key`` to each of its parents, parents sorted by key."""
    nodes = ctx.graph.nodes
    edges = sorted(
        (e for e in ctx.graph.parents(key) if e.parent in nodes and e.parent != key),
        key=lambda e: (e.parent, e.relation.value),
    )
    return [
        Upstream(
            path=(key, e.parent),
            relations=(e.relation,),
            seq=(i,),
            via_data=e.relation is Relation.TRAINED_ON or nodes[e.parent].kind is NodeKind.DATASET,
            quantized=e.relation is Relation.QUANTIZED,
        )
        for i, e in enumerate(edges)
    ]


def facts_of(key: str, ctx: RuleContext) -> NodeFacts:
    return ctx.upstream_facts.get(key, NodeFacts())


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


def license_evidence(terms: Terms) -> Evidence:
    return Evidence(source=f"license:{terms.key}", value=terms.label)
