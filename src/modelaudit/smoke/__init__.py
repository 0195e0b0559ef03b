"""Smoke inference: prove a model loads and runs on this machine, in a child process, safely.

torch, transformers and peft are imported only in the child (``modelaudit.smoke._child``), never here.
``plan_smoke`` decides from metadata alone; ``run_smoke`` runs.
"""

from __future__ import annotations

from modelaudit.smoke.device import DEVICES, choose_device, choose_dtype, validate_device
from modelaudit.smoke.plan import SmokePlan, plan_smoke
from modelaudit.smoke.runner import (
    missing_smoke_dependencies,
    read_card_pipeline_tag,
    require_smoke_extra,
    run_smoke,
)

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
