"""``modelaudit smoke``: load and run one model in a child process and report what happened."""

from __future__ import annotations

import sys

import click

from modelaudit.cli._options import device_option, format_option
from modelaudit.errors import ExitCode, SourceError
from modelaudit.models import Severity
from modelaudit.targets import parse_target


def _resolve(target: str) -> tuple[str, str]:
    """(folder, node id) for a folder target, or a Hub id whose snapshot is already in the HF cache."""
    ref = parse_target(target)
    if ref.local_path:
        return ref.local_path, ref.display()
    from huggingface_hub import snapshot_download

    try:
        folder = snapshot_download(repo_id=ref.repo_id, revision=ref.revision, local_files_only=True)
    except Exception as exc:  # LocalEntryNotFoundError and friends: nothing cached for this id
        raise SourceError(
            ref.key,
            f"{ref.key}: no snapshot in the Hugging Face cache ({type(exc).__name__})",
            hint="smoke runs offline: download the model first, or give the path to its folder",
        ) from None
    return folder, ref.key


@click.command("smoke")
@click.argument("target")
@device_option("auto picks CUDA, then MPS, then CPU; a requested device that is absent is an error.")
@click.option(
    "--smoke-timeout",
    "timeout_s",
    default=300.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    envvar="MODELAUDIT_SMOKE_TIMEOUT",
    help="Seconds before the child process is killed.",
)
@click.option(
    "--base",
    "base_dir",
    type=click.Path(exists=True, file_okay=False),
    help="Folder of the base model, for an adapter whose base is not found by itself.",
)
@format_option()
def smoke_command(target: str, device: str, timeout_s: float, base_dir: str | None, fmt: str) -> int:
    """Load TARGET (a folder, or a Hub id already in the HF cache) and run it once, in a child process.

    \b
    Safetensors only, never the repository's code (auto_map → remote-code-required, not run),
    offline, under a timeout and a memory limit. Needs the [smoke] extra (torch, transformers, peft).
    Exit codes: 0 passed or skipped; 1 smoke-failed; 2 usage, input or dependency error.
    """
    from modelaudit.documents import SmokeReport
    from modelaudit.formats import SMOKE_FORMATS
    from modelaudit.smoke import run_smoke

    folder, node = _resolve(target)
    click.echo(f"smoke: running {node} in a child process (timeout {timeout_s:g} s)", err=True)
    result, findings = run_smoke(
        folder, adapter_base_dir=base_dir, device=device, timeout_s=timeout_s, node_id=node
    )
    report = SmokeReport(node=node, folder=folder, result=result, findings=findings)
    sys.stdout.write(SMOKE_FORMATS.render_text(fmt, report))
    sys.stdout.flush()
    failed = any(f.severity is Severity.ERROR and not f.waived for f in findings)
    return int(ExitCode.POLICY_FAILED if failed else ExitCode.OK)


__all__ = ["smoke_command"]
