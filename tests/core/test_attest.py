"""Signed audits: ``scan --attest`` writes an in-toto Statement in a DSSE envelope, ``verify-attestation`` checks
it where the model is deployed. Keys are made in the test; the envelope is also checked with the DSSE and
in-toto libraries' own verifiers, not only ours."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli_run import run_cli
from fakehub import FakeHub
from modelaudit.attest import PREDICATE_TYPE
from signing_fixtures import ec_keypair, ed25519_keypair, flip_byte, sign_api_key, tiny_model

EPOCH = "1767225600"  # 2026-01-01T00:00:00Z


@pytest.fixture
def audited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A model folder, a key pair and an attestation of a passing audit of it."""
    model = tiny_model(tmp_path / "model")
    keys = ed25519_keypair(tmp_path / "keys")
    att = tmp_path / "audit.intoto.json"
    code, _out, err = run_cli(
        "scan", str(model), "--offline", "-q", "-o", str(tmp_path / "report.json"), "-f", "json",
        "--attest", str(att), "--attest-key", str(keys.private),
    )  # fmt: skip
    assert code == 0, err
    return model, keys, att


def _statement(att: Path) -> dict:  # type: ignore[type-arg]
    envelope = json.loads(att.read_text())
    return json.loads(base64.b64decode(envelope["payload"]))


def test_the_attestation_is_an_in_toto_statement_of_the_audit(audited, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    model, _keys, att = audited
    envelope = json.loads(att.read_text())
    assert envelope["payloadType"] == "application/vnd.in-toto+json"
    statement = _statement(att)
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    assert statement["predicateType"] == PREDICATE_TYPE
    # subjects: the sha256 of every file of the target, as the audit read it
    assert statement["subject"] == [
        {"name": p, "digest": {"sha256": hashlib.sha256((model / p).read_bytes()).hexdigest()}}
        for p in ["README.md", "config.json", "model.safetensors", "tokenizer.json"]
    ]
    pred = statement["predicate"]
    report = json.loads((tmp_path / "report.json").read_text())
    assert pred["verdict"] == report["verdict"] == "pass"
    assert pred["timestamp"] == report["generated_at"]
    default_policy = Path(__file__).resolve().parents[2] / "policies" / "default.yaml"
    assert pred["policy"] == {
        "name": "default",
        "failOn": "error",
        "digest": {"sha256": hashlib.sha256(default_policy.read_bytes()).hexdigest()},
    }
    assert pred["lineage"] == [
        {
            "id": report["nodes"][0]["id"],
            "kind": "model",
            "depth": 0,
            "resolved": True,
            "revision": None,
            "license": "Apache-2.0",
            "licenseCategory": "permissive",
        }
    ]
    # the one warning: an Apache-2.0 card with no LICENSE file beside it (obligation-unmet, a warning for an adopter)
    assert [(f["rule"], f["severity"]) for f in report["findings"]] == [("MA240", "warning")]
    assert pred["findings"] == {"error": 0, "warning": 1, "note": 0, "waived": 0}
    assert pred["tool"]["name"] == "modelaudit" and pred["reportSchemaVersion"] == "1"


def test_our_attestation_verifies_with_the_dsse_and_in_toto_libraries(audited) -> None:  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives import serialization
    from google.protobuf import json_format
    from in_toto_attestation.v1 import statement_pb2
    from in_toto_attestation.v1.statement import Statement
    from securesystemslib.dsse import Envelope
    from securesystemslib.signer import SSlibKey

    _model, keys, att = audited
    envelope = Envelope.from_dict(json.loads(att.read_text()))
    public = SSlibKey.from_crypto(serialization.load_pem_public_key(keys.public.read_bytes()))
    accepted = envelope.verify([public], 1)  # securesystemslib's verifier: raises unless it verifies
    assert list(accepted) == [public.keyid]
    parsed = json_format.Parse(envelope.payload, statement_pb2.Statement())
    Statement.copy_from_pb(parsed).validate()  # in-toto-attestation's checks
    assert parsed.predicate_type == PREDICATE_TYPE and len(parsed.subject) == 4


def test_round_trip_at_deploy(audited) -> None:  # type: ignore[no-untyped-def]
    model, keys, att = audited
    code, out, err = run_cli(
        "verify-attestation", str(att), str(model), "--key", str(keys.public), "--policy", "default",
        "--max-age", "30d",
    )  # fmt: skip
    assert code == 0, err
    assert out.startswith("ok: 4 files match, verdict pass under policy 'default'") and out.count("\n") == 1


def test_a_tampered_envelope_or_another_key_is_refused_with_2(audited, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    model, keys, att = audited
    envelope = json.loads(att.read_text())
    statement = _statement(att)
    statement["predicate"]["verdict"] = "pass"
    statement["subject"][2]["digest"]["sha256"] = "0" * 64  # swap in other weights
    envelope["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(envelope))
    code, out, _ = run_cli("verify-attestation", str(forged), str(model), "--key", str(keys.public))
    assert code == 2 and out.startswith("signature invalid")
    other = ed25519_keypair(tmp_path / "other", "other")
    code, out, _ = run_cli("verify-attestation", str(att), str(model), "--key", str(other.public))
    assert code == 2 and out.startswith("signature invalid")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    code, out, _ = run_cli("verify-attestation", str(broken), str(model), "--key", str(keys.public))
    assert code == 2 and out.startswith("malformed")


def test_a_flipped_signature_byte_or_a_changed_payload_type_is_refused_with_2(audited, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    model, keys, att = audited
    envelope = json.loads(att.read_text())
    sig = bytearray(base64.b64decode(envelope["signatures"][0]["sig"]))
    sig[0] ^= 0x01
    flipped = dict(envelope, signatures=[dict(envelope["signatures"][0], sig=base64.b64encode(bytes(sig)).decode())])
    (tmp_path / "flipped.json").write_text(json.dumps(flipped))
    code, out, _ = run_cli("verify-attestation", str(tmp_path / "flipped.json"), str(model), "--key", str(keys.public))
    assert code == 2 and out.startswith("signature invalid"), out
    # DSSE signs the payload type too (PAE): relabelling the payload breaks the signature
    relabelled = dict(envelope, payloadType="application/json")
    (tmp_path / "relabelled.json").write_text(json.dumps(relabelled))
    code, out, _ = run_cli("verify-attestation", str(tmp_path / "relabelled.json"), str(model), "--key", str(keys.public))
    assert code == 2 and out.startswith(("signature invalid", "malformed")), out


def test_a_different_file_set_is_refused_with_1(audited) -> None:  # type: ignore[no-untyped-def]
    model, keys, att = audited
    flip_byte(model / "model.safetensors")
    (model / "extra.bin").write_bytes(b"added")
    (model / "tokenizer.json").unlink()
    code, out, _ = run_cli("verify-attestation", str(att), str(model), "--key", str(keys.public), "-f", "json")
    assert code == 1
    doc = json.loads(out)
    assert doc["problems"] == [
        "1 file(s) changed (model.safetensors)",
        "1 file(s) not attested (extra.bin)",
        "1 attested file(s) missing (tokenizer.json)",
    ]


def test_a_fail_verdict_is_refused_with_1(tmp_path: Path) -> None:
    model = tiny_model(tmp_path / "model", license="cc-by-nc-4.0")
    keys = ec_keypair(tmp_path / "keys", "attest")
    att = tmp_path / "fail.json"
    code, _, err = run_cli(
        "scan", str(model), "--offline", "-q", "--policy", "commercial", "-o", str(tmp_path / "r.txt"),
        "--attest", str(att), "--attest-key", str(keys.private),
    )  # fmt: skip
    assert code == 1, err  # the audit failed, and was attested as failed
    assert _statement(att)["predicate"]["verdict"] == "fail"
    code, out, _ = run_cli("verify-attestation", str(att), str(model), "--key", str(keys.public))
    assert code == 1 and out == "refused: verdict FAIL under policy 'commercial'\n"
    # and a pass under one policy is not a pass under another
    ok = tmp_path / "ok.json"
    code, _, err = run_cli(
        "scan", str(model), "--offline", "-q", "-o", str(tmp_path / "r2.txt"),
        "--attest", str(ok), "--attest-key", str(keys.private),
    )  # fmt: skip
    code, out, _ = run_cli("verify-attestation", str(ok), str(model), "--key", str(keys.public), "--policy", "commercial")
    assert code == 1 and "audited under policy 'default', not 'commercial'" in out


def test_a_stale_attestation_is_refused_with_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = tiny_model(tmp_path / "model")
    keys = ed25519_keypair(tmp_path / "keys")
    att = tmp_path / "old.json"
    code, _, err = run_cli(
        "scan", str(model), "--offline", "-q", "-o", str(tmp_path / "r.txt"),
        "--attest", str(att), "--attest-key", str(keys.private), env={"SOURCE_DATE_EPOCH": "1600000000"},
    )  # fmt: skip
    assert code == 0, err
    assert _statement(att)["predicate"]["timestamp"] == "2020-09-13T12:26:40Z"
    code, out, _ = run_cli("verify-attestation", str(att), str(model), "--key", str(keys.public), "--max-age", "30d")
    assert code == 1 and out.startswith("refused: stale: issued 2020-09-13T12:26:40Z")
    code, _, _ = run_cli("verify-attestation", str(att), str(model), "--key", str(keys.public))
    assert code == 0  # without --max-age age is not judged
    code, _, err = run_cli("verify-attestation", str(att), str(model), "--key", str(keys.public), "--max-age", "soon")
    assert code == 2 and "--max-age" in err


def test_attest_needs_every_file_hashed_and_a_key(tmp_path: Path) -> None:
    model = tiny_model(tmp_path / "model")
    keys = ed25519_keypair(tmp_path / "keys")
    code, _, err = run_cli("scan", str(model), "--offline", "--attest", str(tmp_path / "a.json"))
    assert code == 2 and "--attest-key" in err
    code, _, err = run_cli(
        "scan", str(model), "--offline", "--verify", "headers",
        "--attest", str(tmp_path / "a.json"), "--attest-key", str(keys.private),
    )  # fmt: skip
    assert code == 2 and "--verify full" in err
    bad = tmp_path / "bad.pem"
    bad.write_text("nope")
    code, _, err = run_cli(
        "scan", str(model), "--offline", "-q", "-o", str(tmp_path / "r.txt"),
        "--attest", str(tmp_path / "a.json"), "--attest-key", str(bad),
    )  # fmt: skip
    assert code == 2 and "bad.pem" in err and not (tmp_path / "a.json").exists()


def test_an_attestation_kept_inside_the_model_folder_is_not_one_of_its_files(tmp_path: Path) -> None:
    model = tiny_model(tmp_path / "model")
    keys = ed25519_keypair(tmp_path / "keys")
    att = model / "audit.intoto.json"
    code, _, err = run_cli(
        "scan", str(model), "--offline", "-q", "-o", str(tmp_path / "r.txt"),
        "--attest", str(att), "--attest-key", str(keys.private),
    )  # fmt: skip
    assert code == 0, err
    code, out, _ = run_cli("verify-attestation", str(att), str(model), "--key", str(keys.public))
    assert code == 0, out


def test_signed_model_on_the_hub_attested_and_checked_at_a_revision(fakehub: FakeHub, tmp_path: Path) -> None:
    """sign → scan --attest (a Hub repo) → verify-attestation against the Hub revision and a local copy."""
    signer = ec_keypair(tmp_path / "keys", "signer")
    attester = ed25519_keypair(tmp_path / "keys", "attest")
    folder = tiny_model(tmp_path / "release")
    sign_api_key(folder, signer.private)
    repo = fakehub.add_repo("acme/release", folder)
    target = f"acme/release@{repo.sha}"
    att = tmp_path / "release.intoto.json"
    code, _, err = run_cli(
        "scan", target, "--sig-key", str(signer.public), "-q", "-o", str(tmp_path / "r.json"), "-f", "json",
        "--attest", str(att), "--attest-key", str(attester.private),
    )  # fmt: skip
    assert code == 0, err
    lineage = _statement(att)["predicate"]["lineage"]
    assert lineage[0]["signature"]["status"] == "verified"
    assert lineage[0]["revision"] == repo.sha
    assert len(_statement(att)["subject"]) == 5  # the signature file is one of the repo's files
    code, out, err = run_cli("verify-attestation", str(att), target, "--key", str(attester.public))
    assert code == 0, out + err
    code, out, _ = run_cli("verify-attestation", str(att), str(folder), "--key", str(attester.public))
    assert code == 0, out  # the same bytes in a local folder
    # a later revision with changed weights is not what was attested
    flip_byte(folder / "model.safetensors")
    newer = fakehub.add_repo("acme/release", folder)
    code, out, _ = run_cli("verify-attestation", str(att), f"acme/release@{newer.sha}", "--key", str(attester.public))
    assert code == 1 and "model.safetensors" in out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.dictionaries(
            st.sampled_from(["payload", "payloadType", "signatures", "x"]),
            st.one_of(st.text(max_size=40), st.lists(st.dictionaries(st.sampled_from(["keyid", "sig"]), st.text(max_size=20)), max_size=2)),
        ).map(lambda v: json.dumps(v).encode()),
    )
)
def test_any_attestation_bytes_are_refused_with_2_never_an_exception(data: bytes, tmp_path: Path) -> None:
    from modelaudit.attest import verify_attestation

    keys = ed25519_keypair(tmp_path / "fuzz-keys")
    att = tmp_path / "fuzz.json"
    att.write_bytes(data)
    check = verify_attestation(str(att), str(tmp_path), str(keys.public))
    assert check.code == 2 and check.reason.startswith(("malformed", "signature invalid")), check
