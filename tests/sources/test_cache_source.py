"""CacheSource reads the Hugging Face cache layout offline: refs, snapshots, blobs and trees/<commit>.json."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from hub_fixtures import CARD, CONFIG, WEIGHTS, plain_model, safetensors_blob
from huggingface_hub import snapshot_download

from fakehub import FakeHub, git_blob_sha1
from modelaudit.errors import FileNotInRepoError, OfflineError
from modelaudit.models import RepoKind, RepoRef, SourceKind
from modelaudit.sources.base import Source
from modelaudit.sources.cache import CacheSource, default_cache_dir

COMMIT = "a" * 40
OTHER = "b" * 40


def put(storage: Path, commit: str, path: str, data: bytes, *, lfs: bool = False, link: bool = True) -> str:
    """Write one file the way hf_hub_download does; return its blob name."""
    etag = hashlib.sha256(data).hexdigest() if lfs else git_blob_sha1(data)
    target = storage / "snapshots" / commit / path
    target.parent.mkdir(parents=True, exist_ok=True)
    if link:
        blob = storage / "blobs" / etag
        blob.parent.mkdir(parents=True, exist_ok=True)
        blob.write_bytes(data)
        os.symlink(os.path.relpath(blob, target.parent), target)
    else:
        target.write_bytes(data)
    return etag


def ref_to(storage: Path, name: str, commit: str) -> None:
    (storage / "refs" / name).parent.mkdir(parents=True, exist_ok=True)
    (storage / "refs" / name).write_text(commit)


@pytest.fixture
def cache(hf_offline: Path) -> Path:
    return hf_offline


def test_cache_source_implements_the_protocol() -> None:
    assert isinstance(CacheSource(), Source)


def test_default_cache_dir_is_read_at_call_time(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "a"))
    assert default_cache_dir() == tmp_path / "a"
    monkeypatch.delenv("HF_HUB_CACHE")
    monkeypatch.delenv("HUGGINGFACE_HUB_CACHE", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / "hub"
    assert CacheSource(str(tmp_path / "x")).cache_dir == tmp_path / "x"


def test_blob_names_are_the_recorded_hashes(cache: Path) -> None:
    storage = cache / "models--org--model"
    ref_to(storage, "main", COMMIT)
    put(storage, COMMIT, "README.md", CARD.encode())
    put(storage, COMMIT, "config.json", CONFIG.encode())
    put(storage, COMMIT, "model.safetensors", WEIGHTS, lfs=True)
    put(storage, COMMIT, "nested/dir/tokenizer.json", b"{}")
    record = CacheSource().fetch(RepoRef(repo_id="org/model"))
    assert record.source is SourceKind.CACHE and record.revision == COMMIT
    files = {f.path: f for f in record.files}
    assert sorted(files) == ["README.md", "config.json", "model.safetensors", "nested/dir/tokenizer.json"]
    assert files["model.safetensors"].lfs_sha256 == hashlib.sha256(WEIGHTS).hexdigest()
    assert files["model.safetensors"].blob_id is None and files["model.safetensors"].size == len(WEIGHTS)
    assert (
        files["config.json"].blob_id == git_blob_sha1(CONFIG.encode())
        and files["config.json"].lfs_sha256 is None
    )
    assert record.card_data["license"] == "apache-2.0"
    assert ("card:license", "apache-2.0") in {(e.source, e.value) for e in record.license_evidence}
    assert {p.target for p in record.parents} == {"org/base", "org/data"}
    assert record.config == json.loads(CONFIG)
    assert record.safetensors_metadata == {"model.safetensors": {"format": "pt"}}
    assert record.local_dir == str(storage / "snapshots" / COMMIT)
    assert record.problems == []


def test_revisions_resolve_through_refs_or_commit(cache: Path) -> None:
    storage = cache / "models--org--model"
    ref_to(storage, "main", COMMIT)
    ref_to(storage, "refs/pr/1", OTHER)
    put(storage, COMMIT, "README.md", b"---\nlicense: mit\n---\n")
    put(storage, OTHER, "README.md", b"---\nlicense: gpl-3.0\n---\n")
    source = CacheSource()

    def lic(rev: str | None) -> object:
        return source.fetch(RepoRef(repo_id="org/model", revision=rev)).card_data["license"]

    assert lic(None) == "mit" and lic("main") == "mit" and lic(COMMIT) == "mit"
    assert lic("refs/pr/1") == "gpl-3.0" and lic(OTHER) == "gpl-3.0"
    with pytest.raises(OfflineError) as err:
        source.fetch(RepoRef(repo_id="org/model", revision="v2"))
    assert "'v2'" in str(err.value) and err.value.hint and "cache" in err.value.hint
    with pytest.raises(OfflineError):
        source.fetch(RepoRef(repo_id="org/model", revision="c" * 40))
    with pytest.raises(OfflineError):
        source.fetch(RepoRef(repo_id="org/model", revision="../../etc"))


def test_uncached_repo_is_an_offline_error_naming_it(cache: Path) -> None:
    with pytest.raises(OfflineError) as err:
        CacheSource().fetch(RepoRef(repo_id="org/absent"))
    assert "org/absent" in str(err.value) and str(cache) in str(err.value)
    with pytest.raises(OfflineError) as ds:
        CacheSource().fetch(RepoRef(repo_id="org/absent", kind=RepoKind.DATASET))
    assert "datasets/org/absent" in str(ds.value)


def test_tree_listing_adds_files_never_downloaded(cache: Path) -> None:
    storage = cache / "models--org--model"
    ref_to(storage, "main", COMMIT)
    put(storage, COMMIT, "README.md", CARD.encode())
    sha = hashlib.sha256(WEIGHTS).hexdigest()
    (storage / "trees").mkdir()
    (storage / "trees" / f"{COMMIT}.json").write_text(
        json.dumps(
            {
                "format_version": 1,
                "files": {
                    "README.md": {"size": len(CARD), "blob_id": git_blob_sha1(CARD.encode())},
                    "model.safetensors": {
                        "size": len(WEIGHTS),
                        "blob_id": "f" * 40,
                        "lfs_sha256": sha,
                        "lfs_size": 1,
                    },
                    "../escape": {"size": 1, "blob_id": "e" * 40},
                },
            }
        )
    )
    source = CacheSource()
    ref = RepoRef(repo_id="org/model")
    record = source.fetch(ref)
    files = {f.path: f for f in record.files}
    assert sorted(files) == ["README.md", "model.safetensors"]  # unsafe path dropped
    assert files["model.safetensors"].lfs_sha256 == sha and files["model.safetensors"].blob_id == "f" * 40
    assert files["model.safetensors"].size == len(WEIGHTS)
    assert [(p.source, p.value) for p in record.problems] == [
        ("file:model.safetensors", "not in the local cache (never downloaded), header not read")
    ]
    with pytest.raises(OfflineError) as err:
        source.open_file(ref, "model.safetensors")
    assert "never downloaded" in str(err.value)
    with pytest.raises(FileNotInRepoError):
        source.open_file(ref, "nope.bin")
    assert source.read_small(ref, "model.safetensors") is None
    assert source.read_small(ref, "README.md") == CARD.encode()


def test_tree_listing_alone_is_enough_to_resolve(cache: Path) -> None:
    storage = cache / "models--org--model"
    ref_to(storage, "main", COMMIT)
    (storage / "trees").mkdir(parents=True)
    tree = storage / "trees" / f"{COMMIT}.json"
    tree.write_text(
        json.dumps({"format_version": 1, "files": {"config.json": {"size": 2, "blob_id": "d" * 40}}})
    )
    record = CacheSource().fetch(RepoRef(repo_id="org/model"))
    assert [f.path for f in record.files] == ["config.json"] and record.config is None
    tree.write_text('{"format_version": 99, "files": {}}')  # a format we do not know: as good as absent
    with pytest.raises(OfflineError):
        CacheSource().fetch(RepoRef(repo_id="org/model"))


def test_copied_snapshots_and_dangling_links(cache: Path) -> None:
    storage = cache / "models--org--model"
    ref_to(storage, "main", COMMIT)
    put(storage, COMMIT, "README.md", CARD.encode(), link=False)  # HF_HUB_DISABLE_SYMLINKS layout
    etag = put(storage, COMMIT, "gone.bin", b"deleted blob", lfs=True)
    (storage / "blobs" / etag).unlink()
    source = CacheSource()
    record = source.fetch(RepoRef(repo_id="org/model"))
    assert [(f.path, f.blob_id, f.lfs_sha256) for f in record.files] == [("README.md", None, None)]
    assert record.card_data["license"] == "apache-2.0"


def test_range_reads_and_open_file(cache: Path) -> None:
    storage = cache / "datasets--org--data"
    ref_to(storage, "main", COMMIT)
    blob = safetensors_blob({"license": "cc-by-4.0"})
    put(storage, COMMIT, "data.safetensors", blob, lfs=True)
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


def test_snapshot_download_cache_is_read_offline(fakehub: FakeHub) -> None:
    """huggingface_hub's own snapshot_download writes trees/<commit>.json; CacheSource reads it."""
    repo = fakehub.add_repo("org/model", plain_model())
    snapshot_download("org/model", allow_patterns=["README.md", "config.json"], endpoint=fakehub.url)
    storage = fakehub.cache_dir / "models--org--model"  # type: ignore[operator]
    assert (storage / "trees" / f"{repo.sha}.json").is_file()
    fakehub.go_offline()
    fakehub.clear_log()
    record = CacheSource().fetch(RepoRef(repo_id="org/model"))
    assert fakehub.requests == []
    files = {f.path: f for f in record.files}
    assert sorted(files) == ["LICENSE", "README.md", "config.json", "model.safetensors"]
    assert files["model.safetensors"].lfs_sha256 == hashlib.sha256(WEIGHTS).hexdigest()
    assert files["LICENSE"].blob_id == git_blob_sha1(b"Apache License 2.0")
    assert record.config == json.loads(CONFIG) and record.card_data["base_model"] == "org/base"
    assert record.license_files == []  # listed but not downloaded
