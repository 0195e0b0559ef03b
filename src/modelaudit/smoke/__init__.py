"""Smoke inference: prove a model loads and runs on this machine, in a child process, safely.

Importing this package is cheap: torch, transformers and peft are imported only in the child
(``modelaudit.smoke._child``). ``plan_smoke`` decides from metadata alone; ``run_smoke`` runs.
The names below load their module on first use, so a scan whose policy reads only the plan
(``modelaudit.smoke.plan``) never imports the runner (subprocess handling, PyYAML).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from modelaudit.smoke.device import DEVICES, choose_device, choose_dtype, validate_device
    from modelaudit.smoke.plan import SmokePlan, plan_smoke
    from modelaudit.smoke.runner import (
        missing_smoke_dependencies,
        read_card_pipeline_tag,
        require_smoke_extra,
        run_smoke,
    )

_DEVICE = ("DEVICES", "choose_device", "choose_dtype", "validate_device")
_PLAN = ("SmokePlan", "plan_smoke")
_RUNNER = ("missing_smoke_dependencies", "read_card_pipeline_tag", "require_smoke_extra", "run_smoke")


def __getattr__(name: str) -> Any:
    if name in _DEVICE:
        from modelaudit.smoke import device

        return getattr(device, name)
    if name in _PLAN:
        from modelaudit.smoke import plan

        return getattr(plan, name)
    if name in _RUNNER:
        from modelaudit.smoke import runner

        return getattr(runner, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEVICES",
    "SmokePlan",
    "choose_device",
    "choose_dtype",
    "missing_smoke_dependencies",
    "plan_smoke",
    "read_card_pipeline_tag",
    "require_smoke_extra",
    "run_smoke",
    "validate_device",
]
