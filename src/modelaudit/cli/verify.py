"""``modelaudit verify TARGET``: hashes, structure and pickle safety of a model's files, without lineage."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from modelaudit.cli._options import format_option, offline_option, timeout_option
from modelaudit.config import DEFAULT_DEADLINE, env_offline
from modelaudit.errors import InputError
from modelaudit.verify.hashing import DEFAULT_WORKERS

if TYPE_CHECKING:  # the models (pydantic) load inside the command, once hashing has started
    from modelaudit.models import FileEntry, FileResult, Finding
    from modelaudit.verify.hashpool import HashPool

# VerifyMode's values, spelled out so that parsing the command line imports no models (`--help` stays light;
# tests/verify/test_hashpool.py checks they stay the same)
VERIFY_MODES = ("none", "headers", "full")

_SHA256_LINE = re.compile(r"^([0-9a-fA-F]{64}) [ *](.+)$")
MAX_MANIFEST_BYTES = 16 * 1024 * 1024


def read_manifest(path: str) -> dict[str, str]:
    """``sha256sum`` output (``<hex>  <path>``) as path → sha256; blank lines and ``#`` comments allowed."""
    p = Path(path)
    try:
        raw = p.read_bytes()[: MAX_MANIFEST_BYTES + 1]
    except OSError as exc:
        raise InputError(path, f"cannot read manifest: {exc.strerror or exc}") from None
    if len(raw) > MAX_MANIFEST_BYTES:
        raise InputError(path, f"manifest larger than {MAX_MANIFEST_BYTES} bytes")
    out: dict[str, str] = {}
    for lineno, line in enumerate(raw.decode("utf-8", "replace").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _SHA256_LINE.match(line.strip())
        if m is None:
            raise InputError(
                path, f"line {lineno} is not '<sha256>  <path>'", hint="generate it with sha256sum"
            )
        out[m.group(2).removeprefix("./")] = m.group(1).lower()
    return out


def apply_manifest(files: list[FileEntry], manifest: dict[str, str]) -> list[FileEntry]:
    """Manifest hashes become the expected SHA-256; manifest paths the repo lacks are kept (as missing)."""
    from modelaudit.models import FileEntry

    out = [
        f.model_copy(update={"lfs_sha256": manifest[f.path], "blob_id": None}) if f.path in manifest else f
        for f in files
    ]
    listed = {f.path for f in files}
    out += [FileEntry(path=p, lfs_sha256=h) for p, h in sorted(manifest.items()) if p not in listed]
    return out


@click.command("verify")
@click.argument("target")
@click.option(
    "--mode",
    "--verify",
    "mode",
    type=click.Choice(VERIFY_MODES),
    default=None,
    help="headers: structure only (default for Hub targets); full: hash every file too (default for folders "
    "and the HF cache; downloads Hub files into the HF cache first); none: list only.",
)
@click.option(
    "--manifest", type=click.Path(dir_okay=False), help="A sha256sum-style file of expected hashes."
)
@format_option()
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=DEFAULT_WORKERS,
    show_default=True,
    help="Files hashed at once.",
)
@offline_option("Read only the HF cache and folders.")
@timeout_option("Seconds per request.", envvar=False)
def verify_command(
    target: str, mode: str | None, manifest: str | None, fmt: str, workers: int, offline: bool, timeout: float
) -> int:
    """Check that TARGET's files are the bytes its repo recorded, well formed, and safe to load.

    \b
    SHA-256 is compared with the Hub's LFS hash (git blob SHA-1 for ordinary files, or --manifest);
    safetensors, GGUF and sharded indexes are checked for structure; pickle-based files are scanned
    statically for the globals they would import (never loaded).
    Exit code 0 when no error-severity finding, 1 when there is one (hash mismatch, corrupt file,
    dangerous pickle), 2 when TARGET cannot be read.

    \b
    Examples:
      modelaudit verify ./my-model
      modelaudit verify org/model --mode full -f json
    """
    expected = read_manifest(manifest) if manifest else None  # a bad manifest fails before any hashing
    pool = early_hashing([target], workers) if mode in (None, "full") else None
    try:
        return _verify(target, mode, expected, fmt, workers, offline, timeout, pool)
    finally:
        if pool is not None:
            pool.close()


def local_folder(target: str) -> str | None:
    """``target`` when it names an existing folder (a folder wins over a Hub id, as ``parse_target`` has
    it), else None."""
    try:
        path = os.path.expanduser(target.strip())
        return path if path and os.path.isdir(path) else None
    except (OSError, ValueError, RuntimeError):
        return None


def early_hashing(targets: list[str], workers: int) -> HashPool | None:
    """A pool hashing the large files of the local folders among ``targets`` from now on, while the
    command loads (verify/hashpool.py; speed-up ``EARLY_HASH``), or None. Called once the command line is
    parsed and checked, before the models, sources and pipeline are imported; the caller closes it."""
    folders = [f for f in map(local_folder, targets) if f is not None]
    if not folders:
        return None
    from modelaudit.verify import hashpool

    return hashpool.start(folders, workers)


def _verify(
    target: str,
    mode: str | None,
    expected: dict[str, str] | None,
    fmt: str,
    workers: int,
    offline: bool,
    timeout: float,
    pool: HashPool | None = None,
) -> int:
    from modelaudit.documents import VerifyReport
    from modelaudit.formats import VERIFY_FORMATS
    from modelaudit.models import Severity, SourceKind, VerifyMode
    from modelaudit.sources import SourceSet
    from modelaudit.targets import parse_target
    from modelaudit.verify import verify_files

    ref = parse_target(target)
    # what pipeline.open_sources(ScanOptions(offline=..., timeout=..., no_cache=True)) builds, without
    # importing the pipeline (policy engine, crawler): verify needs none of it
    sources = SourceSet(offline=offline or env_offline(), timeout=timeout, deadline=DEFAULT_DEADLINE)
    record = sources.fetch(ref)
    chosen = (
        VerifyMode(mode)
        if mode
        else (VerifyMode.HEADERS if record.source is SourceKind.HUB else VerifyMode.FULL)
    )
    files = record.files
    if expected is not None:
        files = apply_manifest(files, expected)
    total = sum(f.size or 0 for f in files)
    node = ref.key if not ref.local_path else ref.display()

    def run(progress: object = None) -> tuple[list[FileResult], list[Finding]]:
        return verify_files(
            files,
            lambda p: sources.open_file(record, p),
            chosen,
            workers=workers,
            progress=progress,  # type: ignore[arg-type]
            node=node,
            read_range=lambda p, s, n: sources.read_range(record, p, s, n),
            pool=pool,
        )

    if sys.stderr.isatty() and chosen is not VerifyMode.NONE and total:
        from modelaudit.cli._progress import progress_bar

        bar = progress_bar(total, "verifying")
        try:
            results, findings = run(bar.update)
        finally:
            bar.close()
    else:
        results, findings = run()
    outcome = VerifyReport(target=node, mode=chosen, files=results, findings=findings)
    sys.stdout.write(VERIFY_FORMATS.render_text(fmt, outcome))
    sys.stdout.flush()
    errors = sum(f.severity is Severity.ERROR for f in findings)
    click.echo(f"{len(results)} files, {errors} errors, {len(findings) - errors} other findings", err=True)
    return 1 if errors else 0
