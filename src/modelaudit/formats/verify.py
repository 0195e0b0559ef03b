"""``modelaudit verify``'s output: each file's status and the findings, as text or JSON.

The result (:class:`modelaudit.documents.VerifyReport`) is computed by the command from
:func:`modelaudit.verify.verify_files`; this module only renders it.
"""

from __future__ import annotations

import json
from typing import ClassVar

from modelaudit.documents import VerifyReport


def render_text(v: VerifyReport) -> str:
    lines = [f"{v.target} (verify: {v.mode.value})"]
    width = max((len(r.status.value) for r in v.files), default=8)
    for r in v.files:
        size = f"{r.size:>14,}" if r.size is not None else " " * 14
        detail = f"  {r.detail}" if r.detail else ""
        lines.append(f"  {r.status.value:<{width}}  {size}  {r.path}{detail}")
    if v.findings:
        lines.append("")
        for f in v.findings:
            lines.append(f"{f.severity.value:<7} {f.rule} {f.name}: {f.message}")
            lines.append(f"        fix: {f.how_to_fix}")
    return "\n".join(lines) + "\n"


def render_json(v: VerifyReport) -> str:
    return json.dumps(v.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"


class VerifyText:
    name: ClassVar[str] = "text"
    suffix: ClassVar[str] = ".txt"

    def render(self, v: VerifyReport) -> str:
        return render_text(v)


class VerifyJson:
    name: ClassVar[str] = "json"
    suffix: ClassVar[str] = ".json"

    def render(self, v: VerifyReport) -> str:
        return render_json(v)
