"""``modelaudit lineage TARGET``: the provenance tree of a model, without weights checks or a verdict."""

from __future__ import annotations

import sys

import click

from modelaudit.cachefile import Cache
from modelaudit.cli._options import (
    format_option,
    max_depth_option,
    max_nodes_option,
    no_cache_option,
    offline_option,
    timeout_option,
)
from modelaudit.lineage.crawler import DEFAULT_MAX_DEPTH, DEFAULT_MAX_NODES
from modelaudit.lineage.graph import LineageGraph
from modelaudit.models import LicenseInfo


@click.command("lineage")
@click.argument("target")
@format_option(
    ("text", "json", "dot", "mermaid"), help="text: a tree; json: nodes and edges; dot: Graphviz; mermaid: a Mermaid diagram."
)
@offline_option("Read only the Hugging Face cache, the metadata cache and local folders.")
@max_depth_option("Follow parents at most this many hops from TARGET.", default=DEFAULT_MAX_DEPTH)
@max_nodes_option("Stop the crawl after this many nodes.", default=DEFAULT_MAX_NODES)
@no_cache_option()
@timeout_option()
def lineage_command(
    target: str, fmt: str, offline: bool, max_depth: int, max_nodes: int, no_cache: bool, timeout: float
) -> int:
    """Crawl TARGET's lineage (a Hub id, Hub URL, datasets/org/name or a model folder) and print it.

    \b
    Each edge shows its relation (finetune, adapter, merge, quantized, trained_on, derived); each node
    its license and category; parents that could not be read are marked UNRESOLVED with the reason.
    Exit code 0 when the lineage was printed (unresolved parents included), 2 when TARGET itself
    cannot be read.

    \b
    Examples:
      modelaudit lineage org/model
      modelaudit lineage ./my-adapter --offline
      modelaudit lineage org/model -f dot | dot -Tsvg > lineage.svg
    """
    from modelaudit.formats import LINEAGE_FORMATS
    from modelaudit.lineage.crawler import crawl
    from modelaudit.pipeline import ScanOptions, lineage_view, open_cache, open_sources
    from modelaudit.targets import parse_target

    ref = parse_target(target)
    options = ScanOptions(offline=offline, no_cache=no_cache, timeout=timeout)
    cache = open_cache(options)
    sources = open_sources(options, cache)
    graph = crawl(ref, sources, max_depth=max_depth, max_nodes=max_nodes)
    view = lineage_view(graph, _licenses(graph, cache))
    sys.stdout.write(LINEAGE_FORMATS.render_text(fmt, view))
    sys.stdout.flush()
    return 0


def _licenses(graph: LineageGraph, cache: Cache) -> dict[str, LicenseInfo] | None:
    """Each node's assessed license, or None while the license assessment is not installed."""
    from modelaudit.pipeline import assess_licenses

    try:
        licenses, _findings, _obligations = assess_licenses(graph, cache)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("modelaudit.licenses"):
            return None
        raise
    return licenses
