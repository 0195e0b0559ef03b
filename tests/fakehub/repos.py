"""Fixture repos for the fake Hub: files, LFS pointers, git hashes, commits and Hub-derived metadata.

Everything here is pure and deterministic: the same files give the same blob ids, the same commit sha
and the same ``/api`` JSON, so tests can assert exact values.
"""

from __future__ import annotations

import copy
import fnmatch
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_LFS_PATTERNS = ("*.safetensors", "*.bin", "*.gguf", "*.pt")
LFS_SIZE_THRESHOLD = 10 * 1024 * 1024
FIXED_DATE = "2026-01-02T03:04:05.000Z"
RELATIONS = ("adapter", "merge", "quantized", "finetune")
_FRONT_MATTER = re.compile(r"^(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)---[ \t]*(?:\r\n|\n|$))")
_COMMIT = re.compile(r"^[0-9a-f]{40}$")

LfsSpec = Iterable[str] | Callable[[str, bytes], bool] | None


def git_blob_sha1(data: bytes) -> str:
    """What git (and the Hub's ``blobId`` / resolve ``ETag``) calls this content."""
    return hashlib.sha1(b"blob " + str(len(data)).encode() + b"\0" + data).hexdigest()


def lfs_pointer(data: bytes) -> bytes:
    digest = hashlib.sha256(data).hexdigest()
    return f"version https://git-lfs.github.com/spec/v1\noid sha256:{digest}\nsize {len(data)}\n".encode()


@dataclass(frozen=True)
class FakeFile:
    path: str
    data: bytes
    lfs: bool

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def blob_id(self) -> str:
        """Git oid: of the content for regular files, of the pointer text for LFS files."""
        return git_blob_sha1(lfs_pointer(self.data) if self.lfs else self.data)

    @property
    def pointer_size(self) -> int:
        return len(lfs_pointer(self.data))

    @property
    def etag(self) -> str:
        return self.sha256 if self.lfs else self.blob_id

    def sibling(self, blobs: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"rfilename": self.path}
        if blobs:
            out["size"] = self.size
            out["blobId"] = self.blob_id
            if self.lfs:
                out["lfs"] = {"sha256": self.sha256, "size": self.size, "pointerSize": self.pointer_size}
        return out

    def tree_entry(self, commit: str, expand: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "file", "oid": self.blob_id, "size": self.size, "path": self.path}
        if self.lfs:
            out["lfs"] = {"oid": self.sha256, "size": self.size, "pointerSize": self.pointer_size}
        if expand:
            out["lastCommit"] = {"id": commit, "title": "Upload files", "date": FIXED_DATE}
            out["securityFileStatus"] = {"status": "safe"}
        return out


def is_lfs(path: str, data: bytes, spec: LfsSpec) -> bool:
    if callable(spec):
        return bool(spec(path, data))
    patterns = DEFAULT_LFS_PATTERNS if spec is None else tuple(spec)
    name = path.rsplit("/", 1)[-1]
    if any(fnmatch.fnmatchcase(path, p) or fnmatch.fnmatchcase(name, p) for p in patterns):
        return True
    return spec is None and len(data) > LFS_SIZE_THRESHOLD


def load_files(files: Mapping[str, bytes | str] | str | Path) -> dict[str, bytes]:
    """A dict of path → content, or every file under a folder (relative POSIX paths)."""
    if isinstance(files, str | Path):
        root = Path(files)
        return {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(root).parts
        }
    return {path.lstrip("/"): (v.encode() if isinstance(v, str) else bytes(v)) for path, v in files.items()}


def parse_card(readme: bytes | None) -> dict[str, Any] | None:
    """README front matter as the Hub exposes it in ``cardData`` (None when absent or not a mapping)."""
    if readme is None:
        return None
    text = readme.decode("utf-8", errors="replace").lstrip("\ufeff")
    match = _FRONT_MATTER.match(text)
    if not match:
        return None
    try:
        data = yaml.safe_load(match.group(2))
    except yaml.YAMLError:
        return None
    if not isinstance(data, dict):
        return None
    result: dict[str, Any] = json.loads(json.dumps(data, default=str))
    return result


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


@dataclass
class Commit:
    sha: str
    files: dict[str, FakeFile]
    # the README's front matter, parsed once: a commit's files never change, and the listing computes every
    # repo's tags for each request (a 1,000-repo listing parsed 1,000 cards per page)
    _card: tuple[dict[str, Any] | None] | None = field(default=None, repr=False, compare=False)

    @property
    def card(self) -> dict[str, Any] | None:
        if self._card is None:
            readme = self.files.get("README.md")
            self._card = (parse_card(readme.data if readme else None),)
        return copy.deepcopy(self._card[0])  # callers may edit what they get

    def directories(self) -> set[str]:
        dirs: set[str] = set()
        for path in self.files:
            parts = path.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                dirs.add("/".join(parts[:i]))
        return dirs

    def dir_oid(self, path: str) -> str:
        return hashlib.sha1(f"tree {self.sha} {path}".encode()).hexdigest()

    def entries(self, commit: str, prefix: str, recursive: bool, expand: bool) -> list[dict[str, Any]]:
        """Tree entries under ``prefix`` ('' = root): direct children, or everything when recursive."""
        base = f"{prefix}/" if prefix else ""
        out: list[dict[str, Any]] = []
        for d in sorted(self.directories()):
            if d.startswith(base) and (recursive or "/" not in d[len(base) :]):
                out.append({"type": "directory", "oid": self.dir_oid(d), "size": 0, "path": d})
        for path in sorted(self.files):
            if path.startswith(base) and (recursive or "/" not in path[len(base) :]):
                out.append(self.files[path].tree_entry(commit, expand))
        return out

    def entry_for(self, path: str, commit: str, expand: bool) -> dict[str, Any] | None:
        if path in self.files:
            return self.files[path].tree_entry(commit, expand)
        if path in self.directories():
            return {"type": "directory", "oid": self.dir_oid(path), "size": 0, "path": path}
        return None


def commit_sha(kind: str, repo_id: str, files: Mapping[str, FakeFile]) -> str:
    h = hashlib.sha1(f"{kind}:{repo_id}\n".encode())
    for path in sorted(files):
        h.update(f"{path}\0{files[path].blob_id}\n".encode())
    return h.hexdigest()


@dataclass
class FakeRepo:
    repo_id: str
    kind: str = "model"  # "model" | "dataset" | "space"
    gated: bool | str = False  # False | "auto" | "manual"
    private: bool = False
    approved_tokens: set[str] = field(default_factory=set)
    extra_info: dict[str, Any] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)  # branch or tag → commit sha
    commits: dict[str, Commit] = field(default_factory=dict)

    @property
    def sha(self) -> str:
        """Commit of ``main`` (or of the first revision added)."""
        return self.refs.get("main") or next(iter(self.refs.values()))

    def add_revision(self, revision: str, files: dict[str, FakeFile]) -> Commit:
        sha = commit_sha(self.kind, self.repo_id, files)
        commit = self.commits.setdefault(sha, Commit(sha=sha, files=files))
        self.refs[revision] = sha
        return commit

    def resolve(self, revision: str | None) -> Commit | None:
        rev = revision or "main"
        if rev in self.refs:
            return self.commits[self.refs[rev]]
        if _COMMIT.match(rev) and rev in self.commits:
            return self.commits[rev]
        return None

    # ---------------------------------------------------------------- what the Hub computes from the files

    def tags(self, commit: Commit) -> list[str]:
        card = commit.card or {}
        tags: list[str] = []

        def add(tag: str) -> None:
            if tag not in tags:
                tags.append(tag)

        library = self.library_name(commit)
        if library:
            add(library)
        for name in commit.files:
            if name.endswith(".safetensors"):
                add("safetensors")
            elif name.endswith(".gguf"):
                add("gguf")
        for t in _as_list(card.get("tags")):
            if isinstance(t, str):
                add(t)
        bases = [b for b in _as_list(card.get("base_model")) if isinstance(b, str) and b]
        relation = self.relation(commit, bases)
        for base in bases:
            add(f"base_model:{base}")
            add(f"base_model:{relation}:{base}")
        for ds in _as_list(card.get("datasets")):
            if isinstance(ds, str) and ds:
                add(f"dataset:{ds}")
        for lic in _as_list(card.get("license")):
            if isinstance(lic, str) and lic:
                add(f"license:{lic}")
        add("region:us")
        return tags

    def relation(self, commit: Commit, bases: list[str]) -> str:
        """Declared ``base_model_relation``, else a guess like the Hub's (its real rules are unpublished)."""
        declared = (commit.card or {}).get("base_model_relation")
        if isinstance(declared, str) and declared in RELATIONS:
            return declared
        names = set(commit.files)
        if "adapter_config.json" in names:
            return "adapter"
        if len(bases) > 1 or names & {"mergekit_config.yml", "mergekit_moe_config.yml"}:
            return "merge"
        if any(n.endswith(".gguf") for n in names):
            return "quantized"
        return "finetune"

    def library_name(self, commit: Commit) -> str | None:
        card = commit.card or {}
        if isinstance(card.get("library_name"), str):
            return str(card["library_name"])
        if self.kind != "model":
            return None
        if "adapter_config.json" in commit.files:
            return "peft"
        if "config.json" in commit.files:
            return "transformers"
        return None

    def config_summary(self, commit: Commit) -> dict[str, Any] | None:
        cfg = commit.files.get("config.json")
        if cfg is None:
            return None
        try:
            data = json.loads(cfg.data)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        return {k: data[k] for k in ("architectures", "model_type") if k in data}

    def info(self, commit: Commit, *, blobs: bool, expand: list[str] | None) -> dict[str, Any]:
        """The JSON of ``GET /api/{models|datasets}/{id}[/revision/{rev}]``."""
        card = commit.card
        author = self.repo_id.split("/", 1)[0] if "/" in self.repo_id else None
        full: dict[str, Any] = {
            "_id": hashlib.sha1(f"id:{self.kind}:{self.repo_id}".encode()).hexdigest()[:24],
            "id": self.repo_id,
            "author": author,
            "sha": commit.sha,
            "createdAt": FIXED_DATE,
            "lastModified": FIXED_DATE,
            "private": self.private,
            "gated": self.gated,
            "disabled": False,
            "downloads": 0,
            "likes": 0,
            "tags": self.tags(commit),
            "siblings": [commit.files[p].sibling(blobs) for p in sorted(commit.files)],
            "usedStorage": sum(f.size for f in commit.files.values()),
        }
        if self.kind == "model":
            full["modelId"] = self.repo_id
            full["library_name"] = self.library_name(commit)
            full["spaces"] = []
            if card and isinstance(card.get("pipeline_tag"), str):
                full["pipeline_tag"] = card["pipeline_tag"]
            config = self.config_summary(commit)
            if config is not None:
                full["config"] = config
        if card is not None:
            full["cardData"] = card
        for key, value in self.extra_info.items():
            if value is None:
                full.pop(key, None)
            else:
                full[key] = value
        full = {k: v for k, v in full.items() if v is not None or k in ("author",)}
        if expand:
            return {k: v for k, v in full.items() if k in ("_id", "id") or k in expand}
        return full
