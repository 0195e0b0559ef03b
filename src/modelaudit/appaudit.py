"""Auditing an application: the models and datasets its code uses, judged against the application.

``audit_application(root, options)``:

1. **discovers** every Hub reference in the application's files (``modelaudit.sources.code``);
2. **audits** every distinct Hub repo they name with the fleet's shared crawl (each repo fetched once, however
   many references and lineages meet it), under the application's policy and intended use, and every folder
   of model weights committed to the repository as a local model;
3. **judges the application**: a repo whose audit fails (``app-model-fails``), a non-commercial model under a
   license that permits commercial use (``app-noncommercial-model``), terms the application must pass on to its
   users and does not (``app-terms-not-passed-on``), weights redistributed under the application's license that
   cannot be (``app-weights-redistributed``), unpinned and unresolved references, repos that could not be audited,
   files that could not be read, and an application without a license.

With ``base`` (a git revision), only references added or changed since that revision count: the others are
kept as ``baseline_references`` and not audited again (a pull request gate). Findings are located at the
referencing file and line (evidence ``location``), where code scanning annotates them. Nothing here prints.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ConfigDict, Field

from modelaudit._version import __version__
from modelaudit.code_models import (
    AppLicense,
    AppReport,
    CodeReference,
    Discovery,
    ModelAudit,
)
from modelaudit.errors import (
    IncompleteAuditError,
    InputError,
    ModelAuditError,
    NetworkError,
    OfflineError,
    UsageError,
)
from modelaudit.models import (
    CommercialUse,
    Evidence,
    Finding,
    LicenseCategory,
    NodeKind,
    PolicyInfo,
    ScanReport,
    Severity,
    ToolInfo,
    VerifyMode,
)
from modelaudit.pipeline import ScanOptions, generated_at

Progress = Callable[[str], None]

WEIGHT_SUFFIXES = (".safetensors", ".gguf", ".bin", ".pt", ".pth", ".ckpt", ".onnx", ".h5", ".msgpack")
_MODEL_MARKERS = ("config.json", "adapter_config.json", "model_index.json", "README.md", "params.json")
_LICENSE_NAMES = re.compile(r"^(?:LICEN[CS]E|COPYING)(?:[-._].*)?$", re.I)
_DOC_NAMES = re.compile(
    r"^(?:README|NOTICE|ATTRIBUTION|THIRD[-_]PARTY|LICEN[CS]E|COPYING)(?:[-._].*)?$", re.I
)
_DOC_SUFFIXES = (".md", ".rst", ".txt", ".adoc", ".html")
MAX_DOC_BYTES = 2 * 1024 * 1024
LOCATION = "location"  # the evidence source that holds a finding's "file:line"


class AppOptions(BaseModel):
    """What ``scan-code`` was asked to do."""

    model_config = ConfigDict(extra="forbid")

    scan: ScanOptions = Field(default_factory=lambda: ScanOptions(verify=VerifyMode.NONE))
    base: str | None = None  # git revision: only references added or changed since it count
    workers: int = Field(default=4, ge=1, le=64)
    name: str | None = None  # the application's name (default: the package name, else the folder's)
    location_root: str = ""  # path from the working directory to the root, for SARIF locations


# --------------------------------------------------------------------------------------------- git


def _git(root: Path, *args: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", "-C", str(root), *args], input=data, capture_output=True, timeout=300, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise UsageError(f"--base needs git, which could not be run: {exc}") from None


class BaseTree(BaseModel):
    """What the application's folder held at the base revision."""

    model_config = ConfigDict(extra="forbid")

    revision: str
    commit: str
    files: dict[str, bytes] = Field(default_factory=dict)  # discovery's files and license files: bytes
    blobs: dict[str, str] = Field(default_factory=dict)  # every file: git blob id


def read_base(root: Path, revision: str, wanted: Callable[[str], bool]) -> BaseTree:
    """The files of ``root`` at ``revision`` (paths relative to ``root``), read with ``git`` without touching
    the work tree; ``wanted`` picks the files whose bytes are needed."""
    top = _git(root, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise InputError(str(root), "--base needs a git repository, and this folder is not in one")
    commit = _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    if (
        commit.returncode != 0
        and revision == "HEAD"
        and _git(root, "rev-parse", "--verify", "--quiet", "HEAD").returncode
    ):
        return BaseTree(revision=revision, commit="")  # a repository without commits yet: everything is new
    if commit.returncode != 0:
        raise UsageError(
            f"--base {revision}: not a commit of the repository at {root}",
            hint="fetch it first (git fetch origin <branch>, actions/checkout with fetch-depth: 0)",
        )
    sha = commit.stdout.decode().strip()
    toplevel = Path(top.stdout.decode().strip()).resolve()
    prefix = root.resolve().relative_to(toplevel).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    listing = _git(
        toplevel, "ls-tree", "-r", "-z", "--full-tree", sha, *([prefix.rstrip("/")] if prefix else [])
    )
    if listing.returncode != 0:
        raise InputError(
            str(root), f"git ls-tree {sha} failed: {listing.stderr.decode(errors='replace').strip()}"
        )
    tree = BaseTree(revision=revision, commit=sha)
    wanted_blobs: list[tuple[str, str]] = []
    for entry in listing.stdout.split(b"\0"):
        if not entry:
            continue
        meta, _, path_b = entry.partition(b"\t")
        parts = meta.split()
        if len(parts) != 3 or parts[1] != b"blob":
            continue
        path = path_b.decode("utf-8", errors="surrogateescape")
        if prefix and not path.startswith(prefix):
            continue
        rel = path[len(prefix) :]
        blob = parts[2].decode()
        tree.blobs[rel] = blob
        if wanted(rel):
            wanted_blobs.append((rel, blob))
    if wanted_blobs:
        batch = _git(
            toplevel, "cat-file", "--batch", data="".join(f"{b}\n" for _, b in wanted_blobs).encode()
        )
        out = batch.stdout
        pos = 0
        for rel, _blob in wanted_blobs:
            header_end = out.find(b"\n", pos)
            header = out[pos:header_end].split()
            if len(header) != 3:
                break
            size = int(header[2])
            start = header_end + 1
            tree.files[rel] = out[start : start + size]
            pos = start + size + 1
    return tree


def split_by_base(
    references: list[CodeReference], base_refs: list[CodeReference]
) -> tuple[list[CodeReference], list[CodeReference]]:
    """``(added or changed, unchanged)``: a reference is unchanged when the base held one with the same
    identity (file, kind, call, repo and revision, or the unresolved value), counted with multiplicity, so
    moving code does not make its references new."""
    left = Counter(r.identity for r in base_refs)
    new: list[CodeReference] = []
    old: list[CodeReference] = []
    for r in references:
        if left[r.identity] > 0:
            left[r.identity] -= 1
            old.append(r)
        else:
            new.append(r)
    return new, old


# --------------------------------------------------------------------------------------------- the application


def _read_text(path: Path, limit: int = MAX_DOC_BYTES) -> str | None:
    try:
        if path.stat().st_size > limit:
            return None
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def application_name(root: Path) -> str:
    """The package name (pyproject.toml, package.json), else the folder's name."""
    text = _read_text(root / "pyproject.toml")
    if text:
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            data = {}
        name = (data.get("project") or {}).get("name") or ((data.get("tool") or {}).get("poetry") or {}).get(
            "name"
        )
        if isinstance(name, str) and name:
            return name
    text = _read_text(root / "package.json")
    if text:
        import json

        try:
            pkg = json.loads(text)
        except ValueError:
            pkg = {}
        if isinstance(pkg, dict) and isinstance(pkg.get("name"), str) and pkg["name"]:
            return str(pkg["name"])
    return root.resolve().name


def application_license(root: Path) -> AppLicense:
    """The application's license from LICENSE-like files at its root, pyproject.toml and package.json."""
    from modelaudit.licenses.db import load_db
    from modelaudit.licenses.identify import identify_text
    from modelaudit.licenses.normalize import normalize

    db = load_db()
    found: list[tuple[str, str]] = []  # (license id, where)
    try:
        names = sorted(p.name for p in root.iterdir() if p.is_file())
    except OSError:
        names = []
    for name in names:
        if _LICENSE_NAMES.match(name):
            text = _read_text(root / name)
            if text:
                ident = identify_text(text, db=db)
                if ident.id:
                    found.append((ident.id, name))
    declared: list[tuple[str, str]] = []
    text = _read_text(root / "pyproject.toml")
    if text:
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            data = {}
        project = data.get("project") or {}
        lic = project.get("license")
        if isinstance(lic, dict):
            lic = lic.get("text") or None
        if isinstance(lic, str):
            declared.append((lic, "pyproject.toml:project.license"))
        poetry = ((data.get("tool") or {}).get("poetry") or {}).get("license")
        if isinstance(poetry, str):
            declared.append((poetry, "pyproject.toml:tool.poetry.license"))
        for c in project.get("classifiers") or []:
            if isinstance(c, str) and c.startswith("License :: OSI Approved :: "):
                declared.append((c.rsplit("::", 1)[-1].strip(), "pyproject.toml:classifiers"))
    text = _read_text(root / "package.json")
    if text:
        import json

        try:
            pkg = json.loads(text)
        except ValueError:
            pkg = {}
        if isinstance(pkg, dict) and isinstance(pkg.get("license"), str):
            declared.append((pkg["license"], "package.json:license"))
    for value, where in declared:
        n = normalize(value, db=db)
        if n.id:
            found.append((n.id, where))
    if not found:
        return AppLicense()
    lic_id = found[0][0]
    record = db.get(lic_id)
    category = record.category.value if record is not None else LicenseCategory.UNKNOWN.value
    return AppLicense(id=lic_id, category=category, sources=[where for i, where in found if i == lic_id])


def application_docs(root: Path, paths: Iterable[str]) -> str:
    """The text end users read (README, NOTICE, docs/), lowercased with spacing normalised."""
    parts: list[str] = []
    total = 0
    for rel in paths:
        p = PurePosixPath(rel)
        top_level = len(p.parts) == 1
        in_docs = p.parts[0].lower() in ("docs", "doc") if p.parts else False
        if not ((top_level and _DOC_NAMES.match(p.name)) or (in_docs and p.suffix.lower() in _DOC_SUFFIXES)):
            continue
        text = _read_text(root / rel)
        if text is None:
            continue
        total += len(text)
        if total > 8 * MAX_DOC_BYTES:
            break
        parts.append(text)
    return _norm(" ".join(parts))


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def vendored_folders(paths: Iterable[str]) -> dict[str, list[str]]:
    """Folders holding model weights committed with the application: folder → its weight files."""
    by_folder: dict[str, list[str]] = {}
    files = set(paths)
    for rel in sorted(files):
        if not rel.lower().endswith(WEIGHT_SUFFIXES):
            continue
        folder = rel.rsplit("/", 1)[0] if "/" in rel else "."
        marker = any(f"{folder}/{m}" in files or (folder == "." and m in files) for m in _MODEL_MARKERS)
        if rel.lower().endswith((".safetensors", ".gguf")) or marker:
            by_folder.setdefault(folder, []).append(rel)
    return by_folder


# --------------------------------------------------------------------------------------------- audits


class _Outcome(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    target: str
    report: ScanReport | None = None
    error: str | None = None
    incomplete: bool = False


def _scan_one(target: str, options: ScanOptions, sources: object) -> _Outcome:
    from modelaudit import pipeline

    try:
        report = pipeline.scan(target, options, sources=sources)  # type: ignore[arg-type]
    except IncompleteAuditError as exc:
        return _Outcome(target=target, error=exc.message, incomplete=True)
    except (NetworkError, OfflineError) as exc:
        return _Outcome(target=target, error=exc.message, incomplete=True)
    except ModelAuditError as exc:
        return _Outcome(target=target, error=exc.message + (f" ({exc.hint})" if exc.hint else ""))
    return _Outcome(target=target, report=report)


def audit_targets(
    targets: list[str], options: AppOptions, progress: Progress | None = None, sources: object | None = None
) -> dict[str, _Outcome]:
    """Audit every target with one shared crawl: each repo is fetched once for the whole application."""
    if not targets:
        return {}
    from modelaudit.fleet.model_scan import open_shared

    shared = sources if sources is not None else open_shared(options.scan)
    say = progress or (lambda _m: None)
    out: dict[str, _Outcome] = {}
    with ThreadPoolExecutor(max_workers=options.workers, thread_name_prefix="modelaudit-app") as pool:
        futures = {pool.submit(_scan_one, t, options.scan, shared): t for t in targets}
        for done, fut in enumerate(futures, 1):
            outcome = fut.result()
            out[outcome.target] = outcome
            say(f"audited {done}/{len(targets)}: {outcome.target}")
    return out


def _model_audit(outcome: _Outcome, fail_on: Severity) -> ModelAudit:
    if outcome.report is None:
        return ModelAudit(target=outcome.target, verdict="error", error=outcome.error)
    report = outcome.report
    node = report.node(report.target.id)
    lic = node.license if node is not None else None
    return ModelAudit(
        target=outcome.target,
        verdict=report.verdict.value,
        license=lic.id if lic else None,
        category=lic.category.value if lic else None,
        commercial_use=lic.commercial_use.value if lic else None,
        failing=sorted({f.name for f in _counting(report, fail_on)}),
        report=report.to_json(indent=None),
    )


# --------------------------------------------------------------------------------------------- judging


def _where(ref: CodeReference) -> Evidence:
    return Evidence(source=LOCATION, value=f"{ref.file}:{ref.line}")


def _finding(
    rule: str, node: str, message: str, evidence: list[Evidence], severity: Severity | None = None
) -> Finding:
    from modelaudit.catalog import make_finding, spec

    return make_finding(spec(rule), node, message, evidence, severity=severity)


def _counting(report: ScanReport, fail_on: Severity) -> list[Finding]:
    return [f for f in report.findings if not f.waived and not f.baseline and f.severity.rank >= fail_on.rank]


def _license_parts(license_id: str | None) -> list[str]:
    if not license_id:
        return []
    return [p for p in re.split(r"\s+(?:AND|OR|WITH)\s+|[()]", license_id) if p.strip()]


def judge_references(
    references: list[CodeReference],
    outcomes: dict[str, _Outcome],
    *,
    fail_on: Severity,
    app_license: AppLicense,
    commercial_policy: bool,
    docs: str,
) -> list[Finding]:
    """Findings on the application from its references and the audits of the repos they name."""
    from modelaudit.licenses.db import load_db

    db = load_db()
    findings: list[Finding] = []
    by_target: dict[str, list[CodeReference]] = {}
    for ref in references:
        if ref.target is None:
            findings.append(
                _finding(
                    "MA506",
                    ref.file,
                    f"{ref.file}:{ref.line}: {ref.site} loads a {ref.kind.value} that could not be determined "
                    f"({ref.unresolved}): `{ref.value}`",
                    [_where(ref), Evidence(source="unresolved", value=ref.unresolved or "")],
                )
            )
            continue
        by_target.setdefault(ref.target, []).append(ref)
        if not ref.pinned:
            pin = f" (revision {ref.revision!r} is not a commit)" if ref.revision else ""
            findings.append(
                _finding(
                    "MA505",
                    ref.target,
                    f"{ref.file}:{ref.line}: {ref.target} is loaded without a pinned commit{pin}",
                    [_where(ref)],
                )
            )
    app_commercial = app_license.id is not None and app_license.category in (
        LicenseCategory.PERMISSIVE.value,
        LicenseCategory.WEAK_COPYLEFT.value,
        LicenseCategory.COPYLEFT.value,
    )
    for target, refs in sorted(by_target.items()):
        outcome = outcomes.get(target)
        if outcome is None:
            continue
        if outcome.report is None:
            for ref in refs:
                findings.append(
                    _finding(
                        "MA507",
                        target,
                        f"{ref.file}:{ref.line}: {target} could not be audited: {outcome.error}",
                        [_where(ref)],
                    )
                )
            continue
        report = outcome.report
        failing = _counting(report, fail_on)
        if failing:
            worst = max(failing, key=lambda f: f.severity.rank).severity
            names = sorted({f.name for f in failing})
            detail = "; ".join(sorted({f"{f.name} on {f.node}" for f in failing})[:6])
            for ref in refs:
                findings.append(
                    _finding(
                        "MA501",
                        target,
                        f"{ref.file}:{ref.line}: {target} fails its audit under policy {report.policy.name} "
                        f"({', '.join(names)}): {detail}",
                        [
                            _where(ref),
                            *(Evidence(source=f"finding:{f.rule}", value=f.message) for f in failing[:5]),
                        ],
                        severity=worst,
                    )
                )
        # non-commercial terms in the lineage against an application licensed for commercial use
        if app_commercial and not commercial_policy:
            blockers = sorted(
                {
                    f"{n.id} ({n.license.id})"
                    for n in report.nodes
                    if n.license is not None
                    and n.license.id
                    and (
                        n.license.commercial_use is CommercialUse.NO
                        or any(
                            (rec := db.get(part)) is not None and rec.obligations.research_only
                            for part in _license_parts(n.license.id)
                        )
                    )
                }
            )
            if blockers:
                for ref in refs:
                    findings.append(
                        _finding(
                            "MA502",
                            target,
                            f"{ref.file}:{ref.line}: the application is licensed {app_license.id}, which permits "
                            f"commercial use, but {target} is not available for commercial use: "
                            + ", ".join(blockers),
                            [_where(ref)],
                        )
                    )
        findings.extend(_terms(target, refs, report, docs, db))
    return findings


def _terms(
    target: str, refs: list[CodeReference], report: ScanReport, docs: str, db: object
) -> list[Finding]:
    """Duties that bind a product built with the model, checked in the application's README / NOTICE / docs."""
    from modelaudit.licenses.db import LicenseDB

    assert isinstance(db, LicenseDB)
    first = min(refs, key=lambda r: (r.file, r.line))
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for node in report.nodes:
        if node.kind is NodeKind.DATASET or node.license is None:
            continue
        for part in _license_parts(node.license.id):
            record = db.get(part)
            if record is None:
                continue
            ob = record.obligations
            duties: list[tuple[str, str, list[str]]] = []
            if ob.built_with:
                duties.append(("built-with", f'the statement "{ob.built_with}"', [ob.built_with]))
            if ob.notice_text:
                duties.append(("notice", f'the notice "{ob.notice_text}"', [ob.notice_text]))
            if ob.flow_down_use_restrictions and ob.use_policy_url:
                url = re.sub(r"^https?://(www\.)?", "", ob.use_policy_url).rstrip("/")
                duties.append(("use-policy", f"a link to its use policy ({ob.use_policy_url})", [url]))
            for duty, what, needles in duties:
                if (record.id, duty) in seen:
                    continue
                seen.add((record.id, duty))
                if any(_norm(n).rstrip(".") in docs for n in needles):
                    continue
                out.append(
                    _finding(
                        "MA503",
                        target,
                        f"{first.file}:{first.line}: {target} is under {record.name or record.id} (via {node.id}), "
                        f"which requires {what} to reach the application's users; the README, NOTICE and "
                        "docs do not carry it",
                        [_where(r) for r in refs[:10]],
                    )
                )
    return out


def judge_vendored(
    folder: str, weights: list[str], outcome: _Outcome, app_license: AppLicense, own_license: str | None
) -> list[Finding]:
    """Weights committed with the application: redistributed under its license unless their folder has one."""
    from modelaudit.licenses.db import load_db

    location = Evidence(source=LOCATION, value=f"{weights[0]}:1")
    if outcome.report is None:
        return [
            _finding(
                "MA507",
                folder,
                f"{weights[0]}: the weights in {folder} could not be audited: {outcome.error}",
                [location],
            )
        ]
    db = load_db()
    report = outcome.report
    under = own_license or app_license.id
    problems: list[str] = []
    for node in report.nodes:
        if node.kind is NodeKind.DATASET:
            continue
        lic = node.license
        if lic is None or not lic.id:
            if not node.resolved:
                continue
            problems.append(f"{node.id} declares no license modelaudit recognises")
            continue
        for part in _license_parts(lic.id):
            rec = db.get(part)
            if rec is None:
                continue
            ob = rec.obligations
            terms: list[str] = []
            if ob.no_redistribution:
                terms.append("forbids redistribution")
            if own_license is None:
                if ob.flow_down_use_restrictions:
                    terms.append("use restrictions that must flow down to every recipient")
                if ob.include_agreement:
                    terms.append("its agreement shipped with the weights")
                if ob.share_alike.value not in ("none",):
                    terms.append(f"share-alike ({ob.share_alike.value})")
                if rec.commercial_use is CommercialUse.NO or ob.research_only:
                    terms.append("non-commercial or research-only use")
                if ob.no_derivatives and node.id != report.target.id:
                    terms.append("no derivatives")
            if terms and part != under:
                problems.append(
                    f"{node.id} is under {rec.name or rec.id}, which requires " + ", ".join(terms)
                )
    if not problems:
        return []
    under_text = (
        f"under its own license {own_license}"
        if own_license
        else f"under the application's license {under}"
        if under
        else "without any license (the application declares none)"
    )
    return [
        _finding(
            "MA504",
            folder,
            f"{weights[0]}: the repository redistributes model weights ({len(weights)} file(s) in {folder}) "
            f"{under_text}, but " + "; ".join(sorted(set(problems))[:6]),
            [location, *(Evidence(source="weights", value=w) for w in weights[:10])],
        )
    ]


# --------------------------------------------------------------------------------------------- the audit


def audit_application(
    root: str,
    options: AppOptions | None = None,
    progress: Progress | None = None,
    *,
    sources: object | None = None,
) -> AppReport:
    """Discover, audit and judge the application in ``root`` (see the module docstring)."""
    from modelaudit.policy.engine import apply_policy, verdict
    from modelaudit.policy.model import load_policy
    from modelaudit.sources.code import discover, discover_files
    from modelaudit.sources.code.walk import file_kind, list_files

    opts = options or AppOptions()
    say = progress or (lambda _m: None)
    root_path = Path(root)
    if not root_path.is_dir():
        raise InputError(root, "no such folder (scan-code reads an application's folder)")
    policy = load_policy(opts.scan.policy)
    waivers = []
    if opts.scan.waivers:
        from modelaudit.policy.waivers import load_waivers

        waivers = load_waivers(opts.scan.waivers)
    say("reading the application's files")
    discovery: Discovery = discover(str(root_path))
    paths, _ = list_files(str(root_path))
    references = discovery.references
    baseline_refs: list[CodeReference] = []
    base_tree: BaseTree | None = None
    if opts.base:
        say(f"reading the files at {opts.base}")

        def wanted(rel: str) -> bool:
            return (
                file_kind(rel, None, by_name_only=True) is not None
                or bool(_LICENSE_NAMES.match(rel))
                or rel
                in (
                    "pyproject.toml",
                    "package.json",
                )
            )

        base_tree = read_base(root_path, opts.base, wanted)
        base_paths = set(base_tree.blobs)
        base_folders = {p.rsplit("/", i)[0] for p in base_paths for i in range(1, p.count("/") + 1)}
        base_files = [(p, b) for p, b in sorted(base_tree.files.items()) if file_kind(p, b[:256]) is not None]
        base_discovery = discover_files(
            str(root_path),
            base_files,
            lambda rel: rel.strip("/") in base_paths or rel.strip("/") in base_folders,
        )
        references, baseline_refs = split_by_base(references, base_discovery.references)
    app_license = application_license(root_path)
    docs = application_docs(root_path, paths)
    commercial_policy = bool(policy.intended_use.commercial_product or policy.intended_use.hosted_service)

    # the repos the counting references name, and the committed weights that changed
    targets = sorted({r.target for r in references if r.target is not None})
    vendored = vendored_folders(paths)
    if base_tree is not None:
        vendored = {
            folder: files
            for folder, files in vendored.items()
            if any(f not in base_tree.blobs or _blob_changed(root_path, f, base_tree.blobs[f]) for f in files)
        }
    say(
        f"{len(references)} reference(s) to audit, {len(targets)} distinct repo(s), {len(vendored)} weights folder(s)"
    )
    shared = sources
    if shared is None and (targets or vendored):
        from modelaudit.fleet.model_scan import open_shared

        shared = open_shared(opts.scan)
    outcomes = audit_targets(targets, opts, say, shared)
    folder_outcomes: dict[str, _Outcome] = {}
    if vendored:
        local_opts = opts.scan.model_copy(update={"verify": VerifyMode.NONE, "fingerprint": False})
        for folder in sorted(vendored):
            say(f"auditing the weights in {folder}")
            folder_outcomes[folder] = _scan_one(str((root_path / folder).resolve()), local_opts, shared)
    incomplete = {
        o.target: o.error or "" for o in [*outcomes.values(), *folder_outcomes.values()] if o.incomplete
    }
    if incomplete and not opts.scan.allow_incomplete:
        raise IncompleteAuditError(application_name(root_path), incomplete)

    findings = judge_references(
        references,
        outcomes,
        fail_on=policy.fail_on,
        app_license=app_license,
        commercial_policy=commercial_policy,
        docs=docs,
    )
    for folder, files in sorted(vendored.items()):
        own = _folder_license(root_path, folder)
        findings.extend(judge_vendored(folder, files, folder_outcomes[folder], app_license, own))
    problems = discovery.problems
    for p in problems:
        changed = base_tree is None or _file_changed(root_path, p.file, base_tree)
        f = _finding(
            "MA508",
            p.file,
            f"{p.file}{f':{p.line}' if p.line else ''}: {p.message}",
            [Evidence(source=LOCATION, value=f"{p.file}:{p.line or 1}")],
        )
        findings.append(f if changed else f.model_copy(update={"baseline": True}))
    name = opts.name or application_name(root_path)
    if app_license.id is None:
        lic_file = next((p for p in paths if "/" not in p and _LICENSE_NAMES.match(p)), "LICENSE")
        f = _finding(
            "MA509",
            name,
            f"{name}: no license of the application was found or recognised (LICENSE, pyproject.toml, package.json)",
            [Evidence(source=LOCATION, value=f"{lic_file}:1")],
        )
        unchanged = base_tree is not None and not any(
            _file_changed(root_path, p, base_tree)
            for p in paths
            if "/" not in p and (_LICENSE_NAMES.match(p) or p in ("pyproject.toml", "package.json"))
        )
        findings.append(f.model_copy(update={"baseline": True}) if unchanged else f)
    findings = apply_policy(findings, policy)
    if waivers:
        from modelaudit.policy.waivers import apply_waivers, today

        findings, notes = apply_waivers(findings, waivers, on=today(), target=name)
        findings.extend(notes)
    findings = sorted(findings, key=lambda f: (-f.severity.rank, f.rule, _location_key(f), f.node, f.message))
    models = [_model_audit(outcomes[t], policy.fail_on) for t in targets] + [
        _model_audit(folder_outcomes[f].model_copy(update={"target": f}), policy.fail_on)
        for f in sorted(vendored)
    ]
    return AppReport(
        tool=ToolInfo(version=__version__),
        generated_at=generated_at(),
        root=str(root),
        location_root=opts.location_root,
        application=name,
        base=opts.base,
        policy=PolicyInfo(name=policy.name, fail_on=policy.fail_on),
        license=app_license,
        verdict=verdict(findings, policy.fail_on),
        references=references,
        baseline_references=baseline_refs,
        models=models,
        findings=findings,
        problems=problems,
    )


def _location_key(f: Finding) -> tuple[str, int]:
    loc = next((e.value for e in f.evidence if e.source == LOCATION), "")
    file, _, line = loc.rpartition(":")
    return (file, int(line) if line.isdigit() else 0)


def _folder_license(root: Path, folder: str) -> str | None:
    """The license a weights folder carries itself (its LICENSE file, recognised), if any."""
    from modelaudit.licenses.identify import identify_text

    base = root / folder
    try:
        names = sorted(p.name for p in base.iterdir() if p.is_file() and _LICENSE_NAMES.match(p.name))
    except OSError:
        return None
    for name in names:
        text = _read_text(base / name)
        if text:
            ident = identify_text(text)
            if ident.id:
                return ident.id
    return None


def _blob_changed(root: Path, rel: str, blob: str) -> bool:
    """Whether the work tree's file differs from the base revision's blob (git's own hashing)."""
    out = _git(root, "hash-object", "--", rel)
    return out.returncode != 0 or out.stdout.decode().strip() != blob


def _file_changed(root: Path, rel: str, tree: BaseTree) -> bool:
    if rel not in tree.blobs:
        return True
    if rel in tree.files:
        try:
            return (root / rel).read_bytes() != tree.files[rel]
        except OSError:
            return True
    return _blob_changed(root, rel, tree.blobs[rel])
