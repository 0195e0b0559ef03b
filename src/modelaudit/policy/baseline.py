"""Baselines: compare a scan with an earlier report so that only new findings fail a CI gate.

A finding is identified across runs by its *content key* (:func:`finding_key`): the rule id, the node id
without a pinned revision, and the message with volatile parts normalised (commit and content hashes,
case and whitespace). Severity, waiver state and evidence are left out on purpose: a policy change, a
waiver or one more piece of evidence for the same problem does not make it a new problem. The key is a
short SHA-256 hex digest, so it also serves as SARIF ``partialFingerprints`` and as the identity in
``modelaudit diff``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from modelaudit.errors import InputError
from modelaudit.models import Finding, ScanReport

MAX_REPORT_BYTES = 256 * 1024 * 1024
KEY_VERSION = "v1"

_SHA256 = re.compile(r"\b[0-9a-fA-F]{64}\b")
_COMMIT = re.compile(r"\b[0-9a-fA-F]{40}\b")
_SPACE = re.compile(r"\s+")
_NODE_REVISION = re.compile(r"@(?:refs/[^@\s]+|[^/@\s]+)$")  # a branch, tag, commit or refs/pr/N


def normalize_node(node: str) -> str:
    """The node id without an ``@revision`` pin: a re-pinned parent is still the same parent."""
    return _NODE_REVISION.sub("", node)


def normalize_message(message: str) -> str:
    """The message with hashes and commits replaced by placeholders, whitespace collapsed, case folded."""
    text = _SHA256.sub("<sha256>", message)
    text = _COMMIT.sub("<commit>", text)
    text = re.sub(r"@(?:<commit>|[0-9a-fA-F]{7,40}\b|refs/pr/\d+\b)", "@<rev>", text)
    return _SPACE.sub(" ", text).strip().casefold()


def finding_key(finding: Finding) -> str:
    """A stable content key for ``finding`` (32 hex characters)."""
    material = "\x1f".join(
        (KEY_VERSION, finding.rule, normalize_node(finding.node), normalize_message(finding.message))
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]


def load_report(path: str | Path, *, what: str = "report") -> ScanReport:
    """Read a JSON report written by ``modelaudit scan -f json``; problems are InputErrors naming the file."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_REPORT_BYTES:
            raise InputError(str(p), f"{what} is larger than {MAX_REPORT_BYTES} bytes")
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InputError(str(p), f"{what} not found") from None
    except IsADirectoryError:
        raise InputError(str(p), f"{what} is a folder, expected a JSON report file") from None
    except OSError as exc:
        raise InputError(str(p), f"cannot read {what} ({exc.strerror or exc})") from None
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(
            str(p), f"{what} is not JSON ({exc})", hint="pass a report written with `modelaudit scan -f json`"
        ) from None
    if not isinstance(data, dict):
        raise InputError(str(p), f"{what} must be a JSON object, got {type(data).__name__}")
    version = data.get("schema_version")
    if version != "1":
        raise InputError(
            str(p),
            f"{what} has schema_version {version!r}; this modelaudit reads version '1'",
            hint="pass a report written with `modelaudit scan -f json`",
        )
    try:
        return ScanReport.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(x) for x in e['loc']) or '<root>'}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise InputError(str(p), f"not a modelaudit {what}: {problems}") from None


def apply_baseline(findings: Iterable[Finding], baseline: Iterable[Finding]) -> list[Finding]:
    """Mark findings whose content key occurs in ``baseline`` (as many times as it occurs there)."""
    known = Counter(finding_key(f) for f in baseline)
    out: list[Finding] = []
    for f in findings:
        key = finding_key(f)
        if known[key] > 0:
            known[key] -= 1
            out.append(f.model_copy(update={"baseline": True}))
        else:
            out.append(f.model_copy(update={"baseline": False}) if f.baseline else f)
    return out


class FindingPairs:
    """How the findings of two scans of one repo correspond (indices into each list)."""

    def __init__(self) -> None:
        self.same: list[tuple[int, int]] = []  # (base, head): the same content key
        self.changed: list[tuple[int, int]] = []  # (base, head): same rule and node, the message changed
        self.new: list[int] = []  # head only
        self.gone: list[int] = []  # base only


def pair_findings(base: list[Finding], head: list[Finding]) -> FindingPairs:
    """Match ``head`` findings with ``base`` ones: first by content key (as :func:`apply_baseline` does),
    then, among what is left, a finding of the same rule on the same node on each side (one and one only)
    is the same finding with a changed message (a license conflict whose declared license changed, a
    mismatch that names another value): it is neither new nor resolved."""
    pairs = FindingPairs()
    waiting: dict[str, list[int]] = {}
    for i, f in enumerate(base):
        waiting.setdefault(finding_key(f), []).append(i)
    left_head: list[int] = []
    for j, f in enumerate(head):
        queue = waiting.get(finding_key(f))
        if queue:
            pairs.same.append((queue.pop(0), j))
        else:
            left_head.append(j)
    left_base = sorted(i for queue in waiting.values() for i in queue)

    def subject(f: Finding) -> tuple[str, str]:
        return (f.rule, normalize_node(f.node))

    by_subject_base: dict[tuple[str, str], list[int]] = {}
    for i in left_base:
        by_subject_base.setdefault(subject(base[i]), []).append(i)
    by_subject_head: dict[tuple[str, str], list[int]] = {}
    for j in left_head:
        by_subject_head.setdefault(subject(head[j]), []).append(j)
    paired_base: set[int] = set()
    paired_head: set[int] = set()
    for key, olds in by_subject_base.items():
        news = by_subject_head.get(key, [])
        if len(olds) == 1 and len(news) == 1:
            pairs.changed.append((olds[0], news[0]))
            paired_base.add(olds[0])
            paired_head.add(news[0])
    pairs.changed.sort(key=lambda p: p[1])
    pairs.new = [j for j in left_head if j not in paired_head]
    pairs.gone = [i for i in left_base if i not in paired_base]
    return pairs


def got_worse(before: Finding, after: Finding) -> bool:
    """Whether a finding present on both sides now counts where it did not: a higher severity, or a waiver
    that no longer applies."""
    return after.severity.rank > before.severity.rank or (before.waived and not after.waived)
