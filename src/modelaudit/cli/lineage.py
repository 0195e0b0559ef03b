"""``modelaudit lineage TARGET``: the provenance tree of a model, without weights checks or a verdict."""

from __future__ import annotations

import sys

import click

from modelaudit.lineage.crawler import DEFAULT_MAX_DEPTH, DEFAULT_MAX_NODES
from modelaudit.lineage.graph import LineageGraph
from modelaudit.lineage.render import FORMATS
from modelaudit.models import LicenseInfo


@click.command("lineage")
@click.argument("target")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text: a tree; json: nodes and edges; dot: Graphviz; mermaid: a Mermaid diagram.",
)
@click.option(
    "--offline",
    is_flag=True,
    envvar="MODELAUDIT_OFFLINE",
    help="Read only the Hugging Face cache, the metadata cache and local folders.",
)
@click.option(
    "--max-depth",
    type=click.IntRange(min=0),
    default=DEFAULT_MAX_DEPTH,
    show_default=True,
    envvar="MODELAUDIT_MAX_DEPTH",
    help="Follow parents at most this many hops from TARGET.",
)
@click.option(
    "--max-nodes",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_NODES,
    show_default=True,
    help="Stop the crawl after this many nodes.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    envvar="MODELAUDIT_NO_CACHE",
    help="Ask the Hub again instead of reusing cached metadata (and do not write the cache).",
)
@click.option(
    "--timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    envvar="MODELAUDIT_TIMEOUT",
    help="Seconds per Hub request.",
)
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
    from modelaudit.lineage.crawler import crawl
    from modelaudit.lineage.render import build_view, render
    from modelaudit.pipeline import ScanOptions, open_sources
    from modelaudit.targets import parse_target

    ref = parse_target(target)
    sources = open_sources(ScanOptions(offline=offline, no_cache=no_cache, timeout=timeout))
    graph = crawl(ref, sources, max_depth=max_depth, max_nodes=max_nodes)
    view = build_view(graph, _licenses(graph))
    sys.stdout.write(render(view, fmt))
    sys.stdout.flush()
    return 0


def _licenses(graph: LineageGraph) -> dict[str, LicenseInfo] | None:
    """Each node's assessed license, or None while the license assessment is not installed."""
    from modelaudit.pipeline import assess_licenses

    try:
        licenses, _findings, _obligations = assess_licenses(graph)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("modelaudit.licenses"):
            return None
        raise
    return licenses
