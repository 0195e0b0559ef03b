"""Domain objects that cross pipeline stages or are written to disk.

The JSON report is ``ScanReport.to_json()`` (keys sorted at every level); its shape is a contract (schema_version "1") with
CI scripts and other tools. ``schema/report.schema.json`` is generated from these models and a test
guards it against drift. Add optional fields freely; rename or remove only with a version bump.
"""

# No ``from __future__ import annotations`` here: pydantic would then have to evaluate every field's
# annotation from its text (~1300 ForwardRef compilations and evaluations at start-up, ~5 % of a small
# scan's import time); evaluated by the interpreter, they cost nothing extra.
from enum import StrEnum
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION: Literal["1"] = "1"

JSONValue = Any  # JSON-compatible data as parsed from cards and configs (already size-bounded by readers)


def empty_list() -> list[Any]:
    """A new empty list: the default factory of the models' list fields. pydantic inspects the signature of
    every default factory when it builds a model, and ``inspect.signature(list)`` parses the builtin's text
    signature (~0.3 ms a field, ~40 fields built by every scan); a Python function's is read directly."""
    return []


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------------------------- enums


class RepoKind(StrEnum):
    MODEL = "model"
    DATASET = "dataset"


class NodeKind(StrEnum):
    MODEL = "model"
    ADAPTER = "adapter"
    DATASET = "dataset"


class SourceKind(StrEnum):
    HUB = "hub"
    CACHE = "cache"
    LOCAL = "local"


class Relation(StrEnum):
    FINETUNE = "finetune"
    ADAPTER = "adapter"
    MERGE = "merge"
    QUANTIZED = "quantized"
    TRAINED_ON = "trained_on"
    DERIVED = "derived"


class LicenseCategory(StrEnum):
    PERMISSIVE = "permissive"
    WEAK_COPYLEFT = "weak-copyleft"
    COPYLEFT = "copyleft"
    RESTRICTIVE = "restrictive"
    PROPRIETARY = "proprietary"
    UNKNOWN = "unknown"


class CommercialUse(StrEnum):
    YES = "yes"
    NO = "no"
    CONDITIONAL = "conditional"
    UNKNOWN = "unknown"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        return {"note": 0, "warning": 1, "error": 2}[self.value]


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"


class FileStatus(StrEnum):
    """Outcome of checking one file. Anything but ``verified`` means "not proven"."""

    VERIFIED = "verified"  # actual hash computed and equal to the recorded one
    MISMATCH = "mismatch"  # actual hash differs from the recorded one
    NO_REFERENCE = "no-reference"  # hashed, but nothing recorded to compare with
    NOT_CHECKED = "not-checked"  # hashing not requested (--verify none|headers)
    MISSING = "missing"  # listed by the repo but absent locally
    CORRUPT = "corrupt"  # structure check failed
    ERROR = "error"  # could not be read


class ObligationStatus(StrEnum):
    """Whether a node's files meet one obligation. ``unknown`` (could not be checked) never counts as met."""

    MET = "met"
    UNMET = "unmet"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not_applicable"

    @property
    def rank(self) -> int:
        """Worst first when aggregating: unmet > unknown > met > not_applicable."""
        return {"not_applicable": 0, "met": 1, "unknown": 2, "unmet": 3}[self.value]


class Role(StrEnum):
    """Whose audit it is: an adopter takes a model in (unmet obligations are a risk it inherits); a publisher
    ships it (unmet obligations are its own breach)."""

    ADOPTER = "adopter"
    PUBLISHER = "publisher"


class VerifyMode(StrEnum):
    NONE = "none"
    HEADERS = "headers"
    FULL = "full"


class SignatureStatus(StrEnum):
    """What checking a node's model signature (OpenSSF Model Signing, ``model.sig``) established."""

    VERIFIED = "verified"  # signature valid for the given key, chain or identity; every signed file matches
    INVALID = "invalid"  # the signature does not verify, or files differ from it, are missing or unsigned weights
    UNVERIFIED = "unverified"  # a signature is there but was not checked (no trust material, bytes not hashed)
    ERROR = "error"  # the signature file could not be read or parsed


class SignedFileStatus(StrEnum):
    """One file measured against a model signature."""

    MATCHES = "matches"  # its SHA-256 is the one the signature records
    DIFFERS = "differs"  # its SHA-256 is another
    MISSING = "missing"  # signed, but not in the repo or folder
    UNSIGNED = "unsigned"  # in the repo or folder, but not covered by the signature (added after signing?)
    UNCHECKED = "unchecked"  # signed, but its bytes were not hashed (not read, or --verify other than full)


# --------------------------------------------------------------------------------------------- evidence


class Evidence(_Frozen):
    """One observed fact: where it came from and the raw value seen there.

    ``source`` is a short locator such as ``card:license``, ``tag:base_model:adapter``,
    ``adapter_config.json:base_model_name_or_path``, ``gguf:model.gguf:general.license``,
    ``file:LICENSE``; ``value`` is the raw value as text (truncated by readers when huge).
    """

    source: str
    value: str


# --------------------------------------------------------------------------------------------- sources


class RepoRef(_Frozen):
    """A repo as named by a user or a card: Hub id (+ revision) or a local folder."""

    repo_id: str  # "org/name", "name", or for local folders the resolved absolute path
    kind: RepoKind = RepoKind.MODEL
    revision: str | None = None  # None = default branch
    local_path: str | None = None  # set for folder targets

    @property
    def key(self) -> str:
        """Stable node id: dataset ids get a ``datasets/`` prefix, pinned revisions an ``@rev``."""
        base = f"datasets/{self.repo_id}" if self.kind is RepoKind.DATASET else self.repo_id
        return f"{base}@{self.revision}" if self.revision else base

    def display(self) -> str:
        """Node id: the Hub key, or for folders a path relative to the working directory when below it.

        Relative paths keep reports identical across machines and checkouts (golden files, CI diffs).
        """
        if not self.local_path:
            return self.key
        import os

        path = self.local_path
        if os.sep == "/" and path.startswith("/"):
            # os.path.relpath(path) for an absolute path, without its general case (a lineage of folders
            # asks once per node): the parts of the path below the working directory's, or ".." when outside
            parts = [p for p in os.path.normpath(path).split("/") if p]
            cwd = [p for p in os.path.normpath(os.getcwd()).split("/") if p]
            rel = ("/".join(parts[len(cwd) :]) or ".") if parts[: len(cwd)] == cwd else ".."
        else:
            try:
                rel = os.path.relpath(path)
            except ValueError:  # another drive on Windows
                return self.local_path
        return self.local_path if rel.startswith("..") else rel


class FileEntry(_Frozen):
    """A file as listed by its source, with the hashes the source records for it (if any)."""

    path: str
    size: int | None = None
    blob_id: str | None = None  # git blob SHA-1 (of the file, or of the LFS pointer for LFS files)
    lfs_sha256: str | None = None  # SHA-256 of the content, recorded for LFS files

    @property
    def is_lfs(self) -> bool:
        return self.lfs_sha256 is not None


class LicenseFile(_Frozen):
    """A LICENSE-like file's text, kept for later identification (truncated to a bounded size)."""

    path: str
    text: str
    truncated: bool = False


class ParentClaim(_Frozen):
    """A claim, found in some metadata, that this repo derives from another (or was trained on it)."""

    target: str  # Hub id ("org/name"), "datasets/org/name" or a local path as written
    kind: RepoKind = RepoKind.MODEL
    relation: Relation | None = None  # None = the source does not say
    evidence: Evidence
    weak: bool = False  # e.g. config.json _name_or_path: a hint, not a declaration


class RepoRecord(_Model):
    """Everything a source learned about one repo at one revision, with evidence for each fact."""

    ref: RepoRef
    source: SourceKind
    revision: str | None = None  # resolved commit (or None for local folders without git)
    gated: bool = False
    private: bool = False
    tags: list[str] = Field(default_factory=empty_list)
    card_data: dict[str, JSONValue] = Field(default_factory=dict)  # README front matter
    card_path: str | None = None  # where the card came from (file path or URL), for messages and SARIF
    config: dict[str, JSONValue] | None = None  # config.json
    adapter_config: dict[str, JSONValue] | None = None  # adapter_config.json
    mergekit_config: dict[str, JSONValue] | None = (
        None  # the first merge config read (sources.record.MERGEKIT_FILES)
    )
    gguf_metadata: dict[str, dict[str, JSONValue]] = Field(default_factory=dict)  # file → general.* keys
    safetensors_metadata: dict[str, dict[str, str]] = Field(default_factory=dict)  # file → __metadata__
    license_files: list[LicenseFile] = Field(default_factory=empty_list)
    files: list[FileEntry] = Field(default_factory=empty_list)
    license_evidence: list[Evidence] = Field(default_factory=empty_list)  # every declared license value
    parents: list[ParentClaim] = Field(default_factory=empty_list)  # declared bases and datasets
    problems: list[Evidence] = Field(default_factory=empty_list)  # unreadable or malformed inputs met on the way
    local_dir: str | None = None  # folder holding the files, for local and cache sources
    card_text: str | None = None  # the whole README.md (front matter and body) when it was read; None when not


# --------------------------------------------------------------------------------------------- report


class ToolInfo(_Model):
    name: str = "modelaudit"
    version: str


class TargetInfo(_Model):
    id: str
    revision: str | None = None
    source: SourceKind


class PolicyInfo(_Model):
    name: str
    fail_on: Severity = Severity.ERROR
    role: Role = Role.ADOPTER  # added in schema 1 (reports from before were adopter scans)


class LicenseInfo(_Model):
    """A node's assessed license."""

    id: str | None = None  # license_db id or SPDX expression; None when nothing was declared
    name: str | None = None
    category: LicenseCategory = LicenseCategory.UNKNOWN
    osi_approved: bool | None = None
    commercial_use: CommercialUse = CommercialUse.UNKNOWN
    confidence: float | None = None  # 0..1; below 1 when inferred from text or a fuzzy match
    evidence: list[Evidence] = Field(default_factory=empty_list)


class FileResult(_Model):
    path: str
    size: int | None = None
    sha256_expected: str | None = None
    sha256_actual: str | None = None
    status: FileStatus = FileStatus.NOT_CHECKED
    detail: str | None = None


class SignedFile(_Model):
    path: str
    status: SignedFileStatus
    sha256_signed: str | None = None  # the digest the signature records (None for unsigned files)
    sha256_actual: str | None = None  # the digest of the bytes, when hashed


class SignatureInfo(_Model):
    """A node's model signature: who signed, which files it covers, and whether every file matches.

    Present on a node that ships a signature (``model.sig``, or the file given with ``--signature``);
    absent (left out of the JSON report) when the node ships none.
    """

    status: SignatureStatus
    path: str  # the signature file: a path in the repo, or the local file given with --signature
    method: Literal["key", "certificate", "sigstore"] | None = None  # how it was checked; None: not checked
    signer: str | None = None  # key: its SHA-256 fingerprint; certificate: the subject; sigstore: the identity
    issuer: str | None = None  # certificate: the issuer's name; sigstore: the OIDC issuer
    serialization: str | None = None  # the manifest's method and hash, e.g. "files/sha256"
    files: list[SignedFile] = Field(default_factory=list)  # signed files and unsigned ones, by path
    detail: str | None = None


class FingerprintSummary(_Model):
    """Weight fingerprint of a node (the comparison results live on edges and in findings)."""

    algorithm: str
    tensors: int
    digest: str


class SmokeResult(_Model):
    """What a smoke inference run observed."""

    status: Literal["passed", "failed", "skipped"]
    task: str | None = None
    device: str | None = None
    device_name: str | None = None
    dtype: str | None = None
    load_seconds: float | None = None
    first_token_seconds: float | None = None
    tokens_per_second: float | None = None
    peak_rss_bytes: int | None = None
    peak_gpu_bytes: int | None = None
    outputs_finite: bool | None = None
    deterministic: bool | None = None
    sample: str | None = None
    phase: str | None = None  # load | tokenise | run, when failed
    error: str | None = None
    note: str | None = None
    # optional details (smoke runner)
    architecture: str | None = None  # config.json architectures[0] (of the base, for adapters)
    adapter: bool = False  # a PEFT adapter applied on its base
    base: str | None = None  # folder of the base model an adapter was applied on
    parameters: int | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None  # generated tokens (generative tasks)
    run_seconds: float | None = None  # the timed generation or forward pass
    missing_weights: int | None = None  # parameters the checkpoint lacked (initialised by transformers)


class Node(_Model):
    id: str
    kind: NodeKind
    revision: str | None = None
    resolved: bool = True
    unresolved_reason: str | None = None
    source: SourceKind | None = None
    gated: bool = False
    depth: int = 0  # hops from the target
    license: LicenseInfo | None = None
    files: list[FileResult] = Field(default_factory=empty_list)
    fingerprint: FingerprintSummary | None = None
    smoke: SmokeResult | None = None
    # additive (schema_version 1): left out of the JSON report when the node ships no signature
    signature: SignatureInfo | None = Field(default=None, exclude_if=lambda v: v is None)


class Edge(_Model):
    child: str
    parent: str
    relation: Relation
    evidence: list[Evidence] = Field(default_factory=empty_list)


class Waiver(_Model):
    rule: str  # rule id or slug
    node: str = "*"  # glob on node ids
    reason: str
    expires: str  # ISO date
    approver: str


class Finding(_Model):
    rule: str  # stable rule id, e.g. "MA201"
    name: str  # stable slug, e.g. "license-conflict"
    severity: Severity
    node: str
    message: str
    how_to_fix: str
    evidence: list[Evidence] = Field(default_factory=empty_list)
    waived: bool = False
    waiver: Waiver | None = None
    baseline: bool = False  # also present in the --baseline report: shown, but does not count toward failure


class ObligationCheck(_Model):
    """One obligation checked against one node's files (added in schema 1: reports from before have none)."""

    node: str
    status: ObligationStatus
    evidence: list[Evidence] = Field(default_factory=empty_list)  # the file (and line) that meets it, or what was sought
    via: str | None = None  # the upstream node whose license brings the duty; None: the node's own license
    file: str | None = None  # the file of the node the obligation concerns (LICENSE, NOTICE, README.md, ...)


class Obligation(_Model):
    license: str
    kind: str  # e.g. include-agreement, notice-file, naming-prefix, built-with, flow-down-use-policy
    text: str
    nodes: list[str] = Field(default_factory=empty_list)
    # added in schema 1 (absent from reports made before obligations were checked): the worst status of
    # ``checks`` and the evidence of the checks that have it, then one check per node the obligation binds
    status: ObligationStatus | None = None
    evidence: list[Evidence] = Field(default_factory=empty_list)
    checks: list[ObligationCheck] = Field(default_factory=empty_list)


class RemediationFile(_Model):
    """A file a remediation plan adds to the node's folder (or replaces, after a backup)."""

    path: str  # relative to the model folder: LICENSE, NOTICE, USE_POLICY.md, ...
    action: Literal["create", "replace", "append", "remove"]  # remove: moved into the fix's backup folder
    content: str  # license-text:<id> | use-policy:<id> | notice (the ``lines``) | "" (remove)
    lines: list[str] = Field(default_factory=empty_list)  # for notice files: the lines to carry
    reason: str
    addresses: list[str] = Field(default_factory=empty_list)  # "<license>:<kind>" of the obligations it meets


class CardChange(_Model):
    """A change to the model card: a front-matter field, or a statement the card's text must carry."""

    field: str  # license | license_name | license_link | model_name | built-with | credit | notice
    value: str
    reason: str
    addresses: list[str] = Field(default_factory=empty_list)


class RemediationPlan(_Model):
    """What a failing node must change to meet its licenses (added in schema 1)."""

    node: str
    licenses: list[str] = Field(default_factory=empty_list)  # what it may be licensed under; the first is the plan's
    license_note: str = ""
    files: list[RemediationFile] = Field(default_factory=empty_list)
    card: list[CardChange] = Field(default_factory=empty_list)
    manual: list[str] = Field(default_factory=empty_list)  # steps no file change can make


# --------------------------------------------------------------------------------------------- comparison


class ComparisonSide(_Model):
    """One of the two revisions a comparison scanned."""

    revision: str  # as asked: refs/pr/3, main, a tag or a commit
    commit: str  # what it resolved to
    verdict: Verdict  # the revision's own verdict, every finding counted


class FieldChange(_Model):
    field: str  # license | license_name | license_link
    before: list[str]
    after: list[str]


class FileDelta(_Model):
    path: str
    change: str  # added | removed | changed
    before: str | None  # recorded hash (LFS sha256, else git blob sha1); None = absent
    after: str | None


class ParentDelta(_Model):
    target: str  # org/name or datasets/org/name
    change: str  # added | removed


class FindingChange(_Model):
    """One finding in both revisions whose message changed (same rule, same node)."""

    before: Finding  # as the base reported it, with the base's node id
    after: Finding  # as the head reports it


class Comparison(_Model):
    """What a pull request (the head revision) changes against its base, and the verdict on what it introduces
    (``modelaudit scan ORG/NAME@refs/pr/N --against main``; the webhook's comment)."""

    repo: str  # the head's target string, e.g. org/name@refs/pr/3
    head: ComparisonSide
    base: ComparisonSide
    policy: str
    fail_on: Severity
    verdict: Verdict  # only findings the head introduces count
    license_before: str | None = None  # assessed license of the repo itself
    license_after: str | None = None
    license_fields: list[FieldChange] = Field(default_factory=empty_list)
    license_files: list[FileDelta] = Field(default_factory=empty_list)
    parents: list[ParentDelta] = Field(default_factory=empty_list)
    weight_files: list[FileDelta] = Field(default_factory=empty_list)
    other_files: list[FileDelta] = Field(default_factory=empty_list)
    new_findings: list[Finding] = Field(default_factory=empty_list)  # in head, not in base
    resolved_findings: list[Finding] = Field(default_factory=empty_list)  # in base, not in head (base node ids)
    changed_findings: list[FindingChange] = Field(default_factory=empty_list)  # in both, message changed

    @property
    def failing(self) -> list[Finding]:
        """What fails the pull request: new findings, and changed ones that got worse, at or above fail_on."""
        rank = self.fail_on.rank
        worse = [c.after for c in self.changed_findings if not c.after.baseline]
        return [f for f in [*self.new_findings, *worse] if not f.waived and f.severity.rank >= rank]


# The canonical order of a report's lists (ScanReport.sorted).
def _node_order(n: Node) -> tuple[int, str]:
    return (n.depth, n.id)


def _file_order(f: FileResult) -> str:
    return f.path


def _signed_file_order(f: SignedFile) -> str:
    return f.path


def _evidence_order(e: Evidence) -> tuple[str, str]:
    return (e.source, e.value)


def _edge_order(e: Edge) -> tuple[str, str, str]:
    return (e.child, e.parent, e.relation.value)


def _finding_order(f: Finding) -> tuple[int, str, str, str]:
    return (-f.severity.rank, f.rule, f.node, f.message)


def _obligation_order(o: Obligation) -> tuple[str, str, str]:
    return (o.license, o.kind, o.text)


def _check_order(c: ObligationCheck) -> tuple[str, str]:
    return (c.node, c.via or "")


def _plan_order(p: RemediationPlan) -> str:
    return p.node


class ScanReport(_Model):
    schema_version: Literal["1"] = SCHEMA_VERSION
    tool: ToolInfo
    generated_at: str
    target: TargetInfo
    policy: PolicyInfo
    verdict: Verdict
    nodes: list[Node] = Field(default_factory=empty_list)
    edges: list[Edge] = Field(default_factory=empty_list)
    findings: list[Finding] = Field(default_factory=empty_list)
    obligations: list[Obligation] = Field(default_factory=empty_list)
    # scan TARGET --against REV: what TARGET changes against REV (absent from every other report)
    comparison: Comparison | None = Field(default=None, exclude_if=lambda value: value is None)
    remediation: list[RemediationPlan] = Field(default_factory=empty_list)  # added in schema 1

    def node(self, node_id: str) -> Node | None:
        return next((n for n in self.nodes if n.id == node_id), None)

    def counts(self) -> dict[str, int]:
        """Unwaived findings per severity, for banners and summaries."""
        out = {s.value: 0 for s in Severity}
        for f in self.findings:
            if not f.waived and not f.baseline:
                out[f.severity.value] += 1
        return out

    def sorted(self) -> Self:
        """A copy with every list in a canonical order, so output is deterministic."""
        return self.model_copy(
            update={
                "nodes": sorted(
                    (
                        n.model_copy(
                            update={
                                "files": sorted(n.files, key=_file_order),
                                "signature": (
                                    n.signature.model_copy(
                                        update={"files": sorted(n.signature.files, key=_signed_file_order)}
                                    )
                                    if n.signature
                                    else None
                                ),
                                "license": (
                                    n.license.model_copy(
                                        update={"evidence": sorted(n.license.evidence, key=_evidence_order)}
                                    )
                                    if n.license
                                    else None
                                ),
                            }
                        )
                        for n in self.nodes
                    ),
                    key=_node_order,
                ),
                "edges": sorted(
                    (
                        e.model_copy(update={"evidence": sorted(e.evidence, key=_evidence_order)})
                        for e in self.edges
                    ),
                    key=_edge_order,
                ),
                "findings": sorted(self.findings, key=_finding_order),
                "obligations": sorted(
                    (
                        o.model_copy(
                            update={"nodes": sorted(set(o.nodes)), "checks": sorted(o.checks, key=_check_order)}
                        )
                        for o in self.obligations
                    ),
                    key=_obligation_order,
                ),
                "remediation": sorted(self.remediation, key=_plan_order),
            }
        )

    def to_json(self, indent: int | None = 2) -> str:
        """The JSON report: lists in canonical order (``sorted``) and object keys sorted at every level."""
        import json

        return json.dumps(
            self.sorted().model_dump(mode="json"), indent=indent, sort_keys=True, ensure_ascii=False
        )
