"""Discovery of the Hub models and datasets an application's code, notebooks, configs and scripts name.

Pure reading of the application's files: nothing is imported, run or fetched. ``discover(root)`` walks a
folder (the files git tracks, when it is a work tree); ``discover_files`` reads given ``(path, bytes)``
pairs (a git revision's blobs, for ``scan-code --base``). Both return a :class:`~modelaudit.code_models.
Discovery` of :class:`~modelaudit.code_models.CodeReference` values, and the files that could not be read
as problems (never a silent "names nothing").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from modelaudit.code_models import CodeReference, Discovery
from modelaudit.sources.code.common import FileContext
from modelaudit.sources.code.walk import FileKind, file_kind, list_files, read_file

__all__ = ["FileKind", "discover", "discover_files", "discover_text", "file_kind"]


def _reader(kind: FileKind) -> Callable[[bytes, FileContext], bool]:
    if kind == "python":
        from modelaudit.sources.code.python import discover_python

        return discover_python
    if kind == "notebook":
        from modelaudit.sources.code.notebook import discover_notebook

        return discover_notebook
    if kind == "yaml":
        from modelaudit.sources.code.configs import discover_yaml

        return discover_yaml
    if kind == "json":
        from modelaudit.sources.code.configs import discover_json

        return discover_json
    if kind == "toml":
        from modelaudit.sources.code.configs import discover_toml

        return discover_toml
    if kind == "javascript":
        from modelaudit.sources.code.javascript import discover_javascript

        return discover_javascript
    if kind == "dockerfile":
        from modelaudit.sources.code.shell import discover_dockerfile

        return discover_dockerfile
    from modelaudit.sources.code.shell import discover_shell

    return discover_shell


def discover_text(path: str, data: bytes, exists: Callable[[str], bool] | None = None) -> FileContext:
    """The references of one file (``path`` relative to the root, POSIX), given its bytes."""
    ctx = FileContext(path, exists or (lambda _p: False))
    kind = file_kind(path, data[:256])
    if kind is not None:
        try:
            _reader(kind)(data, ctx)
        except RecursionError:
            ctx.problem("nested too deeply to read")
    return ctx


def discover_files(
    root: str, files: Iterable[tuple[str, bytes]], exists: Callable[[str], bool] | None = None
) -> Discovery:
    """Discovery over ``(path, bytes)`` pairs (paths relative to ``root``, POSIX)."""
    out = Discovery(root=root)
    refs: list[CodeReference] = []
    for path, data in files:
        kind = file_kind(path, data[:256])
        if kind is None:
            continue
        out.files_scanned += 1
        ctx = FileContext(path, exists or (lambda _p: False))
        try:
            parsed = _reader(kind)(data, ctx)
        except RecursionError:
            ctx.problem("nested too deeply to read")
            parsed = True
        if parsed:
            out.files_parsed += 1
        refs.extend(ctx.references)
        out.problems.extend(ctx.problems)
    out.references = sorted(refs, key=lambda r: (r.file, r.line, r.site, r.target or "", r.unresolved or ""))
    out.problems = sorted(out.problems, key=lambda p: (p.file, p.line or 0, p.message))
    return out


def discover(root: str) -> Discovery:
    """Discovery over a folder: the files git tracks (and untracked ones it does not ignore) in a work tree,
    else every file below ``root`` outside virtual environments, dependencies and caches."""
    paths, problems = list_files(root)
    known = set(paths)
    folders = {p.rsplit("/", i)[0] for p in paths for i in range(1, p.count("/") + 1)}

    def exists(rel: str) -> bool:
        rel = rel.strip("/")
        return rel in known or rel in folders

    def contents() -> Iterable[tuple[str, bytes]]:
        for p in paths:
            if file_kind(p, None, by_name_only=True) is None:
                continue
            data, problem = read_file(root, p)
            if problem is not None:
                problems.append(problem)
            if data is not None:
                yield p, data

    out = discover_files(root, contents(), exists)
    out.problems = sorted([*out.problems, *problems], key=lambda p: (p.file, p.line or 0, p.message))
    return out
