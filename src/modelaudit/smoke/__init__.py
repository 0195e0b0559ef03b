"""Smoke inference: prove a model loads and runs on this machine, in a child process, safely.

torch, transformers and peft are imported only in the child (``modelaudit.smoke._child``), never here.
``plan_smoke`` decides from metadata alone; ``run_smoke`` runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from modelaudit.smoke.device import DEVICES, choose_device, choose_dtype, validate_device
from modelaudit.smoke.plan import SmokePlan, plan_smoke

if TYPE_CHECKING:
    from modelaudit.smoke.runner import (
        missing_smoke_dependencies,
        read_card_pipeline_tag,
        require_smoke_extra,
        run_smoke,
    )

# the runner (subprocess, tempfile, signal, PyYAML) loads when one of these is first asked for: a scan
# imports this package for the plan (the remote-code rule), and only ``--smoke`` runs anything
_RUNNER_NAMES = frozenset({"missing_smoke_dependencies", "read_card_pipeline_tag", "require_smoke_extra", "run_smoke"})


def __getattr__(name: str) -> Any:
    if name in _RUNNER_NAMES:
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
