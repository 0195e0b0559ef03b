"""Model signatures (OpenSSF Model Signing) checked by a scan: models signed in the test with model-signing's
own API and command line, keys and a certificate authority made with pyca/cryptography."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import modelaudit
from cli_run import run_cli
from modelaudit.models import ScanReport, SignatureStatus, SignedFileStatus, Verdict
from signing_fixtures import (
    certificate_authority,
    ec_keypair,
    flip_byte,
    sign_api_certificate,
    sign_api_key,
    sign_cli,
    tiny_model,
)

SIGNED_FILES = ["README.md", "config.json", "model.safetensors", "tokenizer.json"]


def _scan(folder: Path, **options: object) -> ScanReport:
    return modelaudit.scan(str(folder), offline=True, **options)


def _signature_findings(report: ScanReport) -> list[tuple[str, str, str]]:
    return sorted(
        (f.name, f.severity.value, f.message) for f in report.findings if f.name.startswith("signature-")
    )


@pytest.fixture
def keys(tmp_path: Path):  # type: ignore[no-untyped-def]
    return ec_keypair(tmp_path / "keys")


@pytest.fixture
def signed(tmp_path: Path, keys) -> Path:  # type: ignore[no-untyped-def]
    model = tiny_model(tmp_path / "model")
    sign_api_key(model, keys.private)
    return model


def test_a_clean_model_signed_with_the_api_verifies(signed: Path, keys) -> None:  # type: ignore[no-untyped-def]
    report = _scan(signed, sig_key=str(keys.public))
    sig = report.nodes[0].signature
    assert sig is not None
    assert sig.status is SignatureStatus.VERIFIED
    assert sig.method == "key" and sig.path == "model.sig" and sig.serialization == "files/sha256"
    pem_digest = hashlib.sha256(keys.public.read_bytes()).hexdigest()
    assert sig.signer == f"public key sha256:{pem_digest}"  # who signed: the key's fingerprint
    assert [f.path for f in sig.files] == SIGNED_FILES  # the signature file itself is not a signed file
    assert {f.status for f in sig.files} == {SignedFileStatus.MATCHES}
    for f in sig.files:
        assert f.sha256_signed == f.sha256_actual == hashlib.sha256((signed / f.path).read_bytes()).hexdigest()
    assert _signature_findings(report) == []
    assert report.verdict is Verdict.PASS


def test_one_changed_byte_is_caught_naming_the_file(signed: Path, keys) -> None:  # type: ignore[no-untyped-def]
    flip_byte(signed / "model.safetensors")
    report = _scan(signed, sig_key=str(keys.public))
    sig = report.nodes[0].signature
    assert sig is not None and sig.status is SignatureStatus.INVALID
    assert {f.path: f.status for f in sig.files}["model.safetensors"] is SignedFileStatus.DIFFERS
    (finding,) = [f for f in report.findings if f.name == "signature-invalid"]
    assert finding.rule == "MA307" and finding.severity.value == "error"
    assert finding.message.startswith("model.safetensors: content differs from what model.sig signed")
    assert report.verdict is Verdict.FAIL


def test_a_removed_file_is_caught_naming_the_file(signed: Path, keys) -> None:  # type: ignore[no-untyped-def]
    (signed / "tokenizer.json").unlink()
    report = _scan(signed, sig_key=str(keys.public))
    assert report.nodes[0].signature is not None
    assert report.nodes[0].signature.status is SignatureStatus.INVALID
    assert _signature_findings(report) == [
        ("signature-invalid", "error", "tokenizer.json: signed by model.sig but missing from the model")
    ]


def test_added_unsigned_weights_are_an_error_and_other_files_a_warning(  # type: ignore[no-untyped-def]
    signed: Path, keys
) -> None:
    tiny_model(signed / "extra", seed=3)  # a second model's files under a folder the signature never saw
    (signed / "NOTES.txt").write_text("added later\n")
    report = _scan(signed, sig_key=str(keys.public))
    sig = report.nodes[0].signature
    assert sig is not None and sig.status is SignatureStatus.INVALID
    unsigned = {f.path for f in sig.files if f.status is SignedFileStatus.UNSIGNED}
    assert unsigned == {"NOTES.txt", *(f"extra/{p}" for p in SIGNED_FILES)}
    messages = _signature_findings(report)
    assert (
        "signature-invalid",
        "error",
        "extra/model.safetensors: weights or code not covered by model.sig (added after signing?)",
    ) in messages
    assert (
        "signature-invalid",
        "warning",
        "NOTES.txt: a file not covered by model.sig (added after signing?)",
    ) in messages


def test_another_key_does_not_verify(signed: Path, tmp_path: Path) -> None:
    other = ec_keypair(tmp_path / "other", "other")
    report = _scan(signed, sig_key=str(other.public))
    sig = report.nodes[0].signature
    assert sig is not None and sig.status is SignatureStatus.INVALID and sig.files == []
    (finding,) = _signature_findings(report)
    assert finding[2].startswith("model.sig: the signature does not verify with the given public key")


def test_model_signing_cli_key_signature_verifies_and_catches_tampering(  # type: ignore[no-untyped-def]
    tmp_path: Path, keys
) -> None:
    model = tiny_model(tmp_path / "cli-model")
    sign_cli(model, "key", "--private_key", str(keys.private))
    assert _scan(model, sig_key=str(keys.public)).nodes[0].signature.status is SignatureStatus.VERIFIED  # type: ignore[union-attr]
    flip_byte(model / "config.json", 5)
    report = _scan(model, sig_key=str(keys.public))
    assert [m for _n, _s, m in _signature_findings(report)] == [
        "config.json: content differs from what model.sig signed (sha256 "
        f"{hashlib.sha256((model / 'config.json').read_bytes()).hexdigest()}, signed "
        f"{report.nodes[0].signature.files[1].sha256_signed})"  # type: ignore[union-attr]
    ]


def test_certificate_chain_signatures_from_the_api_and_the_cli(tmp_path: Path) -> None:
    ca = certificate_authority(tmp_path / "pki")
    by_api = tiny_model(tmp_path / "api")
    sign_api_certificate(by_api, ca)
    by_cli = tiny_model(tmp_path / "cli", seed=1)
    sign_cli(
        by_cli,
        "certificate",
        "--private_key",
        str(ca.leaf_key),
        "--signing_certificate",
        str(ca.leaf_cert),
        "--certificate_chain",
        str(ca.ca_cert),
    )
    for model in (by_api, by_cli):
        sig = _scan(model, sig_cert_chain=[str(ca.ca_cert)]).nodes[0].signature
        assert sig is not None and sig.status is SignatureStatus.VERIFIED, sig
        assert sig.method == "certificate"
        assert sig.signer is not None and sig.signer.startswith(ca.subject)  # who signed: the leaf's subject
        assert sig.issuer == "CN=Acme Test Root CA,O=Acme Test"
    # a chain that does not lead to the signer's CA
    stranger = certificate_authority(tmp_path / "other-pki", signer="Someone Else")
    sig = _scan(by_api, sig_cert_chain=[str(stranger.ca_cert)]).nodes[0].signature
    assert sig is not None and sig.status is SignatureStatus.INVALID


def test_unsigned_repo_fails_under_require_signature(tmp_path: Path) -> None:
    model = tiny_model(tmp_path / "unsigned")
    policy = tmp_path / "signed-only.yaml"
    policy.write_text("name: signed-only\nrequire_signature: ['*unsigned']\n")
    report = _scan(model, policy=str(policy))
    assert report.nodes[0].signature is None
    (finding,) = [f for f in report.findings if f.name == "signature-missing"]
    assert finding.rule == "MA221" and finding.severity.value == "error"
    assert "ships no model signature" in finding.message
    assert report.verdict is Verdict.FAIL
    # the same repo without the requirement: no finding, and the report leaves `signature` out
    plain = _scan(model)
    assert not [f for f in plain.findings if f.name.startswith("signature-")]
    assert "signature" not in json.loads(plain.to_json())["nodes"][0]


def test_signed_repo_passes_require_signature_only_when_verified(  # type: ignore[no-untyped-def]
    signed: Path, keys, tmp_path: Path
) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text("name: signed-only\nrequire_signature: ['*']\n")
    ok = _scan(signed, policy=str(policy), sig_key=str(keys.public))
    assert not [f for f in ok.findings if f.name.startswith("signature-")]
    # signed, but no key given: the signature is there yet proves nothing
    unchecked = _scan(signed, policy=str(policy))
    assert unchecked.nodes[0].signature is not None
    assert unchecked.nodes[0].signature.status is SignatureStatus.UNVERIFIED
    (finding,) = [f for f in unchecked.findings if f.name == "signature-missing"]
    assert "was not verified" in finding.message and "--sig-key" in finding.message


def test_signature_given_with_signature_option_outside_the_folder(  # type: ignore[no-untyped-def]
    tmp_path: Path, keys
) -> None:
    model = tiny_model(tmp_path / "model")
    outside = sign_api_key(model, keys.private, tmp_path / "release.sig")
    report = _scan(model, sig_key=str(keys.public), signature=str(outside))
    sig = report.nodes[0].signature
    assert sig is not None and sig.status is SignatureStatus.VERIFIED and sig.path == str(outside)
    # and inside the folder under another name: it is not one of the files it signs
    inside = sign_api_key(model, keys.private, model / "signatures.sig")
    report = _scan(model, sig_key=str(keys.public), signature=str(inside))
    assert report.nodes[0].signature is not None
    assert report.nodes[0].signature.status is SignatureStatus.VERIFIED
    assert report.nodes[0].signature.path == "signatures.sig"


def test_a_malformed_signature_is_an_error_finding(tmp_path: Path, keys) -> None:  # type: ignore[no-untyped-def]
    model = tiny_model(tmp_path / "model")
    (model / "model.sig").write_text('{"mediaType": "something else"}')
    report = _scan(model, sig_key=str(keys.public))
    sig = report.nodes[0].signature
    assert sig is not None and sig.status is SignatureStatus.ERROR
    (finding,) = _signature_findings(report)
    assert finding[:2] == ("signature-invalid", "error")
    assert finding[2].startswith("model.sig: not a readable model signature")


def test_sharded_manifest_is_compared_by_model_signing_itself(  # type: ignore[no-untyped-def]
    tmp_path: Path, keys
) -> None:
    import model_signing

    model = tiny_model(tmp_path / "model")
    hashing = model_signing.hashing.Config().use_shard_serialization(shard_size=4096)
    model_signing.signing.Config().use_elliptic_key_signer(private_key=keys.private).set_hashing_config(
        hashing
    ).sign(model, model / "model.sig")
    sig = _scan(model, sig_key=str(keys.public)).nodes[0].signature
    assert sig is not None and sig.status is SignatureStatus.VERIFIED and sig.serialization == "shards/sha256"
    flip_byte(model / "model.safetensors", 5000)  # in the second shard
    report = _scan(model, sig_key=str(keys.public))
    assert report.nodes[0].signature is not None
    assert report.nodes[0].signature.status is SignatureStatus.INVALID
    assert [m for _n, _s, m in _signature_findings(report)] == [
        "model.safetensors: content differs from what model.sig signed (shards/sha256 digests)"
    ]


def test_cli_flags_render_in_every_format(signed: Path, keys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "reports"
    code, _stdout, err = run_cli(
        "scan", str(signed), "--offline", "--sig-key", str(keys.public),
        "-f", "json", "-f", "html", "-f", "sarif", "-f", "cyclonedx", "-f", "md", "-f", "text", "-f", "spdx",
        "-f", "spdx3", "-o", str(out),
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads(
        next(p for p in out.glob("*.json") if not p.name.endswith((".cdx.json", ".spdx.json"))).read_text()
    )
    assert doc["nodes"][0]["signature"]["status"] == "verified"
    html = next(out.glob("*.html")).read_text()
    assert "Signature" in html and "verified" in html and "public key sha256:" in html
    sarif = json.loads(next(out.glob("*.sarif")).read_text())
    props = sarif["runs"][0]["properties"]["signatures"]
    (only,) = props.values()
    assert only["status"] == "verified"
    cdx = json.loads(next(out.glob("*.cdx.json")).read_text())
    component = cdx["metadata"]["component"]
    names = {p["name"]: p["value"] for p in component.get("properties", [])}
    assert names["modelaudit:signature"] == "verified"
    assert names["modelaudit:signature-signer"].startswith("public key sha256:")
    assert "signature: verified" in next(out.glob("*.md")).read_text()
    assert "signature: verified" in next(out.glob("*.txt")).read_text()
    # SPDX 2.3 and 3: in the package's comment, beside its files
    spdx = json.loads(next(out.glob("*.spdx.json")).read_text())
    (package,) = [p for p in spdx["packages"] if "signature: verified" in p.get("comment", "")]
    assert "4 of 4 signed files match" in package["comment"]
    spdx3 = json.loads(next(out.glob("*.spdx3.jsonld")).read_text())
    assert [e for e in spdx3["@graph"] if "signature: verified · model.sig · key" in e.get("comment", "")]


def test_cli_refuses_contradictory_or_missing_trust_material(  # type: ignore[no-untyped-def]
    signed: Path, keys, tmp_path: Path
) -> None:
    code, _, err = run_cli("scan", str(signed), "--offline", "--sig-key", str(keys.public), "--sig-identity", "a@b")
    assert code == 2 and "give one" in err
    code, _, err = run_cli("scan", str(signed), "--offline", "--sig-identity", "a@b")
    assert code == 2 and "--sig-issuer" in err
    code, _, err = run_cli("scan", str(signed), "--offline", "--sig-key", str(tmp_path / "nope.pub"))
    assert code == 2 and "nope.pub" in err
    garbage = tmp_path / "garbage.pub"
    garbage.write_text("not a key")
    code, _, err = run_cli("scan", str(signed), "--offline", "--sig-key", str(garbage))
    assert code == 2 and "garbage.pub" in err and "cannot be used to verify" in err
    code, _, err = run_cli("scan", str(signed), "--offline", "--signature", "nowhere.sig")
    assert code == 2 and "nowhere.sig" in err


def test_ancestors_that_ship_a_signature_are_recorded_unchecked(  # type: ignore[no-untyped-def]
    tmp_path: Path, keys
) -> None:
    base = tiny_model(tmp_path / "base")
    sign_api_key(base, keys.private)
    child = tiny_model(tmp_path / "child", seed=1)
    (child / "README.md").write_text("---\nlicense: apache-2.0\nbase_model: base\n---\n")
    report = modelaudit.scan(str(child), offline=True, sig_key=str(keys.public))
    by_id = {n.id: n for n in report.nodes}
    parent = next(n for n in report.nodes if n.depth == 1)
    assert parent.signature is not None and parent.signature.status is SignatureStatus.UNVERIFIED
    assert "scan" in (parent.signature.detail or "")
    assert by_id[report.target.id].signature is None  # the child itself is unsigned


def test_no_signature_work_without_a_signature(tmp_path: Path) -> None:
    """A scan of an unsigned folder without trust flags never loads model-signing (start-up stays light)."""
    import subprocess
    import sys

    model = tiny_model(tmp_path / "m")
    probe = (
        "import sys, modelaudit; modelaudit.scan(sys.argv[1], offline=True); "
        "print(sorted(m for m in ('model_signing', 'sigstore', 'securesystemslib') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, str(model)], capture_output=True, text=True, timeout=120, check=True,
        env={**os.environ},
    ).stdout  # fmt: skip
    assert out.strip() == "[]"


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.one_of(
        st.binary(max_size=300),
        _json_values.map(lambda v: json.dumps(v).encode()),
        # bundle-shaped documents with arbitrary parts
        st.fixed_dictionaries(
            {"mediaType": st.text(max_size=60), "verificationMaterial": _json_values, "dsseEnvelope": _json_values}
        ).map(lambda v: json.dumps(v).encode()),
    )
)
def test_any_signature_bytes_give_a_finding_never_an_exception(data: bytes, tmp_path: Path) -> None:
    from modelaudit.verify.signature import SignatureTrust, check_signature

    keys = ec_keypair(tmp_path / "fuzz-keys")
    info, findings = check_signature(
        "node", "model.sig", data, SignatureTrust(key=str(keys.public)), ["a.bin"], {"a.bin": "0" * 64}
    )
    assert info.status in (SignatureStatus.ERROR, SignatureStatus.INVALID)
    assert [f.name for f in findings] == ["signature-invalid"]


def _sign_by(method: str, model: Path, root: Path) -> dict[str, object]:
    """Sign MODEL with model-signing (API or CLI, key or certificate); return the scan's trust options."""
    if method.endswith("key"):
        pair = ec_keypair(root / "keys")
        if method == "api-key":
            sign_api_key(model, pair.private)
        else:
            sign_cli(model, "key", "--private_key", str(pair.private))
        return {"sig_key": str(pair.public)}
    ca = certificate_authority(root / "pki")
    if method == "api-certificate":
        sign_api_certificate(model, ca)
    else:
        sign_cli(
            model, "certificate", "--private_key", str(ca.leaf_key), "--signing_certificate", str(ca.leaf_cert),
            "--certificate_chain", str(ca.ca_cert),
        )  # fmt: skip
    return {"sig_cert_chain": [str(ca.ca_cert)]}


def _tamper(model: Path, how: str) -> tuple[str, str]:
    """Change the signed model one way; return the file a finding must name and its severity."""
    if how == "changed-byte":
        flip_byte(model / "model.safetensors", 100)
        return "model.safetensors", "error"
    if how == "removed-file":
        (model / "config.json").unlink()
        return "config.json", "error"
    import shutil

    shutil.copyfile(model / "model.safetensors", model / "model-00002-of-00002.safetensors")
    return "model-00002-of-00002.safetensors", "error"


@pytest.mark.parametrize("method", ["api-key", "cli-key", "api-certificate", "cli-certificate"])
def test_every_signing_method_catches_each_tampering_naming_the_file(method: str, tmp_path: Path) -> None:
    """Each way model-signing signs (its API and its CLI, a key and a certificate chain): the clean model
    verifies, and a changed byte, a removed file and added unsigned weights are each caught by name, in the
    report and on the command line (exit 1)."""
    import shutil

    pristine = tiny_model(tmp_path / "pristine")
    trust = _sign_by(method, pristine, tmp_path)
    clean = _scan(pristine, **trust)
    assert clean.nodes[0].signature is not None
    assert clean.nodes[0].signature.status is SignatureStatus.VERIFIED, clean.nodes[0].signature
    assert clean.verdict is Verdict.PASS
    flags = (
        ["--sig-key", str(trust["sig_key"])]
        if "sig_key" in trust
        else ["--sig-cert-chain", str(trust["sig_cert_chain"][0])]  # type: ignore[index]
    )
    for how in ("changed-byte", "removed-file", "added-weights"):
        model = tmp_path / how
        shutil.copytree(pristine, model)
        named, severity = _tamper(model, how)
        report = _scan(model, **trust)
        assert report.nodes[0].signature is not None
        assert report.nodes[0].signature.status is SignatureStatus.INVALID, (how, report.nodes[0].signature)
        assert [(s, m.split(":")[0]) for _n, s, m in _signature_findings(report)] == [(severity, named)], how
        assert report.verdict is Verdict.FAIL
        code, out, err = run_cli("scan", str(model), "--offline", "-f", "text", *flags)
        assert code == 1, (how, err)
        assert f"{named}:" in out and "signature-invalid" in out, (how, out)
