"""The findings a smoke run can produce (rule ids and slugs are part of the report contract)."""

from __future__ import annotations

from modelaudit.models import Evidence, Finding, Severity

REMOTE_CODE_RULE = "MA401"
REMOTE_CODE_NAME = "remote-code-required"
REMOTE_CODE_SUMMARY = "The model needs the repository's own Python code to load; it was not run."
REMOTE_CODE_FIX = (
    "Prefer a revision or a port of the model that loads with the architectures built into transformers "
    "(no auto_map). If you must use it, review every .py file the auto_map names at a pinned revision, and "
    "load it yourself in a sandbox; modelaudit never runs repository code."
)
REMOTE_CODE_SEVERITY = Severity.WARNING

SMOKE_FAILED_RULE = "MA402"
SMOKE_FAILED_NAME = "smoke-failed"
SMOKE_FAILED_SUMMARY = "The model did not load or run cleanly in the smoke test."
SMOKE_FAILED_FIX = (
    "Read the phase and error: 'load' means the weights, config or dtype do not fit the architecture or the "
    "device (check the files verify cleanly, free memory, or try --device cpu); 'tokenise' means the "
    "tokenizer files are missing or broken; 'run' with non-finite outputs means NaN/inf weights or a "
    "dtype overflow (try float32). A timeout or memory kill needs a larger --smoke-timeout or a machine "
    "with more memory."
)
SMOKE_FAILED_SEVERITY = Severity.ERROR


def remote_code_finding(node: str, evidence: list[Evidence]) -> Finding:
    """``evidence``: one item per place asking for code, e.g. ``config.json:auto_map`` and its value."""
    where = ", ".join(e.source for e in evidence) or "auto_map"
    return Finding(
        rule=REMOTE_CODE_RULE,
        name=REMOTE_CODE_NAME,
        severity=REMOTE_CODE_SEVERITY,
        node=node,
        message=f"loading needs repository code ({where}); smoke run refused",
        how_to_fix=REMOTE_CODE_FIX,
        evidence=evidence,
    )


def smoke_failed_finding(node: str, phase: str | None, error: str | None) -> Finding:
    where = phase or "load"
    return Finding(
        rule=SMOKE_FAILED_RULE,
        name=SMOKE_FAILED_NAME,
        severity=SMOKE_FAILED_SEVERITY,
        node=node,
        message=f"smoke run failed during {where}: {error or 'unknown error'}",
        how_to_fix=SMOKE_FAILED_FIX,
        evidence=[
            Evidence(source="smoke:phase", value=where),
            Evidence(source="smoke:error", value=error or "unknown error"),
        ],
    )
