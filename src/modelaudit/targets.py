"""Parse what a user types as a target into a RepoRef.

Accepted: ``org/name``, ``org/name@rev``, ``name``, ``hf://org/name[@rev]``, ``hf://datasets/org/name``,
``https://huggingface.co/org/name[/tree/rev[/...]]`` (also ``/blob/`` and ``/resolve/`` URLs,
``datasets/`` URLs, and ``/discussions/N``: pull request N, i.e. revision ``refs/pr/N``),
``datasets/org/name[@rev]``, and filesystem paths (which win when they exist). A pull request is
``org/name@refs/pr/N`` (or ``@refs%2Fpr%2FN``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

from modelaudit.errors import TargetError
from modelaudit.models import RepoKind, RepoRef

# huggingface_hub's validator: ASCII [A-Za-z0-9_.-], ≤96 chars per part, no "--" or "..",
# not ending in ".git", not starting or ending with "-" or ".".
_PART = r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?"
_REPO_ID = re.compile(rf"^(?:{_PART}/)?{_PART}$")
_HUB_HOSTS = {"huggingface.co", "www.huggingface.co", "hf.co"}
_MAX_TARGET_CHARS = 4096


def valid_repo_id(repo_id: str) -> bool:
    return (
        bool(_REPO_ID.match(repo_id))
        and "--" not in repo_id
        and ".." not in repo_id
        and not repo_id.endswith(".git")
    )


def _hub_hosts() -> set[str]:
    hosts = set(_HUB_HOSTS)
    endpoint = os.environ.get("HF_ENDPOINT")
    if endpoint:
        parsed = urlparse(endpoint)
        if parsed.netloc:
            hosts.add(parsed.netloc)
    return hosts


def _ref(text: str, repo_id: str, kind: RepoKind, revision: str | None) -> RepoRef:
    if not valid_repo_id(repo_id):
        raise TargetError(
            f"{text!r}: {repo_id!r} is not a valid Hub repo id",
            hint="expected org/name, org/name@revision, a Hub URL or an existing folder",
        )
    if revision is not None and (not revision or len(revision) > 256 or any(c in revision for c in "\0\n\r")):
        raise TargetError(f"{text!r}: invalid revision {revision!r}")
    return RepoRef(repo_id=repo_id, kind=kind, revision=revision)


def _split_revision(spec: str) -> tuple[str, str | None]:
    if "@" in spec:
        repo, rev = spec.split("@", 1)
        return repo, unquote(rev)
    return spec, None


def _parse_url(text: str) -> RepoRef:
    parsed = urlparse(text)
    if parsed.netloc not in _hub_hosts():
        raise TargetError(f"{text!r}: not a Hugging Face Hub URL", hint="use org/name or a path to a folder")
    parts = [unquote(p) for p in parsed.path.split("/") if p]
    kind = RepoKind.MODEL
    if parts and parts[0] == "datasets":
        kind, parts = RepoKind.DATASET, parts[1:]
    elif parts and parts[0] in ("spaces", "api"):
        raise TargetError(f"{text!r}: only model and dataset repos can be audited")
    if not parts:
        raise TargetError(f"{text!r}: the URL names no repo")
    # org/name or a bare legacy name (e.g. /gpt2); then optional /tree|blob|resolve/<rev>/...
    markers = {"tree", "blob", "resolve", "commit", "raw"}
    if len(parts) >= 2 and parts[1] not in markers:
        repo_id, rest = f"{parts[0]}/{parts[1]}", parts[2:]
    else:
        repo_id, rest = parts[0], parts[1:]
    revision = rest[1] if len(rest) >= 2 and rest[0] in markers else None
    if len(rest) >= 2 and rest[0] == "discussions" and rest[1].isdigit():  # a pull request's page
        revision = f"refs/pr/{int(rest[1])}"
    return _ref(text, repo_id, kind, revision)


def _exists(path: Path) -> bool:
    """``path.exists()`` that treats names the OS refuses (too long, invalid) as absent instead of raising."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def parse_target(text: str, *, prefer_path: bool = True) -> RepoRef:
    """A RepoRef for ``text``; raises TargetError naming the input when it is neither repo nor folder."""
    if not text or not text.strip():
        raise TargetError("empty target", hint="give a Hub id such as org/name or a path to a model folder")
    if len(text) > _MAX_TARGET_CHARS or "\0" in text:
        raise TargetError(f"{text[:80]!r}…: target is too long or contains NUL bytes")
    text = text.strip()
    if prefer_path:
        looks_like_path = (
            text.startswith(("/", "./", "../", "~")) or text in (".", "..") or os.sep in text[:1]
        )
        path = Path(text).expanduser()
        exists = _exists(path)
        if exists or looks_like_path:
            if not exists:
                raise TargetError(f"{text[:200]}: no such folder")
            if not path.is_dir():
                raise TargetError(
                    f"{text}: not a folder", hint="point at the model's folder, not a single file"
                )
            resolved = str(path.resolve())
            return RepoRef(repo_id=path.resolve().name or resolved, local_path=resolved)
    if text.startswith(("https://", "http://")):
        return _parse_url(text)
    if text.startswith("hf://"):
        text_body = text[len("hf://") :]
        kind = RepoKind.MODEL
        if text_body.startswith("datasets/"):
            kind, text_body = RepoKind.DATASET, text_body[len("datasets/") :]
        elif text_body.startswith("models/"):
            text_body = text_body[len("models/") :]
        repo, rev = _split_revision(text_body)
        return _ref(text, repo, kind, rev)
    kind = RepoKind.MODEL
    body = text
    if body.startswith("datasets/"):
        kind, body = RepoKind.DATASET, body[len("datasets/") :]
    elif body.startswith("models/"):
        body = body[len("models/") :]
    repo, rev = _split_revision(body)
    return _ref(text, repo, kind, rev)
