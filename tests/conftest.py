"""Shared fixtures: a hermetic Hugging Face environment, a fake Hub, and a guard against real network use.

``huggingface_hub`` reads HF_* variables once, at import; the fixtures therefore set the environment
*and* patch ``huggingface_hub.constants`` so both code that reads the env at call time and the library
see the same values.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from fakehub import FakeHub

# tests/data holds inputs, some of them other projects' Python files (tests/data/real/code_refs) whose names
# match pytest's test-file patterns: never collect them as tests
collect_ignore = ["data"]

# CI runs the property tests with a fixed seed so a submission's result does not depend on luck;
# local runs keep exploring new inputs (and hypothesis' database replays past failures).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _is_loopback(host: Any) -> bool:
    if not isinstance(host, str):
        return False
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _check(address: Any) -> None:
    if isinstance(address, tuple) and address and not _is_loopback(address[0]):
        raise ConnectionRefusedError(f"tests may not reach the network (attempted {address[0]!r})")


def _guarded_connect(self: socket.socket, address: Any) -> None:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check(address)
    _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check(address)
    return _real_connect_ex(self, address)


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if isinstance(host, bytes):
        host = host.decode()
    if host is not None and not _is_loopback(host):
        raise socket.gaierror(socket.EAI_NONAME, f"tests may not resolve {host!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test: connections and DNS lookups are allowed only for loopback addresses."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", _guarded_getaddrinfo)


@pytest.fixture(autouse=True)
def private_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test: modelaudit's metadata cache and fingerprint index live in a fresh temp folder.

    Without this a developer's real ~/.cache/modelaudit or fingerprint index would leak into results.
    Tests that need their own (hf_env, fakehub) override these variables again.
    """
    home = tmp_path_factory.mktemp("modelaudit-user")
    monkeypatch.setenv("MODELAUDIT_CACHE_DIR", str(home / "cache"))
    monkeypatch.setenv("MODELAUDIT_FINGERPRINT_INDEX", str(home / "fingerprint-index.json"))


@pytest.fixture
def hf_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private HF home and hub cache (returned), no token, online, Xet and telemetry off."""
    from huggingface_hub import constants

    home = tmp_path / "hf-home"
    cache = tmp_path / "hf-cache"
    home.mkdir()
    cache.mkdir()
    for name in (
        "HF_TOKEN",
        "HUGGING_FACE_HUB_TOKEN",
        "HF_HUB_OFFLINE",
        "TRANSFORMERS_OFFLINE",
        "HF_OIDC_RESOURCE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HOME", str(home))
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("HF_HUB_DISABLE_XET", "1")
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    monkeypatch.setenv("MODELAUDIT_CACHE_DIR", str(tmp_path / "modelaudit-cache"))  # metadata cache per test
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(proxy, raising=False)
    monkeypatch.setattr(constants, "HF_HOME", str(home))
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_TELEMETRY", True)
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(home / "token"))
    monkeypatch.setattr(constants, "HF_STORED_TOKENS_PATH", str(home / "stored_tokens"))
    return cache


@pytest.fixture
def hf_offline(hf_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Like ``hf_env`` but with HF_HUB_OFFLINE=1 (the library then refuses every request)."""
    from huggingface_hub import constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    return hf_env


@pytest.fixture
def fakehub(hf_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    """A running fake Hub; HF_ENDPOINT points at it and HF_HUB_CACHE at a temporary folder.

    ``fakehub.url``, ``.add_repo(repo_id, files, kind=..., lfs=..., gated=..., ...)``, ``.inject(...)``,
    ``.rate_limit(...)``, ``.requests`` (thread-safe log), ``.count(route)``, ``.clear_log()``,
    ``.cache_dir`` (the HF cache folder), ``.go_offline()``.
    """
    from huggingface_hub import constants
    from huggingface_hub.utils import close_session

    hub = FakeHub()
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setattr(constants, "ENDPOINT", hub.url)
    monkeypatch.setattr(
        constants, "HUGGINGFACE_CO_URL_TEMPLATE", hub.url + "/{repo_id}/resolve/{revision}/{filename}"
    )
    hub.cache_dir = hf_env

    def go_offline() -> None:
        monkeypatch.setenv("HF_HUB_OFFLINE", "1")
        monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)

    hub.offline_hook = go_offline
    close_session()  # no pooled connection from an earlier test's server (ports get reused)
    try:
        yield hub
    finally:
        close_session()
        hub.close()
