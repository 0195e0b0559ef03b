"""Ready questions for ``modelaudit fleet query`` (each is plain SQL over the store; see docs/fleet.md).

Every shortcut reads one run (the latest unless told otherwise) and returns column names and rows.
"""

from __future__ import annotations

from typing import Any

from modelaudit.errors import UsageError
from modelaudit.fleet.store import Store

# name → (arguments it takes, help, SQL with :run for the run id and :arg for the argument)
SHORTCUTS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "noncommercial": (
        (),
        "models with a non-commercial ancestor, model or dataset (commercial use: no)",
        "SELECT m.entry, m.owner, m.verdict, n.node AS ancestor, n.license "
        "FROM models m JOIN nodes n ON n.run_id = m.run_id AND n.entry = m.entry "
        "WHERE m.run_id = :run AND n.commercial_use = 'no' ORDER BY m.entry, n.node",
    ),
    "depends-on": (
        ("REPO",),
        "models whose lineage contains REPO (any revision of it; Hub ids match in any case, as on the Hub)",
        "SELECT m.entry, m.owner, m.verdict, n.node, n.depth FROM models m "
        "JOIN nodes n ON n.run_id = m.run_id AND n.entry = m.entry "
        "WHERE m.run_id = :run AND n.depth > 0 AND (lower(n.node) = lower(:arg) OR "
        "lower(n.node) LIKE replace(replace(replace(lower(:arg), '\\', '\\\\'), '%', '\\%'), '_', '\\_') "
        "|| '@%' ESCAPE '\\') ORDER BY m.entry",
    ),
    "license": (
        ("ID",),
        "models with a node under license ID (license_db id or SPDX expression)",
        "SELECT m.entry, m.owner, m.verdict, n.node, n.depth FROM models m "
        "JOIN nodes n ON n.run_id = m.run_id AND n.entry = m.entry "
        "WHERE m.run_id = :run AND lower(n.license) = lower(:arg) ORDER BY m.entry, n.depth, n.node",
    ),
    "failing": (
        (),
        "models that failed their policy or could not be audited, with their error findings",
        "SELECT m.entry, m.owner, m.verdict, m.errors, coalesce(m.error, "
        "(SELECT group_concat(DISTINCT f.name) FROM findings f WHERE f.run_id = m.run_id AND f.entry = m.entry "
        "AND f.severity = 'error' AND f.waived = 0)) AS why FROM models m "
        "WHERE m.run_id = :run AND m.verdict != 'pass' ORDER BY m.entry",
    ),
    "gated": (
        (),
        "models with a gated node in their lineage",
        "SELECT m.entry, m.owner, m.verdict, n.node FROM models m "
        "JOIN nodes n ON n.run_id = m.run_id AND n.entry = m.entry "
        "WHERE m.run_id = :run AND n.gated = 1 ORDER BY m.entry, n.node",
    ),
    "ancestors": (
        (),
        "ancestors by how many models depend on them",
        "SELECT n.node, count(DISTINCT n.entry) AS models, max(n.license) AS license FROM nodes n "
        "WHERE n.run_id = :run AND n.depth > 0 GROUP BY n.node ORDER BY models DESC, n.node",
    ),
}


def run_shortcut(
    store: Store, name: str, args: list[str], run_id: int
) -> tuple[list[str], list[tuple[Any, ...]]]:
    if name not in SHORTCUTS:
        raise UsageError(f"unknown question {name!r}", hint=f"one of: {', '.join(sorted(SHORTCUTS))}, sql")
    wanted, _help, sql = SHORTCUTS[name]
    if len(args) != len(wanted):
        raise UsageError(f"`{name}` takes {' '.join(wanted) or 'no arguments'}, got {len(args)}")
    params: dict[str, Any] = {"run": run_id}
    if args:
        params["arg"] = args[0]
    return store.query(sql, params)
