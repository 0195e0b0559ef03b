"""``modelaudit fingerprint A B`` and ``modelaudit fingerprint index add TARGET``."""

from __future__ import annotations

import json
import sys
from typing import Any

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
    from modelaudit.verify.fingerprint import compare

    id_a, fp_a = fingerprint_target(a, offline=offline, timeout=timeout)
    id_b, fp_b = fingerprint_target(b, offline=offline, timeout=timeout)
    sim = compare(fp_a, fp_b)
    if fmt == "json":
        doc: dict[str, Any] = {
            "a": {"id": id_a, **fp_a.summary().model_dump(), "bytes_read": fp_a.bytes_read},
            "b": {"id": id_b, **fp_b.summary().model_dump(), "bytes_read": fp_b.bytes_read},
            "similarity": sim.model_dump(mode="json"),
        }
        sys.stdout.write(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    else:
        lines = [
            f"{id_a}: {len(fp_a.tensors)} tensors, {fp_a.summary().digest[:19]}",
            f"{id_b}: {len(fp_b.tensors)} tensors, {fp_b.summary().digest[:19]}",
            sim.describe(),
        ]
        lines += [f"  lowest: {s.name} r={s.correlation:.3f}" for s in sim.lowest]
        sys.stdout.write("\n".join(lines) + "\n")
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
    from modelaudit.verify.index import load_index

    for m in load_index(index_path).models:
        sys.stdout.write(f"{m.id}\t{len(m.fingerprint.tensors)} tensors\t{m.fingerprint.summary().digest}\n")
    return 0
