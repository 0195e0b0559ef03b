"""Shorthand for discovery tests: the references of a snippet as comparable tuples."""

from __future__ import annotations

import textwrap

from modelaudit.code_models import CodeReference
from modelaudit.sources.code import discover_text

Ref = tuple[int, str, str]  # (line, kind, repo id or "?reason")


def refs(path: str, text: str, exists: set[str] | None = None) -> list[Ref]:
    """``(line, kind, repo id)`` of every reference in ``text``; unresolved ones as ``?reason``."""
    return [short(r) for r in full(path, text, exists)]


def full(path: str, text: str, exists: set[str] | None = None) -> list[CodeReference]:
    data = textwrap.dedent(text).lstrip("\n").encode()
    known = exists or set()
    ctx = discover_text(path, data, lambda p: p in known)
    return sorted(ctx.references, key=lambda r: (r.line, r.repo_id or "", r.unresolved or ""))


def short(r: CodeReference) -> Ref:
    repo = r.repo_id if r.repo_id else f"?{r.unresolved}"
    if r.revision:
        repo = f"{repo}@{r.revision}"
    return (r.line, r.kind.value, repo)
