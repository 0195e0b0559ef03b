"""The fleet results store: every run in one SQLite file (no server), queryable with plain SQL.

Schema (version ``1``; ``PRAGMA user_version`` holds it; docs/fleet.md shows queries):

``runs``      one row per ``fleet scan``: ``id``, ``started_at``, ``inventory``, ``engine``, ``models``,
              ``rescanned``, ``failed``, ``errors``
``models``    one row per inventory entry per run: ``run_id``, ``entry`` (target[@revision]), ``target``
              (report target id), ``revision``, ``owner``, ``intended_use``, ``policy``, ``verdict``
              (``pass``/``fail``, or ``error`` when the model could not be audited), ``errors``,
              ``warnings``, ``notes``, ``rescanned`` (0 when the previous run's result was still valid),
              ``settings`` (digest of what judged it: policy, waivers, scan options), ``error`` (message),
              ``report`` (the JSON report, byte for byte as ``-f json`` writes it)
``nodes``     the lineage of each model: ``run_id``, ``entry``, ``node``, ``kind``, ``revision``,
              ``resolved``, ``unresolved_reason``, ``gated``, ``depth``, ``license``, ``category``,
              ``commercial_use``, ``osi_approved``
``edges``     ``run_id``, ``entry``, ``child``, ``parent``, ``relation``
``findings``  ``run_id``, ``entry``, ``rule``, ``name``, ``severity``, ``node``, ``message``, ``waived``
``licenses``  a view over ``nodes``: ``run_id``, ``entry``, ``node``, ``license``, ``category``,
              ``commercial_use``
``repo_state``what each Hub repo pointed at when a run checked it: ``run_id``, ``repo`` (node id),
              ``commit_sha``, ``last_modified``, ``gated``, ``status`` (``ok`` or the reason it failed)

Writes happen on one thread, each run in one transaction: a run that is interrupted leaves no half rows.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from modelaudit.errors import InputError
from modelaudit.models import ScanReport

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, inventory TEXT NOT NULL, engine TEXT NOT NULL,
  models INTEGER NOT NULL, rescanned INTEGER NOT NULL, failed INTEGER NOT NULL, errors INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS models (
  run_id INTEGER NOT NULL REFERENCES runs(id), entry TEXT NOT NULL, target TEXT, revision TEXT,
  owner TEXT, intended_use TEXT, policy TEXT, verdict TEXT NOT NULL, errors INTEGER NOT NULL DEFAULT 0,
  warnings INTEGER NOT NULL DEFAULT 0, notes INTEGER NOT NULL DEFAULT 0, rescanned INTEGER NOT NULL,
  settings TEXT NOT NULL, error TEXT, report TEXT, PRIMARY KEY (run_id, entry)
);
CREATE TABLE IF NOT EXISTS nodes (
  run_id INTEGER NOT NULL, entry TEXT NOT NULL, node TEXT NOT NULL, kind TEXT NOT NULL, revision TEXT,
  resolved INTEGER NOT NULL, unresolved_reason TEXT, gated INTEGER NOT NULL, depth INTEGER NOT NULL,
  license TEXT, category TEXT, commercial_use TEXT, osi_approved INTEGER,
  PRIMARY KEY (run_id, entry, node)
);
CREATE TABLE IF NOT EXISTS edges (
  run_id INTEGER NOT NULL, entry TEXT NOT NULL, child TEXT NOT NULL, parent TEXT NOT NULL,
  relation TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS findings (
  run_id INTEGER NOT NULL, entry TEXT NOT NULL, rule TEXT NOT NULL, name TEXT NOT NULL,
  severity TEXT NOT NULL, node TEXT NOT NULL, message TEXT NOT NULL, waived INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS repo_state (
  run_id INTEGER NOT NULL, repo TEXT NOT NULL, commit_sha TEXT, last_modified TEXT, gated INTEGER,
  status TEXT NOT NULL, PRIMARY KEY (run_id, repo)
);
CREATE INDEX IF NOT EXISTS nodes_by_node ON nodes(node, run_id);
CREATE INDEX IF NOT EXISTS edges_by_parent ON edges(parent, run_id);
CREATE INDEX IF NOT EXISTS findings_by_entry ON findings(run_id, entry);
CREATE VIEW IF NOT EXISTS licenses AS
  SELECT run_id, entry, node, license, category, commercial_use FROM nodes WHERE license IS NOT NULL;
"""


class ModelRow(BaseModel):
    """One entry's result in a run, as stored."""

    entry: str
    owner: str | None = None
    intended_use: str | None = None
    policy: str | None = None
    verdict: str  # pass | fail | error
    rescanned: bool
    settings: str
    error: str | None = None
    report: str | None = None  # JSON text

    def parsed(self) -> ScanReport | None:
        return ScanReport.model_validate_json(self.report) if self.report else None


class RepoStateRow(BaseModel):
    repo: str
    commit_sha: str | None = None
    last_modified: str | None = None
    gated: bool | None = None
    status: str = "ok"


class Store:
    """A fleet database. Open with :func:`open_store`; use as a context manager."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ reading

    def run_ids(self) -> list[int]:
        return [int(r[0]) for r in self.conn.execute("SELECT id FROM runs ORDER BY id")]

    def latest_run(self) -> int | None:
        row = self.conn.execute("SELECT max(id) FROM runs").fetchone()
        return int(row[0]) if row and row[0] is not None else None

    def models(self, run_id: int) -> dict[str, ModelRow]:
        rows = self.conn.execute(
            "SELECT entry, owner, intended_use, policy, verdict, rescanned, settings, error, report "
            "FROM models WHERE run_id = ? ORDER BY entry",
            (run_id,),
        )
        out: dict[str, ModelRow] = {}
        for r in rows:
            out[r[0]] = ModelRow(
                entry=r[0],
                owner=r[1],
                intended_use=r[2],
                policy=r[3],
                verdict=r[4],
                rescanned=bool(r[5]),
                settings=r[6],
                error=r[7],
                report=r[8],
            )
        return out

    def query(
        self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        cur = self.conn.execute(sql, params)
        names = [d[0] for d in cur.description or []]
        return names, [tuple(r) for r in cur.fetchall()]

    # ------------------------------------------------------------------ writing

    def add_run(
        self,
        *,
        started_at: str,
        inventory: str,
        engine: str,
        models: list[ModelRow],
        states: list[RepoStateRow],
    ) -> int:
        """Write a whole run (its models, their lineage and findings, the repo states) atomically."""
        with self.conn:
            cur = self.conn.execute(
                "INSERT INTO runs (started_at, inventory, engine, models, rescanned, failed, errors) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    started_at,
                    inventory,
                    engine,
                    len(models),
                    sum(m.rescanned for m in models),
                    sum(m.verdict == "fail" for m in models),
                    sum(m.verdict == "error" for m in models),
                ),
            )
            run_id = int(cur.lastrowid or 0)
            for m in models:
                self._add_model(run_id, m)
            self.conn.executemany(
                "INSERT INTO repo_state (run_id, repo, commit_sha, last_modified, gated, status) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        run_id,
                        s.repo,
                        s.commit_sha,
                        s.last_modified,
                        None if s.gated is None else int(s.gated),
                        s.status,
                    )
                    for s in states
                ],
            )
        return run_id

    def _add_model(self, run_id: int, m: ModelRow) -> None:
        report = m.parsed()
        counts = report.counts() if report else {"error": 0, "warning": 0, "note": 0}
        self.conn.execute(
            "INSERT INTO models (run_id, entry, target, revision, owner, intended_use, policy, verdict, errors,"
            " warnings, notes, rescanned, settings, error, report) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                run_id,
                m.entry,
                report.target.id if report else None,
                report.target.revision if report else None,
                m.owner,
                m.intended_use,
                report.policy.name if report else m.policy,
                m.verdict,
                counts["error"],
                counts["warning"],
                counts["note"],
                int(m.rescanned),
                m.settings,
                m.error,
                m.report,
            ),
        )
        if report is None:
            return
        self.conn.executemany(
            "INSERT OR IGNORE INTO nodes (run_id, entry, node, kind, revision, resolved, unresolved_reason, gated,"
            " depth, license, category, commercial_use, osi_approved) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    run_id,
                    m.entry,
                    n.id,
                    n.kind.value,
                    n.revision,
                    int(n.resolved),
                    n.unresolved_reason,
                    int(n.gated),
                    n.depth,
                    n.license.id if n.license else None,
                    n.license.category.value if n.license else None,
                    n.license.commercial_use.value if n.license else None,
                    None
                    if n.license is None or n.license.osi_approved is None
                    else int(n.license.osi_approved),
                )
                for n in report.nodes
            ],
        )
        self.conn.executemany(
            "INSERT INTO edges (run_id, entry, child, parent, relation) VALUES (?,?,?,?,?)",
            [(run_id, m.entry, e.child, e.parent, e.relation.value) for e in report.edges],
        )
        self.conn.executemany(
            "INSERT INTO findings (run_id, entry, rule, name, severity, node, message, waived)"
            " VALUES (?,?,?,?,?,?,?,?)",
            [
                (run_id, m.entry, f.rule, f.name, f.severity.value, f.node, f.message, int(f.waived))
                for f in report.findings
            ],
        )


def open_store(path: str | Path, *, read_only: bool = False) -> Store:
    """Open (or create) the database at ``path``; a file that is not one of ours is an InputError."""
    where = str(path)
    file = Path(path)
    if read_only and not file.is_file():
        raise InputError(where, "no such fleet database (run `modelaudit fleet scan` first)")
    try:
        if read_only:
            conn = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
        else:
            file.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(file))
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except (sqlite3.Error, OSError) as exc:
        raise InputError(where, f"not a usable SQLite database ({exc})") from None
    if tables and "runs" not in tables:
        conn.close()
        raise InputError(where, "is a SQLite database, but not a modelaudit fleet store")
    if version not in (0, SCHEMA_VERSION) or (tables and version != SCHEMA_VERSION):
        conn.close()
        raise InputError(
            where, f"fleet store schema version {version}, this modelaudit reads {SCHEMA_VERSION}"
        )
    if not read_only:
        with conn:
            conn.executescript(SCHEMA)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return Store(conn, where)
