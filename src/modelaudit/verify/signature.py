"""Model signatures: OpenSSF Model Signing (``model.sig``), checked through the ``model-signing`` library.

A model signature is a Sigstore bundle holding a DSSE envelope over an in-toto statement whose predicate lists
every signed file with its digest (model-signing's manifest). Checking one has two halves:

* **authenticity**: the envelope's signature verifies with the trust material the user gives, a public key
  (``--sig-key``), a certificate chain (``--sig-cert-chain``) or a Sigstore identity and issuer
  (``--sig-identity``/``--sig-issuer``, with ``--trust-root`` for air-gapped use). model-signing's own
  verifiers do this and hand back the signed manifest;
* **integrity**: every signed file has the signed digest, no signed file is missing, and no file was added
  beside them (weights or code added after signing are an error, other files a warning).

model-signing's own ``verify`` hashes the folder again. A scan has already hashed every file once (verify
stage, ``--verify full``), so for the default manifest (one SHA-256 per file) the signed digests are compared
with those digests: one pass over the bytes serves both the Hub-hash check and the signature. Manifests of
another shape (shards, BLAKE2/3) are hashed by model-signing itself from the local copy, a second pass.

The heavy imports (model-signing, sigstore, cryptography: ~0.7 s) happen only when a signature is checked
with trust material (:meth:`SignatureTrust.verifier`), never for a scan without one.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import posixpath
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from modelaudit.errors import InputError, UsageError
from modelaudit.models import (
    Evidence,
    Finding,
    Severity,
    SignatureInfo,
    SignatureStatus,
    SignedFile,
    SignedFileStatus,
)
from modelaudit.verify._findings import finding

__all__ = [
    "SIGNATURE_FILE",
    "SignatureTrust",
    "check_signature",
    "unchecked_signature",
]

SIGNATURE_FILE = "model.sig"  # where model-signing writes a signature by default
MAX_SIGNATURE_BYTES = 16 * 1024 * 1024
# paths model-signing leaves out of a manifest unless told otherwise (hashing.Config's git paths)
GIT_PATHS = (".git", ".gitattributes", ".github", ".gitignore")
# files that change what a model computes when added after signing: an error, not a warning
WEIGHT_SUFFIXES = (
    ".safetensors",
    ".gguf",
    ".bin",
    ".pt",
    ".pth",
    ".ckpt",
    ".pkl",
    ".pickle",
    ".joblib",
    ".npy",
    ".npz",
    ".h5",
    ".keras",
    ".msgpack",
    ".onnx",
    ".tflite",
    ".pb",
    ".mlmodel",
    ".model",
)
CODE_SUFFIXES = (".py", ".so", ".dylib", ".dll", ".sh")

Method = Literal["key", "certificate", "sigstore"]


@dataclass(frozen=True)
class SignatureTrust:
    """What a signature must verify against: one of a key, a certificate chain, or a Sigstore identity."""

    key: str | None = None  # PEM public key (elliptic curve: what model-signing signs with)
    cert_chain: tuple[str, ...] = ()  # PEM certificates up to a trusted root
    identity: str | None = None  # Sigstore: the signer's identity (e-mail, workflow URI)
    issuer: str | None = None  # Sigstore: the OIDC issuer that vouched for the identity
    trust_root: str | None = None  # Sigstore: a ClientTrustConfig JSON file (air-gapped use)
    _verifier: list[Any] = field(default_factory=list, compare=False, repr=False)  # made once, on first use

    @property
    def method(self) -> Method | None:
        if self.key:
            return "key"
        if self.cert_chain:
            return "certificate"
        if self.identity:
            return "sigstore"
        return None

    def check(self) -> None:
        """Refuse contradictory or unreadable trust options (``UsageError``/``InputError``: exit 2)."""
        chosen = [
            name
            for name, on in (
                ("--sig-key", self.key),
                ("--sig-cert-chain", self.cert_chain),
                ("--sig-identity", self.identity),
            )
            if on
        ]
        if len(chosen) > 1:
            raise UsageError(
                f"{' and '.join(chosen)} both say how to verify the signature; give one",
                hint="a public key, a certificate chain, or a Sigstore identity with its issuer",
            )
        if bool(self.identity) != bool(self.issuer):
            raise UsageError(
                "--sig-identity and --sig-issuer go together (a Sigstore signer is an identity vouched for by "
                "an OIDC issuer)"
            )
        if self.trust_root and not self.identity:
            raise UsageError("--trust-root is the Sigstore trust root: it goes with --sig-identity/--sig-issuer")
        for path in (self.key, *self.cert_chain, self.trust_root):
            if path and not os.path.isfile(path):
                raise InputError(path, "no such file")

    def verifier(self) -> Any:
        """model-signing's verifier for this trust material (made once). ``InputError`` names a file it could
        not use (not PEM, a key type model-signing does not sign with, not a trust configuration)."""
        if self._verifier:
            return self._verifier[0]
        method = self.method
        if method is None:
            raise UsageError("no signature trust material given")
        self.check()
        # model-signing's verifier classes: its public verifying.Config re-reads and re-hashes the model
        # folder, which a scan has already hashed; these return the signed manifest instead
        try:
            if method == "key":
                from model_signing._signing import sign_ec_key

                assert self.key is not None
                made: Any = sign_ec_key.Verifier(Path(self.key))
            elif method == "certificate":
                from model_signing._signing import sign_certificate

                made = sign_certificate.Verifier([Path(p) for p in self.cert_chain])
            else:
                from model_signing._signing import sign_sigstore

                assert self.identity is not None and self.issuer is not None
                if self.trust_root is None:
                    # the public-good instance's trust root comes through TUF: this needs the network
                    made = sign_sigstore.Verifier(identity=self.identity, oidc_issuer=self.issuer)
                else:
                    made = sign_sigstore.Verifier(
                        identity=self.identity, oidc_issuer=self.issuer, trust_config=Path(self.trust_root)
                    )
        except (ValueError, TypeError, KeyError, OSError, UnicodeDecodeError) as exc:
            what = {"key": self.key, "certificate": ", ".join(self.cert_chain), "sigstore": self.trust_root}
            raise InputError(
                what[method] or "--sig-identity",
                f"cannot be used to verify model signatures: {_reason(exc)}",
                hint="an elliptic-curve public key in PEM (P-256/384/521), PEM certificates, or a Sigstore "
                "ClientTrustConfig JSON file",
            ) from None
        except Exception as exc:  # sigstore raises its own errors (e.g. TUF without network)
            raise InputError(
                self.trust_root or "--sig-identity",
                f"could not set up Sigstore verification: {_reason(exc)}",
                hint="offline, give the Sigstore trust root with --trust-root FILE",
            ) from None
        self._verifier.append(made)
        return made


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


def unchecked_signature(path: str, detail: str) -> SignatureInfo:
    """A signature that is there but was not checked (no trust material, not hashed, an ancestor)."""
    return SignatureInfo(status=SignatureStatus.UNVERIFIED, path=path, detail=detail)


# --------------------------------------------------------------------------------------------- reading


def _read_bundle(data: bytes, method: Method) -> Any:
    """The signature as model-signing reads it (its readers take a path: a temporary copy is made)."""
    if len(data) > MAX_SIGNATURE_BYTES:
        raise ValueError(f"larger than {MAX_SIGNATURE_BYTES} bytes")
    json.loads(data)  # a clear "not JSON" before model-signing's own parsing
    with tempfile.TemporaryDirectory(prefix="modelaudit-sig-") as tmp:
        copy = Path(tmp) / "model.sig"
        copy.write_bytes(data)
        if method == "sigstore":
            from model_signing._signing import sign_sigstore

            return sign_sigstore.Signature.read(copy)
        from model_signing._signing import sign_sigstore_pb

        return sign_sigstore_pb.Signature.read(copy)


def _signer(signature: Any, trust: SignatureTrust) -> tuple[str | None, str | None]:
    """Who signed, as the verified bundle says (key fingerprint, certificate subject, Sigstore identity)."""
    method = trust.method
    if method == "sigstore":
        return trust.identity, trust.issuer
    material = getattr(getattr(signature, "bundle", None), "verification_material", None)
    if method == "key":
        import hashlib

        from cryptography.hazmat.primitives import serialization

        assert trust.key is not None
        key = serialization.load_pem_public_key(Path(trust.key).read_bytes())
        pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        return f"public key sha256:{hashlib.sha256(pem).hexdigest()}", None
    try:
        from cryptography import x509

        assert material is not None
        raw = material.x509_certificate_chain.certificates[0].raw_bytes
        cert = x509.load_der_x509_certificate(raw)
    except Exception:  # the chain verified already; naming the signer is a courtesy
        return None, None
    subject = cert.subject.rfc4514_string()
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = [*san.get_values_for_type(x509.RFC822Name), *san.get_values_for_type(x509.UniformResourceIdentifier)]
    except x509.ExtensionNotFound:
        names = []
    who = ", ".join(n for n in [subject, *names] if n) or None
    return who, cert.issuer.rfc4514_string() or None


# --------------------------------------------------------------------------------------------- comparing


def _norm(path: str) -> str:
    return posixpath.normpath(path.replace("\\", "/")).lstrip("/") if path else path


def _ignored(path: str, ignore: Iterable[str]) -> bool:
    return any(path == p or path.startswith(p.rstrip("/") + "/") for p in ignore)


def _severity_unsigned(path: str) -> Severity:
    low = path.lower()
    return Severity.ERROR if low.endswith(WEIGHT_SUFFIXES + CODE_SUFFIXES) else Severity.WARNING


def _manifest_digests(manifest: Any) -> tuple[dict[str, str], dict[str, Any]]:
    """Signed identifier → hex digest, and the serialization parameters."""
    signed = {str(rd.identifier): rd.digest.digest_hex for rd in manifest.resource_descriptors()}
    return signed, dict(manifest.serialization_type)


def _rehash(
    local_dir: str, manifest: Any, params: Mapping[str, Any], paths: Iterable[str]
) -> dict[str, str]:
    """Digests in the manifest's own shape (shards, BLAKE2/3), computed by model-signing from ``local_dir``."""
    from model_signing import hashing

    algorithm = params.get("hash_type", "sha256")
    config = hashing.Config()  # type: ignore[no-untyped-call]
    if params.get("method") == "shards":
        config.use_shard_serialization(
            hashing_algorithm=algorithm, shard_size=int(params["shard_size"]), allow_symlinks=True
        )
    else:
        config.use_file_serialization(hashing_algorithm=algorithm, allow_symlinks=True)
    root = Path(local_dir)
    actual = config.hash(root, files_to_hash=[root / p for p in paths])
    return {str(rd.identifier): rd.digest.digest_hex for rd in actual.resource_descriptors()}


def _file_of(identifier: str, method: str) -> str:
    """The file a manifest item belongs to (a shard is ``path:start:end``)."""
    if method == "shards":
        return _norm(identifier.rsplit(":", 2)[0])
    return _norm(identifier)


def check_signature(
    node: str,
    signature_path: str,
    data: bytes,
    trust: SignatureTrust,
    listed: Iterable[str],
    digests: Mapping[str, str | None],
    *,
    local_dir: str | None = None,
) -> tuple[SignatureInfo, list[Finding]]:
    """Check one node's signature ``data`` (read from ``signature_path``) against its files.

    ``listed`` are the repo's or folder's files (POSIX paths), ``digests`` their SHA-256 as the verify stage
    computed them (None or absent: not hashed). ``local_dir`` is a folder holding the files, used only for a
    manifest that is not one SHA-256 per file. Never raises for a bad signature: that is a finding.
    """
    method = trust.method
    if method is None:
        return (
            unchecked_signature(
                signature_path,
                "a signature is present but was not checked: give --sig-key, --sig-cert-chain or "
                "--sig-identity/--sig-issuer",
            ),
            [],
        )
    evidence = [Evidence(source=f"signature:{signature_path}", value=method)]

    def broken(status: SignatureStatus, reason: str) -> tuple[SignatureInfo, list[Finding]]:
        info = SignatureInfo(status=status, path=signature_path, method=method, detail=reason)
        msg = f"{signature_path}: {reason}"
        return info, [finding("signature-invalid", Severity.ERROR, node, msg, evidence)]

    try:
        signature = _read_bundle(data, method)
    except Exception as exc:  # any parse failure: JSON, protobuf shapes, base64
        return broken(SignatureStatus.ERROR, f"not a readable model signature ({_reason(exc)})")
    verifier = trust.verifier()
    try:
        # model-signing's key verifier prints a warning for old bundles on stdout, which carries our report
        with contextlib.redirect_stdout(io.StringIO()):
            manifest = verifier.verify(signature)
    except Exception as exc:  # cryptography, OpenSSL, sigstore and ValueError all mean "does not verify"
        what = {"key": "the given public key", "certificate": "the given certificate chain"}.get(
            method, f"Sigstore identity {trust.identity} (issuer {trust.issuer})"
        )
        return broken(SignatureStatus.INVALID, f"the signature does not verify with {what}: {_reason(exc)}")
    signer, issuer = _signer(signature, trust)
    try:
        signed_items, params = _manifest_digests(manifest)
    except Exception as exc:
        return broken(SignatureStatus.ERROR, f"the signed manifest cannot be read ({_reason(exc)})")
    kind = str(params.get("method", "files"))
    algorithm = str(params.get("hash_type", "sha256"))
    ignore = {_norm(str(p)) for p in params.get("ignore_paths", ()) or ()} | set(GIT_PATHS)
    ignore.add(_norm(signature_path))
    present = {_norm(p) for p in listed}

    # signed items → per file: its signed digest (sha256 per file), or its items (other shapes)
    per_file: dict[str, list[tuple[str, str]]] = {}
    for identifier, digest in signed_items.items():
        path = _file_of(identifier, kind)
        if path == _norm(signature_path):  # an older signature signed by this one: it cannot match itself
            continue
        per_file.setdefault(path, []).append((identifier, digest))

    default_shape = kind == "files" and algorithm == "sha256"
    rehashed: dict[str, str] | None = None
    detail: str | None = None
    if not default_shape:
        covered_present = sorted(p for p in per_file if p in present)
        if local_dir is not None:
            try:
                rehashed = _rehash(local_dir, manifest, params, covered_present)
            except Exception as exc:
                detail = f"the {kind}/{algorithm} manifest could not be recomputed ({_reason(exc)})"
        else:
            detail = f"the signature records {kind}/{algorithm} digests; they are compared for a local copy only"

    files: list[SignedFile] = []
    findings: list[Finding] = []
    for path in sorted(per_file):
        items = per_file[path]
        signed_sha = items[0][1] if default_shape else None
        actual = digests.get(path)
        if path not in present:
            status = SignedFileStatus.MISSING
        elif default_shape:
            status = (
                SignedFileStatus.UNCHECKED
                if actual is None
                else SignedFileStatus.MATCHES
                if actual == signed_sha
                else SignedFileStatus.DIFFERS
            )
        elif rehashed is None:
            status = SignedFileStatus.UNCHECKED
        else:
            status = (
                SignedFileStatus.MATCHES
                if all(rehashed.get(ident) == digest for ident, digest in items)
                else SignedFileStatus.DIFFERS
            )
        files.append(SignedFile(path=path, status=status, sha256_signed=signed_sha, sha256_actual=actual))
        if status is SignedFileStatus.MISSING:
            findings.append(
                finding(
                    "signature-invalid",
                    Severity.ERROR,
                    node,
                    f"{path}: signed by {signature_path} but missing from the model",
                    [Evidence(source=f"file:{path}", value="missing"), *evidence],
                )
            )
        elif status is SignedFileStatus.DIFFERS:
            shown = f"sha256 {actual}, signed {signed_sha}" if default_shape else f"{kind}/{algorithm} digests"
            findings.append(
                finding(
                    "signature-invalid",
                    Severity.ERROR,
                    node,
                    f"{path}: content differs from what {signature_path} signed ({shown})",
                    [Evidence(source=f"file:{path}", value="differs"), *evidence],
                )
            )
    for path in sorted(present - set(per_file)):
        if _ignored(path, ignore):
            continue
        files.append(
            SignedFile(path=path, status=SignedFileStatus.UNSIGNED, sha256_actual=digests.get(path))
        )
        severity = _severity_unsigned(path)
        what = "weights or code" if severity is Severity.ERROR else "a file"
        findings.append(
            finding(
                "signature-invalid",
                severity,
                node,
                f"{path}: {what} not covered by {signature_path} (added after signing?)",
                [Evidence(source=f"file:{path}", value="unsigned"), *evidence],
            )
        )
    files.sort(key=lambda f: f.path)
    statuses = {f.status for f in files}
    if any(f.severity is Severity.ERROR for f in findings):
        overall = SignatureStatus.INVALID
    elif SignedFileStatus.UNCHECKED in statuses:
        overall = SignatureStatus.UNVERIFIED
        detail = detail or "the signature is valid, but some signed files were not hashed (use --verify full)"
    else:
        overall = SignatureStatus.VERIFIED
    return (
        SignatureInfo(
            status=overall,
            path=signature_path,
            method=method,
            signer=signer,
            issuer=issuer,
            serialization=f"{kind}/{algorithm}",
            files=files,
            detail=detail,
        ),
        findings,
    )
