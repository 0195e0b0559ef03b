"""Keys, a certificate authority and signed models for the signature and attestation tests.

Everything is made in the test with pyca/cryptography: an elliptic-curve key pair (what model-signing signs
with), a root CA with a code-signing leaf certificate, and Ed25519 keys for attestations. Models are signed
with model-signing's own API (``model_signing.signing.Config``) or its command line
(``python -m model_signing sign ...``), never by code of ours.
"""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from safetensors.numpy import save_file

REPO = Path(__file__).resolve().parents[1]
REAL = REPO / "tests" / "data" / "real" / "model_signing"


def _write_private(key: ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey, path: Path) -> Path:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return path


def _write_public(key: ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey, path: Path) -> Path:
    path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return path


@dataclass(frozen=True)
class KeyPair:
    private: Path
    public: Path


def ec_keypair(folder: Path, name: str = "signer") -> KeyPair:
    """A P-256 key pair in PEM files (model-signing's `sign key` takes the private one)."""
    folder.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    return KeyPair(_write_private(key, folder / f"{name}.pem"), _write_public(key, folder / f"{name}.pub"))


def ed25519_keypair(folder: Path, name: str = "attest") -> KeyPair:
    folder.mkdir(parents=True, exist_ok=True)
    key = ed25519.Ed25519PrivateKey.generate()
    return KeyPair(_write_private(key, folder / f"{name}.pem"), _write_public(key, folder / f"{name}.pub"))


@dataclass(frozen=True)
class Authority:
    ca_cert: Path  # the root of trust (self-signed)
    leaf_key: Path  # the signer's private key
    leaf_cert: Path  # its code-signing certificate, issued by the root
    subject: str  # the leaf's subject, RFC 4514


def certificate_authority(folder: Path, signer: str = "Model Release Team") -> Authority:
    """A root CA and a code-signing leaf certificate it issued (EC P-256, valid around now)."""
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name(
        [x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Acme Test"), x509.NameAttribute(NameOID.COMMON_NAME, "Acme Test Root CA")]
    )
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf_name = x509.Name(
        [x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Acme Test"), x509.NameAttribute(NameOID.COMMON_NAME, signer)]
    )
    leaf_cert = (
        x509.CertificateBuilder()
        .subject_name(leaf_name)
        .issuer_name(ca_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_path = folder / "ca.pem"
    ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    leaf_path = folder / "leaf.pem"
    leaf_path.write_bytes(leaf_cert.public_bytes(serialization.Encoding.PEM))
    return Authority(ca_path, _write_private(leaf_key, folder / "leaf-key.pem"), leaf_path, leaf_name.rfc4514_string())


def tiny_model(folder: Path, seed: int = 0, *, license: str = "apache-2.0") -> Path:
    """A small model folder: card, config, a real safetensors file and a tokenizer file."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    save_file(
        {
            "model.embed_tokens.weight": rng.standard_normal((64, 32)).astype(np.float32),
            "lm_head.weight": rng.standard_normal((64, 32)).astype(np.float32),
        },
        str(folder / "model.safetensors"),
    )
    (folder / "config.json").write_text(json.dumps({"model_type": "llama", "vocab_size": 64}), encoding="utf-8")
    (folder / "README.md").write_text(f"---\nlicense: {license}\n---\n# tiny signed model\n", encoding="utf-8")
    (folder / "tokenizer.json").write_text('{"version": "1.0", "model": {"type": "BPE"}}', encoding="utf-8")
    return folder


def sign_api_key(model: Path, key: Path, signature: Path | None = None) -> Path:
    """Sign with model-signing's API and a private key (signature inside the folder by default)."""
    import model_signing

    sig = signature or model / "model.sig"
    model_signing.signing.Config().use_elliptic_key_signer(private_key=key).sign(model, sig)
    return sig


def sign_api_certificate(model: Path, ca: Authority) -> Path:
    import model_signing

    sig = model / "model.sig"
    model_signing.signing.Config().use_certificate_signer(
        private_key=ca.leaf_key, signing_certificate=ca.leaf_cert, certificate_chain=[ca.ca_cert]
    ).sign(model, sig)
    return sig


def sign_cli(model: Path, method: str, *args: str) -> Path:
    """Sign with model-signing's command line (``python -m model_signing sign METHOD MODEL ...``)."""
    sig = model / "model.sig"
    proc = subprocess.run(
        [sys.executable, "-m", "model_signing", "sign", method, str(model), "--signature", str(sig), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return sig


def flip_byte(path: Path, offset: int = -1) -> None:
    """Change one byte of a file in place."""
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))
