"""License texts and use policies shipped in the package (``license_db/texts``, sources in its SOURCES.md).

``modelaudit fix`` writes these, never a text from the network: a record names its files in
``recognition.texts`` (the corpus texts recognition is derived from) or ``text_file``.
"""

from __future__ import annotations

from pathlib import Path

from modelaudit.licenses.db import db_dir
from modelaudit.licenses.schema import DocumentKind, LicenseRecord


def texts_dir() -> Path:
    """The folder of shipped texts, beside the license records."""
    return db_dir() / "texts"


def shipped_file(rec: LicenseRecord, document: DocumentKind = DocumentKind.LICENSE) -> Path | None:
    """The shipped file of ``rec``'s license text (or use policy), or None when the package has none."""
    names = [ref.file for ref in rec.recognition.texts if ref.document is document]
    if document is DocumentKind.LICENSE and rec.text_file:
        names.append(rec.text_file)
    for name in names:
        path = texts_dir() / name
        if path.is_file():
            return path
    return None


def shipped_text(rec: LicenseRecord, document: DocumentKind = DocumentKind.LICENSE) -> str | None:
    path = shipped_file(rec, document)
    return path.read_text(encoding="utf-8") if path is not None else None


__all__ = ["shipped_file", "shipped_text", "texts_dir"]
