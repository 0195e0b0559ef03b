"""The formats registry: complete, lazy, clear errors, and every format renders the sample report."""

from __future__ import annotations

import random
import sys

import pytest
from sample_report import IMG, SCRIPT, big_report, sample_report

from modelaudit import formats
from modelaudit.errors import UsageError
from modelaudit.formats import FORMAT_SPECS, FORMATTERS, Formatter, format_names, get_formatter

EXPECTED = {"json", "text", "md", "html", "sarif", "spdx", "spdx3", "cyclonedx", "notice"}
ALL = format_names()  # everything registered, including formats added later: each must render the sample


def test_registry_lists_every_format_of_the_contract() -> None:
    assert set(ALL) >= EXPECTED
    assert list(FORMATTERS) == ALL
    assert len(FORMATTERS) == len(ALL)
    assert formats.available_formats() == ALL


@pytest.mark.parametrize("name", ALL)
def test_every_registered_format_renders_the_sample(name: str) -> None:
    formatter = get_formatter(name)
    assert isinstance(formatter, Formatter)
    assert formatter.name == name
    assert formatter.suffix.startswith(".")
    out = formatter.render(sample_report())
    text = out.decode() if isinstance(out, bytes) else out
    assert len(text) > 200


@pytest.mark.parametrize("name", ALL)
def test_output_is_deterministic_and_independent_of_list_order(name: str) -> None:
    report = sample_report()
    shuffled = report.model_copy(
        update={
            "nodes": random.Random(1).sample(report.nodes, len(report.nodes)),
            "edges": list(reversed(report.edges)),
            "findings": random.Random(2).sample(report.findings, len(report.findings)),
            "obligations": list(reversed(report.obligations)),
        }
    )
    formatter = get_formatter(name)
    assert formatter.render(report) == formatter.render(shuffled)


@pytest.mark.parametrize("name", sorted({"text", "md", "html", "spdx", "spdx3", "cyclonedx"}))
def test_every_human_or_bom_format_renders_a_50_node_lineage(name: str) -> None:
    out = get_formatter(name).render(big_report(50))
    text = out.decode() if isinstance(out, bytes) else out
    assert "acme/mega-merge-70b" in text


def test_unknown_format_is_a_usage_error_listing_the_choices() -> None:
    with pytest.raises(UsageError) as err:
        get_formatter("pdf")
    assert "pdf" in err.value.message
    assert err.value.hint is not None and "html" in err.value.hint
    with pytest.raises(KeyError):
        FORMATTERS["pdf"]


def test_a_registered_format_whose_module_is_missing_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(FORMAT_SPECS, "ghost", "modelaudit.formats._does_not_exist:GhostFormatter")
    with pytest.raises(UsageError) as err:
        get_formatter("ghost")
    assert "not available" in err.value.message and "_does_not_exist" in err.value.message
    assert "ghost" not in formats.available_formats()


def test_formatter_modules_load_only_on_demand() -> None:
    # importing the registry must not pull in jinja2 templates, spdx-tools or cyclonedx
    import subprocess

    code = (
        "import sys, modelaudit.formats as f; "
        "heavy = [m for m in ('jinja2', 'spdx_tools', 'cyclonedx', 'spdx_python_model', 'modelaudit.formats.html') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("name", ["text", "md", "html"])
def test_hostile_card_text_never_appears_raw_in_human_formats(name: str) -> None:
    text = str(get_formatter(name).render(sample_report()))
    if name == "text":  # plain text for a terminal: shown literally, which is inert there
        assert SCRIPT in text
        return
    assert SCRIPT not in text
    assert IMG not in text
    assert "<script" not in text.lower()
    assert "<img" not in text.lower()
