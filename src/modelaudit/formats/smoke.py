"""``modelaudit smoke``'s output: what loading and running the model did, as text or JSON.

The run is :func:`modelaudit.smoke.run_smoke`'s; the value rendered is a
:class:`modelaudit.documents.SmokeReport`.
"""

from __future__ import annotations

import json
from typing import ClassVar

from modelaudit.documents import SmokeReport


def _fmt_seconds(value: float | None) -> str | None:
    return None if value is None else f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def _fmt_bytes(value: int | None) -> str | None:
    return None if value is None else f"{value / 2**20:.1f} MiB"


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else "yes" if value else "no"


def render_text(s: SmokeReport) -> str:
    result = s.result
    what = ", ".join(
        x for x in (result.task, result.architecture, "adapter" if result.adapter else None) if x
    )
    lines = [f"smoke {result.status.upper()}: {s.node}" + (f" ({what})" if what else "")]
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
    for f in s.findings:
        lines.append(f"{f.severity.value}: {f.name} ({f.rule}): {f.message}")
        lines.append(f"  how to fix: {f.how_to_fix}")
    return "\n".join(lines) + "\n"


def render_json(s: SmokeReport) -> str:
    payload = {
        "target": {"id": s.node, "path": s.folder},
        "smoke": s.result.model_dump(mode="json"),
        "findings": [f.model_dump(mode="json") for f in s.findings],
    }
    return json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class SmokeText:
    name: ClassVar[str] = "text"
    suffix: ClassVar[str] = ".txt"

    def render(self, s: SmokeReport) -> str:
        return render_text(s)


class SmokeJson:
    name: ClassVar[str] = "json"
    suffix: ClassVar[str] = ".json"

    def render(self, s: SmokeReport) -> str:
        return render_json(s)
