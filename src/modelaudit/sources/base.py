"""The Source protocol: where a repo's metadata and files come from (Hub, HF cache, local folder)."""

from __future__ import annotations

import json
from typing import Any, BinaryIO, Protocol, runtime_checkable

from modelaudit.models import RepoRecord, RepoRef, SourceKind

# Bounds on what we read from untrusted repos (cards, configs, license files, headers).
MAX_SMALL_FILE_BYTES = 4 * 1024 * 1024  # README / config / adapter_config / mergekit / LICENSE
MAX_LICENSE_TEXT_CHARS = 200_000
MAX_CARD_TEXT_CHARS = 1_000_000  # a model card's text kept for obligation checks (real cards: a few KB to ~300 KB)
MAX_LISTED_FILES = (
    100_000  # files taken from one repo listing (Hub API or folder); more are reported, not read
)
MAX_REPO_PATH_CHARS = 1024
MAX_VALUE_CHARS = 2_000  # evidence values are truncated to this
LICENSE_FILE_NAMES = ("LICENSE", "LICENCE", "COPYING", "NOTICE", "USE_POLICY", "ACCEPTABLE_USE_POLICY")
_LICENSE_FILE_PREFIXES = tuple(f"{name}_" for name in LICENSE_FILE_NAMES)
# License files are read from every model, adapter and dataset repo; only text files under this size are
# (real license texts are a few KB to ~40 KB; a bigger "LICENSE" is not one text to identify).
MAX_LICENSE_FILE_BYTES = 1024 * 1024
# LICENSE.pdf and friends: documents we cannot read as text, reported instead of downloaded.
NON_TEXT_SUFFIXES = frozenset(
    {".pdf", ".doc", ".docx", ".odt", ".rtf", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".zip", ".gz"}
)


def clip(value: Any) -> str:
    """Evidence text for a raw value: strings as-is, other values as compact JSON; bounded length."""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


@runtime_checkable
class Source(Protocol):
    """Reads one kind of place. Methods raise ``SourceError`` subclasses and never print."""

    kind: SourceKind

    def fetch(self, ref: RepoRef) -> RepoRecord:
        """Metadata of ``ref``: card, configs, file list with recorded hashes, license files."""
        ...

    def open_file(self, ref: RepoRef, path: str) -> BinaryIO:
        """A streaming binary handle on one file of the repo (caller closes it)."""
        ...

    def read_range(self, ref: RepoRef, path: str, start: int, length: int) -> bytes:
        """``length`` bytes of ``path`` from offset ``start`` (fewer at end of file)."""
        ...


def card_text(raw: bytes | None) -> str | None:
    """A README's bytes as the text obligation checks search (``RepoRecord.card_text``), bounded."""
    if raw is None:
        return None
    return raw.decode("utf-8", errors="replace")[:MAX_CARD_TEXT_CHARS]


def is_license_file(path: str) -> bool:
    """LICENSE, LICENSE.md, LICENSE.txt, NOTICE, USE_POLICY.md, ... at the repo root."""
    if "/" in path:
        return False
    stem = path.rsplit(".", 1)[0] if "." in path else path
    upper = stem.upper().replace("-", "_")
    return upper in LICENSE_FILE_NAMES or upper.startswith(_LICENSE_FILE_PREFIXES)


def license_file_skip_reason(path: str, size: int | None) -> str | None:
    """Why a listed license file is not read as a license text (None: read it)."""
    suffix = ("." + path.rsplit(".", 1)[1].lower()) if "." in path else ""
    if suffix in NON_TEXT_SUFFIXES:
        return f"not a plain-text file ({suffix})"
    if size is not None and size > MAX_LICENSE_FILE_BYTES:
        return f"{size} bytes, over the {MAX_LICENSE_FILE_BYTES}-byte cap for license texts"
    return None


def unsafe_repo_path(path: object) -> str | None:
    """Why a file name from a repo listing cannot be used as a relative path, or None when it is safe.

    Listings come from the Hub (or whatever answers at HF_ENDPOINT) and are untrusted: a name with ``..``,
    an absolute path, a drive letter, a backslash or a control character (NUL, newline) could escape the
    cache folder or forge log lines, so such files are skipped and reported, never opened.
    """
    if not isinstance(path, str) or not path:
        return "empty or not a string"
    if len(path) > MAX_REPO_PATH_CHARS:
        return f"longer than {MAX_REPO_PATH_CHARS} characters"
    if any(ord(c) < 32 or ord(c) == 127 for c in path):
        return "contains a control character (NUL, newline, ...)"
    if "\\" in path:
        return "contains a backslash"
    if path.startswith("/") or (len(path) > 1 and path[1] == ":"):
        return "is an absolute path"
    if any(part in ("", ".", "..") for part in path.split("/")):
        return "has an empty, '.' or '..' segment"
    return None
