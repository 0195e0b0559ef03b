"""Weight fingerprints during a scan: do the weights back the lineage the cards declare?

``check_lineage`` is the scan pipeline's fingerprint stage. Bounded work: it fingerprints at most the target
and its direct model parents (never grandparents), reading safetensors headers and sampled byte ranges only
(``SourceSet.read_range``: positioned reads for folders and the HF cache, HTTP range requests on the Hub; no
whole file is downloaded). Then:

* every target → parent edge of relation finetune, merge or quantized whose both sides could be fingerprinted
  is compared (:func:`modelaudit.verify.fingerprint.compare`); the result is appended to the edge as
  ``fingerprint`` evidence (agreeing or not: conflicting evidence is kept) and weights that contradict the
  declared base become ``declared-base-unsupported`` (MA304): error when the aligned tensors are
  uncorrelated; warning when a fine-tune shares no tensor of the same name and shape with its base (merges
  and quantized derivatives may change the layout for legitimate reasons, so for them it is evidence only);
* an adapter (LoRA tensors) is checked for shape compatibility with its base: against the base's tensor
  shapes when its weights are reachable (error on a misfit), else against the dimensions of the base's
  config.json (warning on a misfit: a config says less than the tensors);
* with a fingerprint index (:mod:`modelaudit.verify.index`), the target's weights are compared with every
  indexed model; a match that the lineage does not declare is ``undeclared-base`` (MA305). Declared means
  every ancestor in the lineage, by node id, Hub id or folder name, plus indexed models whose weights match
  a fingerprinted declared parent's (the same base under another name).

Models whose weights cannot be reached (unresolved, gated, not downloaded, no safetensors, unreadable) are
skipped with a note; they never fail the scan from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from modelaudit.errors import ModelAuditError
from modelaudit.models import (
    Edge,
    Evidence,
    Finding,
    FingerprintSummary,
    JSONValue,
    NodeKind,
    Relation,
    RepoRecord,
    Severity,
    SourceKind,
)
from modelaudit.verify._findings import finding
from modelaudit.verify.fingerprint import (
    WeightFingerprint,
    check_adapter,
    check_declared_base,
    compare,
    edge_evidence,
    fingerprint_remote,
)

if TYPE_CHECKING:
    from modelaudit.cachefile import Cache
    from modelaudit.lineage.graph import GraphNode, LineageGraph
    from modelaudit.sources import SourceSet
    from modelaudit.verify.index import FingerprintIndex

CHECKED_RELATIONS = frozenset({Relation.FINETUNE, Relation.ADAPTER, Relation.MERGE, Relation.QUANTIZED})
LAYOUT_MAY_CHANGE = frozenset({Relation.MERGE, Relation.QUANTIZED})  # "incompatible" is not a finding
HUB_WORKERS = 8
LORA_MARKERS = (".lora_A.", ".lora_B.")


@dataclass
class LineageCheck:
    """What the fingerprint stage established."""

    fingerprints: dict[str, FingerprintSummary] = field(default_factory=dict)  # node key → summary
    edges: list[Edge] = field(default_factory=list)  # the graph's edges, fingerprint evidence appended
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what could not be checked, for progress lines


def _safetensors(record: RepoRecord) -> list[str]:
    return [f.path for f in record.files if f.path.lower().endswith(".safetensors")]


def fingerprint_record(
    record: RepoRecord, sources: SourceSet, cache: Cache | None = None
) -> tuple[WeightFingerprint | None, str]:
    """(fingerprint, "") or (None, why not): range reads only, through the record's own source."""
    weights = _safetensors(record)
    if not weights:
        return None, "no safetensors weights"
    if record.source is SourceKind.HUB and sources.offline:  # e.g. a record from the stale metadata cache
        return None, "offline"
    if record.source is SourceKind.CACHE:
        folder = Path(record.local_dir) if record.local_dir else None
        if folder is None or not all((folder / p).is_file() for p in weights):
            return None, "weights not downloaded to the HF cache"

    def read_range(path: str, start: int, length: int) -> bytes:
        return sources.read_range(record, path, start, length)

    workers = HUB_WORKERS if record.source is SourceKind.HUB else 1
    try:
        return fingerprint_remote(read_range, record.files, workers=workers, cache=cache), ""
    except (ModelAuditError, OSError) as exc:
        return None, str(exc)[:300]


def _is_adapter(fp: WeightFingerprint) -> bool:
    return any(any(m in t.name for m in LORA_MARKERS) for t in fp.tensors)


def _lora_count(fp: WeightFingerprint) -> int:
    return sum(1 for t in fp.tensors if any(m in t.name for m in LORA_MARKERS) and len(t.shape) == 2)


# ------------------------------------------------------------------------------------- adapter vs config

_HIDDEN = ("hidden_size", "n_embd", "d_model", "dim", "model_dim")
_INTERMEDIATE = (
    "intermediate_size",
    "n_inner",
    "ffn_dim",
    "hidden_dim",
    "ffn_hidden_size",
    "moe_intermediate_size",
    "shared_expert_intermediate_size",
    "encoder_ffn_dim",
    "decoder_ffn_dim",
)
_HEADS = ("num_attention_heads", "n_head", "num_heads", "n_heads")
_KV_HEADS = ("num_key_value_heads", "n_kv_heads", "num_kv_heads", "multi_query_group_num")


def _int(cfg: dict[str, JSONValue], names: Iterable[str]) -> int | None:
    for name in names:
        value = cfg.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 1 << 24:
            return value
    return None


def _config_dims(cfg: dict[str, JSONValue], depth: int = 0) -> set[int]:
    """Every width a linear layer of this config may have (hidden, MLP, attention, fused, vocabulary)."""
    dims: set[int] = set()
    hidden = _int(cfg, _HIDDEN)
    if hidden is not None:
        dims |= {hidden, 2 * hidden, 3 * hidden, 4 * hidden}
        heads = _int(cfg, _HEADS)
        head_dim = _int(cfg, ("head_dim", "kv_channels", "d_kv"))
        if heads:
            head_dim = head_dim or hidden // heads
            kv = _int(cfg, _KV_HEADS) or heads
            q, k = heads * head_dim, kv * head_dim
            dims |= {q, k, q + 2 * k, 2 * k}
    for name in _INTERMEDIATE:
        inter = _int(cfg, (name,))
        if inter is not None:
            dims |= {inter, 2 * inter}
    vocab = _int(cfg, ("vocab_size", "padded_vocab_size"))
    if vocab is not None:
        dims.add(vocab)
    if depth < 2:  # multimodal configs nest text_config, vision_config, ...
        for key, value in cfg.items():
            if key.endswith("_config") and isinstance(value, dict):
                dims |= _config_dims(value, depth + 1)
    return dims


def adapter_config_problems(adapter: WeightFingerprint, config: dict[str, JSONValue]) -> list[str]:
    """LoRA widths that match no dimension of the base's config.json (empty when the config says too little)."""
    dims = _config_dims(config)
    if _int(config, _HIDDEN) is None and not dims:
        return []
    problems: list[str] = []
    for t in adapter.tensors:
        if len(t.shape) != 2:
            continue
        for part, axis, what in ((".lora_A.", 1, "in_features"), (".lora_B.", 0, "out_features")):
            if part in t.name and t.shape[axis] not in dims:
                problems.append(f"{t.name}: {what} {t.shape[axis]} matches no width of the base's config")
    return problems


# ------------------------------------------------------------------------------------- the stage


def _aliases(node: GraphNode) -> set[str]:
    """Names a node goes by: node id, Hub id (with and without revision), display path, folder name."""
    ref = node.ref
    names = {node.key, ref.key, ref.repo_id, ref.display()}
    if ref.local_path:
        names.add(Path(ref.local_path).name)
    return {n for n in names if n}


def _declared(graph: LineageGraph, key: str) -> set[str]:
    names = _aliases(graph.nodes[key])
    for ancestor in graph.ancestors(key):
        node = graph.nodes.get(ancestor)
        if node is not None:
            names |= _aliases(node)
            if node.record is not None:  # a lineage further up than the crawl went is declared too
                names |= {c.target for c in node.record.parents}
    record = graph.nodes[key].record
    if record is not None:
        names |= {c.target for c in record.parents}
    return names


def _edge_check(
    edge: Edge,
    child_fp: WeightFingerprint,
    parent_fp: WeightFingerprint | None,
    parent: GraphNode,
    out: LineageCheck,
    cache: Cache | None = None,
) -> list[Evidence]:
    """Findings into ``out``; evidence for the edge returned."""
    if _is_adapter(child_fp):
        if parent_fp is not None:
            problem = check_adapter(edge.child, edge.parent, child_fp, parent_fp)
            if problem is not None:
                out.findings.append(problem)
                return [Evidence(source="fingerprint", value=f"adapter does not fit {edge.parent}'s weights")]
            n = _lora_count(child_fp)
            fits = f"adapter: {n} LoRA tensors fit {edge.parent}'s weights"
            return [Evidence(source="fingerprint", value=fits)] if n else []
        config = parent.record.config if parent.record is not None else None
        if not config:
            return []
        problems = adapter_config_problems(child_fp, config)
        if problems:
            out.findings.append(
                finding(
                    "declared-base-unsupported",
                    Severity.WARNING,
                    edge.child,
                    f"adapter {edge.child} does not fit the config of its declared base {edge.parent}: "
                    + problems[0]
                    + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""),
                    [Evidence(source="adapter-config", value=p) for p in problems[:20]],
                )
            )
            return [Evidence(source="adapter-config", value=f"adapter does not fit {edge.parent}'s config")]
        n = _lora_count(child_fp)
        fits = f"adapter: {n} LoRA tensors fit {edge.parent}'s config"
        return [Evidence(source="adapter-config", value=fits)] if n else []
    if parent_fp is None:
        return []
    sim = compare(child_fp, parent_fp, cache=cache)
    if not (sim.verdict == "incompatible" and edge.relation in LAYOUT_MAY_CHANGE):
        problem = check_declared_base(edge.child, edge.parent, sim)
        if problem is not None:
            out.findings.append(problem)
    return [edge_evidence(sim)]


def check_lineage(
    graph: LineageGraph,
    sources: SourceSet,
    *,
    index: FingerprintIndex | None = None,
    say: Callable[[str], None] | None = None,
    cache: Cache | None = None,
) -> LineageCheck:
    """Fingerprint the target and its direct model parents; check the edges between them and the index.
    ``cache`` keeps sample plans and comparisons (default: modelaudit's cache; ``Cache.off()`` for none)."""
    note = say or (lambda _msg: None)
    out = LineageCheck(edges=list(graph.edges))
    root = graph.nodes[graph.root]
    if root.kind is NodeKind.DATASET or root.record is None:
        return out
    prints: dict[str, WeightFingerprint] = {}

    def get(node: GraphNode) -> WeightFingerprint | None:
        if node.key in prints:
            return prints[node.key]
        if node.record is None:
            return None
        fp, why = fingerprint_record(node.record, sources, cache)
        if fp is None:
            out.notes.append(f"{node.key}: not fingerprinted ({why})")
            note(out.notes[-1])
            return None
        prints[node.key] = fp
        out.fingerprints[node.key] = fp.summary()
        return fp

    target_fp = get(root)
    for i, edge in enumerate(out.edges):
        if edge.child != graph.root or edge.relation not in CHECKED_RELATIONS:
            continue
        parent = graph.nodes.get(edge.parent)
        if parent is None or parent.kind is NodeKind.DATASET or parent.record is None or target_fp is None:
            continue
        parent_fp = get(parent)
        evidence = _edge_check(edge, target_fp, parent_fp, parent, out, cache)
        if evidence:
            out.edges[i] = edge.model_copy(update={"evidence": [*edge.evidence, *evidence]})

    if index is not None and index.models and target_fp is not None and not _is_adapter(target_fp):
        declared = {d.lower() for d in _declared(graph, graph.root)}
        for (
            entry
        ) in index.models:  # an indexed model that matches a fingerprinted declared parent is declared
            if entry.id.lower() in declared:
                continue
            for key, fp in prints.items():
                if key != graph.root and compare(fp, entry.fingerprint, cache=cache).verdict == "same-lineage":
                    declared.add(entry.id.lower())
                    break
        out.findings += index.undeclared_bases(graph.root, target_fp, declared, cache=cache)
    return out
