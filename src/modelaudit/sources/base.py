"""The Source protocol: where a repo's metadata and files come from (Hub, HF cache, local folder)."""

from __future__ import annotations

from typing import BinaryIO, Protocol, runtime_checkable

from modelaudit.models import RepoRecord, RepoRef, SourceKind

# Bounds on what we read from untrusted repos (cards, configs, license files, headers).
MAX_SMALL_FILE_BYTES = 4 * 1024 * 1024  # README / config / adapter_config / mergekit / LICENSE
MAX_LICENSE_TEXT_CHARS = 200_000
MAX_SAFETENSORS_HEADER_BYTES = 25_000_000  # same cap huggingface_hub applies
LICENSE_FILE_NAMES = ("LICENSE", "LICENCE", "COPYING", "NOTICE", "USE_POLICY", "ACCEPTABLE_USE_POLICY")


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


def is_license_file(path: str) -> bool:
    """LICENSE, LICENSE.md, LICENSE.txt, NOTICE, USE_POLICY.md, ... at the repo root."""
    if "/" in path:
        return False
    stem = path.rsplit(".", 1)[0] if "." in path else path
    upper = stem.upper().replace("-", "_")
    return any(upper == name or upper.startswith(name + "_") for name in LICENSE_FILE_NAMES)
