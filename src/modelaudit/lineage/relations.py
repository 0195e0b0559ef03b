"""How an edge's relation is decided, strongest evidence first.

1. an explicit relation in the claim (card ``base_model_relation``, Hub ``base_model:<relation>:`` tag,
   adapter_config.json → adapter, mergekit config → merge, GGUF conversion source → quantized);
2. file evidence on the child: adapter_config.json → adapter; GGUF weights or a ``quantization_config``
   → quantized; several declared bases or a mergekit config → merge;
3. otherwise finetune (and ``derived`` for dataset-to-dataset claims without a relation).
"""

from __future__ import annotations

from modelaudit.models import ParentClaim, Relation, RepoKind, RepoRecord


def infer_relation(claim: ParentClaim, child: RepoRecord) -> Relation:
    if claim.relation is not None:
        return claim.relation
    if claim.kind is RepoKind.DATASET:
        return Relation.TRAINED_ON if child.ref.kind is RepoKind.MODEL else Relation.DERIVED
    if child.adapter_config is not None:
        return Relation.ADAPTER
    if any(f.path.endswith(".gguf") for f in child.files) or (
        isinstance(child.config, dict) and isinstance(child.config.get("quantization_config"), dict)
    ):
        return Relation.QUANTIZED
    model_bases = {c.target for c in child.parents if c.kind is RepoKind.MODEL and not c.weak}
    if child.mergekit_config is not None or len(model_bases) > 1:
        return Relation.MERGE
    return Relation.FINETUNE
