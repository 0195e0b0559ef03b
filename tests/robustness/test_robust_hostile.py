"""Hostile repos: unsafe file names, symlinks out of the folder, huge listings, a 1 TB file, deep and wide
lineages, a 50 MB README. Each ends in a bounded run and a clear outcome (a finding or exit 2)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from _robust_faults import run_cli, safetensors_bytes

from fakehub import FakeHub
from modelaudit.models import (
    Edge,
    LicenseCategory,
    LicenseInfo,
    Node,
    NodeKind,
    PolicyInfo,
    Relation,
    ScanReport,
    SourceKind,
    TargetInfo,
    ToolInfo,
    Verdict,
)
from modelaudit.sources.base import MAX_LISTED_FILES, MAX_SMALL_FILE_BYTES, unsafe_repo_path

EPOCH = "1767225600"
UNSAFE_NAMES = [
    "../../evil.safetensors",
    "/etc/passwd",
    "a\x00b.bin",
    "..\\..\\win.bin",
    "ok/../../up.json",
    "C:/Windows/x.bin",
    "new\nline.txt",
    "",
]


@pytest.fixture(autouse=True)
def _epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def scan_json(*args: str) -> tuple[int, dict[str, Any], str]:
    code, out, err = run_cli("scan", *args, "-f", "json", "-q", "--no-cache")
    assert code in (0, 1), err
    return code, json.loads(out), err


def findings(report: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["name"] == name]


def _sibling(name: str, size: int = 5, **extra: Any) -> dict[str, Any]:
    return {"rfilename": name, "size": size, "blobId": "0" * 40, **extra}


# --------------------------------------------------------------------------------------------- file names


@pytest.mark.parametrize("name", UNSAFE_NAMES)
def test_unsafe_names_are_recognised(name: str) -> None:
    assert unsafe_repo_path(name) is not None


@pytest.mark.parametrize(
    "name", ["README.md", "a/b/c.safetensors", "x..y.bin", ".gitattributes", "dir/.hidden"]
)
def test_ordinary_names_are_safe(name: str) -> None:
    assert unsafe_repo_path(name) is None


def test_unsafe_hub_file_names_are_skipped_reported_and_never_requested(
    fakehub: FakeHub, tmp_path: Path
) -> None:
    files = {"README.md": "---\nlicense: mit\n---\n", "model.safetensors": safetensors_bytes()}
    repo = fakehub.add_repo("acme/hostile", files)
    real = repo.info(repo.resolve("main"), blobs=True, expand=None)["siblings"]  # type: ignore[arg-type]
    fakehub.add_repo(
        "acme/hostile", files, extra_info={"siblings": real + [_sibling(n) for n in UNSAFE_NAMES]}
    )
    _code, report, _err = scan_json("acme/hostile", "--verify", "full")
    listed = {f["path"] for f in report["nodes"][0]["files"]}
    assert listed == {"README.md", "model.safetensors"}
    problems = " ".join(
        f["message"] + json.dumps(f["evidence"]) for f in findings(report, "metadata-unreadable")
    )
    for name in UNSAFE_NAMES[:6]:
        assert json.dumps(name)[1:-1] in problems.replace("\\\\", "\\") or repr(name)[1:-1] in problems, name
    requested = [r.file or "" for r in fakehub.requests]
    assert not any(".." in f or "passwd" in f or "\x00" in f for f in requested), requested
    assert not list(tmp_path.rglob("evil*")) and not list(tmp_path.rglob("up.json"))


def test_symlinks_out_of_a_local_folder_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("TOPSECRET-CONTENT license: gpl-3.0\n")
    (outside / "weights.safetensors").write_bytes(safetensors_bytes())
    model = tmp_path / "model"
    model.mkdir()
    (model / "README.md").write_text("---\nlicense: mit\n---\n")
    os.symlink(outside / "secret.txt", model / "LICENSE")
    os.symlink(outside / "secret.txt", model / "config.json")
    os.symlink(outside / "weights.safetensors", model / "model.safetensors")
    os.symlink(outside, model / "linked-dir")
    _code, report, _err = scan_json(str(model), "--verify", "full")
    text = json.dumps(report)
    assert "TOPSECRET" not in text and "gpl-3.0" not in text.lower()
    assert {f["path"] for f in report["nodes"][0]["files"]} == {"README.md"}
    skipped = " ".join(f["message"] for f in findings(report, "metadata-unreadable"))
    for name in ("LICENSE", "config.json", "model.safetensors"):
        assert name in skipped


# --------------------------------------------------------------------------------------------- sizes


@pytest.mark.slow
def test_a_listing_of_100k_files_is_capped_and_reported(fakehub: FakeHub) -> None:
    files = {"README.md": "---\nlicense: mit\n---\n", "model.safetensors": safetensors_bytes()}
    repo = fakehub.add_repo("acme/many", files)
    real = repo.info(repo.resolve("main"), blobs=True, expand=None)["siblings"]  # type: ignore[arg-type]
    many = [_sibling(f"data/shard-{i:06d}.txt", 10) for i in range(MAX_LISTED_FILES + 5)]
    fakehub.add_repo("acme/many", files, extra_info={"siblings": many + real})  # real files listed last
    _code, report, _err = scan_json("acme/many")
    paths = {f["path"] for f in report["nodes"][0]["files"]}
    assert len(paths) == MAX_LISTED_FILES
    assert {"README.md", "model.safetensors"} <= paths  # top-level files are kept, deep ones dropped
    messages = " ".join(f["message"] for f in findings(report, "metadata-unreadable"))
    assert f"beyond the cap of {MAX_LISTED_FILES}" in messages


@pytest.mark.parametrize("mode", ["headers", "full"])
def test_a_1tb_file_claimed_in_the_listing_is_a_mismatch_not_a_download(fakehub: FakeHub, mode: str) -> None:
    data = safetensors_bytes()
    files = {"README.md": "---\nlicense: mit\n---\n", "model.safetensors": data}
    repo = fakehub.add_repo("acme/huge", files)
    siblings = repo.info(repo.resolve("main"), blobs=True, expand=None)["siblings"]  # type: ignore[arg-type]
    for s in siblings:
        if s["rfilename"] == "model.safetensors":
            s["size"] = s["lfs"]["size"] = 10**12
    fakehub.add_repo("acme/huge", files, extra_info={"siblings": siblings})
    _code, report, _err = scan_json("acme/huge", "--verify", mode)
    bad = findings(report, "hash-mismatch") + findings(report, "file-corrupt")
    assert any("model.safetensors" in f["message"] for f in bad), report["findings"]
    assert report["verdict"] == "fail"
    got = [r for r in fakehub.requests if r.server == "cdn"]
    if mode == "headers":  # the header is read through ranges; nothing sized by the claim is fetched
        assert got and all(r.range for r in got)


def test_a_50mb_readme_is_read_only_up_to_the_cap(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    with (model / "README.md").open("w") as fh:
        fh.write("---\nlicense: mit\n---\n")
        block = "lorem ipsum dolor sit amet " * 40 + "\n"
        for _ in range(50 * 1024 * 1024 // len(block)):
            fh.write(block)
    _code, report, _err = scan_json(str(model))
    assert report["nodes"][0]["license"]["id"] == "MIT"
    notes = " ".join(f["message"] for f in findings(report, "metadata-unreadable"))
    assert f"only the first {MAX_SMALL_FILE_BYTES} were read" in notes


def test_a_readme_whose_front_matter_never_ends_is_reported(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "README.md").write_text("---\n" + "".join(f"k{i}: v\n" for i in range(800_000)))
    _code, report, _err = scan_json(str(model))
    assert findings(report, "license-missing") or findings(report, "license-unknown")
    assert findings(report, "metadata-unreadable")


def test_oversized_front_matter_is_a_clear_error(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "README.md").write_text("---\n" + "".join(f"k{i}: v\n" for i in range(150_000)) + "---\n")
    code, out, err = run_cli("scan", str(model), "-q")
    assert code == 2 and out == ""
    assert "README.md: YAML document is larger than" in err


def test_hub_readme_without_card_data_is_range_read(fakehub: FakeHub) -> None:
    big = "---\nlicense: mit\n---\n" + "x" * (6 * 1024 * 1024)
    fakehub.add_repo("acme/bigcard", {"README.md": big}, extra_info={"cardData": None})
    _code, report, _err = scan_json("acme/bigcard")
    assert report["nodes"][0]["license"]["id"] == "MIT"
    readme = [r for r in fakehub.requests if r.file == "README.md" and r.method == "GET"]
    assert readme and all(r.range == f"bytes=0-{MAX_SMALL_FILE_BYTES - 1}" for r in readme)


# --------------------------------------------------------------------------------------------- lineage shape


def _chain(root: Path, n: int) -> Path:
    for i in range(n + 1):
        folder = root / f"m{i:04d}"
        folder.mkdir(parents=True)
        base = f"base_model: ../m{i + 1:04d}\n" if i < n else ""
        (folder / "README.md").write_text(f"---\nlicense: apache-2.0\n{base}---\n")
    return root / "m0000"


def test_a_1000_level_lineage_stops_at_the_policy_depth(tmp_path: Path) -> None:
    target = _chain(tmp_path / "chain", 1000)
    _code, report, _err = scan_json(str(target))
    assert len(report["nodes"]) == 12  # target + 10 levels + the first one not followed
    unresolved = findings(report, "lineage-unresolved")
    assert unresolved and "beyond --max-depth 10" in unresolved[0]["message"]
    code, report, _err = scan_json(str(target), "--policy", "strict-ci")
    assert code == 1 and any(f["severity"] == "error" for f in findings(report, "lineage-unresolved"))


def test_a_1000_level_lineage_can_be_crawled_in_full(tmp_path: Path) -> None:
    from modelaudit.lineage.crawler import crawl
    from modelaudit.sources import SourceSet
    from modelaudit.targets import parse_target

    target = _chain(tmp_path / "chain", 1000)
    graph = crawl(parse_target(str(target)), SourceSet(), max_depth=1000, max_nodes=2000)
    assert len(graph.nodes) == 1001 and len(graph.edges) == 1000
    assert graph.cycles == [] and graph.truncated is None


def _deep_report(n: int) -> ScanReport:
    lic = LicenseInfo(id="apache-2.0", category=LicenseCategory.PERMISSIVE)
    nodes = [
        Node(id=f"org/m{i}", kind=NodeKind.MODEL, resolved=True, license=lic, depth=i) for i in range(n + 1)
    ]
    edges = [Edge(child=f"org/m{i}", parent=f"org/m{i + 1}", relation=Relation.FINETUNE) for i in range(n)]
    return ScanReport(
        tool=ToolInfo(version="0"),
        generated_at="2026-01-01T00:00:00Z",
        target=TargetInfo(id="org/m0", source=SourceKind.HUB),
        policy=PolicyInfo(name="default"),
        verdict=Verdict.PASS,
        nodes=nodes,
        edges=edges,
    )


@pytest.mark.parametrize("fmt", ["text", "md", "html", "json", "sarif", "spdx", "cyclonedx"])
def test_every_format_renders_a_1000_level_lineage(fmt: str) -> None:
    from modelaudit.formats import get_formatter

    out = get_formatter(fmt).render(_deep_report(1000))
    assert len(out) > 0
    if fmt == "text":
        assert "deeper ancestors not drawn" in str(out)


def test_fan_in_of_500_parents_hits_the_node_cap_with_a_finding(tmp_path: Path) -> None:
    for i in range(500):
        (tmp_path / f"p{i:03d}").mkdir()
        (tmp_path / f"p{i:03d}" / "README.md").write_text("---\nlicense: mit\n---\n")
    target = tmp_path / "merged"
    target.mkdir()
    bases = "".join(f"- ../p{i:03d}\n" for i in range(500))
    (target / "README.md").write_text(f"---\nlicense: mit\nbase_model:\n{bases}---\n")
    _code, report, _err = scan_json(str(target))
    assert len(report["nodes"]) == 500
    cap = [f for f in findings(report, "lineage-unresolved") if "node cap of 500" in f["message"]]
    assert cap and cap[0]["severity"] == "warning"
    _code, report, _err = scan_json(str(target), "--max-nodes", "1000")
    assert len(report["nodes"]) == 501 and len(report["edges"]) == 500
    assert not findings(report, "lineage-unresolved")
