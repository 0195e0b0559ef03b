"""How an edge's relation is decided, strongest evidence first.

Every claim a child makes about one parent (card, tags, files) is grouped into a single edge; the edge's
relation comes from the first rule that applies:

1. an explicit card ``base_model_relation`` (or the card's ``datasets:`` list → ``trained_on``);
2. a Hub tag ``base_model:<relation>:<id>`` naming that parent (the Hub's own inference);
3. a file that names the parent and implies the relation: adapter_config.json → ``adapter``,
   a mergekit config → ``merge``, GGUF ``general.source.repo_url`` → ``quantized``;
4. a dataset parent → ``trained_on`` (from a model) or ``derived`` (from a dataset);
5. file evidence on the child: adapter_config.json → ``adapter`` (``finetune`` for an mlx-lm full fine-tune); GGUF weights or a
   ``quantization_config`` → ``quantized``; several declared bases or a mergekit config → ``merge``;
6. otherwise ``finetune``.

Conflicting *bases* (the card names one, adapter_config.json another) are not resolved here: each
parent keeps its own edge and the ``lineage-mismatch`` rule reports the disagreement.
"""

from __future__ import annotations

from collections.abc import Sequence

from modelaudit.models import ParentClaim, Relation, RepoKind, RepoRecord
from modelaudit.sources.record import adapter_relation

_CARD_PREFIXES = ("card:",)
_TAG_PREFIXES = ("tag:",)


def _explicit(claims: Sequence[ParentClaim], prefixes: tuple[str, ...]) -> Relation | None:
    for claim in claims:
        if claim.relation is not None and claim.evidence.source.startswith(prefixes):
            return claim.relation
    return None


def child_relation(child: RepoRecord) -> Relation:
    """What the child's own files say about how it derives from a model base (rule 5, else finetune)."""
    if child.adapter_config is not None:
        return adapter_relation(child.adapter_config)
    if any(f.path.endswith(".gguf") for f in child.files) or child.gguf_metadata:
        return Relation.QUANTIZED
    if isinstance(child.config, dict) and isinstance(child.config.get("quantization_config"), dict):
        return Relation.QUANTIZED
    model_bases = {c.target for c in child.parents if c.kind is RepoKind.MODEL and not c.weak}
    if child.mergekit_config is not None or len(model_bases) > 1:
        return Relation.MERGE
    return Relation.FINETUNE


def choose_relation(claims: Sequence[ParentClaim], child: RepoRecord) -> Relation:
    """The relation of the edge from ``child`` to the parent that all of ``claims`` name."""
    found = _explicit(claims, _CARD_PREFIXES) or _explicit(claims, _TAG_PREFIXES)
    if found is not None:
        return found
    for claim in claims:
        if claim.relation is not None:
            return claim.relation
    if any(c.kind is RepoKind.DATASET for c in claims):
        return Relation.TRAINED_ON if child.ref.kind is RepoKind.MODEL else Relation.DERIVED
    return child_relation(child)
