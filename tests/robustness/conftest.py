"""Robustness tests: quick retries (HubSource backoff 0.05 s doubling, a server's Retry-After honoured up to
0.5 s) so fault tests stay fast; tests about retry timing construct HubSource with explicit values."""

from __future__ import annotations

import pytest

from modelaudit.sources.hub import HubSource


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = dict(HubSource.__init__.__kwdefaults__ or {})
    monkeypatch.setattr(
        HubSource.__init__, "__kwdefaults__", {**defaults, "retry_backoff": 0.05, "max_retry_wait": 0.5}
    )
