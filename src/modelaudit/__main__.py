"""``python -m modelaudit``, and the ``modelaudit`` command (pyproject's entry point)."""

from __future__ import annotations

import sys
from typing import Any


def main() -> Any:
    if {"scan", "verify"} & set(sys.argv[1:3]):  # `--debug scan ...` too
        from modelaudit.verify.prehash import early_start

        # `scan`/`verify` of a folder: its weights start hashing before click and the command load
        early_start(sys.argv[1:])
    from modelaudit.cli.main import main as cli_main

    return cli_main()


if __name__ == "__main__":
    main()
