"""Discovery against the hand labels of tests/data/real/code_refs: the measurement both
``tests/discovery/test_code_refs_corpus.py`` (the floors, in CI) and ``benchmarks/code_refs.py`` (the printed
figures) run.

Each set is a folder with ``MANIFEST.yaml`` (the labels), ``SOURCES.tsv`` (where each file came from, and its
SHA-256) and ``files/`` (the files, byte for byte as SOURCES.tsv records them). Every file is read alone under
its original path (which decides its kind), as ``scan-code`` would read it in its own repository.

A reference matches when file, line, kind and the repo id (or "unresolved") agree, and the revision when the
label pins one. A file that is missing or not the recorded bytes is an error, never a skipped file.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from modelaudit.sources.code import discover_text

HERE = Path(__file__).resolve().parents[1] / "data" / "real" / "code_refs"
# dev: the files discovery's rules were written against; holdout, holdout2: each labelled and committed before
# discovery first ran on it (holdout2 after the fixes holdout led to)
SETS: dict[str, Path] = {"dev": HERE, "holdout": HERE / "holdout", "holdout2": HERE / "holdout2"}
HELD_OUT = ("holdout", "holdout2")

Key = tuple[str, int, str, str, str]  # (file, line, kind, repo id or UNRESOLVED, pinned revision or "")


class CorpusError(Exception):
    """The labels, the sources list and the files disagree (a broken corpus, not a discovery miss)."""


def family(path: str) -> str:
    """The kind of file, for the per-kind breakdown."""
    name = path.rsplit("/", 1)[-1].lower()
    if name.endswith(".ipynb"):
        return "notebook"
    if name.endswith((".yaml", ".yml", ".json", ".toml")):
        return "config"
    if name.endswith((".js", ".mjs", ".ts", ".tsx", ".jsx", ".cjs")):
        return "js/ts"
    if "dockerfile" in name:
        return "dockerfile"
    if name.endswith((".sh", ".bash")):
        return "shell"
    return "python"


def manifest(folder: Path) -> dict[str, list[dict[str, object]]]:
    data = yaml.safe_load((folder / "MANIFEST.yaml").read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise CorpusError(f"{folder / 'MANIFEST.yaml'}: not a mapping")
    return {str(k): list(v or []) for k, v in data.items()}


def sources(folder: Path) -> list[dict[str, str]]:
    with (folder / "SOURCES.tsv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def label_key(file: str, ref: dict[str, object]) -> Key:
    repo = "UNRESOLVED" if "unresolved" in ref else str(ref["id"])
    return (file, int(str(ref["line"])), str(ref["kind"]), repo, str(ref.get("revision") or ""))


@dataclass
class Measurement:
    truth: Counter[Key] = field(default_factory=Counter)
    found: Counter[Key] = field(default_factory=Counter)
    family_of: dict[str, str] = field(default_factory=dict)  # "<set>:<file>" → family

    @property
    def matched(self) -> Counter[Key]:
        return self.truth & self.found

    @property
    def recall(self) -> float:
        n = sum(self.truth.values())
        return sum(self.matched.values()) / n if n else 1.0

    @property
    def precision(self) -> float:
        n = sum(self.found.values())
        return sum(self.matched.values()) / n if n else 1.0


def measure(names: list[str], corpus: Path | None = None) -> Measurement:
    """Run discovery over the files of the named sets (from ``corpus/files/...`` instead of each set's own
    ``files/`` when given) and collect labelled and found references, keyed by set and file."""
    m = Measurement()
    for name in names:
        folder = SETS[name]
        labels = manifest(folder)
        rows = {r["file"]: r for r in sources(folder)}
        if set(labels) != set(rows):
            raise CorpusError(f"{folder}: MANIFEST.yaml and SOURCES.tsv list different files")
        for file, refs in sorted(labels.items()):
            row = rows[file]
            path = (corpus or folder) / file
            if not path.is_file():
                raise CorpusError(f"missing: {path}")
            data = path.read_bytes()
            if hashlib.sha256(data).hexdigest() != row["sha256"]:
                raise CorpusError(f"{path}: not the bytes SOURCES.tsv records")
            tag = f"{name}:{file}"
            m.family_of[tag] = family(row["path"])
            truth = Counter(label_key(tag, ref) for ref in refs)
            m.truth += truth
            pinned = {(k[1], k[3]): k[4] for k in truth if k[4]}
            seen: set[Key] = set()
            for r in discover_text(row["path"], data).references:
                repo = r.repo_id or "UNRESOLVED"
                # a revision counts when the label pins one here, or when discovery calls it a pin
                rev = (
                    r.revision
                    if r.revision and (pinned.get((r.line, repo)) == r.revision or r.pinned)
                    else ""
                )
                key = (tag, r.line, r.kind.value, repo, rev or "")
                if key not in seen:  # one call that names the same repo twice on a line is one reference
                    seen.add(key)
                    m.found[key] += 1
    return m
