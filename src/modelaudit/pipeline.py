"""The scan pipeline: target → sources → lineage → licenses → verification → smoke → policy → report.

Each stage takes the previous stage's objects and returns new ones; nothing here prints, exits or reads
flags. ``scan()`` is the public API (``modelaudit.scan``); the CLI is a thin layer over it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from modelaudit import cachefile
from modelaudit._version import __version__
from modelaudit.cachefile import Cache
from modelaudit.config import DEFAULT_DEADLINE, env_obligations, env_offline
from modelaudit.errors import IncompleteAuditError, InputError, NetworkError, SourceError, UsageError
from modelaudit.lineage.crawler import DEFAULT_MAX_NODES, crawl
from modelaudit.lineage.graph import GraphNode, LineageGraph
from modelaudit.models import (
    FileResult,
    FileStatus,
    Finding,
    FingerprintSummary,
    LicenseInfo,
    Node,
    NodeKind,
    Obligation,
    PolicyInfo,
    RemediationPlan,
    RepoRecord,
    Role,
    ScanReport,
    Severity,
    SignatureInfo,
    SignatureStatus,
    SignedFileStatus,
    SmokeResult,
    SourceKind,
    TargetInfo,
    ToolInfo,
    VerifyMode,
    Waiver,
)
from modelaudit.policy.engine import apply_policy, evaluate, verdict
from modelaudit.policy.model import Policy, load_policy
from modelaudit.policy.rules import RuleContext
from modelaudit.sources import SourceSet
from modelaudit.targets import parse_target

if TYPE_CHECKING:
    from modelaudit.lineage.view import LineageView
    from modelaudit.verify.hashpool import HashPool
    from modelaudit.verify.signature import SignatureTrust

Progress = Callable[[str], None]  # receives short status lines; the CLI shows them on stderr
# receives (bytes just hashed, total bytes this scan hashes); called once with 0 before hashing starts
HashProgress = Callable[[int, int], None]


class ScanOptions(BaseModel):
    """Everything that changes what a scan does. Field names mirror the CLI flags."""

    model_config = ConfigDict(extra="forbid")

    policy: str = "default"  # a ready policy name or a YAML file
    role: Role | None = None  # adopter | publisher; None: the policy's
    obligations: bool = Field(default_factory=env_obligations)  # check obligations against the files
    waivers: str | None = None
    baseline: str | None = None
    offline: bool = False
    verify: VerifyMode | None = None  # None: headers for Hub targets, full for local folders and the cache
    smoke: bool = False
    device: str = "auto"
    smoke_timeout: float = 300.0
    max_depth: int | None = Field(default=None, ge=0)  # None: the policy's max_depth
    max_nodes: int = Field(default=DEFAULT_MAX_NODES, ge=1)
    endpoint: str | None = None  # Hub URL; default HF_ENDPOINT or huggingface.co
    token: str | None = None  # default HF_TOKEN / the huggingface_hub token file
    cache_dir: str | None = None  # HF cache; default HF_HUB_CACHE
    timeout: float = 10.0  # per request, seconds
    deadline: float | None = Field(default=DEFAULT_DEADLINE, gt=0)  # all Hub requests of the scan together, seconds
    no_cache: bool = False  # read and write nothing in modelaudit's cache (cachefile.py)
    refresh: bool = False  # ask the Hub where every branch points now (the cache still keeps what is read)
    allow_incomplete: bool = False  # repos unread after retries: a warning finding instead of an error
    fingerprint: bool | None = None  # fingerprint target + direct parents; None: on unless verify is none
    fingerprint_index: str | None = None  # known bases; default $MODELAUDIT_FINGERPRINT_INDEX, else user dir
    # model signatures (verify/signature.py): the signature file, and what it must verify against
    signature: str | None = None  # a local file, or a path in the repo; default: the repo's model.sig
    sig_key: str | None = None  # PEM public key
    sig_cert_chain: list[str] = Field(default_factory=list)  # PEM certificate chain up to a trusted root
    sig_identity: str | None = None  # Sigstore signer identity ...
    sig_issuer: str | None = None  # ... and its OIDC issuer
    trust_root: str | None = None  # Sigstore ClientTrustConfig JSON, for air-gapped verification

    def signature_trust(self) -> SignatureTrust:
        from modelaudit.verify.signature import SignatureTrust

        return SignatureTrust(
            key=self.sig_key,
            cert_chain=tuple(self.sig_cert_chain),
            identity=self.sig_identity,
            issuer=self.sig_issuer,
            trust_root=self.trust_root,
        )


def open_cache(opts: ScanOptions) -> Cache:
    """modelaudit's cache, or one that reads and writes nothing under ``--no-cache``. A size cap that is not a
    positive number of bytes is a ConfigError here, before any work."""
    if opts.no_cache:
        return Cache.off()
    cachefile.max_bytes()
    return cachefile.default()


def open_sources(opts: ScanOptions, cache: Cache | None = None) -> SourceSet:
    """The sources a scan (or ``modelaudit lineage``) reads, with the metadata cache unless --no-cache."""
    from modelaudit.sources.metadata_cache import MetadataCache

    cache = cache if cache is not None else open_cache(opts)
    return SourceSet(
        offline=opts.offline or env_offline(),
        endpoint=opts.endpoint,
        token=opts.token,
        cache_dir=opts.cache_dir,
        timeout=opts.timeout,
        deadline=opts.deadline,
        metadata_cache=(
            MetadataCache(cache, endpoint=opts.endpoint, ttl=0 if opts.refresh else None)
            if cache.enabled
            else None
        ),
    )


def generated_at() -> str:
    """Report time: SOURCE_DATE_EPOCH when set (reproducible builds and golden files), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        except (ValueError, OverflowError, OSError):
            raise UsageError(f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix timestamp") from None
    return datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------------------------- stages


def assess_licenses(
    graph: LineageGraph, cache: Cache | None = None
) -> tuple[dict[str, LicenseInfo], list[Finding], list[Obligation]]:
    """License of every resolved node, the findings the assessment itself raises, and obligations.
    ``cache`` keeps license-text matches (default: modelaudit's cache; ``Cache.off()`` for none)."""
    from modelaudit.licenses.assess import assess_record, obligation_terms
    from modelaudit.licenses.db import load_db

    db = load_db()  # once, not once per node
    licenses: dict[str, LicenseInfo] = {}
    findings: list[Finding] = []
    by_key: dict[tuple[str, str, str], Obligation] = {}
    terms_of: dict[str | None, list[tuple[str, str, str]]] = {}  # a long lineage repeats a few licenses
    for key in sorted(graph.nodes):
        node = graph.nodes[key]
        if node.record is None:
            continue
        info, node_findings = assess_record(node.record, db=db, cache=cache)
        licenses[key] = info
        findings.extend(f.model_copy(update={"node": key}) for f in node_findings)
        terms = terms_of.get(info.id)
        if terms is None:
            terms = terms_of[info.id] = obligation_terms(info.id, db=db)
        for slot in terms:
            if slot not in by_key:
                by_key[slot] = Obligation(license=slot[0], kind=slot[1], text=slot[2], nodes=[])
            by_key[slot].nodes.append(key)
    return licenses, findings, list(by_key.values())


def lineage_view(graph: LineageGraph, licenses: dict[str, LicenseInfo] | None = None) -> LineageView:
    """What ``modelaudit lineage`` shows: the graph with ``licenses`` attached and the lineage findings the
    rules raise on it (under a neutral policy: no verdict, no waivers). Obligations are not checked against
    files here: that is a scan's work (the lineage view reads no card texts)."""
    from modelaudit.lineage.view import build_view as build_lineage_view

    lic = licenses or {}
    ctx = RuleContext(graph=graph, policy=Policy(name="lineage"), licenses=lic, check_obligations=False)
    findings = evaluate(ctx)
    return build_lineage_view(graph, lic, findings)


def check_complete(graph: LineageGraph, sources: SourceSet, *, allow_incomplete: bool) -> list[Finding]:
    """Raise ``IncompleteAuditError`` when repos of the lineage could not be read after every retry
    (network errors, 5xx, the deadline), under any policy; with ``allow_incomplete``, one warning finding
    on the target names them instead. Not-found, gated and private parents are not incomplete: they stay
    ``lineage-unresolved`` findings whose severity the policy decides."""
    from modelaudit.catalog import make_finding, spec
    from modelaudit.models import Evidence

    failed = sources.network_failures()
    unread = {
        key: failed[key] for key, node in sorted(graph.nodes.items()) if not node.resolved and key in failed
    }
    if not unread:
        return []
    if not allow_incomplete:
        raise IncompleteAuditError(graph.root, unread)
    return [
        make_finding(
            spec("lineage-unresolved"),
            graph.root,
            f"audit incomplete (allowed by --allow-incomplete): {len(unread)} repo(s) of the lineage could not "
            f"be read after retries, so their licenses and ancestors are unchecked: {', '.join(unread)}",
            [Evidence(source="audit:incomplete", value=reason) for reason in unread.values()],
            severity=Severity.WARNING,
            how_to_fix="Scan again when the Hub answers (or raise --timeout / --deadline) to complete the audit.",
        )
    ]


def target_source(record: RepoRecord, sources: SourceSet) -> SourceKind:
    """Where this scan read the target: offline, a Hub record comes from the caches on this machine."""
    return SourceKind.CACHE if sources.offline and record.source is SourceKind.HUB else record.source


def default_verify_mode(source: SourceKind) -> VerifyMode:
    return VerifyMode.HEADERS if source is SourceKind.HUB else VerifyMode.FULL


def verify_target(
    node: GraphNode,
    sources: SourceSet,
    mode: VerifyMode,
    hashing: HashProgress | None = None,
    pool: HashPool | None = None,
) -> tuple[list[FileResult], list[Finding]]:
    """Hashes and structure of the target's files (ancestors are judged by their licenses, not bytes)."""
    record = node.record
    if record is None or mode is VerifyMode.NONE:
        return [FileResult(path=f.path, size=f.size) for f in (record.files if record else [])], []
    from modelaudit.verify import verify_files

    def open_file(path: str) -> Any:
        return sources.open_file(record, path)

    def read_range(path: str, start: int, length: int) -> bytes:
        return sources.read_range(record, path, start, length)

    tick: Callable[[int], None] | None = None
    if hashing is not None and mode is VerifyMode.FULL:
        total = sum(f.size or 0 for f in record.files)
        hashing(0, total)
        follow = hashing
        tick = lambda n: follow(n, total)  # noqa: E731

    # headers mode reads headers through range requests, so Hub weights are not downloaded to check them
    results, findings = verify_files(
        record.files,
        open_file,
        mode,
        node=node.key,
        read_range=read_range,
        progress=tick,
        pool=pool,
    )
    return results, [f.model_copy(update={"node": node.key}) for f in findings]


def fingerprint_lineage(
    graph: LineageGraph,
    sources: SourceSet,
    options: ScanOptions,
    progress: Progress,
    cache: Cache | None = None,
) -> tuple[LineageGraph, dict[str, FingerprintSummary], list[Finding]]:
    """Weight fingerprints of the target and its direct model parents, checked against the declared edges
    and the fingerprint index (verify/lineage_check.py). The graph returned carries the fingerprint evidence
    on its edges."""
    from modelaudit.verify.index import load_index
    from modelaudit.verify.lineage_check import check_lineage

    index = load_index(options.fingerprint_index)
    result = check_lineage(graph, sources, index=index, say=progress, cache=cache)
    return graph.with_edges(result.edges), result.fingerprints, result.findings


def _signature_file(record: RepoRecord, given: str | None) -> tuple[str, bytes | None, str | None]:
    """Which signature a node ships: (its name in the report, a local file's bytes or None to read it from
    the repo, its path in the repo or None). ``given`` (``--signature``) is a local file (an existing path
    wins) or a path in the repo; without it, the repo's ``model.sig``."""
    from modelaudit.verify.signature import MAX_SIGNATURE_BYTES, SIGNATURE_FILE

    listed = {f.path for f in record.files}
    if given is None:
        return SIGNATURE_FILE, None, SIGNATURE_FILE if SIGNATURE_FILE in listed else None
    if os.path.isfile(given):
        try:
            with open(given, "rb") as fh:
                data = fh.read(MAX_SIGNATURE_BYTES + 1)
        except OSError as exc:
            raise InputError(given, f"cannot read signature ({exc.strerror or exc})") from None
        in_repo = None
        if record.local_dir:  # a signature inside the folder is one of its files: not a file it signs
            rel = os.path.relpath(os.path.realpath(given), os.path.realpath(record.local_dir))
            in_repo = None if rel.startswith("..") else rel.replace(os.sep, "/")
        return in_repo or given, data, in_repo
    path = given.strip("/")
    if path in listed:
        return path, None, path
    raise InputError(given, "no such signature file, locally or in the target repo")


def check_signatures(
    graph: LineageGraph,
    sources: SourceSet,
    options: ScanOptions,
    trust: SignatureTrust,
    target_files: list[FileResult],
) -> tuple[dict[str, SignatureInfo], list[Finding]]:
    """Model signatures: the target's checked against its files' digests from the verify stage (one pass
    over the bytes serves both); ancestors that ship ``model.sig`` are recorded as signed but unchecked
    (a scan hashes the target's files only)."""
    from modelaudit.verify.signature import (
        MAX_SIGNATURE_BYTES,
        SIGNATURE_FILE,
        check_signature,
        unchecked_signature,
    )

    out: dict[str, SignatureInfo] = {}
    findings: list[Finding] = []
    for key, node in sorted(graph.nodes.items()):
        record = node.record
        if record is None:
            continue
        if key != graph.root:
            if any(f.path == SIGNATURE_FILE for f in record.files):
                out[key] = unchecked_signature(
                    SIGNATURE_FILE,
                    f"ships {SIGNATURE_FILE}; scan {key} itself to verify it (a scan hashes the target's "
                    "files only)",
                )
            continue
        name, data, in_repo = _signature_file(record, options.signature)
        if data is None and in_repo is None:
            continue  # unsigned; the policy's require_signature decides whether that is a finding
        if data is None:
            assert in_repo is not None
            try:
                with sources.open_file(record, in_repo) as fh:
                    data = fh.read(MAX_SIGNATURE_BYTES + 1)
            except (SourceError, OSError) as exc:
                out[key] = SignatureInfo(
                    status=SignatureStatus.ERROR, path=name, detail=f"could not be read: {exc}"[:500]
                )
                continue
        digests = {f.path: f.sha256_actual for f in target_files if f.status in DIGEST_STATUSES}
        info, found = check_signature(
            key,
            name,
            data,
            trust,
            [f.path for f in record.files],
            digests,
            local_dir=weights_dir(record, options),
        )
        out[key] = info
        findings.extend(found)
    return out, findings


def signed_file_results(files: list[FileResult], signature: SignatureInfo) -> list[FileResult]:
    """A verified signature records digests: files hashed without a reference (a folder's) that match it
    become verified against it."""
    if signature.status is not SignatureStatus.VERIFIED:
        return files
    signed = {f.path: f.sha256_signed for f in signature.files if f.status is SignedFileStatus.MATCHES}
    return [
        f.model_copy(
            update={
                "status": FileStatus.VERIFIED,
                "sha256_expected": signed[f.path],
                "detail": f"sha256 matches {signature.path}",
            }
        )
        if f.status is FileStatus.NO_REFERENCE and signed.get(f.path)
        else f
        for f in files
    ]


# Files in these states are never handed to the loader: the bytes are not what the repo recorded.
UNLOADABLE = {FileStatus.MISMATCH, FileStatus.CORRUPT}
# Files whose sha256_actual is the digest of the file's bytes (a signature compares it with the signed one)
DIGEST_STATUSES = {FileStatus.VERIFIED, FileStatus.NO_REFERENCE, FileStatus.MISMATCH, FileStatus.CORRUPT}


def weights_dir(record: RepoRecord, options: ScanOptions) -> str | None:
    """The folder holding a repo's files: the folder itself, or its HF cache snapshot for Hub repos."""
    if record.local_dir:
        return record.local_dir
    if record.source is not SourceKind.HUB or not record.revision:
        return None
    from modelaudit.sources.cache import CacheSource

    try:
        config = CacheSource(options.cache_dir).cached_path(record.ref, "config.json", record.revision)
    except SourceError:
        return None
    return str(config.parent) if config is not None else None


def smoke_target(
    node: GraphNode, graph: LineageGraph, options: ScanOptions, files: list[FileResult] | None = None
) -> tuple[SmokeResult, list[Finding]]:
    """Smoke-run the target from verified local bytes (a folder, or the HF cache after --verify full)."""
    files = files or []
    from modelaudit.smoke import run_smoke

    record = node.record
    model_dir = weights_dir(record, options) if record is not None else None
    if record is None or model_dir is None:
        return SmokeResult(status="skipped", note="weights are not available locally"), []
    if any(f.status in UNLOADABLE for f in files):
        bad = sorted(f.path for f in files if f.status in UNLOADABLE)
        note = f"not loaded: {', '.join(bad[:5])} failed verification (see the findings)"
        return SmokeResult(status="skipped", note=note), []
    base_dir: str | None = None
    if node.kind is NodeKind.ADAPTER:
        for edge in graph.parents(node.key):
            parent = graph.nodes.get(edge.parent)
            parent_dir = weights_dir(parent.record, options) if parent and parent.record else None
            if parent_dir is not None:
                base_dir = parent_dir
                break
    tag = record.card_data.get("pipeline_tag")
    result, findings = run_smoke(
        model_dir,
        adapter_base_dir=base_dir,
        device=options.device,
        timeout_s=options.smoke_timeout,
        card_pipeline_tag=tag if isinstance(tag, str) else None,
    )
    return result, [f.model_copy(update={"node": node.key}) for f in findings]


def build_nodes(
    graph: LineageGraph,
    licenses: dict[str, LicenseInfo],
    files: dict[str, list[FileResult]],
    smoke: dict[str, SmokeResult],
    fingerprints: dict[str, FingerprintSummary] | None = None,
    signatures: dict[str, SignatureInfo] | None = None,
) -> list[Node]:
    prints = fingerprints or {}
    signed = signatures or {}
    nodes = [
        g.to_node(licenses.get(key), files.get(key), smoke.get(key), prints.get(key))
        for key, g in graph.nodes.items()
    ]
    return [n.model_copy(update={"signature": signed[n.id]}) if n.id in signed else n for n in nodes]


# --------------------------------------------------------------------------------------------- scan



def _load_waivers(path: str) -> list[Waiver]:
    from modelaudit.policy.waivers import load_waivers

    return load_waivers(path)


def _load_baseline(path: str) -> ScanReport:
    from modelaudit.policy.baseline import load_report

    return load_report(path, what="baseline report")

def scan(
    target: str,
    options: ScanOptions | None = None,
    progress: Progress | None = None,
    *,
    sources: SourceSet | None = None,
    hashing: HashProgress | None = None,
    pool: HashPool | None = None,
    **overrides: Any,
) -> ScanReport:
    """Audit ``target`` and return the report. Raises ``ModelAuditError`` for bad input and unreadable targets.

    ``sources`` (optional) replaces the ``SourceSet`` built from the options, so that many scans can share
    one (``modelaudit fleet`` shares fetched records and in-flight requests across a whole fleet).
    ``hashing`` (optional) follows ``--verify full`` hashing in bytes, for progress bars.
    ``pool`` (optional) holds digests of local files computed ahead of the verify stage, by the Ray engine's
    hashing tasks (verify/hashpool.py).
    """
    base = options or ScanOptions()
    # validate overrides like flags (so scan(..., verify="none") works and typos are refused)
    opts = ScanOptions.model_validate({**base.model_dump(), **overrides}) if overrides else base
    say = progress or (lambda _msg: None)
    policy: Policy = load_policy(opts.policy)
    if opts.role is not None:
        policy = policy.model_copy(update={"role": opts.role})
    # waivers and a baseline report (their modules load only when asked for): bad files fail before any
    # network work
    waivers = _load_waivers(opts.waivers) if opts.waivers else []
    baseline = _load_baseline(opts.baseline) if opts.baseline else None
    trust = opts.signature_trust()
    if trust.method == "sigstore" and trust.trust_root is None and (opts.offline or env_offline()):
        raise UsageError(
            "offline, a Sigstore signature is verified against a local trust root",
            hint="give --trust-root FILE (a Sigstore ClientTrustConfig JSON)",
        )
    if trust.method is not None:
        trust.verifier()  # bad keys, chains or trust roots fail before any network work (model-signing loads)
    ref = parse_target(target)
    cache = open_cache(opts)
    if sources is None:
        sources = open_sources(opts, cache)

    say(f"resolving {ref.display()}")
    try:
        root_record = sources.fetch(ref)
    except NetworkError as exc:  # retries ran out on the target itself: no audit at all
        raise IncompleteAuditError(ref.display(), {ref.display(): exc.message}, hint=exc.hint) from None
    if opts.obligations:  # the checks search the target's card: the Hub gives its front matter only
        root_record = sources.with_card_text(root_record)
    max_depth = policy.max_depth if opts.max_depth is None else opts.max_depth
    say("crawling lineage")
    graph = crawl(ref, sources, max_depth=max_depth, max_nodes=opts.max_nodes, root_record=root_record)
    root = graph.nodes[graph.root]
    incomplete = check_complete(graph, sources, allow_incomplete=opts.allow_incomplete)

    # a smoke run loads only verified bytes: on a Hub target that means downloading and hashing them first
    # a signature is checked against the files' digests: checking one (trust material given) hashes them
    hashed = opts.smoke or trust.method is not None
    mode = opts.verify or (VerifyMode.FULL if hashed else default_verify_mode(root_record.source))

    say(f"assessing licenses of {len(graph.nodes)} node(s)")
    licenses, stage_findings, obligations = assess_licenses(graph, cache)

    fingerprints: dict[str, FingerprintSummary] = {}
    fingerprint_findings: list[Finding] = []
    if opts.fingerprint if opts.fingerprint is not None else mode is not VerifyMode.NONE:
        say("fingerprinting weights")
        graph, fingerprints, fingerprint_findings = fingerprint_lineage(graph, sources, opts, say, cache)

    say(f"verifying files ({mode.value})")
    target_files, verify_findings = verify_target(root, sources, mode, hashing, pool)
    files = {graph.root: target_files}
    stage_findings += verify_findings + incomplete + fingerprint_findings

    signatures, signature_findings = check_signatures(graph, sources, opts, trust, target_files)
    stage_findings += signature_findings
    if graph.root in signatures:
        target_files = signed_file_results(target_files, signatures[graph.root])
        files = {graph.root: target_files}

    smoke: dict[str, SmokeResult] = {}
    if opts.smoke:
        say(f"smoke inference on {opts.device}")
        smoke_result, smoke_findings = smoke_target(root, graph, opts, target_files)
        smoke[graph.root] = smoke_result
        stage_findings += smoke_findings

    say("applying policy")
    ctx = RuleContext(
        graph=graph,
        policy=policy,
        licenses=licenses,
        files=files,
        smoke=smoke,
        signatures=signatures,
        check_obligations=opts.obligations,
        cache=cache,
    )
    rule_findings = evaluate(ctx)
    # the remote-code rule and a refused smoke run report the same fact: keep the rule's finding
    ruled = {(f.name, f.node) for f in rule_findings}
    stage_findings = [
        f for f in stage_findings if not (f.name == "remote-code-required" and (f.name, f.node) in ruled)
    ]
    findings = apply_policy([*graph.findings, *stage_findings, *rule_findings], policy)
    if waivers:
        from modelaudit.policy.waivers import apply_waivers, today

        findings, expired_notes = apply_waivers(findings, waivers, on=today(), target=graph.root)
        findings += apply_policy(expired_notes, policy)
    if baseline is not None:
        from modelaudit.policy.baseline import apply_baseline

        findings = apply_baseline(findings, baseline.findings)
    remediation: list[RemediationPlan] = []
    if opts.obligations:
        from modelaudit.policy.obligations import checked
        from modelaudit.policy.remediation import plan_remediation

        obligations = checked(ctx)
        remediation = plan_remediation(ctx, findings)

    report = ScanReport(
        tool=ToolInfo(version=__version__),
        generated_at=generated_at(),
        target=TargetInfo(
            id=graph.root,
            revision=root_record.revision or ref.revision,
            source=target_source(root_record, sources),
        ),
        policy=PolicyInfo(name=policy.name, fail_on=policy.fail_on, role=policy.role),
        verdict=verdict(findings, policy.fail_on),
        nodes=build_nodes(graph, licenses, files, smoke, fingerprints, signatures),
        edges=graph.edges,
        findings=findings,
        obligations=obligations,
        remediation=remediation,
    )
    return report.sorted()
