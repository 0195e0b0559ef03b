"""``modelaudit cache info|clear [NAMESPACE]``: modelaudit's on-disk cache (cachefile.py)."""

from __future__ import annotations

import click

from modelaudit.cachefile import NAMESPACES
from modelaudit.cli._options import format_option
from modelaudit.errors import ExitCode


@click.group("cache")
def cache_command() -> None:
    """modelaudit's on-disk cache: where it is, what it holds, and emptying it.

    \b
    The cache folder is MODELAUDIT_CACHE_DIR, else the platform's user cache folder. Its size is capped by
    MODELAUDIT_CACHE_MAX_BYTES (else cache_max_bytes in modelaudit.toml / [tool.modelaudit]); the least
    recently used entries go first. `scan --no-cache` and `lineage --no-cache` neither read nor write it.
    """


@cache_command.command("info")
@format_option()
def info_command(fmt: str) -> int:
    """Where the cache is, its size cap, and the entries and bytes of each namespace."""
    from modelaudit.cachefile import Cache
    from modelaudit.documents import CacheInfo, CacheNamespace
    from modelaudit.formats import CACHE_FORMATS

    found = Cache().info()
    stale = "entries of other modelaudit versions and of older cache layouts"
    doc = CacheInfo(
        location=str(found.location),
        version=found.version,
        max_bytes=found.max_bytes,
        namespaces=[
            CacheNamespace(name=name, about=NAMESPACES.get(name, stale), entries=use.entries, bytes=use.bytes)
            for name, use in found.namespaces.items()
        ],
    )
    click.echo(CACHE_FORMATS.render_text(fmt, doc), nl=False)
    return int(ExitCode.OK)


@cache_command.command("clear")
@click.argument("namespace", required=False, type=click.Choice(sorted(NAMESPACES)))
def clear_command(namespace: str | None) -> int:
    """Remove NAMESPACE's entries (every version), or everything modelaudit keeps in its cache folder."""
    from modelaudit.cachefile import Cache

    cache = Cache()
    gone = cache.clear(namespace)
    what = f"namespace {namespace}" if namespace else "the cache"
    click.echo(f"{cache.location}: removed {gone.entries} entries ({gone.bytes:,} bytes) from {what}", err=True)
    return int(ExitCode.OK)
