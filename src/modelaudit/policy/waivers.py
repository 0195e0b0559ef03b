"""Waivers: a reviewed decision to accept a finding for a while, kept in a YAML file next to the code.

```yaml
waivers:
  - rule: noncommercial-upstream      # rule id (MA…) or slug
    node: "acme/*"                    # glob on node ids (``*`` also crosses ``/``)
    reason: internal evaluation only, no product use
    expires: 2026-12-31               # ISO date; the waiver applies up to and including this day
    approver: jane.doe@acme.example
```

Every field is required and unknown keys are refused, with the file and the field named in the error.
A waived finding stays in every report, marked ``waived`` with its waiver, and no longer counts toward
failure. An expired waiver does not apply; it produces a ``waiver-expired`` note instead, so that nobody
mistakes a lapsed decision for a current one. "Today" is a parameter of :func:`apply_waivers`;
:func:`today` derives it from ``SOURCE_DATE_EPOCH`` when set, so reports stay reproducible.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError, field_validator

from modelaudit.errors import ConfigError, InputError, UsageError
from modelaudit.models import Evidence, Finding, Waiver
from modelaudit.policy.rules.base import make_finding
from modelaudit.policy.rules.waiver_rules import WaiverExpired

MAX_WAIVERS_FILE_BYTES = 1_000_000

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class WaiverEntry(BaseModel):
    """One waiver as written in the file: all fields required, nothing else allowed."""

    model_config = ConfigDict(extra="forbid")

    rule: _Text
    node: _Text
    reason: _Text
    expires: date
    approver: _Text

    @field_validator("expires", mode="before")
    @classmethod
    def _iso_date(cls, value: object) -> object:
        # YAML dates arrive as "YYYY-MM-DD" strings; refuse numbers (pydantic would read them as timestamps)
        if isinstance(value, date):
            return value
        if not isinstance(value, str) or not _ISO_DATE.match(value.strip()):
            raise ValueError("expected an ISO date (YYYY-MM-DD)")
        return value.strip()

    def to_waiver(self) -> Waiver:
        return Waiver(
            rule=self.rule,
            node=self.node,
            reason=self.reason,
            expires=self.expires.isoformat(),
            approver=self.approver,
        )


class WaiversFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    waivers: list[WaiverEntry]


def _loc(parts: Sequence[int | str]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<root>"


def load_waivers(path: str | Path) -> list[Waiver]:
    """Read and validate a waivers file; every problem is a ``ConfigError`` naming the file and field."""
    from modelaudit.bounded import parse_yaml_mapping

    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{p}: waivers file not found") from None
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read waivers file ({exc.strerror or exc})") from None
    if len(raw) > MAX_WAIVERS_FILE_BYTES:
        raise ConfigError(f"{p}: waivers file is larger than {MAX_WAIVERS_FILE_BYTES} bytes")
    try:
        data = parse_yaml_mapping(raw.decode("utf-8"), str(p))
    except UnicodeDecodeError:
        raise ConfigError(f"{p}: waivers file is not UTF-8 text") from None
    except InputError as exc:
        raise ConfigError(
            exc.message, hint="a waivers file is a YAML mapping with a `waivers:` list"
        ) from None
    except ValueError as exc:  # PyYAML raises it for impossible dates such as 2026-02-30
        raise ConfigError(f"{p}: invalid waivers file: {exc}") from None
    try:
        parsed = WaiversFile.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{_loc(e['loc'])}: {e['msg']}" for e in exc.errors()[:10])
        raise ConfigError(
            f"{p}: invalid waivers file: {problems}",
            hint="each waiver needs rule, node, reason, expires (YYYY-MM-DD) and approver, and nothing else",
        ) from None
    return [w.to_waiver() for w in parsed.waivers]


def today() -> date:
    """The date waivers are judged against: the day of SOURCE_DATE_EPOCH when set, else today (UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=UTC).date()
        except (ValueError, OverflowError, OSError):
            raise UsageError(f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix timestamp") from None
    return datetime.now(tz=UTC).date()


def _node_matches(pattern: str, node: str) -> bool:
    """Glob on the node id; a pattern without a revision also matches the node pinned at any revision."""
    if fnmatchcase(node, pattern):
        return True
    head, sep, rev = node.rpartition("@")
    return bool(sep) and "/" not in rev and fnmatchcase(head, pattern)


def waiver_matches(waiver: Waiver, finding: Finding) -> bool:
    return waiver.rule in (finding.rule, finding.name) and _node_matches(waiver.node, finding.node)


def is_expired(waiver: Waiver, on: date) -> bool:
    """Expired after its ``expires`` day has passed (the waiver holds on that day itself)."""
    return date.fromisoformat(waiver.expires) < on


def _describe(waiver: Waiver) -> str:
    return f"waiver for {waiver.rule} on {waiver.node!r} (approved by {waiver.approver}: {waiver.reason})"


def _evidence(waiver: Waiver) -> list[Evidence]:
    return [
        Evidence(source="waiver:rule", value=waiver.rule),
        Evidence(source="waiver:node", value=waiver.node),
        Evidence(source="waiver:expires", value=waiver.expires),
        Evidence(source="waiver:approver", value=waiver.approver),
    ]


def apply_waivers(
    findings: Iterable[Finding], waivers: Sequence[Waiver], *, on: date, target: str
) -> tuple[list[Finding], list[Finding]]:
    """Mark findings covered by a live waiver; return them and the ``waiver-expired`` notes.

    The first live waiver in file order that matches a finding (rule id or slug, node glob) is recorded on
    it. Each expired waiver yields one note per node whose findings it would have covered, or one note on
    ``target`` when it covers nothing any more. Pure: ``on`` is the day to judge expiry against.
    """
    live = [w for w in waivers if not is_expired(w, on)]
    expired = [w for w in waivers if is_expired(w, on)]
    out: list[Finding] = []
    expired_hits: dict[int, list[str]] = {i: [] for i in range(len(expired))}
    for f in findings:
        for i, w in enumerate(expired):
            if waiver_matches(w, f) and f.node not in expired_hits[i]:
                expired_hits[i].append(f.node)
        waiver = next((w for w in live if waiver_matches(w, f)), None)
        if waiver is not None and not f.waived:
            f = f.model_copy(update={"waived": True, "waiver": waiver})
        out.append(f)
    notes: list[Finding] = []
    for i, w in enumerate(expired):
        nodes = sorted(expired_hits[i])
        for node in nodes:
            notes.append(
                make_finding(
                    WaiverExpired,
                    node,
                    f"{_describe(w)} expired on {w.expires}; the {w.rule} finding on {node} counts again",
                    _evidence(w),
                )
            )
        if not nodes:
            notes.append(
                make_finding(
                    WaiverExpired,
                    target,
                    f"{_describe(w)} expired on {w.expires} and matches no finding any more",
                    _evidence(w),
                    how_to_fix="Remove the expired waiver from the waivers file.",
                )
            )
    return out, notes
