"""The ``modelaudit`` command group.

Subcommands are imported lazily (by name, from ``COMMANDS``) so that ``modelaudit --help`` stays fast and
never imports heavy dependencies. Each subcommand lives in its own module and is a thin layer over the
click-free core.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from modelaudit import __version__
from modelaudit.cli._errors import run_guarded

# command name → (module, attribute, one-line help shown by --help without importing the module)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "diff": (
        "modelaudit.cli.diff",
        "diff_command",
        "Compare two JSON reports: new and resolved findings, license, lineage and file changes.",
    ),
    "fleet": (
        "modelaudit.cli.fleet",
        "fleet_command",
        "Audit every model of an inventory: shared crawl, SQLite store, dashboard, change report.",
    ),
    "scan-changed": (
        "modelaudit.cli.precommit",
        "scan_changed_command",
        "Scan the model folders that contain the given files (pre-commit hooks, CI).",
    ),
    "verify": (
        "modelaudit.cli.verify",
        "verify_command",
        "Check a model's files: hashes against the repo, structure, unsafe pickles.",
    ),
    "fingerprint": (
        "modelaudit.cli.fingerprint",
        "fingerprint_command",
        "Compare two models' weights, or add a known base model to the fingerprint index.",
    ),
    "scan": (
        "modelaudit.cli.scan",
        "scan_command",
        "Audit a model: lineage, licenses, weights, policy verdict.",
    ),
    "lineage": (
        "modelaudit.cli.lineage",
        "lineage_command",
        "Show where a model comes from: its bases, adapters, merges and data, with licenses.",
    ),
    "smoke": (
        "modelaudit.cli.smoke",
        "smoke_command",
        "Load and run a model once in a child process: device, speed, memory, sane output.",
    ),
    "licenses": (
        "modelaudit.cli.licenses",
        "licenses_command",
        "The license knowledge base: list licenses, show one's obligations, identify a LICENSE file.",
    ),
    "policy": (
        "modelaudit.cli.policy",
        "policy_command",
        "Policies: list the ready ones, show one's rule severities, validate a policy file.",
    ),
    "serve-webhook": (
        "modelaudit.cli.webhook",
        "serve_webhook_command",
        "Gate Hub pull requests: a webhook service that comments each PR's changes and verdict.",
    ),
    "report": (
        "modelaudit.cli.report",
        "report_command",
        "Re-render a saved JSON report as HTML, Markdown, text, SARIF, SPDX or CycloneDX.",
    ),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = COMMANDS.get(cmd_name)
        if spec is None:
            return None
        module = importlib.import_module(spec[0])
        command: click.Command = getattr(module, spec[1])
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="modelaudit")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Audit open-weight models: lineage, licenses, weights, and a verdict a CI gate can trust.

    \b
    Exit codes: 0 audit complete and policy passed; 1 policy failed;
                2 usage, input, config or source error; 130 interrupted.
    Reports go to stdout (or -o); progress and messages go to stderr.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    if ctx.invoked_subcommand == "scan":
        from modelaudit.config import scan_defaults

        defaults = scan_defaults()
        if defaults:
            ctx.default_map = {**(ctx.default_map or {}), "scan": defaults}


def main(argv: list[str] | None = None) -> Any:
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    return run_guarded(lambda: cli.main(args=args, prog_name="modelaudit", standalone_mode=False), debug)
