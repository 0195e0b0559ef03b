"""What the ``fleet`` commands print: a run's summary, the changes between two runs, query rows.

The values are computed by :mod:`modelaudit.fleet` (summary, changes) and the store (query rows); the
dashboard page is :mod:`modelaudit.formats.dashboard`, per-model reports are the report formats.
"""

from __future__ import annotations

import json
from typing import ClassVar

from modelaudit.documents import FleetDiff, FleetSummary, QueryResult


def summary_text(s: FleetSummary) -> str:
    t = s.totals
    lines = [
        f"fleet run {s.run}: {t['models']} model(s): {t['pass']} pass, {t['fail']} fail, "
        f"{t['error']} not audited; {t['rescanned']} rescanned, {t['models'] - t['rescanned']} unchanged"
    ]
    for m in s.models:
        if m.verdict == "pass":
            continue
        owner = f" [{m.owner}]" if m.owner else ""
        why = m.error if m.verdict == "error" else ", ".join(m.failing_rules) or "see report"
        lines.append(f"  {m.verdict.upper():5} {m.entry}{owner}: {why}")
    return "\n".join(lines) + "\n"


def summary_json(s: FleetSummary) -> str:
    return json.dumps(s.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"


def diff_text(d: FleetDiff) -> str:
    lines = [
        f"fleet diff: run {d.old} → run {d.new}: {len(d.changes)} model(s) changed"
        f"{', some verdicts got worse' if d.worse else ''}"
    ]
    for c in d.changes:
        mark = "WORSE" if c.worse else "     "
        lines.append(f"{mark} {c.entry}: {c.before or '—'} → {c.after or '—'}")
        lines.extend(f"        {cause}" for cause in c.causes)
    return "\n".join(lines) + "\n"


def diff_json(d: FleetDiff) -> str:
    data = {
        "from": d.old,
        "to": d.new,
        "worse": d.worse,
        "changes": [c.model_dump() for c in d.changes],
    }
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def query_text(q: QueryResult) -> str:
    lines = ["\t".join(q.names)]
    lines += ["\t".join("" if v is None else str(v) for v in r) for r in q.rows]
    return "\n".join(lines) + "\n"


def query_json(q: QueryResult) -> str:
    return json.dumps([dict(zip(q.names, r, strict=True)) for r in q.rows], indent=2) + "\n"


class SummaryText:
    name: ClassVar[str] = "text"
    suffix: ClassVar[str] = ".txt"

    def render(self, s: FleetSummary) -> str:
        return summary_text(s)


class SummaryJson:
    name: ClassVar[str] = "json"
    suffix: ClassVar[str] = ".json"

    def render(self, s: FleetSummary) -> str:
        return summary_json(s)


class FleetDiffText:
    name: ClassVar[str] = "text"
    suffix: ClassVar[str] = ".txt"

    def render(self, d: FleetDiff) -> str:
        return diff_text(d)


class FleetDiffJson:
    name: ClassVar[str] = "json"
    suffix: ClassVar[str] = ".json"

    def render(self, d: FleetDiff) -> str:
        return diff_json(d)


class QueryText:
    name: ClassVar[str] = "text"
    suffix: ClassVar[str] = ".txt"

    def render(self, q: QueryResult) -> str:
        return query_text(q)


class QueryJson:
    name: ClassVar[str] = "json"
    suffix: ClassVar[str] = ".json"

    def render(self, q: QueryResult) -> str:
        return query_json(q)
