"""What ``modelaudit fleet scan`` prints about a run: totals and each model's verdict (rendered by
:mod:`modelaudit.formats.fleet`)."""

from __future__ import annotations

from modelaudit.documents import FleetSummary, ModelSummary
from modelaudit.fleet.runner import FleetRun


def fleet_summary(run: FleetRun) -> FleetSummary:
    models = []
    for o in run.outcomes:
        report = o.parsed()
        counts = report.counts() if report else {"error": 0, "warning": 0, "note": 0}
        models.append(
            ModelSummary(
                entry=o.entry.spec,
                owner=o.entry.owner,
                verdict=o.verdict,
                rescanned=o.rescanned,
                changed=o.changed,
                findings=counts,
                error=o.error,
                failing_rules=sorted(
                    {f.name for f in report.findings if f.severity.value == "error" and not f.waived}
                )
                if report
                else [],
            )
        )
    return FleetSummary(
        run=run.run_id,
        engine=run.engine,
        started_at=run.started_at,
        totals={
            "models": len(run.outcomes),
            "pass": sum(o.verdict == "pass" for o in run.outcomes),
            "fail": sum(o.verdict == "fail" for o in run.outcomes),
            "error": sum(o.verdict == "error" for o in run.outcomes),
            "rescanned": sum(o.rescanned for o in run.outcomes),
            "change_checks": run.checked_repos,
        },
        models=models,
    )
