"""Digests computed ahead of verification (verify/prehash.py): used only for the very file they came from.

The registry is filled by the CLI (``scan``/``verify`` of a folder) and by the Ray engine; ``verify_files``
takes a digest only when the open file's real path, device, inode, size and mtime match, and otherwise
hashes the file itself, so results are the same with or without it.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _verify_helpers import weights, write_model

from cli_run import run_cli
from modelaudit.models import FileEntry, VerifyMode
from modelaudit.verify import _prehash_child as child
from modelaudit.verify import hashing, prehash, verify_files
from modelaudit.verify.hashing import hash_path
from modelaudit.verify.prehash import DigestRegistry, Prehashed, hash_file, large_files, prehash_folders

MiB = 1024 * 1024


@pytest.fixture(autouse=True)
def _stop_children(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every registry a test starts is shut down after it: no hashing child outlives its test."""
    started: list[DigestRegistry] = []
    real_start = DigestRegistry.start

    def start(self: DigestRegistry, paths: Any) -> bool:
        started.append(self)
        return real_start(self, paths)

    monkeypatch.setattr(DigestRegistry, "start", start)
    yield
    prehash.discard_early()
    for registry in started:
        registry.shutdown()


def blob(path: Path, size: int, seed: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(hashlib.sha256(str(seed).encode()).digest() * (size // 32) + b"x" * (size % 32))
    return path


def finished(registry: DigestRegistry, path: Path) -> None:
    """Wait until the registry's hashing of ``path`` has ended (without taking the digest)."""
    registry._entries[os.path.realpath(path)].follow(None)


def opener(folder: Path) -> Any:
    def open_file(path: str) -> Any:
        return (folder / path).open("rb")

    return open_file


def take(registry: DigestRegistry, path: Path, **kw: Any) -> Any:
    with open(path, "rb", buffering=0) as fh:
        return registry.take(fh, **kw)


def test_a_file_hashed_ahead_is_taken_with_hash_streams_digest(tmp_path: Path) -> None:
    path = blob(tmp_path / "w.bin", 3 * MiB + 7)
    registry = DigestRegistry()
    registry.start([str(path)])
    got = take(registry, path)
    assert got == hash_path(str(path))
    assert got.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() and got.size == 3 * MiB + 7
    assert registry.hits == 1


def test_a_file_changed_after_hashing_is_a_miss(tmp_path: Path) -> None:
    path = blob(tmp_path / "w.bin", 2 * MiB)
    registry = DigestRegistry()
    registry.start([str(path)])
    finished(registry, path)
    before = path.stat()
    blob(path, 2 * MiB, seed=1)  # same size, other bytes
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000))
    assert take(registry, path) is None
    assert registry.hits == 0


def test_a_file_replaced_with_the_same_size_and_mtime_is_a_miss(tmp_path: Path) -> None:
    path = blob(tmp_path / "w.bin", 2 * MiB)
    registry = DigestRegistry()
    registry.start([str(path)])
    finished(registry, path)
    before = path.stat()
    other = blob(tmp_path / "other.bin", 2 * MiB, seed=1)
    os.utime(other, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(other, path)  # another inode under the same name
    assert take(registry, path) is None


def test_a_file_written_while_it_is_hashed_gives_no_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = blob(tmp_path / "w.bin", 2 * MiB)
    real_stream = hashing.hash_stream

    def stream_then_append(handle: Any, **kw: Any) -> Any:
        digests = real_stream(handle, **kw)
        with open(path, "ab") as fh:
            fh.write(b"more")
        return digests

    monkeypatch.setattr(hashing, "hash_stream", stream_then_append)
    assert hash_file(str(path)) is None


def test_the_child_gives_no_digest_for_a_file_written_while_it_is_hashed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = blob(tmp_path / "w.bin", 3 * MiB)
    monkeypatch.setattr(child, "STEP", MiB)

    def append(_n: int) -> None:
        with open(path, "ab") as fh:
            fh.write(b"x")

    assert child.hash_one(str(path), append) is None


@pytest.mark.parametrize("size", [0, 1, child.CHUNK - 1, child.CHUNK, child.CHUNK + 1, 3 * child.CHUNK + 5])
def test_the_childs_loop_gives_hash_streams_digests(tmp_path: Path, size: int) -> None:
    path = blob(tmp_path / "w.bin", size)
    seen: list[int] = []
    done = child.hash_one(str(path), seen.append)
    assert done is not None and sum(seen) == size
    item = Prehashed.from_json(done)
    assert item.digests == hash_path(str(path)) and item == hash_file(str(path))


def test_a_file_the_child_could_not_read_is_left_to_verify(tmp_path: Path) -> None:
    path = tmp_path / "w.bin"
    registry = DigestRegistry()
    registry.start([str(path)])  # not there yet: the child reports nothing for it
    finished(registry, path)
    blob(path, 2 * MiB)
    try:
        assert take(registry, path) is None
        entry = FileEntry(path="w.bin", size=2 * MiB)
        results, findings = verify_files([entry], opener(tmp_path), VerifyMode.FULL, prehashed=registry)
        assert results[0].sha256_actual == hashlib.sha256(path.read_bytes()).hexdigest() and not findings
    finally:
        registry.shutdown()


@pytest.mark.parametrize("broken", ["spawn fails", "child exits at once"])
def test_without_a_working_child_verify_hashes_everything_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken: str
) -> None:
    path = blob(tmp_path / "w.bin", 2 * MiB)

    def spawn() -> Any:
        if broken == "spawn fails":
            raise OSError(24, "Too many open files")
        return subprocess.Popen([sys.executable, "-c", "pass"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    monkeypatch.setattr(prehash, "_spawn", spawn)
    registry = DigestRegistry()
    assert registry.start([str(path)]) is (broken != "spawn fails")
    entry = FileEntry(path="w.bin", size=2 * MiB)
    try:
        ahead = verify_files([entry], opener(tmp_path), VerifyMode.FULL, prehashed=registry)
    finally:
        registry.shutdown()
    assert ahead == verify_files([entry], opener(tmp_path), VerifyMode.FULL) and registry.hits == 0


def test_shutdown_stops_the_child_and_nothing_waits_on_it(tmp_path: Path) -> None:
    path = blob(tmp_path / "w.bin", 64 * MiB)
    registry = DigestRegistry()
    registry.start([str(path)])
    registry.shutdown()
    assert registry._child is not None and registry._child.poll() is not None
    got = take(registry, path)  # returns at once: the digest, if the child was quicker than the kill
    assert got is None or got == hash_path(str(path))


def test_a_missing_file_is_reported_as_today(tmp_path: Path) -> None:
    path = blob(tmp_path / "w.bin", 2 * MiB)
    registry = DigestRegistry()
    registry.start([str(path)])
    finished(registry, path)
    path.unlink()
    entry = FileEntry(path="w.bin", size=2 * MiB)
    with_registry = verify_files([entry], opener(tmp_path), VerifyMode.FULL, prehashed=registry)
    without = verify_files([entry], opener(tmp_path), VerifyMode.FULL)
    assert with_registry == without and with_registry[0][0].status.value == "missing"


def test_waiting_on_a_digest_passes_its_progress_on(tmp_path: Path) -> None:
    path = blob(tmp_path / "w.bin", 5 * MiB + 3)
    registry = DigestRegistry()
    registry.start([str(path)])
    seen: list[int] = []
    assert take(registry, path, progress=seen.append) is not None
    assert sum(seen) == 5 * MiB + 3


def test_a_git_blob_id_is_never_taken_from_the_registry(tmp_path: Path) -> None:
    path = blob(tmp_path / "w.bin", MiB)
    registry = DigestRegistry()
    registry.start([str(path)])
    finished(registry, path)
    assert take(registry, path, git_sha1_size=MiB) is None


def test_digests_cross_processes_as_plain_values(tmp_path: Path) -> None:
    item = hash_file(str(blob(tmp_path / "w.bin", MiB)))
    assert item is not None
    doc = json.loads(json.dumps(item.to_json()))
    assert Prehashed.from_json(doc) == item
    registry = DigestRegistry()
    registry.add(Prehashed.from_json(doc))
    assert take(registry, tmp_path / "w.bin") == item.digests
    with pytest.raises(ValueError):
        Prehashed.from_json({**doc, "ino": "1"})


def test_large_files_are_what_a_local_scan_hashes(tmp_path: Path) -> None:
    blob(tmp_path / "big.bin", 3 * MiB)
    blob(tmp_path / "sub" / "bigger.bin", 4 * MiB)
    blob(tmp_path / "small.json", 100)
    blob(tmp_path / ".git" / "objects.pack", 5 * MiB)  # local sources skip .git
    (tmp_path / "link.bin").symlink_to(tmp_path / "big.bin")  # links are left to verify
    assert large_files(str(tmp_path), MiB) == [
        str(tmp_path / "sub" / "bigger.bin"),
        str(tmp_path / "big.bin"),
    ]
    assert large_files(str(tmp_path / "nope"), MiB) == []
    assert prehash_folders(["org/name", str(tmp_path / "nope")]) is None


def _model(tmp_path: Path) -> Path:
    folder = write_model(tmp_path / "m", weights(0))
    blob(folder / "extra.safetensors.bin", 2 * MiB)  # pickle-scanned, hashed
    (folder / "README.md").write_text("---\nlicense: apache-2.0\n---\n# m\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("command", [["verify"], ["verify", "-f", "json"], ["scan", "-f", "json"]])
def test_cli_output_is_the_same_with_and_without_prehashing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    folder = _model(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    monkeypatch.setenv("MODELAUDIT_FINGERPRINT_INDEX", str(tmp_path / "index.json"))
    args = [*command, str(folder), "--offline"]
    hits: list[int] = []
    real_take = DigestRegistry.take

    def counting_take(self: DigestRegistry, handle: Any, **kw: Any) -> Any:
        got = real_take(self, handle, **kw)
        hits.append(got is not None)
        return got

    monkeypatch.setattr(prehash, "PREHASH_MIN_BYTES", 1024)
    monkeypatch.setattr(DigestRegistry, "take", counting_take)
    ahead = run_cli(*args)
    assert sum(hits) >= 2  # the weights and the extra file came from the registry
    monkeypatch.setattr(prehash, "prehash_folders", lambda *_a, **_k: None)
    hits.clear()
    plain = run_cli(*args)
    assert not hits
    assert ahead == plain and ahead[0] == 0, ahead[2]


def test_verify_headers_and_none_hash_nothing_ahead(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _model(tmp_path)
    started: list[object] = []
    monkeypatch.setattr(DigestRegistry, "start", lambda self, paths: started.append(paths))
    monkeypatch.setattr(prehash, "PREHASH_MIN_BYTES", 1024)
    for args in (
        ["verify", "--mode", "headers"],
        ["verify", "--mode", "none"],
        ["scan", "--verify", "headers"],
    ):
        code, _, err = run_cli(*args, str(folder), "--offline")
        assert code == 0, err
    assert started == []
    run_cli("verify", str(folder), "--offline")
    assert len(started) == 1


def test_command_line_constants_match_the_models() -> None:
    from modelaudit.cli.verify import VERIFY_MODES
    from modelaudit.config import DEFAULT_DEADLINE as DEADLINE
    from modelaudit.config import env_offline
    from modelaudit.config import env_offline as _env_offline
    from modelaudit.models import VerifyMode
    from modelaudit.pipeline import ScanOptions

    assert tuple(m.value for m in VerifyMode) == VERIFY_MODES
    assert ScanOptions().deadline == DEADLINE
    assert _env_offline() == env_offline()


def test_parsing_scan_and_verify_imports_no_models() -> None:
    """Hashing starts right after the command line is parsed: before pydantic and the pipeline load."""
    code = "import sys, modelaudit.cli.scan, modelaudit.cli.verify, modelaudit.verify.prehash; " + (
        "print(sorted(m for m in ('pydantic', 'modelaudit.models', 'modelaudit.pipeline') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# ---------------------------------------------------------------- early start (before click loads)


@pytest.fixture
def big_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "model"
    blob(folder / "model.safetensors.bin", prehash.PREHASH_MIN_BYTES + 5)
    (folder / "README.md").write_text("---\nlicense: apache-2.0\n---\n# m\n", encoding="utf-8")
    return folder


def early() -> DigestRegistry | None:
    return prehash._early[1] if prehash._early is not None else None


def test_an_early_start_is_taken_over_by_the_command(big_folder: Path) -> None:
    prehash.early_start(["--debug", "scan", str(big_folder), "-f", "json", "-o", str(big_folder.parent)])
    registry = early()
    assert registry is not None and len(registry) == 1  # the output folder was not taken for a target
    assert prehash_folders([str(big_folder)]) is registry and prehash._early is None
    assert take(registry, big_folder / "model.safetensors.bin") == hash_path(
        str(big_folder / "model.safetensors.bin")
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["verify", "{f}", "--mode", "headers"],
        ["verify", "--verify=none", "{f}"],
        ["scan", "{f}", "--verify", "headers"],
        ["scan", "{f}", "--against", "main"],
        ["scan", "{f}", "--help"],
        ["lineage", "{f}"],
        ["scan", "org/name"],
    ],
)
def test_no_early_start_where_the_command_line_says_no_full_hashing(
    big_folder: Path, argv: list[str]
) -> None:
    prehash.early_start([a.replace("{f}", str(big_folder)) for a in argv])
    assert prehash._early is None


def test_no_early_start_when_the_environment_chooses_another_mode(
    big_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MODELAUDIT_VERIFY", "headers")
    prehash.early_start(["scan", str(big_folder)])
    assert prehash._early is None


def test_a_wrong_guess_is_stopped(big_folder: Path, tmp_path: Path) -> None:
    prehash.early_start(["verify", str(big_folder)])
    guessed = early()
    assert guessed is not None
    assert prehash.discard_early() is None  # the command does not hash in full after all
    assert guessed._child is not None and guessed._child.poll() is not None
    prehash.early_start(["verify", str(big_folder)])
    guessed = early()
    other = tmp_path / "other"
    blob(other / "w.bin", prehash.PREHASH_MIN_BYTES)
    started = prehash_folders([str(other)])  # another folder than guessed: a registry of its own
    assert started is not None and started is not guessed and prehash._early is None
    assert guessed is not None and guessed._child is not None and guessed._child.poll() is not None
    started.shutdown()


def test_python_m_modelaudit_gives_the_in_process_output(big_folder: Path) -> None:
    """The early start through ``python -m modelaudit``: same report as an in-process run (which has none)."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "SOURCE_DATE_EPOCH": "1767225600"}
    for args in (["verify", str(big_folder), "-f", "json"], ["scan", str(big_folder), "-f", "json", "-q"]):
        proc = subprocess.run(
            [sys.executable, "-m", "modelaudit", *args], capture_output=True, text=True, env=env, check=False
        )
        code, out, _err = run_cli(*args, env={"HF_HUB_OFFLINE": "1", "SOURCE_DATE_EPOCH": "1767225600"})
        assert (proc.returncode, proc.stdout) == (code, out), proc.stderr
