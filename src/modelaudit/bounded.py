"""Bounded parsing of untrusted YAML and JSON documents (model cards' front matter, mergekit configs,
config.json, policies, waivers): size and node caps, safe constructors only, plain JSON data out, and a
malformed document is an ``InputError`` naming it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from modelaudit.errors import InputError

MAX_YAML_NODES = 50_000  # a card's front matter is a few hundred nodes; aliases can multiply them
MAX_YAML_CHARS = 1_000_000  # front matter, mergekit configs, policies: real ones are a few KB

# Front matter as huggingface_hub finds it: a leading '---' line, YAML, then a closing '---' line.
_FRONT_MATTER = re.compile(r"^(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)---[ \t]*(?:\r\n|\n|$))")
# a card that opens a front matter block: '---' on the first line, then a `key:` line
_OPENS_FRONT_MATTER = re.compile(
    r"^\s*---[ \t]*\n(?:[ \t]*(?:#.*)?\n)*[ \t]*[\w\"'][^\n:]*:(?:[ \t]|$)", re.MULTILINE
)


def count_nodes(obj: Any, limit: int) -> int:
    """Nodes in a parsed YAML/JSON value, stopping early past ``limit`` (alias bombs share subtrees)."""
    count = 0
    stack = [obj]
    while stack:
        item = stack.pop()
        count += 1
        if count > limit:
            return count
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def jsonable(obj: Any) -> Any:
    """YAML may produce dates, sets or non-string keys; reports need plain JSON."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if obj is None or isinstance(obj, bool | int | float | str):
        return obj
    return str(obj)


def decode_text(raw: bytes) -> str:
    """Bytes of a small text file as text: UTF-8 (undecodable bytes replaced), a leading BOM dropped."""
    text = raw.decode("utf-8", errors="replace")
    return text[1:] if text.startswith("\ufeff") else text


def parse_yaml_mapping(text: str, path: str) -> dict[str, Any]:
    """Safe-load a YAML mapping with a node cap; anything else is an InputError naming ``path``."""
    if len(text) > MAX_YAML_CHARS:
        raise InputError(path, f"YAML document is larger than {MAX_YAML_CHARS} characters")
    import yaml

    _SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is ~10x faster, equally safe
    try:
        data = yaml.load(text, Loader=_SafeLoader)  # safe constructors only: no python/* tags
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(path, f"malformed YAML{where}: {problem}") from None
    except RecursionError:
        raise InputError(path, "YAML nested too deeply") from None
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. an impossible date such as 2024-02-30
        raise InputError(path, f"malformed YAML value: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(path, f"expected a YAML mapping, got {type(data).__name__}")
    if count_nodes(data, MAX_YAML_NODES) > MAX_YAML_NODES:
        raise InputError(path, f"YAML has more than {MAX_YAML_NODES} nodes (alias bomb?)")
    result: dict[str, Any] = jsonable(data)
    return result


def universal_newlines(text: str) -> str:
    """``text`` with its line ends read as Python's text mode reads them: CR LF and a lone CR are each one
    LF, so CR CR LF is two. huggingface_hub's ``metadata_load`` reads cards this way (``Path.read_text``)."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def front_matter_block(text: str, path: str, *, whole: bool = True) -> str | None:
    """The YAML text between a card's ``---`` lines, as ``metadata_load`` finds it (a BOM dropped, line ends
    read in universal-newline mode, so cards saved with CR or CR CR LF line ends are read); None when the card
    has no front matter. A card that opens a block (``---`` and a ``key:`` line) and never closes it is an
    InputError: its metadata cannot be read, which is not the same as declaring none. With ``whole=False`` (only
    the start of a larger file was read, which the caller reports) such a card reads as having none."""
    text = universal_newlines(text[1:] if text.startswith("\ufeff") else text)
    match = _FRONT_MATTER.match(text)
    if match:
        return match.group(2)
    if whole and _OPENS_FRONT_MATTER.match(text):
        raise InputError(path, "front matter opened with a '---' line is never closed by another '---' line")
    return None


def parse_front_matter(text: str, path: str, *, whole: bool = True) -> dict[str, Any]:
    """The YAML header of a model or dataset card (see :func:`front_matter_block`); {} when there is none."""
    block = front_matter_block(text, path, whole=whole)
    return {} if block is None else parse_yaml_mapping(block, path)


def parse_json_object(raw: bytes, path: str) -> dict[str, Any]:
    try:
        data = json.loads(decode_text(raw))
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InputError(path, f"malformed JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(path, f"expected a JSON object, got {type(data).__name__}")
    if count_nodes(data, MAX_YAML_NODES * 4) > MAX_YAML_NODES * 4:
        raise InputError(path, "JSON document too large")
    return data
