"""``modelaudit smoke``: load and run one model in a child process and report what happened."""

from __future__ import annotations

import json
import sys

import click

from modelaudit.cli._options import device_option, format_option
from modelaudit.errors import ExitCode, SourceError
from modelaudit.models import Finding, Severity, SmokeResult
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


def _fmt_seconds(value: float | None) -> str | None:
    return None if value is None else f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def _fmt_bytes(value: int | None) -> str | None:
    return None if value is None else f"{value / 2**20:.1f} MiB"


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else "yes" if value else "no"


def render_text(node: str, result: SmokeResult, findings: list[Finding]) -> str:
    what = ", ".join(
        x for x in (result.task, result.architecture, "adapter" if result.adapter else None) if x
    )
    lines = [f"smoke {result.status.upper()}: {node}" + (f" ({what})" if what else "")]
    device = result.device
    if device and result.device_name:
        device = f"{device} ({result.device_name})"
    rows = [
        ("base", result.base),
        ("device", device),
        ("dtype", result.dtype),
        ("parameters", f"{result.parameters:,}" if result.parameters is not None else None),
        ("load", _fmt_seconds(result.load_seconds)),
        ("first token", _fmt_seconds(result.first_token_seconds)),
        ("run", _fmt_seconds(result.run_seconds)),
        ("tokens/s", f"{result.tokens_per_second:.1f}" if result.tokens_per_second is not None else None),
        ("peak RSS", _fmt_bytes(result.peak_rss_bytes)),
        ("peak GPU", _fmt_bytes(result.peak_gpu_bytes)),
        ("finite", _yes_no(result.outputs_finite)),
        ("repeatable", _yes_no(result.deterministic)),
        ("sample", json.dumps(result.sample, ensure_ascii=False) if result.sample is not None else None),
        ("failed in", result.phase if result.status == "failed" else None),
        ("error", result.error),
        ("note", result.note),
    ]
    lines += [f"  {label:<12}{value}" for label, value in rows if value is not None]
    for f in findings:
        lines.append(f"{f.severity.value}: {f.name} ({f.rule}): {f.message}")
        lines.append(f"  how to fix: {f.how_to_fix}")
    return "\n".join(lines) + "\n"


def render_json(node: str, folder: str, result: SmokeResult, findings: list[Finding]) -> str:
    payload = {
        "target": {"id": node, "path": folder},
        "smoke": result.model_dump(mode="json"),
        "findings": [f.model_dump(mode="json") for f in findings],
    }
    return json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


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
    from modelaudit.smoke import run_smoke

    folder, node = _resolve(target)
    click.echo(f"smoke: running {node} in a child process (timeout {timeout_s:g} s)", err=True)
    result, findings = run_smoke(
        folder, adapter_base_dir=base_dir, device=device, timeout_s=timeout_s, node_id=node
    )
    text = (
        render_json(node, folder, result, findings) if fmt == "json" else render_text(node, result, findings)
    )
    sys.stdout.write(text)
    sys.stdout.flush()
    failed = any(f.severity is Severity.ERROR and not f.waived for f in findings)
    return int(ExitCode.POLICY_FAILED if failed else ExitCode.OK)


__all__ = ["render_json", "render_text", "smoke_command"]
