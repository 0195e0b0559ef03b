"""``modelaudit fingerprint A B`` and ``modelaudit fingerprint index add TARGET``."""

from __future__ import annotations

import sys

import click

from modelaudit.cli._options import format_option, offline_option, timeout_option
from modelaudit.verify.fingerprint import WeightFingerprint


def fingerprint_target(
    target: str, *, offline: bool = False, timeout: float = 10.0
) -> tuple[str, WeightFingerprint]:
    """(display id, fingerprint) of a folder (local reads) or a Hub id (byte-range reads only)."""
    from modelaudit.pipeline import ScanOptions, open_sources
    from modelaudit.targets import parse_target
    from modelaudit.verify.fingerprint import fingerprint_local, fingerprint_remote

    ref = parse_target(target)
    if ref.local_path:
        return ref.display(), fingerprint_local(ref.local_path)
    sources = open_sources(ScanOptions(offline=offline, timeout=timeout, no_cache=True))
    record = sources.fetch(ref)
    fp = fingerprint_remote(lambda p, s, n: sources.read_range(record, p, s, n), record.files)
    return ref.key, fp


class _FingerprintGroup(click.Group):
    """``fingerprint A B`` compares; ``fingerprint index ...`` manages the index."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["compare", *args]
        return super().parse_args(ctx, args)


_offline = offline_option("Read only the HF cache.")
_timeout = timeout_option(None, envvar=False)


@click.group("fingerprint", cls=_FingerprintGroup)
def fingerprint_command() -> None:
    """Compare two models' weights, or manage the index of known base models.

    \b
    modelaudit fingerprint A B             how alike A's and B's weights are (folders or Hub ids;
                                           Hub weights are read through range requests only)
    modelaudit fingerprint index add T     add T's fingerprint to the index that scans check for
                                           undeclared bases (--index PATH or $MODELAUDIT_FINGERPRINT_INDEX)
    """


@fingerprint_command.command("compare", hidden=True)
@click.argument("a")
@click.argument("b")
@format_option()
@_offline
@_timeout
def compare_command(a: str, b: str, fmt: str, offline: bool, timeout: float) -> int:
    """Similarity of A's and B's weights (same-lineage, unrelated, inconclusive, incompatible)."""
    from modelaudit.formats import FINGERPRINT_FORMATS
    from modelaudit.verify.fingerprint import FingerprintComparison, compare

    id_a, fp_a = fingerprint_target(a, offline=offline, timeout=timeout)
    id_b, fp_b = fingerprint_target(b, offline=offline, timeout=timeout)
    sim = compare(fp_a, fp_b)
    comparison = FingerprintComparison(a_id=id_a, a=fp_a, b_id=id_b, b=fp_b, similarity=sim)
    sys.stdout.write(FINGERPRINT_FORMATS.render_text(fmt, comparison))
    return 0


@fingerprint_command.group("index")
def index_group() -> None:
    """The fingerprint index of known base models."""


@index_group.command("add")
@click.argument("target")
@click.option(
    "--index", "index_path", type=click.Path(dir_okay=False), help="Index file (default: user data dir)."
)
@click.option("--id", "model_id", help="Name to record (default: the Hub id, or the folder name).")
@_offline
@_timeout
def index_add_command(
    target: str, index_path: str | None, model_id: str | None, offline: bool, timeout: float
) -> int:
    """Fingerprint TARGET and add it to the index (replacing an entry with the same id)."""
    from pathlib import Path

    from modelaudit.verify.index import load_index, save_index

    shown, fp = fingerprint_target(target, offline=offline, timeout=timeout)
    name = model_id or (Path(shown).name if Path(shown).is_absolute() else shown)
    index = load_index(index_path)
    replaced = index.add(name, fp)
    written = save_index(index, index_path)
    verb = "replaced" if replaced else "added"
    click.echo(f"{verb} {name} ({len(fp.tensors)} tensors) in {written}", err=True)
    return 0


@index_group.command("list")
@click.option(
    "--index", "index_path", type=click.Path(dir_okay=False), help="Index file (default: user data dir)."
)
def index_list_command(index_path: str | None) -> int:
    """The models in the index."""
    from modelaudit.formats import FINGERPRINT_INDEX_FORMATS
    from modelaudit.verify.index import load_index

    sys.stdout.write(FINGERPRINT_INDEX_FORMATS.render_text("text", load_index(index_path)))
    return 0
