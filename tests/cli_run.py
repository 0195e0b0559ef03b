"""Run the real ``modelaudit`` entry point in-process, the way a shell would see it.

``main()`` includes the error → exit-code mapping that click's test runner would bypass, so tests see the
same exit codes, stdout and stderr as a user. Importable from every test folder (tests/ is on sys.path
because tests/conftest.py lives there).
"""

from __future__ import annotations

from click.testing import CliRunner

from modelaudit.cli.main import main


def run_cli(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``modelaudit ARGS``."""
    code: int | str | None = 0
    with CliRunner().isolation(input=stdin, env=env) as (out, err, _):
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code
    assert isinstance(code, int), code
    return code, out.getvalue().decode(), err.getvalue().decode()
