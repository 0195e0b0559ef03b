"""The fleet inventory: which models an organisation uses, who owns them, and how each is judged.

Three forms, picked by the file's suffix:

* YAML (``.yaml`` / ``.yml``)::

      defaults: {policy: commercial, waivers: waivers.yaml}   # optional, for every entry
      models:
        - target: org/model            # anything `modelaudit scan` accepts
          revision: 0123abcd...        # optional pin (same as org/model@rev)
          owner: search-team
          use: customer chatbot        # intended use, free text
          policy: research             # optional, overrides the default
          waivers: waivers/chat.yaml   # optional
        - org/other-model              # a bare string is a target

* CSV (``.csv``): a header row naming some of ``target,revision,owner,use,policy,waivers`` (a UTF-8 byte-order
  mark, as spreadsheets write one, is fine).
* anything else: a plain list, one target per line; blank lines and ``#`` comments are ignored.

Relative paths (folder targets, policy and waiver files) are resolved against the inventory's folder.
Problems name the file and the entry and raise :class:`~modelaudit.errors.InputError` (exit 2). One repo
named twice in different spellings (``Org/Model`` and ``org/model``, a Hub URL and its id) is audited once,
with a note in :attr:`Inventory.notes`; with different settings it is an error.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from modelaudit.errors import InputError, ModelAuditError
from modelaudit.models import RepoRef
from modelaudit.targets import parse_target

MAX_INVENTORY_BYTES = 16 * 1024 * 1024
FIELDS = ("target", "revision", "owner", "use", "policy", "waivers")


class FleetEntry(BaseModel):
    """One model of the fleet."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    target: str = Field(min_length=1, max_length=4096)
    revision: str | None = None
    owner: str | None = None
    use: str | None = None  # intended use, as the owner describes it
    policy: str | None = None  # None: the inventory default, else the run's --policy
    waivers: str | None = None

    @property
    def spec(self) -> str:
        """What is scanned: the target, with ``@revision`` when pinned. Unique within an inventory."""
        if self.revision and "@" not in self.target:
            return f"{self.target}@{self.revision}"
        return self.target


class Defaults(BaseModel):
    model_config = ConfigDict(extra="forbid")

    policy: str | None = None
    waivers: str | None = None
    owner: str | None = None
    use: str | None = None


class Inventory(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str
    entries: list[FleetEntry]
    notes: list[str] = Field(default_factory=list)  # what the reader merged (one repo in two spellings)


def load_inventory(path: str | Path) -> Inventory:
    """Read and check an inventory file (see the module docstring for its forms)."""
    file = Path(path)
    where = str(path)
    try:
        if file.stat().st_size > MAX_INVENTORY_BYTES:
            raise InputError(where, f"larger than {MAX_INVENTORY_BYTES // (1024 * 1024)} MiB")
        text = file.read_text(encoding="utf-8-sig")  # spreadsheets save CSV with a byte-order mark
    except FileNotFoundError:
        raise InputError(where, "no such inventory file") from None
    except IsADirectoryError:
        raise InputError(where, "is a folder, expected an inventory file") from None
    except UnicodeDecodeError:
        raise InputError(where, "not UTF-8 text") from None
    except OSError as exc:
        raise InputError(where, f"cannot be read ({exc.strerror or exc})") from None
    suffix = file.suffix.lower()
    if suffix in (".yaml", ".yml"):
        raw, defaults = _from_yaml(text, where)
    elif suffix == ".csv":
        raw, defaults = _from_csv(text, where), Defaults()
    else:
        raw, defaults = _from_lines(text), Defaults()
    base = file.resolve().parent
    entries: list[FleetEntry] = []
    notes: list[str] = []
    seen: dict[str, int] = {}
    repos: dict[tuple[str, ...], tuple[int, FleetEntry]] = {}
    for number, item in enumerate(raw, 1):
        entry = _entry(item, defaults, where, number)
        entry = _resolve_paths(entry, base)
        label = f"entry {number} ({entry.target!r})"
        try:
            ref = parse_target(entry.spec)
        except ModelAuditError as exc:
            raise InputError(where, f"{label}: {exc.message}") from None
        if entry.spec in seen:
            raise InputError(where, f"{label} repeats entry {seen[entry.spec]}")
        seen[entry.spec] = number
        repo = _repo_key(ref)
        if repo in repos:  # the same repo in another spelling (Hub ids are case-insensitive; URLs; paths)
            first_number, first = repos[repo]
            if _settings(first) != _settings(entry):
                raise InputError(
                    where,
                    f"{label} names the same repo as entry {first_number} ({first.target!r}) with other "
                    "settings; list it once",
                )
            notes.append(
                f"entry {number} ({entry.target!r}) names the same repo as entry {first_number} "
                f"({first.target!r}); it is audited once"
            )
            continue
        repos[repo] = (number, entry)
        entries.append(entry)
    if not entries:
        raise InputError(where, "lists no models")
    return Inventory(path=where, entries=entries, notes=notes)


def _repo_key(ref: RepoRef) -> tuple[str, ...]:
    """What makes two entries one repo: the folder, or the Hub repo in any case at the same revision."""
    if ref.local_path:
        return ("local", str(Path(ref.local_path).resolve()))
    return (ref.kind.value, ref.repo_id.casefold(), ref.revision or "")


def _settings(entry: FleetEntry) -> tuple[str | None, ...]:
    return (entry.owner, entry.use, entry.policy, entry.waivers)


def _from_yaml(text: str, where: str) -> tuple[list[Any], Defaults]:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise InputError(where, f"not valid YAML{at}") from None
    if isinstance(data, list):
        return data, Defaults()
    if not isinstance(data, dict):
        raise InputError(where, "expected a mapping with `models:` (or a list of targets)")
    unknown = sorted(set(map(str, data)) - {"models", "defaults"})
    if unknown:
        raise InputError(where, f"unknown key {unknown[0]!r} (expected `models` and `defaults`)")
    models = data.get("models")
    if not isinstance(models, list):
        raise InputError(where, "`models` must be a list of entries")
    try:
        defaults = Defaults.model_validate(data.get("defaults") or {})
    except ValidationError as exc:
        raise InputError(where, f"defaults: {_first_error(exc)}") from None
    return models, defaults


def _from_csv(text: str, where: str) -> list[Any]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if "target" not in header:
        raise InputError(where, f"the CSV header must name a `target` column (columns: {', '.join(FIELDS)})")
    unknown = [h for h in header if h and h not in FIELDS]
    if unknown:
        raise InputError(where, f"unknown CSV column {unknown[0]!r} (columns: {', '.join(FIELDS)})")
    rows: list[Any] = []
    for row in reader:
        cells = {(k or "").strip(): (v or "").strip() for k, v in row.items() if isinstance(v, str)}
        if not any(cells.values()):
            continue
        rows.append({k: v for k, v in cells.items() if k and v})
    return rows


def _from_lines(text: str) -> list[Any]:
    out: list[Any] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            continue
        stripped = stripped.split(" #", 1)[0].strip()  # a trailing comment needs a space before the #
        if stripped:
            out.append(stripped)
    return out


def _entry(item: Any, defaults: Defaults, where: str, number: int) -> FleetEntry:
    if isinstance(item, str):
        item = {"target": item}
    if not isinstance(item, dict):
        raise InputError(where, f"entry {number}: expected a target or a mapping, got {type(item).__name__}")
    values = {
        "policy": defaults.policy,
        "waivers": defaults.waivers,
        "owner": defaults.owner,
        "use": defaults.use,
        **{
            str(k): (str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v)
            for k, v in item.items()
        },
    }
    try:
        return FleetEntry.model_validate(values)
    except ValidationError as exc:
        raise InputError(where, f"entry {number}: {_first_error(exc)}") from None


def _resolve_paths(entry: FleetEntry, base: Path) -> FleetEntry:
    """Folder targets, policy and waiver files relative to the inventory's folder."""
    update: dict[str, str] = {}
    target_path = Path(entry.target).expanduser()
    if not target_path.is_absolute() and (base / target_path).is_dir():
        update["target"] = str(base / target_path)
    if entry.policy and entry.policy.endswith((".yaml", ".yml")):
        candidate = Path(entry.policy).expanduser()
        if not candidate.is_absolute():
            update["policy"] = str(base / candidate)
    if entry.waivers:
        candidate = Path(entry.waivers).expanduser()
        if not candidate.is_absolute():
            update["waivers"] = str(base / candidate)
    return entry.model_copy(update=update) if update else entry


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err.get("loc", ())) or "value"
    if err.get("type") == "extra_forbidden":
        return f"unknown key {loc!r} (known: {', '.join(FIELDS)})"
    return f"{loc}: {err.get('msg', 'invalid')}"
