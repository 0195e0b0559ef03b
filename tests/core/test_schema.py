"""The checked-in JSON Schema of the report matches the models (contract drift guard)."""

from __future__ import annotations

import json
from pathlib import Path

from modelaudit.schema import report_schema, report_schema_text

ROOT = Path(__file__).resolve().parents[2]


def test_checked_in_schema_matches_models() -> None:
    checked_in = (ROOT / "schema" / "report.schema.json").read_text(encoding="utf-8")
    assert checked_in == report_schema_text(), (
        "schema/report.schema.json is out of date: run `python -m modelaudit.schema > schema/report.schema.json` "
        "and, if a field was renamed or removed, bump schema_version"
    )


def test_contract_fields_present() -> None:
    schema = report_schema()
    assert set(schema["required"]) >= {"tool", "generated_at", "target", "policy", "verdict"}
    props = schema["properties"]
    for key in ("schema_version", "nodes", "edges", "findings", "obligations"):
        assert key in props
    defs = schema["$defs"]
    assert set(defs["Node"]["properties"]) >= {
        "id",
        "kind",
        "revision",
        "resolved",
        "unresolved_reason",
        "license",
        "files",
        "fingerprint",
        "smoke",
    }
    assert set(defs["Finding"]["properties"]) >= {
        "rule",
        "name",
        "severity",
        "node",
        "message",
        "how_to_fix",
        "evidence",
        "waived",
        "waiver",
    }
    assert set(defs["Edge"]["properties"]) == {"child", "parent", "relation", "evidence"}
    assert json.dumps(schema)  # serialisable
