"""Report formats: one ``Formatter`` per output format, found by name in ``FORMATTERS``.

A formatter turns a finished :class:`~modelaudit.models.ScanReport` into text or bytes. Rendering is pure:
no clock, no randomness, no I/O, so the same report always renders to the same output (ids in BOMs are
derived from content, times come from ``report.generated_at``). Writing files is the CLI's job.

Formatter modules are imported only when their format is asked for (``"module:Class"`` strings below), so
``modelaudit --help`` never pays for jinja2, spdx-tools or cyclonedx, and a format whose module is not
installed yet is a clear error rather than an import failure at start-up.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

from modelaudit.errors import UsageError

if TYPE_CHECKING:
    from modelaudit.models import ScanReport


@runtime_checkable
class Formatter(Protocol):
    """Renders a report. ``name`` is the ``-f`` value; ``suffix`` is the file suffix (with the dot)."""

    name: ClassVar[str]
    suffix: ClassVar[str]

    def render(self, report: ScanReport) -> str | bytes: ...


# format name → "module:Class", imported on first use
FORMAT_SPECS: dict[str, str] = {
    "json": "modelaudit.formats.json_format:JsonFormatter",
    "text": "modelaudit.formats.text:TextFormatter",
    "md": "modelaudit.formats.markdown:MarkdownFormatter",
    "html": "modelaudit.formats.html:HtmlFormatter",
    "sarif": "modelaudit.formats.sarif:SarifFormatter",
    "spdx": "modelaudit.formats.spdx:SpdxJsonFormatter",
    "spdx3": "modelaudit.formats.spdx3:Spdx3JsonLdFormatter",
    "cyclonedx": "modelaudit.formats.cyclonedx:CycloneDxFormatter",
    "notice": "modelaudit.formats.notice:NoticeFormatter",
}


def _load(name: str) -> type[Formatter]:
    spec = FORMAT_SPECS.get(name)
    if spec is None:
        raise UsageError(
            f"unknown report format {name!r}",
            hint=f"choose one of: {', '.join(sorted(FORMAT_SPECS))}",
        )
    module_name, _, attr = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and module_name.startswith(exc.name):
            raise UsageError(
                f"report format {name!r} is not available in this build ({module_name} is missing)",
                hint=f"choose one of: {', '.join(available_formats())}",
            ) from exc
        raise UsageError(
            f"report format {name!r} needs the package {exc.name!r}, which is not installed",
            hint="reinstall modelaudit with its dependencies",
        ) from exc
    cls = getattr(module, attr, None)
    if cls is None:
        raise UsageError(f"report format {name!r}: {module_name} defines no {attr}")
    formatter: type[Formatter] = cls
    return formatter


class _LazyFormatters(Mapping[str, "type[Formatter]"]):
    """``FORMATTERS[name]`` imports the formatter's module on first access."""

    def __init__(self) -> None:
        self._cache: dict[str, type[Formatter]] = {}

    def __getitem__(self, name: str) -> type[Formatter]:
        if name not in FORMAT_SPECS:
            raise KeyError(name)
        if name not in self._cache:
            self._cache[name] = _load(name)
        return self._cache[name]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(FORMAT_SPECS))

    def __len__(self) -> int:
        return len(FORMAT_SPECS)


FORMATTERS: Mapping[str, type[Formatter]] = _LazyFormatters()


def format_names() -> list[str]:
    """Every registered format name (including ones whose module may be missing), sorted."""
    return sorted(FORMAT_SPECS)


def available_formats() -> list[str]:
    """Registered formats whose module can be found, sorted (does not import them)."""
    import importlib.util

    out = []
    for name, spec in sorted(FORMAT_SPECS.items()):
        module_name = spec.partition(":")[0]
        try:
            found = importlib.util.find_spec(module_name) is not None
        except ModuleNotFoundError:
            found = False
        if found:
            out.append(name)
    return out


def get_formatter(name: str) -> Formatter:
    """An instance of the formatter registered as ``name``; ``UsageError`` for unknown or missing ones."""
    return _load(name)()


__all__ = ["FORMATTERS", "FORMAT_SPECS", "Formatter", "available_formats", "format_names", "get_formatter"]
