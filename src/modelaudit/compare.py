"""What a pull request changes: two revisions of one Hub repo, scanned and compared.

``modelaudit scan org/name@refs/pr/3 --against main`` (and the webhook service) resolve both revisions to
commits first, so both scans see exactly one commit each even while the pull request moves on, then scan
both pinned commits with the same options. The comparison lists what changed in the repo itself: the
card's license fields, LICENSE-like files, declared bases and datasets, weight files (by the hash the Hub
recorded: LFS SHA-256, else the git blob id) and findings. The head report gets the base's findings as its
baseline, so its verdict counts only findings the pull request introduces, exactly like ``--baseline``.

Both reports name the repo by the head's target string (``org/name@refs/pr/3``), so the same problem on
both sides has the same finding key. Nothing here runs repo code: it is the ordinary metadata scan.
The comparison (:class:`modelaudit.documents.Comparison`) is rendered by :mod:`modelaudit.formats.comparison`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from modelaudit.documents import Comparison, FieldChange, FileDelta, FindingChange, ParentDelta, Side
from modelaudit.errors import UsageError
from modelaudit.models import FileEntry, Finding, RepoKind, RepoRecord, ScanReport, Verdict
from modelaudit.policy.baseline import got_worse, pair_findings
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
    base_name: str | None = None,
) -> Comparison:
    """The comparison of two already scanned revisions, both reports keyed alike (the repo named ``repo`` in
    each), the head's findings marked as in the baseline (:func:`mark_baseline`); ``head_alone`` is the head's
    verdict before that. Findings only the base has (resolved) and the base side of changed ones are named by
    ``base_name`` (the base revision's node id, e.g. ``org/name@main``), where they were reported."""
    fail_on = head_report.policy.fail_on
    files = _file_deltas(base, head)
    before_lic = base_report.node(base_report.target.id)
    after_lic = head_report.node(head_report.target.id)
    old_parents, new_parents = _parents(base), _parents(head)
    pairs = pair_findings(base_report.findings, head_report.findings)

    def as_base(f: Finding) -> Finding:
        if not base_name or base_name == repo:
            return f
        node = base_name if f.node == repo else f.node
        return f.model_copy(update={"node": node, "message": f.message.replace(repo, base_name)})

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
        new_findings=[head_report.findings[j] for j in pairs.new],
        resolved_findings=[as_base(base_report.findings[i]) for i in pairs.gone],
        changed_findings=[
            FindingChange(before=as_base(base_report.findings[i]), after=head_report.findings[j])
            for i, j in pairs.changed
        ],
    )


def mark_baseline(head: list[Finding], base: list[Finding]) -> list[Finding]:
    """The head's findings with ``baseline`` set on those the base already had: the same finding, or the same
    rule on the same node with another message unless it got worse (:func:`modelaudit.policy.baseline.pair_findings`)."""
    pairs = pair_findings(base, head)
    known = {j for _i, j in pairs.same} | {j for i, j in pairs.changed if not got_worse(base[i], head[j])}
    return [
        f.model_copy(update={"baseline": j in known}) if f.baseline != (j in known) else f
        for j, f in enumerate(head)
    ]


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
    findings = mark_baseline(head_report.findings, base_report.findings)
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
        base_name=base_ref.key,
    )
    return comparison, head_report.model_copy(update={"comparison": comparison})


__all__ = [
    "LICENSE_FIELDS",
    "WEIGHT_SUFFIXES",
    "compare_records",
    "compare_revisions",
    "mark_baseline",
]
