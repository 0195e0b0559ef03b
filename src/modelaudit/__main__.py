"""``python -m modelaudit``, and the ``modelaudit`` command (pyproject's entry point)."""

from __future__ import annotations

from modelaudit.cli.main import main

__all__ = ["main"]

if __name__ == "__main__":
    main()
