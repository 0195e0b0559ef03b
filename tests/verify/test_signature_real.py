"""Real model signatures written by the model-signing project (tests/data/real/model_signing/README.md):
a keyless Sigstore signature verified offline with a local trust root, a key and a certificate signature."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import modelaudit
from cli_run import run_cli
from modelaudit.models import SignatureStatus, SignedFileStatus
from signing_fixtures import REAL, flip_byte

IDENTITY = "stefanb@us.ibm.com"
ISSUER = "https://sigstore.verify.ibm.com/oauth2"
TRUST_ROOT = REAL / "sigstore-trust-config.json"


def _copy(tmp_path: Path, name: str) -> Path:
    return Path(shutil.copytree(REAL / name, tmp_path / name))


def test_keyless_sigstore_signature_verifies_offline_with_a_local_trust_root(tmp_path: Path) -> None:
    model = _copy(tmp_path, "v1.1.0-sigstore")
    report = modelaudit.scan(
        str(model), offline=True, sig_identity=IDENTITY, sig_issuer=ISSUER, trust_root=str(TRUST_ROOT)
    )
    sig = report.nodes[0].signature
    assert sig is not None and sig.status is SignatureStatus.VERIFIED, sig
    assert (sig.method, sig.signer, sig.issuer) == ("sigstore", IDENTITY, ISSUER)
    # ignore-me was left out by the signer (--ignore-paths): neither signed nor reported as unsigned
    assert {f.path: f.status for f in sig.files} == {
        "signme-1": SignedFileStatus.MATCHES,
        "signme-2": SignedFileStatus.MATCHES,
    }
    assert not [f for f in report.findings if f.name.startswith("signature-")]


def test_sigstore_signature_of_another_identity_or_tampered_files_is_invalid(tmp_path: Path) -> None:
    model = _copy(tmp_path, "v1.1.0-sigstore")
    report = modelaudit.scan(
        str(model),
        offline=True,
        sig_identity="someone-else@example.com",
        sig_issuer=ISSUER,
        trust_root=str(TRUST_ROOT),
    )
    assert report.nodes[0].signature is not None
    assert report.nodes[0].signature.status is SignatureStatus.INVALID
    (finding,) = [f for f in report.findings if f.name == "signature-invalid"]
    assert "someone-else@example.com" in finding.message
    flip_byte(model / "signme-2")
    report = modelaudit.scan(
        str(model), offline=True, sig_identity=IDENTITY, sig_issuer=ISSUER, trust_root=str(TRUST_ROOT)
    )
    assert [f.message.split(":")[0] for f in report.findings if f.name == "signature-invalid"] == ["signme-2"]


def test_sigstore_cli_with_trust_root(tmp_path: Path) -> None:
    model = _copy(tmp_path, "v1.1.0-sigstore")
    code, out, err = run_cli(
        "scan", str(model), "--offline", "-f", "json", "-q",
        "--sig-identity", IDENTITY, "--sig-issuer", ISSUER, "--trust-root", str(TRUST_ROOT),
    )  # fmt: skip
    assert code == 1, err  # the folder declares no license (license-missing); the signature holds
    doc = json.loads(out)
    assert doc["nodes"][0]["signature"]["status"] == "verified"
    assert [f["name"] for f in doc["findings"]] == ["license-missing"]
    # a verified signature is the record the files are proven against
    assert {f["path"]: f["status"] for f in doc["nodes"][0]["files"]} == {
        "ignore-me": "no-reference",
        "model.sig": "no-reference",
        "signme-1": "verified",
        "signme-2": "verified",
    }
    bad_root = tmp_path / "root.json"
    bad_root.write_text("{}")
    code, _, err = run_cli(
        "scan", str(model), "--offline", "--sig-identity", IDENTITY, "--sig-issuer", ISSUER,
        "--trust-root", str(bad_root),
    )  # fmt: skip
    assert code == 2 and "root.json" in err


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("v1.1.0-elliptic-key", {"sig_key": str(REAL / "keys" / "signing-key-pub.pem")}),
        ("v1.1.0-certificate", {"sig_cert_chain": [str(REAL / "keys" / "ca-cert.pem")]}),
    ],
)
def test_key_and_certificate_signatures_of_the_project(tmp_path: Path, name: str, options: dict[str, object]) -> None:
    model = _copy(tmp_path, name)
    sig = modelaudit.scan(str(model), offline=True, **options).nodes[0].signature
    assert sig is not None and sig.status is SignatureStatus.VERIFIED, sig
    assert [f.path for f in sig.files] == ["signme-1", "signme-2"]
    (model / "signme-3.safetensors").write_bytes(b"added after signing")
    report = modelaudit.scan(str(model), offline=True, **options)
    assert report.nodes[0].signature is not None
    assert report.nodes[0].signature.status is SignatureStatus.INVALID
    assert any(
        f.message.startswith("signme-3.safetensors: weights or code not covered") for f in report.findings
    )


def test_offline_sigstore_needs_a_local_trust_root(tmp_path: Path) -> None:
    model = _copy(tmp_path, "v1.1.0-sigstore")
    code, _, err = run_cli("scan", str(model), "--offline", "--sig-identity", IDENTITY, "--sig-issuer", ISSUER)
    assert code == 2 and "--trust-root" in err
