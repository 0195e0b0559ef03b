"""The values that documents other than the scan report are rendered from (ground floor).

Each is computed by the floor that owns the work (the pull-request comparison by :mod:`modelaudit.compare`,
fleet rows by :mod:`modelaudit.fleet`, the verify result by ``modelaudit verify``, an attestation check by
:mod:`modelaudit.attest`) and rendered by
:mod:`modelaudit.formats`, which sits below those floors: so the values live here, where both can import
them. Plain pydantic models, no behaviour beyond derived properties.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from modelaudit.models import Comparison as Comparison  # re-exported: the report carries it
from modelaudit.models import ComparisonSide, FileResult, Finding, SmokeResult, VerifyMode, empty_list
from modelaudit.models import FieldChange as FieldChange
from modelaudit.models import FileDelta as FileDelta
from modelaudit.models import FindingChange as FindingChange
from modelaudit.models import ParentDelta as ParentDelta


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------------------------- comparison

MARKER = "<!-- modelaudit:hub-pr-check -->"  # first line of every pull-request comment we post


# The comparison's values live with the report (``ScanReport.comparison``); these names are kept here too.
Side = ComparisonSide


class AuditError(_M):
    """A pull-request check that could not be completed (the webhook says so instead of passing)."""

    repo: str  # org/name
    number: int  # the pull request
    against: str  # the branch it targets
    message: str  # the error's message (untrusted: may quote Hub responses)


# --------------------------------------------------------------------------------------------- verify


class VerifyReport(_M):
    """What ``modelaudit verify`` found: each file's result and the findings."""

    target: str
    mode: VerifyMode
    files: list[FileResult] = Field(default_factory=empty_list)
    findings: list[Finding] = Field(default_factory=empty_list)


# --------------------------------------------------------------------------------------------- attestation


class AttestationCheck(_M):
    """What ``modelaudit verify-attestation`` found (:func:`modelaudit.attest.verify_attestation`)."""

    code: int  # the exit code: 0 all holds, 1 valid but says no, 2 malformed or signature invalid
    reason: str  # one line
    target: str | None = None  # as the attestation names it
    verdict: str | None = None
    policy: str | None = None
    timestamp: str | None = None
    files: int | None = None  # subjects
    problems: list[str] = Field(default_factory=list)  # every reason the answer is not 0

    @property
    def ok(self) -> bool:
        return self.code == 0


# --------------------------------------------------------------------------------------------- fleet


class ModelSummary(_M):
    """One model of a fleet run, as ``fleet scan`` summarises it."""

    entry: str
    owner: str | None = None
    verdict: str  # pass | fail | error (not audited)
    rescanned: bool
    changed: list[str] = Field(default_factory=empty_list)  # why it was rescanned
    findings: dict[str, int]  # severity → count
    error: str | None = None
    failing_rules: list[str] = Field(default_factory=empty_list)  # unwaived error findings' slugs


class FleetSummary(_M):
    """What ``fleet scan`` prints: the run's totals and every model's verdict."""

    run: int
    engine: str
    started_at: str
    totals: dict[str, int]  # models, pass, fail, error, rescanned, change_checks
    models: list[ModelSummary] = Field(default_factory=empty_list)


class ModelChange(_M):
    """A model whose verdict or lineage changed between two fleet runs, and why."""

    entry: str
    before: str | None  # verdict in the older run; None: not in it
    after: str | None
    worse: bool
    causes: list[str] = Field(default_factory=empty_list)


class FleetDiff(_M):
    """What ``fleet diff`` prints: the changes between run ``old`` and run ``new``."""

    old: int
    new: int
    changes: list[ModelChange] = Field(default_factory=empty_list)

    @property
    def worse(self) -> bool:
        return any(c.worse for c in self.changes)


class QueryResult(_M):
    """Rows a ``fleet query`` returned, with their column names (values as SQLite gave them)."""

    names: list[str]
    rows: list[tuple[Any, ...]] = Field(default_factory=empty_list)


class Row(BaseModel):
    """One model's line of the fleet dashboard."""

    entry: str
    owner: str
    use: str
    verdict: str
    license: str  # the model's own license id
    categories: list[str] = Field(default_factory=empty_list)  # license categories along the lineage
    commercial: str  # the most restrictive commercial-use answer along the lineage
    errors: int = 0
    warnings: int = 0
    notes: int = 0
    nodes: int = 0
    rescanned: bool = True
    error: str | None = None
    href: str | None = None  # the model's HTML report, relative to the dashboard


class Ancestor(BaseModel):
    node: str
    models: int
    license: str
    category: str


class DashboardView(BaseModel):
    """The fleet dashboard's content: totals, the rows in each sort order, the filters, shared ancestors."""

    title: str
    run_id: int
    started_at: str
    inventory: str
    totals: dict[str, int]
    sorted_rows: list[tuple[str, str, list[Row]]]  # (key, label, rows in that order)
    ancestors: list[Ancestor]
    filters: list[tuple[str, str]]  # (key, label); the first shows every row


# --------------------------------------------------------------------------------------------- smoke


class SmokeReport(_M):
    """What ``modelaudit smoke`` found: the run's result and its findings, for one model folder."""

    node: str  # the target as the report names it (a Hub id or the folder as given)
    folder: str  # where the model was loaded from
    result: SmokeResult
    findings: list[Finding] = Field(default_factory=empty_list)


# --------------------------------------------------------------------------------------------- cache


class CacheNamespace(_M):
    """One namespace of modelaudit's cache (``stale``: other versions' entries and older layouts)."""

    name: str
    about: str
    entries: int
    bytes: int


class CacheInfo(_M):
    """What ``modelaudit cache info`` shows: where the cache is and what each namespace holds."""

    location: str
    version: str  # the folder current entries live in (v<format>-<modelaudit version>)
    max_bytes: int
    namespaces: list[CacheNamespace] = Field(default_factory=empty_list)

    @property
    def total_bytes(self) -> int:
        return sum(n.bytes for n in self.namespaces)

