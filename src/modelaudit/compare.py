"""What a pull request changes: two revisions of one Hub repo, scanned and compared.

``modelaudit scan org/name@refs/pr/3 --against main`` (and the webhook service) resolve both revisions to
commits first, so both scans see exactly one commit each even while the pull request moves on, then scan
both pinned commits with the same options. The comparison lists what changed in the repo itself: the
card's license fields, LICENSE-like files, declared bases and datasets, weight files (by the hash the Hub
recorded: LFS SHA-256, else the git blob id) and findings. The head report gets the base's findings as its
baseline, so its verdict counts only findings the pull request introduces, exactly like ``--baseline``.

Both reports name the repo by the head's target string (``org/name@refs/pr/3``), so the same problem on
both sides has the same finding key. Nothing here runs repo code: it is the ordinary metadata scan.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from modelaudit.errors import UsageError
from modelaudit.models import (
    FileEntry,
    Finding,
    RepoKind,
    RepoRecord,
    ScanReport,
    Severity,
    Verdict,
)
from modelaudit.policy.baseline import apply_baseline, finding_key
from modelaudit.policy.engine import verdict as policy_verdict
from modelaudit.sources.base import is_license_file

if TYPE_CHECKING:
    from modelaudit.pipeline import ScanOptions

Progress = Callable[[str], None]

WEIGHT_SUFFIXES = (
    ".safetensors",
    ".bin",
    ".gguf",
    ".pt",
    ".pth",
    ".ckpt",
    ".h5",
    ".msgpack",
    ".onnx",
    ".pkl",
)
LICENSE_FIELDS = ("license", "license_name", "license_link")
COMMENT_LIMIT = 60_000  # characters; Hub discussion comments (and GitHub's 65,536) stay under it
MARKER = "<!-- modelaudit:hub-pr-check -->"


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Side(_M):
    revision: str  # as asked: refs/pr/3, main, a tag or a commit
    commit: str  # what it resolved to
    verdict: Verdict  # the revision's own verdict, every finding counted


class FieldChange(_M):
    field: str  # license | license_name | license_link
    before: list[str]
    after: list[str]


class FileDelta(_M):
    path: str
    change: str  # added | removed | changed
    before: str | None  # recorded hash (LFS sha256, else git blob sha1); None = absent
    after: str | None


class ParentDelta(_M):
    target: str  # org/name or datasets/org/name
    change: str  # added | removed


class Comparison(_M):
    """The pull request's changes and the verdict on what it introduces."""

    repo: str  # the head's target string, e.g. org/name@refs/pr/3
    head: Side
    base: Side
    policy: str
    fail_on: Severity
    verdict: Verdict  # only findings the head introduces count
    license_before: str | None = None  # assessed license of the repo itself
    license_after: str | None = None
    license_fields: list[FieldChange] = Field(default_factory=list)
    license_files: list[FileDelta] = Field(default_factory=list)
    parents: list[ParentDelta] = Field(default_factory=list)
    weight_files: list[FileDelta] = Field(default_factory=list)
    other_files: list[FileDelta] = Field(default_factory=list)
    new_findings: list[Finding] = Field(default_factory=list)  # in head, not in base
    resolved_findings: list[Finding] = Field(default_factory=list)  # in base, not in head

    @property
    def failing(self) -> list[Finding]:
        rank = self.fail_on.rank
        return [f for f in self.new_findings if not f.waived and f.severity.rank >= rank]


# --------------------------------------------------------------------------------------------- comparing


def _field_values(card: dict[str, Any], name: str) -> list[str]:
    value = card.get(name)
    values = value if isinstance(value, list) else [value]
    return sorted({str(v).strip() for v in values if v is not None and str(v).strip()})


def _recorded(entry: FileEntry) -> str | None:
    return entry.lfs_sha256 or entry.blob_id


def _file_deltas(base: RepoRecord, head: RepoRecord) -> list[FileDelta]:
    old = {f.path: _recorded(f) for f in base.files}
    new = {f.path: _recorded(f) for f in head.files}
    out: list[FileDelta] = []
    for path in sorted(set(old) | set(new)):
        if path not in old:
            out.append(FileDelta(path=path, change="added", before=None, after=new[path]))
        elif path not in new:
            out.append(FileDelta(path=path, change="removed", before=old[path], after=None))
        elif old[path] != new[path]:
            out.append(FileDelta(path=path, change="changed", before=old[path], after=new[path]))
    return out


def _parents(record: RepoRecord) -> set[str]:
    return {
        (f"datasets/{p.target}" if p.kind is RepoKind.DATASET else p.target)
        for p in record.parents
        if not p.weak
    }


def _rekey(report: ScanReport, old: str, new: str) -> ScanReport:
    """The report with node id ``old`` renamed to ``new`` everywhere it appears (ids and messages)."""
    if old == new:
        return report
    data = json.loads(report.model_dump_json())

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return new if value == old else value.replace(old, new)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    for key in ("nodes", "edges", "findings", "obligations"):
        data[key] = walk(data[key])
    data["target"]["id"] = walk(data["target"]["id"])
    return ScanReport.model_validate(data)


def compare_records(
    base: RepoRecord,
    head: RepoRecord,
    base_report: ScanReport,
    head_report: ScanReport,
    *,
    repo: str,
    head_alone: Verdict,
) -> Comparison:
    """The comparison of two already scanned revisions: reports keyed alike, the head's baseline-marked
    with the base's findings; ``head_alone`` is the head's verdict before that."""
    fail_on = head_report.policy.fail_on
    head_keys = {finding_key(f) for f in head_report.findings}
    files = _file_deltas(base, head)
    before_lic = base_report.node(base_report.target.id)
    after_lic = head_report.node(head_report.target.id)
    old_parents, new_parents = _parents(base), _parents(head)
    return Comparison(
        repo=repo,
        head=Side(revision=head.ref.revision or "main", commit=head.revision or "", verdict=head_alone),
        base=Side(
            revision=base.ref.revision or "main", commit=base.revision or "", verdict=base_report.verdict
        ),
        policy=head_report.policy.name,
        fail_on=fail_on,
        verdict=head_report.verdict,
        license_before=before_lic.license.id if before_lic and before_lic.license else None,
        license_after=after_lic.license.id if after_lic and after_lic.license else None,
        license_fields=[
            FieldChange(field=name, before=b, after=a)
            for name in LICENSE_FIELDS
            if (b := _field_values(base.card_data, name)) != (a := _field_values(head.card_data, name))
        ],
        license_files=[f for f in files if is_license_file(f.path)],
        weight_files=[f for f in files if f.path.lower().endswith(WEIGHT_SUFFIXES)],
        other_files=[
            f for f in files if not is_license_file(f.path) and not f.path.lower().endswith(WEIGHT_SUFFIXES)
        ],
        parents=[ParentDelta(target=t, change="added") for t in sorted(new_parents - old_parents)]
        + [ParentDelta(target=t, change="removed") for t in sorted(old_parents - new_parents)],
        new_findings=[f for f in head_report.findings if not f.baseline],
        resolved_findings=[f for f in base_report.findings if finding_key(f) not in head_keys],
    )


def compare_revisions(
    target: str, against: str, options: ScanOptions | None = None, progress: Progress | None = None
) -> tuple[Comparison, ScanReport]:
    """Scan ``target`` (a Hub repo at a revision, typically ``refs/pr/N``) and the same repo at ``against``.

    Returns the comparison and the head's report with the base's findings as its baseline (its verdict
    counts only what the head introduces). ``options`` are :class:`modelaudit.pipeline.ScanOptions`;
    a ``baseline`` among them is refused (the base revision is the baseline).
    """
    from modelaudit.pipeline import ScanOptions, open_sources, scan
    from modelaudit.targets import parse_target

    opts = options or ScanOptions()
    if opts.baseline:
        raise UsageError(
            "--against and --baseline cannot be combined: the --against revision is the baseline"
        )
    if not against or not against.strip() or len(against) > 256 or any(c in against for c in "\0\n\r"):
        raise UsageError(f"--against {against!r}: not a revision name")
    say = progress or (lambda _msg: None)
    ref = parse_target(target)
    if ref.local_path:
        raise UsageError(
            f"{target}: --against compares two revisions of a Hub repo; this target is a folder",
            hint="use `modelaudit diff BASE.json HEAD.json` for two scans of folders",
        )
    head_ref = ref if ref.revision else ref.model_copy(update={"revision": "main"})
    base_ref = ref.model_copy(update={"revision": against.strip()})
    name = head_ref.key

    # Resolve both revisions afresh (a pull request moves; the metadata cache may hold an older head).
    resolver = open_sources(opts.model_copy(update={"no_cache": True}))
    say(f"resolving {head_ref.display()} and {base_ref.display()}")
    head_record = resolver.fetch(head_ref)
    base_record = resolver.fetch(base_ref)
    if not head_record.revision or not base_record.revision:
        raise UsageError(f"{target}: --against needs revisions that resolve to commits")

    def pinned(record: RepoRecord) -> str:
        return record.ref.model_copy(update={"revision": record.revision}).key

    say(f"scanning {base_ref.display()} ({base_record.revision[:12]})")
    base_report = _rekey(scan(pinned(base_record), opts, progress=progress), pinned(base_record), name)
    say(f"scanning {head_ref.display()} ({head_record.revision[:12]})")
    head_report = _rekey(scan(pinned(head_record), opts, progress=progress), pinned(head_record), name)
    findings = apply_baseline(head_report.findings, base_report.findings)
    own_verdict = head_report.verdict
    head_report = head_report.model_copy(
        update={"findings": findings, "verdict": policy_verdict(findings, head_report.policy.fail_on)}
    ).sorted()
    comparison = compare_records(
        base_record.model_copy(update={"ref": base_ref}),
        head_record.model_copy(update={"ref": head_ref}),
        base_report,
        head_report,
        repo=name,
        head_alone=own_verdict,
    )
    return comparison, head_report


# --------------------------------------------------------------------------------------------- rendering


def _short(sha: str | None) -> str:
    return sha[:12] if sha else "–"


def _finding_row(f: Finding) -> str:
    from modelaudit.formats.markdown import code, md

    waived = " (waived)" if f.waived else ""
    return f"| {f.severity.value}{waived} | {code(f.rule)} {md(f.name)} | {code(f.node)} | {md(f.message)} |"


def render_markdown(c: Comparison, *, limit: int = COMMENT_LIMIT) -> str:
    """A discussion comment: verdict first, then the changes; rows past ``limit`` characters are cut."""
    from modelaudit.formats.markdown import code, md

    failing = c.failing
    if c.verdict is Verdict.FAIL:
        headline = f"❌ **FAIL**: this pull request introduces {len(failing)} finding(s) at or above {c.fail_on.value}"
    else:
        headline = f"✅ **PASS**: nothing this pull request introduces reaches {c.fail_on.value}"
    head = [
        MARKER,
        f"### modelaudit: {code(c.repo)}",
        "",
        headline,
        "",
        f"Compared {code(c.head.revision)} ({code(_short(c.head.commit))}) with {code(c.base.revision)} "
        f"({code(_short(c.base.commit))}) under policy {code(c.policy)}.",
        "",
    ]
    blocks: list[list[str]] = []
    if failing:
        blocks.append(
            ["**Why it fails**", ""]
            + [f"- {code(f.name)} on {code(f.node)}: {md(f.message)}" for f in failing]
        )
    if c.license_before != c.license_after or c.license_fields:
        rows = ["**License**", "", "| | before | after |", "|---|---|---|"]
        if c.license_before != c.license_after:
            rows.append(f"| assessed | {md(c.license_before or '–')} | {md(c.license_after or '–')} |")
        rows += [
            f"| card {code(ch.field)} | {md(', '.join(ch.before) or '–')} | {md(', '.join(ch.after) or '–')} |"
            for ch in c.license_fields
        ]
        blocks.append(rows)
    for title, deltas in (("LICENSE files", c.license_files), ("Weight files", c.weight_files)):
        if deltas:
            blocks.append(
                [f"**{title}**", "", "| change | file | before | after |", "|---|---|---|---|"]
                + [
                    f"| {d.change} | {code(d.path)} | {code(_short(d.before))} | {code(_short(d.after))} |"
                    for d in deltas
                ]
            )
    if c.parents:
        blocks.append(
            ["**Declared bases and datasets**", ""] + [f"- {d.change}: {code(d.target)}" for d in c.parents]
        )
    others = [f for f in c.new_findings if f not in failing]  # the failing ones are listed above
    if others:
        blocks.append(
            [
                f"**{'Other new' if failing else 'New'} findings ({len(others)})**",
                "",
                "| severity | rule | node | message |",
                "|---|---|---|---|",
            ]
            + [_finding_row(f) for f in others]
        )
    if c.resolved_findings:
        blocks.append(
            [
                f"**Resolved findings ({len(c.resolved_findings)})**",
                "",
                "| severity | rule | node | message |",
                "|---|---|---|---|",
            ]
            + [_finding_row(f) for f in c.resolved_findings]
        )
    if c.other_files:
        blocks.append(["**Other files**", ""] + [f"- {d.change}: {code(d.path)}" for d in c.other_files])
    if not blocks:
        blocks.append(["No license, lineage, weight or finding changes."])
    tail = [
        "",
        f"<sub>head {code(c.head.revision)} alone: {c.head.verdict.value}; base alone: {c.base.verdict.value}. "
        "Findings already on the base do not count. Generated by modelaudit; no repository code was run.</sub>",
    ]
    out = "\n".join(head) + "\n"
    cut = 0
    for block in blocks:
        for i, line in enumerate(block):
            if len(out) + len(line) + 1 + 200 > limit:
                cut += len(block) - i
                break
            out += line + "\n"
        else:
            out += "\n"
            continue
        break
    if cut:
        out += f"\n_… {cut} more line(s) left out to fit one comment; run the scan locally for all of it._\n"
    return out + "\n".join(tail) + "\n"


def render_text(c: Comparison) -> str:
    lines = [
        f"{c.repo}: {c.head.revision} ({_short(c.head.commit)}) against {c.base.revision} ({_short(c.base.commit)}), "
        f"policy {c.policy}",
    ]
    if c.license_before != c.license_after:
        lines.append(f"license: {c.license_before or '-'} → {c.license_after or '-'}")
    lines += [
        f"card {ch.field}: {', '.join(ch.before) or '-'} → {', '.join(ch.after) or '-'}"
        for ch in c.license_fields
    ]
    for title, deltas in (
        ("LICENSE file", c.license_files),
        ("weights", c.weight_files),
        ("file", c.other_files),
    ):
        lines += [f"{title} {d.change}: {d.path} {_short(d.before)} → {_short(d.after)}" for d in deltas]
    lines += [f"declared parent {d.change}: {d.target}" for d in c.parents]
    lines += [f"new {f.severity.value} {f.rule} {f.name} @ {f.node}: {f.message}" for f in c.new_findings]
    lines += [f"resolved {f.rule} {f.name} @ {f.node}" for f in c.resolved_findings]
    failing = c.failing
    lines.append(
        f"FAIL: {len(failing)} new finding(s) at or above {c.fail_on.value}"
        if c.verdict is Verdict.FAIL
        else f"PASS: nothing new at or above {c.fail_on.value}"
    )
    return "\n".join(lines) + "\n"


__all__ = [
    "MARKER",
    "Comparison",
    "FieldChange",
    "FileDelta",
    "ParentDelta",
    "Side",
    "compare_records",
    "compare_revisions",
    "render_markdown",
    "render_text",
]
