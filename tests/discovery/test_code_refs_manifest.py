"""The hand labels of tests/data/real/code_refs are well formed and agree with the sources list.

The labelled files are in the repository, byte for byte as SOURCES.tsv records them (``files/`` of each set);
``test_code_refs_corpus.py`` and ``benchmarks/code_refs.py`` measure discovery against these labels.
"""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

import pytest
import yaml

from modelaudit.targets import valid_repo_id

HERE = Path(__file__).resolve().parents[1] / "data" / "real" / "code_refs"
REASONS = {
    "local path",
    "parameter",
    "command-line argument",
    "environment variable",
    "imported name",
    "expression",
    "task default",
    "not a Hub id",
    "build argument",
}


# the development set (discovery's rules were written against it) and the held-out sets (each labelled and
# committed before discovery first ran on it): (folder, least files, least labels)
SETS = [(HERE, 150, 250), (HERE / "holdout", 60, 80), (HERE / "holdout2", 45, 50)]


def _manifest(folder: Path) -> dict[str, list[dict[str, object]]]:
    data = yaml.safe_load((folder / "MANIFEST.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _sources(folder: Path) -> list[dict[str, str]]:
    with (folder / "SOURCES.tsv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@pytest.mark.parametrize(("folder", "files", "labels"), SETS)
def test_every_labelled_file_has_a_recorded_source_and_the_reverse(
    folder: Path, files: int, labels: int
) -> None:
    rows = _sources(folder)
    assert len(rows) >= files
    assert sorted(r["file"] for r in rows) == sorted(_manifest(folder))
    for r in rows:
        assert re.fullmatch(r"[0-9a-f]{40}", r["commit"]), r
        assert re.fullmatch(r"[0-9a-f]{64}", r["sha256"]), r
        assert re.fullmatch(r"[\w.-]+/[\w.-]+", r["repository"]), r
        assert r["file"] == "files/" + r["repository"].replace("/", "__") + "__" + r["path"].replace(
            "/", "__"
        ).replace(" ", "_")
        assert r["note"].startswith("whole file"), r


@pytest.mark.parametrize(("folder", "files", "labels"), SETS)
def test_every_listed_file_is_in_the_repository_as_recorded_and_nothing_else(
    folder: Path, files: int, labels: int
) -> None:
    rows = _sources(folder)
    for r in rows:
        data = (folder / r["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == r["sha256"], r["file"]
    assert sorted(p.name for p in (folder / "files").iterdir()) == sorted(
        r["file"].removeprefix("files/") for r in rows
    )


@pytest.mark.parametrize(("folder", "files", "labels"), SETS)
def test_every_label_is_well_formed(folder: Path, files: int, labels: int) -> None:
    total = 0
    for file, refs in _manifest(folder).items():
        assert isinstance(refs, list), file
        for ref in refs:
            total += 1
            assert set(ref) <= {"line", "kind", "id", "revision", "unresolved"}, (file, ref)
            assert isinstance(ref["line"], int) and ref["line"] >= 1, (file, ref)
            assert ref["kind"] in ("model", "dataset"), (file, ref)
            assert ("id" in ref) != ("unresolved" in ref), (file, ref)
            if "id" in ref:
                assert valid_repo_id(str(ref["id"])), (file, ref)
            else:
                assert ref["unresolved"] in REASONS and "revision" not in ref, (file, ref)
    assert total >= labels


def test_the_sets_share_no_file() -> None:
    seen: set[str] = set()
    for folder, _, _ in SETS:
        files = set(_manifest(folder))
        assert not files & seen, folder
        seen |= files
