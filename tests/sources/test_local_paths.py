"""LocalSource file access: paths that leave the folder are refused on every read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from modelaudit.errors import FileNotInRepoError
from modelaudit.models import RepoRef
from modelaudit.sources.local import LocalSource


@pytest.fixture
def model(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("top secret", encoding="utf-8")
    m = tmp_path / "m"
    (m / "sub").mkdir(parents=True)
    (m / "README.md").write_text("---\nlicense: mit\n---\n", encoding="utf-8")
    (m / "sub" / "LICENSE").write_text("MIT License", encoding="utf-8")
    os.symlink(outside / "secret.txt", m / "escape.txt")
    os.symlink(m / "sub" / "LICENSE", m / "LICENSE")  # a link that stays inside
    os.symlink(outside, m / "linked-dir")
    return m


def test_reads_inside_the_folder_and_refuses_the_rest(model: Path) -> None:
    src = LocalSource()
    ref = RepoRef(repo_id="m", local_path=str(model))
    assert src.read_small(ref, "README.md") == b"---\nlicense: mit\n---\n"
    assert src.read_small(ref, "sub/LICENSE") == b"MIT License"
    assert src.read_small(ref, "LICENSE") == b"MIT License"
    assert src.read_range(ref, "sub/LICENSE", 4, 7) == b"License"
    for bad in ("escape.txt", "linked-dir/secret.txt", "../outside/secret.txt", "sub", "missing", ".", ""):
        assert src.read_small(ref, bad) is None, bad
        with pytest.raises(FileNotInRepoError):
            src.open_file(ref, bad)


def test_resolving_inside_a_resolved_folder_is_realpath(tmp_path: Path) -> None:
    from modelaudit.sources.local import resolve_in

    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "f").write_text("x")
    (tmp_path / "a" / "up").symlink_to("..")
    (tmp_path / "a" / "fl").symlink_to("b/f")
    (tmp_path / "a" / "abs").symlink_to(tmp_path / "a" / "b")
    (tmp_path / "a" / "loop").symlink_to("loop")
    (tmp_path / "a" / "dangling").symlink_to("nowhere/x")
    folder = os.path.realpath(tmp_path / "a")
    paths = [
        "", ".", "./", "b", "b/", "b/f", "b//f", "./b/./f", "b/../b/f", "..", "../..", "../a/b", "up", "up/a/b/f",
        "fl", "abs/f", "loop", "loop/x", "dangling", "missing", "missing/../b", "missing/x/..", "b/f/..",
        "/etc", "/tmp/../etc", "../../../../../../../..", "b/../../a/fl",
    ]  # fmt: skip
    for path in paths:
        assert resolve_in(folder, path) == os.path.realpath(os.path.join(folder, path)), path
