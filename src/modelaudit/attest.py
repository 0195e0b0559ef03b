"""Signed audits: ``scan --attest`` writes one, ``verify-attestation`` checks it where the model is deployed.

An attestation is an in-toto Statement v1 (built and validated with ``in-toto-attestation``) wrapped in a
DSSE envelope signed with ``securesystemslib`` (pyca/cryptography keys: Ed25519, ECDSA, RSA):

* ``subject``: every file of the target as the audit hashed it, ``{"name": path, "digest": {"sha256": ...}}``;
* ``predicateType``: :data:`PREDICATE_TYPE`; the ``predicate`` (documented in docs/attestation.md) carries
  the verdict, the policy's name and the SHA-256 of its file, each lineage node with its revision, license
  and signature status, the findings counted by severity, the tool and the time (``SOURCE_DATE_EPOCH`` when
  set, like the report's ``generated_at``).

At deploy time :func:`verify_attestation` answers with a code the CLI exits with: 0 when the signature is
valid, the files at the target are exactly the subjects, the verdict is pass (under the named policy, whose
file must have the attested digest) and the attestation is younger than ``max_age``; 1 when the attestation
is valid but one of those says no; 2 when it is malformed or its signature does not verify.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modelaudit.documents import AttestationCheck
from modelaudit.errors import InputError, UsageError
from modelaudit.models import FileStatus, ScanReport, Severity, SourceKind

if TYPE_CHECKING:
    from modelaudit.models import RepoRecord
    from modelaudit.sources import SourceSet

PREDICATE_TYPE = "https://modelaudit.dev/attestation/audit/v1"
PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
MAX_ATTESTATION_BYTES = 64 * 1024 * 1024
CLOCK_SKEW = timedelta(minutes=5)  # an attestation dated this far ahead of the clock is still accepted
KEY_PASSWORD_ENV = "MODELAUDIT_ATTEST_KEY_PASSWORD"

# files whose sha256_actual is the digest of their bytes as the audit read them
_HASHED = {FileStatus.VERIFIED, FileStatus.NO_REFERENCE, FileStatus.MISMATCH, FileStatus.CORRUPT}


# --------------------------------------------------------------------------------------------- writing


def policy_digest(policy: str) -> str:
    """SHA-256 of a policy's file (a ready policy by name, or a path)."""
    from modelaudit.policy.model import policy_path

    path = policy_path(policy)
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise InputError(str(path), f"cannot read policy ({exc.strerror or exc})") from None


def subjects(report: ScanReport) -> list[dict[str, Any]]:
    """Every file of the target with the SHA-256 the audit computed; UsageError when some were not hashed
    (an attestation lists every file, so a file the audit did not read cannot be left out)."""
    root = report.node(report.target.id)
    if root is None:
        raise UsageError(f"the report has no node for its target {report.target.id}")
    unhashed = sorted(f.path for f in root.files if f.sha256_actual is None or f.status not in _HASHED)
    if unhashed:
        shown = ", ".join(unhashed[:5]) + (f" and {len(unhashed) - 5} more" if len(unhashed) > 5 else "")
        raise UsageError(
            f"cannot attest {report.target.id}: {len(unhashed)} file(s) were not hashed ({shown})",
            hint="scan with --verify full and every file readable (downloaded, with access to gated repos)",
        )
    if not root.files:
        raise UsageError(f"cannot attest {report.target.id}: it has no files")
    return [{"name": f.path, "digest": {"sha256": f.sha256_actual}} for f in sorted(root.files, key=lambda f: f.path)]


def predicate(report: ScanReport, policy_sha256: str) -> dict[str, Any]:
    """The modelaudit audit predicate (docs/attestation.md)."""
    counts = report.counts()
    waived = sum(1 for f in report.findings if f.waived)
    nodes = []
    for n in report.nodes:
        entry: dict[str, Any] = {
            "id": n.id,
            "kind": n.kind.value,
            "depth": n.depth,
            "resolved": n.resolved,
            "revision": n.revision,
            "license": n.license.id if n.license else None,
            "licenseCategory": n.license.category.value if n.license else None,
        }
        if n.signature is not None:
            entry["signature"] = {
                "status": n.signature.status.value,
                "signer": n.signature.signer,
                "issuer": n.signature.issuer,
            }
        nodes.append(entry)
    return {
        "verdict": report.verdict.value,
        "policy": {
            "name": report.policy.name,
            "failOn": report.policy.fail_on.value,
            "digest": {"sha256": policy_sha256},
        },
        "target": {
            "id": report.target.id,
            "revision": report.target.revision,
            "source": report.target.source.value,
        },
        "lineage": nodes,
        "findings": {**{s.value: counts[s.value] for s in Severity}, "waived": waived},
        "tool": {"name": report.tool.name, "version": report.tool.version},
        "reportSchemaVersion": report.schema_version,
        "timestamp": report.generated_at,
    }


def statement(report: ScanReport, policy_sha256: str) -> dict[str, Any]:
    """The in-toto Statement v1 of an audit, validated by ``in-toto-attestation``."""
    doc = {
        "_type": STATEMENT_TYPE,
        "subject": subjects(report),
        "predicateType": PREDICATE_TYPE,
        "predicate": predicate(report, policy_sha256),
    }
    _validate_statement(doc)
    return doc


def _validate_statement(doc: dict[str, Any]) -> None:
    """ValueError unless ``doc`` is an in-toto Statement v1 (the library's protobuf schema and checks)."""
    from google.protobuf import json_format
    from in_toto_attestation.v1 import statement_pb2
    from in_toto_attestation.v1.statement import Statement

    try:
        pb = json_format.ParseDict(doc, statement_pb2.Statement())
    except json_format.ParseError as exc:
        raise ValueError(str(exc)) from None
    Statement.copy_from_pb(pb).validate()


def _payload(doc: dict[str, Any]) -> bytes:
    """The statement as signed: JSON with sorted keys and no insignificant white space."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def load_signing_key(path: str) -> Any:
    """securesystemslib's signer for a PEM private key (a password from MODELAUDIT_ATTEST_KEY_PASSWORD)."""
    from cryptography.hazmat.primitives import serialization
    from securesystemslib.signer import CryptoSigner  # type: ignore[attr-defined]

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read key ({exc.strerror or exc})") from None
    password = os.environ.get(KEY_PASSWORD_ENV)
    try:
        key = serialization.load_pem_private_key(data, password.encode() if password else None)
        return CryptoSigner(key)
    except TypeError as exc:  # encrypted without a password, or a password for a plain key
        raise InputError(path, f"cannot load the private key: {exc}", hint=f"set {KEY_PASSWORD_ENV}") from None
    except (ValueError, Exception) as exc:
        raise InputError(
            path,
            f"not a usable PEM private key ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})",
            hint="an Ed25519, ECDSA (P-256/384/521) or RSA key in PEM, e.g. openssl genpkey -algorithm ed25519",
        ) from None


def sign_statement(doc: dict[str, Any], key_path: str) -> dict[str, Any]:
    """A DSSE envelope (securesystemslib) over the statement, signed with the key at ``key_path``."""
    from securesystemslib.dsse import Envelope

    signer = load_signing_key(key_path)
    envelope = Envelope(payload=_payload(doc), payload_type=PAYLOAD_TYPE, signatures={})
    envelope.sign(signer)
    out: dict[str, Any] = envelope.to_dict()
    return out


def write_attestation(report: ScanReport, key_path: str, out_path: str, *, policy: str) -> Path:
    """Sign the audit in ``report`` (scanned under ``policy``) and write the envelope to ``out_path``."""
    envelope = sign_statement(statement(report, policy_digest(policy)), key_path)
    path = Path(out_path)
    text = json.dumps(envelope, indent=2, sort_keys=True) + "\n"
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(out_path, f"cannot write the attestation ({exc.strerror or exc})") from None
    return path


# --------------------------------------------------------------------------------------------- checking

_AGE = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_age(text: str) -> timedelta:
    """``30d``, ``12h``, ``90m``, ``3600s``, ``2w`` as a duration; UsageError otherwise."""
    m = _AGE.match(text)
    if m is None:
        raise UsageError(f"--max-age {text!r}: give a number and a unit, e.g. 30d, 12h, 90m, 2w")
    return timedelta(seconds=int(m.group(1)) * _UNITS[m.group(2)])


def load_public_key(path: str) -> Any:
    """The pyca/cryptography public key in a PEM file (a public key, or a certificate's)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read key ({exc.strerror or exc})") from None
    try:
        if b"BEGIN CERTIFICATE" in data:
            return x509.load_pem_x509_certificate(data).public_key()
        return serialization.load_pem_public_key(data)
    except Exception as exc:
        raise InputError(
            path, f"not a PEM public key ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})"
        ) from None


class _Refused(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def open_envelope(data: bytes, public_key: Any) -> dict[str, Any]:
    """The statement inside a DSSE envelope whose signature verifies with ``public_key`` (securesystemslib's
    verifier). Raises ``_Refused(2, reason)`` for anything malformed or not signed by that key."""
    from securesystemslib.dsse import Envelope
    from securesystemslib.exceptions import VerificationError
    from securesystemslib.signer import SSlibKey  # type: ignore[attr-defined]

    try:
        raw = json.loads(data)
        if not isinstance(raw, dict):
            raise ValueError("not a JSON object")
        envelope = Envelope.from_dict(dict(raw))
    except Exception as exc:
        raise _Refused(2, f"malformed: not a DSSE envelope ({_first_line(exc)})") from None
    if envelope.payload_type != PAYLOAD_TYPE:
        raise _Refused(2, f"malformed: payload type {envelope.payload_type!r}, expected {PAYLOAD_TYPE}")
    if not envelope.signatures:
        raise _Refused(2, "signature invalid: the envelope is not signed")
    verified = False
    for keyid in envelope.signatures:
        try:
            key = SSlibKey.from_crypto(public_key, keyid=keyid)
        except Exception as exc:
            raise _Refused(2, f"unsupported public key ({_first_line(exc)})") from None
        try:
            envelope.verify([key], 1)
            verified = True
            break
        except VerificationError:
            continue
    if not verified:
        raise _Refused(2, "signature invalid: the envelope's signature does not verify with the given key")
    try:
        doc = json.loads(envelope.payload)
        if not isinstance(doc, dict):
            raise ValueError("not a JSON object")
        _validate_statement(doc)
    except Exception as exc:
        raise _Refused(2, f"malformed: the payload is not an in-toto Statement v1 ({_first_line(exc)})") from None
    if doc.get("_type") != STATEMENT_TYPE:
        raise _Refused(2, f"malformed: statement type {doc.get('_type')!r}")
    if doc.get("predicateType") != PREDICATE_TYPE:
        raise _Refused(2, f"malformed: predicate type {doc.get('predicateType')!r}, expected {PREDICATE_TYPE}")
    return doc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


def _timestamp(text: Any) -> datetime:
    if not isinstance(text, str):
        raise _Refused(2, "malformed: the predicate has no timestamp")
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise _Refused(2, f"malformed: timestamp {text!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _subject_digests(doc: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in doc.get("subject", []):
        name = item.get("name") if isinstance(item, dict) else None
        digest = item.get("digest", {}).get("sha256") if isinstance(item, dict) else None
        if not isinstance(name, str) or not isinstance(digest, str) or name in out:
            raise _Refused(2, f"malformed: subject {item!r} (a file name and a sha256 digest, once each)")
        out[name] = digest.lower()
    return out


def target_digests(
    record: RepoRecord, sources: SourceSet, *, exclude: set[str] | None = None
) -> dict[str, str]:
    """path → SHA-256 of every file of a target. A folder's files are hashed; a Hub repo's LFS files are
    compared by the SHA-256 the Hub records for them (the content address they are downloaded by), its
    other files downloaded and hashed."""
    from modelaudit.verify.hashing import hash_many, hash_stream

    out: dict[str, str] = {}
    jobs: list[tuple[str, Callable[[], Any]]] = []
    for f in sorted(record.files, key=lambda e: e.path):
        if exclude and f.path in exclude:
            continue
        if record.source is not SourceKind.LOCAL and f.lfs_sha256:
            out[f.path] = f.lfs_sha256.lower()
            continue

        def job(path: str = f.path) -> Any:
            with sources.open_file(record, path) as fh:
                return hash_stream(fh)

        jobs.append((f.path, job))
    for (path, _job), result in zip(jobs, hash_many([j for _p, j in jobs]), strict=True):
        if isinstance(result, BaseException):
            raise InputError(path, f"cannot read it to compare with the attestation ({_first_line(result)})")
        if result.sha256 is None:  # hash_stream always computes it; a None would be a bug, not a match
            raise InputError(path, "no SHA-256 was computed")
        out[path] = result.sha256
    return out


def compare_files(subject: dict[str, str], actual: dict[str, str]) -> list[str]:
    """What differs between the attested files and the target's, as short phrases (empty when equal)."""
    changed = sorted(p for p in subject.keys() & actual.keys() if subject[p] != actual[p])
    added = sorted(actual.keys() - subject.keys())
    missing = sorted(subject.keys() - actual.keys())

    def few(paths: list[str]) -> str:
        return ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")

    out = []
    if changed:
        out.append(f"{len(changed)} file(s) changed ({few(changed)})")
    if added:
        out.append(f"{len(added)} file(s) not attested ({few(added)})")
    if missing:
        out.append(f"{len(missing)} attested file(s) missing ({few(missing)})")
    return out


def verify_attestation(
    attestation: str,
    target: str,
    key: str,
    *,
    policy: str | None = None,
    max_age: timedelta | None = None,
    sources: SourceSet | None = None,
    now: datetime | None = None,
) -> AttestationCheck:
    """Check an attestation against the files at ``target`` (a folder, or a Hub repo at a revision).

    Input errors (no such attestation, key or target; an unknown policy) raise ``ModelAuditError`` (exit 2);
    everything about the attestation itself is the returned check's code and reason.
    """
    try:
        with open(attestation, "rb") as fh:
            data = fh.read(MAX_ATTESTATION_BYTES + 1)
    except OSError as exc:
        raise InputError(attestation, f"cannot read attestation ({exc.strerror or exc})") from None
    public_key = load_public_key(key)
    expected_policy = None
    if policy is not None:
        from modelaudit.policy.model import load_policy

        expected_policy = (load_policy(policy).name, policy_digest(policy))
    try:
        if len(data) > MAX_ATTESTATION_BYTES:
            raise _Refused(2, f"malformed: larger than {MAX_ATTESTATION_BYTES} bytes")
        doc = open_envelope(data, public_key)
        return _judge(doc, attestation, target, expected_policy, max_age, sources, now)
    except _Refused as refused:
        return AttestationCheck(code=refused.code, reason=refused.reason, problems=[refused.reason])


def _judge(
    doc: dict[str, Any],
    attestation: str,
    target: str,
    expected_policy: tuple[str, str] | None,
    max_age: timedelta | None,
    sources: SourceSet | None,
    now: datetime | None,
) -> AttestationCheck:
    pred = doc.get("predicate")
    if not isinstance(pred, dict):
        raise _Refused(2, "malformed: no predicate")
    verdict = pred.get("verdict")
    pol: dict[str, Any] = pred["policy"] if isinstance(pred.get("policy"), dict) else {}
    name = pol.get("name")
    digest = pol["digest"].get("sha256") if isinstance(pol.get("digest"), dict) else None
    if verdict not in ("pass", "fail") or not isinstance(name, str):
        raise _Refused(2, "malformed: the predicate lacks a verdict or a policy name")
    when = _timestamp(pred.get("timestamp"))
    subject = _subject_digests(doc)
    attested_target = pred["target"].get("id") if isinstance(pred.get("target"), dict) else None
    check = AttestationCheck(
        code=0,
        reason="",
        target=attested_target if isinstance(attested_target, str) else None,
        verdict=verdict,
        policy=name,
        timestamp=pred.get("timestamp"),
        files=len(subject),
    )
    problems: list[str] = []
    clock = now or datetime.now(tz=UTC)
    if when - clock > CLOCK_SKEW:
        problems.append(f"issued in the future ({pred['timestamp']})")
    elif max_age is not None and clock - when > max_age:
        age_days = (clock - when).total_seconds() / 86400
        problems.append(f"stale: issued {pred['timestamp']} ({age_days:.1f} days ago), older than --max-age")
    if expected_policy is not None:
        want_name, want_digest = expected_policy
        if name != want_name:
            problems.append(f"audited under policy {name!r}, not {want_name!r}")
        elif digest != want_digest:
            problems.append(f"policy {name!r} here differs from the one audited (sha256 {digest} attested)")
    if verdict != "pass":
        problems.append(f"verdict FAIL under policy {name!r}")
    if not problems:  # the files last: hashing a model is the costly part
        problems += _file_problems(subject, attestation, target, sources)
    if problems:
        return check.model_copy(
            update={"code": 1, "reason": "refused: " + "; ".join(problems), "problems": problems}
        )
    return check.model_copy(
        update={
            "reason": f"ok: {len(subject)} files match, verdict pass under policy {name!r}, "
            f"issued {pred['timestamp']}"
        }
    )


def _file_problems(
    subject: dict[str, str], attestation: str, target: str, sources: SourceSet | None
) -> list[str]:
    from modelaudit.config import DEFAULT_DEADLINE
    from modelaudit.sources import SourceSet
    from modelaudit.targets import parse_target

    ref = parse_target(target)
    sources = sources or SourceSet(deadline=DEFAULT_DEADLINE)
    if ref.local_path:  # only the file list: a folder's card or config is not read (a changed one is a file)
        from modelaudit.models import RepoRecord
        from modelaudit.sources.local import LocalSource

        files, _skipped = LocalSource().list_files(ref)
        record = RepoRecord(
            ref=ref, source=SourceKind.LOCAL, files=files, local_dir=os.path.realpath(ref.local_path)
        )
    else:
        record = sources.fetch(ref)
    exclude: set[str] = set()
    if record.local_dir:  # the attestation kept inside the folder it attests is not one of its files
        rel = os.path.relpath(os.path.realpath(attestation), os.path.realpath(record.local_dir))
        if not rel.startswith(".."):
            exclude.add(Path(rel).as_posix())
    return compare_files(subject, target_digests(record, sources, exclude=exclude))

