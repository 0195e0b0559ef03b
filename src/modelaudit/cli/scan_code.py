"""``modelaudit scan-code PATH``: the models and datasets an application's code uses, audited against it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from modelaudit.cli._options import max_depth_option, no_cache_option, offline_option, quiet_option
from modelaudit.errors import ExitCode, UsageError
from modelaudit.formats import APP_FORMATS


@click.command("scan-code")
@click.argument("path", default=".", required=False)
@click.option(
    "--base",
    metavar="REF",
    help="Git revision: only references added or changed since it count (a pull-request gate); the others "
    "are kept as unchanged and not audited again.",
)
@click.option(
    "-f",
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(APP_FORMATS.names()),
    help="Report format (repeatable): text (default), json, md, sarif, or inventory (a fleet inventory of the "
    "repos the application loads).",
)
@click.option("-o", "--output", type=click.Path(), help="Report file, or a folder with several formats.")
@click.option(
    "--policy",
    default="default",
    show_default=True,
    envvar="MODELAUDIT_POLICY",
    help="Policy name or YAML file.",
)
@click.option(
    "--waivers", type=click.Path(dir_okay=False), envvar="MODELAUDIT_WAIVERS", help="Waivers YAML file."
)
@offline_option()
@click.option(
    "--verify",
    "verify_mode",
    type=click.Choice(["none", "headers", "full"]),
    default="none",
    show_default=True,
    help="Weight checks of each referenced Hub repo (the audit of an application reads metadata only by "
    "default).",
)
@max_depth_option("Lineage depth limit of each audited repo (default: the policy's).")
@click.option(
    "--workers", type=click.IntRange(1, 64), default=4, show_default=True, help="Repos audited at once."
)
@click.option("--name", help="The application's name (default: its package name, else the folder's name).")
@click.option(
    "--allow-incomplete",
    is_flag=True,
    envvar="MODELAUDIT_ALLOW_INCOMPLETE",
    help="Report repos that cannot be read after retries as findings instead of ending with exit 2.",
)
@no_cache_option()
@quiet_option()
def scan_code_command(
    path: str,
    base: str | None,
    formats: tuple[str, ...],
    output: str | None,
    policy: str,
    waivers: str | None,
    offline: bool,
    verify_mode: str,
    max_depth: int | None,
    workers: int,
    name: str | None,
    allow_incomplete: bool,
    no_cache: bool,
    quiet: bool,
) -> int:
    """Find the Hub models and datasets an application's code, notebooks, configs and scripts load, audit
    each one, and judge them against the application's license and policy.

    \b
    Examples:
      modelaudit scan-code .
      modelaudit scan-code . --policy commercial -f sarif -o modelaudit-code.sarif
      modelaudit scan-code . --base origin/main -f md      # a pull-request gate: new references only
      modelaudit scan-code services/api -f inventory -o fleet.yaml
    """
    from modelaudit.appaudit import AppOptions, audit_application
    from modelaudit.cli._output import write_atomic
    from modelaudit.pipeline import ScanOptions

    fmts = list(dict.fromkeys(formats)) or ["text"]
    if len(fmts) > 1 and output is None:
        raise UsageError("several formats need -o FOLDER", hint="e.g. -o reports/")
    root = Path(path)
    if not root.is_dir():
        raise UsageError(
            f"{path}: not a folder", hint="scan-code reads an application's folder; `scan` audits a model"
        )
    scan_options = ScanOptions.model_validate(
        {
            "policy": policy,
            "waivers": waivers,
            "offline": offline,
            "verify": verify_mode,
            "fingerprint": False if verify_mode == "none" else None,
            "max_depth": max_depth,
            "no_cache": no_cache,
            "allow_incomplete": allow_incomplete,
        }
    )
    try:
        location_root = Path(os.path.relpath(root.resolve(), Path.cwd().resolve())).as_posix()
    except ValueError:
        location_root = root.resolve().as_posix()
    if location_root.startswith(".."):
        location_root = ""
    options = AppOptions(
        scan=scan_options, base=base, workers=workers, name=name, location_root=location_root
    )
    progress = None if quiet or not sys.stderr.isatty() else (lambda m: click.echo(f"… {m}", err=True))
    report = audit_application(str(root), options, progress)
    if output is None:
        sys.stdout.write(APP_FORMATS.render_text(fmts[0], report))
    else:
        out = Path(output)
        as_folder = len(fmts) > 1 or output.endswith(("/", os.sep)) or out.is_dir()
        if as_folder and out.exists() and not out.is_dir():
            raise UsageError(f"{output}: exists and is not a folder")
        for fmt in fmts:
            formatter = APP_FORMATS.formatter(fmt)
            target = out / f"{_slug(report.application)}{formatter.suffix}" if as_folder else out
            write_atomic(target, APP_FORMATS.render_text(fmt, report))
            if as_folder:
                click.echo(f"wrote {target}", err=True)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        from modelaudit.cli._annotations import app_annotation_lines

        for line in app_annotation_lines(report):
            click.echo(line, err=True)
    if not quiet:
        counts = report.counts()
        click.echo(
            f"{report.application}: {report.verdict.value.upper()} under policy {report.policy.name!r} "
            f"({len(report.references)} reference(s), {len(report.models)} repo(s) audited; {counts['error']} "
            f"error, {counts['warning']} warning, {counts['note']} note)",
            err=True,
        )
    sys.stdout.flush()
    return int(ExitCode.POLICY_FAILED if report.verdict.value == "fail" else ExitCode.OK)


def _slug(name: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._")[:100] or "application"
