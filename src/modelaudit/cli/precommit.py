"""``modelaudit scan-changed FILE...``: scan the model folders that hold the given files.

Used by the pre-commit hook (pre-commit passes the staged files) and by the GitHub Action (which passes the
files a pull request changes). A file belongs to the nearest folder at or above it, up to the working
directory, that looks like a model: a ``config.json`` of a transformers or diffusers model, an
``adapter_config.json``, a ``model_index.json``, or a ``README.md`` whose front matter is a model card
(``license``, ``base_model``, ``library_name``, ...). Files outside every model folder are ignored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import click

from modelaudit.cli._options import max_depth_option, offline_option, quiet_option
from modelaudit.errors import ExitCode

MARKER_FILES = ("adapter_config.json", "model_index.json")
CONFIG_KEYS = {"model_type", "architectures", "_name_or_path", "_class_name", "_diffusers_version"}
CARD_KEYS = {
    "license",
    "license_name",
    "base_model",
    "base_model_relation",
    "library_name",
    "pipeline_tag",
    "model-index",
    "datasets",
}
_MAX_READ = 256 * 1024
_MAX_LEVELS = 64


def _read_head(path: Path) -> str | None:
    try:
        with path.open("rb") as fh:
            return fh.read(_MAX_READ).decode("utf-8", errors="replace")
    except OSError:
        return None


def _is_model_config(path: Path) -> bool:
    text = _read_head(path)
    if text is None:
        return False
    try:
        data = json.loads(text)
    except ValueError:
        return True  # a broken config.json in a model folder is still the scan's business
    return isinstance(data, dict) and bool(CONFIG_KEYS & set(data))


def _has_model_card(path: Path) -> bool:
    text = _read_head(path)
    if text is None:
        return False
    from modelaudit.bounded import front_matter_block
    from modelaudit.errors import InputError

    try:
        block = front_matter_block(text, str(path))  # CR and CR CR LF line ends read as the Hub reads them
    except InputError:
        return True  # front matter that is never closed: let the scan report it
    if block is None:
        return False
    import yaml

    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError:
        return True  # malformed front matter: let the scan report it
    return isinstance(data, dict) and bool(CARD_KEYS & {str(k) for k in data})


def is_model_folder(folder: Path) -> bool:
    if any((folder / name).is_file() for name in MARKER_FILES):
        return True
    config = folder / "config.json"
    if config.is_file() and _is_model_config(config):
        return True
    readme = folder / "README.md"
    return readme.is_file() and _has_model_card(readme)


def model_folders(files: Iterable[str], root: Path | None = None) -> list[str]:
    """The model folders (relative to ``root`` when below it, POSIX style, sorted) holding ``files``."""
    base = (root or Path.cwd()).resolve()
    found: set[str] = set()
    checked: dict[Path, bool] = {}
    for name in files:
        path = Path(name)
        start = (base / path if not path.is_absolute() else path).resolve()
        folder = start if start.is_dir() else start.parent
        for _ in range(_MAX_LEVELS):
            if folder.is_dir():
                if folder not in checked:
                    checked[folder] = is_model_folder(folder)
                if checked[folder]:
                    try:
                        found.add(folder.relative_to(base).as_posix() or ".")
                    except ValueError:
                        found.add(str(folder))
                    break
            if folder == base or folder.parent == folder:
                break
            folder = folder.parent
    return sorted(found)


@click.command("scan-changed", context_settings={"ignore_unknown_options": False})
@click.argument("files", nargs=-1)
@click.option("--list", "list_only", is_flag=True, help="Only print the model folders, one per line.")
@click.option(
    "-f",
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(["text", "json", "html", "md", "sarif", "spdx", "spdx3", "cyclonedx"]),
    help="Report format (repeatable), as for scan.",
)
@click.option("-o", "--output", type=click.Path(), help="Report file or folder, as for scan.")
@click.option("--policy", default="default", show_default=True, help="Policy name or YAML file.")
@click.option("--waivers", type=click.Path(dir_okay=False), help="Waivers YAML file.")
@click.option("--baseline", type=click.Path(dir_okay=False), help="Earlier JSON report.")
@offline_option(envvar=False)
@click.option(
    "--verify",
    "verify_mode",
    type=click.Choice(["none", "headers", "full"]),
    help="Weight checks, as for scan (default for folders: full).",
)
@max_depth_option("Lineage depth limit (default: the policy's).", envvar=False)
@quiet_option()
@click.pass_context
def scan_changed_command(
    ctx: click.Context,
    files: tuple[str, ...],
    list_only: bool,
    formats: tuple[str, ...],
    output: str | None,
    policy: str,
    waivers: str | None,
    baseline: str | None,
    offline: bool,
    verify_mode: str | None,
    max_depth: int | None,
    quiet: bool,
) -> int:
    """Scan the model folders that contain FILES (for pre-commit hooks and CI on changed files).

    \b
    Examples:
      modelaudit scan-changed $(git diff --name-only origin/main...HEAD) --policy commercial
      modelaudit scan-changed --list models/chat/README.md models/chat/adapter_config.json
    """
    folders = model_folders(files)
    if list_only:
        for folder in folders:
            click.echo(folder)
        return int(ExitCode.OK)
    if not folders:
        if not quiet:
            click.echo("no model folder among the given files; nothing to scan", err=True)
        return int(ExitCode.OK)
    from modelaudit.cli.scan import scan_command

    result: int = ctx.invoke(
        scan_command,
        targets=tuple(folders),
        formats=formats,
        output=output,
        policy=policy,
        waivers=waivers,
        baseline=baseline,
        offline=offline,
        verify_mode=verify_mode,
        max_depth=max_depth,
        quiet=quiet,
    )
    return result
