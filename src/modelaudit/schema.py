"""The JSON Schema of the report, generated from the pydantic models (checked in as schema/report.schema.json)."""

from __future__ import annotations

import json
from typing import Any

from modelaudit.models import ScanReport


def report_schema() -> dict[str, Any]:
    schema = ScanReport.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://modelaudit.dev/schema/report-1.json"
    return schema


def report_schema_text() -> str:
    return json.dumps(report_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":  # python -m modelaudit.schema > schema/report.schema.json
    print(report_schema_text(), end="")
