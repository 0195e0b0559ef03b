"""What changed between two fleet runs, model by model, and why (``modelaudit fleet diff``).

Causes are read from the two stored reports: the model's own revision, each lineage node's revision,
license, gated status and resolvability, ancestors added or dropped, and findings that appeared or went
away. A verdict got worse when it went from ``pass`` to ``fail`` or ``error`` (not audited), or from
``error`` to ``fail``. Rendered by :mod:`modelaudit.formats.fleet` (as a :class:`~modelaudit.documents.FleetDiff`).
"""

from __future__ import annotations

from modelaudit.documents import ModelChange
from modelaudit.fleet.store import ModelRow
from modelaudit.models import Node, ScanReport

RANK = {"pass": 0, "error": 1, "fail": 2}


def _short(rev: str | None) -> str:
    return (rev or "none")[:12]


def _node_causes(old: Node, new: Node, root: str) -> list[str]:
    what = "the model" if new.id == root else new.id
    out: list[str] = []
    if old.resolved and not new.resolved:
        gone = "became gated" if new.gated or "gated" in (new.unresolved_reason or "") else "disappeared"
        out.append(f"{what} {gone}: {new.unresolved_reason or 'unresolved'}")
    elif new.resolved and not old.resolved:
        out.append(f"{what} resolves again")
    if new.gated and not old.gated and new.resolved:
        out.append(f"{what} became gated")
    if old.gated and not new.gated:
        out.append(f"{what} is no longer gated")
    if old.resolved and new.resolved and old.revision != new.revision:
        out.append(f"{what} changed revision {_short(old.revision)} → {_short(new.revision)}")
    old_lic = old.license.id if old.license else None
    new_lic = new.license.id if new.license else None
    if old_lic != new_lic and (old.resolved and new.resolved):
        label = "license changed" if new.id == root else "upstream license changed"
        out.append(f"{label}: {what}: {old_lic or 'none'} → {new_lic or 'none'}")
    return out


def report_causes(old: ScanReport, new: ScanReport) -> list[str]:
    causes: list[str] = []
    old_nodes = {n.id: n for n in old.nodes}
    new_nodes = {n.id: n for n in new.nodes}
    root = new.target.id
    for key in sorted(new_nodes):
        if key in old_nodes:
            causes += _node_causes(old_nodes[key], new_nodes[key], root)
        else:
            causes.append(f"new ancestor {key}")
    causes += [f"ancestor {key} no longer in the lineage" for key in sorted(set(old_nodes) - set(new_nodes))]
    if old.policy.name != new.policy.name:
        causes.append(f"policy changed: {old.policy.name} → {new.policy.name}")

    def active(r: ScanReport) -> dict[tuple[str, str], str]:
        return {(f.name, f.node): f.severity.value for f in r.findings if not f.waived and not f.baseline}

    was, now = active(old), active(new)
    causes += [
        f"new finding: {name} on {node} ({now[(name, node)]})" for name, node in sorted(set(now) - set(was))
    ]
    causes += [f"finding gone: {name} on {node}" for name, node in sorted(set(was) - set(now))]
    return causes


def compare_runs(old: dict[str, ModelRow], new: dict[str, ModelRow]) -> list[ModelChange]:
    """Every entry whose verdict or lineage changed between two runs, in entry order."""
    changes: list[ModelChange] = []
    for entry in sorted(set(old) | set(new)):
        a, b = old.get(entry), new.get(entry)
        if a is None and b is not None:
            changes.append(
                ModelChange(
                    entry=entry,
                    before=None,
                    after=b.verdict,
                    worse=b.verdict != "pass",
                    causes=["added to the inventory"],
                )
            )
            continue
        if b is None and a is not None:
            changes.append(
                ModelChange(
                    entry=entry,
                    before=a.verdict,
                    after=None,
                    worse=False,
                    causes=["removed from the inventory"],
                )
            )
            continue
        assert a is not None and b is not None
        causes: list[str] = []
        ra, rb = a.parsed(), b.parsed()
        if ra is not None and rb is not None:
            causes = report_causes(ra, rb)
        if b.verdict == "error" and b.error and (a.verdict != "error" or a.error != b.error):
            causes.append(f"could not be audited: {b.error}")
        if a.verdict == "error" and b.verdict != "error":
            causes.append("audited again after an error")
        if a.settings != b.settings and not any(c.startswith("policy changed") for c in causes):
            causes.append("settings changed (policy, waivers or scan options)")
        if a.verdict == b.verdict and not causes:
            continue
        worse = RANK.get(b.verdict, 2) > RANK.get(a.verdict, 2)
        changes.append(ModelChange(entry=entry, before=a.verdict, after=b.verdict, worse=worse, causes=causes))
    return changes
