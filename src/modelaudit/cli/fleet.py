"""``modelaudit fleet``: audit every model an organisation uses, keep the results, report what changed.

A thin layer over :mod:`modelaudit.fleet`: ``scan`` (inventory → per-model reports, dashboard, SQLite
store), ``query`` (ready questions or SQL over the store), ``diff`` (verdict changes between two runs
with their causes) and ``dashboard`` (re-render the fleet page of a stored run).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click
from click.decorators import FC

from modelaudit.cli._options import (
    max_depth_option,
    no_cache_option,
    offline_option,
    quiet_option,
    timeout_option,
)
from modelaudit.errors import ExitCode, UsageError
from modelaudit.models import VerifyMode

if TYPE_CHECKING:
    from modelaudit.fleet.runner import FleetRun
    from modelaudit.fleet.store import Store

REPORT_FORMATS = ["json", "html", "md", "sarif", "spdx", "spdx3", "cyclonedx", "notice", "text"]
DEFAULT_DB = "modelaudit-fleet.db"


def db_option() -> Callable[[FC], FC]:
    return click.option(
        "--db",
        default=DEFAULT_DB,
        show_default=True,
        envvar="MODELAUDIT_FLEET_DB",
        type=click.Path(dir_okay=False),
        help="The fleet's SQLite results store (one file; created when missing).",
    )


@click.group("fleet")
def fleet_command() -> None:
    """Audit a fleet of models from an inventory; keep every run in a SQLite store.

    \b
    Examples:
      modelaudit fleet scan models.yaml -o reports/fleet      # per-model reports + dashboard.html
      modelaudit fleet scan models.yaml --engine ray --ray-address auto
      modelaudit fleet query noncommercial                    # which models have a non-commercial ancestor
      modelaudit fleet query depends-on meta-llama/Llama-3.1-8B
      modelaudit fleet diff                                   # what changed since the previous run (exit 1: worse)
    """


# --------------------------------------------------------------------------------------------- scan


@fleet_command.command("scan")
@click.argument("inventory", type=click.Path(dir_okay=False))
@db_option()
@click.option(
    "-o",
    "--output",
    default="reports/fleet",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for dashboard.html and models/<model>.<format>.",
)
@click.option(
    "-f",
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(REPORT_FORMATS),
    help="Per-model report format; repeat for several. Default: html and json.",
)
@click.option(
    "--policy",
    default="default",
    show_default=True,
    envvar="MODELAUDIT_POLICY",
    help="Policy for entries that name none (the inventory's defaults come first).",
)
@click.option(
    "--waivers",
    type=click.Path(dir_okay=False),
    envvar="MODELAUDIT_WAIVERS",
    help="Waivers for entries that name none.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    envvar="MODELAUDIT_ENGINE",
    help="local: a bounded pool in this process; ray: one Ray task per model (needs the [ray] extra).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 256),
    default=4,
    show_default=True,
    help="Model scans at once (local pool size, or CPUs of a local Ray instance).",
)
@click.option(
    "--ray-address",
    envvar="RAY_ADDRESS",
    help="Join this Ray cluster (e.g. auto or ray://head:10001); default: start a local one.",
)
@click.option(
    "--full",
    is_flag=True,
    help="Rescan every model, even those whose lineage did not change, reading every repo afresh from the Hub.",
)
@offline_option("Read only the Hugging Face cache and local folders (every model is rescanned).")
@click.option(
    "--verify",
    "verify_mode",
    type=click.Choice([m.value for m in VerifyMode]),
    envvar="MODELAUDIT_VERIFY",
    help="Weight checks per model, as for `modelaudit scan`.",
)
@max_depth_option("Lineage depth limit (default: each policy's).")
@timeout_option()
@no_cache_option()
@click.option(
    "--allow-incomplete",
    is_flag=True,
    envvar="MODELAUDIT_ALLOW_INCOMPLETE",
    help="Repos that could not be read after retries become a warning finding on the model instead of "
    "making it 'not audited' (exit 2).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the fleet summary as JSON.")
@quiet_option()
def fleet_scan_command(
    inventory: str,
    db: str,
    output: str,
    formats: tuple[str, ...],
    policy: str,
    waivers: str | None,
    engine: str,
    workers: int,
    ray_address: str | None,
    full: bool,
    offline: bool,
    verify_mode: str | None,
    max_depth: int | None,
    timeout: float,
    no_cache: bool,
    allow_incomplete: bool,
    as_json: bool,
    quiet: bool,
) -> int:
    """Audit every model listed in INVENTORY (YAML, CSV or one target per line).

    Models whose revision and ancestors did not change since the last run (by Hub commit and gated
    status) keep their stored result; the rest are scanned, sharing one crawl. The summary goes to stdout;
    per-model reports and dashboard.html to -o; every run to the --db store.
    Exit 0: all pass; 1: a model failed its policy; 2: a model could not be audited or bad input.
    """
    from modelaudit.fleet.inventory import load_inventory
    from modelaudit.fleet.runner import FleetOptions, run_fleet
    from modelaudit.fleet.store import open_store
    from modelaudit.pipeline import ScanOptions

    inv = load_inventory(inventory)
    for note in inv.notes:
        click.echo(f"note: {inventory}: {note}", err=True)
    scan_options = ScanOptions(
        policy=policy,
        waivers=waivers,
        offline=offline,
        verify=VerifyMode(verify_mode) if verify_mode else None,
        max_depth=max_depth,
        timeout=timeout,
        no_cache=no_cache,
        allow_incomplete=allow_incomplete,
    )
    options = FleetOptions(
        engine="ray" if engine == "ray" else "local",
        workers=workers,
        ray_address=ray_address,
        incremental=not full,
        scan=scan_options,
    )
    from modelaudit.cli._progress import FleetProgress
    from modelaudit.fleet.summary import fleet_summary
    from modelaudit.formats import FLEET_FORMATS

    progress = FleetProgress(enabled=not quiet)
    with open_store(db) as store:
        try:
            run = run_fleet(inv, options, store, progress, progress.hashing_for)
        finally:
            progress.close()
        written = write_outputs(run, store, Path(output), list(dict.fromkeys(formats)) or ["html", "json"])
    click.echo(FLEET_FORMATS.render_text("json" if as_json else "text", fleet_summary(run)), nl=False)
    if not quiet:
        click.echo(
            f"wrote {written} report file(s) and {Path(output) / 'dashboard.html'}; store {db}", err=True
        )
    verdicts = {o.verdict for o in run.outcomes}
    if "error" in verdicts:
        return int(ExitCode.ERROR)
    return int(ExitCode.POLICY_FAILED if "fail" in verdicts else ExitCode.OK)


def write_outputs(run: FleetRun, store: Store, out: Path, formats: list[str]) -> int:
    """Per-model reports (rescanned ones, and any missing on disk) and the dashboard; returns files written."""
    from modelaudit.cli._output import report_slug, write_atomic
    from modelaudit.fleet.dashboard import build_view
    from modelaudit.formats import DASHBOARD_FORMATS, get_formatter

    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: exists and is not a folder")
    written = 0
    hrefs: dict[str, str] = {}
    for outcome in run.outcomes:
        report = outcome.parsed()
        if report is None:
            continue
        slug = report_slug(report)
        for name in formats:
            formatter = get_formatter(name)
            path = out / "models" / f"{slug}{formatter.suffix}"
            if name == "html":
                hrefs[outcome.entry.spec] = f"models/{slug}{formatter.suffix}"
            if outcome.rescanned or not path.exists():
                data = outcome.report if name == "json" and outcome.report else formatter.render(report)
                write_atomic(path, data)
                written += 1
    models = list(store.models(run.run_id).values()) if run.run_id else []
    order = {o.entry.spec: i for i, o in enumerate(run.outcomes)}
    models.sort(key=lambda m: order.get(m.entry, 0))
    view = build_view(
        models, run_id=run.run_id, started_at=run.started_at, inventory=run.inventory, hrefs=hrefs
    )
    write_atomic(out / "dashboard.html", DASHBOARD_FORMATS.render("html", view))
    return written


# --------------------------------------------------------------------------------------------- query


def _pick_run(store: Store, run: int | None) -> int:
    latest = store.latest_run()
    if latest is None:
        raise UsageError(f"{store.path}: no runs yet", hint="run `modelaudit fleet scan INVENTORY` first")
    if run is None:
        return latest
    if run not in store.run_ids():
        raise UsageError(f"{store.path}: no run {run} (runs: {', '.join(map(str, store.run_ids()))})")
    return run


@fleet_command.command("query")
@click.argument("question")
@click.argument("args", nargs=-1)
@db_option()
@click.option("--run", "run_id", type=int, help="Which run (default: the latest).")
@click.option("--json", "as_json", is_flag=True, help="Rows as a JSON list of objects.")
def fleet_query_command(
    question: str, args: tuple[str, ...], db: str, run_id: int | None, as_json: bool
) -> int:
    """Ask the fleet store a question: a shortcut, or `sql "SELECT ..."` (read-only).

    \b
    Shortcuts (on the latest run unless --run):
      noncommercial           models with a non-commercial ancestor or dataset
      depends-on REPO         models whose lineage contains REPO
      license ID              models with a node under license ID
      failing                 models that failed or could not be audited
      gated                   models with a gated node in their lineage
      ancestors               ancestors by how many models depend on them
    Tables: runs, models, nodes, edges, findings, licenses (view), repo_state (docs/fleet.md).
    """
    import sqlite3

    from modelaudit.documents import QueryResult
    from modelaudit.fleet.queries import run_shortcut
    from modelaudit.fleet.store import open_store
    from modelaudit.formats import FLEET_QUERY_FORMATS

    with open_store(db, read_only=True) as store:
        if question == "sql":
            if len(args) != 1:
                raise UsageError('`sql` takes one quoted statement, e.g. sql "SELECT entry FROM models"')
            try:
                names, rows = store.query(args[0])
            except sqlite3.Error as exc:
                raise UsageError(f"SQL error: {exc}") from None
        else:
            names, rows = run_shortcut(store, question, list(args), _pick_run(store, run_id))
    result = QueryResult(names=names, rows=rows)
    click.echo(FLEET_QUERY_FORMATS.render_text("json" if as_json else "text", result), nl=False)
    return int(ExitCode.OK)


# --------------------------------------------------------------------------------------------- diff


@fleet_command.command("diff")
@db_option()
@click.option("--from", "from_run", type=int, help="The older run (default: the one before --to).")
@click.option("--to", "to_run", type=int, help="The newer run (default: the latest).")
@click.option("--json", "as_json", is_flag=True, help="Changes as JSON.")
def fleet_diff_command(db: str, from_run: int | None, to_run: int | None, as_json: bool) -> int:
    """List models whose verdict or lineage changed between two runs, with the cause.

    Exit 1 when some model's verdict got worse (pass → fail or not audited), else 0.
    """
    from modelaudit.documents import FleetDiff
    from modelaudit.fleet.changes import compare_runs
    from modelaudit.fleet.store import open_store
    from modelaudit.formats import FLEET_DIFF_FORMATS

    with open_store(db, read_only=True) as store:
        new = _pick_run(store, to_run)
        if from_run is None:
            older = [r for r in store.run_ids() if r < new]
            if not older:
                raise UsageError(f"{db}: run {new} is the first run; nothing to compare with")
            from_run = older[-1]
        old = _pick_run(store, from_run)
        diff = FleetDiff(old=old, new=new, changes=compare_runs(store.models(old), store.models(new)))
    click.echo(FLEET_DIFF_FORMATS.render_text("json" if as_json else "text", diff), nl=False)
    worse = diff.worse
    return int(ExitCode.POLICY_FAILED if worse else ExitCode.OK)


# --------------------------------------------------------------------------------------------- dashboard


@fleet_command.command("dashboard")
@db_option()
@click.option("--run", "run_id", type=int, help="Which run (default: the latest).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here instead of stdout.")
@click.option(
    "--reports",
    default="models",
    show_default=True,
    help="Folder of the per-model HTML reports, relative to the dashboard (for links).",
)
def fleet_dashboard_command(db: str, run_id: int | None, output: str | None, reports: str) -> int:
    """Render the fleet dashboard (one self-contained HTML page) of a stored run."""
    from modelaudit.cli._output import report_slug, write_atomic
    from modelaudit.fleet.dashboard import build_view
    from modelaudit.fleet.store import open_store
    from modelaudit.formats import DASHBOARD_FORMATS

    with open_store(db, read_only=True) as store:
        run = _pick_run(store, run_id)
        models = list(store.models(run).values())
        _names, rows = store.query("SELECT started_at, inventory FROM runs WHERE id = ?", (run,))
    hrefs = {}
    for m in models:
        report = m.parsed()
        if report is not None:
            hrefs[m.entry] = f"{reports.rstrip('/')}/{report_slug(report)}.html"
    view = build_view(models, run_id=run, started_at=rows[0][0], inventory=rows[0][1], hrefs=hrefs)
    page = DASHBOARD_FORMATS.render_text("html", view)
    if output:
        write_atomic(Path(output), page)
    else:
        click.echo(page, nl=False)
    return int(ExitCode.OK)
