from __future__ import annotations

from pathlib import Path

import pytest

from modelaudit.errors import TargetError
from modelaudit.models import RepoKind
from modelaudit.targets import parse_target


@pytest.mark.parametrize(
    ("text", "repo_id", "kind", "revision"),
    [
        ("meta-llama/Llama-3.1-8B", "meta-llama/Llama-3.1-8B", RepoKind.MODEL, None),
        ("meta-llama/Llama-3.1-8B@main", "meta-llama/Llama-3.1-8B", RepoKind.MODEL, "main"),
        ("org/model@" + "a" * 40, "org/model", RepoKind.MODEL, "a" * 40),
        ("gpt2", "gpt2", RepoKind.MODEL, None),
        ("hf://org/name", "org/name", RepoKind.MODEL, None),
        ("hf://org/name@v1.0", "org/name", RepoKind.MODEL, "v1.0"),
        ("hf://datasets/org/data", "org/data", RepoKind.DATASET, None),
        ("https://huggingface.co/org/name", "org/name", RepoKind.MODEL, None),
        ("https://huggingface.co/org/name/tree/dev", "org/name", RepoKind.MODEL, "dev"),
        ("https://huggingface.co/org/name/tree/refs%2Fpr%2F1/sub", "org/name", RepoKind.MODEL, "refs/pr/1"),
        ("https://huggingface.co/org/name/blob/main/README.md", "org/name", RepoKind.MODEL, "main"),
        ("https://huggingface.co/datasets/org/data/tree/v2", "org/data", RepoKind.DATASET, "v2"),
        ("https://hf.co/org/name", "org/name", RepoKind.MODEL, None),
        ("datasets/org/data@abc", "org/data", RepoKind.DATASET, "abc"),
    ],
)
def test_hub_targets(text: str, repo_id: str, kind: RepoKind, revision: str | None) -> None:
    ref = parse_target(text)
    assert (ref.repo_id, ref.kind, ref.revision, ref.local_path) == (repo_id, kind, revision, None)


def test_dataset_key_prefix() -> None:
    assert parse_target("datasets/org/data").key == "datasets/org/data"
    assert parse_target("org/m@v1").key == "org/m@v1"


def test_existing_folder_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "org" / "name").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    ref = parse_target("org/name")
    assert ref.local_path == str((tmp_path / "org" / "name").resolve())
    assert ref.display() == "org/name"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "org/na me",
        "org//name",
        "a/b/c",
        "org/name--x",
        "org/..",
        "-org/name",
        "org/name.git",
        "https://example.com/org/name",
        "https://huggingface.co/spaces/org/app",
        "x" * 5000,
        "org/\0name",
        "./does-not-exist",
        "/definitely/not/here",
    ],
)
def test_bad_targets_name_the_input(text: str) -> None:
    with pytest.raises(TargetError) as info:
        parse_target(text)
    assert info.value.message


def test_file_is_not_a_folder(tmp_path: Path) -> None:
    f = tmp_path / "model.safetensors"
    f.write_bytes(b"x")
    with pytest.raises(TargetError, match="not a folder"):
        parse_target(str(f))


def test_overlong_name_is_a_target_error_not_an_os_error() -> None:
    # found by the property tests: Path.exists() raises ENAMETOOLONG for a 4000-character name
    with pytest.raises(TargetError):
        parse_target("x" * 4000)
    with pytest.raises(TargetError):
        parse_target("./" + "x" * 4000)


def test_home_of_an_unknown_user_is_a_target_error() -> None:
    # found by the property tests: Path("~0").expanduser() raises RuntimeError (no user named "0")
    with pytest.raises(TargetError, match="no such folder") as info:
        parse_target("~0")
    assert "~0" in info.value.message
    with pytest.raises(TargetError, match="no such folder"):
        parse_target("~no-such-user-modelaudit/model")
