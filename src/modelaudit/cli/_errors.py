"""Turns everything that can escape a command into a message on stderr and an exit code.

This is the only place that maps exceptions to exit codes (DESIGN: 0 pass, 1 policy failed, 2 error,
130 interrupted). Tracebacks are shown only with ``--debug``.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from typing import Any, NoReturn

import click

from modelaudit.errors import ExitCode, ModelAuditError


def _fail(message: str, hint: str | None, code: int) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    if hint:
        click.echo(f"hint: {hint}", err=True)
    sys.exit(code)


def run_guarded(fn: Callable[[], Any], debug: bool) -> NoReturn:
    """Run a click entry point in non-standalone mode and exit with a contract exit code."""
    try:
        result = fn()
    except ModelAuditError as exc:
        if debug:
            traceback.print_exc()
        _fail(exc.message, exc.hint, int(exc.exit_code))
    except click.exceptions.Exit as exc:  # --help, --version
        sys.exit(exc.exit_code)
    except click.ClickException as exc:  # usage errors: click's own message format
        exc.show()
        sys.exit(int(ExitCode.ERROR))
    except click.exceptions.Abort:
        click.echo("interrupted", err=True)
        sys.exit(int(ExitCode.INTERRUPTED))
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(int(ExitCode.INTERRUPTED))
    except BrokenPipeError:
        # stdout closed early (e.g. piped into head): not an audit failure of ours.
        sys.exit(int(ExitCode.ERROR))
    except Exception as exc:  # pragma: no cover - exercised via tests that inject failures
        if debug:
            traceback.print_exc()
        _fail(
            f"internal error: {type(exc).__name__}: {exc}",
            "run with --debug for a traceback and report it",
            int(ExitCode.ERROR),
        )
    sys.exit(int(result) if isinstance(result, int) else int(ExitCode.OK))
