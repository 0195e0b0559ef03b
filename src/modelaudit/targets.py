"""Parse what a user types as a target into a RepoRef.

Accepted: ``org/name``, ``org/name@rev``, ``name``, ``hf://org/name[@rev]``, ``hf://datasets/org/name``,
``https://huggingface.co/org/name[/tree/rev[/...]]`` (also ``/blob/`` and ``/resolve/`` URLs,
``datasets/`` URLs, and ``/discussions/N``: pull request N, i.e. revision ``refs/pr/N``),
``datasets/org/name[@rev]``, and filesystem paths (which win when they exist). A pull request is
``org/name@refs/pr/N`` (or ``@refs%2Fpr%2FN``).

Also the Hub ids that metadata names (a card's ``base_model``, an adapter's base, a GGUF URL, a path into an
HF cache): :func:`hub_id_from`, :func:`is_local_path`, :func:`is_commit`.
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

# Repo ids as metadata names them (card ``base_model``, adapter configs, GGUF URLs, cache folders).
_HUB_ID = re.compile(r"^(?!.*(--|\.\.))[A-Za-z0-9][A-Za-z0-9_.-]{0,95}(/[A-Za-z0-9][A-Za-z0-9_.-]{0,95})?$")
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
_COMMIT = re.compile(r"^[0-9a-f]{40}$")  # a full commit id; HF cache snapshot folders are named by one
_HUB_URL = re.compile(
    r"^https?://(?:www\.)?(?:huggingface\.co|hf\.co)/(?P<datasets>datasets/)?(?P<id>[^/\s?#]+(?:/[^/\s?#]+)?)"
)


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
        try:
            path = Path(text).expanduser()
        except RuntimeError:  # ``~name`` of a user who does not exist, or no home folder at all
            raise TargetError(f"{text[:200]}: no such folder (cannot expand {text.split('/')[0][:80]!r})") from None
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


# --------------------------------------------------------------------------------------------- ids in metadata


def is_commit(revision: str | None) -> bool:
    """Whether ``revision`` is a full 40-hex commit id (immutable), not a branch or tag."""
    return bool(revision and _COMMIT.match(revision))


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
    from huggingface_hub.constants import REPO_ID_SEPARATOR  # "--" in the cache's folder names

    if REPO_ID_SEPARATOR not in value:  # no part can name a repo folder (a lineage's "../base" paths)
        return None
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
        if len(rest) >= 2 and rest[0] == "snapshots" and is_commit(rest[1]):
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
