"""Progress on stderr, the one way: tqdm bars (only on a terminal), built by :func:`progress_bar`.

``scan`` shows stage lines and a bar in bytes while ``--verify full`` hashes (:class:`TerminalProgress`),
``verify`` a bar in bytes, ``fleet scan`` a bar in models plus one in hashed bytes, or plain lines every
10 % when stderr is a log (:class:`FleetProgress`). Nothing here writes to stdout.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

import click

if TYPE_CHECKING:
    from modelaudit.fleet.runner import ModelOutcome


def progress_bar(
    total: int,
    desc: str,
    *,
    unit: str = "B",
    stream: TextIO | None = None,
    leave: bool = True,
    position: int | None = None,
) -> Any:
    """A tqdm bar on ``stream`` (stderr by default); ``unit="B"`` counts bytes, scaled by 1024."""
    from tqdm import tqdm

    scale: dict[str, Any] = {"unit_scale": True, "unit_divisor": 1024} if unit == "B" else {}
    if position is not None:
        scale["position"] = position
    return tqdm(
        total=total,
        unit=unit,
        desc=desc,
        file=stream if stream is not None else sys.stderr,
        leave=leave,
        dynamic_ncols=True,
        **scale,
    )


class TerminalProgress:
    """What a scan is doing, on one terminal line; while ``--verify full`` hashes, a tqdm bar in bytes.

    The pipeline reports stages (``stage``) and hashed bytes (``hashing``: ``(0, total)`` when a target's
    hashing starts, then ``(n, total)`` per chunk, from the hashing threads). Both share the line: once the
    bar exists the stage is shown as its description, so the two never overwrite each other. The bar closes
    when the policy is applied (hashing has ended by then) or by ``close``.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.bar: Any = None
        self.lock = threading.Lock()

    def stage(self, message: str) -> None:
        with self.lock:
            if self.bar is not None:
                if message == "applying policy":
                    self._close()
                else:
                    self.bar.set_description_str(message[:60])
                    return
            self.stream.write(f"\r\033[K… {message}")
            if message == "applying policy":
                self.stream.write("\r\033[K")
            self.stream.flush()

    def hashing(self, n: int, total: int) -> None:
        with self.lock:
            if n == 0:
                if self.bar is None:
                    self.stream.write("\r\033[K")
                    self.bar = progress_bar(total, "verifying files (full)", stream=self.stream, leave=False)
                else:  # a further target of the same command
                    self.bar.total += total
                    self.bar.refresh()
            elif self.bar is not None:
                self.bar.update(n)

    def close(self) -> None:
        with self.lock:
            self._close()

    def _close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        self.stream.write("\r\033[K")
        self.stream.flush()


class FleetProgress:
    """A tqdm bar on a terminal; on other streams (CI logs) a plain line every 10 % or 15 seconds."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self.bar: Any = None
        self.last_line = 0.0
        self.last_share = -1
        self.failed = 0
        self.rescanned = 0
        self.bytes_bar: Any = None
        self.lock = threading.Lock()

    def __call__(self, outcome: ModelOutcome, done: int, total: int) -> None:
        if not self.enabled:
            return
        self.failed += outcome.verdict != "pass"
        self.rescanned += outcome.rescanned
        if self.tty:
            if self.bar is None:
                self.bar = progress_bar(total, "fleet", unit="model")
            self.bar.set_postfix(rescanned=self.rescanned, not_passing=self.failed, refresh=False)
            self.bar.update(1)
            return
        share = done * 10 // max(total, 1)
        now = time.monotonic()
        if share != self.last_share or now - self.last_line >= 15 or done == total:
            self.last_share, self.last_line = share, now
            click.echo(
                f"fleet: {done}/{total} models ({self.rescanned} rescanned, {self.failed} not passing)",
                err=True,
            )

    def hashing_for(self, spec: str) -> Callable[[int, int], None]:
        """A second bar, in bytes, for --verify full hashing (terminal only; totals grow as models start)."""

        def tick(n: int, total: int) -> None:
            if not (self.enabled and self.tty):
                return
            with self.lock:
                if self.bytes_bar is None:
                    self.bytes_bar = progress_bar(0, "hashing", position=1)
                if n == 0:
                    self.bytes_bar.total += total
                    self.bytes_bar.refresh()
                else:
                    self.bytes_bar.update(n)

        return tick

    def close(self) -> None:
        for bar in (self.bytes_bar, self.bar):
            if bar is not None:
                bar.close()
