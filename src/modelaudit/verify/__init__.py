"""Verification: are the files the bytes the repo recorded, well formed, and safe to load?

``verify_files`` (:mod:`modelaudit.verify.files`) checks one node's files. Importing this package is cheap
(the CLI imports :mod:`modelaudit.verify.hashing` while parsing options): ``verify_files`` and what it needs
(pydantic models, the pickle scanner) load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from modelaudit.verify.files import verify_files

__all__ = ["verify_files"]


def __getattr__(name: str) -> Any:
    if name == "verify_files":
        from modelaudit.verify.files import verify_files

        return verify_files
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
