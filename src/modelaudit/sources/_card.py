"""Turn a repo's metadata files into a RepoRecord, with evidence for every fact.

Shared by every source: the Hub, the HF cache and local folders all hand over a file list and a way to
read small files; this module decides what the files say. Inputs are untrusted, so every reader is
bounded (size caps, safe YAML, node-count caps) and a malformed file is an ``InputError`` naming it.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
from collections.abc import Callable, Iterable
from functools import cache, partial
from pathlib import Path
from typing import Any

from huggingface_hub.constants import REPO_ID_SEPARATOR

from modelaudit.errors import InputError
from modelaudit.gguf_kv import Cursor, GGUFFormatError, iter_kv
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
    is_license_file,
    license_file_skip_reason,
)

ReadSmall = Callable[[str], bytes | None]  # path → bytes, or None when absent / not fetched
ReadRange = Callable[[str, int, int], bytes]  # path, start, length → bytes

MAX_YAML_NODES = 50_000  # a card's front matter is a few hundred nodes; aliases can multiply them
MAX_VALUE_CHARS = 2_000  # evidence values are truncated to this
MAX_YAML_CHARS = 1_000_000  # front matter, mergekit configs, policies: real ones are a few KB
GGUF_HEADER_READ_BYTES = 8 * 1024 * 1024  # general.* keys sit at the start; tokenizer arrays may follow
MERGEKIT_FILES = ("mergekit_config.yml", "mergekit_moe_config.yml")
RELATIONS_DECLARABLE = {"adapter", "merge", "quantized", "finetune"}

# Front matter as huggingface_hub finds it: a leading '---' line, YAML, then a closing '---' line.
_FRONT_MATTER = re.compile(r"^(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)---[ \t]*(?:\r\n|\n|$))")
_HUB_ID = re.compile(r"^(?!.*(--|\.\.))[A-Za-z0-9][A-Za-z0-9_.-]{0,95}(/[A-Za-z0-9][A-Za-z0-9_.-]{0,95})?$")
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
_REVISION = re.compile(r"^[0-9a-f]{40}$")  # cache snapshot folders are named by commit
_HUB_URL = re.compile(
    r"^https?://(?:www\.)?(?:huggingface\.co|hf\.co)/(?P<datasets>datasets/)?(?P<id>[^/\s?#]+(?:/[^/\s?#]+)?)"
)


# --------------------------------------------------------------------------------------------- helpers


def clip(value: Any) -> str:
    """Evidence text for a raw value: strings as-is, other values as compact JSON; bounded length."""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def _count_nodes(obj: Any, limit: int) -> int:
    """Nodes in a parsed YAML/JSON value, stopping early past ``limit`` (alias bombs share subtrees)."""
    count = 0
    stack = [obj]
    while stack:
        item = stack.pop()
        count += 1
        if count > limit:
            return count
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def _jsonable(obj: Any) -> Any:
    """YAML may produce dates, sets or non-string keys; reports need plain JSON."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if obj is None or isinstance(obj, bool | int | float | str):
        return obj
    return str(obj)


def _decode(raw: bytes, path: str) -> str:
    text = raw.decode("utf-8", errors="replace")
    return text[1:] if text.startswith("\ufeff") else text


def parse_yaml_mapping(text: str, path: str) -> dict[str, Any]:
    """Safe-load a YAML mapping with a node cap; anything else is an InputError naming ``path``.

    The result is plain JSON data, so it is kept on disk keyed by the text's SHA-256 (see
    :func:`_yaml_cache_path`): a rescan reads the JSON back and never imports PyYAML (~10 ms a process) or
    parses the cards, policies and mergekit configs it has seen. Malformed documents are never kept."""
    if len(text) > MAX_YAML_CHARS:
        raise InputError(path, f"YAML document is larger than {MAX_YAML_CHARS} characters")
    from modelaudit.cachefile import read_json, write_json

    where = _yaml_cache_path(text)
    kept = read_json(where)
    if isinstance(kept, dict):
        return kept
    result = _parse_yaml_mapping(text, path)
    write_json(where, result)
    return result


YAML_CACHE_FORMAT = 1  # bump when the cached form of a parsed YAML mapping changes


@cache
def _yaml_stamp() -> bytes:
    """What a parse depends on besides the text: PyYAML's files (size and mtime, found without importing
    it), this module's bytes (its caps and JSON conversion), the cache format and modelaudit's version."""
    from importlib.util import find_spec

    from modelaudit import __version__

    h = hashlib.sha256(f"{YAML_CACHE_FORMAT}|{__version__}|{MAX_YAML_NODES}".encode())
    try:
        h.update(Path(__file__).read_bytes())
    except OSError:  # a build without sources: the version above still keys it
        h.update(b"-")
    spec = find_spec("yaml")
    folder = Path(spec.origin).parent if spec is not None and spec.origin else None
    for f in sorted(folder.iterdir()) if folder is not None and folder.is_dir() else []:
        try:
            st = f.stat()
        except OSError:
            continue
        if f.is_file():
            h.update(f"|{f.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.digest()


def _yaml_cache_path(text: str) -> Path:
    from modelaudit.lineage.cache import default_cache_root

    key = hashlib.sha256(_yaml_stamp() + b"\0" + text.encode("utf-8", "surrogatepass")).hexdigest()
    return default_cache_root() / "yaml" / key[:2] / f"{key}.json"


def _parse_yaml_mapping(text: str, path: str) -> dict[str, Any]:
    import yaml

    _SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is ~10x faster, equally safe
    try:
        data = yaml.load(text, Loader=_SafeLoader)  # safe constructors only: no python/* tags
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(path, f"malformed YAML{where}: {problem}") from None
    except RecursionError:
        raise InputError(path, "YAML nested too deeply") from None
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. an impossible date such as 2024-02-30
        raise InputError(path, f"malformed YAML value: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(path, f"expected a YAML mapping, got {type(data).__name__}")
    if _count_nodes(data, MAX_YAML_NODES) > MAX_YAML_NODES:
        raise InputError(path, f"YAML has more than {MAX_YAML_NODES} nodes (alias bomb?)")
    result: dict[str, Any] = _jsonable(data)
    return result


def parse_front_matter(text: str, path: str) -> dict[str, Any]:
    """The YAML header of a model or dataset card (BOM and CRLF tolerated); {} when there is none."""
    if text.startswith("\ufeff"):
        text = text[1:]
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}
    return parse_yaml_mapping(match.group(2), path)


def parse_json_object(raw: bytes, path: str) -> dict[str, Any]:
    try:
        data = json.loads(_decode(raw, path))
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InputError(path, f"malformed JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(path, f"expected a JSON object, got {type(data).__name__}")
    if _count_nodes(data, MAX_YAML_NODES * 4) > MAX_YAML_NODES * 4:
        raise InputError(path, "JSON document too large")
    return data


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def hub_id_from(value: str) -> tuple[str, RepoKind] | None:
    """A Hub repo id named by a card field or URL, or None when ``value`` is not one (e.g. a local path)."""
    value = value.strip()
    url = _HUB_URL.match(value)
    if url:
        kind = RepoKind.DATASET if url.group("datasets") else RepoKind.MODEL
        return url.group("id"), kind
    if value.startswith("datasets/"):
        rest = value[len("datasets/") :]
        return (rest, RepoKind.DATASET) if _HUB_ID.match(rest.split("@", 1)[0]) else None
    if is_local_path(value):
        return hub_id_from_cache_path(value)
    return (value, RepoKind.MODEL) if _HUB_ID.match(value.split("@", 1)[0]) else None


def hub_id_from_cache_path(value: str) -> tuple[str, RepoKind] | None:
    """The Hub repo (``org/name@revision``) a path into a Hugging Face cache names, or None.

    Training scripts often record the snapshot folder they loaded, e.g.
    ``/home/me/.cache/huggingface/hub/models--deepseek-ai--deepseek-llm-7b-base/snapshots/7683fea...``.
    huggingface_hub names those folders ``{type}s--{org}--{name}`` (``repo_folder_name``); Hub ids cannot
    contain ``--``, so the folder name decodes to one repo, and the snapshot folder is its commit.
    """
    parts = [part for part in re.split(r"[\\/]", value) if part]
    kinds = {"models": RepoKind.MODEL, "datasets": RepoKind.DATASET}
    for i in range(len(parts) - 1, -1, -1):
        pieces = parts[i].split(REPO_ID_SEPARATOR)
        if len(pieces) not in (2, 3) or pieces[0] not in kinds:
            continue
        repo_id = "/".join(pieces[1:])
        if not _HUB_ID.match(repo_id):
            return None
        rest = parts[i + 1 :]
        if len(rest) >= 2 and rest[0] == "snapshots" and _REVISION.match(rest[1]):
            repo_id += f"@{rest[1]}"
        return repo_id, kinds[pieces[0]]
    return None


def is_local_path(value: str) -> bool:
    """Whether a base named in metadata is a path on the machine that made the model, not a Hub id.

    Training scripts record whatever ``from_pretrained`` was given: ``/content/llama``, ``./output``,
    ``../base``, ``~/models/x``, ``C:\\Users\\...`` or ``C:/models/x``. Such a value can never be looked up on
    the Hub. (A relative path without a leading ``./``, such as ``models/base``, reads like an ``org/name``
    id and cannot be told apart from one.)
    """
    value = value.strip()
    return (
        value in (".", "..")
        or value.startswith(("/", "./", "../", "~"))
        or "\\" in value
        or bool(_WINDOWS_DRIVE.match(value))
    )


# --------------------------------------------------------------------------------------------- extractors


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


def _from_adapter_config(cfg: dict[str, Any]) -> list[ParentClaim]:
    base = cfg.get("base_model_name_or_path")
    if not isinstance(base, str) or not base.strip():
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


# --------------------------------------------------------------------------------------------- headers


def read_safetensors_metadata(read: Callable[[int, int], bytes], path: str) -> dict[str, str]:
    """``__metadata__`` of a safetensors file, read through ``read(start, length)``.

    The header format is verification's (verify/safetensors.py reads it for both); a header that cannot be
    read is an InputError naming the file, which the caller records as a problem, not a stop.
    """
    from modelaudit.verify.safetensors import StructureError, read_metadata

    try:
        meta = read_metadata(read)
    except StructureError as exc:
        raise InputError(path, f"safetensors header: {exc.message}") from None
    return {str(k): clip(v) for k, v in meta.items()}


def read_gguf_general(head: bytes, path: str) -> dict[str, Any]:
    """``general.*`` keys from the start of a GGUF file.

    The ``gguf`` package's reader memory-maps a whole file and needs its tensor data; here only the first
    megabytes are at hand (a range read on the Hub), so this walks the key/value section with the bounded
    walker verification uses, and stops quietly at the first key it cannot read within ``head``. Arrays are
    kept for ``general.*`` keys only.
    """
    if len(head) < 24 or head[:4] != b"GGUF":
        raise InputError(path, "not a GGUF file (bad magic)")
    version, _tensors, kv_count = struct.unpack_from("<IQQ", head, 4)
    if version not in (2, 3):
        raise InputError(path, f"unsupported GGUF version {version}")
    walk = iter_kv(
        Cursor.over(head, 24),
        min(kv_count, 100_000),
        keep_arrays=_is_general,
        stop_at_end=True,
        key_limit=None,  # an oversized key past the bytes at hand ends the walk quietly
    )
    try:
        return {key: value for key, value in walk if _is_general(key)}
    except GGUFFormatError as exc:
        raise InputError(path, f"malformed GGUF metadata: {exc}") from None


def _is_general(key: str) -> bool:
    return key.startswith("general.")


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
        card_data = parse_front_matter(_decode(raw, "README.md"), card_location or "README.md") if raw else {}
    card_data = _jsonable(card_data)
    assert isinstance(card_data, dict)

    def small_json(name: str) -> dict[str, Any] | None:
        if name not in paths:
            return None
        raw = read_capped(name)
        return parse_json_object(raw, name) if raw is not None else None

    config = small_json("config.json")
    adapter_config = small_json("adapter_config.json")
    mergekit: dict[str, Any] | None = None
    mergekit_path: str | None = None
    for name in MERGEKIT_FILES:
        if name in paths:
            raw = read_capped(name)
            if raw is not None:
                mergekit, mergekit_path = parse_yaml_mapping(_decode(raw, name), name), name
                break

    license_evidence = _license_evidence_from_card(card_data)
    parents = _parents_from_card(card_data, ref.kind)
    tag_licenses, tag_parents = _from_tags(tags or [])
    license_evidence += tag_licenses
    parents += tag_parents
    if adapter_config:
        parents += _from_adapter_config(adapter_config)
    if config:
        parents += _from_config(config)
    if mergekit and mergekit_path:
        parents += _from_mergekit(mergekit, mergekit_path)

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
        text = _decode(raw, path)
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
                    gguf_meta[entry.path] = {k: _jsonable(v) for k, v in meta_g.items()}
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
