"""Every document kind besides the scan report: one registry each, one protocol, golden files.

The golden files under golden/<kind>/ were first written by the renderers as they were before they moved
into formats/ (policy/diff.py, compare.py, lineage/render.py, cli/verify.py, cli/fleet.py,
fleet/dashboard.py, cli/smoke.py); the only intended differences were the Markdown escaping of the report
diff and of pipes in code spans. The outputs of ``licenses``, ``policy`` and ``fingerprint`` were compared
byte for byte with the commands as they were before the move, on the real license database and policies. Regenerate after an intended change with
``UPDATE_GOLDEN=1 pytest tests/formats/test_documents.py`` and review the diff like code.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
import pytest
from sample_documents import SAMPLES

from modelaudit.errors import UsageError
from modelaudit.formats import REGISTRIES, Formatter

GOLDEN = Path(__file__).parent / "golden"
KINDS = sorted(k for k in REGISTRIES if k != "report")
CASES = [(kind, name) for kind in KINDS for name in REGISTRIES[kind].names()]


def test_every_document_kind_has_a_sample() -> None:
    assert sorted(SAMPLES) == KINDS
    assert set(REGISTRIES) >= {
        "report",
        "diff",
        "comparison",
        "lineage",
        "verify",
        "fleet",
        "fleet-diff",
        "fleet-query",
        "dashboard",
        "smoke",
        "fingerprint",
        "fingerprint-index",
        "license-list",
        "license",
        "license-identify",
        "policy-list",
        "policy",
    }


@pytest.mark.parametrize(("kind", "name"), CASES)
def test_every_format_follows_the_protocol_and_matches_its_golden_file(kind: str, name: str) -> None:
    registry = REGISTRIES[kind]
    formatter = registry.formatter(name)
    assert isinstance(formatter, Formatter)
    assert formatter.name == name and formatter.suffix.startswith(".")
    out = formatter.render(SAMPLES[kind]())
    data = out.encode("utf-8") if isinstance(out, str) else out
    assert out == formatter.render(SAMPLES[kind]())  # pure: the same value renders the same bytes
    path = GOLDEN / kind / f"sample{formatter.suffix}"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"no golden file {kind}/{path.name}; run UPDATE_GOLDEN=1 pytest {__file__}"
    assert data == path.read_bytes(), f"{kind} {name} differs from {kind}/{path.name}"


@pytest.mark.parametrize("kind", KINDS)
def test_an_unknown_format_is_a_usage_error_naming_the_document_kind(kind: str) -> None:
    registry = REGISTRIES[kind]
    with pytest.raises(UsageError) as err:
        registry.formatter("pdf")
    assert f"unknown {registry.kind} format 'pdf'" in err.value.message
    assert err.value.hint is not None and registry.names()[0] in err.value.hint
    assert "pdf" not in registry and registry.names()[0] in registry


def _format_choices(command: click.Command) -> set[str]:
    option = next(p for p in command.params if "--format" in getattr(p, "opts", ()))
    assert isinstance(option.type, click.Choice)
    return set(option.type.choices)


@pytest.mark.parametrize(
    ("command", "kind"),
    [
        ("modelaudit.cli.diff:diff_command", "diff"),
        ("modelaudit.cli.lineage:lineage_command", "lineage"),
        ("modelaudit.cli.verify:verify_command", "verify"),
        ("modelaudit.cli.smoke:smoke_command", "smoke"),
        ("modelaudit.cli.cache:info_command", "cache"),
        ("modelaudit.cli.fingerprint:compare_command", "fingerprint"),
        ("modelaudit.cli.licenses:list_command", "license-list"),
        ("modelaudit.cli.licenses:show_command", "license"),
        ("modelaudit.cli.licenses:identify_command", "license-identify"),
        ("modelaudit.cli.policy:list_command", "policy-list"),
        ("modelaudit.cli.policy:show_command", "policy"),
        ("modelaudit.cli.scan_code:scan_code_command", "application"),
        ("modelaudit.cli.verify_attestation:verify_attestation_command", "attestation"),
    ],
)
def test_cli_format_choices_are_the_registry(command: str, kind: str) -> None:
    import importlib

    module, _, attr = command.partition(":")
    assert _format_choices(getattr(importlib.import_module(module), attr)) == set(REGISTRIES[kind])
