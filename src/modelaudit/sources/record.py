"""Turn a repo's metadata files into a RepoRecord, with evidence for every fact.

Shared by every source: the Hub, the HF cache and local folders all hand over a file list and a way to
read small files; this module decides what the files say: the card's front matter, config.json,
adapter_config.json, mergekit configs, Hub tags, license files, and the metadata in weight headers (read by
:mod:`modelaudit.sources.weights`). Inputs are untrusted, so every reader is bounded (size caps, safe YAML,
node-count caps: :mod:`modelaudit.bounded`) and a malformed file is an ``InputError`` naming it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from modelaudit.bounded import (
    decode_text,
    jsonable,
    parse_front_matter,
    parse_json_object,
    parse_yaml_mapping,
)
from modelaudit.errors import InputError
from modelaudit.models import (
    Evidence,
    FileEntry,
    LicenseFile,
    ParentClaim,
    Relation,
    RepoKind,
    RepoRecord,
    RepoRef,
    SourceKind,
)
from modelaudit.sources.base import (
    MAX_LICENSE_TEXT_CHARS,
    MAX_SMALL_FILE_BYTES,
    clip,
    is_license_file,
    license_file_skip_reason,
)
from modelaudit.sources.weights import GGUF_HEADER_READ_BYTES, read_gguf_general, read_safetensors_metadata
from modelaudit.targets import hub_id_from

ReadSmall = Callable[[str], bytes | None]  # path → bytes, or None when absent / not fetched
ReadRange = Callable[[str, int, int], bytes]  # path, start, length → bytes

# Merge configs, read at the repo's top level. mergekit writes mergekit_config.yml (mergekit-yaml, its run_merge)
# and mergekit_moe_config.yml (mergekit-moe); its users save the same configs as mergekit_config.yaml,
# mergekit.yaml, merge_config.yaml, merge.yml, ... (tests/data/real/mergekit holds real ones). A file under a
# name of its own is always a merge config; one under a generic name counts when it reads as one.
MERGEKIT_NAMED = (
    "mergekit_config.yml",
    "mergekit_config.yaml",
    "mergekit_moe_config.yml",
    "mergekit_moe_config.yaml",
    "mergekit.yml",
    "mergekit.yaml",
)
MERGE_CONFIG_GENERIC = ("merge_config.yml", "merge_config.yaml", "merge.yml", "merge.yaml")
MERGEKIT_FILES = (*MERGEKIT_NAMED, *MERGE_CONFIG_GENERIC)
# keys of the arguments mlx-lm's trainer (mlx_lm.lora) saves as adapter_config.json, naming the base `model`
MLX_ADAPTER_KEYS = frozenset(
    {"fine_tune_type", "lora_parameters", "lora_layers", "num_layers", "adapter_path"}
)
RELATIONS_DECLARABLE = {"adapter", "merge", "quantized", "finetune"}


# --------------------------------------------------------------------------------------------- helpers


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


# --------------------------------------------------------------------------------------------- extractors


# front matter keys only dataset cards have (hub-docs datasetcard.md), and keys only model cards have
DATASET_CARD_KEYS = frozenset(
    {
        "task_categories",
        "task_ids",
        "source_datasets",
        "size_categories",
        "annotations_creators",
        "language_creators",
        "multilinguality",
        "dataset_info",
        "configs",
        "train-eval-index",
        "viewer",
    }
)
MODEL_CARD_KEYS = frozenset(
    {
        "base_model",
        "base_model_relation",
        "pipeline_tag",
        "library_name",
        "model-index",
        "model_name",
        "widget",
    }
)


def reads_as_dataset_card(card: dict[str, Any]) -> bool:
    """Whether a card's front matter is a dataset card's: a key only dataset cards use, none only model cards use.

    A folder has no repo type the way a Hub repo has; its card says which it is."""
    keys = set(card)
    return bool(keys & DATASET_CARD_KEYS) and not keys & MODEL_CARD_KEYS


def _license_evidence_from_card(card: dict[str, Any]) -> list[Evidence]:
    out = [Evidence(source="card:license", value=clip(v)) for v in as_list(card.get("license")) if v]
    if not out:  # dataset cards written before the Hub renamed the key (2022) still say ``licenses:``
        out = [Evidence(source="card:licenses", value=clip(v)) for v in as_list(card.get("licenses")) if v]
    for key in ("license_name", "license_link", "license_details"):
        for v in as_list(card.get(key)):
            if v:
                out.append(Evidence(source=f"card:{key}", value=clip(v)))
    return out


def _declared_relation(card: dict[str, Any]) -> Relation | None:
    value = card.get("base_model_relation")
    if isinstance(value, str) and value.strip().lower() in RELATIONS_DECLARABLE:
        return Relation(value.strip().lower())
    return None


def _parents_from_card(card: dict[str, Any], kind: RepoKind) -> list[ParentClaim]:
    claims: list[ParentClaim] = []
    relation = _declared_relation(card)
    for key in ("base_model", "finetuned_from"):
        for value in as_list(card.get(key)):
            if isinstance(value, str) and value.strip():
                claims.append(
                    ParentClaim(
                        target=value.strip(),
                        relation=relation,
                        evidence=Evidence(source=f"card:{key}", value=clip(value)),
                    )
                )
    for value in as_list(card.get("datasets")):
        if isinstance(value, str) and value.strip():
            claims.append(
                ParentClaim(
                    target=value.strip(),
                    kind=RepoKind.DATASET,
                    relation=Relation.TRAINED_ON,
                    evidence=Evidence(source="card:datasets", value=clip(value)),
                )
            )
    if kind is RepoKind.DATASET:
        for value in as_list(card.get("source_datasets")):
            if not isinstance(value, str):
                continue
            name = value.split("|", 1)[1] if value.startswith("extended|") else value
            if name in ("original", "extended") or not name.strip():
                continue
            # ``other-NAME`` (``extended|other-Common-Crawl``) names a source outside the Hub: it stays a claim
            # (never silently dropped) that the crawler reports instead of looking it up
            claims.append(
                ParentClaim(
                    target=name.strip(),
                    kind=RepoKind.DATASET,
                    relation=Relation.DERIVED,
                    evidence=Evidence(source="card:source_datasets", value=clip(value)),
                )
            )
    return claims


def _from_tags(tags: Iterable[str]) -> tuple[list[Evidence], list[ParentClaim]]:
    licenses: list[Evidence] = []
    parents: list[ParentClaim] = []
    plain_bases: list[str] = []
    related_bases: set[str] = set()
    for tag in tags:
        if not isinstance(tag, str):
            continue
        if tag.startswith("license:"):
            licenses.append(Evidence(source="tag:license", value=clip(tag[len("license:") :])))
        elif tag.startswith("base_model:"):
            rest = tag[len("base_model:") :]
            head, _, tail = rest.partition(":")
            if tail and head in RELATIONS_DECLARABLE:
                related_bases.add(tail)
                parents.append(
                    ParentClaim(
                        target=tail,
                        relation=Relation(head),
                        evidence=Evidence(source=f"tag:base_model:{head}", value=tail),
                    )
                )
            else:
                plain_bases.append(rest)
    for base in plain_bases:  # "base_model:X" without a relation, only when no relation tag names X
        if base not in related_bases:
            parents.append(ParentClaim(target=base, evidence=Evidence(source="tag:base_model", value=base)))
    return licenses, parents


def adapter_relation(cfg: dict[str, Any]) -> Relation:
    """How an adapter_config.json relates its repo to the base: an adapter, except for mlx-lm's full
    fine-tunes (``fine_tune_type: full``), which save the same file but hold the whole model."""
    return Relation.FINETUNE if cfg.get("fine_tune_type") == "full" else Relation.ADAPTER


def _from_adapter_config(cfg: dict[str, Any]) -> list[ParentClaim]:
    base = cfg.get("base_model_name_or_path")
    if not isinstance(base, str) or not base.strip():
        model = cfg.get("model")  # mlx-lm: the --model it was trained from (a Hub id or a local path)
        if isinstance(model, str) and model.strip() and MLX_ADAPTER_KEYS & set(cfg):
            return [
                ParentClaim(
                    target=model.strip(),
                    relation=adapter_relation(cfg),
                    evidence=Evidence(source="adapter_config.json:model", value=clip(model)),
                )
            ]
        return []
    revision = cfg.get("revision")
    target = (
        f"{base.strip()}@{revision}"
        if isinstance(revision, str) and revision and hub_id_from(base)
        else base.strip()
    )
    return [
        ParentClaim(
            target=target,
            relation=Relation.ADAPTER,
            evidence=Evidence(source="adapter_config.json:base_model_name_or_path", value=clip(base)),
        )
    ]


def _from_config(cfg: dict[str, Any]) -> list[ParentClaim]:
    name = cfg.get("_name_or_path")
    if isinstance(name, str) and name.strip() and hub_id_from(name) and "/" in name:
        # Weak: transformers writes whatever from_pretrained was given; often stale or a local path.
        return [
            ParentClaim(
                target=name.strip(),
                weak=True,
                evidence=Evidence(source="config.json:_name_or_path", value=clip(name)),
            )
        ]
    return []


def mergekit_model_refs(cfg: dict[str, Any]) -> list[str]:
    """Every model reference in a mergekit config (base_model, models, slices, modules), lora suffix dropped."""
    refs: list[str] = []

    def add(ref: Any) -> None:
        if isinstance(ref, dict):
            ref = ref.get("model")
        if isinstance(ref, str) and ref.strip():
            model = ref.split("+", 1)[0].strip()
            if model not in refs:
                refs.append(model)

    def walk(section: dict[str, Any]) -> None:
        add(section.get("base_model"))
        for entry in as_list(section.get("models")):
            if isinstance(entry, dict):
                add(entry.get("model"))
        for sl in as_list(section.get("slices")):
            if isinstance(sl, dict):
                add(sl.get("base_model"))
                for src in as_list(sl.get("sources")):
                    if isinstance(src, dict):
                        add(src.get("model"))

    walk(cfg)
    modules = cfg.get("modules")
    if isinstance(modules, dict):
        for module in modules.values():
            if isinstance(module, dict):
                walk(module)
    # MoE configs: base_model + experts[].source_model
    for expert in as_list(cfg.get("experts")):
        if isinstance(expert, dict):
            add(expert.get("source_model"))
    return refs


def is_merge_config(cfg: dict[str, Any]) -> bool:
    """Whether a YAML mapping reads as a mergekit config: a merge method (also per module), or MoE experts."""
    if "merge_method" in cfg or isinstance(cfg.get("experts"), list):
        return True
    modules = cfg.get("modules")
    return isinstance(modules, dict) and any(
        isinstance(m, dict) and "merge_method" in m for m in modules.values()
    )


def _from_mergekit(cfg: dict[str, Any], path: str) -> list[ParentClaim]:
    return [
        ParentClaim(
            target=ref, relation=Relation.MERGE, evidence=Evidence(source=f"{path}:models", value=clip(ref))
        )
        for ref in mergekit_model_refs(cfg)
    ]


def _from_gguf(path: str, meta: dict[str, Any]) -> tuple[list[Evidence], list[ParentClaim]]:
    licenses: list[Evidence] = []
    parents: list[ParentClaim] = []
    for key in ("general.license", "general.license.name", "general.license.link"):
        if isinstance(meta.get(key), str) and meta[key]:
            licenses.append(Evidence(source=f"gguf:{path}:{key}", value=clip(meta[key])))
    count = meta.get("general.base_model.count")
    for i in range(min(int(count), 64) if isinstance(count, int) else 0):
        url = meta.get(f"general.base_model.{i}.repo_url")
        found = hub_id_from(url) if isinstance(url, str) else None
        if found is None:  # fall back to organization/name, which gguf-py title-cases: weak
            org, name = (
                meta.get(f"general.base_model.{i}.organization"),
                meta.get(f"general.base_model.{i}.name"),
            )
            if isinstance(org, str) and isinstance(name, str):
                parents.append(
                    ParentClaim(
                        target=f"{org}/{name}".replace(" ", "-"),
                        weak=True,
                        evidence=Evidence(
                            source=f"gguf:{path}:general.base_model.{i}.name", value=clip(f"{org}/{name}")
                        ),
                    )
                )
            continue
        parents.append(
            ParentClaim(
                target=found[0],
                evidence=Evidence(source=f"gguf:{path}:general.base_model.{i}.repo_url", value=clip(url)),
            )
        )
    source_url = meta.get("general.source.repo_url")
    if isinstance(source_url, str) and (found := hub_id_from(source_url)):
        parents.append(
            ParentClaim(
                target=found[0],
                relation=Relation.QUANTIZED,
                evidence=Evidence(source=f"gguf:{path}:general.source.repo_url", value=clip(source_url)),
            )
        )
    dataset_urls: list[str] = []
    dcount = meta.get("general.dataset.count")
    for i in range(min(int(dcount), 256) if isinstance(dcount, int) else 0):
        url = meta.get(f"general.dataset.{i}.repo_url")
        if isinstance(url, str):
            dataset_urls.append(url)
    dataset_urls.extend(v for v in as_list(meta.get("general.datasets")) if isinstance(v, str))
    for url in dataset_urls:
        found = hub_id_from(url)
        if found:
            parents.append(
                ParentClaim(
                    target=found[0],
                    kind=RepoKind.DATASET,
                    relation=Relation.TRAINED_ON,
                    evidence=Evidence(source=f"gguf:{path}:general.dataset", value=clip(url)),
                )
            )
    return licenses, parents


# --------------------------------------------------------------------------------------------- record


def extract_record(
    ref: RepoRef,
    source: SourceKind,
    *,
    files: list[FileEntry],
    read_small: ReadSmall,
    read_range: ReadRange | None = None,
    card_data: dict[str, Any] | None = None,
    tags: list[str] | None = None,
    revision: str | None = None,
    gated: bool = False,
    private: bool = False,
    card_location: str | None = None,
    local_dir: str | None = None,
) -> RepoRecord:
    """Build a RepoRecord from what a source can read.

    ``card_data`` (already parsed front matter, e.g. the Hub's ``cardData``) spares a README download;
    without it README.md is read through ``read_small``. ``read_range`` enables safetensors and GGUF
    header reads; sources that must keep requests low pass None.
    """
    paths = {f.path for f in files}
    problems: list[Evidence] = []
    sizes = {f.path: f.size for f in files}

    def read_capped(path: str) -> bytes | None:
        """``read_small``, noting when a file was larger than what sources read of it (the cap)."""
        raw = read_small(path)
        size = sizes.get(path)
        if raw is not None and size is not None and size > len(raw) and len(raw) >= MAX_SMALL_FILE_BYTES:
            problems.append(
                Evidence(source=f"file:{path}", value=f"{size} bytes; only the first {len(raw)} were read")
            )
        return raw

    if card_data is None:
        raw = read_capped("README.md") if "README.md" in paths else None
        whole = raw is not None and len(raw) >= (sizes.get("README.md") or 0)  # else a problem says it was cut
        # parse_front_matter gives plain JSON data already
        card_data = parse_front_matter(decode_text(raw), card_location or "README.md", whole=whole) if raw else {}
    else:
        card_data = jsonable(card_data)
    assert isinstance(card_data, dict)
    if source is SourceKind.LOCAL and ref.kind is RepoKind.MODEL and reads_as_dataset_card(card_data):
        ref = ref.model_copy(
            update={"kind": RepoKind.DATASET}
        )  # a dataset folder: followed like a Hub dataset

    def small_json(name: str) -> dict[str, Any] | None:
        if name not in paths:
            return None
        raw = read_capped(name)
        return parse_json_object(raw, name) if raw is not None else None

    config = small_json("config.json")
    adapter_config = small_json("adapter_config.json")
    merge_configs: list[tuple[str, dict[str, Any]]] = []
    for name in MERGEKIT_FILES:
        raw = read_capped(name) if name in paths else None
        if raw is None:
            continue
        parsed = parse_yaml_mapping(decode_text(raw), name)
        if name in MERGEKIT_NAMED or is_merge_config(parsed):
            merge_configs.append((name, parsed))
    mergekit = merge_configs[0][1] if merge_configs else None

    license_evidence = _license_evidence_from_card(card_data)
    parents = _parents_from_card(card_data, ref.kind)
    tag_licenses, tag_parents = _from_tags(tags or [])
    license_evidence += tag_licenses
    parents += tag_parents
    if adapter_config:
        parents += _from_adapter_config(adapter_config)
    if config:
        parents += _from_config(config)
    for name, merge_config in merge_configs:
        parents += _from_mergekit(merge_config, name)

    license_files: list[LicenseFile] = []
    for path in sorted(p for p in paths if is_license_file(p)):
        why = license_file_skip_reason(path, sizes.get(path))
        if why is not None:
            problems.append(Evidence(source=f"file:{path}", value=f"license file not read: {why}"))
            continue
        raw = read_capped(path)
        if raw is None:
            continue
        if b"\0" in raw[:8192]:
            problems.append(Evidence(source=f"file:{path}", value="license file not read: not a text file"))
            continue
        text = decode_text(raw)
        license_files.append(
            LicenseFile(
                path=path, text=text[:MAX_LICENSE_TEXT_CHARS], truncated=len(text) > MAX_LICENSE_TEXT_CHARS
            )
        )

    safetensors_meta: dict[str, dict[str, str]] = {}
    gguf_meta: dict[str, dict[str, Any]] = {}
    if read_range is not None:
        for entry in files:
            try:
                if entry.path.endswith(".safetensors"):
                    meta = read_safetensors_metadata(partial(read_range, entry.path), entry.path)
                    if meta:
                        safetensors_meta[entry.path] = meta
                        for key, value in meta.items():
                            if "license" in key.lower():
                                license_evidence.append(
                                    Evidence(source=f"safetensors:{entry.path}:{key}", value=value)
                                )
                elif entry.path.endswith(".gguf"):
                    meta_g = read_gguf_general(read_range(entry.path, 0, GGUF_HEADER_READ_BYTES), entry.path)
                    gguf_meta[entry.path] = {k: jsonable(v) for k, v in meta_g.items()}
                    lic, par = _from_gguf(entry.path, meta_g)
                    license_evidence += lic
                    parents += par
            except InputError as exc:
                # A broken weight header is the verification stage's finding, not a reason to stop reading metadata.
                problems.append(Evidence(source=f"file:{entry.path}", value=clip(exc.problem)))

    return RepoRecord(
        ref=ref,
        source=source,
        revision=revision,
        gated=gated,
        private=private,
        tags=sorted({t for t in (tags or []) if isinstance(t, str)}),
        card_data=card_data,
        card_path=card_location,
        config=config,
        adapter_config=adapter_config,
        mergekit_config=mergekit,
        gguf_metadata=gguf_meta,
        safetensors_metadata=safetensors_meta,
        license_files=license_files,
        files=sorted(files, key=lambda f: f.path),
        license_evidence=license_evidence,
        parents=_dedupe(parents),
        problems=problems,
        local_dir=local_dir,
    )


def _dedupe(claims: list[ParentClaim]) -> list[ParentClaim]:
    seen: set[tuple[str, str, str]] = set()
    out: list[ParentClaim] = []
    for c in claims:
        key = (c.target, c.evidence.source, c.evidence.value)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out
