"""``modelaudit fingerprint A B`` and ``fingerprint index list``: weight similarity and the index.

The fingerprints and their comparison are computed in :mod:`modelaudit.verify.fingerprint`; the index
is :class:`modelaudit.verify.index.FingerprintIndex`.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from modelaudit.verify.fingerprint import FingerprintComparison
from modelaudit.verify.index import FingerprintIndex


def comparison_text(c: FingerprintComparison) -> str:
    lines = [
        f"{c.a_id}: {len(c.a.tensors)} tensors, {c.a.summary().digest[:19]}",
        f"{c.b_id}: {len(c.b.tensors)} tensors, {c.b.summary().digest[:19]}",
        c.similarity.describe(),
    ]
    lines += [f"  lowest: {s.name} r={s.correlation:.3f}" for s in c.similarity.lowest]
    return "\n".join(lines) + "\n"


def comparison_json(c: FingerprintComparison) -> str:
    doc: dict[str, Any] = {
        "a": {"id": c.a_id, **c.a.summary().model_dump(), "bytes_read": c.a.bytes_read},
        "b": {"id": c.b_id, **c.b.summary().model_dump(), "bytes_read": c.b.bytes_read},
        "similarity": c.similarity.model_dump(mode="json"),
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def index_text(index: FingerprintIndex) -> str:
    return "".join(
        f"{m.id}\t{len(m.fingerprint.tensors)} tensors\t{m.fingerprint.summary().digest}\n" for m in index.models
    )


class ComparisonText:
    name: ClassVar[str] = "text"
    suffix: ClassVar[str] = ".txt"

    def render(self, c: FingerprintComparison) -> str:
        return comparison_text(c)


class ComparisonJson:
    name: ClassVar[str] = "json"
    suffix: ClassVar[str] = ".json"

    def render(self, c: FingerprintComparison) -> str:
        return comparison_json(c)


class IndexText:
    name: ClassVar[str] = "text"
    suffix: ClassVar[str] = ".txt"

    def render(self, index: FingerprintIndex) -> str:
        return index_text(index)
