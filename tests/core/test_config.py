"""Project configuration: the nearest modelaudit.toml or [tool.modelaudit], read through a cache keyed by the
file's bytes (a scan inside a project reads its pyproject.toml on every run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelaudit import config
from modelaudit.config import find_config, scan_defaults
from modelaudit.errors import ConfigError


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MODELAUDIT_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    (root / "sub").mkdir()
    return root


def _entries(project: Path) -> list[Path]:
    return sorted((project.parent / "cache" / "config").glob("*.json"))


def _no_parse(path: Path) -> dict[str, object]:
    raise AssertionError("parsed again")


def test_pyproject_table_is_found_from_a_subfolder_and_kept(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[tool.modelaudit]\npolicy = "commercial"\n'
    )
    assert scan_defaults(project / "sub") == {"policy": "commercial"}
    assert len(_entries(project)) == 1
    monkeypatch.setattr(config, "_read", _no_parse)
    assert find_config(project / "sub") == (project / "pyproject.toml", {"policy": "commercial"})
    (project / "pyproject.toml").write_text(
        '[tool.modelaudit]\npolicy = "strict-ci"\n'
    )  # new bytes: read again
    with pytest.raises(AssertionError, match="parsed again"):
        scan_defaults(project)


def test_a_pyproject_without_our_table_is_no_config(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert find_config(project) is None
    monkeypatch.setattr(config, "_read", _no_parse)
    assert find_config(project) is None  # the absence is kept too


def test_dedicated_file_wins_and_unknown_keys_are_refused(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.modelaudit]\npolicy = "commercial"\n')
    (project / "modelaudit.toml").write_text('format = "json"\nmax_depth = 3\n')
    assert scan_defaults(project) == {"formats": ["json"], "max_depth": 3}
    (project / "modelaudit.toml").write_text("colour = 'red'\n")
    for _ in range(2):
        with pytest.raises(ConfigError, match="unknown key 'colour'"):
            scan_defaults(project)


def test_malformed_files_stay_errors_and_are_never_kept(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.modelaudit\npolicy = 1\n")
    for _ in range(2):
        with pytest.raises(ConfigError, match="malformed TOML"):
            find_config(project)
    assert _entries(project) == []


def test_tables_that_are_not_json_are_read_every_time(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "modelaudit.toml").write_text("policy = 'default'\nwhen = 2024-01-01\n")
    assert find_config(project) is not None
    assert _entries(project) == []  # a TOML date does not survive JSON: not kept


def test_a_damaged_entry_is_parsed_again_and_another_version_never_reads_it(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from modelaudit import _version

    (project / "modelaudit.toml").write_text("max_nodes = 7\n")
    assert scan_defaults(project) == {"max_nodes": 7}
    [entry] = _entries(project)
    entry.write_text("{not json")
    assert scan_defaults(project) == {"max_nodes": 7}
    entry.write_text('{"table": {"max_nodes": 99}}')  # read while nothing changed
    assert scan_defaults(project) == {"max_nodes": 99}
    monkeypatch.setattr(_version, "__version__", _version.__version__ + ".post1")
    assert scan_defaults(project) == {"max_nodes": 7}
