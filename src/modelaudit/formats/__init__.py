"""Every rendered document: one ``Formatter`` protocol, one registry per document kind.

A formatter turns one finished value into text or bytes. Rendering is pure: no clock, no randomness, no
I/O, so the same value always renders to the same output (ids in BOMs are derived from content, times come
from the value itself). Computing the value is the job of the floor that owns it; writing files and
picking exit codes is the CLI's, which writes only what a formatter returns. The document kinds
(``REGISTRIES`` keys) and the values they render:

- report: ``models.ScanReport``, computed by ``pipeline.scan``
- diff: ``policy.diff.ReportDiff``, by ``policy.diff.diff_reports``
- comparison: ``documents.Comparison``, by ``compare.compare_revisions``
- audit-error: ``documents.AuditError``, by the webhook when a comparison could not be made
- lineage: ``lineage.view.LineageView``, by ``pipeline.lineage_view``
- verify: ``documents.VerifyReport``, by ``modelaudit verify`` from ``verify.verify_files``
- attestation: ``documents.AttestationCheck``, by ``attest.verify_attestation``
- fleet, fleet-diff, fleet-query: ``documents.FleetSummary``, ``FleetDiff``, ``QueryResult``, by
  ``fleet.summary.fleet_summary``, ``fleet.changes.compare_runs`` and the store
- dashboard: ``documents.DashboardView``, by ``fleet.dashboard.build_view``
- smoke: ``documents.SmokeReport``, from ``smoke.run_smoke``
- fingerprint, fingerprint-index: ``verify.fingerprint.FingerprintComparison``, ``verify.index.FingerprintIndex``
- license-list, license, license-identify: ``list[licenses.schema.LicenseRecord]``, ``LicenseRecord``,
  ``licenses.identify.FileIdentification``
- policy-list, policy: ``list[policy.model.Policy]``, ``policy.effective.EffectivePolicy``
- application: ``code_models.AppReport``, by ``appaudit.audit_application``

Formatter modules are imported only when their format is asked for (``"module:Class"`` strings below), so
``modelaudit --help`` never pays for jinja2, spdx-tools or cyclonedx, and a format whose module is not
installed yet is a clear error rather than an import failure at start-up. Every Markdown output escapes
untrusted text with the one escaper in :mod:`modelaudit.formats._md`.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar, runtime_checkable

from modelaudit.errors import UsageError

if TYPE_CHECKING:
    from modelaudit.code_models import AppReport
    from modelaudit.documents import (
        AttestationCheck,
        AuditError,
        CacheInfo,
        Comparison,
        DashboardView,
        FleetDiff,
        FleetSummary,
        QueryResult,
        SmokeReport,
        VerifyReport,
    )
    from modelaudit.licenses.identify import FileIdentification
    from modelaudit.licenses.schema import LicenseRecord
    from modelaudit.lineage.view import LineageView
    from modelaudit.models import ScanReport
    from modelaudit.policy.diff import ReportDiff
    from modelaudit.policy.effective import EffectivePolicy
    from modelaudit.policy.model import Policy
    from modelaudit.verify.fingerprint import FingerprintComparison
    from modelaudit.verify.index import FingerprintIndex

D = TypeVar("D", contravariant=True)
T = TypeVar("T")


@runtime_checkable
class Formatter(Protocol[D]):
    """Renders one document. ``name`` is the ``-f`` value; ``suffix`` is the file suffix (with the dot)."""

    name: ClassVar[str]
    suffix: ClassVar[str]

    def render(self, doc: D, /) -> str | bytes: ...


class Registry(Mapping[str, "type[Formatter[T]]"], Generic[T]):
    """One document kind's formats: ``registry[name]`` imports the formatter's module on first access.

    ``specs`` maps a format name to ``"module:Class"``; it is kept by reference, so adding to it later (a
    plugin, a test) registers a format.
    """

    def __init__(self, kind: str, specs: dict[str, str]) -> None:
        self.kind = kind
        self.specs = specs
        self._cache: dict[str, type[Formatter[T]]] = {}

    def __getitem__(self, name: str) -> type[Formatter[T]]:
        if name not in self.specs:
            raise KeyError(name)
        if name not in self._cache:
            self._cache[name] = self.load(name)
        return self._cache[name]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.specs))

    def __contains__(self, name: object) -> bool:  # without importing the formatter
        return name in self.specs

    def __len__(self) -> int:
        return len(self.specs)

    def load(self, name: str) -> type[Formatter[T]]:
        """The formatter class registered as ``name``; ``UsageError`` for unknown or missing ones."""
        spec = self.specs.get(name)
        if spec is None:
            raise UsageError(
                f"unknown {self.kind} format {name!r}",
                hint=f"choose one of: {', '.join(sorted(self.specs))}",
            )
        module_name, _, attr = spec.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and module_name.startswith(exc.name):
                raise UsageError(
                    f"{self.kind} format {name!r} is not available in this build ({module_name} is missing)",
                    hint=f"choose one of: {', '.join(self.available())}",
                ) from exc
            raise UsageError(
                f"{self.kind} format {name!r} needs the package {exc.name!r}, which is not installed",
                hint="reinstall modelaudit with its dependencies",
            ) from exc
        cls = getattr(module, attr, None)
        if cls is None:
            raise UsageError(f"{self.kind} format {name!r}: {module_name} defines no {attr}")
        formatter: type[Formatter[T]] = cls
        return formatter

    def formatter(self, name: str) -> Formatter[T]:
        """An instance of the formatter registered as ``name``."""
        return self.load(name)()

    def render(self, name: str, doc: T) -> str | bytes:
        """``doc`` rendered in the format ``name``."""
        return self.formatter(name).render(doc)

    def render_text(self, name: str, doc: T) -> str:
        """``doc`` rendered in the text format ``name`` (every format of the non-report kinds is text)."""
        out = self.render(name, doc)
        return out.decode("utf-8") if isinstance(out, bytes) else out

    def names(self) -> list[str]:
        """Every registered format name (including ones whose module may be missing), sorted."""
        return sorted(self.specs)

    def available(self) -> list[str]:
        """Registered formats whose module can be found, sorted (does not import them)."""
        import importlib.util

        out = []
        for name, spec in sorted(self.specs.items()):
            module_name = spec.partition(":")[0]
            try:
                found = importlib.util.find_spec(module_name) is not None
            except ModuleNotFoundError:
                found = False
            if found:
                out.append(name)
        return out


# --------------------------------------------------------------------------------------------- registries

# the scan report: format name → "module:Class", imported on first use
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
FORMATTERS: Registry[ScanReport] = Registry("report", FORMAT_SPECS)

_DIFF = "modelaudit.formats.diff"
DIFF_FORMATS: Registry[ReportDiff] = Registry(
    "report diff", {"text": f"{_DIFF}:DiffText", "json": f"{_DIFF}:DiffJson", "md": f"{_DIFF}:DiffMarkdown"}
)
_CMP = "modelaudit.formats.comparison"
COMPARISON_FORMATS: Registry[Comparison] = Registry(
    "comparison", {"text": f"{_CMP}:ComparisonText", "md": f"{_CMP}:ComparisonMarkdown"}
)
AUDIT_ERROR_FORMATS: Registry[AuditError] = Registry("audit error", {"md": f"{_CMP}:AuditErrorMarkdown"})
_LIN = "modelaudit.formats.lineage"
LINEAGE_FORMATS: Registry[LineageView] = Registry(
    "lineage",
    {
        "text": f"{_LIN}:LineageText",
        "json": f"{_LIN}:LineageJson",
        "dot": f"{_LIN}:LineageDot",
        "mermaid": f"{_LIN}:LineageMermaid",
    },
)
_VER = "modelaudit.formats.verify"
VERIFY_FORMATS: Registry[VerifyReport] = Registry(
    "verify", {"text": f"{_VER}:VerifyText", "json": f"{_VER}:VerifyJson"}
)
_ATT = "modelaudit.formats.attestation"
ATTESTATION_FORMATS: Registry[AttestationCheck] = Registry(
    "attestation check", {"text": f"{_ATT}:AttestationText", "json": f"{_ATT}:AttestationJson"}
)
_FLEET = "modelaudit.formats.fleet"
FLEET_FORMATS: Registry[FleetSummary] = Registry(
    "fleet summary", {"text": f"{_FLEET}:SummaryText", "json": f"{_FLEET}:SummaryJson"}
)
FLEET_DIFF_FORMATS: Registry[FleetDiff] = Registry(
    "fleet diff", {"text": f"{_FLEET}:FleetDiffText", "json": f"{_FLEET}:FleetDiffJson"}
)
FLEET_QUERY_FORMATS: Registry[QueryResult] = Registry(
    "fleet query", {"text": f"{_FLEET}:QueryText", "json": f"{_FLEET}:QueryJson"}
)
DASHBOARD_FORMATS: Registry[DashboardView] = Registry(
    "dashboard", {"html": "modelaudit.formats.dashboard:DashboardHtml"}
)
SMOKE_FORMATS: Registry[SmokeReport] = Registry(
    "smoke", {"text": "modelaudit.formats.smoke:SmokeText", "json": "modelaudit.formats.smoke:SmokeJson"}
)
_FP = "modelaudit.formats.fingerprint"
FINGERPRINT_FORMATS: Registry[FingerprintComparison] = Registry(
    "fingerprint", {"text": f"{_FP}:ComparisonText", "json": f"{_FP}:ComparisonJson"}
)
FINGERPRINT_INDEX_FORMATS: Registry[FingerprintIndex] = Registry(
    "fingerprint index", {"text": f"{_FP}:IndexText"}
)
_LICS = "modelaudit.formats.licenses"
LICENSE_LIST_FORMATS: Registry[list[LicenseRecord]] = Registry(
    "license list", {"text": f"{_LICS}:ListText", "json": f"{_LICS}:ListJson"}
)
LICENSE_FORMATS: Registry[LicenseRecord] = Registry(
    "license", {"text": f"{_LICS}:ShowText", "json": f"{_LICS}:ShowJson"}
)
LICENSE_IDENTIFY_FORMATS: Registry[FileIdentification] = Registry(
    "license identification", {"text": f"{_LICS}:IdentifyText", "json": f"{_LICS}:IdentifyJson"}
)
_POL = "modelaudit.formats.policy"
POLICY_LIST_FORMATS: Registry[list[Policy]] = Registry(
    "policy list", {"text": f"{_POL}:ListText", "json": f"{_POL}:ListJson"}
)
POLICY_FORMATS: Registry[EffectivePolicy] = Registry(
    "policy", {"text": f"{_POL}:ShowText", "json": f"{_POL}:ShowJson"}
)
_CACHE = "modelaudit.formats.cache"
CACHE_FORMATS: Registry[CacheInfo] = Registry(
    "cache info", {"text": f"{_CACHE}:CacheInfoText", "json": f"{_CACHE}:CacheInfoJson"}
)
_APP = "modelaudit.formats.code"
APP_FORMATS: Registry[AppReport] = Registry(
    "application",
    {
        "text": f"{_APP}:AppText",
        "json": f"{_APP}:AppJson",
        "md": f"{_APP}:AppMarkdown",
        "sarif": f"{_APP}:AppSarif",
        "inventory": f"{_APP}:AppInventory",
    },
)

# document kind → its registry (a test renders a sample of every kind in every format)
REGISTRIES: dict[str, Registry[Any]] = {
    "report": FORMATTERS,
    "diff": DIFF_FORMATS,
    "comparison": COMPARISON_FORMATS,
    "audit-error": AUDIT_ERROR_FORMATS,
    "lineage": LINEAGE_FORMATS,
    "verify": VERIFY_FORMATS,
    "attestation": ATTESTATION_FORMATS,
    "fleet": FLEET_FORMATS,
    "fleet-diff": FLEET_DIFF_FORMATS,
    "fleet-query": FLEET_QUERY_FORMATS,
    "dashboard": DASHBOARD_FORMATS,
    "smoke": SMOKE_FORMATS,
    "fingerprint": FINGERPRINT_FORMATS,
    "fingerprint-index": FINGERPRINT_INDEX_FORMATS,
    "license-list": LICENSE_LIST_FORMATS,
    "license": LICENSE_FORMATS,
    "license-identify": LICENSE_IDENTIFY_FORMATS,
    "policy-list": POLICY_LIST_FORMATS,
    "policy": POLICY_FORMATS,
    "cache": CACHE_FORMATS,
    "application": APP_FORMATS,
}


def format_names() -> list[str]:
    """Every registered report format name (including ones whose module may be missing), sorted."""
    return FORMATTERS.names()


def available_formats() -> list[str]:
    """Registered report formats whose module can be found, sorted (does not import them)."""
    return FORMATTERS.available()


def get_formatter(name: str) -> Formatter[ScanReport]:
    """An instance of the report formatter registered as ``name``; ``UsageError`` for unknown or missing ones."""
    return FORMATTERS.formatter(name)


__all__ = [
    "APP_FORMATS",
    "ATTESTATION_FORMATS",
    "AUDIT_ERROR_FORMATS",
    "CACHE_FORMATS",
    "COMPARISON_FORMATS",
    "DASHBOARD_FORMATS",
    "DIFF_FORMATS",
    "FINGERPRINT_FORMATS",
    "FINGERPRINT_INDEX_FORMATS",
    "FLEET_DIFF_FORMATS",
    "FLEET_FORMATS",
    "FLEET_QUERY_FORMATS",
    "FORMATTERS",
    "FORMAT_SPECS",
    "LICENSE_FORMATS",
    "LICENSE_IDENTIFY_FORMATS",
    "LICENSE_LIST_FORMATS",
    "LINEAGE_FORMATS",
    "POLICY_FORMATS",
    "POLICY_LIST_FORMATS",
    "REGISTRIES",
    "SMOKE_FORMATS",
    "VERIFY_FORMATS",
    "Formatter",
    "Registry",
    "available_formats",
    "format_names",
    "get_formatter",
]
