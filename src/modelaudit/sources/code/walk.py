"""Which files of an application discovery reads, and of what kind each is."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Literal

from modelaudit.code_models import CodeProblem

FileKind = Literal["python", "notebook", "yaml", "json", "toml", "javascript", "dockerfile", "shell"]

_BY_SUFFIX: dict[str, FileKind] = {
    ".py": "python",
    ".pyw": "python",
    ".ipynb": "notebook",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".toml": "toml",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "javascript",
    ".tsx": "javascript",
    ".mts": "javascript",
    ".cts": "javascript",
    ".sh": "shell",
    ".bash": "shell",
    ".zsh": "shell",
    ".dockerfile": "dockerfile",
}
# folders that hold other projects' code or generated files, not the application's own
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".venv",
        "venv",
        "__pycache__",
        "site-packages",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".ipynb_checkpoints",
        ".cache",
        ".eggs",
        "bower_components",
    }
)
_SKIP_FILES = frozenset({"package-lock.json", "yarn.lock", "pnpm-lock.yaml", "poetry.lock", "composer.lock"})
MAX_CODE_BYTES = 4 * 1024 * 1024
MAX_NOTEBOOK_BYTES = 32 * 1024 * 1024
_CODE_KINDS = frozenset({"python", "notebook", "javascript", "dockerfile", "shell"})


def _name_kind(path: str) -> FileKind | Literal["maybe"] | None:
    name = path.rsplit("/", 1)[-1]
    if name in _SKIP_FILES or name.endswith((".d.ts", ".min.js")):
        return None
    lower = name.lower()
    if lower in ("dockerfile", "containerfile") or lower.startswith(
        ("dockerfile.", "dockerfile_", "dockerfile-")
    ):
        return "dockerfile"
    suffix = os.path.splitext(lower)[1]
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    if not suffix:
        return "maybe"  # a script without suffix: its first line decides
    return None


def file_kind(path: str, head: bytes | None, *, by_name_only: bool = False) -> FileKind | None:
    """The kind of a file from its name (and, for files without a suffix, its ``#!`` line)."""
    kind = _name_kind(path)
    if kind != "maybe":
        return kind
    if by_name_only:
        return "shell"  # decided once the head is read
    if head is not None and head.startswith(b"#!"):
        first = head.split(b"\n", 1)[0]
        if any(sh in first for sh in (b"/sh", b"bash", b"zsh", b"env sh")):
            return "shell"
        if b"python" in first:
            return "python"
    return None


def _skipped(path: str) -> bool:
    return any(part in SKIP_DIRS for part in path.split("/")[:-1])


def list_files(root: str) -> tuple[list[str], list[CodeProblem]]:
    """The files of ``root`` (POSIX paths relative to it), sorted: git's view of the work tree when ``root``
    is in one (tracked files and untracked ones it does not ignore), else a walk below ``root``."""
    problems: list[CodeProblem] = []
    base = Path(root)
    paths = _git_files(base)
    if not paths:  # not a work tree, or a folder git ignores (a virtual environment): walk it
        paths = []
        for folder, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
            rel = Path(folder).relative_to(base).as_posix()
            for name in filenames:
                paths.append(name if rel == "." else f"{rel}/{name}")
    return sorted(p for p in paths if not _skipped(p)), problems


def _git_files(base: Path) -> list[str] | None:
    try:
        proc = subprocess.run(
            ["git", "-C", str(base), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    out = [p for p in proc.stdout.decode("utf-8", errors="surrogateescape").split("\0") if p]
    return [p for p in out if (base / p).is_file()]


def read_file(root: str, path: str) -> tuple[bytes | None, CodeProblem | None]:
    """A file's bytes, or why it was not read (too large, unreadable): a problem, never silence."""
    kind = _name_kind(path)
    full = Path(root) / path
    try:
        size = full.stat().st_size
        limit = MAX_NOTEBOOK_BYTES if kind == "notebook" else MAX_CODE_BYTES
        if size > limit:
            if kind in _CODE_KINDS:
                return None, CodeProblem(
                    file=path, message=f"larger than {limit // (1024 * 1024)} MiB: not read for references"
                )
            return None, None  # a data file, not configuration
        with full.open("rb") as fh:
            data = fh.read()
    except OSError as exc:
        return None, CodeProblem(file=path, message=f"cannot be read ({exc.strerror or exc})")
    if kind == "maybe":
        return (data, None) if file_kind(path, data[:256]) is not None else (None, None)
    return data, None
