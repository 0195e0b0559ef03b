"""``modelaudit cache info``: where modelaudit's cache is and what each namespace holds, as text or JSON.

The value (:class:`modelaudit.documents.CacheInfo`) is read from the cache by the command; this module only
renders it.
"""

from __future__ import annotations

import json
from typing import ClassVar

from modelaudit.documents import CacheInfo


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MiB"


def render_text(info: CacheInfo) -> str:
    width = max([len("namespace"), *(len(n.name) for n in info.namespaces)])
    lines = [
        f"location  {info.location}",
        f"version   {info.version}",
        f"cap       {info.max_bytes:,} bytes ({_mib(info.max_bytes)})",
        "",
        f"{'namespace':<{width}}  {'entries':>8}  {'bytes':>14}  what",
    ]
    for n in info.namespaces:
        lines.append(f"{n.name:<{width}}  {n.entries:>8,}  {n.bytes:>14,}  {n.about}")
    entries = sum(n.entries for n in info.namespaces)
    lines.append(f"{'total':<{width}}  {entries:>8,}  {info.total_bytes:>14,}  {_mib(info.total_bytes)}")
    return "\n".join(lines) + "\n"


def render_json(info: CacheInfo) -> str:
    doc = {**info.model_dump(mode="json"), "total_bytes": info.total_bytes}
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


class CacheInfoText:
    name: ClassVar[str] = "text"
    suffix: ClassVar[str] = ".txt"

    def render(self, info: CacheInfo) -> str:
        return render_text(info)


class CacheInfoJson:
    name: ClassVar[str] = "json"
    suffix: ClassVar[str] = ".json"

    def render(self, info: CacheInfo) -> str:
        return render_json(info)
