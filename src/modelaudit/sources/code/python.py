"""Python discovery: parse (``ast``), find the loading calls, resolve the names they are given.

A cheap pre-filter first looks for the names of loading calls (``from_pretrained``, ``load_dataset``,
``pipeline`` ...) on lines that are not comments or doctest examples; a file without one is not parsed. In a
file that is parsed, only the statements that span such a line are visited, and names are resolved on demand:
the last assignment before the use in the same scope, enclosing functions, module constants, parameter
defaults, argparse / click options, ``os.environ.get`` fallbacks, literal lists a loop runs over, dict
literals, class attributes (``self.X``, ``Config.X``), f-strings and ``+`` of resolvable parts. Anything else is
an unresolved reference with the reason, never a guess.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from modelaudit.code_models import HowFound
from modelaudit.models import RepoKind
from modelaudit.sources.code.common import FileContext, make_reference
from modelaudit.sources.code.hubids import PACKAGED_BUILDERS

# ------------------------------------------------------------------------------------------------ pre-filter

# Names whose call (name, optional whitespace, "(") can load a model or dataset, and keywords that name one
_CALL_NEEDLES: tuple[bytes, ...] = (
    b"from_pretrained",
    b"from_single_file",
    b"load_dataset",
    b"hf_hub_download",
    b"snapshot_download",
    b"pipeline",
    b"SentenceTransformer",
    b"CrossEncoder",
    b"SparseEncoder",
    b"LLM",
    b"Llama",
    b"load_adapter",
    b"load_lora_weights",
    b"load_textual_inversion",
    b"load_attn_procs",
    b"load_ip_adapter",
    b"WhisperModel",
    b"HuggingFaceEmbedding",
    b"HuggingFaceEmbeddings",
    b"HuggingFaceBgeEmbeddings",
    b"HuggingFaceInstructEmbeddings",
    b"Trainer",
)
_KEYWORD_NEEDLES: tuple[bytes, ...] = (b"model_name_or_path",)
_ALIAS_NEEDLE = re.compile(
    rb"import[^\n]*\b(?:load_dataset|pipeline|hf_hub_download|snapshot_download|SentenceTransformer|LLM)\s+as\s"
)
_SKIP_PREFIXES = (b"#", b">>>", b"...")


def trigger_lines(data: bytes) -> set[int] | None:
    """Lines (1-based) where a loading call or keyword may be; None when the whole file must be visited
    (a loading function imported under another name)."""
    lines: set[int] = set()
    for needle in _CALL_NEEDLES + _KEYWORD_NEEDLES:
        is_kw = needle in _KEYWORD_NEEDLES
        start = 0
        while True:
            pos = data.find(needle, start)
            if pos < 0:
                break
            start = pos + len(needle)
            end = start
            if needle == b"from_pretrained":  # its variants too: from_pretrained_no_processing(
                while end < len(data) and (data[end] == 95 or chr(data[end]).isalnum()):
                    end += 1
            while end < len(data) and data[end] in b" \t\r\n\\":
                end += 1
            if end >= len(data) or data[end : end + 1] != (b"=" if is_kw else b"("):
                continue
            if is_kw and data[end + 1 : end + 2] == b"=":
                continue
            line_start = data.rfind(b"\n", 0, pos) + 1
            if data[line_start:pos].lstrip().startswith(_SKIP_PREFIXES):
                continue
            lines.add(data.count(b"\n", 0, pos) + 1)
    if _ALIAS_NEEDLE.search(data):
        return None
    return lines


# ------------------------------------------------------------------------------------------------ values


@dataclass(frozen=True)
class Val:
    """A string the expression may have."""

    text: str
    how: HowFound


@dataclass(frozen=True)
class Unres:
    """An expression whose string cannot be told; ``partial`` is its known leading text, if any."""

    reason: str
    partial: str = ""


@dataclass(frozen=True)
class Obj:
    """Not a string: an object (a loaded model, a call's result, a number); ``call`` names the call."""

    call: str = ""


Value = Val | Unres | Obj
OBJ = Obj()
# calls whose result is a path to something discovery reports at that call already
_SITE_CALLS = frozenset(
    {
        "hf_hub_download",
        "snapshot_download",
        "from_pretrained",
        "cached_path",
        "cached_file",
        "try_to_load_from_cache",
    }
)
MAX_VALUES = 16
MAX_DEPTH = 14

_HOW_RANK = {
    HowFound.LITERAL: 0,
    HowFound.CONSTANT: 1,
    HowFound.DEFAULT: 2,
    HowFound.CONFIG: 3,
    HowFound.URL: 0,
}


def _weaker(a: HowFound, b: HowFound) -> HowFound:
    return a if _HOW_RANK[a] >= _HOW_RANK[b] else b


def _via(values: list[Value], how: HowFound) -> list[Value]:
    return [Val(v.text, _weaker(v.how, how)) if isinstance(v, Val) else v for v in values]


def _dedupe(values: Iterable[Value]) -> list[Value]:
    out: list[Value] = []
    seen: set[Value] = set()
    for v in values:
        if v not in seen:
            seen.add(v)
            out.append(v)
        if len(out) >= MAX_VALUES:
            break
    return out


# ------------------------------------------------------------------------------------------------ scopes

BindingKind = Literal["assign", "loop", "param", "import", "def", "global", "opaque", "unpack"]


@dataclass
class Binding:
    kind: BindingKind
    pos: tuple[int, int]
    expr: ast.expr | None = None  # assign: the value; loop: the iterable; param: the default
    index: tuple[int, ...] = ()  # loop / unpack: position of the name in the target tuple
    module: str = ""  # import: the dotted name it binds
    func: ast.FunctionDef | ast.AsyncFunctionDef | None = None  # param: its function
    annotation: ast.expr | None = None


@dataclass
class Scope:
    node: ast.AST  # Module, FunctionDef, AsyncFunctionDef, Lambda or ClassDef
    parent: Scope | None
    bindings: dict[str, list[Binding]] | None = None
    globals_: set[str] = field(default_factory=set)
    cls: ast.ClassDef | None = None  # the class a method belongs to

    @property
    def is_class(self) -> bool:
        return isinstance(self.node, ast.ClassDef)


def _pos(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def _target_names(target: ast.expr, path: tuple[int, ...] = ()) -> Iterator[tuple[str, tuple[int, ...]]]:
    if isinstance(target, ast.Name):
        yield target.id, path
    elif isinstance(target, ast.Tuple | ast.List):
        for i, elt in enumerate(target.elts):
            yield from _target_names(elt, (*path, i))
    elif isinstance(target, ast.Starred):
        yield from _target_names(target.value, path)


class _Binder(ast.NodeVisitor):
    """Collects the bindings of one scope, without entering nested functions and classes."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.out: dict[str, list[Binding]] = {}

    def add(self, name: str, b: Binding) -> None:
        self.out.setdefault(name, []).append(b)

    def run(self) -> dict[str, list[Binding]]:
        node = self.scope.node
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            self._params(node)
            body: Sequence[ast.AST] = node.body if not isinstance(node, ast.Lambda) else [node.body]
        else:
            body = getattr(node, "body", [])
        for stmt in body:
            self.visit(stmt)
        return self.out

    def _params(self, fn: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        a = fn.args
        positional = [*a.posonlyargs, *a.args]
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
        func = fn if not isinstance(fn, ast.Lambda) else None
        for arg, default in zip(positional, defaults, strict=True):
            self.add(arg.arg, Binding("param", (0, 0), default, func=func, annotation=arg.annotation))
        for arg, kw_default in zip(a.kwonlyargs, a.kw_defaults, strict=True):
            self.add(arg.arg, Binding("param", (0, 0), kw_default, func=func, annotation=arg.annotation))
        for star in (a.vararg, a.kwarg):
            if star is not None:
                self.add(star.arg, Binding("opaque", (0, 0)))

    # nested scopes: a binding of their name only
    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.add(node.name, Binding("def", _pos(node)))

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self.add(node.name, Binding("def", _pos(node)))

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.add(node.name, Binding("def", _pos(node)))

    def visit_Lambda(self, node: ast.Lambda) -> None:
        return

    def visit_ListComp(self, node: ast.ListComp) -> None:
        return

    def visit_SetComp(self, node: ast.SetComp) -> None:
        return

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> None:
        return

    def visit_DictComp(self, node: ast.DictComp) -> None:
        return

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            if isinstance(target, ast.Name):
                self.add(target.id, Binding("assign", _pos(node), node.value))
            else:
                for name, path in _target_names(target):
                    self.add(name, Binding("unpack", _pos(node), node.value, path))
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if isinstance(node.target, ast.Name) and node.value is not None:
            self.add(node.target.id, Binding("assign", _pos(node), node.value, annotation=node.annotation))

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.target, ast.Name):
            self.add(node.target.id, Binding("opaque", _pos(node)))

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.add(node.target.id, Binding("assign", _pos(node), node.value))
        self.generic_visit(node)

    def _loop(self, node: ast.For | ast.AsyncFor) -> None:
        for name, path in _target_names(node.target):
            self.add(name, Binding("loop", _pos(node), node.iter, path))
        for stmt in [*node.body, *node.orelse]:
            self.visit(stmt)

    def visit_For(self, node: ast.For) -> None:
        self._loop(node)

    def visit_AsyncFor(self, node: ast.AsyncFor) -> None:
        self._loop(node)

    def _with(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            if item.optional_vars is not None:
                for name, _ in _target_names(item.optional_vars):
                    self.add(name, Binding("opaque", _pos(node)))
        for stmt in node.body:
            self.visit(stmt)

    def visit_With(self, node: ast.With) -> None:
        self._with(node)

    def visit_AsyncWith(self, node: ast.AsyncWith) -> None:
        self._with(node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.add(node.name, Binding("opaque", _pos(node)))
        for stmt in node.body:
            self.visit(stmt)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            name = alias.asname or alias.name.split(".", 1)[0]
            module = alias.name if alias.asname else alias.name.split(".", 1)[0]
            self.add(name, Binding("import", _pos(node), module=module))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = "." * node.level + (node.module or "")
        for alias in node.names:
            if alias.name == "*":
                self.add("*", Binding("import", _pos(node), module=base))
                continue
            self.add(alias.asname or alias.name, Binding("import", _pos(node), module=f"{base}.{alias.name}"))

    def visit_Global(self, node: ast.Global) -> None:
        self.scope.globals_.update(node.names)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        for name in node.names:
            self.add(name, Binding("opaque", _pos(node)))


# ------------------------------------------------------------------------------------------------ sites

_PEFT_SECOND = re.compile(r"^Peft(Model|MixedModel)\w*$")
_FROM_PRETRAINED_KW = (
    "pretrained_model_name_or_path",
    "model_name_or_path",
    "model_id",
    "model_name",
    "repo_id",
    "model_path_or_repo_id",
    "pretrained_model_link_or_path",
)
_ADAPTER_METHODS = {
    "load_adapter": ("peft_model_id", "pretrained_model_name_or_path", "model_id"),
    "load_lora_weights": ("pretrained_model_name_or_path_or_dict", "pretrained_model_name_or_path"),
    "load_textual_inversion": ("pretrained_model_name_or_path",),
    "load_attn_procs": ("pretrained_model_name_or_path_or_dict",),
    "load_ip_adapter": ("pretrained_model_name_or_path_or_dict",),
}
_GENERIC_KW = ("pretrained_model_name_or_path", "model_name_or_path")


@dataclass(frozen=True)
class Site:
    name: str  # shown in the report: "AutoModel.from_pretrained", "load_dataset", ...
    kind: RepoKind
    arg: ast.expr | None  # the expression naming the repo; None when absent
    strict: bool  # the argument is always a name or path (an object there is impossible)
    bare: str = "model"
    missing: str | None = None  # when the argument is absent: the unresolved reason (else: no reference)
    revision: ast.expr | None = None
    repo_type: ast.expr | None = None


def _arg(call: ast.Call, index: int | None, keywords: Iterable[str]) -> ast.expr | None:
    names = tuple(keywords)
    for kw in call.keywords:
        if kw.arg in names:
            return kw.value
    if index is not None and len(call.args) > index and not isinstance(call.args[index], ast.Starred):
        return call.args[index]
    return None


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def _dotted(node: ast.expr) -> str:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    elif isinstance(node, ast.Call):
        parts.append(_dotted(node.func) + "()")
    else:
        parts.append("…")
    return ".".join(reversed(parts))


# ------------------------------------------------------------------------------------------------ analysis


class PythonFile:
    """Discovery over one parsed module (a .py file, a notebook's cells, a ``python -c`` string)."""

    def __init__(self, tree: ast.Module, ctx: FileContext, line_map: Sequence[int] | None = None) -> None:
        self.tree = tree
        self.ctx = ctx
        self.line_map = line_map
        self.module = Scope(tree, None)
        self._scopes: dict[int, Scope] = {}
        self._argparse: dict[str, list[ast.Call]] | None = None
        self._classes: dict[str, ast.ClassDef] | None = None
        self._click: dict[int, dict[str, ast.Call]] = {}
        self._active: set[tuple[int, str]] = set()

    # -- lines
    def line(self, node: ast.AST) -> int:
        n = getattr(node, "lineno", 1)
        if self.line_map is not None and 0 < n <= len(self.line_map):
            return self.line_map[n - 1]
        return int(n)

    # -- traversal
    def run(self, lines: set[int] | None) -> None:
        self._visit_body(self.tree.body, self.module, lines)

    def _visit_body(self, body: Sequence[ast.stmt], scope: Scope, lines: set[int] | None) -> None:
        for stmt in body:
            if lines is not None:
                end = getattr(stmt, "end_lineno", stmt.lineno) or stmt.lineno
                first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", []))])
                if not any(first <= n <= end for n in lines):
                    continue
            self._visit_stmt(stmt, scope, lines)

    def _visit_stmt(self, stmt: ast.stmt, scope: Scope, lines: set[int] | None) -> None:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            for expr in [*stmt.decorator_list, *stmt.args.defaults, *(d for d in stmt.args.kw_defaults if d)]:
                self._visit_expr(expr, scope)
            inner = self._scope(stmt, scope)
            self._visit_body(stmt.body, inner, lines)
        elif isinstance(stmt, ast.ClassDef):
            for expr in [*stmt.decorator_list, *stmt.bases]:
                self._visit_expr(expr, scope)
            self._visit_body(stmt.body, self._scope(stmt, scope), lines)
        else:
            for name, value in ast.iter_fields(stmt):
                if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                    self._visit_body(value, scope, lines)
                elif isinstance(value, list):
                    for item in value:
                        if isinstance(item, ast.expr):
                            self._visit_expr(item, scope)
                        elif isinstance(item, ast.ExceptHandler):
                            self._visit_body(item.body, scope, lines)
                        elif isinstance(item, ast.withitem):
                            self._visit_expr(item.context_expr, scope)
                        elif isinstance(item, ast.match_case):
                            self._visit_body(item.body, scope, lines)
                elif isinstance(value, ast.expr):
                    self._visit_expr(value, scope)
                del name

    def _visit_expr(self, expr: ast.expr, scope: Scope) -> None:
        for node in ast.walk(expr):
            if isinstance(node, ast.Call):
                self._call(node, scope)

    def _scope(self, node: ast.AST, parent: Scope) -> Scope:
        found = self._scopes.get(id(node))
        if found is None:
            cls = parent.cls
            if isinstance(parent.node, ast.ClassDef):
                cls = parent.node
            # methods see the module, not the class body; the class is kept for self.X
            visible_parent = parent.parent if parent.is_class and parent.parent is not None else parent
            found = Scope(node, visible_parent, cls=cls)
            self._scopes[id(node)] = found
        return found

    def _bindings(self, scope: Scope) -> dict[str, list[Binding]]:
        if scope.bindings is None:
            scope.bindings = _Binder(scope).run()
        return scope.bindings

    # -- imports
    def imported(self, name: str, scope: Scope) -> str | None:
        """The dotted module path a name was imported as (innermost scope first), else None."""
        s: Scope | None = scope
        while s is not None:
            for b in reversed(self._bindings(s).get(name, [])):
                if b.kind == "import":
                    return b.module
                if b.kind in ("def", "assign"):
                    return None
            s = s.parent
        return None

    def star_imports(self) -> list[str]:
        return [b.module for b in self._bindings(self.module).get("*", [])]

    def _from(self, name: str, scope: Scope, packages: tuple[str, ...], default: bool = False) -> bool:
        """Whether ``name`` was imported from one of ``packages`` (or, with ``default``, is not defined here)."""
        module = self.imported(name, scope)
        if module is not None:
            return module.split(".", 1)[0] in packages
        if self._defined(name, scope):
            return False
        if any(m.split(".", 1)[0] in packages for m in self.star_imports()):
            return True
        return default

    def _defined(self, name: str, scope: Scope) -> bool:
        s: Scope | None = scope
        while s is not None:
            if self._bindings(s).get(name):
                return True
            s = s.parent
        return False

    def _module_is(self, node: ast.expr, scope: Scope, packages: tuple[str, ...]) -> bool:
        """Whether an attribute's base (``transformers`` in ``transformers.pipeline``) is one of ``packages``."""
        if isinstance(node, ast.Name):
            module = self.imported(node.id, scope)
            return module is not None and module.split(".", 1)[0] in packages
        if isinstance(node, ast.Attribute):
            return self._module_is(node.value, scope, packages)
        return False

    # -- recognising sites
    def site(self, call: ast.Call, scope: Scope) -> Site | None:
        func = call.func
        if isinstance(func, ast.Attribute):
            attr = func.attr
            # from_pretrained and its variants (transformer_lens' from_pretrained_no_processing, ...)
            if attr.startswith("from_pretrained") or attr == "from_single_file":
                receiver = _dotted(func.value)
                last = receiver.rsplit(".", 1)[-1]
                if _PEFT_SECOND.match(last):
                    arg = _arg(call, 1, ("model_id",))
                else:
                    arg = _arg(call, 0, _FROM_PRETRAINED_KW)
                return Site(
                    f"{receiver}.{attr}",
                    RepoKind.MODEL,
                    arg,
                    True,
                    revision=_kw(call, "revision"),
                    missing="expression"
                    if call.keywords and any(k.arg is None for k in call.keywords)
                    else None,
                )
            if attr in _ADAPTER_METHODS:
                arg = _arg(call, 0, _ADAPTER_METHODS[attr])
                if arg is not None and not (isinstance(arg, ast.Constant) and not isinstance(arg.value, str)):
                    return Site(f"{_dotted(func.value)}.{attr}", RepoKind.MODEL, arg, False)
                return None
            if attr in ("hf_hub_download", "snapshot_download"):
                return self._hub_site(call, attr)
            if attr == "load_dataset" and self._module_is(func.value, scope, ("datasets",)):
                return self._dataset_site(call, f"{_dotted(func.value)}.load_dataset")
            if attr == "pipeline" and self._module_is(func.value, scope, ("transformers", "optimum")):
                return self._pipeline_site(call, f"{_dotted(func.value)}.pipeline")
            return self._constructor(call, attr, f"{_dotted(func.value)}.{attr}", scope, module_of=func.value)
        if isinstance(func, ast.Name):
            name = func.id
            module = self.imported(name, scope)
            original = module.rsplit(".", 1)[-1] if module else name
            if original == "pipeline" and self._from(name, scope, ("transformers", "optimum")):
                return self._pipeline_site(call, name)
            if original == "load_dataset" and self._from(name, scope, ("datasets",)):
                return self._dataset_site(call, name)
            if original in ("hf_hub_download", "snapshot_download") and self._from(
                name, scope, ("huggingface_hub",), default=True
            ):
                return self._hub_site(call, name)
            return self._constructor(call, original, name, scope, bare_name=name)
        return None

    def _hub_site(self, call: ast.Call, name: str) -> Site:
        return Site(
            name,
            RepoKind.MODEL,
            _arg(call, 0, ("repo_id",)),
            True,
            revision=_kw(call, "revision"),
            repo_type=_kw(call, "repo_type"),
        )

    def _dataset_site(self, call: ast.Call, name: str) -> Site:
        return Site(
            name, RepoKind.DATASET, _arg(call, 0, ("path",)), True, "dataset", revision=_kw(call, "revision")
        )

    def _pipeline_site(self, call: ast.Call, name: str) -> Site:
        arg = _arg(call, 1, ("model",))
        has_task = bool(call.args) or _kw(call, "task") is not None
        return Site(
            name,
            RepoKind.MODEL,
            arg,
            False,
            missing="task default" if has_task else None,
            revision=_kw(call, "revision"),
        )

    def _constructor(
        self,
        call: ast.Call,
        original: str,
        shown: str,
        scope: Scope,
        *,
        bare_name: str | None = None,
        module_of: ast.expr | None = None,
    ) -> Site | None:
        def from_pkg(*packages: str) -> bool:
            if bare_name is not None:
                return self._from(bare_name, scope, packages)
            return module_of is not None and self._module_is(module_of, scope, packages)

        if original == "SentenceTransformer" and from_pkg("sentence_transformers"):
            return Site(
                shown,
                RepoKind.MODEL,
                _arg(call, 0, ("model_name_or_path",)),
                True,
                "st",
                revision=_kw(call, "revision"),
            )
        if original in ("CrossEncoder", "SparseEncoder") and from_pkg("sentence_transformers"):
            return Site(
                shown,
                RepoKind.MODEL,
                _arg(call, 0, ("model_name_or_path", "model_name")),
                True,
                revision=_kw(call, "revision"),
            )
        if original == "LLM" and from_pkg("vllm"):
            return Site(
                shown, RepoKind.MODEL, _arg(call, 0, ("model",)), True, revision=_kw(call, "revision")
            )
        if original == "Llama" and from_pkg("llama_cpp"):
            return Site(shown, RepoKind.MODEL, _arg(call, 0, ("model_path",)), True, "path")
        if original == "WhisperModel" and from_pkg("faster_whisper"):
            return Site(shown, RepoKind.MODEL, _arg(call, 0, ("model_size_or_path",)), True)
        if original in (
            "HuggingFaceEmbeddings",
            "HuggingFaceBgeEmbeddings",
            "HuggingFaceInstructEmbeddings",
        ) and (from_pkg("langchain", "langchain_community", "langchain_huggingface")):
            return Site(shown, RepoKind.MODEL, _kw(call, "model_name"), True, "st", missing="library default")
        if original == "HuggingFaceEmbedding" and from_pkg("llama_index"):
            return Site(shown, RepoKind.MODEL, _kw(call, "model_name"), True, "st", missing="library default")
        if original.endswith("Trainer") and from_pkg("trl"):
            return Site(shown, RepoKind.MODEL, _arg(call, 0, ("model",)), False)
        for kw in call.keywords:
            if kw.arg in _GENERIC_KW:
                return Site(f"{shown}({kw.arg}=)", RepoKind.MODEL, kw.value, True)
        return None

    # -- a call
    def _call(self, call: ast.Call, scope: Scope) -> None:
        site = self.site(call, scope)
        if site is None:
            return
        kind = site.kind
        if site.repo_type is not None:
            types = {v.text for v in self.values(site.repo_type, scope) if isinstance(v, Val)}
            if types & {"space", "spaces"}:
                return
            if types & {"dataset", "datasets"}:
                kind = RepoKind.DATASET
        bare = "dataset" if kind is RepoKind.DATASET and site.bare == "model" else site.bare
        revision = None
        if site.revision is not None:
            revs = [v.text for v in self.values(site.revision, scope) if isinstance(v, Val)]
            revision = revs[0] if len(revs) == 1 else None
        if site.arg is None:
            if site.missing is not None:
                self._emit(call, site, kind, None, HowFound.LITERAL, "", revision, site.missing, bare)
            return
        values = self.values(site.arg, scope)
        if not values:
            return
        shown = ast.unparse(site.arg)
        for v in values:
            if isinstance(v, Obj):
                if site.strict and v.call and v.call not in _SITE_CALLS:
                    self._emit(
                        site.arg, site, kind, None, HowFound.LITERAL, shown, revision, "expression", bare
                    )
                continue
            if isinstance(v, Unres):
                if not site.strict and not self._stringish(site.arg, scope):
                    continue
                reason = v.reason
                if v.partial and v.partial.startswith(("/", "./", "../", "~")):
                    reason = "local path"
                self._emit(site.arg, site, kind, None, HowFound.LITERAL, shown, revision, reason, bare)
                continue
            if site.bare == "dataset" and kind is RepoKind.DATASET and v.text.strip() in PACKAGED_BUILDERS:
                continue
            self._emit(site.arg, site, kind, v.text, v.how, shown, revision, None, bare)

    def _stringish(self, expr: ast.expr, scope: Scope) -> bool:
        """At a site that also takes objects (``pipeline(model=...)``): whether an unresolved name is a name."""
        name = ""
        if isinstance(expr, ast.Name):
            name = expr.id
            for b in self._visible(expr.id, scope):
                if b.kind == "param" and isinstance(b.annotation, ast.Name) and b.annotation.id == "str":
                    return True
        elif isinstance(expr, ast.Attribute):
            name = expr.attr
        elif isinstance(expr, ast.Subscript):
            key = expr.slice
            name = key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else ""
        elif isinstance(expr, ast.JoinedStr | ast.BinOp):
            return True
        return bool(
            re.search(r"name|path|_id$|^id$|repo|checkpoint|ckpt|lora|adapter|weights?$", name.lower())
        )

    def _emit(
        self,
        node: ast.AST,
        site: Site,
        kind: RepoKind,
        text: str | None,
        how: HowFound,
        shown: str,
        revision: str | None,
        unresolved: str | None,
        bare: str,
    ) -> None:
        ref = make_reference(
            self.ctx,
            line=self.line(node),
            site=site.name,
            kind=kind,
            text=text,
            how=how,
            value=shown,
            revision=revision,
            unresolved=unresolved,
            bare=bare,
        )
        if ref is not None and ref not in self.ctx.references:
            self.ctx.references.append(ref)

    # -- values
    def values(self, expr: ast.expr, scope: Scope, depth: int = 0) -> list[Value]:
        if depth > MAX_DEPTH:
            return [Unres("expression")]
        return _dedupe(self._values(expr, scope, depth))

    def _values(self, expr: ast.expr, scope: Scope, depth: int) -> list[Value]:
        if isinstance(expr, ast.Constant):
            if isinstance(expr.value, str):
                return [Val(expr.value, HowFound.LITERAL)]
            if expr.value is None:
                return []
            return [OBJ]
        if isinstance(expr, ast.Name):
            return _via(self.resolve(expr.id, scope, _pos(expr), depth + 1), HowFound.CONSTANT)
        if isinstance(expr, ast.JoinedStr):
            parts: list[list[Value]] = []
            for part in expr.values:
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    parts.append([Val(part.value, HowFound.LITERAL)])
                elif isinstance(part, ast.FormattedValue):
                    if part.format_spec is not None:
                        parts.append([Unres("expression")])
                    else:
                        parts.append(self.values(part.value, scope, depth + 1) or [Unres("expression")])
                else:
                    parts.append([Unres("expression")])
            return _concat(parts)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            return _concat(
                [
                    self.values(expr.left, scope, depth + 1) or [Unres("expression")],
                    self.values(expr.right, scope, depth + 1) or [Unres("expression")],
                ]
            )
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Div):  # pathlib: Path(a) / "b"
            return _concat(
                [
                    self.values(expr.left, scope, depth + 1) or [Unres("expression")],
                    [Val("/", HowFound.LITERAL)],
                    self.values(expr.right, scope, depth + 1) or [Unres("expression")],
                ]
            )
        if isinstance(expr, ast.IfExp):
            return self.values(expr.body, scope, depth + 1) + self.values(expr.orelse, scope, depth + 1)
        if isinstance(expr, ast.BoolOp):
            if isinstance(expr.op, ast.And):
                return self.values(expr.values[-1], scope, depth + 1)
            out: list[Value] = []
            for operand in expr.values:
                vals = self.values(operand, scope, depth + 1)
                out.extend(v for v in vals if not (isinstance(v, Val) and not v.text))
            return out or [Unres("expression")]
        if isinstance(expr, ast.Call):
            return self._call_value(expr, scope, depth)
        if isinstance(expr, ast.Attribute):
            return self._attribute(expr, scope, depth)
        if isinstance(expr, ast.Subscript):
            return self._subscript(expr, scope, depth)
        if isinstance(expr, ast.Starred):
            return [Unres("expression")]
        if isinstance(
            expr, ast.List | ast.Tuple | ast.Dict | ast.Set | ast.Lambda | ast.ListComp | ast.DictComp
        ):
            return [OBJ]
        return [Unres("expression")]

    def _call_value(self, call: ast.Call, scope: Scope, depth: int) -> list[Value]:
        func = _dotted(call.func)
        last = func.rsplit(".", 1)[-1]
        if func in ("os.environ.get", "os.getenv", "environ.get", "getenv"):
            default = call.args[1] if len(call.args) > 1 else _kw(call, "default")
            if default is None:
                return [Unres("environment variable")]
            vals = [
                v for v in self.values(default, scope, depth + 1) if not (isinstance(v, Val) and not v.text)
            ]
            return _via(vals, HowFound.DEFAULT) or [Unres("environment variable")]
        if func in ("os.path.join", "path.join", "osp.join", "posixpath.join") or last in (
            "Path",
            "PurePath",
        ):
            if not call.args:
                return [Unres("expression")]
            parts: list[list[Value]] = []
            for i, a in enumerate(call.args):
                if i:
                    parts.append([Val("/", HowFound.LITERAL)])
                parts.append(self.values(a, scope, depth + 1) or [Unres("expression")])
            return _concat(parts)
        if func == "str" and len(call.args) == 1:
            return self.values(call.args[0], scope, depth + 1)
        if isinstance(call.func, ast.Attribute) and call.func.attr in ("strip", "rstrip", "lstrip"):
            base = self.values(call.func.value, scope, depth + 1)
            return [Val(v.text.strip(), v.how) if isinstance(v, Val) else v for v in base]
        if isinstance(call.func, ast.Attribute) and call.func.attr == "format":
            return [Unres("expression")]
        if last.endswith("parse_args") or last == "parse_known_args":
            return [OBJ]
        if isinstance(call.func, ast.Name) and call.func.id == "input":
            return [Unres("user input")]
        return [Obj(last)]

    def _attribute(self, expr: ast.Attribute, scope: Scope, depth: int) -> list[Value]:
        base = expr.value
        attr = expr.attr
        if isinstance(base, ast.Name):
            if base.id == "self" and scope.cls is not None:
                return self._self_attr(scope.cls, attr, scope, depth)
            if base.id in ("sys",) and attr == "argv":
                return [Unres("command-line argument")]
            bindings = self._visible(base.id, scope, _pos(base))
            last = bindings[-1] if bindings else None
            if last is not None and last.kind == "import":
                return [Unres("imported name")]
            if last is not None and last.kind == "def":
                cls = self.classes().get(base.id)
                if cls is not None:
                    found = self._class_attr(cls, attr, depth)
                    if found is not None:
                        return found
                return [Unres("expression")]
            if (
                last is not None
                and last.kind in ("assign", "unpack")
                and isinstance(last.expr, ast.Call | ast.Subscript)
            ):
                call = last.expr.value if isinstance(last.expr, ast.Subscript) else last.expr
                if isinstance(call, ast.Call):
                    fname = _dotted(call.func).rsplit(".", 1)[-1]
                    if fname.endswith("parse_args") or fname in (
                        "parse_known_args",
                        "parse_args_into_dataclasses",
                    ):
                        return self._cli_default(attr, depth)
                    cls = self.classes().get(fname)
                    if cls is not None:
                        found = self._class_attr(cls, attr, depth)
                        if found is not None:
                            return found
            if last is None or last.kind in ("param", "opaque", "unpack"):
                parsed = self._cli_default(attr, depth, only_if_defined=True)
                if parsed:
                    return parsed
            if last is not None and last.kind == "import":
                return [Unres("imported name")]
        return [Unres("expression")]

    def _subscript(self, expr: ast.Subscript, scope: Scope, depth: int) -> list[Value]:
        base = expr.value
        if _dotted(base) in ("sys.argv",):
            return [Unres("command-line argument")]
        if _dotted(base) in ("os.environ", "environ"):
            return [Unres("environment variable")]
        key = expr.slice
        keys = (
            [v.text for v in self.values(key, scope, depth + 1) if isinstance(v, Val)]
            if isinstance(key, ast.Constant | ast.Name)
            else []
        )
        index = key.value if isinstance(key, ast.Constant) and isinstance(key.value, int) else None
        out: list[Value] = []
        for container, cscope in self.containers(base, scope, depth + 1):
            if isinstance(container, ast.Dict):
                for k, v in zip(container.keys, container.values, strict=True):
                    if isinstance(k, ast.Constant) and k.value in keys:
                        out.extend(self.values(v, cscope, depth + 1))
            elif (
                isinstance(container, ast.List | ast.Tuple)
                and index is not None
                and -len(container.elts) <= index < len(container.elts)
            ):
                out.extend(self.values(container.elts[index], cscope, depth + 1))
        if out:
            return _via(out, HowFound.CONSTANT)
        if isinstance(base, ast.Name):
            bindings = self._visible(base.id, scope, _pos(base))
            if bindings and bindings[-1].kind == "import":
                return [Unres("imported name")]
        return [Unres("expression")]

    def containers(self, expr: ast.expr, scope: Scope, depth: int) -> list[tuple[ast.expr, Scope]]:
        """The literal dicts / lists an expression may be (through names and loop variables)."""
        if depth > MAX_DEPTH:
            return []
        if isinstance(expr, ast.Dict | ast.List | ast.Tuple):
            return [(expr, scope)]
        as_dict = _dict_call(expr)
        if as_dict is not None:
            return [(as_dict, scope)]
        if isinstance(expr, ast.Name):
            out: list[tuple[ast.expr, Scope]] = []
            for b, bscope in self._resolve_bindings(expr.id, scope, _pos(expr)):
                if b.kind == "assign" and b.expr is not None:
                    out.extend(self.containers(b.expr, bscope, depth + 1))
                elif b.kind == "loop" and b.expr is not None:
                    for item, iscope in self._iter_items(b.expr, bscope, depth + 1):
                        elt = _pick(item, b.index)
                        if elt is not None:
                            out.extend(self.containers(elt, iscope, depth + 1))
            return out
        return []

    # -- names
    def _visible(self, name: str, scope: Scope, at: tuple[int, int] | None = None) -> list[Binding]:
        for b, _ in self._resolve_bindings(name, scope, at):
            return [b]
        return []

    def _resolve_bindings(
        self, name: str, scope: Scope, at: tuple[int, int] | None
    ) -> list[tuple[Binding, Scope]]:
        """The binding a use of ``name`` at ``at`` sees: the last one before it in the same scope, else the
        parameter, else the last one of the nearest enclosing scope that binds it."""
        s: Scope | None = scope
        first = True
        if name in scope.globals_:
            s = self.module
            first = False
        while s is not None:
            if s.is_class:
                s = s.parent
                continue
            bindings = self._bindings(s).get(name, [])
            if bindings:
                ordered = [b for b in bindings if b.kind != "param"]
                params = [b for b in bindings if b.kind == "param"]
                if first and at is not None:
                    before = [b for b in ordered if b.pos < at]
                    if before:
                        return [(before[-1], s)]
                    if params:
                        return [(params[-1], s)]
                    if ordered and s is self.module:
                        return [(ordered[-1], s)]
                else:
                    if ordered:
                        return [(ordered[-1], s)]
                    if params:
                        return [(params[-1], s)]
            s = s.parent
            first = False
        return []

    def resolve(self, name: str, scope: Scope, at: tuple[int, int], depth: int) -> list[Value]:
        key = (id(scope), name)
        if key in self._active or depth > MAX_DEPTH:
            return [Unres("expression")]
        found = self._resolve_bindings(name, scope, at)
        if not found:
            if self.star_imports():
                return [Unres("imported name")]
            return [Unres("name not defined in this file")]
        binding, bscope = found[0]
        self._active.add(key)
        try:
            return self._binding_values(name, binding, bscope, depth)
        finally:
            self._active.discard(key)

    def _binding_values(self, name: str, b: Binding, scope: Scope, depth: int) -> list[Value]:
        if b.kind == "assign" and b.expr is not None:
            return self.values(b.expr, scope, depth + 1)
        if b.kind == "unpack" and b.expr is not None:
            elt = _pick(b.expr, b.index)
            return self.values(elt, scope, depth + 1) if elt is not None else [Unres("expression")]
        if b.kind == "loop" and b.expr is not None:
            out: list[Value] = []
            for item, iscope in self._iter_items(b.expr, scope, depth + 1):
                elt = _pick(item, b.index)
                out.extend(self.values(elt, iscope, depth + 1) if elt is not None else [Unres("expression")])
            return out or [Unres("expression")]
        if b.kind == "param":
            click_default = self._click_default(b.func, name, depth)
            if click_default is not None:
                return click_default
            if b.expr is not None:
                vals = self.values(b.expr, scope, depth + 1)
                vals = [v for v in vals if not (isinstance(v, Val) and not v.text)]
                return _via(vals, HowFound.DEFAULT) or [Unres("parameter")]
            return [Unres("parameter")]
        if b.kind == "import":
            return [Unres("imported name")]
        if b.kind == "def":
            return [OBJ]
        return [Unres("expression")]

    def _iter_items(self, expr: ast.expr, scope: Scope, depth: int) -> list[tuple[ast.expr, Scope]]:
        """The elements a ``for`` loop over ``expr`` takes, when ``expr`` is (or names) a literal."""
        if (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Attribute)
            and expr.func.attr
            in (
                "items",
                "keys",
                "values",
            )
        ):
            out: list[tuple[ast.expr, Scope]] = []
            for c, cscope in self.containers(expr.func.value, scope, depth):
                if isinstance(c, ast.Dict):
                    for k, v in zip(c.keys, c.values, strict=True):
                        if k is None:
                            continue
                        item = {"keys": k, "values": v}.get(expr.func.attr) or ast.Tuple(
                            elts=[k, v], ctx=ast.Load()
                        )
                        out.append((item, cscope))
            return out
        if isinstance(expr, ast.Call) and _dotted(expr.func) in ("enumerate",) and expr.args:
            return [
                (ast.Tuple(elts=[ast.Constant(i), e], ctx=ast.Load()), s)
                for i, (e, s) in enumerate(self._iter_items(expr.args[0], scope, depth))
            ]
        out = []
        for c, cscope in self.containers(expr, scope, depth):
            if isinstance(c, ast.List | ast.Tuple):
                out.extend((e, cscope) for e in c.elts)
            elif isinstance(c, ast.Dict):
                out.extend((k, cscope) for k in c.keys if k is not None)
        if not out and isinstance(expr, ast.Set):
            out.extend((e, scope) for e in expr.elts)
        return out

    # -- classes
    def classes(self) -> dict[str, ast.ClassDef]:
        if self._classes is None:
            self._classes = {}
            for node in ast.walk(self.tree):
                if isinstance(node, ast.ClassDef):
                    self._classes.setdefault(node.name, node)
        return self._classes

    def _class_attr(self, cls: ast.ClassDef, attr: str, depth: int) -> list[Value] | None:
        scope = self._scope(cls, self.module)
        for stmt in reversed(cls.body):
            value: ast.expr | None = None
            if isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == attr for t in stmt.targets
            ):
                value = stmt.value
            elif (
                isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and stmt.target.id == attr
            ):
                value = stmt.value
                if isinstance(value, ast.Call) and _dotted(value.func).endswith("field"):
                    value = _kw(value, "default")
            if value is not None:
                vals = self.values(value, scope, depth + 1)
                return _via(vals, HowFound.DEFAULT if isinstance(stmt, ast.AnnAssign) else HowFound.CONSTANT)
        return None

    def _self_attr(self, cls: ast.ClassDef, attr: str, scope: Scope, depth: int) -> list[Value]:
        found = self._class_attr(cls, attr, depth)
        out: list[Value] = list(found or [])
        for item in cls.body:
            if not isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            method = self._scope(item, self._scope(cls, self.module))
            for node in ast.walk(item):
                if isinstance(node, ast.Assign):
                    for t in node.targets:
                        if (
                            isinstance(t, ast.Attribute)
                            and t.attr == attr
                            and isinstance(t.value, ast.Name)
                            and t.value.id == "self"
                        ):
                            out.extend(_via(self.values(node.value, method, depth + 1), HowFound.CONSTANT))
        return out or [Unres("expression")]

    # -- command-line defaults
    def _cli_default(self, dest: str, depth: int, only_if_defined: bool = False) -> list[Value]:
        calls = self.argparse().get(dest)
        if not calls:
            if only_if_defined:
                return []
            dataclass_default = self._dataclass_default(dest, depth)
            return dataclass_default if dataclass_default else [Unres("command-line argument")]
        out: list[Value] = []
        for call in calls:
            default = _kw(call, "default")
            if default is None:
                out.append(Unres("command-line argument"))
                continue
            vals = self.values(default, self.module, depth + 1)
            out.extend(_via(vals, HowFound.DEFAULT) if vals else [Unres("command-line argument")])
        return out

    def _dataclass_default(self, attr: str, depth: int) -> list[Value]:
        out: list[Value] = []
        for cls in self.classes().values():
            found = self._class_attr(cls, attr, depth)
            if found:
                out.extend(_via(found, HowFound.DEFAULT))
        return out

    def argparse(self) -> dict[str, list[ast.Call]]:
        if self._argparse is None:
            self._argparse = {}
            for node in ast.walk(self.tree):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "add_argument"
                ):
                    dest = _argparse_dest(node)
                    if dest:
                        self._argparse.setdefault(dest, []).append(node)
        return self._argparse

    def _click_default(
        self, func: ast.FunctionDef | ast.AsyncFunctionDef | None, param: str, depth: int
    ) -> list[Value] | None:
        if func is None or not func.decorator_list:
            return None
        if id(func) not in self._click:
            options: dict[str, ast.Call] = {}
            for dec in func.decorator_list:
                if isinstance(dec, ast.Call) and _dotted(dec.func).rsplit(".", 1)[-1] in (
                    "option",
                    "argument",
                ):
                    name = _click_param(dec)
                    if name:
                        options[name] = dec
            self._click[id(func)] = options
        call = self._click[id(func)].get(param)
        if call is None:
            return None
        default = _kw(call, "default")
        if default is None:
            return [Unres("command-line argument")]
        vals = self.values(default, self.module, depth + 1)
        return _via(vals, HowFound.DEFAULT) or [Unres("command-line argument")]


def _dict_call(expr: ast.expr) -> ast.Dict | None:
    """``dict(a=1, b=2)`` as the dict literal it builds (keyword arguments only: ``dict(**x)`` or
    ``dict(pairs)`` build something the text does not show)."""
    if (
        isinstance(expr, ast.Call)
        and _dotted(expr.func) == "dict"
        and not expr.args
        and expr.keywords
        and all(k.arg is not None for k in expr.keywords)
    ):
        keys: list[ast.expr | None] = [ast.Constant(k.arg) for k in expr.keywords]
        return ast.Dict(keys=keys, values=[k.value for k in expr.keywords])
    return None


def _pick(item: ast.expr, index: tuple[int, ...]) -> ast.expr | None:
    for i in index:
        if isinstance(item, ast.Tuple | ast.List) and i < len(item.elts):
            item = item.elts[i]
        else:
            return None
    return item


def _concat(parts: list[list[Value]]) -> list[Value]:
    combos: list[tuple[str, HowFound, Unres | None]] = [("", HowFound.LITERAL, None)]
    for options in parts:
        nxt: list[tuple[str, HowFound, Unres | None]] = []
        for text, how, unres in combos:
            for v in options:
                if unres is not None:
                    nxt.append((text, how, unres))
                elif isinstance(v, Val):
                    nxt.append((text + v.text, _weaker(how, v.how), None))
                elif isinstance(v, Unres):
                    nxt.append(
                        (text, how, Unres(v.reason if v.reason != "expression" else "expression", text))
                    )
                else:
                    nxt.append((text, how, Unres("expression", text)))
        combos = list(dict.fromkeys(nxt))[:MAX_VALUES]
    out: list[Value] = []
    for text, how, unres in combos:
        out.append(Unres(unres.reason, unres.partial) if unres is not None else Val(text, how))
    return out


def _argparse_dest(call: ast.Call) -> str | None:
    dest = _kw(call, "dest")
    if isinstance(dest, ast.Constant) and isinstance(dest.value, str):
        return dest.value
    names = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    longs = [n for n in names if n.startswith("--")]
    if longs:
        return longs[0][2:].replace("-", "_")
    plain = [n for n in names if not n.startswith("-")]
    if plain:
        return plain[0].replace("-", "_")
    shorts = [n for n in names if n.startswith("-")]
    return shorts[0].lstrip("-").replace("-", "_") if shorts else None


def _click_param(call: ast.Call) -> str | None:
    names = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    explicit = [n for n in names if not n.startswith("-") and "/" not in n]
    if explicit:
        return explicit[0]
    longs = sorted((n for n in names if n.startswith("--")), key=len, reverse=True)
    if longs:
        return longs[0].split("/", 1)[0][2:].replace("-", "_").lower()
    return None


# ------------------------------------------------------------------------------------------------ entry points

_MAGIC = re.compile(r"^[ \t]*(?:[!%?]|pip install |conda install |apt(?:-get)? install )")


def strip_magics(text: str) -> str:
    """IPython magics and shell escapes (``!pip ...``, ``%time``, a bare ``pip install``) blanked, lines kept."""
    return "\n".join("" if _MAGIC.match(line) else line for line in text.split("\n"))


def parse(text: str) -> ast.Module | None:
    """The module, or None when it is not valid Python even without IPython magics."""
    for attempt in (text, strip_magics(text)):
        try:
            return quiet_parse(attempt)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    return None


def quiet_parse(text: str) -> ast.Module:
    """``ast.parse`` without the compiler's warnings about the application's code (an invalid escape, ``is``
    with a literal): they are the application's business, not lines for scan-code's output."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text)


def discover_python(data: bytes, ctx: FileContext) -> bool:
    """Add the references of a Python file to ``ctx``; False when it could not be parsed (a problem is
    recorded naming the lines that looked like loading calls)."""
    lines = trigger_lines(data)
    if lines is not None and not lines:
        return False
    text = data.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    tree = parse(text)
    if tree is None:
        where = sorted(lines)[:5] if lines else []
        ctx.problem(
            "not valid Python: its loading calls"
            + (f" (lines {', '.join(map(str, where))})" if where else "")
            + " could not be read",
            where[0] if where else None,
        )
        return True
    PythonFile(tree, ctx).run(lines)
    return True


def discover_python_text(text: str, ctx: FileContext, line_map: Sequence[int], full: bool = False) -> bool:
    """Python given as text whose lines map to ``line_map`` in the real file (notebooks, ``python -c``)."""
    data = text.encode("utf-8", errors="replace")
    lines = None if full else trigger_lines(data)
    if lines is not None and not lines:
        return False
    tree = parse(text)
    if tree is None:
        return False
    PythonFile(tree, ctx, line_map).run(lines)
    return True
