"""An indented text tree of a lineage, shared by the terminal lineage view and the scan reports' trees."""

from __future__ import annotations

from collections.abc import Callable, Iterator


def tree_lines(
    root: str,
    children: Callable[[str], list[tuple[str, str]]],
    label: Callable[[str], str],
    *,
    branches: tuple[str, str] = ("├── ", "└── "),
    indents: tuple[str, str] = ("│   ", "    "),
    max_depth: int | None = None,
    too_deep: str = "",
) -> tuple[list[str], set[str]]:
    """An indented tree from ``root``, and the keys drawn in it (both text trees, terminal and reports).

    ``children(key)`` gives ``(edge text, child key)`` pairs in drawing order. A key already drawn with its
    own subtree is referenced ("see above"), a key on the current path is marked "(cycle)". Below
    ``max_depth`` levels the ``too_deep`` line replaces the subtree. Iterative: a lineage of any depth
    renders without touching the recursion limit.
    """
    lines = [label(root)]
    drawn = {root}
    path = [root]
    on_path = {root}
    frames: list[tuple[Iterator[tuple[int, tuple[str, str]]], int, str]] = []

    def push(key: str, prefix: str) -> None:
        kids = children(key)
        frames.append((enumerate(kids), len(kids), prefix))

    push(root, "")
    while frames:
        entries, count, prefix = frames[-1]
        item = next(entries, None)
        if item is None:
            frames.pop()
            on_path.discard(path.pop())
            continue
        i, (text, key) = item
        last = int(i == count - 1)
        branch = branches[last]
        if key in on_path:
            lines.append(f"{prefix}{branch}{text} {key}  (cycle)")
            continue
        if key in drawn and children(key):
            lines.append(f"{prefix}{branch}{text} {label(key)}  (see above)")
            continue
        drawn.add(key)
        lines.append(f"{prefix}{branch}{text} {label(key)}")
        inner = prefix + indents[last]
        if max_depth is not None and len(path) + 1 > max_depth and children(key):
            lines.append(f"{inner}{branches[1]}{too_deep}")
            continue
        path.append(key)
        on_path.add(key)
        push(key, inner)
    return lines, drawn
