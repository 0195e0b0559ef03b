"""Derive ``license_db/_recognition.json`` from the license corpus (reproducible; run after corpus changes).

    .venv/bin/python scripts/build_license_recognition.py [--corpus DIR] [--out FILE] [--check]

Each license_db record lists its reference texts in ``recognition.texts`` (corpus file names). For each,
this script stores the sorted CRC-32 hashes of the text's normalised word shingles (see
:mod:`modelaudit.licenses.identify`) and the SHA-256 of the source file. Output is deterministic (sorted,
no timestamps), so ``--check`` can verify that the shipped data matches the corpus. Only hashes are
shipped: the package never reads the corpus at run time. The corpus is the copy kept with the tests
(tests/data/licenses/corpus, origins in its SOURCES.md).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from modelaudit.licenses.db import RECOGNITION_FILE, db_dir, load_records
from modelaudit.licenses.identify import RECOGNITION_FORMAT, SHINGLE, encode_hashes, shingles, tokens

DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "licenses" / "corpus"


def build(corpus: Path, db_folder: Path) -> dict[str, Any]:
    """The recognition data for every reference text named by the records in ``db_folder``."""
    docs: list[dict[str, Any]] = []
    for rec in load_records(db_folder):
        for ref in rec.recognition.texts:
            path = corpus / ref.file
            raw = path.read_bytes()
            text = raw.decode("utf-8")
            words = tokens(text)
            hashes = shingles(words)
            docs.append(
                {
                    "id": rec.id,
                    "document": ref.document.value,
                    "file": ref.file,
                    "sha256": hashlib.sha256(raw).hexdigest(),
                    "words": len(words),
                    "shingles": len(hashes),
                    "hashes": encode_hashes(hashes),
                }
            )
    docs.sort(key=lambda d: (d["id"], d["document"], d["file"]))
    return {
        "format": RECOGNITION_FORMAT,
        "shingle": SHINGLE,
        "generator": "scripts/build_license_recognition.py",
        "documents": docs,
    }


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of license texts")
    ap.add_argument("--db", type=Path, default=None, help="license_db folder (default: the package's)")
    ap.add_argument("--out", type=Path, default=None, help="output file (default: <db>/_recognition.json)")
    ap.add_argument("--check", action="store_true", help="exit 1 when the output file is out of date")
    args = ap.parse_args(argv)
    folder = args.db or db_dir()
    out = args.out or folder / RECOGNITION_FILE
    text = render(build(args.corpus, folder))
    if args.check:
        current = out.read_text(encoding="utf-8") if out.is_file() else ""
        if current != text:
            print(f"{out} is out of date; rerun without --check", file=sys.stderr)
            return 1
        return 0
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out} ({len(text)} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
