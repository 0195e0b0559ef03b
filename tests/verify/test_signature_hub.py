"""Signed models on the (fake) Hub, end to end: the real huggingface_hub client downloads model.sig like any
other file, the weights are hashed once, and that one pass serves the Hub's hashes and the signature."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from huggingface_hub import hf_hub_download

import modelaudit
from cli_run import run_cli
from fakehub import FakeHub
from modelaudit.models import FileStatus, SignatureStatus, SignedFileStatus
from signing_fixtures import ec_keypair, flip_byte, sign_api_key, tiny_model


def _signed_repo(fakehub: FakeHub, tmp_path: Path, repo_id: str, *, tamper: str | None = None):  # type: ignore[no-untyped-def]
    keys = ec_keypair(tmp_path / "keys")
    folder = tiny_model(tmp_path / repo_id.replace("/", "__"))
    sign_api_key(folder, keys.private)
    if tamper:  # changed after signing, then published: the Hub records the changed bytes
        flip_byte(folder / tamper)
    return keys, folder, fakehub.add_repo(repo_id, folder)


def test_the_fake_hub_serves_model_sig_like_any_other_file(fakehub: FakeHub, tmp_path: Path) -> None:
    _keys, folder, repo = _signed_repo(fakehub, tmp_path, "acme/signed")
    got = hf_hub_download("acme/signed", "model.sig", revision=repo.sha)
    assert Path(got).read_bytes() == (folder / "model.sig").read_bytes()
    assert json.loads(Path(got).read_text())["mediaType"].startswith("application/vnd.dev.sigstore.bundle")


def test_hub_repo_signature_verifies_from_one_download_and_one_hash(fakehub: FakeHub, tmp_path: Path) -> None:
    keys, folder, repo = _signed_repo(fakehub, tmp_path, "acme/signed")
    report = modelaudit.scan(f"acme/signed@{repo.sha}", sig_key=str(keys.public))
    root = report.node(report.target.id)
    assert root is not None and root.signature is not None
    assert root.signature.status is SignatureStatus.VERIFIED
    assert {f.status for f in root.signature.files} == {SignedFileStatus.MATCHES}
    # the signature made the default --verify full for a Hub target: every file hashed, against the Hub's hash
    assert {f.path: f.status for f in root.files} == {
        "README.md": FileStatus.VERIFIED,
        "config.json": FileStatus.VERIFIED,
        "model.safetensors": FileStatus.VERIFIED,
        "model.sig": FileStatus.VERIFIED,
        "tokenizer.json": FileStatus.VERIFIED,
    }
    weights = hashlib.sha256((folder / "model.safetensors").read_bytes()).hexdigest()
    assert next(f for f in root.signature.files if f.path == "model.safetensors").sha256_actual == weights
    # each file was downloaded once: the signature reused the verify stage's digests
    whole = [
        r.file for r in fakehub.requests if r.route == "cdn" and r.method == "GET" and r.range is None
    ]  # LFS bodies come from the CDN: range reads (headers, fingerprints) aside, the weights came once
    assert whole.count("model.safetensors") == 1, whole
    sig_reads = [r for r in fakehub.requests if r.file == "model.sig" and r.method == "GET"]
    assert sig_reads and all(r.status in (200, 206) for r in sig_reads)


def test_hub_repo_changed_after_signing_passes_the_hub_hashes_but_not_the_signature(
    fakehub: FakeHub, tmp_path: Path
) -> None:
    keys, _folder, repo = _signed_repo(fakehub, tmp_path, "acme/tampered", tamper="model.safetensors")
    report = modelaudit.scan(f"acme/tampered@{repo.sha}", sig_key=str(keys.public))
    root = report.node(report.target.id)
    assert root is not None and root.signature is not None
    assert root.signature.status is SignatureStatus.INVALID
    assert next(f for f in root.files if f.path == "model.safetensors").status is FileStatus.VERIFIED
    (finding,) = [f for f in report.findings if f.name == "signature-invalid"]
    assert finding.message.startswith("model.safetensors: content differs from what model.sig signed")
    assert report.verdict.value == "fail"


def test_hub_unsigned_repo_under_require_signature(fakehub: FakeHub, tmp_path: Path) -> None:
    folder = tiny_model(tmp_path / "plain")
    repo = fakehub.add_repo("acme/plain", folder)
    policy = tmp_path / "policy.yaml"
    policy.write_text("name: acme-signed\nrequire_signature: ['acme/*']\n")
    code, out, err = run_cli("scan", f"acme/plain@{repo.sha}", "--policy", str(policy), "-f", "json", "-q")
    assert code == 1, err
    doc = json.loads(out)
    assert [(f["name"], f["node"]) for f in doc["findings"] if f["name"].startswith("signature")] == [
        ("signature-missing", f"acme/plain@{repo.sha}")
    ]
