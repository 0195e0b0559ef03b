"""The Rule protocol and the context every rule reads. Rules are pure: they yield findings, never raise.

A rule's id, slug, words and default severity come from the rule catalog (``modelaudit/catalog.py``): a
rule class names its id (``class X(CatalogRule, rule_id="MA201")``) and gets the rest from there.
"""


from collections.abc import Iterator
from functools import cached_property
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel, ConfigDict, Field

from modelaudit.cachefile import Cache
from modelaudit.catalog import CATALOG, RuleSpec, make_finding
from modelaudit.licenses.db import LicenseDB, load_db
from modelaudit.lineage.graph import GraphNode, LineageGraph
from modelaudit.models import (
    FileResult,
    Finding,
    LicenseInfo,
    Obligation,
    Severity,
    SignatureInfo,
    SmokeResult,
)
from modelaudit.policy.model import Policy
from modelaudit.policy.rules.terms import Terms, terms_for
from modelaudit.policy.rules.upstream import NO_FACTS, NodeFacts, upstream_facts


class RuleContext(BaseModel):
    """Everything the stages before the policy established, keyed by node id."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    graph: LineageGraph
    policy: Policy
    licenses: dict[str, LicenseInfo] = Field(default_factory=dict)
    files: dict[str, list[FileResult]] = Field(default_factory=dict)
    smoke: dict[str, SmokeResult] = Field(default_factory=dict)
    signatures: dict[str, SignatureInfo] = Field(default_factory=dict)  # nodes that ship a model signature
    # modelaudit's cache for the obligation checks' text identifications (Cache.off() under --no-cache; None:
    # the default cache)
    cache: Cache | None = None
    check_obligations: bool = True  # False: obligations are listed unchecked (MODELAUDIT_OBLIGATIONS=0)
    # every obligation of every node checked against its files: set by ``policy.obligations.checked`` (the
    # engine calls it before the rules run); None until then
    obligations: list[Obligation] | None = None

    @cached_property
    def terms_cache(self) -> dict[str, Terms]:
        """Each node's license terms, made on first use (:meth:`terms`).

        A cached property, not a private attribute: pydantic serves private attributes through
        ``__getattr__``, which cost ~7 µs per look-up, and the rules look terms up ~8 per node.
        """
        return {}

    def terms(self, key: str) -> Terms:
        """The license terms binding node ``key`` (made once per rule context)."""
        cache = self.terms_cache
        found = cache.get(key)
        if found is None:
            found = cache[key] = terms_for(key, self.licenses.get(key))
        return found

    @cached_property
    def db(self) -> LicenseDB:
        """The license database, looked up once per rule context rather than once per node and rule."""
        return load_db()

    @cached_property
    def upstream_facts(self) -> dict[str, NodeFacts]:
        """What each node's ancestors bring, computed once for the whole graph (``upstream.upstream_facts``)."""
        return upstream_facts(self.graph, self.terms)

    def facts(self, key: str) -> NodeFacts:
        """What the ancestors of node ``key`` bring (empty facts for a key outside the graph)."""
        return self.upstream_facts.get(key, NO_FACTS)


class Rule(Protocol):
    spec: ClassVar[RuleSpec]
    id: ClassVar[str]  # stable, e.g. "MA001"
    name: ClassVar[str]  # stable slug from DESIGN's contract, e.g. "lineage-unresolved"
    summary: ClassVar[str]
    how_to_fix: ClassVar[str]
    default_severity: ClassVar[Severity]

    def check(self, node: GraphNode, ctx: RuleContext) -> Iterator[Finding]: ...


class CatalogRule:
    """Base of the registered rules: the class attributes are the catalog entry of ``rule_id``."""

    spec: ClassVar[RuleSpec]
    id: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    how_to_fix: ClassVar[str]
    default_severity: ClassVar[Severity]

    def __init_subclass__(cls, *, rule_id: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        spec = CATALOG[rule_id]
        cls.spec = spec
        cls.id = spec.id
        cls.name = spec.slug
        cls.summary = spec.summary
        cls.how_to_fix = spec.how_to_fix
        cls.default_severity = spec.default_severity


__all__ = ["CatalogRule", "Rule", "RuleContext", "make_finding"]
