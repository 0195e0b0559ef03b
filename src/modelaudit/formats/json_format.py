"""The JSON report (the contract other tools read): the canonically sorted ScanReport, keys sorted."""

from __future__ import annotations

from typing import ClassVar

from modelaudit.models import ScanReport


class JsonFormatter:
    name: ClassVar[str] = "json"
    suffix: ClassVar[str] = ".json"

    def render(self, report: ScanReport) -> str:
        return report.to_json(indent=2) + "\n"
