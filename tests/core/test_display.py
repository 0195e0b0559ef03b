"""A folder's node id is its path relative to the working directory when below it (os.path.relpath), else
the path as given."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from modelaudit.models import RepoRef


def by_relpath(path: str) -> str:
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


@pytest.mark.skipif(os.sep != "/", reason="POSIX paths")
def test_display_is_relpath_below_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "w" / "a" / "b").mkdir(parents=True)
    (tmp_path / "w" / "..hidden").mkdir()
    (tmp_path / "wx").mkdir()
    t = str(tmp_path)
    paths = [
        t, f"{t}/w", f"{t}/w/", f"{t}/w/a", f"{t}/w/a/b", f"{t}/w//a/./b", f"{t}/w/a/../a/b", f"{t}/wx",
        f"{t}/w/..hidden", f"{t}/w/..hidden/x", f"{t}/w/...", "/", "//", "/etc", f"{t}/w/a/b/",
        "relative/folder", "./w/a", "../w",
    ]  # fmt: skip
    for cwd in (f"{t}/w", f"{t}/w/a", t, "/"):
        monkeypatch.chdir(cwd)
        for path in paths:
            assert RepoRef(repo_id="x", local_path=path).display() == by_relpath(path), (cwd, path)
