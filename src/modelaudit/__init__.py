"""modelaudit: license-compliance and provenance auditor for open-weight models.

The public entry point for notebooks and platform code is :func:`modelaudit.scan`; the CLI is a thin layer
over it. Importing this package is cheap: heavy dependencies load only when a stage needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from modelaudit._version import __version__

if TYPE_CHECKING:
    from modelaudit.models import ScanReport
    from modelaudit.pipeline import ScanOptions


def scan(target: str, options: ScanOptions | None = None, **overrides: Any) -> ScanReport:
    """Audit one target (Hub id, Hub URL or local folder) and return the report."""
    from modelaudit.pipeline import scan as _scan

    return _scan(target, options, **overrides)


__all__ = ["__version__", "scan"]
