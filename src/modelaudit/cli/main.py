"""The ``modelaudit`` command group.

Subcommands are imported lazily (by name, from ``COMMANDS``) so that ``modelaudit --help`` stays fast and
never imports heavy dependencies. Each subcommand lives in its own module and is a thin layer over the
click-free core.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from typing import Any

import click

from modelaudit._version import __version__
from modelaudit.cli._errors import run_guarded

# command name → (module, attribute, one-line help shown by --help without importing the module)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "cache": (
        "modelaudit.cli.cache",
        "cache_command",
        "modelaudit's on-disk cache: where it is, what each namespace holds, and emptying it.",
    ),
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
    "scan-code": (
        "modelaudit.cli.scan_code",
        "scan_code_command",
        "Find the Hub models and datasets an application's code loads; audit them against the application.",
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
    "verify-attestation": (
        "modelaudit.cli.verify_attestation",
        "verify_attestation_command",
        "Check a signed audit (scan --attest) against the files at a folder or Hub revision, at deploy time.",
    ),
    "fix": (
        "modelaudit.cli.fix",
        "fix_command",
        "Show (or --write) the changes that make a model folder meet its licenses: texts, NOTICE, card.",
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
        _end_startup()
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


# Start-up (click, pydantic's schemas, the modules of the subcommand and of the pipeline) allocates a few
# hundred thousand objects that live as long as the process. The cyclic garbage collector, collecting its
# young generation every 700 allocations, walked them again and again while they were created and found
# nothing to free (~17 ms of a 0.25 s ``scan`` of a small folder, 80 collections), then walked all of them
# once more when the interpreter exited (~15-30 ms). So when ``main`` is the process's entry point (the
# ``modelaudit`` command, ``python -m modelaudit``):
# * collection is paused while the command line and the subcommand load; then everything alive is moved to
#   the permanent generation (``gc.freeze``: never walked again) and collection resumes with a young
#   generation of YOUNG_GC_THRESHOLD objects instead of 700 (mypy's main does the same), so the imports and
#   the objects of the command's own work are walked a few times rather than hundreds; garbage cycles are
#   still freed within that many allocations (long fleet runs and the webhook server included);
# * when the command ends, what is alive is frozen too, so the exit does not walk it a last time.
# Callers that pass ``argv`` (tests, embedding code) are left alone. Speed-up ``GC_TUNING`` (speedups.py).
YOUNG_GC_THRESHOLD = 200_000
_paused_gc = False


def _pause_gc() -> None:
    global _paused_gc
    if gc.isenabled():
        gc.disable()
        _paused_gc = True


def _end_startup() -> None:
    global _paused_gc
    if _paused_gc:
        _paused_gc = False
        gc.freeze()
        young, *older = gc.get_threshold()
        gc.set_threshold(max(young, YOUNG_GC_THRESHOLD), *older)
        gc.enable()


# pydantic looks for plugins (the ``pydantic`` entry-point group) when it builds its first validator, by
# reading the entry points of every distribution installed beside us (~20 ms in an environment with torch
# and transformers, more in bigger ones). The command uses none, and an observability plugin installed for
# another program has no business hooking into an audit's validation; so when ``main`` is the process's
# entry point, plugins are off unless the environment says otherwise (PYDANTIC_DISABLE_PLUGINS set to
# anything, even empty, is kept). The library API (``modelaudit.scan``) leaves pydantic's default alone.
PYDANTIC_PLUGINS_VAR = "PYDANTIC_DISABLE_PLUGINS"


def main(argv: list[str] | None = None) -> Any:
    from modelaudit import speedups

    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    if argv is None:
        os.environ.setdefault(PYDANTIC_PLUGINS_VAR, "1")
    tune = argv is None and speedups.enabled("GC_TUNING")
    if tune:
        _pause_gc()
    try:
        return run_guarded(lambda: cli.main(args=args, prog_name="modelaudit", standalone_mode=False), debug)
    finally:
        _end_startup()  # --help, --version and usage errors end before a subcommand is loaded
        if tune:
            gc.freeze()  # the process exits next
