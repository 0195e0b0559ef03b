"""CacheSource reads offline what huggingface_hub's own downloads left in the HF cache.

The caches here are written by the library itself (``hf_hub_download``, ``snapshot_download`` against the
fake Hub), so these tests follow whatever layout the installed huggingface_hub writes; only the hostile
inputs (a tampered listing, a listing of an unknown format) are written by hand.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from hub_fixtures import CARD, CONFIG, WEIGHTS, plain_model, safetensors_blob
from huggingface_hub import constants, hf_hub_download, snapshot_download, try_to_load_from_cache
from huggingface_hub.errors import EntryNotFoundError

from fakehub import FakeHub, git_blob_sha1
from modelaudit.errors import FileNotInRepoError, OfflineError
from modelaudit.models import RepoKind, RepoRef, SourceKind
from modelaudit.sources.base import Source
from modelaudit.sources.cache import CacheSource

REF = RepoRef(repo_id="org/model")


def download(hub: FakeHub, repo_id: str, *paths: str, **kw: object) -> None:
    for path in paths:
        hf_hub_download(repo_id, path, endpoint=hub.url, **kw)  # type: ignore[arg-type]


def snapshot(ref: RepoRef, path: str = "README.md", revision: str | None = None) -> Path:
    kind = "dataset" if ref.kind is RepoKind.DATASET else "model"
    found = try_to_load_from_cache(ref.repo_id, path, revision=revision, repo_type=kind)
    assert isinstance(found, str)
    return Path(found).parent


def test_cache_source_implements_the_protocol() -> None:
    assert isinstance(CacheSource(), Source)


def test_reads_the_librarys_cache_folder_unless_given_another(fakehub: FakeHub, tmp_path: Path) -> None:
    fakehub.add_repo("org/model", plain_model())
    download(fakehub, "org/model", "README.md")
    fakehub.go_offline()
    assert CacheSource().cache_dir == Path(constants.HF_HUB_CACHE)
    assert CacheSource().fetch(REF).card_data["license"] == "apache-2.0"
    with pytest.raises(OfflineError) as err:
        CacheSource(str(tmp_path / "elsewhere")).fetch(REF)
    assert str(tmp_path / "elsewhere") in str(err.value)


def test_downloaded_files_carry_the_hashes_their_blobs_are_named_by(fakehub: FakeHub) -> None:
    files = {**plain_model(), "nested/dir/tokenizer.json": "{}"}
    repo = fakehub.add_repo("org/model", files)
    download(
        fakehub, "org/model", "README.md", "config.json", "model.safetensors", "nested/dir/tokenizer.json"
    )
    fakehub.go_offline()
    fakehub.clear_log()
    record = CacheSource().fetch(REF)
    assert fakehub.requests == []
    assert record.source is SourceKind.CACHE and record.revision == repo.sha
    files_by_path = {f.path: f for f in record.files}
    assert sorted(files_by_path) == [
        "README.md",
        "config.json",
        "model.safetensors",
        "nested/dir/tokenizer.json",
    ]
    weights = files_by_path["model.safetensors"]
    assert (weights.lfs_sha256, weights.blob_id, weights.size) == (
        hashlib.sha256(WEIGHTS).hexdigest(),
        None,
        len(WEIGHTS),
    )
    config = files_by_path["config.json"]
    assert (config.blob_id, config.lfs_sha256) == (git_blob_sha1(CONFIG.encode()), None)
    assert record.card_data["license"] == "apache-2.0"
    assert ("card:license", "apache-2.0") in {(e.source, e.value) for e in record.license_evidence}
    assert {p.target for p in record.parents} == {"org/base", "org/data"}
    assert record.config == json.loads(CONFIG)
    assert record.safetensors_metadata == {"model.safetensors": {"format": "pt"}}
    assert record.local_dir == str(snapshot(REF))  # where transformers would load the snapshot from
    assert record.problems == []


def test_revisions_resolve_as_the_library_recorded_them(fakehub: FakeHub) -> None:
    main = fakehub.add_repo("org/model", {"README.md": "---\nlicense: mit\n---\n"}).sha
    pr = fakehub.add_repo("org/model", {"README.md": "---\nlicense: gpl-3.0\n---\n"}, revision="refs/pr/1")
    pr_commit = pr.refs["refs/pr/1"]
    download(fakehub, "org/model", "README.md")
    download(fakehub, "org/model", "README.md", revision="refs/pr/1")
    fakehub.go_offline()
    source = CacheSource()

    def lic(rev: str | None) -> object:
        return source.fetch(RepoRef(repo_id="org/model", revision=rev)).card_data["license"]

    assert lic(None) == "mit" and lic("main") == "mit" and lic(main) == "mit"
    assert lic("refs/pr/1") == "gpl-3.0" and lic(pr_commit) == "gpl-3.0"
    with pytest.raises(OfflineError) as err:
        source.fetch(RepoRef(repo_id="org/model", revision="v2"))
    assert "'v2'" in str(err.value) and err.value.hint and "cache" in err.value.hint
    with pytest.raises(OfflineError):
        source.fetch(RepoRef(repo_id="org/model", revision="c" * 40))
    with pytest.raises(OfflineError):
        source.fetch(RepoRef(repo_id="org/model", revision="../../etc"))


def test_uncached_repo_is_an_offline_error_naming_it(hf_offline: Path) -> None:
    with pytest.raises(OfflineError) as err:
        CacheSource().fetch(RepoRef(repo_id="org/absent"))
    assert "org/absent" in str(err.value) and str(hf_offline) in str(err.value)
    with pytest.raises(OfflineError) as ds:
        CacheSource().fetch(RepoRef(repo_id="org/absent", kind=RepoKind.DATASET))
    assert "datasets/org/absent" in str(ds.value)


def test_a_file_the_library_recorded_as_absent_is_not_in_the_repo(fakehub: FakeHub) -> None:
    fakehub.add_repo("org/model", plain_model())
    download(fakehub, "org/model", "README.md")
    with pytest.raises(EntryNotFoundError):
        download(fakehub, "org/model", "adapter_config.json")  # the library notes its absence
    fakehub.go_offline()
    source = CacheSource()
    with pytest.raises(FileNotInRepoError):
        source.open_file(REF, "adapter_config.json")
    assert source.read_small(REF, "adapter_config.json") is None
    assert source.fetch(REF).card_data["license"] == "apache-2.0"


def test_tree_listing_adds_files_never_downloaded(fakehub: FakeHub) -> None:
    """snapshot_download records the commit's whole listing; CacheSource lists every file with its hashes."""
    repo = fakehub.add_repo("org/model", plain_model())
    snapshot_download("org/model", allow_patterns=["README.md", "config.json"], endpoint=fakehub.url)
    fakehub.go_offline()
    fakehub.clear_log()
    source = CacheSource()
    record = source.fetch(REF)
    assert fakehub.requests == []
    assert record.revision == repo.sha
    files = {f.path: f for f in record.files}
    assert sorted(files) == ["LICENSE", "README.md", "config.json", "model.safetensors"]
    assert files["model.safetensors"].lfs_sha256 == hashlib.sha256(WEIGHTS).hexdigest()
    assert files["model.safetensors"].size == len(WEIGHTS)
    assert files["LICENSE"].blob_id == git_blob_sha1(b"Apache License 2.0")
    assert record.config == json.loads(CONFIG) and record.card_data["base_model"] == "org/base"
    assert record.license_files == []  # listed but not downloaded
    assert [(p.source, p.value) for p in record.problems] == [
        ("file:model.safetensors", "not in the local cache (never downloaded), header not read"),
        # unread, not absent: the obligation checks must not take a license never downloaded for a missing one
        ("file:LICENSE", "license file not read: not in the local cache"),
    ]
    with pytest.raises(OfflineError) as err:
        source.open_file(REF, "model.safetensors")
    assert "never downloaded" in str(err.value)
    with pytest.raises(FileNotInRepoError):
        source.open_file(REF, "nope.bin")
    assert source.read_small(REF, "model.safetensors") is None
    assert source.read_small(REF, "README.md") == CARD.encode()


def test_hostile_listing_entries_are_dropped(fakehub: FakeHub) -> None:
    repo = fakehub.add_repo("org/model", plain_model())
    snapshot_download("org/model", allow_patterns=["README.md"], endpoint=fakehub.url)
    tree = next((fakehub.cache_dir or Path()).glob(f"models--org--model/trees/{repo.sha}.json"))
    doc = json.loads(tree.read_text())
    doc["files"]["../escape"] = {"size": 1, "blob_id": "e" * 40}
    doc["files"]["model.safetensors"]["lfs_sha256"] = "not a sha256"
    tree.write_text(json.dumps(doc))
    fakehub.go_offline()
    files = {f.path: f for f in CacheSource().fetch(REF).files}
    assert sorted(files) == ["LICENSE", "README.md", "config.json", "model.safetensors"]
    assert files["model.safetensors"].lfs_sha256 is None  # no hash rather than a wrong one


def test_tree_listing_alone_is_enough_to_resolve(hf_offline: Path) -> None:
    """A ref and a listing without a snapshot folder (what earlier modelaudit versions wrote) still resolve."""
    commit = "a" * 40
    storage = hf_offline / "models--org--model"
    (storage / "refs").mkdir(parents=True)
    (storage / "refs" / "main").write_text(commit)
    (storage / "trees").mkdir()
    tree = storage / "trees" / f"{commit}.json"
    tree.write_text(
        json.dumps({"format_version": 1, "files": {"config.json": {"size": 2, "blob_id": "d" * 40}}})
    )
    record = CacheSource().fetch(REF)
    assert [f.path for f in record.files] == ["config.json"] and record.config is None
    tree.write_text('{"format_version": 99, "files": {}}')  # a format we do not know: as good as absent
    with pytest.raises(OfflineError):
        CacheSource().fetch(REF)


def test_copied_snapshots_and_deleted_blobs(fakehub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> None:
    fakehub.add_repo("org/model", {**plain_model(), "gone.bin": b"deleted blob"})
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_SYMLINKS", True)  # files copied into snapshots/
    download(fakehub, "org/model", "README.md")
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_SYMLINKS", False)
    download(fakehub, "org/model", "gone.bin")
    Path(try_to_load_from_cache("org/model", "gone.bin") or "").resolve().unlink()  # its blob deleted
    fakehub.go_offline()
    record = CacheSource().fetch(REF)
    assert [(f.path, f.blob_id, f.lfs_sha256) for f in record.files] == [("README.md", None, None)]
    assert record.card_data["license"] == "apache-2.0"


def test_range_reads_and_open_file(fakehub: FakeHub) -> None:
    blob = safetensors_blob({"license": "cc-by-4.0"})
    fakehub.add_repo("org/data", {"data.safetensors": blob}, kind="dataset")
    download(fakehub, "org/data", "data.safetensors", repo_type="dataset")
    fakehub.go_offline()
    ref = RepoRef(repo_id="org/data", kind=RepoKind.DATASET)
    source = CacheSource()
    assert source.read_range(ref, "data.safetensors", 3, 10) == blob[3:13]
    assert source.read_range(ref, "data.safetensors", len(blob) - 2, 10) == blob[-2:]
    with source.open_file(ref, "data.safetensors") as fh:
        assert fh.read() == blob
    record = source.fetch(ref)
    assert ("safetensors:data.safetensors:license", "cc-by-4.0") in {
        (e.source, e.value) for e in record.license_evidence
    }
