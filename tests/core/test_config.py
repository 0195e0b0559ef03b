"""Project configuration: the nearest modelaudit.toml or [tool.modelaudit] (scan defaults, and the cache's
size cap)."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelaudit.config import cache_max_bytes, find_config, scan_defaults
from modelaudit.errors import ConfigError


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("MODELAUDIT_CACHE_MAX_BYTES", raising=False)
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    (root / "sub").mkdir()
    return root


def test_pyproject_table_is_found_from_a_subfolder(project: Path) -> None:
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.modelaudit]\npolicy = "commercial"\n')
    assert scan_defaults(project / "sub") == {"policy": "commercial"}
    assert find_config(project / "sub") == (project / "pyproject.toml", {"policy": "commercial"})
    (project / "pyproject.toml").write_text('[tool.modelaudit]\npolicy = "strict-ci"\n')
    assert scan_defaults(project) == {"policy": "strict-ci"}


def test_a_pyproject_without_our_table_is_no_config(project: Path) -> None:
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert find_config(project) is None


def test_the_search_stops_at_the_repository_root(project: Path) -> None:
    (project.parent / "modelaudit.toml").write_text("max_depth = 3\n")  # outside the checkout
    assert find_config(project / "sub") is None


def test_dedicated_file_wins_and_unknown_keys_are_refused(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.modelaudit]\npolicy = "commercial"\n')
    (project / "modelaudit.toml").write_text('format = "json"\nmax_depth = 3\n')
    assert scan_defaults(project) == {"formats": ["json"], "max_depth": 3}
    (project / "modelaudit.toml").write_text("colour = 'red'\n")
    with pytest.raises(ConfigError, match="unknown key 'colour'") as err:
        scan_defaults(project)
    assert err.value.hint is not None and "cache_max_bytes" in err.value.hint


def test_malformed_files_are_errors(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.modelaudit\npolicy = 1\n")
    with pytest.raises(ConfigError, match="malformed TOML"):
        find_config(project)


def test_tables_with_toml_dates_are_read(project: Path) -> None:
    (project / "modelaudit.toml").write_text("policy = 'default'\nwhen = 2024-01-01\n")
    found = find_config(project)
    assert found is not None and found[1]["policy"] == "default"


def test_the_cache_cap_comes_from_the_environment_then_the_file_then_the_default(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cache_max_bytes(1234, project) == 1234
    (project / "modelaudit.toml").write_text("cache_max_bytes = 5000\npolicy = 'default'\n")
    assert cache_max_bytes(1234, project) == 5000
    assert scan_defaults(project) == {"policy": "default"}  # not a scan default
    monkeypatch.setenv("MODELAUDIT_CACHE_MAX_BYTES", "777")
    assert cache_max_bytes(1234, project) == 777


@pytest.mark.parametrize("value", ["0", "-5", "1.5", "lots", "1e9"])
def test_a_bad_cap_in_the_environment_is_an_error_naming_it(
    project: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("MODELAUDIT_CACHE_MAX_BYTES", value)
    with pytest.raises(ConfigError, match="MODELAUDIT_CACHE_MAX_BYTES"):
        cache_max_bytes(1234, project)


@pytest.mark.parametrize("value", ["0", "-1", "true", "'10'", "1.5"])
def test_a_bad_cap_in_the_file_is_an_error_naming_it(project: Path, value: str) -> None:
    (project / "modelaudit.toml").write_text(f"cache_max_bytes = {value}\n")
    with pytest.raises(ConfigError, match=r"modelaudit\.toml: cache_max_bytes"):
        cache_max_bytes(1234, project)
