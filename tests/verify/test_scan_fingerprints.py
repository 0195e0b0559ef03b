"""Fingerprints during a scan: declared bases confirmed or contradicted, undeclared bases caught via the index,
adapters checked against their base, remote parents read through range requests only."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _verify_helpers import ARCH_B, perturbed, safetensors_bytes, weights, write_model

import modelaudit
from modelaudit.cli.main import main
from modelaudit.models import Edge, Relation, ScanReport, Severity, SourceKind, VerifyMode
from modelaudit.verify.fingerprint import WeightFingerprint, adapter_shape_problems, fingerprint_local
from modelaudit.verify.index import FingerprintIndex, load_index, save_index

ROOT = Path(__file__).resolve().parents[2]
LORA = "base_model.model.model.layers.0.self_attn.q_proj"


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in tmp_path (relative node ids) with an index location that holds nothing yet."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MODELAUDIT_FINGERPRINT_INDEX", str(tmp_path / "no-index.json"))
    monkeypatch.setenv("MODELAUDIT_CACHE_DIR", str(tmp_path / "ma-cache"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764374400")
    return tmp_path


def card(folder: Path, **front: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"{k}: {json.dumps(v)}" for k, v in {"license": "apache-2.0", **front}.items()]
    (folder / "README.md").write_text("---\n" + "\n".join(lines) + "\n---\n\n# model\n")
    return folder


def model(folder: Path, tensors: dict[str, np.ndarray], **front: Any) -> Path:
    write_model(folder, tensors)
    return card(folder, **front)


def edge(report: ScanReport, relation: Relation) -> Edge:
    found = [e for e in report.edges if e.child == report.target.id and e.relation is relation]
    assert len(found) == 1, report.edges
    return found[0]


def fp_evidence(e: Edge) -> list[str]:
    return [ev.value for ev in e.evidence if ev.source == "fingerprint"]


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """The real entry point (error mapping and exit codes included)."""
    with pytest.raises(SystemExit) as exc:
        main(args)
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def names(report: ScanReport) -> set[tuple[str, str, Severity]]:
    return {(f.name, f.node, f.severity) for f in report.findings}


@pytest.fixture
def base(tmp_path: Path) -> dict[str, np.ndarray]:
    w = weights(0)
    model(tmp_path / "base", w)
    return w


# ---------------------------------------------------------------------------------- declared bases


def test_finetune_edge_carries_fingerprint_evidence(base: dict[str, np.ndarray], tmp_path: Path) -> None:
    model(tmp_path / "ft", perturbed(base, 0.05, seed=1), base_model="base", base_model_relation="finetune")
    report = modelaudit.scan("ft", offline=True)
    e = edge(report, Relation.FINETUNE)
    assert any(ev.source == "card:base_model" for ev in e.evidence)  # the declaration is kept
    [value] = fp_evidence(e)
    assert value.startswith("same-lineage: median correlation 0.99")
    assert not {n for n, _, _ in names(report)} & {"declared-base-unsupported", "undeclared-base"}
    nodes = {n.id: n for n in report.nodes}
    assert nodes["ft"].fingerprint is not None and nodes["ft"].fingerprint.tensors == 9
    assert nodes[e.parent].fingerprint is not None
    assert nodes["ft"].fingerprint.digest != nodes[e.parent].fingerprint.digest


def test_unrelated_weights_under_a_base_claim_are_an_error(
    base: dict[str, np.ndarray], tmp_path: Path
) -> None:
    model(tmp_path / "fake", weights(7), base_model="base", base_model_relation="finetune")
    report = modelaudit.scan("fake", offline=True)
    bad = [f for f in report.findings if f.name == "declared-base-unsupported"]
    assert len(bad) == 1
    assert bad[0].rule == "MA304" and bad[0].severity is Severity.ERROR and bad[0].node == "fake"
    assert "do not descend" in bad[0].message
    assert report.verdict.value == "fail"
    [value] = fp_evidence(edge(report, Relation.FINETUNE))  # conflicting evidence is kept on the edge
    assert value.startswith("unrelated:")


def test_other_architecture_warns_for_a_finetune_but_not_for_a_quantized_derivative(
    base: dict[str, np.ndarray], tmp_path: Path
) -> None:
    model(tmp_path / "other", weights(3, ARCH_B), base_model="base", base_model_relation="finetune")
    model(tmp_path / "quant", weights(3, ARCH_B), base_model="base", base_model_relation="quantized")
    finetune = modelaudit.scan("other", offline=True)
    assert ("declared-base-unsupported", "other", Severity.WARNING) in names(finetune)
    quantized = modelaudit.scan("quant", offline=True)
    assert "declared-base-unsupported" not in {n for n, _, _ in names(quantized)}
    [value] = fp_evidence(edge(quantized, Relation.QUANTIZED))
    assert value.startswith("incompatible:")


def test_verify_none_and_no_fingerprint_turn_it_off(base: dict[str, np.ndarray], tmp_path: Path) -> None:
    model(tmp_path / "fake", weights(7), base_model="base", base_model_relation="finetune")
    for kwargs in ({"verify": VerifyMode.NONE}, {"fingerprint": False}):
        report = modelaudit.scan("fake", offline=True, **kwargs)
        assert "declared-base-unsupported" not in {n for n, _, _ in names(report)}
        assert all(n.fingerprint is None for n in report.nodes)
        assert not fp_evidence(edge(report, Relation.FINETUNE))
    forced = modelaudit.scan("fake", offline=True, verify=VerifyMode.NONE, fingerprint=True)
    assert ("declared-base-unsupported", "fake", Severity.ERROR) in names(forced)


def test_unreachable_parent_weights_are_skipped(tmp_path: Path) -> None:
    card(tmp_path / "base")  # a card, no weights
    model(tmp_path / "ft", weights(1), base_model="base", base_model_relation="finetune")
    report = modelaudit.scan("ft", offline=True)
    assert not fp_evidence(edge(report, Relation.FINETUNE))
    assert {n.id: n.fingerprint is not None for n in report.nodes} == {"ft": True, "base": False}


# ---------------------------------------------------------------------------------- the index


def _index(tmp_path: Path, entries: dict[str, Path]) -> Path:
    path = tmp_path / "idx" / "fingerprints.json"
    index = FingerprintIndex()
    for name, folder in entries.items():
        index.add(name, fingerprint_local(folder))
    save_index(index, path)
    return path


def test_undeclared_base_found_through_the_index(
    base: dict[str, np.ndarray], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = write_model(tmp_path / "other-base", weights(11))
    index = _index(tmp_path, {"org/base-model": tmp_path / "base", "org/other": other})
    model(tmp_path / "scratch", perturbed(base, 0.05, seed=2))  # "trained from scratch", no base declared

    report = modelaudit.scan("scratch", offline=True, fingerprint_index=str(index))
    found = [f for f in report.findings if f.name == "undeclared-base"]
    assert len(found) == 1
    assert found[0].rule == "MA305" and found[0].severity is Severity.ERROR and found[0].node == "scratch"
    assert "org/base-model" in found[0].message and "org/other" not in found[0].message

    monkeypatch.setenv("MODELAUDIT_FINGERPRINT_INDEX", str(index))  # the env var reaches the default
    assert "undeclared-base" in {n for n, _, _ in names(modelaudit.scan("scratch", offline=True))}


def test_declared_ancestors_are_not_undeclared(base: dict[str, np.ndarray], tmp_path: Path) -> None:
    ft = perturbed(base, 0.05, seed=1)
    model(tmp_path / "ft", ft, base_model="base", base_model_relation="finetune")
    model(tmp_path / "ft2", perturbed(ft, 0.05, seed=2), base_model="ft", base_model_relation="finetune")
    # indexed under the folder name and under a Hub-style name the cards never use
    index = _index(tmp_path, {"base": tmp_path / "base", "upstream/base": tmp_path / "base"})
    for target in ("ft", "ft2"):  # ft2 → ft → base: the grandparent is declared too
        report = modelaudit.scan(target, offline=True, fingerprint_index=str(index))
        assert "undeclared-base" not in {n for n, _, _ in names(report)}, report.findings


def test_scan_cli_index_option_and_exit_code(
    base: dict[str, np.ndarray], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model(tmp_path / "scratch", perturbed(base, 0.05, seed=2))
    index = tmp_path / "cli-index.json"
    code, _, err = run_cli(["fingerprint", "index", "add", "base", "--index", str(index)], capsys)
    assert code == 0, err
    assert [m.id for m in load_index(index).models] == ["base"]

    scan = ["scan", "scratch", "--offline", "-f", "json", "-q", "--fingerprint-index", str(index)]
    code, out, err = run_cli(scan, capsys)
    assert code == 1, err
    assert "undeclared-base" in {f["name"] for f in json.loads(out)["findings"]}
    code, out, err = run_cli([*scan, "--no-fingerprint"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert "undeclared-base" not in {f["name"] for f in data["findings"]}
    assert all(n.get("fingerprint") is None for n in data["nodes"])


# ---------------------------------------------------------------------------------- adapters


def adapter(folder: Path, a_in: int, b_out: int, base_name: str = "base") -> Path:
    tensors = {
        f"{LORA}.lora_A.weight": np.full((4, a_in), 0.01, np.float32),
        f"{LORA}.lora_B.weight": np.zeros((b_out, 4), np.float32),
    }
    write_model(folder, tensors, "adapter_model.safetensors")
    (folder / "config.json").unlink()
    (folder / "adapter_config.json").write_text(
        json.dumps({"peft_type": "LORA", "base_model_name_or_path": base_name, "r": 4})
    )
    return card(folder)


def test_adapter_whose_shapes_do_not_fit_its_base(base: dict[str, np.ndarray], tmp_path: Path) -> None:
    adapter(tmp_path / "good-lora", 64, 64)
    adapter(tmp_path / "bad-lora", 96, 64)  # q_proj is 64x64: lora_A cannot take 96 inputs
    good = modelaudit.scan("good-lora", offline=True)
    assert "declared-base-unsupported" not in {n for n, _, _ in names(good)}
    [value] = fp_evidence(edge(good, Relation.ADAPTER))
    assert value.startswith("adapter: 2 LoRA tensors fit")

    bad = modelaudit.scan("bad-lora", offline=True)
    found = [f for f in bad.findings if f.name == "declared-base-unsupported"]
    assert len(found) == 1 and found[0].severity is Severity.ERROR and found[0].node == "bad-lora"
    assert "lora_A" in found[0].message and "96" in found[0].message


def test_adapter_shapes_fit_linear_or_conv1d_layouts(tmp_path: Path) -> None:
    linear = fingerprint_local(
        write_model(tmp_path / "linear", {"model.up.weight": np.ones((128, 64), np.float32)})
    )
    conv1d = fingerprint_local(
        write_model(tmp_path / "conv", {"model.up.weight": np.ones((64, 128), np.float32)})
    )

    def lora(a_in: int, b_out: int) -> WeightFingerprint:
        tensors = {
            "base_model.model.model.up.lora_A.weight": np.ones((4, a_in), np.float32),
            "base_model.model.model.up.lora_B.weight": np.ones((b_out, 4), np.float32),
        }
        return fingerprint_local(write_model(tmp_path / f"lora-{a_in}-{b_out}", tensors))

    right = lora(64, 128)
    assert adapter_shape_problems(right, linear) == [] and adapter_shape_problems(right, conv1d) == []
    wrong_out = adapter_shape_problems(lora(64, 96), linear)
    assert len(wrong_out) == 2 and "(128, 64)" not in wrong_out[0] and "[128, 64]" in wrong_out[0]
    assert len(adapter_shape_problems(lora(96, 128), conv1d)) == 2


def test_adapter_checked_against_base_config_when_weights_are_absent(tmp_path: Path) -> None:
    cfg = {"model_type": "llama", "hidden_size": 64, "intermediate_size": 128, "num_attention_heads": 4}
    base = card(tmp_path / "base")
    (base / "config.json").write_text(json.dumps(cfg))
    adapter(tmp_path / "good-lora", 64, 64)
    adapter(tmp_path / "bad-lora", 96, 64)
    good = modelaudit.scan("good-lora", offline=True)
    assert "declared-base-unsupported" not in {n for n, _, _ in names(good)}
    assert any(ev.source == "adapter-config" for ev in edge(good, Relation.ADAPTER).evidence)
    bad = modelaudit.scan("bad-lora", offline=True)
    assert ("declared-base-unsupported", "bad-lora", Severity.WARNING) in names(bad)


# ---------------------------------------------------------------------------------- remote parent


def test_remote_parent_is_fingerprinted_by_range_reads_only(fakehub, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    arch = {f"model.layers.{i}.mlp.up_proj.weight": (512, 256) for i in range(4)}
    remote = weights(5, arch)
    blob = safetensors_bytes(remote)
    readme = "---\nlicense: apache-2.0\n---\n# base\n"
    fakehub.add_repo(
        "org/base",
        {"model.safetensors": blob, "config.json": json.dumps({"model_type": "tiny"}), "README.md": readme},
    )
    model(tmp_path / "ft", perturbed(remote, 0.05, seed=4), base_model="org/base")
    fakehub.clear_log()

    report = modelaudit.scan("ft")
    e = edge(report, Relation.FINETUNE)
    assert e.parent == "org/base"
    [value] = fp_evidence(e)
    assert value.startswith("same-lineage:")
    parent = next(n for n in report.nodes if n.id == "org/base")
    assert parent.fingerprint is not None and parent.fingerprint.tensors == 4

    weight_gets = [r for r in fakehub.requests if r.method == "GET" and r.file == "model.safetensors"]
    cdn_gets = [r for r in fakehub.requests if r.method == "GET" and r.route == "cdn"]
    assert weight_gets, "the parent's weights were never read"
    for r in weight_gets + cdn_gets:
        assert r.range is not None and r.range.startswith("bytes="), r  # never a whole-file GET
        assert r.status in (206, 302, 416), r
    spans = [r.range.removeprefix("bytes=").split("-") for r in cdn_gets or weight_gets if r.range]
    read = sum(int(b) - int(a) + 1 for a, b in spans)
    assert read < len(blob) * 0.25
    cached = list((fakehub.cache_dir / "models--org--base").rglob("*"))
    assert not any(p.is_file() and p.stat().st_size == len(blob) for p in cached)  # nothing downloaded whole

    fakehub.clear_log()  # offline, the parent's weights are neither in the HF cache nor fetched
    offline = modelaudit.scan("ft", offline=True)
    assert fakehub.requests == []
    assert not fp_evidence(edge(offline, Relation.FINETUNE))
    assert next(n for n in offline.nodes if n.id == "ft").fingerprint is not None

    shutil.rmtree(fakehub.cache_dir / "models--org--base")  # now only modelaudit's metadata cache knows it
    stale = modelaudit.scan("ft", offline=True)
    assert next(n for n in stale.nodes if n.id == "org/base").source is SourceKind.HUB
    assert fakehub.requests == []  # --offline: no range read through the Hub either
    assert not fp_evidence(edge(stale, Relation.FINETUNE))


# ---------------------------------------------------------------------------------- bundled example


def test_bundled_example_finetune_edge_is_confirmed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    code, out, err = run_cli(["scan", "examples/tiny-chat", "--offline", "-f", "json", "-q"], capsys)
    assert code == 0, err
    data = json.loads(out)
    [finetune] = [e for e in data["edges"] if e["relation"] == "finetune"]
    assert finetune["parent"] == "examples/tiny-base"
    values = [ev["value"] for ev in finetune["evidence"] if ev["source"] == "fingerprint"]
    assert len(values) == 1 and values[0].startswith("same-lineage")
    prints = {n["id"]: n.get("fingerprint") for n in data["nodes"]}
    assert prints["examples/tiny-chat"] and prints["examples/tiny-base"]
    assert prints["examples/tiny-corpus"] is None


def test_project_config_sets_fingerprint_defaults(
    base: dict[str, np.ndarray],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MODELAUDIT_FINGERPRINT_INDEX")  # the environment would win over the file
    model(tmp_path / "scratch", perturbed(base, 0.05, seed=2))
    index = _index(tmp_path, {"org/base-model": tmp_path / "base"})
    (tmp_path / "modelaudit.toml").write_text(f'fingerprint_index = "{index}"\n')
    code, out, _ = run_cli(["scan", "scratch", "--offline", "-f", "json", "-q"], capsys)
    assert code == 1 and "undeclared-base" in out
    (tmp_path / "modelaudit.toml").write_text(f'fingerprint = false\nfingerprint_index = "{index}"\n')
    code, out, _ = run_cli(["scan", "scratch", "--offline", "-f", "json", "-q"], capsys)
    assert code == 0 and "undeclared-base" not in out
