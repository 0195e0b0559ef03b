"""YAML, JSON and TOML configuration files: the values of keys that name a model or dataset.

Keys are those of ``keys`` at any depth; under a ``datasets:`` list, an item's ``path`` names a dataset
(axolotl); ``dataset_mixer`` maps dataset ids to weights (the alignment handbook). Commands embedded in
configuration (a CI ``run:`` block, compose ``command:`` / ``entrypoint:``, Kubernetes ``command`` /
``args``) are read as shell. Each reference is reported on the line of its value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from modelaudit.code_models import HowFound
from modelaudit.models import RepoKind
from modelaudit.sources.code.common import FileContext, make_reference
from modelaudit.sources.code.hubids import classify
from modelaudit.sources.code.keys import key_rule, normalise
from modelaudit.sources.code.shell import argv, shell_text

_COMMAND_KEYS = frozenset(
    {"run", "command", "entrypoint", "args", "cmd", "script", "before_script", "after_script"}
)
_HINTS = re.compile(
    rb"model|dataset|tokenizer|processor|huggingface|hf\.co|hf download|vllm|[\"']?run[\"']?\s*:", re.I
)
MAX_NODES = 200_000
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def _could_name(data: bytes) -> bool:
    return bool(_HINTS.search(data))


def _emit_value(
    ctx: FileContext, key: str, value: str, line: int, *, parent: str = "", dataset_item: bool = False
) -> None:
    k = normalise(key)
    if dataset_item and k in ("path", "name", "dataset"):
        rule_kind, weak, bare = RepoKind.DATASET, True, "dataset"
    else:
        rule = key_rule(key)
        if rule is None:
            return
        rule_kind, weak, bare = rule.kind, rule.weak, rule.bare
    site = f"config:{parent}.{key}" if parent else f"config:{key}"
    var = _VARIABLE.fullmatch(value.strip())
    ref = None
    if var:
        # ${NAME:-default} (compose, .env interpolation): the default when it names a repo or a path,
        # else a value that comes from the environment
        default = var.group(2)
        if default and classify(default).cls in ("hub", "local"):
            ref = make_reference(
                ctx,
                line=line,
                site=site,
                kind=rule_kind,
                text=default,
                how=HowFound.DEFAULT,
                value=value,
                weak=weak,
                bare=bare,
            )
        if ref is None:
            ref = make_reference(
                ctx,
                line=line,
                site=site,
                kind=rule_kind,
                text=None,
                how=HowFound.CONFIG,
                value=value,
                unresolved="environment variable",
            )
    else:
        ref = make_reference(
            ctx,
            line=line,
            site=site,
            kind=rule_kind,
            text=value,
            how=HowFound.CONFIG,
            value=value,
            weak=weak,
            bare=bare,
        )
    if ref is not None and ref not in ctx.references:
        ctx.references.append(ref)


# ------------------------------------------------------------------------------------------------ YAML


def discover_yaml(data: bytes, ctx: FileContext) -> bool:
    if not _could_name(data):
        return False
    import yaml

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    text = data.decode("utf-8", errors="replace")
    try:
        documents = list(yaml.compose_all(text, Loader=loader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        ctx.problem(
            f"not valid YAML{f' at line {mark.line + 1}' if mark is not None else ''}",
            mark.line + 1 if mark is not None else None,
        )
        return True
    except RecursionError:
        ctx.problem("YAML nested too deeply")
        return True
    budget = [MAX_NODES]
    for doc in documents:
        if doc is not None:
            _walk_yaml(ctx, text, doc, "", None, budget, set())
    return True


def _walk_yaml(
    ctx: FileContext, text: str, node: Any, key: str, parent: str | None, budget: list[int], seen: set[int]
) -> None:
    import yaml

    if id(node) in seen:  # an alias met again: its values were read where it was defined
        return
    seen.add(id(node))
    budget[0] -= 1
    if budget[0] < 0:
        return
    if isinstance(node, yaml.MappingNode):
        in_datasets = normalise(key) in ("datasets", "dataset") if key else False
        for k_node, v_node in node.value:
            k = str(k_node.value) if isinstance(k_node, yaml.ScalarNode) else ""
            if not k:
                continue
            nk = normalise(k)
            if nk in _COMMAND_KEYS:
                _yaml_command(ctx, text, v_node)
                continue
            if nk == "dataset_mixer" and isinstance(v_node, yaml.MappingNode):
                for dk, _dv in v_node.value:
                    if isinstance(dk, yaml.ScalarNode):
                        _emit_value(ctx, "dataset_name", str(dk.value), dk.start_mark.line + 1, parent=k)
                continue
            if nk == "environment" and isinstance(v_node, yaml.SequenceNode):
                for item in v_node.value:
                    if isinstance(item, yaml.ScalarNode) and "=" in str(item.value):
                        ek, _, ev = str(item.value).partition("=")
                        _emit_value(ctx, ek, ev, item.start_mark.line + 1, parent=k)
                continue
            if isinstance(v_node, yaml.ScalarNode):
                if v_node.tag.endswith(":null") or v_node.value in ("", None):
                    continue
                _emit_value(
                    ctx,
                    k,
                    str(v_node.value),
                    v_node.start_mark.line + 1,
                    parent=key,
                    dataset_item=parent == "datasets-item",
                )
            elif (
                isinstance(v_node, yaml.SequenceNode)
                and key_rule(k) is not None
                and normalise(k) not in ("datasets",)
            ):
                for item in v_node.value:
                    if isinstance(item, yaml.ScalarNode):
                        _emit_value(ctx, k, str(item.value), item.start_mark.line + 1, parent=key)
                    else:
                        _walk_yaml(ctx, text, item, k, None, budget, seen)
            else:
                _walk_yaml(ctx, text, v_node, k, None, budget, seen)
        del in_datasets
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            if isinstance(item, yaml.ScalarNode) and normalise(key) in ("datasets",):
                _emit_value(ctx, "dataset", str(item.value), item.start_mark.line + 1, parent=key)
            else:
                _walk_yaml(
                    ctx,
                    text,
                    item,
                    key,
                    "datasets-item" if normalise(key) in ("datasets",) else None,
                    budget,
                    seen,
                )


def _yaml_command(ctx: FileContext, text: str, node: Any) -> None:
    import yaml

    if isinstance(node, yaml.ScalarNode):
        if node.tag.endswith(":null"):
            return
        value = str(node.value)
        raw = text[node.start_mark.index : node.end_mark.index]
        first = node.start_mark.line + 1
        if node.style in ("|", ">"):
            # the block's text starts on the line after its indicator; folded blocks join lines with spaces
            body_start = raw.find("\n") + 1
            body = raw[body_start:]
            if node.style == ">":
                body = body.replace("\n", " \\\n")
            shell_text(ctx, body, first + 1)
        elif node.style in ("'", '"'):
            shell_text(ctx, value, first)
        else:
            # a plain multi-line scalar is folded: keep each word on its own line
            shell_text(ctx, raw.replace("\n", " \\\n") if "\n" in raw else value, first)
    elif isinstance(node, yaml.SequenceNode):
        items = [i for i in node.value if isinstance(i, yaml.ScalarNode)]
        words = [(str(i.value), i.start_mark.line + 1) for i in items]
        if (
            len(words) >= 2
            and words[0][0] in ("bash", "sh", "/bin/sh", "/bin/bash")
            and words[1][0] in ("-c", "-lc")
        ):
            for i in items[2:]:
                _yaml_command(ctx, text, i)
            return
        if len(words) == 1 and " " in words[0][0]:
            _yaml_command(ctx, text, items[0])
            return
        if any(" " in w and w.startswith(("python", "vllm", "huggingface-cli", "hf ")) for w, _ in words):
            for i in items:
                _yaml_command(ctx, text, i)
            return
        argv(ctx, words)


# ------------------------------------------------------------------------------------------------ JSON / TOML


def _walk_data(
    obj: Any, key: str = "", parent: str = "", in_datasets: bool = False
) -> Iterator[tuple[str, str, str, bool]]:
    """``(key, value, parent key, under a datasets list)`` for every string value, in document order."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(v, str):
                yield str(k), v, key, in_datasets
            elif isinstance(v, list) and all(isinstance(x, str) for x in v) and key_rule(str(k)) is not None:
                for x in v:
                    yield str(k), x, key, False
            elif normalise(str(k)) == "dataset_mixer" and isinstance(v, dict):
                for dk in v:
                    yield "dataset_name", str(dk), str(k), False
            else:
                yield from _walk_data(v, str(k), key, normalise(str(k)) == "datasets")
    elif isinstance(obj, list):
        for item in obj:
            yield from _walk_data(item, key, parent, in_datasets)


def _locate(text: str, key: str, value: str, cursor: int, toml: bool) -> tuple[int, int]:
    """The line of ``key``'s ``value`` in ``text`` at or after ``cursor`` (document order), and the new cursor."""
    patterns = [json.dumps(value), json.dumps(value, ensure_ascii=False), f"'{value}'"]
    best = -1
    for p in patterns:
        pos = text.find(p, cursor)
        if pos >= 0 and (best < 0 or pos < best):
            best = pos
    if best < 0:
        best = text.find(value, cursor)
    if best < 0:
        return 0, cursor
    return text.count("\n", 0, best) + 1, best + 1


def discover_json(data: bytes, ctx: FileContext) -> bool:
    if not _could_name(data):
        return False
    text = data.decode("utf-8", errors="replace")
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        ctx.problem("not valid JSON")
        return True
    _structured(ctx, text, doc, toml=False)
    return True


def discover_toml(data: bytes, ctx: FileContext) -> bool:
    if not _could_name(data):
        return False
    import tomllib

    text = data.decode("utf-8", errors="replace")
    try:
        doc = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        ctx.problem("not valid TOML")
        return True
    _structured(ctx, text, doc, toml=True)
    return True


def _structured(ctx: FileContext, text: str, doc: Any, *, toml: bool) -> None:
    cursor = 0
    for key, value, parent, in_datasets in _walk_data(doc):
        if not value:
            continue
        nk = normalise(key)
        if nk in _COMMAND_KEYS:
            line, cursor = _locate(text, key, value, cursor, toml)
            if line:
                shell_text(ctx, value, line)
            continue
        if key_rule(key) is None and not (in_datasets and nk in ("path", "name")):
            continue
        line, cursor = _locate(text, key, value, cursor, toml)
        if line:
            _emit_value(ctx, key, value, line, parent=parent, dataset_item=in_datasets)
