"""Shared pieces of every language's discovery: the per-file context and turning a value into a reference."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from modelaudit.code_models import CodeProblem, CodeReference, HowFound
from modelaudit.models import RepoKind
from modelaudit.sources.code.hubids import API_PROVIDERS, CANONICAL_MODELS, classify, sentence_transformers_id

MAX_VALUE_CHARS = 200


@dataclass
class FileContext:
    """One file being read: where it is, and how to ask whether a relative path exists in the project."""

    path: str  # POSIX, relative to the root
    exists: Callable[[str], bool] = lambda _p: False  # a path relative to the root exists in the project
    references: list[CodeReference] = field(default_factory=list)
    problems: list[CodeProblem] = field(default_factory=list)

    def local_exists(self, value: str) -> bool:
        """Whether ``value`` (as written in this file) names a file or folder of the project."""
        value = value.strip().rstrip("/")
        if not value or value.startswith(("/", "~")):
            return False
        folder = self.path.rsplit("/", 1)[0] if "/" in self.path else ""
        candidates = [value] if not folder else [f"{folder}/{value}", value]
        return any(self.exists(c.removeprefix("./")) for c in candidates)

    def problem(self, message: str, line: int | None = None) -> None:
        self.problems.append(CodeProblem(file=self.path, line=line, message=message))


def clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def make_reference(
    ctx: FileContext,
    *,
    line: int,
    site: str,
    kind: RepoKind,
    text: str | None,
    how: HowFound,
    value: str,
    revision: str | None = None,
    unresolved: str | None = None,
    bare: str = "model",
    weak: bool = False,
) -> CodeReference | None:
    """The reference a site names with ``text`` (None: an unresolved value, ``unresolved`` saying why).

    ``bare`` says how a single word is read: ``model`` (a Hub id only when canonical), ``dataset`` (datasets
    keep bare ids), ``st`` (sentence-transformers' prefix), ``path`` (a relative path). With ``weak`` (a key
    that names a model only when its value looks like one), a literal word, a hosted-API name such as
    ``openai/gpt-4o`` or a non-Hub URL is not a reference at all.
    """
    base = {"file": ctx.path, "line": line, "site": site, "kind": kind, "value": clip(value)}
    literal = how in (HowFound.LITERAL, HowFound.CONFIG)
    if text is None:
        return CodeReference(**base, unresolved=unresolved or "expression")
    found = classify(text)
    if found.cls == "hub":
        assert found.repo_id is not None
        if (
            weak
            and kind is RepoKind.MODEL
            and found.kind is None
            and found.repo_id.split("/", 1)[0].lower() in API_PROVIDERS
        ):
            return None
        if found.kind is None and ctx.local_exists(text):
            return CodeReference(**base, unresolved="local path")
        rev = revision or found.revision
        if rev in ("main", "master"):
            rev = None
        is_url = "huggingface.co/" in text or "hf.co/" in text
        return CodeReference(
            **{**base, "kind": found.kind or kind},
            repo_id=found.repo_id,
            revision=rev,
            how=HowFound.URL if is_url else how,
        )
    if found.cls == "bare":
        assert found.repo_id is not None
        name = found.repo_id
        if bare == "path" or ctx.local_exists(name):
            return CodeReference(**base, unresolved="local path")
        if bare == "st":
            repo = sentence_transformers_id(name)
        elif (name in CANONICAL_MODELS and kind is RepoKind.MODEL) or (
            bare == "dataset" and not (weak and literal)
        ):
            repo = name
        elif weak and literal:
            return None
        else:
            return CodeReference(**base, unresolved="not a Hub id")
        rev = None if revision in (None, "main", "master") else revision
        return CodeReference(**base, repo_id=repo, revision=rev, how=how)
    if found.cls == "local":
        return CodeReference(**base, unresolved="local path")
    if weak and literal:
        return None
    if found.cls == "other-url":
        return CodeReference(**base, unresolved="not a Hub URL")
    if found.cls == "empty":
        return CodeReference(**base, unresolved="empty value")
    return CodeReference(**base, unresolved="not a Hub id")
